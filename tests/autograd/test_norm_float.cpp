// Layer norm in float, as training runs it: the rows through heed's CPU kernels (normalize,
// norm_backward) in the variant chosen for this CPU. Against the formula in double, and the same
// bits whatever the thread count (its chunks of rows are fixed, dγ and dβ summed over them in order).
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "tests/autograd/float_backward.h"
#include "tests/autograd/float_random.h"

namespace heed {
namespace {

using testing_float::output_and_gradients;
using testing_float::random_tensor;

using Doubles = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// 200 rows (four of the 64-row chunks, the last one short) of 70 features (a tail past every
// vector width). y, dx, dγ, dβ after backward of sum(y ⊙ dy).
struct NormCase {
  Tensor x = random_tensor(200, 70, 1), gamma = random_tensor(1, 70, 2), beta = random_tensor(1, 70, 3);
  Tensor dy = random_tensor(200, 70, 4);
  std::vector<Matrix> run(int threads) {
    return output_and_gradients(threads, {x, gamma, beta}, [&] { return layer_norm(x, gamma, beta); }, dy);
  }
};

TEST(LayerNormFloat, EqualsTheFormulaInDouble) {
  NormCase s;
  const std::vector<Matrix> got = s.run(2);
  const Doubles x = s.x.value().cast<double>(), dy = s.dy.value().cast<double>();
  const Eigen::RowVectorXd gamma = s.gamma.value().cast<double>().row(0), beta = s.beta.value().cast<double>().row(0);
  const Index c = x.cols();
  Doubles y(x.rows(), c), dx(x.rows(), c);
  Eigen::RowVectorXd d_gamma = Eigen::RowVectorXd::Zero(c), d_beta = Eigen::RowVectorXd::Zero(c);
  for (Index r = 0; r < x.rows(); ++r) {
    const double mu = x.row(r).mean();
    const double rstd = 1 / std::sqrt((x.row(r).array() - mu).square().mean() + 1e-5);
    const Eigen::RowVectorXd x_hat = (x.row(r).array() - mu) * rstd;
    y.row(r) = x_hat.cwiseProduct(gamma) + beta;
    const Eigen::RowVectorXd g = dy.row(r).cwiseProduct(gamma);
    dx.row(r) = rstd * (g.array() - g.mean() - x_hat.array() * g.cwiseProduct(x_hat).mean()).matrix();
    d_gamma += dy.row(r).cwiseProduct(x_hat);
    d_beta += dy.row(r);
  }
  // seen: y, dx 4e-7; dγ, dβ (200 rows deep) 5e-6 (2026-12-02, AVX-512 and AVX2)
  EXPECT_LT((got[0].cast<double>() - y).cwiseAbs().maxCoeff(), 1e-5);
  EXPECT_LT((got[1].cast<double>() - dx).cwiseAbs().maxCoeff(), 1e-5);
  EXPECT_LT((got[2].cast<double>().row(0) - d_gamma).cwiseAbs().maxCoeff(), 1e-4);
  EXPECT_LT((got[3].cast<double>().row(0) - d_beta).cwiseAbs().maxCoeff(), 1e-4);
}

// Without an input gradient the kernel skips dx: dγ and dβ must not change by a bit.
TEST(LayerNormFloat, GammaBetaGradientsTheSameWithoutAnInputGradient) {
  NormCase s;
  const std::vector<Matrix> with_dx = s.run(2);
  s.x.set_requires_grad(false);
  const std::vector<Matrix> without = output_and_gradients(
      2, {s.gamma, s.beta}, [&] { return layer_norm(s.x, s.gamma, s.beta); }, s.dy);
  EXPECT_TRUE(without[1] == with_dx[2]) << "dγ";
  EXPECT_TRUE(without[2] == with_dx[3]) << "dβ";
}

TEST(LayerNormFloat, SameBitsForAnyThreadCount) {
  NormCase s;
  const std::vector<Matrix> one = s.run(1);
  const char* names[] = {"y", "dx", "dγ", "dβ"};
  for (int threads : {2, 3}) {
    const std::vector<Matrix> many = s.run(threads);
    for (std::size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(one[i] == many[i]) << names[i] << " with " << threads << " threads";
  }
}

}  // namespace
}  // namespace heed
