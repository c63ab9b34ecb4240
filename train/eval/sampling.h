// Drawing the next token from a distribution: temperature, top-k and top-p (nucleus) sampling.
#pragma once

#include <cstdint>

#include <Eigen/Core>

#include "autograd/random.h"
#include "train/eval/decode.h"

HEED_NAMESPACE_BEGIN

// logits (B, V) -> log-probabilities (B, V), in double so that scores summed over many steps keep
// their precision.
Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> log_probabilities(const Matrix& logits);

// The next token of one sequence from its log-probabilities: the most probable (the lower id on a
// tie) unless options.enabled, else sample_token().
std::int32_t next_token(const Eigen::Ref<const Eigen::RowVectorXd>& log_probs, const SamplingOptions& options, Rng& rng);

// log_probs: one sequence's next-token log-probabilities (normalised). Keeps the top_k most
// probable tokens (all for 0), then the fewest of those whose probability mass reaches top_p,
// reweights them by exp(log_prob / temperature) and draws one with `rng`. Ties keep the lower id.
std::int32_t sample_token(const Eigen::Ref<const Eigen::RowVectorXd>& log_probs, const SamplingOptions& options,
                          Rng& rng);

// The generator of sequence `id` under `seed`: independent streams for different ids.
Rng sequence_rng(std::uint64_t seed, std::uint64_t id);

HEED_NAMESPACE_END
