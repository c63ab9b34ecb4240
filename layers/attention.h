// Multi-head attention as nn.MultiheadAttention computes it, q, k, v packed in
// in_proj_weight [3C, C] and in_proj_bias [3C], then out_proj.
#pragma once

#include "layers/basic.h"

HEED_NAMESPACE_BEGIN

struct AttentionResult {
  Tensor output;   // (B·Tq, C)
  Tensor weights;  // (B·H·Tq, Tk), every head's attention (after masking, before dropout); set when asked
};

class MultiHeadAttention : public Module {
 public:
  // Init as PyTorch: in_proj_weight Xavier-uniform, in_proj_bias 0, out_proj U(±1/sqrt(C)), bias 0.
  // Dropout on the attention weights draws from dropout_rng (null: from rng).
  MultiHeadAttention(Index d_model, Index num_heads, Scalar dropout, Rng& rng, Rng* dropout_rng = nullptr);

  // query (B·Tq, C) attends to key_value (B·Tk, C); self-attention passes the same tensor
  // twice. mask (B·Tq, Tk), true = may attend; empty = attend everywhere.
  AttentionResult forward(const Tensor& query, const Tensor& key_value, const Mask& mask, Index batch,
                          bool need_weights = false) const;

  Index num_heads() const { return num_heads_; }

  Tensor in_proj_weight, in_proj_bias;
  Linear out_proj;

 private:
  Index d_model_, num_heads_;
  Dropout attn_dropout_;
};

HEED_NAMESPACE_END
