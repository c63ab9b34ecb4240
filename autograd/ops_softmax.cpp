// Softmax, log-softmax and masked softmax over the last axis (each row).
#include <limits>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

// Shared backward of softmax and masked softmax: dx = y ⊙ (dy - Σ_row dy ⊙ y).
// Masked entries have y = 0, so they (and fully masked rows) get zero gradient.
void softmax_backward(const GradRef& x, const Matrix& d_y, const Matrix& y) {
  Matrix& d_x = x.grad();
  for (Index r = 0; r < y.rows(); ++r) {
    const Scalar dot = d_y.row(r).dot(y.row(r));
    d_x.row(r).array() += y.row(r).array() * (d_y.row(r).array() - dot);
  }
}

}  // namespace

// softmax(x) -> y    dx = y ⊙ (dy - Σ_row dy ⊙ y)
Tensor softmax(const Tensor& x) {
  Matrix y = (x.value().colwise() - x.value().rowwise().maxCoeff()).array().exp().matrix();
  y.array().colwise() /= y.rowwise().sum().array();
  return record("softmax", std::move(y), {x},
                [x = GradRef(x)](const Matrix& d_y, const Matrix& y_saved) { softmax_backward(x, d_y, y_saved); });
}

// log_softmax(x) -> y = x - logΣexp(x)    dx = dy - softmax(x) · Σ_row dy
Tensor log_softmax(const Tensor& x) {
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> max = x.value().rowwise().maxCoeff();
  Matrix shifted = x.value().colwise() - max;
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> lse = shifted.array().exp().rowwise().sum().log().matrix();
  shifted.colwise() -= lse;
  return record("log_softmax", std::move(shifted), {x}, [x = GradRef(x)](const Matrix& d_y, const Matrix& y) {
    x.grad() += d_y - (y.array().exp().colwise() * d_y.rowwise().sum().array()).matrix();
  });
}

// masked_softmax(s, mask) -> y, softmax over the keys with mask true; masked keys and fully
// masked rows get y = 0.    ds = y ⊙ (dy - Σ_row dy ⊙ y)
Tensor masked_softmax(const Tensor& scores, const Mask& mask, MaskBroadcast bc) {
  const Index q_len = bc.heads == 1 ? 1 : bc.q_len;
  HEED_CHECK(bc.heads == 1 || bc.q_len >= 1, "masked_softmax: " << bc.heads << " heads need q_len, the queries per sequence");
  HEED_CHECK(bc.heads >= 1 && q_len >= 1 && mask.cols() == scores.cols() &&
                 mask.rows() * bc.heads == scores.rows() && mask.rows() % q_len == 0,
             "masked_softmax: scores are " << shape_str(scores.value()) << " but mask is " << shape_str(mask)
                                           << " with " << bc.heads << " heads of " << bc.q_len << " queries");
  const Matrix& s = scores.value();
  Matrix y = Matrix::Zero(s.rows(), s.cols());
  for (Index r = 0; r < s.rows(); ++r) {
    // score row (b·H + h)·Tq + t uses mask row b·Tq + t
    const Index mask_row = (r / (bc.heads * q_len)) * q_len + r % q_len;
    const auto allowed = mask.row(mask_row);
    Scalar max = -std::numeric_limits<Scalar>::infinity();
    for (Index c = 0; c < s.cols(); ++c)
      if (allowed(c)) max = std::max(max, s(r, c));
    if (max == -std::numeric_limits<Scalar>::infinity()) continue;  // nothing to attend to
    Scalar total = 0;
    for (Index c = 0; c < s.cols(); ++c)
      if (allowed(c)) total += (y(r, c) = std::exp(s(r, c) - max));
    y.row(r) /= total;
  }
  return record("masked_softmax", std::move(y), {scores},
                [scores = GradRef(scores)](const Matrix& d_y, const Matrix& y_saved) { softmax_backward(scores, d_y, y_saved); });
}

HEED_NAMESPACE_END
