// Multi-head scaled dot-product attention.
#include "layers/attention.h"

#include <cmath>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "layers/init.h"

HEED_NAMESPACE_BEGIN

MultiHeadAttention::MultiHeadAttention(Index d_model, Index num_heads, Scalar dropout, Rng& rng, Rng* dropout_rng)
    : out_proj(d_model, d_model, rng),
      d_model_(d_model),
      num_heads_(num_heads),
      attn_dropout_(dropout, dropout_rng ? *dropout_rng : rng) {
  HEED_CHECK(num_heads > 0 && d_model % num_heads == 0,
             "attention: d_model " << d_model << " is not divisible by " << num_heads << " heads");
  const double xavier = std::sqrt(6.0 / double(d_model + 3 * d_model));
  in_proj_weight = register_parameter("in_proj_weight", Tensor(uniform_matrix(3 * d_model, d_model, xavier, rng)));
  in_proj_bias = register_parameter("in_proj_bias", Tensor(Matrix::Zero(1, 3 * d_model)), Rank::OneD);
  register_module("out_proj", out_proj);
  out_proj.bias.mutable_value().setZero();
  register_module("dropout", attn_dropout_);
}

// query (B·Tq, C), key_value (B·Tk, C) -> output (B·Tq, C)
AttentionResult MultiHeadAttention::forward(const Tensor& query, const Tensor& key_value, const Mask& mask,
                                            Index batch, bool need_weights) const {
  const Index c = d_model_, heads = num_heads_;
  HEED_CHECK(query.cols() == c && key_value.cols() == c && query.rows() % batch == 0 && key_value.rows() % batch == 0,
             "attention: query " << shape_str(query.value()) << " and key/value " << shape_str(key_value.value())
                                 << " for batch " << batch << " and d_model " << c);
  const Index q_len = query.rows() / batch, k_len = key_value.rows() / batch;
  Tensor q_heads, k_heads, v_heads;  // (B·H·Tq, D), (B·H·Tk, D), (B·H·Tk, D)
  if (query.same_as(key_value)) {  // self-attention: one product for q, k and v
    const Tensor qkv = linear(query, in_proj_weight, in_proj_bias);  // (B·T, 3C)
    q_heads = split_heads(qkv, batch, heads, 0, c);
    k_heads = split_heads(qkv, batch, heads, c, c);
    v_heads = split_heads(qkv, batch, heads, 2 * c, c);
  } else {  // cross-attention: q from the query, k and v from the memory
    q_heads = split_heads(linear(query, slice_rows(in_proj_weight, 0, c), slice_cols(in_proj_bias, 0, c)), batch, heads);
    const Tensor kv = linear(key_value, slice_rows(in_proj_weight, c, 2 * c), slice_cols(in_proj_bias, c, 2 * c));
    k_heads = split_heads(kv, batch, heads, 0, c);
    v_heads = split_heads(kv, batch, heads, c, c);
  }
  HEED_CHECK(mask.size() == 0 || (mask.rows() == batch * q_len && mask.cols() == k_len),
             "attention: mask is " << shape_str(mask) << ", expected (" << batch * q_len << "," << k_len << ")");
  const Scalar scale = Scalar(1) / std::sqrt(Scalar(c / heads));
  AttentionResult result;
  Tensor context;  // (B·H·Tq, D)
  if (!need_weights) {  // the fused op: no score matrices kept, long sequences in linear memory
    const bool drop = attn_dropout_.is_training() && attn_dropout_.p() > 0;
    context = attention(q_heads, k_heads, v_heads, mask,
                        {.batch = batch, .heads = heads, .scale = scale, .dropout = drop ? attn_dropout_.p() : Scalar(0),
                         .rng = drop ? &attn_dropout_.rng() : nullptr});
  } else {  // the same computation from separate ops, so the weights can be returned
    const Tensor scores = batched_matmul(q_heads * scale, k_heads, batch * heads, {.transpose_b = true});
    result.weights = mask.size() == 0 ? softmax(scores) : masked_softmax(scores, mask, {.heads = heads, .q_len = q_len});
    context = batched_matmul(attn_dropout_.forward(result.weights), v_heads, batch * heads);
  }
  result.output = out_proj.forward(merge_heads(context, batch, heads));
  return result;
}

HEED_NAMESPACE_END
