// Drawing one token: top-k, top-p and temperature keep and weigh the right tokens.
#include <gtest/gtest.h>

#include <cmath>

#include "train/eval/sampling.h"

namespace heed {
namespace {

Eigen::RowVectorXd log_of(std::initializer_list<double> probs) {
  Eigen::RowVectorXd out(Index(probs.size()));
  Index i = 0;
  for (double p : probs) out(i++) = std::log(p);
  return out;
}

std::vector<double> frequencies(const Eigen::RowVectorXd& log_probs, const SamplingOptions& o, int draws = 20000) {
  Rng rng(3);
  std::vector<int> counts(std::size_t(log_probs.size()), 0);
  for (int i = 0; i < draws; ++i) ++counts[std::size_t(sample_token(log_probs, o, rng))];
  std::vector<double> out;
  for (int c : counts) out.push_back(double(c) / draws);
  return out;
}

const Eigen::RowVectorXd kProbs = log_of({0.1, 0.6, 0.25, 0.05});

TEST(Sampling, DrawsInProportionToProbability) {
  const std::vector<double> f = frequencies(kProbs, {.enabled = true});
  EXPECT_NEAR(f[0], 0.1, 0.01);
  EXPECT_NEAR(f[1], 0.6, 0.01);
  EXPECT_NEAR(f[2], 0.25, 0.01);
  EXPECT_NEAR(f[3], 0.05, 0.01);
}

TEST(Sampling, TopKKeepsTheKMostProbable) {
  const std::vector<double> f = frequencies(kProbs, {.enabled = true, .top_k = 2});
  EXPECT_EQ(f[0], 0);
  EXPECT_EQ(f[3], 0);
  EXPECT_NEAR(f[1], 0.6 / 0.85, 0.01);
}

TEST(Sampling, TopPKeepsTheFewestTokensReachingTheMass) {
  // 0.6 < 0.7: the second most probable (0.25) is needed too; 0.1 and 0.05 are not
  const std::vector<double> f = frequencies(kProbs, {.enabled = true, .top_p = 0.7});
  EXPECT_EQ(f[0], 0);
  EXPECT_EQ(f[3], 0);
  EXPECT_NEAR(f[2], 0.25 / 0.85, 0.01);
  EXPECT_EQ(frequencies(kProbs, {.enabled = true, .top_p = 0.5})[1], 1.0);  // one token reaches 0.5
}

TEST(Sampling, TemperatureSharpensOrFlattens) {
  const std::vector<double> cold = frequencies(kProbs, {.enabled = true, .temperature = 0.05});
  EXPECT_GT(cold[1], 0.999);
  const std::vector<double> hot = frequencies(kProbs, {.enabled = true, .temperature = 1000});
  for (double f : hot) EXPECT_NEAR(f, 0.25, 0.015);
}

TEST(Sampling, SequenceGeneratorsDiffer) {
  Rng a = sequence_rng(1, 0), b = sequence_rng(1, 1), c = sequence_rng(2, 0), a2 = sequence_rng(1, 0);
  const std::uint64_t first = a.next();
  EXPECT_NE(first, b.next());
  EXPECT_NE(first, c.next());
  EXPECT_EQ(first, a2.next());
}

}  // namespace
}  // namespace heed
