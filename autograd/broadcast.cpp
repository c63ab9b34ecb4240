// Broadcasting over rows and columns for binary ops.
#include "autograd/broadcast.h"

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

void broadcast_shape(const char* op, const Matrix& a, const Matrix& b, Index& rows, Index& cols) {
  auto fits = [](Index x, Index y) { return x == y || x == 1 || y == 1; };
  HEED_CHECK(fits(a.rows(), b.rows()) && fits(a.cols(), b.cols()),
             op << ": shapes " << shape_str(a) << " and " << shape_str(b) << " do not broadcast");
  rows = std::max(a.rows(), b.rows());
  cols = std::max(a.cols(), b.cols());
}

Matrix broadcast_to(const Matrix& m, Index rows, Index cols) {
  if (m.rows() == rows && m.cols() == cols) return m;
  return m.replicate(rows / m.rows(), cols / m.cols());
}

Matrix reduce_to(const Matrix& g, Index rows, Index cols) {
  if (g.rows() == rows && g.cols() == cols) return g;
  if (rows == 1 && cols == 1) return Matrix::Constant(1, 1, g.sum());
  if (rows == 1) return g.colwise().sum();
  return g.rowwise().sum();
}

HEED_NAMESPACE_END
