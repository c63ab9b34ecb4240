// heed train's tokenizer options: parsing, checks, and resume's comparison with a checkpoint.
#include "train/cli/tokenizer_options.h"

#include <algorithm>
#include <vector>

#include "train/cli/option_checks.h"

namespace heed::cli {

namespace {

const SpmOptions kSpmDefaults;

// Whether a --spm-* option holds another value than its default (an INI file from --dump-config
// holds the defaults of a run without spm: they count as not given).
bool spm_option_set(const po::variables_map& vm, const std::string& name) {
  if (name == "spm-model") return vm.count(name) > 0;
  if (name == "spm-type") return vm[name].as<std::string>() != kSpmDefaults.type;
  return vm[name].as<long long>() != kSpmDefaults.vocab_size;
}

// The SentencePiece model of --spm-model, or a UsageError naming the option and the file.
SpmModel read_spm_option(const po::variables_map& vm) {
  try {
    return read_spm_model(vm["spm-model"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--spm-model ") + e.what());
  }
}

}  // namespace

po::options_description tokenizer_options() {
  po::options_description o("Tokenizer (train only)");
  o.add_options()("tokenizer", po::value<std::string>()->default_value("word"),
                  "char | word | bpe (heed's own) | spm (SentencePiece)")(
      "bpe-merges", po::value<int>()->default_value(8000), "BPE merges learned from the training data")(
      "spm-vocab-size", po::value<long long>()->default_value(kSpmDefaults.vocab_size),
      "spm: pieces of the SentencePiece model trained on the training data (at most)")(
      "spm-type", po::value<std::string>()->default_value(kSpmDefaults.type), "spm: unigram | bpe")(
      "spm-model", po::value<std::string>(),
      "spm: use this SentencePiece .model file (spm_train's, Marian's, fairseq's) instead of training one")(
      "min-freq", po::value<long long>()->default_value(1), "tokens rarer than this become <unk>")(
      "shared-vocab", flag(), "one vocabulary for both sides, learned from both (needed by --tie-embeddings all)");
  return o;
}

void check_tokenizer_options(const po::variables_map& vm) {
  checked_int(vm, "bpe-merges", 0);
  checked_int(vm, "min-freq", 1);
  const std::string tokenizer = vm["tokenizer"].as<std::string>();
  const std::vector<std::string> types = tokenizer_types();
  if (std::find(types.begin(), types.end(), tokenizer) == types.end())
    throw UsageError("--tokenizer: '" + tokenizer + "' is not one of char, word, bpe, spm");
  const std::string type = vm["spm-type"].as<std::string>();
  if (type != "unigram" && type != "bpe") throw UsageError("--spm-type: '" + type + "' is not one of unigram, bpe");
  checked_int(vm, "spm-vocab-size", 1, 1 << 20);
  for (const char* name : {"spm-model", "spm-type", "spm-vocab-size"})
    if (tokenizer != "spm" && spm_option_set(vm, name))
      throw UsageError(std::string("--") + name + " applies to --tokenizer spm, not " + tokenizer);
  if (spm_option_set(vm, "spm-model")) {
    for (const char* name : {"spm-type", "spm-vocab-size"})
      if (spm_option_set(vm, name))
        throw UsageError(std::string("--") + name + " sets how heed trains a SentencePiece model; --spm-model " +
                         "gives one already trained");
    read_spm_option(vm);  // a file that is missing or not a model is refused now
  }
}

TokenizerOptions read_tokenizer_options(const po::variables_map& vm) {
  TokenizerOptions t{.type = vm["tokenizer"].as<std::string>(), .bpe_merges = vm["bpe-merges"].as<int>(), .spm = {}};
  if (t.type != "spm") return t;
  if (vm.count("spm-model")) t.spm = read_spm_option(vm);
  else t.spm.trained = {.type = vm["spm-type"].as<std::string>(), .vocab_size = int(vm["spm-vocab-size"].as<long long>())};
  return t;
}

void check_same_tokenizer(const po::variables_map& vm, const VocabularyState& saved, const std::string& checkpoint) {
  const std::string tail = " in " + checkpoint + ", the run this command would resume; give another --save-dir, or " +
                           "--overwrite to start afresh";
  if (!vm["tokenizer"].defaulted() && vm["tokenizer"].as<std::string>() != saved.tokenizer)
    throw UsageError("--tokenizer " + vm["tokenizer"].as<std::string>() + " differs from " + saved.tokenizer + tail);
  if (saved.tokenizer != "spm") return;
  const SpmModel& spm = saved.spm;
  if (vm.count("spm-model") && read_spm_option(vm).bytes != spm.bytes)
    throw UsageError("--spm-model " + vm["spm-model"].as<std::string>() + " differs from the SentencePiece model" + tail);
  const bool type_set = spm_option_set(vm, "spm-type"), size_set = spm_option_set(vm, "spm-vocab-size");
  if ((type_set || size_set) && !spm.file.empty())
    throw UsageError(std::string(type_set ? "--spm-type" : "--spm-vocab-size") + " trains a SentencePiece model, but " +
                     checkpoint + ", the run this command would resume, uses " + spm.file + "'s; give another " +
                     "--save-dir, or --overwrite to start afresh");
  if (type_set && vm["spm-type"].as<std::string>() != spm.trained.type)
    throw UsageError("--spm-type " + vm["spm-type"].as<std::string>() + " differs from " + spm.trained.type + tail);
  if (size_set && vm["spm-vocab-size"].as<long long>() != spm.trained.vocab_size)
    throw UsageError("--spm-vocab-size " + std::to_string(vm["spm-vocab-size"].as<long long>()) + " differs from " +
                     std::to_string(spm.trained.vocab_size) + tail);
}

void check_same_vocabulary_options(const po::variables_map& vm, const std::map<std::string, AttrValue>& stored,
                                   const std::string& checkpoint) {
  const std::map<std::string, AttrValue> given = effective_options(vm);
  for (const std::string name : {"bpe-merges", "min-freq", "shared-vocab"}) {
    const auto was = stored.find(name), now = given.find(name);
    if (!vm.count(name) || vm[name].defaulted() || was == stored.end() || now == given.end() || was->second == now->second)
      continue;
    const auto text = [](const AttrValue& v) {
      return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::to_string(std::get<std::int64_t>(v));
    };
    throw UsageError("--" + name + " " + text(now->second) + " differs from " + text(was->second) + ", with which " +
                     checkpoint + " was started: a resume keeps its vocabularies; give another --save-dir, or " +
                     "--overwrite to start afresh");
  }
}

void take_tokenizer_options_from(po::variables_map& vm, const VocabularyState& saved) {
  vm.at("tokenizer").value() = saved.tokenizer;
  if (saved.tokenizer != "spm") return;
  if (!saved.spm.file.empty()) {
    vm.erase("spm-model");
    vm.insert({"spm-model", po::variable_value(boost::any(saved.spm.file), false)});
  } else {
    vm.at("spm-type").value() = saved.spm.trained.type;
    vm.at("spm-vocab-size").value() = static_cast<long long>(saved.spm.trained.vocab_size);
  }
}

}  // namespace heed::cli
