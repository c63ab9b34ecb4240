// The decoder-only language model, and its step-by-step decoder over a key/value cache.
#include "layers/language_model.h"

#include <cmath>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/tape.h"
#include "layers/kv_cache.h"
#include "layers/masks.h"
#include "layers/transformer.h"

HEED_NAMESPACE_BEGIN

LanguageModel::LanguageModel(const ModelConfig& config)
    : Seq2SeqModel(config),
      embed(config.tgt_vocab_size, config.d_model, init_rng_, embedding_std()),
      positions(config.max_len, config.d_model, config.learned_positions, init_rng_),
      decoder(layer_config(config, &dropout_rng_), config.dec_layers, init_rng_),
      generator(config.d_model, config.tgt_vocab_size, init_rng_, true,
                config.tie_embeddings == TieEmbeddings::None ? nullptr : &embed.weight),
      embed_dropout_(config.dropout, dropout_rng_) {
  HEED_CHECK(config.arch == Arch::Lm, "LanguageModel: arch is " << arch_name(config.arch));
  register_module("embed", embed);
  if (config.learned_positions) register_module("pos", positions);
  register_module("decoder", decoder);
  register_module("generator", generator);
  register_module("dropout", embed_dropout_);
}

EncodedSource LanguageModel::encode(const std::vector<std::int32_t>& src, Index batch) const {
  HEED_CHECK(src.empty(), "lm: a language model takes no source, got " << src.size() << " ids");
  return EncodedSource{.batch = batch, .src = {}, .memory = {}, .final_states = {}};
}

// tokens (B·T) -> generator(norm(layers(dropout(embed·sqrt(C) + position)))) (B·T, V)
Tensor LanguageModel::decode(const std::vector<std::int32_t>& tokens, const EncodedSource& source) const {
  const Index batch = source.batch;
  const AttentionMask causal = attention_pattern(non_pad_mask(tokens, batch), /*causal=*/true, attention_window(config_));
  const Tensor scaled = embed.forward(tokens) * std::sqrt(Scalar(config_.d_model));
  const Tensor x = embed_dropout_.forward(positions.forward(scaled, batch));
  return generator.forward(decoder.forward(x, causal, batch));
}

Tensor LanguageModel::embed_step(const std::vector<std::int32_t>& tokens, Index position) const {
  return add(embed.forward(tokens) * std::sqrt(Scalar(config_.d_model)), positions.position(position));
}

namespace {

// The layers of LanguageModel::decode for one position per sequence, keys and values of the
// positions before it kept per layer. Eval mode, no tape.
class LmDecoderState : public DecoderState {
 public:
  LmDecoderState(const LanguageModel& model, Index batch, Index max_steps) : model_(model), max_steps_(max_steps) {
    HEED_CHECK(max_steps <= model.config().max_len,
               "lm: " << max_steps << " steps exceed the model's context " << model.config().max_len);
    for (std::size_t i = 0; i < model.decoder.layers.size(); ++i)
      caches_.emplace_back(model.config(), batch, max_steps);
  }

  Matrix step(const std::vector<std::int32_t>& tokens) override {
    HEED_CHECK(position_ < max_steps_, "lm step: position " << position_ << " reaches max_steps " << max_steps_);
    NoGradGuard no_grad;
    Tensor x = model_.embed_step(tokens, position_);
    for (std::size_t i = 0; i < model_.decoder.layers.size(); ++i) {
      const EncoderLayer& layer = *model_.decoder.layers[i];
      SelfAttentionCache& cache = caches_[i];
      if (layer.norm_first()) {
        x = x + cache.step(layer.self_attn, layer.norm1.forward(x), position_);
        x = x + layer.ff.forward(layer.norm2.forward(x));
      } else {
        x = layer.norm1.forward(x + cache.step(layer.self_attn, x, position_));
        x = layer.norm2.forward(x + layer.ff.forward(x));
      }
    }
    ++position_;
    return model_.generator.forward(model_.decoder.norm.forward(x)).value();
  }

  void select(const std::vector<Index>& rows) override {
    for (SelfAttentionCache& cache : caches_) cache.select(rows);
  }

 private:
  const LanguageModel& model_;
  std::vector<SelfAttentionCache> caches_;
  Index max_steps_, position_ = 0;
};

}  // namespace

std::unique_ptr<DecoderState> LanguageModel::start_decoding(const EncodedSource& source, Index max_steps) const {
  return std::make_unique<LmDecoderState>(*this, source.batch, max_steps);
}

HEED_NAMESPACE_END
