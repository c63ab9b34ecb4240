// Small, seeded gradient checks of each layer against its inputs and named parameters.
#include "layers/layer_checks.h"

#include "autograd/ops.h"
#include "layers/lstm.h"
#include "layers/masks.h"
#include "layers/seq2seq_model.h"
#include "layers/transformer.h"

HEED_NAMESPACE_BEGIN

namespace {

Tensor random_input(Index rows, Index cols, std::uint64_t seed) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = Scalar(2 * rng.uniform() - 1);
  return Tensor(m);
}

// The module's parameters followed by the extra inputs.
std::vector<NamedTensor> with_inputs(const Module& m, std::vector<NamedTensor> inputs) {
  std::vector<NamedTensor> all = m.named_parameters();
  all.insert(all.end(), inputs.begin(), inputs.end());
  return all;
}

LayerConfig small_layer(bool norm_first, Activation act = Activation::ReLU) {
  return LayerConfig{.d_model = 8, .num_heads = 2, .d_ff = 12, .dropout = 0, .norm_first = norm_first,
                     .activation = act};
}

// Two sequences of four: the first unpadded, the second with its last two positions padded.
const std::vector<std::int32_t> kIds = {5, 6, 7, 8, 9, 4, 0, 0};
// The second sequence is all padding: every one of its query rows sees no key.
const std::vector<std::int32_t> kIdsFullyPadded = {5, 6, 7, 8, 0, 0, 0, 0};

GradcheckResult check_attention(bool causal, bool cross, const std::vector<std::int32_t>& ids) {
  Rng rng(11);
  MultiHeadAttention attn(8, 2, 0, rng);
  const Tensor x = random_input(8, 8, 1);
  const Tensor memory = random_input(6, 8, 2);  // (B·3, C) for cross-attention
  const Index k_len = cross ? 3 : 4;
  const Mask keys = cross ? Mask(Mask::Constant(2, 3, true)) : non_pad_mask(ids, 2);
  Mask mask = attention_mask(2, 4, k_len, keys, causal);
  if (cross) mask.row(5).setConstant(false);  // one query with no visible key
  return gradcheck([&] { return attn.forward(x, cross ? memory : x, mask, 2).output; },
                   with_inputs(attn, {{"x", x}, {"memory", memory}}));
}

// Local or linear attention on the mask patterns the models build: causal self-attention over the
// padded kIds (local: a window of 1, so most queries lose keys to it), or cross-attention to a
// memory whose second sequence is half padding.
GradcheckResult check_attention_kind(AttentionKind kind, bool cross) {
  Rng rng(11);
  MultiHeadAttention attn(8, 2, 0, rng, nullptr, kind);
  const Tensor x = random_input(8, 8, 1), memory = random_input(6, 8, 2);
  const Mask keys = cross ? non_pad_mask({5, 6, 2, 7, 0, 0}, 2) : non_pad_mask(kIds, 2);
  const AttentionMask mask = attention_pattern(keys, /*causal=*/!cross, kind == AttentionKind::Local ? 1 : 0);
  return gradcheck([&] { return attn.forward(x, cross ? memory : x, mask, 2).output; },
                   with_inputs(attn, {{"x", x}, {"memory", memory}}));
}

GradcheckResult check_feed_forward(Activation activation) {
  Rng rng(4);
  FeedForward ff(small_layer(true, activation), rng);
  const Tensor x = random_input(5, 8, 6);
  return gradcheck([&] { return ff.forward(x); }, {{"linear1.weight", ff.linear1.weight},
                                                     {"linear1.bias", ff.linear1.bias},
                                                     {"linear2.weight", ff.linear2.weight},
                                                     {"linear2.bias", ff.linear2.bias},
                                                     {"x", x}});
}

GradcheckResult check_encoder_layer(bool norm_first, const std::vector<std::int32_t>& ids) {
  Rng rng(12);
  EncoderLayer layer(small_layer(norm_first), rng);
  const Tensor x = random_input(8, 8, 3);
  const Mask mask = attention_mask(2, 4, 4, non_pad_mask(ids, 2), false);
  return gradcheck([&] { return layer.forward(x, mask, 2); }, with_inputs(layer, {{"x", x}}));
}

GradcheckResult check_decoder_layer(bool norm_first) {
  Rng rng(13);
  DecoderLayer layer(small_layer(norm_first), rng);
  const Tensor x = random_input(8, 8, 4), memory = random_input(6, 8, 5);
  const Mask self_mask = attention_mask(2, 4, 4, non_pad_mask(kIds, 2), true);
  const std::vector<std::int32_t> src = {5, 6, 2, 7, 2, 0};
  const Mask memory_mask = attention_mask(2, 4, 3, non_pad_mask(src, 2), false);
  return gradcheck([&] { return layer.forward(x, memory, self_mask, memory_mask, 2); },
                   with_inputs(layer, {{"x", x}, {"memory", memory}}));
}

GradcheckResult check_transformer(bool norm_first, bool learned_positions, TieEmbeddings tie = TieEmbeddings::None,
                                  AttentionKind attention = AttentionKind::Full, Index window = 0) {
  ModelConfig config{.src_vocab_size = 10, .tgt_vocab_size = tie == TieEmbeddings::All ? 10 : 9, .d_model = 8,
                     .num_heads = 2, .d_ff = 12, .enc_layers = 1, .dec_layers = 1, .max_len = 8, .dropout = Scalar(0.1),
                     .norm_first = norm_first, .learned_positions = learned_positions, .tie_embeddings = tie,
                     .attention = attention, .window = window, .seed = 5};
  Transformer model(config);
  model.eval();  // dropout off
  // Three sequences: padded, full, and one entirely padding (source and target).
  Seq2SeqBatch batch{.batch = 3,
                     .src = {5, 6, 2, 0, 7, 8, 9, 2, 0, 0, 0, 0},
                     .tgt_in = {1, 4, 5, 1, 6, 7, 0, 0, 0},
                     .tgt_out = {4, 5, 2, 6, 7, 2, 0, 0, 0}};
  return gradcheck(
      [&] { return cross_entropy(model.forward(batch), batch.tgt_out, {.label_smoothing = Scalar(0.1)}); },
      model.named_parameters());
}

// An LSTM family's whole encoder-decoder: the smoothed loss of a padded batch (one sequence all
// padding) against every parameter; 2 layers, so states pass between layers and from encoder to decoder.
GradcheckResult check_lstm_seq2seq(Arch arch, TieEmbeddings tie = TieEmbeddings::None) {
  const ModelConfig config{.arch = arch, .src_vocab_size = 10, .tgt_vocab_size = 9, .d_model = 5, .enc_layers = 2,
                           .dec_layers = 2, .max_len = 8, .dropout = Scalar(0.1), .tie_embeddings = tie, .seed = 5};
  const std::unique_ptr<Seq2SeqModel> model = make_model(config);
  model->eval();  // dropout off
  Seq2SeqBatch batch{.batch = 3,
                     .src = {5, 6, 2, 0, 7, 8, 9, 2, 0, 0, 0, 0},
                     .tgt_in = {1, 4, 5, 1, 6, 7, 0, 0, 0},
                     .tgt_out = {4, 5, 2, 6, 7, 2, 0, 0, 0}};
  return gradcheck(
      [&] { return cross_entropy(model->forward(batch), batch.tgt_out, {.label_smoothing = Scalar(0.1)}); },
      model->named_parameters());
}

// The decoder-only language model: the loss of two windows (line ends </s> inside, no padding)
// against every parameter; 2 layers, tied or untied generator, learned or sinusoidal positions.
GradcheckResult check_language_model(TieEmbeddings tie, bool learned_positions,
                                     AttentionKind attention = AttentionKind::Full, Index window = 0) {
  const ModelConfig config{.arch = Arch::Lm, .src_vocab_size = 9, .tgt_vocab_size = 9, .d_model = 8, .num_heads = 2,
                           .d_ff = 12, .dec_layers = 2, .max_len = 5, .dropout = Scalar(0.1),
                           .learned_positions = learned_positions, .tie_embeddings = tie, .attention = attention,
                           .window = window, .seed = 6};
  const std::unique_ptr<Seq2SeqModel> model = make_model(config);
  model->eval();  // dropout off
  Seq2SeqBatch batch{.batch = 2, .src = {}, .tgt_in = {2, 4, 5, 2, 6, 7, 8, 4, 3, 2},
                     .tgt_out = {4, 5, 2, 6, 7, 8, 4, 3, 2, 5}};
  return gradcheck([&] { return cross_entropy(model->forward(batch), batch.tgt_out); }, model->named_parameters());
}

// A row of every element of each tensor, side by side: one output for gradcheck to project.
Tensor flattened(const std::vector<Tensor>& parts) {
  std::vector<Tensor> rows;
  for (const Tensor& p : parts) rows.push_back(reshape(p, 1, p.size()));
  return concat_cols(rows);
}

// Two layers, input 3, hidden 4; three sequences of four steps with lengths 4, 2, 1; initial
// states given. The output covers every step (padded ones carry the state) and both final states.
GradcheckResult check_lstm() {
  Rng rng(14);
  Lstm layer(3, 4, 2, 0, rng, nullptr);
  const Tensor x = random_input(12, 3, 7), s0 = random_input(3, 8, 8), s1 = random_input(3, 8, 9);
  return gradcheck(
      [&] {
        const LstmOutput out = layer.forward(x, {s0, s1}, {4, 2, 1}, 3);
        return flattened({out.outputs, out.final_states[0], out.final_states[1]});
      },
      with_inputs(layer, {{"x", x}, {"state_l0", s0}, {"state_l1", s1}}));
}

// One step of the same LSTM, as a decoder takes it.
GradcheckResult check_lstm_step() {
  Rng rng(15);
  Lstm layer(3, 4, 2, 0, rng, nullptr);
  const Tensor x = random_input(3, 3, 10), s0 = random_input(3, 8, 11), s1 = random_input(3, 8, 12);
  return gradcheck([&] { return flattened(layer.step(x, {s0, s1})); },
                   with_inputs(layer, {{"x", x}, {"state_l0", s0}, {"state_l1", s1}}));
}

}  // namespace

const std::vector<LayerCheck>& layer_checks() {
  static const std::vector<LayerCheck> checks = {
      {"linear", "Linear(5→4) on (6,5)", [] {
         Rng rng(1);
         Linear layer(5, 4, rng);
         const Tensor x = random_input(6, 5, 1);
         return gradcheck([&] { return layer.forward(x); }, with_inputs(layer, {{"x", x}}));
       }},
      {"embedding", "Embedding(7,4), repeated ids", [] {
         Rng rng(2);
         Embedding layer(7, 4, rng);
         return gradcheck([&] { return layer.forward({1, 3, 3, 6, 0, 3}); }, layer.named_parameters());
       }},
      {"layer_norm", "LayerNorm(6) on (5,6), random weight and bias", [] {
         LayerNorm layer(6);
         layer.weight.mutable_value() = random_input(1, 6, 9).value();
         layer.bias.mutable_value() = random_input(1, 6, 10).value();
         const Tensor x = random_input(5, 6, 3);
         return gradcheck([&] { return layer.forward(x); }, with_inputs(layer, {{"x", x}}));
       }},
      {"positional_learned", "learned positions (8,4) on 2 sequences of 3", [] {
         Rng rng(3);
         PositionalEncoding layer(8, 4, true, rng);
         const Tensor x = random_input(6, 4, 4);
         return gradcheck([&] { return layer.forward(x, 2); }, with_inputs(layer, {{"x", x}}));
       }},
      {"positional_sinusoidal", "sinusoidal positions (8,4): gradient passes through", [] {
         Rng rng(3);
         PositionalEncoding layer(8, 4, false, rng);
         const Tensor x = random_input(6, 4, 4);
         return gradcheck([&] { return layer.forward(x, 2); }, {{"x", x}});
       }},
      {"attention_self_padding", "self-attention, B=2 T=4 C=8 H=2, key padding",
       [] { return check_attention(false, false, kIds); }},
      {"attention_self_fully_padded", "self-attention with one sequence all padding (rows see no key)",
       [] { return check_attention(false, false, kIdsFullyPadded); }},
      {"attention_causal", "causal self-attention with key padding", [] { return check_attention(true, false, kIds); }},
      {"attention_cross", "cross-attention Tq=4 Tk=3, one query fully masked",
       [] { return check_attention(false, true, kIds); }},
      {"attention_local_causal", "causal self-attention with a window of 1 and key padding, on its band pattern",
       [] { return check_attention_kind(AttentionKind::Local, false); }},
      {"attention_linear_causal", "causal linear attention (elu+1 kernel) with key padding",
       [] { return check_attention_kind(AttentionKind::Linear, false); }},
      {"attention_linear_cross", "linear cross-attention Tq=4 Tk=3, memory padding",
       [] { return check_attention_kind(AttentionKind::Linear, true); }},
      {"feed_forward_relu", "linear1 → ReLU → linear2 (fused with dropout)", [] { return check_feed_forward(Activation::ReLU); }},
      {"feed_forward_gelu", "linear1 → GELU → linear2", [] { return check_feed_forward(Activation::GELU); }},
      {"encoder_layer_pre_ln", "pre-LN encoder layer with key padding", [] { return check_encoder_layer(true, kIds); }},
      {"encoder_layer_post_ln", "post-LN encoder layer with key padding",
       [] { return check_encoder_layer(false, kIds); }},
      {"encoder_layer_fully_padded", "pre-LN encoder layer, one sequence all padding",
       [] { return check_encoder_layer(true, kIdsFullyPadded); }},
      {"decoder_layer_pre_ln", "pre-LN decoder layer, causal + padding, memory padding",
       [] { return check_decoder_layer(true); }},
      {"decoder_layer_post_ln", "post-LN decoder layer, causal + padding, memory padding",
       [] { return check_decoder_layer(false); }},
      {"transformer_loss", "whole Transformer, smoothed loss, padded batch with an all-padding sequence",
       [] { return check_transformer(true, false); }},
      {"transformer_loss_post_ln_learned", "post-LN Transformer with learned positions",
       [] { return check_transformer(false, true); }},
      {"lstm", "2-layer LSTM(3→4), B=3 T=4, lengths 4 2 1, initial states given", check_lstm},
      {"lstm_step", "one step of a 2-layer LSTM(3→4), B=3, as a decoder takes it", check_lstm_step},
      {"lstm_seq2seq_loss", "whole 2+2-layer LSTM encoder-decoder, smoothed loss, padded batch",
       [] { return check_lstm_seq2seq(Arch::Lstm); }},
      {"lstm_attention_seq2seq_loss", "whole LSTM with attention and input feeding, padded batch with an all-padding source",
       [] { return check_lstm_seq2seq(Arch::LstmAttention); }},
      // Tied embeddings: one matrix used in two or three places gets the sum of their gradients.
      {"transformer_loss_tied_all", "Transformer with one matrix for source, target embedding and generator",
       [] { return check_transformer(true, false, TieEmbeddings::All); }},
      {"language_model_loss", "decoder-only lm (2 pre-LN layers under a causal mask), 2 windows of 5",
       [] { return check_language_model(TieEmbeddings::None, false); }},
      {"language_model_tied_learned", "lm with embedding = generator weight and learned positions",
       [] { return check_language_model(TieEmbeddings::Decoder, true); }},
      {"transformer_loss_local", "Transformer with local attention (window 1; cross-attention full), padded batch",
       [] { return check_transformer(true, false, TieEmbeddings::None, AttentionKind::Local, 1); }},
      {"transformer_loss_linear", "Transformer with linear attention, self and cross, padded batch",
       [] { return check_transformer(true, false, TieEmbeddings::None, AttentionKind::Linear); }},
      {"language_model_local", "lm with local attention (window 2) over windows of 5",
       [] { return check_language_model(TieEmbeddings::None, false, AttentionKind::Local, 2); }},
      {"language_model_linear", "lm with causal linear attention",
       [] { return check_language_model(TieEmbeddings::None, false, AttentionKind::Linear); }},
      {"lstm_attention_tied_decoder", "LSTM with attention, target embedding = generator weight",
       [] { return check_lstm_seq2seq(Arch::LstmAttention, TieEmbeddings::Decoder); }},
  };
  return checks;
}

HEED_NAMESPACE_END
