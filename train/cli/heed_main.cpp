// heed: the command-line entry point. Dispatches to a subcommand (train/cli.h) and turns every
// error into one line and a non-zero exit.
#include <iostream>
#include <string>
#include <vector>

#include "train/cli.h"

namespace {

constexpr const char* kUsage = R"(heed — train, study and gradient-check small attention models

usage: heed <command> [options]        (heed <command> --help for its options)

commands:
  train       train an encoder-decoder on a built-in task or a TSV corpus
  finetune    continue training a checkpoint on new data
  eval        loss, perplexity, exact match, token accuracy, BLEU, chrF of a checkpoint
  translate   translate source lines from stdin to stdout
  score       BLEU, chrF and exact match of given hypothesis and reference files
  data        print a built-in task as TSV
  gradcheck   check every layer's gradients against central differences (double precision)
  bench       training throughput on the benchmark configs

options:
  -h, --help     this text
  --version      print the version
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace heed::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "heed " << HEED_VERSION << "\n";
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "train") return run_train(args, false);
    if (command == "finetune") return run_train(args, true);
    if (command == "eval") return run_eval(args);
    if (command == "translate") return run_translate(args);
    if (command == "score") return run_score(args);
    if (command == "data") return run_data(args);
    if (command == "gradcheck") return run_gradcheck(args);
    if (command == "bench") return run_bench(args);
    std::cerr << "heed: error: unknown command '" << command << "' (see heed --help)\n";
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "heed " << command << ": error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "heed " << command << ": error: " << e.what() << "\n";
    return 1;
  }
}
