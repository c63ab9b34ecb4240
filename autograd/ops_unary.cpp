// Elementwise activations and transcendental functions.
#include <cmath>

#include "autograd/ops.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

// exp(x) -> y    dx = dy ⊙ y
Tensor exp(const Tensor& x) {
  return record("exp", x.value().array().exp().matrix(), {x},
                [x = GradRef(x)](const Matrix& d_y, const Matrix& y) { x.grad() += d_y.cwiseProduct(y); });
}

// log(x) -> y    dx = dy / x
Tensor log(const Tensor& x) {
  return record("log", x.value().array().log().matrix(), {x},
                [x](const Matrix& d_y) { x.grad() += d_y.cwiseQuotient(x.value()); });
}

// tanh(x) -> y    dx = dy ⊙ (1 - y²)
Tensor tanh(const Tensor& x) {
  return record("tanh", x.value().array().tanh().matrix(), {x}, [x = GradRef(x)](const Matrix& d_y, const Matrix& y) {
    x.grad().array() += d_y.array() * (1 - y.array().square());
  });
}

// sigmoid(x) -> y = 1 / (1 + e^-x)    dx = dy ⊙ y ⊙ (1 - y)
Tensor sigmoid(const Tensor& x) {
  Matrix y = (1 + (-x.value().array()).exp()).inverse().matrix();
  return record("sigmoid", std::move(y), {x}, [x = GradRef(x)](const Matrix& d_y, const Matrix& y_saved) {
    x.grad().array() += d_y.array() * y_saved.array() * (1 - y_saved.array());
  });
}

// relu(x) -> y = max(x, 0)    dx = dy ⊙ [x > 0]
Tensor relu(const Tensor& x) {
  return record("relu", x.value().cwiseMax(Scalar(0)), {x}, [x = GradRef(x)](const Matrix& d_y, const Matrix& y) {
    x.grad().array() += (y.array() > 0).select(d_y.array(), Scalar(0));
  });
}

// gelu(x) -> y = x·Φ(x)    dx = dy ⊙ (Φ(x) + x·φ(x)),  Φ, φ the standard normal cdf and pdf
Tensor gelu(const Tensor& x) {
  auto cdf = [](Scalar v) { return Scalar(0.5) * (1 + std::erf(v * Scalar(0.70710678118654752440))); };
  Matrix y = x.value().unaryExpr([cdf](Scalar v) { return v * cdf(v); });
  return record("gelu", std::move(y), {x}, [x, cdf](const Matrix& d_y) {
    auto slope = [cdf](Scalar v) {
      return cdf(v) + v * Scalar(0.39894228040143267794) * std::exp(Scalar(-0.5) * v * v);
    };
    x.grad() += d_y.cwiseProduct(x.value().unaryExpr(slope));
  });
}

HEED_NAMESPACE_END
