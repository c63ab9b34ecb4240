// heed: the command-line entry point. Dispatches to a subcommand (train/cli/cli.h) and turns every
// error into one line and a non-zero exit.
#include <iostream>
#include <string>
#include <vector>

#include "train/cli/cli.h"
#include "train/distributed/launch.h"

namespace {

constexpr const char* kUsage = R"(heed — train, study and gradient-check small attention models

usage: heed <command> [options]        (heed <command> --help for its options)

commands:
  train       train an encoder-decoder (transformer, lstm, lstm-attention) on a built-in task or a TSV corpus,
              or a decoder-only language model (--arch lm) on a plain text
  finetune    continue training a checkpoint on new data
  eval        loss, perplexity, exact match, token accuracy, BLEU, chrF of a checkpoint (a language model:
              loss, perplexity, bits per character of a text)
  translate   translate source lines (stdin or --input) to stdout or --output; beam, n-best, sampling, ensembles
  generate    continue a prompt with a language model, greedy or sampled, streamed as it is produced
  score       BLEU, chrF and exact match of given hypothesis and reference files
  average     average the weights of several checkpoints into one
  data        print a built-in task as TSV
  gradcheck   check every layer's gradients against central differences (double precision)
  bench       training throughput on the benchmark configs
  attention   draw the attention weights behind one translation as heatmaps (PNG or SVG)
  plot        draw training and validation curves of one or more runs (PNG or SVG)
  explain     does attention explain the pronoun? behaviour and attributions of a toy-fr transformer

options:
  -h, --help     this text
  --version      print the version
)";

// Data-parallel (mpirun): a usage error is the same on every rank, so rank 0 alone says it; any
// other error says which rank met it. Then the whole job ends: other ranks may be waiting for
// this one in a collective.
int fail(const std::string& command, const std::string& what, int status, bool same_on_every_rank) {
  const heed::LaunchInfo launch = heed::launch_info();
  if (launch.rank == 0 || !same_on_every_rank)
    std::cerr << "heed " << command << (launch.size > 1 ? " (rank " + std::to_string(launch.rank) + ")" : "")
              << ": error: " << what << "\n";
  heed::abort_job(status);
  return status;
}

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
    Command parsed;
    if (command == "train") parsed = parse_train(args, false);
    else if (command == "finetune") parsed = parse_train(args, true);
    else if (command == "eval") parsed = parse_eval(args);
    else if (command == "translate") parsed = parse_translate(args);
    else if (command == "generate") parsed = parse_generate(args);
    else if (command == "score") parsed = parse_score(args);
    else if (command == "average") parsed = parse_average(args);
    else if (command == "data") parsed = parse_data(args);
    else if (command == "gradcheck") parsed = parse_gradcheck(args);
    else if (command == "bench") parsed = parse_bench(args);
    else if (command == "attention") parsed = parse_attention(args);
    else if (command == "plot") parsed = parse_plot(args);
    else if (command == "explain") parsed = parse_explain(args);
    else {
      std::cerr << "heed: error: unknown command '" << command << "' (see heed --help)\n";
      return 2;
    }
    // What went to stdout must have arrived (a full disk, a closed pipe): else exit 1, not 0.
    const auto stdout_written = [&](int status) {
      std::cout.flush();
      if (std::cout) return status;
      std::cerr << "heed " << command << ": error: stdout: write failed\n";
      return status == 0 ? 1 : status;
    };
    if (!parsed.run) return stdout_written(0);  // --help or --dump-config printed
    try {
      setup_process(parsed.process);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    return stdout_written(parsed.run());
  } catch (const UsageError& e) {
    return fail(command, e.what(), 2, true);
  } catch (const std::exception& e) {
    return fail(command, e.what(), 1, false);
  }
}
