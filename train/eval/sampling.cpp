// Temperature, top-k and top-p sampling of one token.
#include "train/eval/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "autograd/parallel.h"

HEED_NAMESPACE_BEGIN

std::int32_t sample_token(const Eigen::Ref<const Eigen::RowVectorXd>& log_probs, const SamplingOptions& o, Rng& rng) {
  const Index vocab = log_probs.size();
  std::vector<std::int32_t> order(static_cast<std::size_t>(vocab));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return log_probs(a) > log_probs(b); });
  std::size_t keep = o.top_k > 0 ? std::min(order.size(), std::size_t(o.top_k)) : order.size();
  if (o.top_p < 1) {  // nucleus: the mass is the model's own (before temperature), as in Holtzman et al.
    double mass = 0;
    std::size_t n = 0;
    while (n < keep && mass < o.top_p) mass += std::exp(log_probs(order[n++]));
    keep = std::max<std::size_t>(n, 1);
  }
  // Weights relative to the most probable token, so exp never overflows.
  const double top = log_probs(order[0]) / o.temperature;
  std::vector<double> cumulative(keep);
  double total = 0;
  for (std::size_t i = 0; i < keep; ++i) cumulative[i] = total += std::exp(log_probs(order[i]) / o.temperature - top);
  const double u = rng.uniform() * total;
  const std::size_t pick = std::size_t(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
  return order[std::min(pick, keep - 1)];
}

Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> log_probabilities(const Matrix& logits) {
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> out(logits.rows(), logits.cols());
  // Rows are independent, and with a large vocabulary each is tens of thousands of exp().
  parallel_for(out.rows(), 1, [&](Index begin, Index end) {
    for (Index r = begin; r < end; ++r) {
      out.row(r) = logits.row(r).cast<double>();
      const double max = out.row(r).maxCoeff();
      out.row(r).array() -= max + std::log((out.row(r).array() - max).exp().sum());
    }
  });
  return out;
}

std::int32_t next_token(const Eigen::Ref<const Eigen::RowVectorXd>& log_probs, const SamplingOptions& options, Rng& rng) {
  if (options.enabled) return sample_token(log_probs, options, rng);
  Index best = 0;
  log_probs.maxCoeff(&best);
  return std::int32_t(best);
}

Rng sequence_rng(std::uint64_t seed, std::uint64_t id) {
  // Rng's splitmix seeding spreads nearby seeds apart; the multiplier keeps (seed, id) pairs distinct.
  return Rng(seed * 0x9E3779B97F4A7C15ull + id);
}

HEED_NAMESPACE_END
