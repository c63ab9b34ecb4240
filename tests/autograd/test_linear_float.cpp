// Linear layers in float, as training runs them: their row chunks' products go through the small
// kernels (autograd/small_gemm.h) with W copied once per call where linear_uses_small_kernels()
// (an AVX-512 CPU whose OpenBLAS runs AVX2 kernels), else through gemm. Against the product summed
// in double, and, with the small kernels, the same bits whatever the thread count (which sets the
// row chunks).
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "autograd/ops_internal.h"
#include "autograd/random.h"
#include "tests/autograd/float_backward.h"
#include "tests/autograd/float_random.h"

namespace heed {
namespace {

using testing_float::output_and_gradients;
using testing_float::random_tensor;

using Doubles = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// 700 rows (chunks of up to 256 rows, then a rest), 70 inputs, 90 outputs: no size a multiple of
// a kernel's vector or row block.
struct LinearCase {
  Tensor x = random_tensor(700, 70, 1), w = random_tensor(90, 70, 2), b = random_tensor(1, 90, 3);
  Tensor dy = random_tensor(700, 90, 4);
  // y, dx, dW, db after backward of sum(y ⊙ dy) at the given thread count.
  std::vector<Matrix> run(int threads) {
    return output_and_gradients(threads, {x, w, b}, [&] { return linear(x, w, b); }, dy);
  }
};

TEST(LinearFloat, EqualsTheProductInDouble) {
  LinearCase s;
  for (Index rows : {700, 40}) {  // 40: fewer rows than the small kernels take (gemm)
    s.x = random_tensor(rows, 70, 1);
    s.dy = random_tensor(rows, 90, 4);
    const std::vector<Matrix> got = s.run(2);
    const Doubles x = s.x.value().cast<double>(), w = s.w.value().cast<double>(), dy = s.dy.value().cast<double>();
    const Doubles y = (x * w.transpose()).rowwise() + s.b.value().cast<double>().row(0);
    EXPECT_LT((got[0].cast<double>() - y).cwiseAbs().maxCoeff(), 1e-4);
    EXPECT_LT((got[1].cast<double>() - dy * w).cwiseAbs().maxCoeff(), 1e-4);
    EXPECT_LT((got[2].cast<double>() - dy.transpose() * x).cwiseAbs().maxCoeff(), 1e-3);  // rows deep
    EXPECT_LT((got[3].cast<double>() - dy.colwise().sum()).cwiseAbs().maxCoeff(), 1e-3);
  }
}

// y and dx: the small kernels' sums do not depend on the rows a chunk holds. (dW stays with gemm,
// faster there, whose blocks of dW rows follow the thread count: not compared.)
TEST(LinearFloat, OutputAndInputGradientSameBitsForAnyThreadCount) {
  if (!linear_uses_small_kernels()) GTEST_SKIP() << "linear's products go through gemm here, whose sums follow the split";
  LinearCase s;
  const std::vector<Matrix> one = s.run(1);
  for (int threads : {2, 3}) {
    const std::vector<Matrix> many = s.run(threads);
    EXPECT_TRUE(one[0] == many[0]) << "y with " << threads << " threads";
    EXPECT_TRUE(one[1] == many[1]) << "dx with " << threads << " threads";
  }
}

// dropout(relu(x·Wᵀ + b)), p 0.3, fused in float: 700 rows (two of the bias gradient's 256-row
// blocks and a rest). y, dx, dW, db after backward of sum(y ⊙ dy), and the scaled dropout mask
// (the same seed through dropout on ones: the mask is a function of the seed and the position).
struct LinearReluDropoutCase {
  Tensor x = random_tensor(700, 70, 1), w = random_tensor(90, 70, 2), b = random_tensor(1, 90, 3);
  Tensor dy = random_tensor(700, 90, 4);
  static constexpr float p = 0.3f;
  std::vector<Matrix> run(int threads) {
    Rng rng(11);
    return output_and_gradients(threads, {x, w, b}, [&] { return linear_relu_dropout(x, w, b, p, &rng); }, dy);
  }
  Matrix scaled_mask() const {
    Rng rng(11);
    return dropout(Tensor::constant(700, 90, 1), p, rng).value();
  }
};

TEST(LinearFloat, ReluDropoutEqualsTheFormulaInDouble) {
  LinearReluDropoutCase s;
  const std::vector<Matrix> got = s.run(2);
  const Doubles mask = s.scaled_mask().cast<double>();
  const double dropped = double((mask.array() == 0).count()) / double(mask.size());
  EXPECT_GT(dropped, 0.28);  // p of them, give or take a few hundred of 63,000
  EXPECT_LT(dropped, 0.32);
  const Doubles x = s.x.value().cast<double>(), w = s.w.value().cast<double>(), dy = s.dy.value().cast<double>();
  const Doubles pre = (x * w.transpose()).rowwise() + s.b.value().cast<double>().row(0);
  const Doubles y = pre.cwiseMax(0.0).cwiseProduct(mask);
  EXPECT_LT((got[0].cast<double>() - y).cwiseAbs().maxCoeff(), 1e-4);
  // Which units passed is read off the float output, so that a pre-activation within rounding of
  // zero cannot flip the reference's branch.
  const Doubles g = (got[0].array() != 0).cast<double>().matrix().cwiseProduct(mask).cwiseProduct(dy);
  EXPECT_GT((g.array() != 0).count(), 700 * 90 / 4);
  EXPECT_LT((got[1].cast<double>() - g * w).cwiseAbs().maxCoeff(), 1e-4);
  // 700 rows deep: seen 1.7e-5 (2026-12-02, AVX-512 and AVX2)
  EXPECT_LT((got[2].cast<double>() - g.transpose() * x).cwiseAbs().maxCoeff(), 2e-4);
  EXPECT_LT((got[3].cast<double>() - g.colwise().sum()).cwiseAbs().maxCoeff(), 2e-4);
}

// db: fixed 256-row blocks summed in order, the same bits at any thread count for the same units
// passed; y and dx too where the small kernels run the products.
TEST(LinearFloat, ReluDropoutSameBitsForAnyThreadCount) {
  LinearReluDropoutCase s;
  const std::vector<Matrix> one = s.run(1);
  for (int threads : {2, 3}) {
    const std::vector<Matrix> many = s.run(threads);
    // Through gemm y's rounding may follow the row split, and a pre-activation within rounding of
    // zero could then pass in one run and not the other: db is compared for the same units only.
    const bool same_units = ((one[0].array() != 0) == (many[0].array() != 0)).all();
    if (same_units) {
      EXPECT_TRUE(one[3] == many[3]) << "db with " << threads << " threads";
    }
    if (!linear_uses_small_kernels()) continue;
    EXPECT_TRUE(same_units) << "units passed with " << threads << " threads";
    EXPECT_TRUE(one[0] == many[0]) << "y with " << threads << " threads";
    EXPECT_TRUE(one[1] == many[1]) << "dx with " << threads << " threads";
  }
}

}  // namespace
}  // namespace heed
