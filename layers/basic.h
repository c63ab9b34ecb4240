// The basic layers: Linear, Embedding, LayerNorm, Dropout.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "autograd/int8_linear.h"
#include "autograd/random.h"
#include "layers/module.h"

HEED_NAMESPACE_BEGIN

// y = x·weightᵀ + bias; weight (out,in) as PyTorch stores it. Init as nn.Linear:
// U(±1/sqrt(in)) for weight and bias.
class Linear : public Module {
 public:
  // tied_weight: use that (out, in) matrix, registered here too, instead of a new one.
  Linear(Index in_features, Index out_features, Rng& rng, bool with_bias = true, const Tensor* tied_weight = nullptr);
  Tensor forward(const Tensor& x) const;  // (N,in) -> (N,out)
  Tensor weight, bias;                    // bias undefined when with_bias is false
  // Set by quantize_int8 (layers/quantize.h): forward uses it whenever gradients are off.
  std::shared_ptr<const Int8Matrix> int8_weight;
};

// Rows of a (V,C) table gathered by id. Init N(0, std²): std 1 as nn.Embedding.
class Embedding : public Module {
 public:
  Embedding(Index vocab_size, Index dim, Rng& rng, double std = 1.0, const Tensor* tied_weight = nullptr);
  Tensor forward(const std::vector<std::int32_t>& ids) const;  // -> (ids.size(), C)
  Tensor weight;
};

// Normalises each row over its C features, then scales and shifts. Init: weight 1, bias 0.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(Index dim, Scalar eps = Scalar(1e-5));
  Tensor forward(const Tensor& x) const;  // (N,C) -> (N,C)
  Tensor weight, bias;

 private:
  Scalar eps_;
};

// Dropout with probability p in training mode, identity in eval mode. Draws its masks from
// the rng it was given (the model's), so a seeded model drops the same elements every run.
class Dropout : public Module {
 public:
  Dropout(Scalar p, Rng& rng) : p_(p), rng_(&rng) {}
  Tensor forward(const Tensor& x) const;
  // x + forward(y), fused: the residual connection without keeping the dropped copy of y.
  Tensor add_to(const Tensor& x, const Tensor& y) const;
  // The probability in effect: p in training mode, 0 in eval mode.
  Scalar active_p() const { return is_training() ? p_ : Scalar(0); }
  Scalar p() const { return p_; }
  Rng& rng() const { return *rng_; }

 private:
  Scalar p_;
  Rng* rng_;
};

HEED_NAMESPACE_END
