// 8-bit linear layers (autograd/int8_linear.h): the quantization's rounding, the integer product
// against exact integer arithmetic done here, both thread splits, and the error against float.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <cstdint>
#include <limits>
#include <random>

#include "autograd/int8_linear.h"
#include "autograd/parallel.h"

namespace heed {
namespace {

Matrix random_matrix(Index rows, Index cols, unsigned seed, float spread = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, spread);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = n(rng);
  return m;
}

// What linear_int8 must compute, in exact integers then double: inputs quantized per row to
// [-127, 127] as the kernel does, products summed without rounding.
Matrix reference(const Matrix& x, const Int8Matrix& w, Index first, Index count, const Matrix& bias) {
  Matrix y(x.rows(), count);
  for (Index i = 0; i < x.rows(); ++i) {
    const float largest = x.row(i).cwiseAbs().maxCoeff();
    const float scale = largest > 0 ? largest / 127 : 1.0f;
    std::vector<int> q(std::size_t(x.cols()));
    for (Index k = 0; k < x.cols(); ++k) q[std::size_t(k)] = int(std::nearbyint(x(i, k) * (1.0f / scale)));
    for (Index j = 0; j < count; ++j) {
      std::int64_t sum = 0;
      for (Index k = 0; k < x.cols(); ++k) sum += std::int64_t(q[std::size_t(k)]) * w.values[std::size_t((first + j) * w.cols + k)];
      y(i, j) = float(double(sum) * scale * w.scales[std::size_t(first + j)] + (bias.size() ? bias(0, j) : 0.0));
    }
  }
  return y;
}

TEST(Int8Linear, TheProductNamedIsTheOneAskedFor) {
  const char* choice = std::getenv("HEED_INT8_PRODUCT");
  if (choice && std::string(choice) == "eigen") {
    EXPECT_STREQ(int8_product_name(), "Eigen");
    EXPECT_EQ(int8_weight_limit(), 127);  // an exact integer product: no saturation to avoid
  } else {
    EXPECT_TRUE(int8_weight_limit() == 127 || int8_weight_limit() == 63);
  }
}

TEST(Int8Linear, QuantizeRowsRoundsEachRowToItsOwnScale) {
  Matrix w = random_matrix(5, 33, 1);
  w.row(3).setZero();  // an all-zero row keeps scale 1 and values 0
  for (int limit : {127, 63}) {
    const Int8Matrix q = quantize_rows(w, limit);
    ASSERT_EQ(q.rows, 5);
    ASSERT_EQ(q.cols, 33);
    const Matrix back = dequantize(q);
    for (Index r = 0; r < w.rows(); ++r) {
      const float scale = q.scales[std::size_t(r)];
      int largest = 0;
      for (Index k = 0; k < w.cols(); ++k) {
        largest = std::max(largest, std::abs(int(q.values[std::size_t(r * w.cols() + k)])));
        EXPECT_LE(std::abs(back(r, k) - w(r, k)), 0.5f * scale * 1.0001f) << "row " << r << " col " << k;
      }
      EXPECT_EQ(largest, r == 3 ? 0 : limit) << "row " << r;
    }
  }
}

TEST(Int8Linear, QuantizeRowsRefusesAWeightThatIsNotFinite) {
  Matrix w = random_matrix(2, 4, 2);
  w(1, 2) = std::numeric_limits<float>::infinity();
  EXPECT_THROW(quantize_rows(w), std::exception);
  w(1, 2) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(quantize_rows(w), std::exception);
}

TEST(Int8Linear, TheProductIsTheExactIntegerSumScaledBack) {
  const Matrix w = random_matrix(700, 96, 3, 0.1f);
  const Int8Matrix q = quantize_rows(w, int8_weight_limit());
  const Matrix bias300 = random_matrix(1, 300, 4), bias600 = random_matrix(1, 600, 9);
  for (int threads : {1, 2, 3}) {
    set_parallel_threads(threads);
    // 300 rows: split by rows, outputs [100, 400); 5 rows: split by outputs, [50, 650) (as the
    // cross-attention's keys and values are a slice of in_proj); with a bias, and without.
    for (Index rows : {Index(300), Index(5)}) {
     for (bool with_bias : {true, false}) {
      const Matrix x = random_matrix(rows, 96, 5 + unsigned(rows));
      const Index first = rows == 5 ? 50 : 100, count = rows == 5 ? 600 : 300;
      const Matrix b = !with_bias ? Matrix() : rows == 5 ? bias600 : bias300;
      const Matrix got = linear_int8(x, q, first, count, b);
      const Matrix want = reference(x, q, first, count, b);
      ASSERT_EQ(got.rows(), rows);
      ASSERT_EQ(got.cols(), count);
      EXPECT_LE((got - want).cwiseAbs().maxCoeff(), 1e-4f * (1 + want.cwiseAbs().maxCoeff()))
          << rows << " rows, " << threads << " threads, bias " << with_bias;
     }
    }
  }
  set_parallel_threads(1);
}

TEST(Int8Linear, CloseToTheFloatProduct) {
  const Matrix w = random_matrix(256, 512, 6, 0.05f), x = random_matrix(40, 512, 7);
  const Matrix want = x * w.transpose();
  const Matrix got = linear_int8(x, quantize_rows(w), 0, 256, Matrix());
  // Relative to the outputs' spread: 8-bit rounding of both operands, errors averaging out over 512 terms.
  const float spread = std::sqrt(want.squaredNorm() / float(want.size()));
  EXPECT_LT((got - want).cwiseAbs().maxCoeff(), 0.05f * spread);
  EXPECT_GT((got - want).cwiseAbs().maxCoeff(), 0.0f);  // it is 8-bit: not the float product itself
}

TEST(Int8Linear, AZeroRowAndEmptyShapes) {
  const Int8Matrix q = quantize_rows(random_matrix(3, 4, 8));
  Matrix x = Matrix::Zero(2, 4);
  EXPECT_EQ(linear_int8(x, q, 0, 3, Matrix()).cwiseAbs().maxCoeff(), 0.0f);
  EXPECT_EQ(linear_int8(Matrix(0, 4), q, 0, 3, Matrix()).rows(), 0);
  EXPECT_THROW(linear_int8(Matrix::Zero(2, 5), q, 0, 3, Matrix()), std::exception);
  EXPECT_THROW(linear_int8(x, q, 2, 2, Matrix()), std::exception);
}

}  // namespace
}  // namespace heed
