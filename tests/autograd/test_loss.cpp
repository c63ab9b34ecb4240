// cross_entropy: gradients, label smoothing, ignored (PAD) rows, sum option, reference values.
#include <cmath>
#include <cstdint>
#include <vector>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

// The loss computed independently: log-softmax per row, then the smoothed negative
// log-likelihood, averaged (or summed) over the rows whose target is not ignore_index.
double reference_loss(const Matrix& logits, const std::vector<std::int32_t>& targets, CrossEntropyOptions o) {
  const Index v = logits.cols();
  double total = 0;
  int counted = 0;
  for (Index r = 0; r < logits.rows(); ++r) {
    const std::int32_t y = targets[std::size_t(r)];
    if (y == o.ignore_index) continue;
    double lse = 0;
    for (Index j = 0; j < v; ++j) lse += std::exp(logits(r, j));
    lse = std::log(lse);
    double loss = 0;
    for (Index j = 0; j < v; ++j) {
      const double q = (j == y ? 1 - o.label_smoothing : 0) + o.label_smoothing / double(v);
      loss -= q * (logits(r, j) - lse);
    }
    total += loss;
    ++counted;
  }
  if (counted == 0) return 0;
  return o.sum ? total : total / counted;
}

const std::vector<std::int32_t> kTargets = {3, 0, 1, 4, 0, 2};  // two PAD rows

TEST(CrossEntropy, GradcheckWithIgnoredRows) {
  Tensor logits = random_tensor(6, 5, 1, -2, 2);
  EXPECT_GRADCHECK([&] { return cross_entropy(logits, kTargets); }, {{"logits", logits}});
}

TEST(CrossEntropy, GradcheckWithLabelSmoothing) {
  Tensor logits = random_tensor(6, 5, 2, -2, 2);
  const CrossEntropyOptions o{.label_smoothing = 0.1};
  EXPECT_GRADCHECK([&] { return cross_entropy(logits, kTargets, o); }, {{"logits", logits}});
}

TEST(CrossEntropy, GradcheckWithSum) {
  Tensor logits = random_tensor(6, 5, 3, -2, 2);
  const CrossEntropyOptions o{.label_smoothing = 0.1, .sum = true};
  EXPECT_GRADCHECK([&] { return cross_entropy(logits, kTargets, o); }, {{"logits", logits}});
}

TEST(CrossEntropy, ValueMatchesReference) {
  Tensor logits = random_tensor(6, 5, 4, -3, 3);
  for (double eps : {0.0, 0.1})
    for (bool use_sum : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "smoothing " << eps << " sum " << use_sum);
      const CrossEntropyOptions o{.label_smoothing = eps, .sum = use_sum};
      EXPECT_NEAR(cross_entropy(logits, kTargets, o).item(), reference_loss(logits.value(), kTargets, o), 1e-12);
    }
}

TEST(CrossEntropy, KnownValues) {
  Matrix logits(1, 3);
  logits << 1, 2, 3;
  // -log softmax([1,2,3])[2] = log(e + e² + e³) - 3
  EXPECT_NEAR(cross_entropy(Tensor(logits), {2}).item(), 0.40760596444438013, 1e-12);
  EXPECT_NEAR(cross_entropy(Tensor(logits), {2}, {.label_smoothing = 0.1}).item(), 0.50760596444438013, 1e-12);
}

TEST(CrossEntropy, SumIsMeanTimesCountedRows) {
  Tensor logits = random_tensor(6, 5, 5);
  const double mean_loss = cross_entropy(logits, kTargets).item();
  EXPECT_NEAR(cross_entropy(logits, kTargets, {.sum = true}).item(), 4 * mean_loss, 1e-12);  // 4 rows counted
}

TEST(CrossEntropy, IgnoredRowsContributeNothing) {
  Tensor logits = random_tensor(6, 5, 6);
  const double before = cross_entropy(logits, kTargets).item();
  logits.mutable_value().row(1).setConstant(50);  // a PAD row
  EXPECT_NEAR(cross_entropy(logits, kTargets).item(), before, 1e-12);

  Tape::current().clear();
  logits.set_requires_grad(true);
  Tape::current().backward(cross_entropy(logits, kTargets, {.label_smoothing = 0.1}));
  EXPECT_TRUE(logits.grad().row(1).isZero(0));
  EXPECT_TRUE(logits.grad().row(4).isZero(0));
  EXPECT_FALSE(logits.grad().row(0).isZero());
  // Each counted row's gradient (p - q)/n sums to zero over the classes.
  EXPECT_NEAR(logits.grad().row(0).sum(), 0, 1e-12);
  logits.zero_grad();
  Tape::current().clear();
}

TEST(CrossEntropy, AllIgnoredGivesZeroLossAndZeroGradient) {
  Tensor logits = random_tensor(3, 4, 7);
  logits.set_requires_grad(true);
  Tape::current().clear();
  const Tensor loss = cross_entropy(logits, {0, 0, 0}, {.label_smoothing = 0.1});
  EXPECT_EQ(loss.item(), 0.0);
  Tape::current().backward(loss);
  EXPECT_TRUE(logits.grad().allFinite());
  EXPECT_TRUE(logits.grad().isZero(0));
  logits.zero_grad();
  Tape::current().clear();
}

TEST(CrossEntropy, OtherIgnoreIndexCountsClassZero) {
  Tensor logits = random_tensor(3, 4, 8);
  const CrossEntropyOptions o{.ignore_index = -100};
  const std::vector<std::int32_t> targets = {0, -100, 2};
  EXPECT_NEAR(cross_entropy(logits, targets, o).item(), reference_loss(logits.value(), targets, o), 1e-12);
  EXPECT_GRADCHECK([&] { return cross_entropy(logits, targets, o); }, {{"logits", logits}});
}

TEST(CrossEntropy, BadArgumentsThrow) {
  Tensor logits = random_tensor(2, 3, 9);
  EXPECT_THROW(cross_entropy(logits, {1}), std::invalid_argument);      // one target for two rows
  EXPECT_THROW(cross_entropy(logits, {1, 3}), std::invalid_argument);   // class 3 of 3
  EXPECT_THROW(cross_entropy(logits, {1, -2}), std::invalid_argument);  // negative class
  EXPECT_THROW(cross_entropy(logits, {1, 2}, {.label_smoothing = 1.5}), std::invalid_argument);
}

}  // namespace
}  // namespace heed
