// The encoder-decoder Transformer (README "The reference model"): separate source and target
// embeddings scaled by sqrt(d_model), positional encodings, dropout, encoder and decoder stacks
// with final norms, and a `generator` to target-vocabulary logits (untied unless tie_embeddings). Its parameter names
// and numbers equal PyTorch's nn.TransformerEncoder/Decoder built the same way.
#pragma once

#include <cstdint>
#include <vector>

#include "layers/positional.h"
#include "layers/seq2seq_model.h"
#include "layers/transformer_layers.h"

HEED_NAMESPACE_BEGIN

// The Transformer's layer settings from the model config.
inline LayerConfig layer_config(const ModelConfig& c, Rng* dropout_rng) {
  return {c.d_model, c.num_heads, c.d_ff, c.dropout, c.norm_first, c.activation, dropout_rng, c.attention};
}

class Transformer : public Seq2SeqModel {
 public:
  explicit Transformer(const ModelConfig& config);

  // src ids (B·S) -> memory (B·S, C)
  EncodedSource encode(const std::vector<std::int32_t>& src, Index batch) const override;
  // tgt_in ids (B·T) -> logits (B·T, V_tgt)
  Tensor decode(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source) const override;
  // The key/value cache of layers/incremental_decoder.h.
  std::unique_ptr<DecoderState> start_decoding(const EncodedSource& source, Index max_steps) const override;
  // The decoder stack's output (B·T, C), before the generator; each layer's attention weights
  // into self_attention and cross_attention when given.
  Tensor decode_hidden(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source,
                       std::vector<Tensor>* self_attention = nullptr, std::vector<Tensor>* cross_attention = nullptr) const;
  AttentionMaps attention_maps(const std::vector<std::int32_t>& src, const std::vector<std::int32_t>& tgt_in) const override;
  // encode() in two halves, so that attributions can take gradients with respect to the encoder's
  // input: src ids (B·S) -> embedded (B·S, C) = token embedding·sqrt(C) + position (+ dropout),
  // and that input -> the encoded source.
  Tensor embed_source(const std::vector<std::int32_t>& src, Index batch) const;
  EncodedSource encode_embedded(const Tensor& embedded, const std::vector<std::int32_t>& src, Index batch,
                                std::vector<Tensor>* attention = nullptr) const;

  Embedding src_embed, tgt_embed;
  PositionalEncoding src_positions, tgt_positions;
  Encoder encoder;
  Decoder decoder;
  Linear generator;

 private:
  Tensor embed(const Embedding& table, const PositionalEncoding& positions, const std::vector<std::int32_t>& ids,
               Index batch) const;

  Dropout embed_dropout_;
};

HEED_NAMESPACE_END
