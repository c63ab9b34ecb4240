// The attention behind one translation: the tokens on both axes and every layer's and head's
// weights, from a teacher-forced pass over the source and the output. In eval mode that pass
// computes what step-by-step decoding computed (the causal mask hides the same future), so the
// weights are those the translation was made with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/eval/translate.h"

HEED_NAMESPACE_BEGIN

struct SentenceAttention {
  // The source as the model read it (cropped to what it takes, <unk> for a token its vocabulary
  // lacks), then "</s>".
  std::vector<std::string> source_tokens;
  // The same positions as typed (the tokenizer's tokens, cropped alike), then "</s>": differs
  // from source_tokens only where the model read <unk>.
  std::vector<std::string> source_typed;
  std::vector<std::string> target_inputs;  // "<s>", then the output's tokens: each decoder position's input
  // What each decoder position produced: the output's tokens, then "</s>" when the model ended
  // the output itself. An output cut off by the length limit ends without "</s>", and the
  // position after its last token (which produced nothing) is left out.
  std::vector<std::string> outputs;
  bool output_ended = true;  // false: cut off by the length limit (--max-output) before "</s>"
  bool source_cropped = false;  // the source had more tokens than the model takes
  AttentionMaps maps;           // rows: decoder positions (and source positions for the encoder)
};

// `output`: the output ids without BOS and EOS (Translation::tokens); `ended`: whether the model
// produced EOS after them (Translation::ended; an output given by the user counts as ended).
SentenceAttention sentence_attention(const TranslationModel& model, const std::string& source,
                                     const std::vector<std::int32_t>& output, bool ended = true);

HEED_NAMESPACE_END
