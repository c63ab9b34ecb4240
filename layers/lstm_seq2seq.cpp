// The LSTM encoder-decoder, with and without attention.
#include "layers/lstm_seq2seq.h"

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/tape.h"
#include "layers/masks.h"

HEED_NAMESPACE_BEGIN

namespace {

// Tokens before the padding of each of the B rows of ids (B·S).
std::vector<Index> sequence_lengths(const std::vector<std::int32_t>& ids, Index batch) {
  const Mask keys = non_pad_mask(ids, batch);
  std::vector<Index> lengths;
  for (Index b = 0; b < batch; ++b) lengths.push_back(std::max<Index>(1, keys.row(b).count()));
  return lengths;
}

}  // namespace

LstmSeq2Seq::LstmSeq2Seq(const ModelConfig& config)
    : Seq2SeqModel(config),
      src_embed(config.src_vocab_size, config.d_model, init_rng_, embedding_std()),
      tgt_embed(config.tgt_vocab_size, config.d_model, init_rng_, embedding_std(),
                config.tie_embeddings == TieEmbeddings::All ? &src_embed.weight : nullptr),
      encoder(config.d_model, config.d_model, config.enc_layers, config.dropout, init_rng_, &dropout_rng_),
      // input feeding: the decoder's input is [embedding; previous h̃]
      decoder(config.arch == Arch::LstmAttention ? 2 * config.d_model : config.d_model, config.d_model,
              config.dec_layers, config.dropout, init_rng_, &dropout_rng_),
      attn_score(attends() ? std::make_unique<Linear>(config.d_model, config.d_model, init_rng_, false) : nullptr),
      attn_combine(attends() ? std::make_unique<Linear>(2 * config.d_model, config.d_model, init_rng_, false) : nullptr),
      generator(config.d_model, config.tgt_vocab_size, init_rng_, true,
                config.tie_embeddings != TieEmbeddings::None ? &tgt_embed.weight : nullptr),
      dropout(config.dropout, dropout_rng_) {
  HEED_CHECK(config.arch != Arch::Transformer, "LstmSeq2Seq: arch is transformer");
  HEED_CHECK(config.enc_layers == config.dec_layers,
             arch_name(config.arch) << ": " << config.enc_layers << " encoder but " << config.dec_layers << " decoder layers");
  register_module("src_embed", src_embed);
  register_module("tgt_embed", tgt_embed);
  register_module("encoder", encoder);
  register_module("decoder", decoder);
  if (attends()) {
    register_module("attn_score", *attn_score);
    register_module("attn_combine", *attn_combine);
  }
  register_module("generator", generator);
  register_module("dropout", dropout);
}

EncodedSource LstmSeq2Seq::encode(const std::vector<std::int32_t>& src, Index batch) const {
  HEED_CHECK(batch > 0 && Index(src.size()) % batch == 0, "lstm encode: " << src.size() << " ids for " << batch << " sequences");
  const LstmOutput out = encoder.forward(dropout.forward(src_embed.forward(src)), {}, sequence_lengths(src, batch), batch);
  return EncodedSource{.batch = batch, .src = src, .memory = out.outputs, .final_states = out.final_states};
}

Tensor LstmSeq2Seq::attention_keys(const EncodedSource& source) const { return attn_score->forward(source.memory); }

// h (B, C) -> h̃ = tanh(W_c [context; h]), context = softmax over visible s of (h·k_s) weighting memory.
Tensor LstmSeq2Seq::attend(const Tensor& h, const Tensor& keys, const Tensor& memory, const Mask& mask, Index batch,
                           Matrix* weights) const {
  const Tensor context = attention(h, keys, memory, mask, {.batch = batch, .heads = 1, .scale = 1});
  if (weights) {  // the fused op keeps no weights: the same scores again, from separate ops
    const Tensor scores = batched_matmul(h, keys, batch, {.transpose_b = true});  // (B, S)
    *weights = (mask.size() == 0 ? softmax(scores) : masked_softmax(scores, mask, {.heads = 1, .q_len = 1})).value();
  }
  return tanh(attn_combine->forward(concat_cols({context, h})));
}

Tensor LstmSeq2Seq::decode(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source) const {
  const Index batch = source.batch;
  HEED_CHECK(Index(tgt_in.size()) % batch == 0, "lstm decode: " << tgt_in.size() << " ids for " << batch << " sequences");
  if (!attends()) {  // the whole target in one pass: each layer's input products in one product
    const LstmOutput out = decoder.forward(dropout.forward(tgt_embed.forward(tgt_in)), source.final_states, {}, batch);
    return generator.forward(dropout.forward(out.outputs));
  }
  return decode_attending(tgt_in, source, nullptr);
}

AttentionMaps LstmSeq2Seq::attention_maps(const std::vector<std::int32_t>& src, const std::vector<std::int32_t>& tgt_in) const {
  if (!attends()) return {};
  NoGradGuard no_grad;
  AttentionMaps maps{.heads = 1, .encoder_self = {}, .decoder_self = {}, .cross = {Matrix()}};
  decode_attending(tgt_in, encode(src, 1), &maps.cross.front());
  return maps;
}

Tensor LstmSeq2Seq::decode_attending(const std::vector<std::int32_t>& tgt_in, const EncodedSource& source,
                                     Matrix* weights) const {
  const Index batch = source.batch;
  // Input feeding makes each step's input depend on the previous step's output: step by step,
  // in time-major order (row t·B + b) so that a step's rows are contiguous.
  const Index len = Index(tgt_in.size()) / batch, c = config_.d_model, src_len = Index(source.src.size()) / batch;
  std::vector<std::int32_t> time_major(tgt_in.size()), to_batch_major(tgt_in.size());
  for (Index b = 0; b < batch; ++b)
    for (Index t = 0; t < len; ++t) {
      time_major[std::size_t(t * batch + b)] = tgt_in[std::size_t(b * len + t)];
      to_batch_major[std::size_t(b * len + t)] = std::int32_t(t * batch + b);
    }
  const Tensor embedded = dropout.forward(tgt_embed.forward(time_major));  // (T·B, C)
  const Tensor keys = attention_keys(source);
  const Mask mask = padding_mask_or_none(batch, 1, src_len, non_pad_mask(source.src, batch));
  std::vector<Tensor> states = source.final_states;
  Tensor fed(Matrix::Zero(batch, c));
  std::vector<Tensor> outputs;
  if (weights) *weights = Matrix::Zero(batch * len, src_len);
  Matrix step_weights;
  for (Index t = 0; t < len; ++t) {
    states = decoder.step(concat_cols({slice_rows(embedded, t * batch, batch), fed}), states);
    fed = attend(slice_cols(states.back(), 0, c), keys, source.memory, mask, batch, weights ? &step_weights : nullptr);
    outputs.push_back(fed);
    for (Index b = 0; weights && b < batch; ++b) weights->row(b * len + t) = step_weights.row(b);
  }
  // (T·B, C) time-major -> (B·T, C), then the generator over all positions at once
  const Tensor stacked = embedding(concat_rows(outputs), to_batch_major);
  return generator.forward(dropout.forward(stacked));
}

namespace {

// Recurrent states (and, with attention, the fed h̃ and the source) of a batch being decoded.
class LstmDecoderState : public DecoderState {
 public:
  LstmDecoderState(const LstmSeq2Seq& model, const EncodedSource& source) : model_(model), source_(source) {
    NoGradGuard no_grad;
    states_ = source.final_states;
    source_.final_states.clear();              // kept, and reordered, as states_
    if (!model.attends()) source_.memory = {};  // without attention only the states are read
    if (model.attends()) {
      keys_ = model.attention_keys(source);
      fed_ = Tensor(Matrix::Zero(source.batch, model.config().d_model));
      update_mask();
    }
  }

  Matrix step(const std::vector<std::int32_t>& tokens) override {
    HEED_CHECK(Index(tokens.size()) == source_.batch,
               "decoder step: " << tokens.size() << " tokens for " << source_.batch << " sequences");
    NoGradGuard no_grad;
    const Index c = model_.config().d_model;
    const Tensor embedded = model_.tgt_embed.forward(tokens);
    if (!model_.attends()) {
      states_ = model_.decoder.step(embedded, states_);
      return model_.generator.forward(slice_cols(states_.back(), 0, c)).value();
    }
    states_ = model_.decoder.step(concat_cols({embedded, fed_}), states_);
    fed_ = model_.attend(slice_cols(states_.back(), 0, c), keys_, source_.memory, mask_, source_.batch);
    return model_.generator.forward(fed_).value();
  }

  void select(const std::vector<Index>& rows) override {
    const Index src_len = Index(source_.src.size()) / source_.batch;
    source_ = select_sequences(source_, rows);
    for (Tensor& state : states_) state = select_rows(state, 1, rows);
    if (model_.attends()) {
      keys_ = select_rows(keys_, src_len, rows);
      fed_ = select_rows(fed_, 1, rows);
      update_mask();
    }
  }

 private:
  void update_mask() {
    const Index src_len = Index(source_.src.size()) / source_.batch;
    mask_ = padding_mask_or_none(source_.batch, 1, src_len, non_pad_mask(source_.src, source_.batch));
  }

  const LstmSeq2Seq& model_;
  EncodedSource source_;
  std::vector<Tensor> states_;  // per decoder layer (B, 2H)
  Tensor keys_, fed_;           // attention: W_a·memory (B·S, C) and the last h̃ (B, C)
  Mask mask_;                   // attention: (B, S) source padding, or empty when there is none
};

}  // namespace

std::unique_ptr<DecoderState> LstmSeq2Seq::start_decoding(const EncodedSource& source, Index /*max_steps*/) const {
  return std::make_unique<LstmDecoderState>(*this, source);
}

HEED_NAMESPACE_END
