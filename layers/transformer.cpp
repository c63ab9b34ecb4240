// The encoder-decoder Transformer.
#include "layers/transformer.h"

#include <cmath>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "layers/masks.h"

HEED_NAMESPACE_BEGIN

namespace {

double embed_std(const TransformerConfig& c) { return c.scaled_embedding_init ? 1.0 / std::sqrt(double(c.d_model)) : 1.0; }

}  // namespace

Transformer::Transformer(const TransformerConfig& config)
    : config_(config),
      init_rng_(config.seed),
      dropout_rng_(config.seed ^ 0x5DEECE66Dull),
      src_embed(config.src_vocab_size, config.d_model, init_rng_, embed_std(config)),
      tgt_embed(config.tgt_vocab_size, config.d_model, init_rng_, embed_std(config)),
      src_positions(config.max_len, config.d_model, config.learned_positions, init_rng_),
      tgt_positions(config.max_len, config.d_model, config.learned_positions, init_rng_),
      encoder(config.layer_config(&dropout_rng_), config.enc_layers, init_rng_),
      decoder(config.layer_config(&dropout_rng_), config.dec_layers, init_rng_),
      generator(config.d_model, config.tgt_vocab_size, init_rng_),
      embed_dropout_(config.dropout, dropout_rng_) {
  register_module("src_embed", src_embed);
  register_module("tgt_embed", tgt_embed);
  if (config.learned_positions) {  // the sinusoidal table is a constant, not a parameter
    register_module("src_pos", src_positions);
    register_module("tgt_pos", tgt_positions);
  }
  register_module("encoder", encoder);
  register_module("decoder", decoder);
  register_module("generator", generator);
  register_module("dropout", embed_dropout_);
}

// ids (B·T) -> dropout(table[ids]·sqrt(C) + position) (B·T, C)
Tensor Transformer::embed(const Embedding& table, const PositionalEncoding& positions,
                          const std::vector<std::int32_t>& ids, Index batch) const {
  const Tensor scaled = table.forward(ids) * std::sqrt(Scalar(config_.d_model));
  return embed_dropout_.forward(positions.forward(scaled, batch));
}

Tensor Transformer::encode(const std::vector<std::int32_t>& src, Index batch) const {
  const Mask keys = non_pad_mask(src, batch);
  const Index len = keys.cols();
  const Mask mask = padding_mask_or_none(batch, len, len, keys);
  return encoder.forward(embed(src_embed, src_positions, src, batch), mask, batch);
}

Tensor Transformer::decode(const std::vector<std::int32_t>& tgt_in, const Tensor& memory,
                           const std::vector<std::int32_t>& src, Index batch) const {
  const Mask tgt_keys = non_pad_mask(tgt_in, batch), src_keys = non_pad_mask(src, batch);
  const Index t_len = tgt_keys.cols(), s_len = src_keys.cols();
  const Mask self_mask = attention_mask(batch, t_len, t_len, tgt_keys, /*causal=*/true);
  const Mask memory_mask = padding_mask_or_none(batch, t_len, s_len, src_keys);
  return decoder.forward(embed(tgt_embed, tgt_positions, tgt_in, batch), memory, self_mask, memory_mask, batch);
}

Tensor Transformer::forward(const Seq2SeqBatch& b) const {
  HEED_CHECK(b.tgt_in.size() == b.tgt_out.size(),
             "transformer: " << b.tgt_in.size() << " decoder inputs but " << b.tgt_out.size() << " targets");
  const Tensor memory = encode(b.src, b.batch);
  return generator.forward(decode(b.tgt_in, memory, b.src, b.batch));
}

HEED_NAMESPACE_END
