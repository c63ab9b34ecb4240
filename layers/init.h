// Parameter initialisers, matching PyTorch's defaults in distribution (not in random stream).
#pragma once

#include "autograd/random.h"
#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

// Uniform in [-bound, bound).
inline Matrix uniform_matrix(Index rows, Index cols, double bound, Rng& rng) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = Scalar((2 * rng.uniform() - 1) * bound);
  return m;
}

// Standard normal.
inline Matrix normal_matrix(Index rows, Index cols, Rng& rng) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = Scalar(rng.normal());
  return m;
}

HEED_NAMESPACE_END
