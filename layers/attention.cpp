// Multi-head scaled dot-product attention.
#include "layers/attention.h"

#include <cmath>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/tape.h"
#include "layers/init.h"

HEED_NAMESPACE_BEGIN

namespace {

// Linear attention's weights, for looking at them (translate --dump-attention): row i of a head
// is φ(q_i)·φ(k_j) over the keys it sees, normalised; O(T²), so only when asked, and constant.
// q_heads (B·H·Tq, D), k_heads (B·H·Tk, D), mask (B·Tq, Tk) -> (B·H·Tq, Tk)
Tensor linear_attention_weights(const Matrix& q_heads, const Matrix& k_heads, const Mask& mask, Index batch, Index heads) {
  const Index q_len = q_heads.rows() / (batch * heads), k_len = k_heads.rows() / (batch * heads);
  const Matrix fq = linear_attention_features(q_heads), fk = linear_attention_features(k_heads);
  Matrix w(q_heads.rows(), k_len);
  for (Index blk = 0; blk < batch * heads; ++blk) {
    auto block = w.middleRows(blk * q_len, q_len);
    block.noalias() = fq.middleRows(blk * q_len, q_len) * fk.middleRows(blk * k_len, k_len).transpose();
    for (Index t = 0; t < q_len; ++t) {
      const Index b = blk / heads;
      if (mask.size() > 0)
        for (Index j = 0; j < k_len; ++j) block(t, j) = mask(b * q_len + t, j) ? block(t, j) : Scalar(0);
      const Scalar total = block.row(t).sum();
      if (total > 0) block.row(t) /= total;
    }
  }
  return Tensor(std::move(w));
}

}  // namespace

MultiHeadAttention::MultiHeadAttention(Index d_model, Index num_heads, Scalar dropout, Rng& rng, Rng* dropout_rng,
                                       AttentionKind kind)
    : out_proj(d_model, d_model, rng),
      d_model_(d_model),
      num_heads_(num_heads),
      attn_dropout_(dropout, dropout_rng ? *dropout_rng : rng),
      linear_(kind == AttentionKind::Linear) {
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
Tensor MultiHeadAttention::project(const Tensor& x, Index first, Index count) const {
  if (int8_in_proj && !grad_enabled())
    return Tensor(linear_int8(x.value(), *int8_in_proj, first, count, in_proj_bias.value().middleCols(first, count)));
  if (first == 0 && count == in_proj_weight.rows()) return linear(x, in_proj_weight, in_proj_bias);
  return linear(x, slice_rows(in_proj_weight, first, count), slice_cols(in_proj_bias, first, count));
}

AttentionResult MultiHeadAttention::forward(const Tensor& query, const Tensor& key_value, const AttentionMask& mask,
                                            Index batch, bool need_weights) const {
  const Index c = d_model_, heads = num_heads_;
  HEED_CHECK(query.cols() == c && key_value.cols() == c && query.rows() % batch == 0 && key_value.rows() % batch == 0,
             "attention: query " << shape_str(query.value()) << " and key/value " << shape_str(key_value.value())
                                 << " for batch " << batch << " and d_model " << c);
  const Index q_len = query.rows() / batch, k_len = key_value.rows() / batch;
  mask.check(batch, q_len, k_len, "attention");
  // Projections: q from the query, k and v from key_value; self-attention does all three in
  // one product, whose columns are [q | k | v].
  Tensor q_src, kv_src;
  Index q_col = 0, k_col = 0;
  if (query.same_as(key_value)) {
    q_src = kv_src = project(query, 0, 3 * c);  // (B·T, 3C)
    k_col = c;
  } else {
    q_src = project(query, 0, c);           // (B·Tq, C)
    kv_src = project(key_value, c, 2 * c);  // (B·Tk, 2C)
  }
  const Index v_col = k_col + c;
  const Scalar scale = Scalar(1) / std::sqrt(Scalar(c / heads));
  AttentionResult result;
  Tensor context;  // (B·Tq, C), heads side by side
  if (linear_) {
    HEED_CHECK(!mask.is_matrix() && mask.before() < 0 && mask.after() <= 0,
               "attention: linear attention takes key padding and causality, not a mask matrix or a window");
    const Tensor q_heads = split_heads(q_src, batch, heads, q_col, c), k_heads = split_heads(kv_src, batch, heads, k_col, c);
    const Tensor heads_out = linear_attention(q_heads, k_heads, split_heads(kv_src, batch, heads, v_col, c),
                                              mask.keys() ? *mask.keys() : Mask(),
                                              {.batch = batch, .heads = heads, .causal = mask.after() == 0});
    context = merge_heads(heads_out, batch, heads);
    if (need_weights)
      result.weights = linear_attention_weights(q_heads.value(), k_heads.value(),
                                                mask.empty() ? Mask() : mask.to_matrix(batch, q_len, k_len), batch, heads);
  } else if (!need_weights && !unfused_) {  // the fused op on the projections' columns: no copies, no score matrices kept
    const bool drop = attn_dropout_.is_training() && attn_dropout_.p() > 0;
    context = attention_merged(q_src, q_col, kv_src, k_col, v_col, c, mask,
                               {.batch = batch, .heads = heads, .scale = scale, .dropout = drop ? attn_dropout_.p() : Scalar(0),
                                .rng = drop ? &attn_dropout_.rng() : nullptr});
  } else {  // the same computation from separate ops, so the weights can be returned (or when asked: unfused)
    const Tensor q_heads = split_heads(q_src, batch, heads, q_col, c);  // (B·H·Tq, D)
    const Tensor k_heads = split_heads(kv_src, batch, heads, k_col, c), v_heads = split_heads(kv_src, batch, heads, v_col, c);
    const Tensor scores = batched_matmul(q_heads * scale, k_heads, batch * heads, {.transpose_b = true});
    result.weights = mask.empty() ? softmax(scores)
                                  : masked_softmax(scores, mask.to_matrix(batch, q_len, k_len), {.heads = heads, .q_len = q_len});
    context = merge_heads(batched_matmul(attn_dropout_.forward(result.weights), v_heads, batch * heads), batch, heads);
  }
  result.output = out_proj.forward(context);
  return result;
}

HEED_NAMESPACE_END
