// The SentencePiece tokenizer (--tokenizer spm): a model trained by heed on the training text, or
// one read from a .model file that Marian, OpenNMT, fairseq or spm_train made. The model's bytes
// travel with the tokenizer into checkpoints (/tokenizer/spm_model), so a checkpoint stays one
// self-contained file. SentencePiece's own headers stay in data/spm.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/tokenizer.h"

namespace heed {

// How heed trains a model: --spm-type, --spm-vocab-size.
struct SpmOptions {
  std::string type = "unigram";  // unigram | bpe
  int vocab_size = 8000;         // at most: a small corpus gives fewer pieces
  bool operator==(const SpmOptions&) const = default;
};

// A model as a checkpoint keeps it: its bytes and where it came from.
struct SpmModel {
  std::string bytes;    // a serialized SentencePiece ModelProto, exactly what a .model file holds
  std::string file;     // the --spm-model file it was read from; empty when heed trained it
  SpmOptions trained;   // what it was trained with, when `file` is empty
  bool operator==(const SpmModel&) const = default;
};

// Trains a model on `sentences`, reproducibly: one thread, every sentence (no sampling), every
// character kept (coverage 1), text not normalised (identity), so output comes back as it was
// written. Throws std::invalid_argument("--spm-...: ...") with SentencePiece's reason when it
// cannot train (e.g. a vocabulary smaller than the characters of the text).
SpmModel train_spm(const std::vector<std::string>& sentences, const SpmOptions& options);

// Reads a .model file. Throws std::invalid_argument("FILE: ...") when it cannot be read or is not
// a SentencePiece model.
SpmModel read_spm_model(const std::string& path);

std::vector<std::string> spm_types();  // {"unigram", "bpe"}

class SpmTokenizer final : public Tokenizer {
 public:
  // Throws std::invalid_argument when the bytes are not a SentencePiece model.
  explicit SpmTokenizer(SpmModel model);
  ~SpmTokenizer() override;

  const SpmModel& model() const { return model_; }
  // Every piece the model can split text into, in the model's order: its control pieces (<s>,
  // </s>), unknown and unused pieces left out.
  std::vector<std::string> pieces() const;

  // Throws std::invalid_argument on invalid UTF-8.
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
  std::string type() const override { return "spm"; }

 private:
  struct Processor;  // SentencePiece's processor, in data/spm.cpp
  SpmModel model_;
  std::unique_ptr<Processor> processor_;
};

}  // namespace heed
