// From text to ids and back: the sentence pairs a run uses (a built-in task or a TSV file), the
// tokenizer and the source and target vocabularies, as one Preprocessor saved in checkpoints.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/batching.h"
#include "data/spm.h"
#include "data/tasks.h"
#include "data/tokenizer.h"
#include "data/vocab.h"

namespace heed {

// The tokenizer and vocabularies as a checkpoint stores them.
struct VocabularyState {
  std::vector<std::string> src, tgt;    // index = id, specials first
  std::string tokenizer = "word";       // char | word | bpe | spm
  std::vector<std::string> bpe_merges;  // "left right", in merge order
  SpmModel spm;                         // spm: the SentencePiece model
};

// The tokenizer a new run learns or takes (--tokenizer, --bpe-merges, --spm-*).
struct TokenizerOptions {
  std::string type = "word";  // char | word | bpe | spm
  int bpe_merges = 8000;
  SpmModel spm;  // spm: this model when it has bytes (--spm-model), else one trained with spm.trained
};

// Where sentence pairs come from: `task` (a built-in task name) or `tsv` (a file path).
struct DataSource {
  std::string task;
  std::string tsv;
  TaskOptions task_options;
  std::string describe() const { return task.empty() ? tsv : "task " + task; }
};

// The examples of `split` ("train", "valid", "test") of a task, or every pair of a TSV file
// (pronoun empty). Prints the TSV reader's skip counts to stderr when it skipped lines.
std::vector<Example> load_examples(const DataSource& source, const std::string& split);

class Preprocessor {
 public:
  // Learns the tokenizer (BPE merges or a SentencePiece model over both sides) and the vocabularies
  // from training pairs: one per side, or with shared_vocab one from both sides, used for both.
  // Throws std::invalid_argument for an unknown tokenizer or a SentencePiece model it cannot train.
  static Preprocessor build(const std::vector<Example>& train, const TokenizerOptions& tokenizer,
                            std::size_t min_freq, bool shared_vocab = false);
  static Preprocessor from_state(const VocabularyState& state);
  VocabularyState state() const;

  // Token ids without specials; unknown tokens become <unk> and are counted in `unknown`.
  std::vector<std::int32_t> encode_source(const std::string& text, std::size_t* unknown = nullptr) const;
  std::vector<std::int32_t> encode_target(const std::string& text, std::size_t* unknown = nullptr) const;
  std::vector<EncodedPair> encode(const std::vector<Example>& examples, std::size_t* unknown = nullptr) const;
  // Output ids (no specials) -> text.
  std::string decode_target(const std::vector<std::int32_t>& ids) const;

  const Vocabulary& src_vocab() const { return src_vocab_; }
  const Vocabulary& tgt_vocab() const { return tgt_vocab_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }

 private:
  Preprocessor(std::shared_ptr<Tokenizer> tokenizer, Vocabulary src, Vocabulary tgt)
      : tokenizer_(std::move(tokenizer)), src_vocab_(std::move(src)), tgt_vocab_(std::move(tgt)) {}
  std::shared_ptr<Tokenizer> tokenizer_;
  Vocabulary src_vocab_, tgt_vocab_;
};

// Source sentences (ids, no specials) -> (B·S) ids padded, each row tokens + EOS.
std::vector<std::int32_t> pad_sources(const std::vector<std::vector<std::int32_t>>& sources);

}  // namespace heed
