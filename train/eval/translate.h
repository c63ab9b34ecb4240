// Translating text: sentences are encoded by each model's own preprocessor, sorted by length
// into batches, decoded (one model or an ensemble) and returned in input order.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/preprocessor.h"
#include "train/eval/decode.h"

HEED_NAMESPACE_BEGIN

// A model with the tokenizer and vocabularies of its checkpoint. Members of an ensemble share
// the target vocabulary and tokenizer (the first member's turn output ids into text).
struct TranslationModel {
  Seq2SeqModel* model = nullptr;
  const Preprocessor* pre = nullptr;
};

struct Translation {
  std::string text;
  std::vector<std::int32_t> tokens;  // Hypothesis::tokens: output ids without BOS and EOS
  double score = 0;     // Hypothesis::score
  double log_prob = 0;  // Hypothesis::log_prob
  bool ended = true;    // Hypothesis::ended: false when cut off by the output limit before EOS
};

// A source longer than a model takes (max_len − 1 tokens before EOS) is cropped to its first
// tokens; `on_cropped(index, tokens, kept)` is told of each, once per sentence.
using CropReport = std::function<void(std::size_t index, std::size_t tokens, std::size_t kept)>;

// A source's ids in `model`'s vocabulary (no EOS), cropped to what the model takes; `full_length`,
// when given, receives the length before cropping.
std::vector<std::int32_t> encode_source_cropped(const TranslationModel& model, const std::string& source,
                                                std::size_t* full_length = nullptr);

// -> per source its hypotheses, best first (DecodeOptions::n_best for beam search, else one).
// first_id + index is each sentence's id for sampling, so a sample depends on its sentence and
// position in the input only, never on its batch.
std::vector<std::vector<Translation>> translate_n_best(const std::vector<TranslationModel>& models,
                                                       const std::vector<std::string>& sources,
                                                       const DecodeOptions& options, std::size_t batch_size,
                                                       const CropReport& on_cropped = {}, std::uint64_t first_id = 0);

// The best translation of each source by one model.
std::vector<std::string> translate(Seq2SeqModel& model, const Preprocessor& pre, const std::vector<std::string>& sources,
                                   const DecodeOptions& options, std::size_t batch_size = 64);

HEED_NAMESPACE_END
