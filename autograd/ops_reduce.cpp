// Sums and means over everything, over rows, or over columns.
#include "autograd/ops.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

// sum(x) -> s    dx = ds (every element)
Tensor sum(const Tensor& x) {
  return record("sum", Matrix::Constant(1, 1, x.value().sum()), {x},
                [x = GradRef(x)](const Matrix& d_s) { x.grad().array() += d_s(0, 0); });
}

// mean(x) -> s    dx = ds / size
Tensor mean(const Tensor& x) {
  const Scalar n = Scalar(x.size());
  return record("mean", Matrix::Constant(1, 1, x.value().sum() / n), {x},
                [x = GradRef(x), n](const Matrix& d_s) { x.grad().array() += d_s(0, 0) / n; });
}

// sum_over_rows(x[r,c]) -> s[1,c]    dx[i,:] = ds
Tensor sum_over_rows(const Tensor& x) {
  return record("sum_over_rows", x.value().colwise().sum(), {x},
                [x = GradRef(x)](const Matrix& d_s) { x.grad().rowwise() += d_s.row(0); });
}

// mean_over_rows(x[r,c]) -> s[1,c]    dx[i,:] = ds / r
Tensor mean_over_rows(const Tensor& x) {
  const Scalar n = Scalar(x.rows());
  return record("mean_over_rows", x.value().colwise().sum() / n, {x},
                [x = GradRef(x), n](const Matrix& d_s) { x.grad().rowwise() += d_s.row(0) / n; });
}

// sum_over_cols(x[r,c]) -> s[r,1]    dx[:,j] = ds
Tensor sum_over_cols(const Tensor& x) {
  return record("sum_over_cols", x.value().rowwise().sum(), {x},
                [x = GradRef(x)](const Matrix& d_s) { x.grad().colwise() += d_s.col(0); });
}

// mean_over_cols(x[r,c]) -> s[r,1]    dx[:,j] = ds / c
Tensor mean_over_cols(const Tensor& x) {
  const Scalar n = Scalar(x.cols());
  return record("mean_over_cols", x.value().rowwise().sum() / n, {x},
                [x = GradRef(x), n](const Matrix& d_s) { x.grad().colwise() += d_s.col(0) / n; });
}

HEED_NAMESPACE_END
