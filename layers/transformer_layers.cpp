// Encoder and decoder layers and stacks.
#include "layers/transformer_layers.h"

#include "autograd/ops.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

FeedForward::FeedForward(const LayerConfig& config, Rng& rng)
    : linear1(config.d_model, config.d_ff, rng),
      linear2(config.d_ff, config.d_model, rng),
      dropout(config.dropout, config.dropout_rng ? *config.dropout_rng : rng),
      activation(config.activation) {}

// (N,C) -> linear1 -> act -> dropout -> linear2 -> (N,C)
Tensor FeedForward::forward(const Tensor& x) const {
  if (activation == Activation::ReLU && linear1.int8_weight && !grad_enabled())  // 8-bit inference: no dropout
    return linear2.forward(relu(linear1.forward(x)));
  if (activation == Activation::ReLU)  // fused: keeps only the dropped activations for backward
    return linear2.forward(linear_relu_dropout(x, linear1.weight, linear1.bias, dropout.active_p(), &dropout.rng()));
  return linear2.forward(dropout.forward(gelu(linear1.forward(x))));
}

EncoderLayer::EncoderLayer(const LayerConfig& config, Rng& rng)
    : self_attn(config.d_model, config.num_heads, config.dropout, rng, config.dropout_rng, config.attention),
      ff(config, rng),
      norm1(config.d_model),
      norm2(config.d_model),
      dropout1_(config.dropout, config.dropout_rng ? *config.dropout_rng : rng),
      dropout2_(config.dropout, config.dropout_rng ? *config.dropout_rng : rng),
      norm_first_(config.norm_first) {
  register_module("self_attn", self_attn);
  register_module("linear1", ff.linear1);
  register_module("ff_dropout", ff.dropout);
  register_module("linear2", ff.linear2);
  register_module("norm1", norm1);
  register_module("norm2", norm2);
  register_module("dropout1", dropout1_);
  register_module("dropout2", dropout2_);
}

// pre-LN:  x = x + drop(sa(norm1(x)));  x = x + drop(ff(norm2(x)))
// post-LN: x = norm1(x + drop(sa(x)));  x = norm2(x + drop(ff(x)))
Tensor EncoderLayer::forward(const Tensor& x, const AttentionMask& mask, Index batch, Tensor* attention) const {
  auto self_attention = [&](const Tensor& h) {
    AttentionResult r = self_attn.forward(h, h, mask, batch, attention != nullptr);
    if (attention) *attention = r.weights;
    return r.output;
  };
  if (norm_first_) {
    const Tensor h = dropout1_.add_to(x, self_attention(norm1.forward(x)));
    return dropout2_.add_to(h, ff.forward(norm2.forward(h)));
  }
  const Tensor h = norm1.forward(dropout1_.add_to(x, self_attention(x)));
  return norm2.forward(dropout2_.add_to(h, ff.forward(h)));
}

// Cross-attention is linear with linear attention, and full with local: source and target
// positions do not align (README "Attention kinds").
DecoderLayer::DecoderLayer(const LayerConfig& config, Rng& rng)
    : self_attn(config.d_model, config.num_heads, config.dropout, rng, config.dropout_rng, config.attention),
      multihead_attn(config.d_model, config.num_heads, config.dropout, rng, config.dropout_rng,
                     config.attention == AttentionKind::Linear ? AttentionKind::Linear : AttentionKind::Full),
      ff(config, rng),
      norm1(config.d_model),
      norm2(config.d_model),
      norm3(config.d_model),
      dropout1_(config.dropout, config.dropout_rng ? *config.dropout_rng : rng),
      dropout2_(config.dropout, config.dropout_rng ? *config.dropout_rng : rng),
      dropout3_(config.dropout, config.dropout_rng ? *config.dropout_rng : rng),
      norm_first_(config.norm_first) {
  register_module("self_attn", self_attn);
  register_module("multihead_attn", multihead_attn);
  register_module("linear1", ff.linear1);
  register_module("ff_dropout", ff.dropout);
  register_module("linear2", ff.linear2);
  register_module("norm1", norm1);
  register_module("norm2", norm2);
  register_module("norm3", norm3);
  register_module("dropout1", dropout1_);
  register_module("dropout2", dropout2_);
  register_module("dropout3", dropout3_);
}

// pre-LN:  x = x + drop(sa(norm1(x)));  x = x + drop(ca(norm2(x), memory));  x = x + drop(ff(norm3(x)))
// post-LN: each sublayer is x = norm(x + drop(sublayer(x)))
Tensor DecoderLayer::forward(const Tensor& x, const Tensor& memory, const AttentionMask& self_mask,
                             const AttentionMask& memory_mask, Index batch, Tensor* self_attention,
                             Tensor* cross_attention) const {
  auto self_block = [&](const Tensor& h) {
    AttentionResult r = self_attn.forward(h, h, self_mask, batch, self_attention != nullptr);
    if (self_attention) *self_attention = r.weights;
    return r.output;
  };
  auto cross_block = [&](const Tensor& h) {
    AttentionResult r = multihead_attn.forward(h, memory, memory_mask, batch, cross_attention != nullptr);
    if (cross_attention) *cross_attention = r.weights;
    return r.output;
  };
  if (norm_first_) {
    const Tensor h1 = dropout1_.add_to(x, self_block(norm1.forward(x)));
    const Tensor h2 = dropout2_.add_to(h1, cross_block(norm2.forward(h1)));
    return dropout3_.add_to(h2, ff.forward(norm3.forward(h2)));
  }
  const Tensor h1 = norm1.forward(dropout1_.add_to(x, self_block(x)));
  const Tensor h2 = norm2.forward(dropout2_.add_to(h1, cross_block(h1)));
  return norm3.forward(dropout3_.add_to(h2, ff.forward(h2)));
}

Encoder::Encoder(const LayerConfig& config, Index num_layers, Rng& rng) : norm(config.d_model) {
  for (Index i = 0; i < num_layers; ++i) {
    layers.push_back(std::make_unique<EncoderLayer>(config, rng));
    layer_list_.append(*layers.back());
  }
  register_module("layers", layer_list_);
  register_module("norm", norm);
}

Tensor Encoder::forward(const Tensor& x, const AttentionMask& mask, Index batch, std::vector<Tensor>* attention) const {
  Tensor h = x;
  for (const auto& layer : layers) {
    Tensor weights;
    h = layer->forward(h, mask, batch, attention ? &weights : nullptr);
    if (attention) attention->push_back(weights);
  }
  return norm.forward(h);
}

Decoder::Decoder(const LayerConfig& config, Index num_layers, Rng& rng) : norm(config.d_model) {
  for (Index i = 0; i < num_layers; ++i) {
    layers.push_back(std::make_unique<DecoderLayer>(config, rng));
    layer_list_.append(*layers.back());
  }
  register_module("layers", layer_list_);
  register_module("norm", norm);
}

Tensor Decoder::forward(const Tensor& x, const Tensor& memory, const AttentionMask& self_mask,
                        const AttentionMask& memory_mask, Index batch, std::vector<Tensor>* self_attention,
                        std::vector<Tensor>* cross_attention) const {
  Tensor h = x;
  for (const auto& layer : layers) {
    Tensor self_weights, cross_weights;
    h = layer->forward(h, memory, self_mask, memory_mask, batch, self_attention ? &self_weights : nullptr,
                       cross_attention ? &cross_weights : nullptr);
    if (self_attention) self_attention->push_back(self_weights);
    if (cross_attention) cross_attention->push_back(cross_weights);
  }
  return norm.forward(h);
}

HEED_NAMESPACE_END
