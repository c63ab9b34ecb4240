// A multi-layer LSTM with nn.LSTM's parameters, names and shapes:
//   weight_ih_l{k} [4H, in_k]  weight_hh_l{k} [4H, H]  bias_ih_l{k} [4H]  bias_hh_l{k} [4H]
// (in_0 = input_size, in_k = H above), gates stacked in PyTorch's order i, f, g, o. Sequences
// are batch-major, row b·T + t, and may be padded at the end (lengths), as nn.LSTM computes a
// pack_padded_sequence batch.
#pragma once

#include <vector>

#include "autograd/random.h"
#include "layers/module.h"

HEED_NAMESPACE_BEGIN

struct LstmOutput {
  // (B·T, H): the top layer's h_t. At a padded step (t >= length) it repeats the sequence's last
  // h (pad_packed_sequence gives zeros there): mask padded positions downstream.
  Tensor outputs;
  // Per layer (B, 2H): [h_n | c_n], each sequence's state after its last valid step.
  std::vector<Tensor> final_states;
};

class Lstm : public Module {
 public:
  // Init as nn.LSTM: every parameter U(±1/sqrt(H)). Dropout (as nn.LSTM's `dropout`) applies to
  // each layer's output but the last, in training mode only, with masks drawn from dropout_rng
  // (null: from init_rng, which must then outlive the module).
  Lstm(Index input_size, Index hidden_size, Index num_layers, Scalar dropout, Rng& init_rng, Rng* dropout_rng);

  // x (B·T, input_size), row b·T + t; initial: per layer (B, 2H) = [h0 | c0], empty = zeros;
  // lengths: each sequence's steps (1..T), empty = all T.
  LstmOutput forward(const Tensor& x, const std::vector<Tensor>& initial, const std::vector<Index>& lengths,
                     Index batch) const;
  // One time step through every layer: x (B, input_size), states per layer (B, 2H) (empty =
  // zeros) -> the new states per layer; the top layer's h is slice_cols(states.back(), 0, H).
  // For decoders that feed each step's output back in, under training or NoGradGuard.
  std::vector<Tensor> step(const Tensor& x, const std::vector<Tensor>& states) const;

  Index input_size() const { return input_size_; }
  Index hidden_size() const { return hidden_size_; }
  Index num_layers() const { return Index(layers_.size()); }

 private:
  struct Layer {
    Tensor weight_ih, weight_hh, bias_ih, bias_hh;
  };
  // The layer's input projections for all rows: x·W_ihᵀ + b_ih + b_hh in one product.
  Tensor input_projection(const Layer& layer, const Tensor& x) const;
  // Dropout between layers, in training mode.
  Tensor between_layers(const Tensor& h) const;
  Tensor initial_state(const std::vector<Tensor>& given, std::size_t layer, Index batch) const;

  std::vector<Layer> layers_;
  Index input_size_, hidden_size_;
  Scalar dropout_;
  Rng* dropout_rng_;
};

HEED_NAMESPACE_END
