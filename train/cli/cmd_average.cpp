// heed average: the mean of several checkpoints' weights (fairseq's average_checkpoints, OpenNMT's
// average_models), written as a checkpoint that eval, translate and finetune load as any other.
#include <filesystem>
#include <iostream>

#include <Eigen/Core>

#include "train/checkpoint/checkpoint_io.h"
#include "train/cli/cli.h"
#include "train/cli/translation_setup.h"

namespace heed::cli {

namespace {

constexpr const char* kUsage = R"(--out AVG.h5 CKPT.h5 CKPT2.h5 ...   (or --checkpoint CKPT.h5 repeated)

Averages the weights of checkpoints of one model: same family and settings (/config, the seed
aside) and the same tokenizer and vocabularies, else an error names the first difference. The
result keeps the first checkpoint's /config and vocabularies and the last one's training position
(/train), and holds no optimizer state: finetune --from AVG.h5 starts a fresh optimizer.)";

// Options that take a value: a word after one of them is its value, not a checkpoint.
bool takes_value(const std::string& arg) { return arg == "--out" || arg == "--checkpoint" || arg == "--config"; }

int run_average(const po::variables_map& vm);

}  // namespace

Command parse_average(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("out", po::value<std::string>()->required(), "the averaged checkpoint to write")(
      "checkpoint", po::value<std::vector<std::string>>(), "a checkpoint to average (also given as plain arguments)");
  std::vector<std::string> named;  // plain arguments become --checkpoint ones
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (takes_value(args[i]) && i + 1 < args.size()) {
      named.push_back(args[i]);
      named.push_back(args[++i]);
    } else if (!args[i].starts_with("-")) {
      named.push_back("--checkpoint");
      named.push_back(args[i]);
    } else {
      named.push_back(args[i]);
    }
  }
  po::variables_map vm;
  if (!parse("average", kUsage, options, named, vm)) return {};
  return Command{.process = {}, .run = [vm] { return run_average(vm); }};
}

namespace {

// The first difference that makes two checkpoints different models, or "".
std::string difference(const Checkpoint& first, const Checkpoint& other) {
  // vocabularies first: their sizes are settings too, but the tokens say more
  const VocabularyState &a = first.vocab, &b = other.vocab;
  if (a.tokenizer != b.tokenizer) return "tokenizer " + b.tokenizer + " differs from " + a.tokenizer + " in " + first.path;
  if (a.src != b.src) return "source vocabulary differs from " + first.path + "'s";
  if (a.tgt != b.tgt) return "target vocabulary differs from " + first.path + "'s";
  if (a.bpe_merges != b.bpe_merges) return "BPE merges differ from " + first.path + "'s";
  if (a.spm.bytes != b.spm.bytes) return "SentencePiece model differs from " + first.path + "'s";
  for (const ModelField& f : model_fields()) {
    if (f.attribute.empty() || f.attribute == "seed") continue;  // the seed only chose the initial weights
    const ConfigValue x = f.get(first.config), y = f.get(other.config);
    if (x != y)
      return "/config/" + f.attribute + " " + config_value_text(y) + " differs from " + config_value_text(x) + " in " +
             first.path;
  }
  return "";
}

int run_average(const po::variables_map& vm) {
  namespace fs = std::filesystem;
  if (!vm.count("checkpoint")) throw UsageError("no checkpoints to average (see heed average --help)");
  const std::vector<std::string> paths = vm["checkpoint"].as<std::vector<std::string>>();
  const std::string out = vm["out"].as<std::string>();
  std::error_code ec;
  for (const std::string& path : paths) {
    require_file(path, "a checkpoint file");
    if (fs::exists(out, ec) && fs::equivalent(path, out, ec))
      throw UsageError("--out " + out + " is one of the checkpoints to average; write the average elsewhere");
  }
  const Checkpoint first = read_checkpoint(paths.front());
  std::unique_ptr<Seq2SeqModel> model = load_model(first);
  // Sums in double: many checkpoints of nearly equal weights lose no precision.
  std::vector<Eigen::MatrixXd> sums;
  for (const Parameter& p : model->parameters()) sums.push_back(p.tensor.value().cast<double>());
  TrainingState train = first.train;
  for (std::size_t i = 1; i < paths.size(); ++i) {
    const Checkpoint next = read_checkpoint(paths[i]);
    if (const std::string diff = difference(first, next); !diff.empty()) throw UsageError(paths[i] + ": " + diff);
    const std::unique_ptr<Seq2SeqModel> other = load_model(next);
    const std::vector<Parameter> params = other->parameters();
    for (std::size_t k = 0; k < params.size(); ++k) sums[k] += params[k].tensor.value().cast<double>();
    train = next.train;
  }
  std::vector<Parameter> params = model->parameters();
  for (std::size_t k = 0; k < params.size(); ++k)
    params[k].tensor.mutable_value() = (sums[k] / double(paths.size())).cast<Scalar>();
  train.evals_without_improvement = 0;
  save_checkpoint(out, *model, first.vocab, nullptr, train);
  std::cerr << "averaged " << paths.size() << " checkpoint" << (paths.size() == 1 ? "" : "s") << " into " << out
            << " (weights only: no optimizer state)\n";
  return 0;
}

}  // namespace

}  // namespace heed::cli
