// heed explain's rank correlation: Kendall's τ-b on hand-counted cases (the probes themselves
// are run on a trained model by tests/cli/explain_test.sh).
#include <gtest/gtest.h>

#include <cmath>

#include "train/eval/pronoun_probe.h"

namespace heed {
namespace {

TEST(KendallTau, OrderAgreementCountedByHand) {
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {10, 20, 30, 40}), 1);
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {4, 3, 2, 1}), -1);
  // one swapped neighbour pair: 5 concordant, 1 discordant of 6 pairs
  EXPECT_NEAR(kendall_tau({1, 2, 3, 4}, {1, 3, 2, 4}), 4.0 / 6, 1e-12);
  // a tie in b: 5 concordant, 0 discordant, 1 tied in b only -> 5 / sqrt(6 · 5)
  EXPECT_NEAR(kendall_tau({1, 2, 3, 4}, {1, 2, 2, 4}), 5 / std::sqrt(30.0), 1e-12);
  EXPECT_EQ(kendall_tau({1, 1, 1}, {1, 2, 3}), 0);  // a constant list ranks nothing
}

}  // namespace
}  // namespace heed
