// gradcheck itself: it passes correct ops and names the input of a deliberately wrong one.
#include <gtest/gtest-spi.h>

#include <cmath>
#include <string>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

// x² elementwise, with the backward scaled by `factor`: 1 is correct, anything else is wrong.
Tensor square(const Tensor& x, Scalar factor) {
  return record("square", x.value().cwiseAbs2(), {x}, [x, factor](const Matrix& d_y, const Matrix&) {
    x.grad() += factor * Scalar(2) * d_y.cwiseProduct(x.value());
  });
}

// x ⊙ w whose backward forgets w's gradient entirely.
Tensor mul_without_grad_for_w(const Tensor& x, const Tensor& w) {
  return record("bad_mul", x.value().cwiseProduct(w.value()), {x, w},
                [x, w](const Matrix& d_y, const Matrix&) { x.grad() += d_y.cwiseProduct(w.value()); });
}

TEST(Gradcheck, CorrectOpPasses) {
  Tensor x = random_tensor(3, 4, 1);
  const GradcheckResult r = gradcheck([&] { return square(x, 1); }, {{"x", x}});
  EXPECT_TRUE(r.ok) << r.message();
  EXPECT_EQ(r.elements_checked, 12u);
  EXPECT_LE(r.score, 1);
  EXPECT_EQ(r.message().rfind("ok", 0), 0u) << r.message();
}

TEST(Gradcheck, WrongBackwardFailsNamingTheInput) {
  Tensor x = random_tensor(3, 4, 2, 0.5, 1);  // away from 0, where 2x and 4x would agree
  const GradcheckResult r = gradcheck([&] { return square(x, 2); }, {{"x", x}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.input, "x");
  EXPECT_GT(r.score, 1);
  EXPECT_NEAR(r.analytic, 2 * r.numeric, 1e-6 * std::abs(r.numeric) + 1e-8);
  EXPECT_NE(r.message().find("FAILED"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("x"), std::string::npos) << r.message();
}

TEST(Gradcheck, NamesTheInputWhoseGradientIsWrong) {
  Tensor x = random_tensor(2, 3, 3), w = random_tensor(2, 3, 4, 0.5, 1);
  x.mutable_value().array() += 2;  // |x| >= 1, so w's missing gradient is clearly wrong
  const GradcheckResult r = gradcheck([&] { return mul_without_grad_for_w(x, w); }, {{"x", x}, {"w", w}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.input, "w");
  EXPECT_EQ(r.analytic, 0.0);
}

TEST(Gradcheck, LeavesInputsWithoutGradientAndTapeEmpty) {
  Tensor x = random_tensor(2, 2, 5);
  const GradcheckResult r = gradcheck([&] { return tanh(x); }, {{"x", x}});
  EXPECT_TRUE(r.ok) << r.message();
  EXPECT_FALSE(x.has_grad());
  EXPECT_EQ(Tape::current().size(), 0u);
}

TEST(Gradcheck, ResultIsIndependentOfStaleGradients) {
  Tensor x = random_tensor(2, 2, 6);
  x.set_requires_grad(true);
  x.grad().setConstant(100);  // left over from elsewhere: gradcheck must not count it
  EXPECT_GRADCHECK([&] { return exp(x); }, {{"x", x}});
}

// EXPECT_GRADCHECK on a wrong backward (EXPECT_NONFATAL_FAILURE's statement may not use locals).
void expect_gradcheck_of_wrong_square() {
  Tensor x = random_tensor(2, 3, 7, 0.5, 1);
  x.mutable_value()(1, 2) = 3;  // the largest |x|: the largest error of the doubled gradient
  EXPECT_GRADCHECK([&] { return sum(square(x, 2)); }, {{"x", x}});
}

TEST(Gradcheck, TheMacroFailsNamingTheWorstElement) {
  EXPECT_NONFATAL_FAILURE(expect_gradcheck_of_wrong_square(), "FAILED: worst element is x at (1,2)");
}

}  // namespace
}  // namespace heed
