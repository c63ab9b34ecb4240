// Sinusoidal and learned positional encodings.
#include "layers/positional.h"

#include <cmath>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "layers/init.h"

HEED_NAMESPACE_BEGIN

Matrix sinusoidal_table(Index max_len, Index dim) {
  Matrix pe = Matrix::Zero(max_len, dim);
  for (Index i = 0; 2 * i < dim; ++i) {
    // computed in float as the reference does, so the tables agree to the last bit or two
    const float w = std::exp(float(2 * i) * (-std::log(10000.0f) / float(dim)));
    for (Index t = 0; t < max_len; ++t) {
      const float angle = float(t) * w;
      pe(t, 2 * i) = Scalar(std::sin(angle));
      if (2 * i + 1 < dim) pe(t, 2 * i + 1) = Scalar(std::cos(angle));
    }
  }
  return pe;
}

PositionalEncoding::PositionalEncoding(Index max_len, Index dim, bool learned, Rng& rng) {
  if (learned) {
    Matrix init = normal_matrix(max_len, dim, rng) * Scalar(0.02);
    table_ = register_parameter("weight", Tensor(std::move(init)));
  } else {
    table_ = Tensor(sinusoidal_table(max_len, dim));
  }
}

// x (B·T, C) + table[t] for each row b·T + t
Tensor PositionalEncoding::forward(const Tensor& x, Index batch) const {
  const Index seq = x.rows() / batch;
  HEED_CHECK(seq <= table_.rows(), "positional encoding: sequence of " << seq << " positions exceeds max_len "
                                                                       << table_.rows());
  const Tensor rows = slice_rows(table_, 0, seq);
  if (batch == 1) return add(x, rows);
  std::vector<Tensor> copies(std::size_t(batch), rows);
  return add(x, concat_rows(copies));
}

Tensor PositionalEncoding::position(Index t) const {
  HEED_CHECK(t < table_.rows(), "positional encoding: position " << t << " exceeds max_len " << table_.rows());
  return slice_rows(table_, t, 1);
}

HEED_NAMESPACE_END
