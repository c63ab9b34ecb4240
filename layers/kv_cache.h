// Step-by-step attention over cached keys and values: one new query per sequence attends to the
// keys and values of the positions before it (and its own), kept from earlier steps. Shared by
// the encoder-decoder's incremental decoder and the language model's. Inference only (no tape).
#pragma once

#include <vector>

#include "layers/attention.h"

HEED_NAMESPACE_BEGIN

// q (B, C); k and v hold `stride` rows per sequence, of which the first `len` are attended to;
// keys (B, len) masks them unless empty -> context (B, C), heads split as MultiHeadAttention does.
Matrix attend_cached(const Matrix& q, const Matrix& k, const Matrix& v, Index heads, Index stride, Index len,
                     const Mask& keys);

// Rows of m in blocks of `stride` per sequence -> the blocks of sequences `rows`, in that order.
Matrix gather_sequences(const Matrix& m, Index stride, const std::vector<Index>& rows);

// One self-attention layer's keys and values of the positions decoded so far.
class SelfAttentionCache {
 public:
  SelfAttentionCache(Index batch, Index max_steps, Index d_model);
  // x (B, C) at `position` -> out_proj(attention over positions 0..position) (B, C); keeps x's key and value.
  Tensor step(const MultiHeadAttention& attn, const Tensor& x, Index position);
  // Keeps sequences `rows`, in that order (repeats allowed).
  void select(const std::vector<Index>& rows);

 private:
  Matrix k_, v_;  // (B·max_steps, C): row b·max_steps + t
  Index max_steps_;
};

HEED_NAMESPACE_END
