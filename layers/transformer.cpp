// The encoder-decoder Transformer.
#include "layers/transformer.h"

#include <cmath>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/tape.h"
#include "layers/incremental_decoder.h"
#include "layers/masks.h"

HEED_NAMESPACE_BEGIN

Transformer::Transformer(const ModelConfig& config)
    : Seq2SeqModel(config),
      src_embed(config.src_vocab_size, config.d_model, init_rng_, embedding_std()),
      tgt_embed(config.tgt_vocab_size, config.d_model, init_rng_, embedding_std(),
                config.tie_embeddings == TieEmbeddings::All ? &src_embed.weight : nullptr),
      src_positions(config.max_len, config.d_model, config.learned_positions, init_rng_),
      tgt_positions(config.max_len, config.d_model, config.learned_positions, init_rng_),
      encoder(layer_config(config, &dropout_rng_), config.enc_layers, init_rng_),
      decoder(layer_config(config, &dropout_rng_), config.dec_layers, init_rng_),
      generator(config.d_model, config.tgt_vocab_size, init_rng_, true,
                config.tie_embeddings != TieEmbeddings::None ? &tgt_embed.weight : nullptr),
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

EncodedSource Transformer::encode(const std::vector<std::int32_t>& src, Index batch) const {
  return encode_embedded(embed_source(src, batch), src, batch);
}

Tensor Transformer::embed_source(const std::vector<std::int32_t>& src, Index batch) const {
  return embed(src_embed, src_positions, src, batch);
}

EncodedSource Transformer::encode_embedded(const Tensor& embedded, const std::vector<std::int32_t>& src, Index batch,
                                           std::vector<Tensor>* attention) const {
  const AttentionMask mask = attention_pattern(non_pad_mask(src, batch), /*causal=*/false, attention_window(config_));
  return EncodedSource{.batch = batch, .src = src, .memory = encoder.forward(embedded, mask, batch, attention), .final_states = {}};
}

Tensor Transformer::decode_hidden(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source,
                                  std::vector<Tensor>* self_attention, std::vector<Tensor>* cross_attention) const {
  const Index batch = source.batch;
  const std::vector<std::int32_t>& src = source.src;
  const Mask tgt_keys = non_pad_mask(tgt_in, batch), src_keys = non_pad_mask(src, batch);
  const AttentionMask self_mask = attention_pattern(tgt_keys, /*causal=*/true, attention_window(config_));
  const AttentionMask memory_mask = attention_pattern(src_keys, /*causal=*/false, 0);  // never windowed
  return decoder.forward(embed(tgt_embed, tgt_positions, tgt_in, batch), source.memory, self_mask, memory_mask, batch,
                         self_attention, cross_attention);
}

Tensor Transformer::decode(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source) const {
  return generator.forward(decode_hidden(tgt_in, source));
}

AttentionMaps Transformer::attention_maps(const std::vector<std::int32_t>& src, const std::vector<std::int32_t>& tgt_in) const {
  NoGradGuard no_grad;
  std::vector<Tensor> encoder_self, decoder_self, cross;
  decode_hidden(tgt_in, encode_embedded(embed_source(src, 1), src, 1, &encoder_self), &decoder_self, &cross);
  AttentionMaps maps{.heads = config_.num_heads, .encoder_self = {}, .decoder_self = {}, .cross = {}};
  for (const Tensor& w : encoder_self) maps.encoder_self.push_back(w.value());
  for (const Tensor& w : decoder_self) maps.decoder_self.push_back(w.value());
  for (const Tensor& w : cross) maps.cross.push_back(w.value());
  return maps;
}

std::unique_ptr<DecoderState> Transformer::start_decoding(const EncodedSource& source, Index max_steps) const {
  return std::make_unique<IncrementalDecoder>(*this, source, max_steps);
}

HEED_NAMESPACE_END
