// The decoder run one position at a time over cached keys and values.
#include "layers/incremental_decoder.h"

#include <cmath>

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
  for (Index b = 0; b < batch; ++b) sequence_of_row_.push_back(b);
  const Tensor& memory = source.memory;
  for (const auto& layer : model.decoder.layers) {
    const MultiHeadAttention& cross = layer->multihead_attn;
    LayerCache cache{.self = SelfAttentionCache(model.config(), batch, max_steps), .cross_k = {}, .cross_v = {},
                     .cross_sums = {}};
    const Tensor kv = cross.project(memory, c, 2 * c);
    if (cross.is_linear()) {
      cache.cross_sums.emplace(batch, cross.num_heads(), c);
      cache.cross_sums->add(kv.value().leftCols(c), kv.value().rightCols(c), src_keys_);
    } else {
      cache.cross_k = kv.value().leftCols(c);
      cache.cross_v = kv.value().rightCols(c);
    }
    caches_.push_back(std::move(cache));
  }
}

Tensor IncrementalDecoder::cross_attention(const MultiHeadAttention& attn, const Tensor& x,
                                           const LayerCache& cache) const {
  const Index c = x.cols();
  const Tensor q = attn.project(x, 0, c);
  const Matrix context =
      cache.cross_sums ? cache.cross_sums->read(q.value())
                       : attend_cached(q.value(), cache.cross_k, cache.cross_v, attn.num_heads(), src_len_, src_len_, src_keys_,
                                       sequence_of_row_);
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
      x = x + cache.self.step(layer.self_attn, layer.norm1.forward(x), position_);
      x = x + cross_attention(layer.multihead_attn, layer.norm2.forward(x), cache);
      x = x + layer.ff.forward(layer.norm3.forward(x));
    } else {
      x = layer.norm1.forward(x + cache.self.step(layer.self_attn, x, position_));
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
  for (LayerCache& cache : caches_) {
    cache.self.select(rows);
    if (cache.cross_sums) cache.cross_sums->select(rows);
  }
  // Softmax cross-attention's keys and values stay per source: rows only change which they read.
  std::vector<Index> sequences;
  for (Index r : rows) sequences.push_back(sequence_of_row_[std::size_t(r)]);
  sequence_of_row_ = std::move(sequences);
  batch_ = new_batch;
}

HEED_NAMESPACE_END
