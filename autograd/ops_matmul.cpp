// Matrix products: plain, with transposed operands, batched (attention heads), and linear.
#include <algorithm>

#include "autograd/check.h"
#include "autograd/cpu_kernels.h"
#include "autograd/gemm.h"
#include "autograd/parallel.h"
#include "autograd/ops.h"
#include "autograd/ops_internal.h"
#include "autograd/small_gemm.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

// out += op(x)·op(y), or out = … when `first`. Works on blocks as well as matrices.
template <class X, class Y, class Out>
void gemm_add(const X& x, bool tx, const Y& y, bool ty, Out&& out, bool first = false) {
  gemm(x, tx, y, ty, out, !first);
}

// C = op(A)·op(B). The gradients, written for every combination of transposes:
//   dA = dC·op(B)ᵀ, or its transpose op(B)·dCᵀ when A was transposed;
//   dB = op(A)ᵀ·dC, or its transpose dCᵀ·op(A) when B was transposed.
template <class DC, class BM, class DA>
void gemm_grad_a(const DC& d_c, const BM& b, MatmulOptions o, DA&& d_a) {
  if (!o.transpose_a) gemm_add(d_c, false, b, !o.transpose_b, d_a);
  else gemm_add(b, o.transpose_b, d_c, true, d_a);
}
template <class DC, class AM, class DB>
void gemm_grad_b(const DC& d_c, const AM& a, MatmulOptions o, DB&& d_b) {
  if (!o.transpose_b) gemm_add(a, !o.transpose_a, d_c, false, d_b);
  else gemm_add(d_c, true, a, o.transpose_a, d_b);
}

// Rows per chunk when linear splits its product across threads. Each chunk's product packs W
// again (OpenBLAS), so larger chunks pack less, but OpenBLAS's packing buffer for x's rows then
// grows: 2026-12-01 (AMD EPYC, 2 threads, OpenBLAS's AVX-512 kernels, 3 builds alternating,
// medians of 7 and 5) 256 / 512 / 1,024 rows gave tiny 26,469 / 26,523 / 27,178 tokens/s and
// small 5,943 / 5,982 / 6,191, small's peak RSS 313.8 / 314.4 / 315.3 MB; with all AVX2 kernels
// 1,024 was 1% slower on tiny. Not worth the memory: 256.
constexpr Index kLinearRowGrain = 256;
// Fewer rows than this in inference (decoding a batch's next position): split by outputs instead.
constexpr Index kLinearFewRows = 256;
// Outputs per chunk when linear splits them instead (few rows): at least 256, wide enough for the
// product's kernel, and at most 4096, each chunk packing the rows again (8 chunks of a 32k vocabulary).
constexpr Index kLinearColumnGrain = 256, kLinearLargestColumns = 4096;

// y[:, begin:end] = x·W[begin:end]ᵀ + b[begin:end]
void linear_columns(const Matrix& x, const Matrix& weight, const Matrix& bias, Index begin, Index end, Matrix& y) {
  auto y_cols = y.middleCols(begin, end - begin);
  if (bias.size() > 0) y_cols.rowwise() = bias.row(0).segment(begin, end - begin);
  gemm(x, false, weight.middleRows(begin, end - begin), true, y_cols, bias.size() > 0);
}

// out += Σ_rows m (the bias gradient). Eigen's colwise sum of a row-major matrix reads it in strips
// of 8 columns, the whole matrix once per strip from beyond the cache (2% of a tiny step); here
// each thread adds whole rows of fixed 256-row blocks, and the blocks' sums are added in order,
// so the result does not depend on the thread count.
void add_row_sum(const Matrix& m, Matrix& out) {
  constexpr Index kBlock = 256;
  const Index blocks = (m.rows() + kBlock - 1) / kBlock;
  Matrix parts = Matrix::Zero(blocks, m.cols());
  parallel_for(blocks, 1, [&](Index begin, Index end) {
    for (Index b = begin; b < end; ++b)
      for (Index r = b * kBlock; r < std::min(m.rows(), (b + 1) * kBlock); ++r) parts.row(b) += m.row(r);
  });
  for (Index b = 0; b < blocks; ++b) out += parts.row(b);
}

// y = x·Wᵀ + b for the rows [begin, end) of x and y (b may be empty); threads call it for disjoint
// row blocks. (linear_relu_dropout adds its bias after the product instead, in its one pass of
// relu and dropout.)
void linear_rows(const Matrix& x, const LinearProduct& product, const Matrix& bias, Index begin, Index end, Matrix& y) {
  auto y_rows = y.middleRows(begin, end - begin);
  if (bias.size() > 0) y_rows.rowwise() = bias.row(0);  // the product adds to the bias: one pass fewer
  product(x.middleRows(begin, end - begin), y_rows, bias.size() > 0);
}

}  // namespace

// The small kernels for linear's products of at least this many rows (fewer: decoding's steps, where
// the copy of W would cost about as much as the product) and weights of at most this many rows and
// columns (a 256×8000×512 forward product ran at 139 GFLOP/s in the AVX-512 kernel, 159 in
// OpenBLAS's, one thread, AMD EPYC Zen 4; and dx over a large vocabulary is that deep).
constexpr Index kLinearKernelRows = 64, kLinearKernelWidest = 4096;

bool linear_uses_small_kernels() {
  static const bool wider = kernels_wider_than_blas(cpu_kernels().name, blas_kernels());
  return float_small_gemm_kernel() && wider;
}

LinearProduct::LinearProduct(const Matrix& weight, bool transposed, Index rows)
    : weight_(weight), transposed_(transposed) {
  if (!linear_uses_small_kernels() || rows < kLinearKernelRows || weight.rows() > kLinearKernelWidest ||
      weight.cols() > kLinearKernelWidest)
    return;
  if (transposed) transposed_copy(weight, copy_);
  else padded_copy(weight, copy_);
}

void LinearProduct::operator()(const ConstRows& x, Rows out, bool accumulate) const {
  if (copy_.size() == 0) return gemm(x, false, weight_, transposed_, out, accumulate);
  small_kernel_gemm(x, false, copy_.leftCols(transposed_ ? weight_.rows() : weight_.cols()), false, out, accumulate);
}

LinearSplit linear_split(Index rows, Index outputs, bool inference) {
  // (Training's few-row products, the LSTM's steps, keep the row split they were tuned with.)
  if (inference && rows < kLinearFewRows && outputs >= 2 * kLinearColumnGrain && parallel_threads() > 1)
    return {true, std::max(kLinearColumnGrain, balanced_grain(outputs, kLinearLargestColumns))};
  return {false, linear_row_grain(rows)};
}

Index linear_row_grain(Index rows) { return balanced_grain(rows, kLinearRowGrain); }

void linear_backward(const Matrix& d_y, const SavedValue& x, const GradRef& x_grad, const Tensor& weight,
                     const GradRef& bias) {
  if (x_grad.requires_grad()) {
    bool first = false;
    Matrix& d_x = x_grad.grad_for_write(&first);
    const LinearProduct times_w(weight.value(), false, d_y.rows());
    parallel_for(d_y.rows(), linear_row_grain(d_y.rows()), [&](Index begin, Index end) {
      times_w(d_y.middleRows(begin, end - begin), d_x.middleRows(begin, end - begin), !first);
    });
  }
  if (weight.requires_grad()) {  // dW rows j depend on columns j of dy only
    bool first = false;
    Matrix& d_w = weight.grad_for_write(&first);
    const Matrix& x_value = x.get();
    // One block of dW rows per thread: every block packs all of x for its product, so more
    // blocks than threads would pack it again for nothing (a quarter of the step's product time
    // went to packing with 8 blocks on the small language model).
    const Index per_thread = (d_w.rows() + parallel_threads() - 1) / parallel_threads();
    parallel_for(d_w.rows(), balanced_grain(d_w.rows(), per_thread), [&](Index begin, Index end) {
      gemm(d_y.middleCols(begin, end - begin), true, x_value, false, d_w.middleRows(begin, end - begin), !first);
    });
  }
  if (bias.defined() && bias.requires_grad()) add_row_sum(d_y, bias.grad());
}

// matmul(A[m,k], B[k,n]) -> C[m,n]    dA = dC·Bᵀ    dB = Aᵀ·dC    (transposed forms above)
Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions o) {
  const Index m = o.transpose_a ? a.cols() : a.rows(), k = o.transpose_a ? a.rows() : a.cols();
  const Index k2 = o.transpose_b ? b.cols() : b.rows(), n = o.transpose_b ? b.rows() : b.cols();
  HEED_CHECK(k == k2, "matmul: op(A) is (" << m << "," << k << ") but op(B) is (" << k2 << "," << n << ")");
  Matrix c(m, n);
  gemm_add(a.value(), o.transpose_a, b.value(), o.transpose_b, c, true);
  return record("matmul", std::move(c), {a, b}, [a, b, o](const Matrix& d_c) {
    if (a.requires_grad()) gemm_grad_a(d_c, b.value(), o, a.grad());
    if (b.requires_grad()) gemm_grad_b(d_c, a.value(), o, b.grad());
  });
}

// batched_matmul: block i of C = op(A_i)·op(B_i); the gradients are matmul's, block by block.
Tensor batched_matmul(const Tensor& a, const Tensor& b, Index batches, MatmulOptions o) {
  HEED_CHECK(batches > 0 && a.rows() % batches == 0 && b.rows() % batches == 0,
             "batched_matmul: " << batches << " batches do not divide A " << shape_str(a.value())
                                << " and B " << shape_str(b.value()));
  const Index a_rows = a.rows() / batches, b_rows = b.rows() / batches;
  const Index m = o.transpose_a ? a.cols() : a_rows, k = o.transpose_a ? a_rows : a.cols();
  const Index k2 = o.transpose_b ? b.cols() : b_rows, n = o.transpose_b ? b_rows : b.cols();
  HEED_CHECK(k == k2, "batched_matmul: each op(A_i) is (" << m << "," << k << ") but op(B_i) is (" << k2 << ","
                                                          << n << ")");
  Matrix c(batches * m, n);
  const Index grain = std::max<Index>(1, batches / 16);  // blocks are independent: split them across threads
  parallel_for(batches, grain, [&](Index begin, Index end) {
    for (Index i = begin; i < end; ++i)
      gemm_add(a.value().middleRows(i * a_rows, a_rows), o.transpose_a, b.value().middleRows(i * b_rows, b_rows),
               o.transpose_b, c.middleRows(i * m, m), true);
  });
  return record("batched_matmul", std::move(c), {a, b},
                [a, b, o, batches, a_rows, b_rows, m, grain](const Matrix& d_c) {
                  Matrix* d_a = a.requires_grad() ? &a.grad() : nullptr;
                  Matrix* d_b = b.requires_grad() ? &b.grad() : nullptr;
                  parallel_for(batches, grain, [&](Index begin, Index end) {
                    for (Index i = begin; i < end; ++i) {
                      auto d_ci = d_c.middleRows(i * m, m);
                      if (d_a) gemm_grad_a(d_ci, b.value().middleRows(i * b_rows, b_rows), o, d_a->middleRows(i * a_rows, a_rows));
                      if (d_b) gemm_grad_b(d_ci, a.value().middleRows(i * a_rows, a_rows), o, d_b->middleRows(i * b_rows, b_rows));
                    }
                  });
                });
}

// linear(x[N,in], W[out,in], b[1,out]) -> y = x·Wᵀ + b    dx = dy·W    dW = dyᵀ·x    db = Σ_rows dy
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  HEED_CHECK(x.cols() == weight.cols(), "linear: input is " << shape_str(x.value()) << " but weight is "
                                                             << shape_str(weight.value()) << " (out,in)");
  HEED_CHECK(!bias.defined() || (bias.rows() == 1 && bias.cols() == weight.rows()),
             "linear: bias is " << shape_str(bias.value()) << ", expected (1," << weight.rows() << ")");
  Matrix y(x.rows(), weight.rows());
  const Matrix no_bias;
  const Matrix& b = bias.defined() ? bias.value() : no_bias;
  if (const LinearSplit split = linear_split(x.rows(), weight.rows(), !grad_enabled()); split.by_outputs) {
    parallel_for(weight.rows(), split.grain, [&](Index begin, Index end) {
      linear_columns(x.value(), weight.value(), b, begin, end, y);
    });
  } else {
    const LinearProduct times_wt(weight.value(), true, x.rows());
    parallel_for(x.rows(), split.grain, [&](Index begin, Index end) {
      linear_rows(x.value(), times_wt, b, begin, end, y);
    });
  }
  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  return record("linear", std::move(y), std::move(inputs),
                [x = SavedValue(x), x_grad = GradRef(x), weight, bias = GradRef(bias)](const Matrix& d_y) {
    linear_backward(d_y, x, x_grad, weight, bias);
  });
}

HEED_NAMESPACE_END
