// Multi-head attention as nn.MultiheadAttention computes it, q, k, v packed in
// in_proj_weight [3C, C] and in_proj_bias [3C], then out_proj.
#pragma once

#include "autograd/attention_mask.h"
#include "layers/basic.h"
#include "layers/model_config.h"

HEED_NAMESPACE_BEGIN

struct AttentionResult {
  Tensor output;   // (B·Tq, C)
  Tensor weights;  // (B·H·Tq, Tk), every head's attention (after masking, before dropout); set when asked
};

class MultiHeadAttention : public Module {
 public:
  // Init as PyTorch: in_proj_weight Xavier-uniform, in_proj_bias 0, out_proj U(±1/sqrt(C)), bias 0.
  // Dropout on the attention weights draws from dropout_rng (null: from rng). kind Linear replaces
  // the softmax by linear attention's kernel; Full and Local are both softmax attention, which
  // keys a query sees being the mask's business.
  MultiHeadAttention(Index d_model, Index num_heads, Scalar dropout, Rng& rng, Rng* dropout_rng = nullptr,
                     AttentionKind kind = AttentionKind::Full);

  // query (B·Tq, C) attends to key_value (B·Tk, C); self-attention passes the same tensor
  // twice. mask (B·Tq, Tk) or a pattern, true = may attend; empty = attend everywhere. Linear
  // attention takes a pattern of padding, causal or not, without a window; its weights, when asked,
  // are φ(q)·φ(k) normalised, computed for looking only (no gradient).
  AttentionResult forward(const Tensor& query, const Tensor& key_value, const AttentionMask& mask, Index batch,
                          bool need_weights = false) const;

  Index num_heads() const { return num_heads_; }
  bool is_linear() const { return linear_; }
  // Softmax attention from separate ops (scores, masked softmax, dropout, weighted sum), as a
  // framework without a fused kernel computes it: the (B·H·Tq, Tk) scores and weights are
  // materialised and the weights kept for backward, and a mask pattern becomes a (B·Tq, Tk)
  // matrix. The same numbers as the fused kernel, in memory quadratic in length; for measuring
  // what the kernel saves (heed bench --attention naive). Linear attention ignores it.
  void set_unfused(bool on) { unfused_ = on; }
  bool is_unfused() const { return unfused_; }

  // x·W[first : first+count]ᵀ + b[first : first+count] of the packed in_proj: q is [0, C), k and
  // v [C, 3C). 8-bit when quantized (layers/quantize.h) and gradients are off.
  Tensor project(const Tensor& x, Index first, Index count) const;

  Tensor in_proj_weight, in_proj_bias;
  std::shared_ptr<const Int8Matrix> int8_in_proj;  // set by quantize_int8
  Linear out_proj;

 private:
  Index d_model_, num_heads_;
  Dropout attn_dropout_;
  bool linear_;
  bool unfused_ = false;
};

HEED_NAMESPACE_END
