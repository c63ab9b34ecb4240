#include "swish.h"

using namespace heed;

// swish(x) -> y = x ⊙ s, s = sigmoid(x)    dx = dy ⊙ (s + y ⊙ (1 - s))
Tensor swish(const Tensor& x) {
  Matrix s = (1 + (-x.value().array()).exp()).inverse().matrix();
  Matrix y = x.value().cwiseProduct(s);
  // The backward needs s and the output, and sends a gradient to x: it keeps x's gradient slot only.
  return record("swish", std::move(y), {x}, [x = GradRef(x), s = std::move(s)](const Matrix& d_y, const Matrix& out) {
    x.grad().array() += d_y.array() * (s.array() + out.array() * (1 - s.array()));
  });
}
