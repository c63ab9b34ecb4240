// Positional encodings: the fixed sinusoidal table and a learned table.
#pragma once

#include "autograd/random.h"
#include "layers/module.h"

HEED_NAMESPACE_BEGIN

// The (max_len, C) sinusoidal table of the reference model:
// pe[t, 2i] = sin(t·w_i), pe[t, 2i+1] = cos(t·w_i), w_i = exp(-2i·ln(10000)/C).
Matrix sinusoidal_table(Index max_len, Index dim);

// Adds a position vector to each row of x (B·T, C), row b·T + t getting position t.
class PositionalEncoding : public Module {
 public:
  // learned = false: the sinusoidal table, a constant; true: a trainable `weight` [max_len, C]
  // initialised N(0, 0.02²), small next to the embeddings scaled by sqrt(C).
  PositionalEncoding(Index max_len, Index dim, bool learned, Rng& rng);
  Tensor forward(const Tensor& x, Index batch) const;
  Index max_len() const { return table_.rows(); }
  // Row t of the table (1,C): the encoding of position t, for step-by-step decoding.
  Tensor position(Index t) const;

 private:
  Tensor table_;  // a parameter when learned, a constant otherwise
};

HEED_NAMESPACE_END
