// Fused layer norm and dropout.
#include <cmath>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

// layer_norm(x[N,C], γ[1,C], β[1,C]) -> y = x̂·γ + β,  x̂ = (x - μ)·rstd,  rstd = 1/sqrt(σ² + eps)
//   dβ = Σ_rows dy    dγ = Σ_rows dy ⊙ x̂    dx = rstd · (g - mean(g) - x̂ · mean(g ⊙ x̂)),  g = dy ⊙ γ
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, Scalar eps) {
  const Index n = x.rows(), c = x.cols();
  HEED_CHECK(gamma.rows() == 1 && gamma.cols() == c && beta.rows() == 1 && beta.cols() == c,
             "layer_norm: input is " << shape_str(x.value()) << " but gamma is " << shape_str(gamma.value())
                                     << " and beta " << shape_str(beta.value()) << ", expected (1," << c << ")");
  Matrix x_hat(n, c);
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> rstd(n);
  for (Index r = 0; r < n; ++r) {
    const Scalar mu = x.value().row(r).mean();
    x_hat.row(r) = x.value().row(r).array() - mu;
    rstd(r) = Scalar(1) / std::sqrt(x_hat.row(r).squaredNorm() / Scalar(c) + eps);
    x_hat.row(r) *= rstd(r);
  }
  Matrix y = (x_hat.array().rowwise() * gamma.value().row(0).array()).matrix();
  y.rowwise() += beta.value().row(0);
  return record("layer_norm", std::move(y), {x, gamma, beta},
                [x, gamma, beta, x_hat, rstd](const Matrix& d_y, const Matrix&) {
                  if (beta.requires_grad()) beta.grad() += d_y.colwise().sum();
                  if (gamma.requires_grad()) gamma.grad() += d_y.cwiseProduct(x_hat).colwise().sum();
                  if (!x.requires_grad()) return;
                  const Matrix g = (d_y.array().rowwise() * gamma.value().row(0).array()).matrix();
                  const Scalar inv_c = Scalar(1) / Scalar(g.cols());
                  Matrix& d_x = x.grad();
                  for (Index r = 0; r < g.rows(); ++r) {
                    const Scalar mean_g = g.row(r).sum() * inv_c;
                    const Scalar mean_gx = g.row(r).dot(x_hat.row(r)) * inv_c;
                    d_x.row(r).array() += rstd(r) * (g.row(r).array() - mean_g - x_hat.row(r).array() * mean_gx);
                  }
                });
}

// dropout(x, p) -> y = x ⊙ keep / (1 - p)    dx = dy ⊙ keep / (1 - p)
Tensor dropout(const Tensor& x, Scalar p, Rng& rng) {
  HEED_CHECK(p >= 0 && p < 1, "dropout: p is " << p << ", expected 0 <= p < 1");
  if (p == 0) return x;
  const Scalar scale = Scalar(1) / (1 - p);
  Matrix keep(x.rows(), x.cols());  // 0 or 1/(1-p): the mask and the scale in one
  // Two 32-bit draws per generator step: element dropped when its draw < p·2³².
  const std::uint64_t threshold = std::uint64_t(double(p) * 4294967296.0);
  Scalar* k = keep.data();
  const Index n = keep.size();
  for (Index i = 0; i < n; i += 2) {
    const std::uint64_t bits = rng.next();
    k[i] = (bits & 0xFFFFFFFFu) < threshold ? Scalar(0) : scale;
    if (i + 1 < n) k[i + 1] = (bits >> 32) < threshold ? Scalar(0) : scale;
  }
  Matrix y = x.value().cwiseProduct(keep);
  return record("dropout", std::move(y), {x},
                [x, keep](const Matrix& d_y, const Matrix&) { x.grad() += d_y.cwiseProduct(keep); });
}

HEED_NAMESPACE_END
