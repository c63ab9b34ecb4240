// Gradient checks of matmul, its transposed forms, batched_matmul and linear.
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

TEST(Matmul, PlainAndTransposedForms) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      Tensor a = ta ? random_tensor(4, 3, 1) : random_tensor(3, 4, 1);
      Tensor b = tb ? random_tensor(5, 4, 2) : random_tensor(4, 5, 2);
      const MatmulOptions o{.transpose_a = ta, .transpose_b = tb};
      EXPECT_GRADCHECK([&] { return matmul(a, b, o); }, {{"A", a}, {"B", b}});
      EXPECT_EQ(matmul(a, b, o).rows(), 3);
      EXPECT_EQ(matmul(a, b, o).cols(), 5);
    }
}

TEST(Matmul, ShapeMismatchThrowsWithShapes) {
  Tensor a = random_tensor(4, 8, 1), b = random_tensor(5, 3, 2);
  EXPECT_THROW(matmul(a, b), std::invalid_argument);
}

TEST(Matmul, ValueMatchesEigenProduct) {
  Tensor a = random_tensor(3, 4, 1), b = random_tensor(5, 4, 2);
  const Matrix expected = a.value() * b.value().transpose();
  EXPECT_TRUE(matmul(a, b, {.transpose_b = true}).value().isApprox(expected));
  EXPECT_TRUE(matmul(b, a, {.transpose_a = false, .transpose_b = true}).value().isApprox(expected.transpose()));
}

TEST(Matmul, SameTensorOnBothSides) {
  Tensor a = random_tensor(3, 3, 3);
  EXPECT_GRADCHECK([&] { return matmul(a, a); }, {{"A", a}});
  EXPECT_GRADCHECK([&] { return matmul(a, a, {.transpose_a = true}); }, {{"A", a}});
}

TEST(BatchedMatmul, AllTransposesGradcheckAndMatchBlockwiseMatmul) {
  const Index batches = 3, m = 2, k = 3, n = 4;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "transpose_a " << ta << " transpose_b " << tb);
      // Each block of A is op⁻¹ of (m,k), each block of B op⁻¹ of (k,n).
      Tensor a = ta ? random_tensor(batches * k, m, 4) : random_tensor(batches * m, k, 4);
      Tensor b = tb ? random_tensor(batches * n, k, 5) : random_tensor(batches * k, n, 5);
      const MatmulOptions o{.transpose_a = ta, .transpose_b = tb};
      EXPECT_GRADCHECK([&] { return batched_matmul(a, b, batches, o); }, {{"A", a}, {"B", b}});
      const Tensor c = batched_matmul(a, b, batches, o);
      ASSERT_EQ(c.rows(), batches * m);
      ASSERT_EQ(c.cols(), n);
      const Index a_rows = a.rows() / batches, b_rows = b.rows() / batches;
      for (Index i = 0; i < batches; ++i) {
        const Tensor a_i(a.value().middleRows(i * a_rows, a_rows)), b_i(b.value().middleRows(i * b_rows, b_rows));
        const Matrix block = c.value().middleRows(i * m, m);
        EXPECT_TRUE(block.isApprox(matmul(a_i, b_i, o).value())) << "block " << i;
      }
    }
}

TEST(BatchedMatmul, SameTensorOnBothSides) {  // as attention's q·qᵀ would be
  Tensor q = random_tensor(6, 3, 6);
  EXPECT_GRADCHECK([&] { return batched_matmul(q, q, 2, {.transpose_b = true}); }, {{"Q", q}});
}

TEST(BatchedMatmul, BadShapesThrow) {
  Tensor a = random_tensor(6, 3, 1), b = random_tensor(6, 4, 2);
  EXPECT_THROW(batched_matmul(a, b, 4, {}), std::invalid_argument);  // 4 does not divide 6
  EXPECT_THROW(batched_matmul(a, b, 0, {}), std::invalid_argument);
  EXPECT_THROW(batched_matmul(a, b, 3, {}), std::invalid_argument);  // (2,3)·(2,4): inner sizes differ
  EXPECT_EQ(batched_matmul(a, b, 2, {}).rows(), 6);                  // (3,3)·(3,4) per block is fine
}

TEST(Linear, WithBias) {
  Tensor x = random_tensor(4, 3, 7), w = random_tensor(5, 3, 8), bias = random_tensor(1, 5, 9);
  EXPECT_GRADCHECK([&] { return linear(x, w, bias); }, {{"x", x}, {"W", w}, {"bias", bias}});
  const Matrix expected = (x.value() * w.value().transpose()).rowwise() + bias.value().row(0);
  EXPECT_TRUE(linear(x, w, bias).value().isApprox(expected));
}

TEST(Linear, WithoutBias) {
  Tensor x = random_tensor(4, 3, 10), w = random_tensor(5, 3, 11);
  EXPECT_GRADCHECK([&] { return linear(x, w, Tensor()); }, {{"x", x}, {"W", w}});
  EXPECT_TRUE(linear(x, w, Tensor()).value().isApprox(x.value() * w.value().transpose()));
}

// In inference, few rows against many outputs (decoding) split the outputs across the threads:
// the same numbers as the plain product, whatever the split (outputs not a multiple of a chunk).
TEST(Linear, FewRowsInInferenceSplitByOutputsAcrossThreads) {
  const int threads_before = parallel_threads();
  set_parallel_threads(3);
  {
    NoGradGuard no_grad;
    for (Index rows : {1, 7, 255})
      for (Index outputs : {600, 1100}) {
        Tensor x = random_tensor(rows, 16, 20), w = random_tensor(outputs, 16, 21), bias = random_tensor(1, outputs, 22);
        const Matrix plain = x.value() * w.value().transpose();
        EXPECT_TRUE(linear(x, w, Tensor()).value().isApprox(plain)) << rows << " x " << outputs;
        EXPECT_TRUE(linear(x, w, bias).value().isApprox(Matrix(plain.rowwise() + bias.value().row(0))))
            << rows << " x " << outputs << " with bias";
      }
  }
  set_parallel_threads(threads_before);
}

TEST(Linear, BadShapesThrow) {
  Tensor x = random_tensor(4, 3, 1), w = random_tensor(5, 3, 2);
  EXPECT_THROW(linear(x, random_tensor(5, 4, 3), Tensor()), std::invalid_argument);
  EXPECT_THROW(linear(x, w, random_tensor(1, 4, 4)), std::invalid_argument);
  EXPECT_THROW(linear(x, w, random_tensor(5, 1, 5)), std::invalid_argument);
}

}  // namespace
}  // namespace heed
