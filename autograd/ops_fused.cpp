// Fused ops for the Transformer's hot paths: each keeps less for backward than the ops it
// replaces (no intermediate results, dropout masks regenerated from a seed).
#include <algorithm>

#include "autograd/check.h"
#include "autograd/dropout_mask.h"
#include "autograd/ops.h"
#include "autograd/ops_internal.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

constexpr Index kBiasBlock = 256;  // rows per block of the bias gradient's partial sums
constexpr Index kElementGrain = 1 << 15;  // elements per chunk of elementwise loops

}  // namespace

// linear_relu_dropout(x[N,in], W[out,in], b[1,out]) -> y = dropout(relu(x·Wᵀ + b))
//   g = dy / (1-p) where y > 0, else 0 (y > 0 exactly when the unit was positive and kept)
//   dx = g·W    dW = gᵀ·x    db = Σ_rows g           Keeps only y.
Tensor linear_relu_dropout(const Tensor& x, const Tensor& weight, const Tensor& bias, Scalar p, Rng* rng) {
  HEED_CHECK(x.cols() == weight.cols() && bias.rows() == 1 && bias.cols() == weight.rows(),
             "linear_relu_dropout: input " << shape_str(x.value()) << ", weight " << shape_str(weight.value())
                                           << ", bias " << shape_str(bias.value()));
  HEED_CHECK(p == 0 || (p > 0 && p < 1 && rng), "linear_relu_dropout: p is " << p << " (and needs an rng when > 0)");
  const DropoutMask mask = p > 0 ? DropoutMask(double(p), rng->next()) : DropoutMask();
  const Scalar scale = Scalar(1) / (1 - p);
  Matrix y(x.rows(), weight.rows());
  const LinearProduct times_wt(weight.value(), true, x.rows());
  const Scalar* b = bias.value().data();
  const Index outputs = y.cols();
  parallel_for(x.rows(), linear_row_grain(x.rows()), [&](Index begin, Index end) {
    times_wt(x.value().middleRows(begin, end - begin), y.middleRows(begin, end - begin), false);
    // bias, relu and dropout in one pass over the chunk, while it is in cache
    for (Index r = begin; r < end; ++r) {
      Scalar* row = y.row(r).data();
      if (p == 0) {
        for (Index j = 0; j < outputs; ++j) row[j] = std::max(row[j] + b[j], Scalar(0));
        continue;
      }
      const std::uint64_t first = std::uint64_t(r * outputs);
      for (Index j = 0; j < outputs; ++j)
        row[j] = keep_where(mask.keep(first + std::uint64_t(j)), std::max(row[j] + b[j], Scalar(0)) * scale);
    }
  });
  return record("linear_relu_dropout", std::move(y), {x, weight, bias}, [x = SavedValue(x), x_grad = GradRef(x), weight, bias = GradRef(bias), scale](const Matrix& d_y, const Matrix& y_out) {
    // g, and the bias gradient's sums of g over fixed blocks of rows (added in order below, so
    // the result does not depend on the thread count), in one pass
    const Index rows = d_y.rows(), cols = d_y.cols(), blocks = (rows + kBiasBlock - 1) / kBiasBlock;
    const bool bias_grad = bias.requires_grad();
    Matrix g(rows, cols), bias_parts = Matrix::Zero(bias_grad ? blocks : 0, cols);
    parallel_for(blocks, 1, [&](Index block_begin, Index block_end) {
      for (Index r = block_begin * kBiasBlock; r < std::min(rows, block_end * kBiasBlock); ++r) {
        const Scalar *dy = d_y.row(r).data(), *out_y = y_out.row(r).data();
        Scalar* out = g.row(r).data();
        for (Index j = 0; j < cols; ++j) out[j] = keep_where(out_y[j] > 0, dy[j] * scale);
        if (bias_grad) bias_parts.row(r / kBiasBlock) += g.row(r);
      }
    });
    linear_backward(g, x, x_grad, weight, GradRef());
    for (Index block = 0; bias_grad && block < blocks; ++block) bias.grad() += bias_parts.row(block);
  });
}

// add_dropout(x, y) -> x + dropout(y)    dx = dout    dy = dout ⊙ keep / (1-p)   (mask regenerated)
Tensor add_dropout(const Tensor& x, const Tensor& y, Scalar p, Rng* rng) {
  HEED_CHECK(x.rows() == y.rows() && x.cols() == y.cols(),
             "add_dropout: " << shape_str(x.value()) << " and " << shape_str(y.value()) << " differ");
  HEED_CHECK(p == 0 || (p > 0 && p < 1 && rng), "add_dropout: p is " << p << " (and needs an rng when > 0)");
  if (p == 0) return add(x, y);
  const DropoutMask mask(double(p), rng->next());
  const Scalar scale = Scalar(1) / (1 - p);
  Matrix out(x.rows(), x.cols());
  parallel_for(out.size(), kElementGrain, [&](Index begin, Index end) {
    mask.apply(y.value().data() + begin, out.data() + begin, end - begin, std::uint64_t(begin), scale);
    out.reshaped<Eigen::RowMajor>().segment(begin, end - begin) += x.value().reshaped<Eigen::RowMajor>().segment(begin, end - begin);
  });
  return record("add_dropout", std::move(out), {x, y}, [x = GradRef(x), y = GradRef(y), mask, scale](const Matrix& d_out) {
    bool x_first = false, y_first = false;
    Matrix* d_x = x.requires_grad() ? &x.grad_for_write(&x_first) : nullptr;
    Matrix* d_y = y.requires_grad() ? &y.grad_for_write(&y_first) : nullptr;
    parallel_for(d_out.size(), kElementGrain, [&](Index begin, Index end) {
      const auto d_out_part = d_out.reshaped<Eigen::RowMajor>().segment(begin, end - begin);
      if (d_x) write_or_add(x_first, d_x->reshaped<Eigen::RowMajor>().segment(begin, end - begin), d_out_part);
      if (!d_y) return;
      Scalar* dst = d_y->data() + begin;
      if (y_first) mask.apply(d_out.data() + begin, dst, end - begin, std::uint64_t(begin), scale);
      else mask.accumulate(d_out.data() + begin, dst, end - begin, std::uint64_t(begin), scale);
    });
  });
}

HEED_NAMESPACE_END
