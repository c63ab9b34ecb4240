// layer_norm (gradients, normalised rows) and dropout (gradients, seeding, scale, p = 0).
#include <cmath>

#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/random.h"
#include "autograd/tape.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

TEST(LayerNorm, GradcheckInputGammaBeta) {
  Tensor x = random_tensor(3, 5, 1, -2, 2), gamma = random_tensor(1, 5, 2, 0.5, 1.5), beta = random_tensor(1, 5, 3);
  EXPECT_GRADCHECK([&] { return layer_norm(x, gamma, beta); }, {{"x", x}, {"gamma", gamma}, {"beta", beta}});
}

TEST(LayerNorm, GradcheckGammaBetaOverSeveralChunksWithoutAnInputGradient) {  // 130 rows: three 64-row chunks
  Tensor x = random_tensor(130, 5, 7, -2, 2), gamma = random_tensor(1, 5, 8, 0.5, 1.5), beta = random_tensor(1, 5, 9);
  x.set_requires_grad(false);
  EXPECT_GRADCHECK([&] { return layer_norm(x, gamma, beta); }, {{"gamma", gamma}, {"beta", beta}});
  EXPECT_FALSE(x.has_grad());
}

// A residual path as in a pre-norm block, over 130 rows (three 64-row chunks): x's other use
// recorded after the norm (its backward writes dx first, the norm adds to it) and before it (the
// norm writes dx first).
TEST(LayerNorm, InputUsedTwice) {
  Tensor x = random_tensor(130, 4, 4, -2, 2), gamma = random_tensor(1, 4, 5, 0.5, 1.5), beta = random_tensor(1, 4, 6);
  EXPECT_GRADCHECK([&] { return add(x, layer_norm(x, gamma, beta)); }, {{"x", x}, {"gamma", gamma}, {"beta", beta}});
  EXPECT_GRADCHECK(
      [&] {
        const Tensor doubled = mul_scalar(x, 2);
        return add(doubled, layer_norm(x, gamma, beta));
      },
      {{"x", x}, {"gamma", gamma}, {"beta", beta}});
}

TEST(LayerNorm, UnitGammaZeroBetaGivesZeroMeanUnitVarianceRows) {
  Tensor x = random_tensor(4, 8, 7, -3, 5);
  const Matrix y = layer_norm(x, Tensor::constant(1, 8, 1), Tensor::zeros(1, 8)).value();
  for (Index r = 0; r < y.rows(); ++r) {
    EXPECT_NEAR(y.row(r).mean(), 0, 1e-12) << "row " << r;
    EXPECT_NEAR(y.row(r).squaredNorm() / 8, 1, 1e-3) << "row " << r;  // biased variance, eps aside
  }
}

TEST(LayerNorm, ValueMatchesReference) {
  Tensor x = random_tensor(3, 4, 8, -2, 2), gamma = random_tensor(1, 4, 9), beta = random_tensor(1, 4, 10);
  const double eps = 1e-5;
  const Matrix y = layer_norm(x, gamma, beta, eps).value();
  for (Index r = 0; r < 3; ++r) {
    const double mu = x.value().row(r).mean();
    const double var = (x.value().row(r).array() - mu).square().mean();
    for (Index c = 0; c < 4; ++c) {
      const double expected = (x.value()(r, c) - mu) / std::sqrt(var + eps) * gamma.value()(0, c) + beta.value()(0, c);
      EXPECT_NEAR(y(r, c), expected, 1e-12) << r << "," << c;
    }
  }
}

TEST(LayerNorm, BadParameterShapesThrow) {
  Tensor x = random_tensor(3, 4, 1);
  EXPECT_THROW(layer_norm(x, Tensor::constant(1, 3, 1), Tensor::zeros(1, 4)), std::invalid_argument);
  EXPECT_THROW(layer_norm(x, Tensor::constant(1, 4, 1), Tensor::zeros(4, 1)), std::invalid_argument);
}

TEST(Dropout, GradcheckWithFreshlySeededRng) {
  Tensor x = random_tensor(4, 5, 11);
  EXPECT_GRADCHECK(
      [&] {
        Rng rng(42);  // a new rng per call: every evaluation draws the same mask
        return dropout(x, 0.4, rng);
      },
      {{"x", x}});
}

TEST(Dropout, SameSeedSameMaskDifferentSeedDifferentMask) {
  const Tensor x = Tensor::constant(8, 8, 1);
  Rng a(1), b(1), c(2);
  const Matrix ya = dropout(x, 0.5, a).value(), yb = dropout(x, 0.5, b).value(), yc = dropout(x, 0.5, c).value();
  EXPECT_TRUE(ya == yb);
  EXPECT_FALSE(ya == yc);
  // The rng advances: a second draw from the same rng gives another mask.
  EXPECT_FALSE(dropout(x, 0.5, a).value() == ya);
}

TEST(Dropout, KeptElementsAreScaledAndGradientUsesTheSameMask) {
  Tensor x = random_tensor(6, 7, 12, 0.5, 1);  // no zeros of its own
  x.set_requires_grad(true);
  Tape::current().clear();
  Rng rng(3);
  const Tensor y = dropout(x, 0.25, rng);
  for (Index i = 0; i < y.size(); ++i) {
    const double v = y.value().data()[i];
    if (v != 0) {
      EXPECT_NEAR(v, x.value().data()[i] / 0.75, 1e-12);
    }
  }
  Tape::current().backward(sum(y));
  const Matrix expected = ((y.value().array() != 0).cast<double>() / 0.75).matrix();
  EXPECT_TRUE(x.grad().isApprox(expected));
  x.zero_grad();
  Tape::current().clear();
}

TEST(Dropout, KeepsExpectedScaleAndDropsFractionP) {
  const Tensor ones = Tensor::constant(200, 200, 1);
  for (double p : {0.1, 0.5}) {
    SCOPED_TRACE(p);
    Rng rng(7);
    const Matrix y = dropout(ones, p, rng).value();
    EXPECT_NEAR(y.mean(), 1, 0.03);
    const double zeros = double((y.array() == 0).count()) / double(y.size());
    EXPECT_NEAR(zeros, p, 0.02);
  }
}

TEST(Dropout, ZeroProbabilityReturnsInput) {
  Tensor x = random_tensor(3, 4, 13);
  Rng rng(5);
  const auto state = rng.state();
  const Tensor y = dropout(x, 0, rng);
  EXPECT_TRUE(y.same_as(x));
  EXPECT_EQ(rng.state(), state);  // no draws
}

TEST(Dropout, ProbabilityOutsideRangeThrows) {
  Tensor x = random_tensor(2, 2, 14);
  Rng rng(1);
  EXPECT_THROW(dropout(x, 1, rng), std::invalid_argument);
  EXPECT_THROW(dropout(x, -0.1, rng), std::invalid_argument);
}

// Layer norm's dγ and dβ add up rows in fixed chunks, so they are the same bits whatever the
// number of threads (a resumed run on another machine must not drift).
TEST(LayerNorm, GradientsDoNotDependOnTheThreadCount) {
  Tensor x = random_tensor(1000, 64, 11), gamma = random_tensor(1, 64, 12),
         beta = random_tensor(1, 64, 13), d_y = random_tensor(1000, 64, 14);
  gamma.set_requires_grad(true);
  beta.set_requires_grad(true);
  const int threads_before = parallel_threads();
  std::vector<Matrix> grads;
  for (int threads : {1, 2, 3}) {
    set_parallel_threads(threads);
    gamma.zero_grad();
    beta.zero_grad();
    Tape::current().backward(sum(mul(layer_norm(x, gamma, beta), d_y)));
    grads.push_back(gamma.grad());
    grads.push_back(beta.grad());
  }
  set_parallel_threads(threads_before);
  for (std::size_t i = 2; i < grads.size(); ++i) EXPECT_EQ(grads[i], grads[i % 2]) << "threads " << i / 2 + 1;
}

// A linear layer after a layer norm keeps the norm's recipe, not its output: the output is
// freed with the forward pass, rebuilt in backward, and the gradients are unchanged.
TEST(LayerNorm, OutputFreedAfterForwardAndRebuiltForTheLinearAfterIt) {
  Tensor x = random_tensor(5, 4, 21), gamma = random_tensor(1, 4, 22), beta = random_tensor(1, 4, 23);
  Tensor w = random_tensor(3, 4, 24), b = random_tensor(1, 3, 25), w2 = random_tensor(4, 4, 26), b2 = random_tensor(1, 4, 27);
  for (Tensor t : {x, gamma, beta, w, b, w2, b2}) t.set_requires_grad(true);
  std::weak_ptr<const TensorNode> normed;
  Tensor loss;
  {
    const Tensor h = layer_norm(x, gamma, beta);
    normed = h.watch();
    Rng rng(3);
    loss = sum(add(linear(h, w, b), linear(linear_relu_dropout(h, w2, b2, Scalar(0.2), &rng), w, b)));
  }
  EXPECT_TRUE(normed.expired());
  Tape::current().clear();
  EXPECT_GRADCHECK(
      [&] {
        const Tensor h = layer_norm(x, gamma, beta);
        Rng rng(3);
        return add(linear(h, w, b), linear(linear_relu_dropout(h, w2, b2, Scalar(0.2), &rng), w, b));
      },
      {{"x", x}, {"gamma", gamma}, {"beta", beta}, {"W", w}, {"W2", w2}});
}

// An output changed by hand is not rebuilt from the norm's recipe: the linear after it must
// see the changed value in backward too.
TEST(LayerNorm, OutputChangedByHandIsNotRebuiltFromTheRecipe) {
  Tensor x = random_tensor(4, 3, 31), gamma = random_tensor(1, 3, 32), beta = random_tensor(1, 3, 33);
  Tensor w = random_tensor(2, 3, 34), b = random_tensor(1, 2, 35);
  x.set_requires_grad(true);
  w.set_requires_grad(true);
  Tensor h = layer_norm(x, gamma, beta);
  h.mutable_value() *= 2;
  const Matrix doubled = h.value();
  Tape::current().backward(sum(linear(h, w, b)));
  // d sum(h·Wᵀ + b) / dW = column sums of h, for each output row
  EXPECT_TRUE(w.grad().isApprox(doubled.colwise().sum().replicate(2, 1)));
  Tape::current().clear();
}

}  // namespace
}  // namespace heed
