// Encoder and decoder layers and stacks, as nn.TransformerEncoderLayer / DecoderLayer compute
// them (pre-LN by default, post-LN as an option), with the same parameter names.
#pragma once

#include <memory>
#include <vector>

#include "layers/attention.h"
#include "layers/model_config.h"

HEED_NAMESPACE_BEGIN

struct LayerConfig {
  Index d_model = 128;
  Index num_heads = 4;
  Index d_ff = 512;
  Scalar dropout = Scalar(0.1);
  bool norm_first = true;  // pre-LN; false gives post-LN
  Activation activation = Activation::ReLU;
  // Where dropout draws its masks; null = the rng that initialises the weights. A model keeps
  // a separate one so that a checkpoint can save and restore it (exact resume).
  Rng* dropout_rng = nullptr;
  // Linear: self- and cross-attention by linear attention's kernel; Local and Full: softmax (the
  // window is in the masks the model builds).
  AttentionKind attention = AttentionKind::Full;
};

// The position-wise feed-forward block: linear2(dropout(act(linear1(x)))). Owned by the layers
// so its parameters are named linear1.* and linear2.* directly under the layer, as in PyTorch.
struct FeedForward {
  FeedForward(const LayerConfig& config, Rng& rng);
  Tensor forward(const Tensor& x) const;  // (N,C) -> (N,C)
  Linear linear1, linear2;
  Dropout dropout;
  Activation activation;
};

class EncoderLayer : public Module {
 public:
  EncoderLayer(const LayerConfig& config, Rng& rng);
  // x (B·T, C), mask (B·T, T) or a pattern -> (B·T, C)
  Tensor forward(const Tensor& x, const AttentionMask& mask, Index batch, Tensor* attention = nullptr) const;

  bool norm_first() const { return norm_first_; }

  MultiHeadAttention self_attn;
  FeedForward ff;
  LayerNorm norm1, norm2;

 private:
  Dropout dropout1_, dropout2_;
  bool norm_first_;
};

class DecoderLayer : public Module {
 public:
  DecoderLayer(const LayerConfig& config, Rng& rng);
  // x (B·T, C), memory (B·S, C), self_mask (B·T, T), memory_mask (B·T, S) (or patterns) -> (B·T, C)
  Tensor forward(const Tensor& x, const Tensor& memory, const AttentionMask& self_mask, const AttentionMask& memory_mask,
                 Index batch, Tensor* self_attention = nullptr, Tensor* cross_attention = nullptr) const;

  bool norm_first() const { return norm_first_; }

  MultiHeadAttention self_attn, multihead_attn;
  FeedForward ff;
  LayerNorm norm1, norm2, norm3;

 private:
  Dropout dropout1_, dropout2_, dropout3_;
  bool norm_first_;
};

// A stack of layers ("layers.0", "layers.1", …) and a final LayerNorm ("norm").
class Encoder : public Module {
 public:
  Encoder(const LayerConfig& config, Index num_layers, Rng& rng);
  // attention, when given, receives each layer's weights (B·H·T, T).
  Tensor forward(const Tensor& x, const AttentionMask& mask, Index batch, std::vector<Tensor>* attention = nullptr) const;
  std::vector<std::unique_ptr<EncoderLayer>> layers;
  LayerNorm norm;

 private:
  ModuleList layer_list_;
};

class Decoder : public Module {
 public:
  Decoder(const LayerConfig& config, Index num_layers, Rng& rng);
  // self_attention and cross_attention, when given, receive each layer's weights (B·H·T, T) and (B·H·T, S).
  Tensor forward(const Tensor& x, const Tensor& memory, const AttentionMask& self_mask,
                 const AttentionMask& memory_mask, Index batch,
                 std::vector<Tensor>* self_attention = nullptr, std::vector<Tensor>* cross_attention = nullptr) const;
  std::vector<std::unique_ptr<DecoderLayer>> layers;
  LayerNorm norm;

 private:
  ModuleList layer_list_;
};

HEED_NAMESPACE_END
