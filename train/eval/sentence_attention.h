// The attention behind one translation: the tokens on both axes and every layer's and head's
// weights, from a teacher-forced pass over the source and the output. In eval mode that pass
// computes what step-by-step decoding computed for the same tokens (the causal mask hides the
// same future), so the weights are those the translation was made with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/eval/translate.h"

HEED_NAMESPACE_BEGIN

struct SentenceAttention {
  std::vector<std::string> source_tokens;  // the source as the model read it (cropped), then "</s>"
  std::vector<std::string> target_inputs;  // "<s>", then the output's tokens: each decoder position's input
  std::vector<std::string> outputs;        // the output's tokens, then "</s>": what each decoder position produced
  AttentionMaps maps;                      // rows: decoder positions (and source positions for the encoder)
};

// `output`: the output ids without BOS and EOS (Translation::tokens). A translation cut short by
// the output limit still gets "</s>" as its last position's label.
SentenceAttention sentence_attention(const TranslationModel& model, const std::string& source,
                                     const std::vector<std::int32_t>& output);

HEED_NAMESPACE_END
