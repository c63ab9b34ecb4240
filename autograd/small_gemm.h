// heed's own register-blocked product kernels: attention's tiles (at most 64 in two of their sizes:
// small_gemm_takes) and the linear layers' row chunks (LinearProduct, autograd/ops_internal.h).
// Through OpenBLAS a 32³ tile ran at 18 GFLOP/s inside a tiny training step with two threads, 36
// with one, 74 on its own (a per-shape timing of the step, AMD EPYC Zen 4; the cause was not pinned
// down: such a product's call, both operands packed into a buffer from a pool the threads share,
// costs as much as its arithmetic). These kernels keep a 6-row × 2-vector block of C in registers
// and stream B's rows, the depth in slices that keep B's strip in L1, AVX2 or AVX-512 as
// cpu_kernels() chose (CPUs of another family get gemm's products). They do not pack A: a caller
// gives B with rows off power-of-two distances (padded_stride) where B is wide.
#pragma once

#include <vector>

#include "autograd/gemm.h"
#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

constexpr Index kSmallGemmMax = 64;  // tile_gemm's small kernels: at most one size above this (small_gemm_takes)

// C = alpha·A·B (+ C when accumulate), every matrix row-major: A(i, l) = a[i·a_row + l·a_col]
// (so A may be a transpose), B(l, j) = b[l·ldb + j], or b[j·ldb + l] when b_transposed (copied
// first into a per-thread k × padded_stride(n) buffer), C(i, j) = c[i·ldc + j]. Any sizes. Null
// when the CPU has no variant.
using SmallGemmKernel = void (*)(Index m, Index n, Index k, float alpha, const float* a, Index a_row, Index a_col,
                                 const float* b, Index ldb, bool b_transposed, float* c, Index ldc, bool accumulate);
SmallGemmKernel small_gemm_kernel();
// Every variant this build has and this CPU can run, with its name (tests run each of them).
struct SmallGemmVariant {
  const char* name;
  SmallGemmKernel kernel;
};
std::vector<SmallGemmVariant> small_gemm_variants();

// The products the small kernels take: at most one of m, n and k above kSmallGemmMax (attention's
// tiles over many keys: Q·Kᵀ and dO·Vᵀ wide, P·V and dS·K deep, dV and dK tall). Such a tile's
// long side must not be a power-of-two stride apart in memory (padded_stride); with that, every
// kind ran faster here than through gemm (probe at 64 queries × 2,048 keys × 32, AMD EPYC Zen 4,
// AVX-512 kernels against OpenBLAS's Haswell ones: wide 170 vs 128 GFLOP/s, tall 200 vs 90).
inline bool small_gemm_takes(Index m, Index n, Index k) {
  constexpr Index s = kSmallGemmMax;
  return (m > s) + (n > s) + (k > s) <= 1;
}

// The row stride (in floats) for a buffer of `cols` columns that the small kernels read down its
// columns: rows a power-of-two number of KiB apart share one of L1's 64 sets (the sets repeat every
// 4 KiB), and a product reading 32 such rows (a 2,048-key tile) ran at less than half speed (probe:
// 75 against 180 GFLOP/s, AMD EPYC Zen 4). Wide buffers get an odd multiple of 64 bytes.
inline Index padded_stride(Index cols) {
  if (cols < 64) return cols;
  const Index lines = (cols + 15) / 16;  // 64-byte lines of 16 floats
  return 16 * (lines % 2 == 1 ? lines : lines + 1);
}

// out (cols × rows, rows of out_ld) = inᵀ (in: rows × cols, rows of ld), in 8×8 blocks where the
// build has AVX2, element by element otherwise.
void transpose_floats(const float* in, Index ld, Index rows, Index cols, float* out, Index out_ld);

// rows × cols of buf, its rows padded_stride(cols) apart (buf is resized; its values are not kept).
inline auto padded_block(Matrix& buf, Index rows, Index cols) {
  buf.resize(rows, padded_stride(cols));
  return buf.leftCols(cols);
}

// buf's first in.cols() rows and in.rows() columns = inᵀ, its rows padded_stride apart: an operand
// transposed once for many products (attention's K and V, once a block; a linear layer's W).
template <class In>
auto transposed_copy(const In& in, Matrix& buf) {
  auto out = padded_block(buf, in.cols(), in.rows());
  if constexpr (std::is_same_v<Scalar, float>)
    transpose_floats(in.data(), in.outerStride(), in.rows(), in.cols(), out.data(), out.outerStride());
  else
    out = in.transpose();
  return out;
}

// buf's first in.rows() rows and in.cols() columns = in, its rows padded_stride apart.
template <class In>
auto padded_copy(const In& in, Matrix& buf) {
  auto out = padded_block(buf, in.rows(), in.cols());
  out = in;
  return out;
}

// The small kernel this build and CPU run, when the scalar is float (null otherwise).
inline SmallGemmKernel float_small_gemm_kernel() {
  if constexpr (std::is_same_v<Scalar, float>) {
    static const SmallGemmKernel kernel = small_gemm_kernel();
    return kernel;
  }
  return nullptr;
}

// out = alpha·op(x)·op(y) (+ out) through the small kernel, which the caller has checked exists
// (float_small_gemm_kernel); counted in the product tally like gemm's.
template <class X, class Y, class Out>
void small_kernel_gemm(const X& x, bool tx, const Y& y, bool ty, Out&& out, bool accumulate, Scalar alpha = 1) {
  static_assert(bool(X::Flags & Eigen::RowMajorBit) && bool(Y::Flags & Eigen::RowMajorBit) &&
                    bool(std::decay_t<Out>::Flags & Eigen::RowMajorBit),
                "small_kernel_gemm: row-major operands only (outerStride() is taken as their row stride)");
  const Index m = out.rows(), n = out.cols(), k = tx ? x.rows() : x.cols();
  if (m == 0 || n == 0) return;
  if constexpr (!std::is_same_v<Scalar, float>) {
    gemm(x, tx, y, ty, out, accumulate, alpha);  // no small kernels in double (callers check first)
  } else {
    const Index a_row = tx ? 1 : x.outerStride(), a_col = tx ? x.outerStride() : 1;
    tallied(2 * m * n * k, [&] {
      float_small_gemm_kernel()(m, n, k, alpha, x.data(), a_row, a_col, y.data(), y.outerStride(), ty, out.data(),
                                out.outerStride(), accumulate);
    });
  }
}

// gemm (autograd/gemm.h) for a tile whose sizes do not depend on the thread count (so that results
// do not either): the small kernel for the products it takes when the scalar is float, else gemm.
template <class X, class Y, class Out>
void tile_gemm(const X& x, bool tx, const Y& y, bool ty, Out&& out, bool accumulate, Scalar alpha = 1) {
  const Index m = out.rows(), n = out.cols(), k = tx ? x.rows() : x.cols();
  if (float_small_gemm_kernel() && small_gemm_takes(m, n, k))
    small_kernel_gemm(x, tx, y, ty, out, accumulate, alpha);
  else
    gemm(x, tx, y, ty, out, accumulate, alpha);
}

HEED_NAMESPACE_END
