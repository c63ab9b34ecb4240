// The decoder run one position at a time over cached keys and values.
#include "layers/incremental_decoder.h"

#include <cmath>
#include <limits>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/tape.h"
#include "layers/masks.h"

HEED_NAMESPACE_BEGIN

IncrementalDecoder::IncrementalDecoder(const Transformer& model, const EncodedSource& source, Index max_steps)
    : model_(model), src_keys_(non_pad_mask(source.src, source.batch)), batch_(source.batch), src_len_(src_keys_.cols()),
      max_steps_(max_steps) {
  HEED_CHECK(max_steps <= model.config().max_len,
             "decoder: " << max_steps << " steps exceed the model's max_len " << model.config().max_len);
  NoGradGuard no_grad;
  const Index c = model.config().d_model, batch = source.batch;
  const Tensor& memory = source.memory;
  for (const auto& layer : model.decoder.layers) {
    const MultiHeadAttention& cross = layer->multihead_attn;
    LayerCache cache;
    cache.self_k = Matrix::Zero(batch * max_steps, c);
    cache.self_v = Matrix::Zero(batch * max_steps, c);
    const Tensor kv = linear(memory, slice_rows(cross.in_proj_weight, c, 2 * c), slice_cols(cross.in_proj_bias, c, 2 * c));
    cache.cross_k = kv.value().leftCols(c);
    cache.cross_v = kv.value().rightCols(c);
    caches_.push_back(std::move(cache));
  }
}

// q (B, C), k/v blocks of `stride` rows per sequence, the first `len` used -> context (B, C)
Matrix IncrementalDecoder::attend(const Matrix& q, const Matrix& k, const Matrix& v, Index stride, Index len,
                                  const Mask& keys) const {
  const Index heads = model_.config().num_heads, d = q.cols() / heads;
  const Scalar scale = Scalar(1) / std::sqrt(Scalar(d));
  Matrix context = Matrix::Zero(q.rows(), q.cols());
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> scores(len);
  for (Index b = 0; b < q.rows(); ++b)
    for (Index h = 0; h < heads; ++h) {
      const auto k_bh = k.block(b * stride, h * d, len, d);
      const auto v_bh = v.block(b * stride, h * d, len, d);
      scores.noalias() = k_bh * (q.row(b).segment(h * d, d).transpose() * scale);
      Scalar max = -std::numeric_limits<Scalar>::infinity();
      for (Index j = 0; j < len; ++j)
        if (keys.size() == 0 || keys(b, j)) max = std::max(max, scores(j));
      if (max == -std::numeric_limits<Scalar>::infinity()) continue;  // no visible key: zero context
      for (Index j = 0; j < len; ++j)
        scores(j) = keys.size() == 0 || keys(b, j) ? std::exp(scores(j) - max) : Scalar(0);
      scores /= scores.sum();
      context.row(b).segment(h * d, d).noalias() = scores.transpose() * v_bh;
    }
  return context;
}

Tensor IncrementalDecoder::self_attention(const MultiHeadAttention& attn, const Tensor& x, LayerCache& cache) {
  const Index c = x.cols();
  const Matrix qkv = linear(x, attn.in_proj_weight, attn.in_proj_bias).value();  // (B, 3C)
  for (Index b = 0; b < batch_; ++b) {
    cache.self_k.row(b * max_steps_ + position_) = qkv.row(b).segment(c, c);
    cache.self_v.row(b * max_steps_ + position_) = qkv.row(b).segment(2 * c, c);
  }
  const Matrix context = attend(qkv.leftCols(c), cache.self_k, cache.self_v, max_steps_, position_ + 1, Mask());
  return attn.out_proj.forward(Tensor(context));
}

Tensor IncrementalDecoder::cross_attention(const MultiHeadAttention& attn, const Tensor& x,
                                           const LayerCache& cache) const {
  const Index c = x.cols();
  const Tensor q = linear(x, slice_rows(attn.in_proj_weight, 0, c), slice_cols(attn.in_proj_bias, 0, c));
  const Matrix context = attend(q.value(), cache.cross_k, cache.cross_v, src_len_, src_len_, src_keys_);
  return attn.out_proj.forward(Tensor(context));
}

// The decoder layers of transformer_layers.cpp, for one position, in eval mode.
Matrix IncrementalDecoder::step(const std::vector<std::int32_t>& tokens) {
  HEED_CHECK(Index(tokens.size()) == batch_, "decoder step: " << tokens.size() << " tokens for " << batch_ << " sequences");
  HEED_CHECK(position_ < max_steps_, "decoder step: position " << position_ << " reaches max_steps " << max_steps_);
  NoGradGuard no_grad;
  const Scalar embed_scale = std::sqrt(Scalar(model_.config().d_model));
  Tensor x = add(model_.tgt_embed.forward(tokens) * embed_scale, model_.tgt_positions.position(position_));
  for (std::size_t i = 0; i < model_.decoder.layers.size(); ++i) {
    const DecoderLayer& layer = *model_.decoder.layers[i];
    LayerCache& cache = caches_[i];
    if (layer.norm_first()) {
      x = x + self_attention(layer.self_attn, layer.norm1.forward(x), cache);
      x = x + cross_attention(layer.multihead_attn, layer.norm2.forward(x), cache);
      x = x + layer.ff.forward(layer.norm3.forward(x));
    } else {
      x = layer.norm1.forward(x + self_attention(layer.self_attn, x, cache));
      x = layer.norm2.forward(x + cross_attention(layer.multihead_attn, x, cache));
      x = layer.norm3.forward(x + layer.ff.forward(x));
    }
  }
  ++position_;
  return model_.generator.forward(model_.decoder.norm.forward(x)).value();
}

void IncrementalDecoder::select(const std::vector<Index>& rows) {
  const Index new_batch = Index(rows.size());
  for (Index r : rows) HEED_CHECK(r >= 0 && r < batch_, "decoder select: row " << r << " of " << batch_);
  auto gather = [&](const Matrix& m, Index stride) {
    Matrix out(new_batch * stride, m.cols());
    for (Index i = 0; i < new_batch; ++i) out.middleRows(i * stride, stride) = m.middleRows(rows[i] * stride, stride);
    return out;
  };
  for (LayerCache& cache : caches_) {
    cache.self_k = gather(cache.self_k, max_steps_);
    cache.self_v = gather(cache.self_v, max_steps_);
    cache.cross_k = gather(cache.cross_k, src_len_);
    cache.cross_v = gather(cache.cross_v, src_len_);
  }
  Mask keys(new_batch, src_len_);
  for (Index i = 0; i < new_batch; ++i) keys.row(i) = src_keys_.row(rows[i]);
  src_keys_ = std::move(keys);
  batch_ = new_batch;
}

HEED_NAMESPACE_END
