// Fused layer norm and dropout.
#include <cmath>

#include "autograd/check.h"
#include "autograd/cpu_kernels.h"
#include "autograd/dropout_mask.h"
#include "autograd/parallel.h"
#include "autograd/ops.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

constexpr Index kNormRowGrain = 64;  // rows per chunk of layer norm's loops

using RowStats = Eigen::Matrix<Scalar, Eigen::Dynamic, 2, Eigen::RowMajor>;  // μ, rstd per row

// y = (x - μ)·rstd·γ + β, row by row: the recomputation of the output for consumers' backward.
// layer_norm's forward calls normalize_row itself (in its statistics loop): the two must stay the
// same call, so that the recomputed output is the forward's bit for bit.
Matrix normalize(const Matrix& x, const RowStats& stats, const Matrix& gamma, const Matrix& beta) {
  Matrix y(x.rows(), x.cols());
  parallel_for(x.rows(), kNormRowGrain, [&](Index begin, Index end) {
    for (Index r = begin; r < end; ++r)
      normalize_row(x.row(r).data(), stats(r, 0), stats(r, 1), gamma.data(), beta.data(), y.row(r).data(), x.cols());
  });
  return y;
}

}  // namespace

// layer_norm(x[N,C], γ[1,C], β[1,C]) -> y = x̂·γ + β,  x̂ = (x - μ)·rstd,  rstd = 1/sqrt(σ² + eps)
//   dβ = Σ_rows dy    dγ = Σ_rows dy ⊙ x̂    dx = rstd · (g - mean(g) - x̂ · mean(g ⊙ x̂)),  g = dy ⊙ γ
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, Scalar eps) {
  const Index n = x.rows(), c = x.cols();
  HEED_CHECK(gamma.rows() == 1 && gamma.cols() == c && beta.rows() == 1 && beta.cols() == c,
             "layer_norm: input is " << shape_str(x.value()) << " but gamma is " << shape_str(gamma.value())
                                     << " and beta " << shape_str(beta.value()) << ", expected (1," << c << ")");
  // Only the row statistics are kept; backward rebuilds x̂ from x, which its producer keeps anyway.
  auto stats = std::make_shared<RowStats>(n, 2);
  Matrix out(n, c);
  parallel_for(n, kNormRowGrain, [&](Index begin, Index end) {  // statistics and output row by row: one loop
    for (Index r = begin; r < end; ++r) {
      const Scalar mu = x.value().row(r).mean();
      (*stats)(r, 0) = mu;
      (*stats)(r, 1) = Scalar(1) / std::sqrt((x.value().row(r).array() - mu).square().sum() / Scalar(c) + eps);
      normalize_row(x.value().row(r).data(), mu, (*stats)(r, 1), gamma.value().data(), beta.value().data(),
                    out.row(r).data(), c);
    }
  });
  Tensor y = record("layer_norm", std::move(out), {x, gamma, beta},
                    [x, gamma, beta = GradRef(beta), stats](const Matrix& d_y) {
    const Index rows = d_y.rows(), cols = d_y.cols();
    // Threads take fixed chunks of rows; dγ and dβ are summed per chunk, then over chunks in
    // order, so the result does not depend on the thread count (nor on the loop running inline).
    const Index chunks = (rows + kNormRowGrain - 1) / kNormRowGrain;
    Matrix d_gamma_parts = Matrix::Zero(chunks, cols), d_beta_parts = Matrix::Zero(chunks, cols);
    bool x_first = false;
    Matrix* d_x = x.requires_grad() ? &x.grad_for_write(&x_first) : nullptr;
    parallel_for(chunks, 1, [&](Index chunk_begin, Index chunk_end) {
      for (Index chunk = chunk_begin; chunk < chunk_end; ++chunk) {
        const Index row_end = std::min(rows, (chunk + 1) * kNormRowGrain);
        for (Index r = chunk * kNormRowGrain; r < row_end; ++r)
          norm_backward_row(x.value().row(r).data(), d_y.row(r).data(), gamma.value().data(), (*stats)(r, 0),
                            (*stats)(r, 1), d_gamma_parts.row(chunk).data(), d_beta_parts.row(chunk).data(),
                            d_x ? d_x->row(r).data() : nullptr, d_x && !x_first, cols);
      }
    });
    if (gamma.requires_grad()) gamma.grad() += d_gamma_parts.colwise().sum();
    if (beta.requires_grad()) beta.grad() += d_beta_parts.colwise().sum();
  });
  // The output is one cheap pass over x, which this op's backward keeps anyway: consumers
  // (linear layers) save this recipe instead of the output, which saves one (N,C) matrix per
  // norm between forward and backward.
  if (y.requires_grad())
    y.node()->recompute = std::make_shared<const std::function<Matrix()>>(
        [x, gamma, beta, stats] { return normalize(x.value(), *stats, gamma.value(), beta.value()); });
  return y;
}

// dropout(x, p) -> y = x ⊙ keep / (1 - p)    dx = dy ⊙ keep / (1 - p)    (mask regenerated)
Tensor dropout(const Tensor& x, Scalar p, Rng& rng) {
  HEED_CHECK(p >= 0 && p < 1, "dropout: p is " << p << ", expected 0 <= p < 1");
  if (p == 0) return x;
  const DropoutMask mask(double(p), rng.next());
  const Scalar scale = Scalar(1) / (1 - p);
  Matrix y(x.rows(), x.cols());
  mask.apply(x.value().data(), y.data(), y.size(), 0, scale);
  return record("dropout", std::move(y), {x}, [x = GradRef(x), mask, scale](const Matrix& d_y) {
    mask.accumulate(d_y.data(), x.grad().data(), d_y.size(), 0, scale);
  });
}

HEED_NAMESPACE_END
