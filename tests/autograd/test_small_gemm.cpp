// The small products' kernels (autograd/small_gemm.h): every variant this CPU can run against a
// product summed in double, over sizes that leave every kind of remainder (rows past the 6-row
// blocks, columns past each vector width), with strides, a transposed A, alpha and accumulation;
// and tile_gemm, which picks them, against gemm for every combination of transposes.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "autograd/small_gemm.h"
#include "autograd/tensor.h"
#include "tests/autograd/float_random.h"

namespace heed {
namespace {

using testing_float::random_floats;

TEST(SmallGemm, EveryVariantEqualsTheProductInDouble) {
  const std::vector<SmallGemmVariant> variants = small_gemm_variants();
#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
  ASSERT_FALSE(variants.empty()) << "an x86-64-v3 build has at least the AVX2 kernel";
#endif
  const std::vector<float> a = random_floats(std::size_t(310 * 310), 11);
  for (const SmallGemmVariant& v : variants)
    for (Index m : {1, 5, 6, 7, 13, 32, 64, 150})  // 150: a tall tile (dV over many keys)
      for (Index n : {1, 7, 8, 9, 16, 17, 24, 31, 32, 33, 40, 64, 150})  // 150: a wide tile (many keys)
        for (Index k : {0, 1, 3, 32, 64, 150, 300})  // 150, 300: in slices (128 deep for AVX-512, 256 AVX2)
          for (int transposes = 0; transposes < 4; ++transposes)
            for (bool accumulate : {false, true}) {
              // A is m×k read through strides (rows of 310 floats, or its transpose stored k×m);
              // B is k×n in rows of n + 3 (or its transpose, n×k in rows of k + 3); C is m×n in
              // rows of n + 5.
              const bool transposed_a = transposes & 1, transposed_b = transposes & 2;
              const Index lda = 310, ldb = (transposed_b ? k : n) + 3, ldc = n + 5;
              const std::vector<float> b =
                  random_floats(std::size_t((transposed_b ? n : k) * ldb), unsigned(k * 1000 + n));
              std::vector<float> c = random_floats(std::size_t(m * ldc), 5);
              const std::vector<float> c0 = c;
              const Index a_row = transposed_a ? 1 : lda, a_col = transposed_a ? lda : 1;
              const float alpha = 0.75f;
              v.kernel(m, n, k, alpha, a.data(), a_row, a_col, b.data(), ldb, transposed_b, c.data(), ldc, accumulate);
              for (Index i = 0; i < m; ++i)
                for (Index j = 0; j < ldc; ++j) {
                  const float got = c[std::size_t(i * ldc + j)];
                  if (j >= n) {  // past the product's columns: untouched
                    ASSERT_EQ(got, c0[std::size_t(i * ldc + j)]) << v.name << " wrote column " << j << " of " << n;
                    continue;
                  }
                  double want = 0;
                  for (Index l = 0; l < k; ++l)
                    want += double(a[std::size_t(i * a_row + l * a_col)]) *
                            b[std::size_t(transposed_b ? j * ldb + l : l * ldb + j)];
                  want = alpha * want + (accumulate ? double(c0[std::size_t(i * ldc + j)]) : 0.0);
                  ASSERT_NEAR(got, want, 1e-6 * double(k) + 1e-6)
                      << v.name << " " << m << "x" << n << "x" << k << (transposed_a ? " A transposed" : "")
                      << (transposed_b ? " B transposed" : "") << (accumulate ? " accumulating" : "") << " at (" << i
                      << "," << j << ")";
                }
            }
}

TEST(SmallGemm, PaddedStrideKeepsWideRowsOffPowerOfTwoDistances) {
  for (Index cols : {1, 32, 63})
    EXPECT_EQ(padded_stride(cols), cols);  // narrow tiles: no padding
  for (Index cols : {64, 100, 256, 1000, 1024, 2048, 4096}) {
    const Index ld = padded_stride(cols);
    EXPECT_GE(ld, cols);
    EXPECT_LT(ld, cols + 32);
    EXPECT_EQ(ld % 16, 0) << cols;       // whole 64-byte lines
    EXPECT_EQ((ld / 16) % 2, 1) << cols;  // an odd number of them: rows spread over every cache set
  }
}

TEST(SmallGemm, TakesTilesWithAtMostOneSizeAbove64) {
  EXPECT_TRUE(small_gemm_takes(64, 64, 64));
  EXPECT_TRUE(small_gemm_takes(64, 2048, 32));   // wide: Q·Kᵀ over many keys
  EXPECT_TRUE(small_gemm_takes(64, 32, 2048));   // deep: P·V
  EXPECT_TRUE(small_gemm_takes(2048, 32, 64));   // tall: dV
  EXPECT_FALSE(small_gemm_takes(100, 90, 20));   // two sizes above 64: gemm
  EXPECT_FALSE(small_gemm_takes(65, 65, 65));
}

TEST(SmallGemm, TileGemmEqualsGemmForEveryTranspose) {
  struct Sizes {
    Index m, n, k;
  };
  // Small tiles; one past the small kernels (gemm itself); deep, wide and tall ones (many keys).
  for (Sizes size : {Sizes{5, 3, 6}, Sizes{32, 30, 33}, Sizes{64, 62, 64}, Sizes{65, 63, 65}, Sizes{64, 32, 300},
                     Sizes{64, 300, 32}, Sizes{300, 32, 64}})
    for (bool tx : {false, true})
      for (bool ty : {false, true})
        for (bool accumulate : {false, true}) {
          const auto [m, n, k] = size;
          // Every operand a block inside a larger matrix, as attention's are: strides past the width.
          const Matrix x_all = Matrix::Random((tx ? k : m) + 3, (tx ? m : k) + 5);
          const Matrix y_all = Matrix::Random((ty ? n : k) + 2, (ty ? k : n) + 7);
          const auto x = x_all.block(1, 2, tx ? k : m, tx ? m : k);
          const auto y = y_all.block(2, 3, ty ? n : k, ty ? k : n);
          const Matrix start = Matrix::Random(m + 1, n + 4);
          Matrix tiled = start, plain = start;
          tile_gemm(x, tx, y, ty, tiled.block(1, 3, m, n), accumulate, Scalar(0.5));
          gemm(x, tx, y, ty, plain.block(1, 3, m, n), accumulate, Scalar(0.5));
          EXPECT_TRUE(tiled.isApprox(plain, Scalar(1e-5)))
              << m << "x" << n << "x" << k << (tx ? " xT" : "") << (ty ? " yT" : "") << (accumulate ? " +=" : "")
              << (small_gemm_takes(m, n, k) ? " (small kernel)" : " (gemm)");
        }
}

}  // namespace
}  // namespace heed
