// Generating text with a language model: the prompt's tokens are fed through the key/value cache,
// then each next token is taken greedily or drawn (train/eval/sampling.h) and fed back. A context
// longer than the model's (max_len) slides: the cache is rebuilt from the last half-context of
// tokens, as a model trained on windows of that length reads them.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "train/eval/decode.h"

HEED_NAMESPACE_BEGIN

struct GenerateOptions {
  Index max_tokens = 200;        // tokens generated, line ends (</s>) included
  SamplingOptions sampling{};    // not enabled: greedy
  bool stop_at_line_end = false; // stop after the first generated </s>
};

// prompt: ids the model reads first, at least one (a text stream starts with </s>) -> the
// generated ids. on_token, when given, is called with each id as soon as it is chosen. `rng`
// draws the samples (unused when greedy). The model is read in eval mode.
std::vector<std::int32_t> generate(const Seq2SeqModel& model, const std::vector<std::int32_t>& prompt,
                                   const GenerateOptions& options, Rng& rng,
                                   const std::function<void(std::int32_t)>& on_token = {});

HEED_NAMESPACE_END
