// Linear layers in float, as training runs them: their row chunks' products go through the small
// kernels (autograd/small_gemm.h) with W copied once per call where linear_uses_small_kernels()
// (an AVX-512 CPU whose OpenBLAS runs AVX2 kernels), else through gemm. Against the product summed
// in double, and, with the small kernels, the same bits whatever the thread count (which sets the
// row chunks).
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/ops_internal.h"
#include "autograd/tape.h"
#include "tests/autograd/float_random.h"

namespace heed {
namespace {

using testing_float::random_tensor;

using Doubles = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// 700 rows (chunks of up to 256 rows, then a rest), 70 inputs, 90 outputs: no size a multiple of
// a kernel's vector or row block.
struct LinearCase {
  Tensor x = random_tensor(700, 70, 1), w = random_tensor(90, 70, 2), b = random_tensor(1, 90, 3);
  Tensor dy = random_tensor(700, 90, 4);
  // y, dx, dW after backward of sum(y ⊙ dy) at the given thread count.
  std::vector<Matrix> run(int threads) {
    const int before = parallel_threads();
    set_parallel_threads(threads);
    Tape& tape = Tape::current();
    tape.clear();
    for (Tensor t : {x, w, b}) t.set_requires_grad(true), t.zero_grad();
    const Tensor y = linear(x, w, b);
    tape.backward(sum(y * dy));
    std::vector<Matrix> got{y.value(), x.grad(), w.grad(), b.grad()};
    tape.clear();
    set_parallel_threads(before);
    return got;
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

}  // namespace
}  // namespace heed
