// Decoding options, checkpoints for decoding, text files.
#include "train/cli/translation_setup.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "data/tsv.h"
#include "autograd/int8_linear.h"
#include "layers/quantize.h"
#include "train/checkpoint/checkpoint_io.h"
#include "train/cli/option_checks.h"

namespace heed::cli {

namespace {

// The first difference between two vocabularies, or "" when they are equal.
std::string vocabulary_difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    if (a[i] != b[i]) return "token " + std::to_string(i) + " is '" + b[i] + "', not '" + a[i] + "'";
  if (a.size() != b.size()) return std::to_string(b.size()) + " tokens, not " + std::to_string(a.size());
  return "";
}

}  // namespace

void require_file(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw UsageError(path + ": no such file");
  if (fs::is_directory(status)) throw UsageError(path + ": is a directory, not " + what);
}

po::options_description decode_options() {
  po::options_description o("Decoding");
  o.add_options()("beam", po::value<int>()->default_value(1), "beam size (1 = greedy)")(
      "length-penalty", real_value(0.6), "beam: GNMT length-penalty exponent α >= 0: hypotheses ranked by "
                                         "log-prob / ((6 + N) / 6)^α for N output tokens")(
      "max-output", po::value<long long>()->default_value(0),
      "longest output in tokens (0 = 2 x (source tokens + 1) + 10, each sentence its own)")(
      "threads", po::value<int>()->default_value(0), "threads (0 = all cores)");
  return o;
}

DecodeOptions read_decode_options(const po::variables_map& vm) {
  DecodeOptions d;
  d.beam = int(checked_int(vm, "beam", 1, 1000));
  d.length_penalty = checked_real(vm, "length-penalty", at_least(0));
  d.max_len = checked_int(vm, "max-output", 0, 1 << 20);
  checked_int(vm, "threads", 0);
  return d;
}

po::options_description int8_option() {
  po::options_description o("Speed");
  o.add_options()("int8", po::bool_switch(),
                  "8-bit weights: every linear layer and attention projection quantized at load (per output row, "
                  "inputs per row as they come), products in 32-bit integers; faster, results differ slightly "
                  "from float. Embeddings, norms and LSTM layers (input and recurrent products) stay float");
  return o;
}

std::string quantize_if_asked(const po::variables_map& vm, const LoadedModel& loaded) {
  if (!vm["int8"].as<bool>()) return "float32";
  quantize_int8(*loaded.model);
  return std::string("int8 (") + int8_product_name() + ")";
}

LoadedModel load_for_decoding(const std::string& path) {
  require_file(path, "a checkpoint file");
  const Checkpoint checkpoint = read_checkpoint(path);
  return {path, load_model(checkpoint), std::make_unique<Preprocessor>(Preprocessor::from_state(checkpoint.vocab))};
}

std::vector<LoadedModel> load_ensemble(const std::vector<std::string>& paths) {
  std::vector<LoadedModel> loaded;
  for (const std::string& path : paths) {
    loaded.push_back(load_for_decoding(path));
    if (loaded.back().model->config().arch == Arch::Lm)
      throw UsageError(path + " is a language model: it translates nothing; use heed generate (or heed eval --text)");
    const LoadedModel &first = loaded.front(), &last = loaded.back();
    const VocabularyState a = first.pre->state(), b = last.pre->state();
    if (a.tokenizer != b.tokenizer)
      throw UsageError(path + ": tokenizer " + b.tokenizer + " differs from " + a.tokenizer + " in " + first.path +
                       " (an ensemble shares its target vocabulary and tokenizer)");
    if (a.spm.bytes != b.spm.bytes)
      throw UsageError(path + ": SentencePiece model differs from " + first.path +
                       "'s (an ensemble shares its target vocabulary and tokenizer)");
    if (const std::string diff = vocabulary_difference(a.tgt, b.tgt); !diff.empty())
      throw UsageError(path + ": target vocabulary differs from " + first.path + "'s: " + diff +
                       " (an ensemble shares its target vocabulary)");
  }
  return loaded;
}

std::vector<TranslationModel> translation_models(const std::vector<LoadedModel>& loaded) {
  std::vector<TranslationModel> models;
  for (const LoadedModel& m : loaded) models.push_back({m.model.get(), m.pre.get()});
  return models;
}

std::vector<std::string> read_text_file(const std::string& path) {
  try {
    if (path == "-") return read_text_lines(std::cin, "stdin");
    require_file(path, "a text file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError(path + ": cannot open for reading");
    return read_text_lines(in, path);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
}

}  // namespace heed::cli
