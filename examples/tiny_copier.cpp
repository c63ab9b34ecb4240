#include "tiny_copier.h"

using namespace heed;

TinyCopier::TinyCopier(const ModelConfig& config)
    : Seq2SeqModel(config),
      src_embed(config.src_vocab_size, config.d_model, init_rng_, embedding_std()),
      tgt_embed(config.tgt_vocab_size, config.d_model, init_rng_, embedding_std()),
      positions(config.max_len, config.d_model, /*learned=*/false, init_rng_),
      attention(config.d_model, config.num_heads, config.dropout, init_rng_, &dropout_rng_),
      feed_forward(config.d_model, config.d_ff, init_rng_),
      generator(config.d_ff, config.tgt_vocab_size, init_rng_) {
  register_module("src_embed", src_embed);  // the names are the checkpoint's: src_embed.weight, ...
  register_module("tgt_embed", tgt_embed);
  register_module("attention", attention);
  register_module("feed_forward", feed_forward);
  register_module("generator", generator);
}

EncodedSource TinyCopier::encode(const std::vector<std::int32_t>& src, Index batch) const {
  return EncodedSource{.batch = batch, .src = src, .memory = positions.forward(src_embed.forward(src), batch),
                       .final_states = {}};
}

Tensor TinyCopier::predict(const Tensor& queries, const EncodedSource& source) const {
  const Mask keys = non_pad_mask(source.src, source.batch);  // (B, S): not padding
  const Index t_len = queries.rows() / source.batch;
  const Mask mask = attention_mask(source.batch, t_len, keys.cols(), keys, /*causal=*/false);
  const Tensor context = attention.forward(queries, source.memory, mask, source.batch).output;
  return generator.forward(feed_forward.forward(context));
}

Tensor TinyCopier::decode(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source) const {
  return predict(positions.forward(tgt_embed.forward(tgt_in), source.batch), source);
}

namespace {

// Greedy and beam search feed one token per sequence at a time; a position's logits depend only
// on its own token and position, so the state is the source and the position.
class TinyCopierState : public DecoderState {
 public:
  TinyCopierState(const TinyCopier& model, EncodedSource source) : model_(model), source_(std::move(source)) {}
  Matrix step(const std::vector<std::int32_t>& tokens) override {
    const Tensor query = model_.tgt_embed.forward(tokens) + model_.positions.position(t_++);
    return model_.predict(query, source_).value();
  }
  void select(const std::vector<Index>& rows) override { source_ = select_sequences(source_, rows); }

 private:
  const TinyCopier& model_;
  EncodedSource source_;
  Index t_ = 0;
};

}  // namespace

std::unique_ptr<DecoderState> TinyCopier::start_decoding(const EncodedSource& source, Index) const {
  return std::make_unique<TinyCopierState>(*this, source);
}
