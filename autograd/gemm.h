// out = alpha·op(x)·op(y), or out += alpha·op(x)·op(y), written straight into out (a matrix or a
// block of rows or columns of one; all row-major; sized already), op = transpose where asked.
// With OpenBLAS this calls its gemm with beta 0 for "=": Eigen's own route to BLAS zeroes the
// destination first and then adds to it, a pass over memory worth about 4% of the small
// language model's step (perf, bench --config lm). Without OpenBLAS, Eigen's product.
#pragma once

#include <atomic>
#include <chrono>
#include <type_traits>

#include "autograd/scalar.h"

#ifdef HEED_OPENBLAS
#include <cblas.h>
#endif

HEED_NAMESPACE_BEGIN

// Time spent inside gemm, summed over the threads that call it, while `on` (heed bench
// --product-rate: how much of a training step the products take, and how fast they run there).
// Off, it costs a product one relaxed load.
struct GemmTally {
  std::atomic<bool> on{false};
  std::atomic<long long> nanoseconds{0}, flops{0};
};
inline GemmTally gemm_tally;

// Adds a product that began at `start` to the tally.
inline void add_to_gemm_tally(std::chrono::steady_clock::time_point start, Index flops) {
  gemm_tally.nanoseconds +=
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  gemm_tally.flops += flops;
}

template <class X, class Y, class Out>
void gemm_untallied(const X& x, bool tx, const Y& y, bool ty, Out&& out, bool accumulate, Scalar alpha) {
#ifdef HEED_OPENBLAS
  static_assert(bool(std::decay_t<Out>::Flags & Eigen::RowMajorBit), "gemm: row-major destinations only");
  const Index m = out.rows(), n = out.cols(), k = tx ? x.rows() : x.cols();
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: BLAS may leave out untouched
    if (!accumulate) out.setZero();
    return;
  }
  const auto a = tx ? CblasTrans : CblasNoTrans, b = ty ? CblasTrans : CblasNoTrans;
  const Scalar beta = accumulate ? 1 : 0;
  if constexpr (std::is_same_v<Scalar, float>)
    cblas_sgemm(CblasRowMajor, a, b, m, n, k, alpha, x.data(), x.outerStride(), y.data(), y.outerStride(), beta,
                out.data(), out.outerStride());
  else
    cblas_dgemm(CblasRowMajor, a, b, m, n, k, alpha, x.data(), x.outerStride(), y.data(), y.outerStride(), beta,
                out.data(), out.outerStride());
#else
  auto assign = [&](const auto& product) {
    if (accumulate) out.noalias() += alpha * product;
    else out.noalias() = alpha * product;
  };
  if (!tx && !ty) assign(x * y);
  else if (tx && !ty) assign(x.transpose() * y);
  else if (!tx && ty) assign(x * y.transpose());
  else assign(x.transpose() * y.transpose());
#endif
}

// Runs product(), counted in the tally (as `flops`) when the tally is on.
template <class Product>
void tallied(Index flops, Product&& product) {
  if (!gemm_tally.on.load(std::memory_order_relaxed)) return product();
  const auto start = std::chrono::steady_clock::now();
  product();
  add_to_gemm_tally(start, flops);
}

template <class X, class Y, class Out>
void gemm(const X& x, bool tx, const Y& y, bool ty, Out&& out, bool accumulate, Scalar alpha = 1) {
  tallied(2 * out.rows() * out.cols() * (tx ? x.rows() : x.cols()),
          [&] { gemm_untallied(x, tx, y, ty, out, accumulate, alpha); });
}

HEED_NAMESPACE_END
