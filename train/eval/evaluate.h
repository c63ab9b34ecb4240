// Evaluating a model on sentence pairs: teacher-forced loss and perplexity, then decoding and
// the translation metrics (exact match, token accuracy, BLEU, chrF, pronoun accuracy on toy-fr).
#pragma once

#include <string>
#include <vector>

#include "data/preprocessor.h"
#include "train/eval/decode.h"
#include "train/eval/translate.h"

namespace heed {
class JsonObject;  // train/eval/json.h
}  // namespace heed

HEED_NAMESPACE_BEGIN

struct EvalResult {
  double loss = 0;        // token-weighted mean cross-entropy, no label smoothing
  double perplexity = 0;  // exp(loss)
  double exact_match = 0, token_accuracy = 0;  // [0, 1]
  double bleu = 0, chrf = 0;                   // 0-100, sacreBLEU's scale
  double pronoun_accuracy = -1;                // [0, 1]; -1 when no example has a pronoun
  std::size_t sentences = 0, tokens = 0;  // a language model: windows evaluated, tokens predicted
  std::vector<std::string> hypotheses;
  // A language model's text (train/eval/evaluate_text.h): no translation metrics, but bits per
  // character = total nats / ln 2 / characters, when the whole text was evaluated (-1 otherwise).
  bool language_model = false;
  double bits_per_char = -1;
  std::size_t characters = 0;

  JsonObject json() const;      // the fields of `eval --json`; a non-finite number is null (json.h)
  std::string summary() const;  // one human-readable line
};

struct EvalOptions {
  std::size_t batch_size = 64;
  DecodeOptions decode;
  bool translate = true;  // false: loss and perplexity only (fast validation)
};

// The model is put in eval mode for the duration.
EvalResult evaluate(Seq2SeqModel& model, const Preprocessor& pre, const std::vector<Example>& examples,
                    const EvalOptions& options);

// Exact match of the sentences whose source has [min_words, max_words] whitespace-separated words.
struct LengthBucket {
  int min_words = 0, max_words = 0;
  std::size_t sentences = 0;
  double exact_match = 0;  // [0, 1]
};
// Buckets of `width` words (1..width, width+1..2·width, ...) up to the longest source; empty
// buckets are left out. Where a model's quality falls with the length of its input.
std::vector<LengthBucket> exact_match_by_length(const std::vector<Example>& examples,
                                                const std::vector<std::string>& hypotheses, int width);

HEED_NAMESPACE_END
