// Reductions (sum, mean, over rows, over columns) and unary functions (exp … gelu).
#include <cmath>

#include "autograd/ops.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

TEST(Reduce, SumAndMean) {
  Tensor x = random_tensor(3, 4, 1);
  EXPECT_GRADCHECK([&] { return sum(x); }, {{"x", x}});
  EXPECT_GRADCHECK([&] { return mean(x); }, {{"x", x}});
  EXPECT_NEAR(sum(x).item(), x.value().sum(), 1e-12);
  EXPECT_NEAR(mean(x).item(), x.value().sum() / 12, 1e-12);
}

TEST(Reduce, OverRows) {
  Tensor x = random_tensor(3, 4, 2);
  EXPECT_GRADCHECK([&] { return sum_over_rows(x); }, {{"x", x}});
  EXPECT_GRADCHECK([&] { return mean_over_rows(x); }, {{"x", x}});
  const Tensor s = sum_over_rows(x), m = mean_over_rows(x);
  ASSERT_EQ(s.rows(), 1);
  ASSERT_EQ(s.cols(), 4);
  EXPECT_TRUE(s.value().isApprox(x.value().colwise().sum()));
  EXPECT_TRUE(m.value().isApprox(x.value().colwise().sum() / 3));
}

TEST(Reduce, OverCols) {
  Tensor x = random_tensor(3, 4, 3);
  EXPECT_GRADCHECK([&] { return sum_over_cols(x); }, {{"x", x}});
  EXPECT_GRADCHECK([&] { return mean_over_cols(x); }, {{"x", x}});
  const Tensor s = sum_over_cols(x), m = mean_over_cols(x);
  ASSERT_EQ(s.rows(), 3);
  ASSERT_EQ(s.cols(), 1);
  EXPECT_TRUE(s.value().isApprox(x.value().rowwise().sum()));
  EXPECT_TRUE(m.value().isApprox(x.value().rowwise().sum() / 4));
}

TEST(Unary, Exp) {
  Tensor x = random_tensor(3, 4, 4);
  EXPECT_GRADCHECK([&] { return exp(x); }, {{"x", x}});
  EXPECT_TRUE(exp(x).value().isApprox(x.value().array().exp().matrix()));
}

TEST(Unary, LogOfPositiveInputs) {
  Tensor x = random_tensor(3, 4, 5, 0.2, 3);
  EXPECT_GRADCHECK([&] { return log(x); }, {{"x", x}});
  EXPECT_TRUE(log(x).value().isApprox(x.value().array().log().matrix()));
}

TEST(Unary, Tanh) {
  Tensor x = random_tensor(3, 4, 6, -2, 2);
  EXPECT_GRADCHECK([&] { return tanh(x); }, {{"x", x}});
  EXPECT_TRUE(tanh(x).value().isApprox(x.value().array().tanh().matrix()));
}

TEST(Unary, Sigmoid) {
  Tensor x = random_tensor(3, 4, 7, -3, 3);
  EXPECT_GRADCHECK([&] { return sigmoid(x); }, {{"x", x}});
  const Matrix expected = (1 / (1 + (-x.value().array()).exp())).matrix();
  EXPECT_TRUE(sigmoid(x).value().isApprox(expected));
}

TEST(Unary, ReluAwayFromZero) {
  // Values in ±[0.1, 1]: the kink at 0 is further than the difference step.
  Tensor x = random_tensor(3, 4, 8, 0.1, 1);
  for (Index i = 0; i < x.size(); i += 2) x.mutable_value().data()[i] *= -1;
  EXPECT_GRADCHECK([&] { return relu(x); }, {{"x", x}});
  EXPECT_TRUE(relu(x).value().isApprox(x.value().cwiseMax(0.0)));
  EXPECT_EQ(relu(x).value()(0, 0), 0.0);
}

TEST(Unary, Gelu) {
  Tensor x = random_tensor(3, 4, 9, -3, 3);
  EXPECT_GRADCHECK([&] { return gelu(x); }, {{"x", x}});
}

TEST(Unary, GeluValueIsExactErfForm) {
  Matrix points(1, 7);
  points << -3, -1, -0.5, 0, 0.3, 1, 2.5;
  const Tensor y = gelu(Tensor(points));
  for (Index i = 0; i < points.cols(); ++i) {
    const double v = points(0, i);
    EXPECT_NEAR(y.value()(0, i), v * 0.5 * (1 + std::erf(v / std::sqrt(2.0))), 1e-12) << "at " << v;
  }
  EXPECT_NEAR(y.value()(0, 5), 0.8413447460685429, 1e-12);  // gelu(1) = Φ(1)
}

}  // namespace
}  // namespace heed
