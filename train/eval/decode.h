// Decoding: greedy (batched) and beam search, with the key/value cache or without it.
#pragma once

#include <cstdint>
#include <vector>

#include "layers/seq2seq_model.h"

HEED_NAMESPACE_BEGIN

struct DecodeOptions {
  int beam = 1;                 // 1 = greedy
  double length_penalty = 0.6;  // beam: hypotheses ranked by log-prob / ((5 + len) / 6)^α (GNMT)
  Index max_len = 0;            // output tokens at most; 0 = 2·source length + 10, capped by max_len
  bool use_cache = true;        // false recomputes the whole prefix each step (for tests)
};

// src (B·S) ids, each row tokens + EOS padded with PAD -> per sequence the output token ids,
// without BOS and EOS. The model should be in eval mode. decode() picks greedy for beam 1 and
// beam search otherwise; both are callable directly (beam search with one beam is greedy).
std::vector<std::vector<std::int32_t>> greedy_decode(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                                      Index batch, const DecodeOptions& options = {});
std::vector<std::vector<std::int32_t>> beam_search_decode(const Seq2SeqModel& model,
                                                           const std::vector<std::int32_t>& src, Index batch,
                                                           const DecodeOptions& options);
std::vector<std::vector<std::int32_t>> decode(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                               Index batch, const DecodeOptions& options = {});

HEED_NAMESPACE_END
