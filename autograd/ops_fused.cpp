// Fused ops for the Transformer's hot paths: each keeps less for backward than the ops it
// replaces (no intermediate results, dropout masks regenerated from a seed).
#include "autograd/check.h"
#include "autograd/dropout_mask.h"
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

constexpr Index kRowGrain = 256;

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
  parallel_for(x.rows(), kRowGrain, [&](Index begin, Index end) {
    auto rows = y.middleRows(begin, end - begin);
    rows.noalias() = x.value().middleRows(begin, end - begin) * weight.value().transpose();
    rows.rowwise() += bias.value().row(0);
    rows = rows.cwiseMax(Scalar(0));
    if (p > 0) mask.apply(rows.data(), rows.data(), rows.size(), std::uint64_t(begin * y.cols()), scale);
  });
  return record("linear_relu_dropout", std::move(y), {x, weight, bias}, [x, weight, bias = GradRef(bias), scale](const Matrix& d_y, const Matrix& y_out) {
    const Matrix g = (y_out.array() > 0).select(d_y.array() * scale, Scalar(0)).matrix();
    if (x.requires_grad()) {
      Matrix& d_x = x.grad();
      parallel_for(g.rows(), kRowGrain, [&](Index begin, Index end) {
        d_x.middleRows(begin, end - begin).noalias() += g.middleRows(begin, end - begin) * weight.value();
      });
    }
    if (weight.requires_grad()) {
      Matrix& d_w = weight.grad();
      parallel_for(d_w.rows(), std::max<Index>(8, d_w.rows() / 8), [&](Index begin, Index end) {
        d_w.middleRows(begin, end - begin).noalias() += g.middleCols(begin, end - begin).transpose() * x.value();
      });
    }
    if (bias.requires_grad()) bias.grad() += g.colwise().sum();
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
  auto dropped = [mask, scale](const Matrix& m) {
    Matrix out(m.rows(), m.cols());
    mask.apply(m.data(), out.data(), m.size(), 0, scale);
    return out;
  };
  Matrix out = dropped(y.value());
  out += x.value();
  return record("add_dropout", std::move(out), {x, y}, [x = GradRef(x), y = GradRef(y), dropped](const Matrix& d_out) {
    if (x.requires_grad()) x.grad() += d_out;
    if (y.requires_grad()) y.grad() += dropped(d_out);
  });
}

HEED_NAMESPACE_END
