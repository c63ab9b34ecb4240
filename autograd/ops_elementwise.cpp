// Binary elementwise ops with row/column broadcasting, and scalar ops.
#include "autograd/broadcast.h"
#include "autograd/ops.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

// Accumulates g (the gradient of a broadcast result) into x's gradient, reducing as needed.
void accumulate(const GradRef& x, const Matrix& g) {
  if (x.requires_grad()) x.grad() += reduce_to(g, x.rows(), x.cols());
}

}  // namespace

// add(A, B) -> C    dA = dC    dB = dC   (summed over broadcast dimensions)
Tensor add(const Tensor& a, const Tensor& b) {
  Index rows, cols;
  broadcast_shape("add", a.value(), b.value(), rows, cols);
  Matrix c = broadcast_to(a.value(), rows, cols) + broadcast_to(b.value(), rows, cols);
  return record("add", std::move(c), {a, b}, [a = GradRef(a), b = GradRef(b)](const Matrix& d_c) {
    accumulate(a, d_c);
    accumulate(b, d_c);
  });
}

// sub(A, B) -> C    dA = dC    dB = -dC
Tensor sub(const Tensor& a, const Tensor& b) {
  Index rows, cols;
  broadcast_shape("sub", a.value(), b.value(), rows, cols);
  Matrix c = broadcast_to(a.value(), rows, cols) - broadcast_to(b.value(), rows, cols);
  return record("sub", std::move(c), {a, b}, [a = GradRef(a), b = GradRef(b)](const Matrix& d_c) {
    accumulate(a, d_c);
    accumulate(b, -d_c);
  });
}

// mul(A, B) -> C    dA = dC ⊙ B    dB = dC ⊙ A
Tensor mul(const Tensor& a, const Tensor& b) {
  Index rows, cols;
  broadcast_shape("mul", a.value(), b.value(), rows, cols);
  Matrix c = broadcast_to(a.value(), rows, cols).cwiseProduct(broadcast_to(b.value(), rows, cols));
  return record("mul", std::move(c), {a, b}, [a, b, rows, cols](const Matrix& d_c) {
    if (a.requires_grad()) accumulate(a, d_c.cwiseProduct(broadcast_to(b.value(), rows, cols)));
    if (b.requires_grad()) accumulate(b, d_c.cwiseProduct(broadcast_to(a.value(), rows, cols)));
  });
}

// div(A, B) -> C    dA = dC / B    dB = -dC ⊙ A / B²
Tensor div(const Tensor& a, const Tensor& b) {
  Index rows, cols;
  broadcast_shape("div", a.value(), b.value(), rows, cols);
  Matrix c = broadcast_to(a.value(), rows, cols).cwiseQuotient(broadcast_to(b.value(), rows, cols));
  return record("div", std::move(c), {a, b}, [a, b, rows, cols](const Matrix& d_c) {
    const Matrix b_full = broadcast_to(b.value(), rows, cols);
    if (a.requires_grad()) accumulate(a, d_c.cwiseQuotient(b_full));
    if (b.requires_grad()) {
      const Matrix a_full = broadcast_to(a.value(), rows, cols);
      accumulate(b, (-d_c.array() * a_full.array() / b_full.array().square()).matrix());
    }
  });
}

// add_scalar(x, s) -> y = x + s    dx = dy
Tensor add_scalar(const Tensor& x, Scalar s) {
  return record("add_scalar", (x.value().array() + s).matrix(), {x},
                [x = GradRef(x)](const Matrix& d_y) { x.grad() += d_y; });
}

// mul_scalar(x, s) -> y = s·x    dx = s·dy
Tensor mul_scalar(const Tensor& x, Scalar s) {
  return record("mul_scalar", x.value() * s, {x}, [x = GradRef(x), s](const Matrix& d_y) { x.grad() += s * d_y; });
}

// pow_scalar(x, p) -> y = x^p    dx = dy · p · x^(p-1)   (0 for p = 0, also at x = 0)
Tensor pow_scalar(const Tensor& x, Scalar p) {
  return record("pow_scalar", x.value().array().pow(p).matrix(), {x}, [x, p](const Matrix& d_y) {
    if (p == 0) return;
    x.grad().array() += d_y.array() * p * x.value().array().pow(p - 1);
  });
}

HEED_NAMESPACE_END
