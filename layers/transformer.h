// The encoder-decoder Transformer of DESIGN.md and bench/torch_reference.py: separate source and
// target embeddings scaled by sqrt(d_model), positional encodings, dropout, encoder and decoder
// stacks with final norms, and an untied `generator` to target-vocabulary logits.
#pragma once

#include <cstdint>
#include <vector>

#include "layers/positional.h"
#include "layers/transformer_layers.h"

HEED_NAMESPACE_BEGIN

struct TransformerConfig {
  Index src_vocab_size = 64;
  Index tgt_vocab_size = 64;
  Index d_model = 128;
  Index num_heads = 4;
  Index d_ff = 512;
  Index enc_layers = 2;
  Index dec_layers = 2;
  Index max_len = 512;
  Scalar dropout = Scalar(0.1);
  bool norm_first = true;
  Activation activation = Activation::ReLU;
  bool learned_positions = false;  // default: the sinusoidal table
  // Embedding init: false = N(0,1) as nn.Embedding (the reference model); true = N(0, 1/d_model),
  // so that after the sqrt(d_model) scale token vectors are O(1) like the positions and do
  // not drown them (the original Transformer's and fairseq's choice; heed train's default).
  bool scaled_embedding_init = false;
  std::uint64_t seed = 1;          // initialisation and dropout masks

  LayerConfig layer_config(Rng* dropout_rng) const {
    return {d_model, num_heads, d_ff, dropout, norm_first, activation, dropout_rng};
  }
};

// A batch of B sequences, each padded (id 0) to a common length, laid out row b·T + t.
struct Seq2SeqBatch {
  Index batch = 0;
  std::vector<std::int32_t> src;     // (B, S): tokens + EOS
  std::vector<std::int32_t> tgt_in;  // (B, T): BOS + tokens
  std::vector<std::int32_t> tgt_out; // (B, T): tokens + EOS, the loss targets
};

class Transformer : public Module {
 public:
  explicit Transformer(const TransformerConfig& config);

  // src ids (B·S) -> memory (B·S, C)
  Tensor encode(const std::vector<std::int32_t>& src, Index batch) const;
  // tgt_in ids (B·T), memory (B·S, C) -> decoder output (B·T, C), before the generator
  Tensor decode(const std::vector<std::int32_t>& tgt_in, const Tensor& memory, const std::vector<std::int32_t>& src,
                Index batch) const;
  // -> logits (B·T, V_tgt)
  Tensor forward(const Seq2SeqBatch& batch) const;

  const TransformerConfig& config() const { return config_; }
  // The generator that draws dropout masks; a checkpoint saves its state.
  Rng& dropout_rng() { return dropout_rng_; }

 private:
  Tensor embed(const Embedding& table, const PositionalEncoding& positions, const std::vector<std::int32_t>& ids,
               Index batch) const;

  TransformerConfig config_;
  Rng init_rng_, dropout_rng_;  // declared first: the layers below draw from them

 public:
  Embedding src_embed, tgt_embed;
  PositionalEncoding src_positions, tgt_positions;
  Encoder encoder;
  Decoder decoder;
  Linear generator;

 private:
  Dropout embed_dropout_;
};

HEED_NAMESPACE_END
