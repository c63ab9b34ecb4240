// Decoding: greedy (batched), sampling (batched) and beam search, with the key/value cache or
// without it, by one model or an ensemble averaging its members' log-probabilities.
// A sentence's output never depends on the other sentences of its batch: its length limit comes
// from its own source, and a sample draws from a generator of its own.
#pragma once

#include <cstdint>
#include <vector>

#include "layers/seq2seq_model.h"

HEED_NAMESPACE_BEGIN

struct SamplingOptions {
  bool enabled = false;      // false: greedy (or beam search)
  double temperature = 1.0;  // > 0: log-probabilities divided by it before drawing
  int top_k = 0;             // draw among the k most probable tokens only; 0 = all
  double top_p = 1.0;        // (0, 1]: among the fewest most probable tokens whose mass reaches p
  std::uint64_t seed = 1;    // with a sequence's id, seeds that sequence's generator
};

struct DecodeOptions {
  int beam = 1;                 // 1 = greedy (or sampling)
  double length_penalty = 0.6;  // beam: hypotheses ranked by log-prob / ((5 + len) / 6)^α (GNMT)
  Index max_len = 0;            // output tokens at most; 0 = 2·(source tokens + EOS) + 10, capped by max_len
  bool use_cache = true;        // false recomputes the whole prefix each step (for tests)
  int n_best = 1;               // beam: hypotheses returned per sentence, at most `beam`
  SamplingOptions sampling{};   // beam 1 only
  bool ignore_eos = false;      // EOS is never chosen, so every output runs to its limit (benchmarks)
};

struct Hypothesis {
  std::vector<std::int32_t> tokens;  // output ids without BOS and EOS
  double log_prob = 0;  // sum of the chosen tokens' log-probabilities (EOS included when emitted)
  double score = 0;     // log_prob / ((5 + length) / 6)^length_penalty, length = outputs + 1: what beams rank by
  bool ended = true;    // false when the output limit cut it off before the model produced EOS
};

// One member of an ensemble with the batch's sources in its own source vocabulary: (B·S) ids,
// each row tokens + EOS padded with PAD. Members must share the target vocabulary; the first
// member's source lengths set the output limits.
struct EnsembleInput {
  const Seq2SeqModel* model = nullptr;
  std::vector<std::int32_t> src;
};

// -> per sequence its hypotheses, best first: n_best for beam search, one for greedy and
// sampling. Models in eval mode. sequence_ids (default 0..B-1) seed each sequence's sampling
// generator together with options.sampling.seed, so a sample depends on its sentence only.
std::vector<std::vector<Hypothesis>> decode_ensemble(const std::vector<EnsembleInput>& members, Index batch,
                                                     const DecodeOptions& options,
                                                     const std::vector<std::uint64_t>& sequence_ids = {});

// One model, best hypothesis only. src (B·S) ids as above -> per sequence the output token ids,
// without BOS and EOS. decode() picks greedy (or sampling) for beam 1 and beam search otherwise;
// both are callable directly (beam search with one beam is greedy).
std::vector<std::vector<std::int32_t>> greedy_decode(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                                      Index batch, const DecodeOptions& options = {});
std::vector<std::vector<std::int32_t>> beam_search_decode(const Seq2SeqModel& model,
                                                           const std::vector<std::int32_t>& src, Index batch,
                                                           const DecodeOptions& options);
std::vector<std::vector<std::int32_t>> decode(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                               Index batch, const DecodeOptions& options = {});

HEED_NAMESPACE_END
