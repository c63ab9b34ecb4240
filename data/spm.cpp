// SentencePiece behind heed's Tokenizer interface: training, loading, and splitting text.
#include "data/spm.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "data/utf8.h"

namespace heed {

namespace {

// SentencePiece's reason without its source location ("Internal: ./src/x.cc(580) [check] why").
std::string reason(const sentencepiece::util::Status& status) {
  const std::string text = status.ToString();
  const std::size_t bracket = text.rfind("] ");
  return bracket == std::string::npos ? text : text.substr(bracket + 2);
}

// The training sentences, handed to SentencePiece one at a time (no temporary file).
class Sentences final : public sentencepiece::SentenceIterator {
 public:
  explicit Sentences(const std::vector<std::string>& sentences) : sentences_(sentences) {}
  bool done() const override { return next_ >= sentences_.size(); }
  void Next() override { ++next_; }
  const std::string& value() const override { return sentences_[next_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  const std::vector<std::string>& sentences_;
  std::size_t next_ = 0;
};

}  // namespace

struct SpmTokenizer::Processor {
  sentencepiece::SentencePieceProcessor spm;
};

std::vector<std::string> spm_types() { return {"unigram", "bpe"}; }

SpmModel train_spm(const std::vector<std::string>& sentences, const SpmOptions& options) {
  if (options.type != "unigram" && options.type != "bpe")
    throw std::invalid_argument("--spm-type: '" + options.type + "' is not one of unigram, bpe");
  if (options.vocab_size < 1)
    throw std::invalid_argument("--spm-vocab-size " + std::to_string(options.vocab_size) + " is out of range: must be >= 1");
  // Passed as a map: the string form of Train logs its command line to stderr.
  const std::unordered_map<std::string, std::string> settings = {
      {"model_type", options.type},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"hard_vocab_limit", "false"},          // at most vocab_size, as --bpe-merges is at most
      {"num_threads", "1"},                   // the same model on any machine
      {"input_sentence_size", "0"},           // every sentence: no random sample
      {"character_coverage", "1"},            // no character of the training text becomes <unk>
      {"normalization_rule_name", "identity"},  // text comes back as written ("…" stays "…")
      {"minloglevel", "2"}};                  // errors come back as the status, not on stderr
  Sentences input(sentences);
  SpmModel model;
  model.trained = options;
  const sentencepiece::util::Status status = sentencepiece::SentencePieceTrainer::Train(settings, &input, &model.bytes);
  if (!status.ok()) {
    const std::string why = reason(status);
    const bool about_size = why.find("ocabulary size") != std::string::npos;
    throw std::invalid_argument((about_size ? "--spm-vocab-size " + std::to_string(options.vocab_size) : std::string("--tokenizer spm")) +
                                ": SentencePiece cannot train on this data: " + why);
  }
  return model;
}

SpmModel read_spm_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open the SentencePiece model");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw std::invalid_argument(path + ": cannot read the SentencePiece model");
  SpmModel model{.bytes = bytes.str(), .file = path, .trained = {}};
  try {
    SpmTokenizer check(model);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
  return model;
}

SpmTokenizer::SpmTokenizer(SpmModel model) : model_(std::move(model)), processor_(std::make_unique<Processor>()) {
  if (model_.bytes.empty()) throw std::invalid_argument("empty SentencePiece model");
  const sentencepiece::util::Status status = processor_->spm.LoadFromSerializedProto(model_.bytes);
  if (!status.ok()) {
    const std::string why = reason(status);
    throw std::invalid_argument("not a SentencePiece model" + (why.empty() ? std::string() : " (" + why + ")"));
  }
  if (processor_->spm.GetPieceSize() == 0) throw std::invalid_argument("a SentencePiece model without pieces");
}

SpmTokenizer::~SpmTokenizer() = default;

std::vector<std::string> SpmTokenizer::pieces() const {
  const sentencepiece::SentencePieceProcessor& spm = processor_->spm;
  std::vector<std::string> out;
  for (int id = 0; id < spm.GetPieceSize(); ++id)
    if (!spm.IsControl(id) && !spm.IsUnknown(id) && !spm.IsUnused(id)) out.push_back(spm.IdToPiece(id));
  return out;
}

std::vector<std::string> SpmTokenizer::tokenize(const std::string& text) const {
  if (const std::size_t bad = utf8_error_offset(text); bad != std::string::npos)
    throw std::invalid_argument("spm tokenizer: invalid UTF-8 at byte " + std::to_string(bad + 1));
  std::vector<std::string> pieces;
  const sentencepiece::util::Status status = processor_->spm.Encode(text, &pieces);
  if (!status.ok()) throw std::invalid_argument("spm tokenizer: " + reason(status));
  return pieces;
}

std::string SpmTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  std::string text;
  const sentencepiece::util::Status status = processor_->spm.Decode(tokens, &text);
  if (!status.ok()) throw std::invalid_argument("spm tokenizer: " + reason(status));
  return text;
}

}  // namespace heed
