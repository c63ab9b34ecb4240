// The multi-layer LSTM: per layer, one product for every step's input projection, then the
// lstm op's recurrence.
#include "layers/lstm.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "layers/init.h"

HEED_NAMESPACE_BEGIN

Lstm::Lstm(Index input_size, Index hidden_size, Index num_layers, Scalar dropout, Rng& init_rng, Rng* dropout_rng)
    : input_size_(input_size), hidden_size_(hidden_size), dropout_(dropout),
      dropout_rng_(dropout_rng ? dropout_rng : &init_rng) {
  HEED_CHECK(input_size > 0 && hidden_size > 0 && num_layers > 0,
             "lstm: input size " << input_size << ", hidden size " << hidden_size << " and " << num_layers
                                 << " layers must all be positive");
  HEED_CHECK(dropout >= 0 && dropout < 1, "lstm: dropout is " << dropout << ", expected [0, 1)");
  const double bound = 1.0 / std::sqrt(double(hidden_size));
  const Index h4 = 4 * hidden_size;
  for (Index k = 0; k < num_layers; ++k) {
    const std::string l = "_l" + std::to_string(k);
    const Index in = k == 0 ? input_size : hidden_size;
    Layer layer;
    layer.weight_ih = register_parameter("weight_ih" + l, Tensor(uniform_matrix(h4, in, bound, init_rng)));
    layer.weight_hh = register_parameter("weight_hh" + l, Tensor(uniform_matrix(h4, hidden_size, bound, init_rng)));
    layer.bias_ih = register_parameter("bias_ih" + l, Tensor(uniform_matrix(1, h4, bound, init_rng)), Rank::OneD);
    layer.bias_hh = register_parameter("bias_hh" + l, Tensor(uniform_matrix(1, h4, bound, init_rng)), Rank::OneD);
    layers_.push_back(layer);
  }
}

Tensor Lstm::input_projection(const Layer& layer, const Tensor& x) const {
  return linear(x, layer.weight_ih, add(layer.bias_ih, layer.bias_hh));
}

Tensor Lstm::between_layers(const Tensor& h) const {
  if (!is_training() || dropout_ == 0) return h;
  return dropout(h, dropout_, *dropout_rng_);
}

Tensor Lstm::initial_state(const std::vector<Tensor>& given, std::size_t layer, Index batch) const {
  if (given.empty()) return Tensor::zeros(batch, 2 * hidden_size_);
  const Tensor& s = given[layer];
  HEED_CHECK(s.rows() == batch && s.cols() == 2 * hidden_size_,
             "lstm: state of layer " << layer << " is " << shape_str(s.value()) << ", expected (" << batch << ","
                                     << 2 * hidden_size_ << ") = [h | c]");
  return s;
}

LstmOutput Lstm::forward(const Tensor& x, const std::vector<Tensor>& initial, const std::vector<Index>& lengths,
                         Index batch) const {
  HEED_CHECK(batch > 0 && x.rows() % batch == 0 && x.rows() > 0 && x.cols() == input_size_,
             "lstm: input " << shape_str(x.value()) << " for " << batch << " sequences of " << input_size_
                            << " features");
  HEED_CHECK(initial.empty() || initial.size() == layers_.size(),
             "lstm: " << initial.size() << " initial states for " << layers_.size() << " layers");
  const Index steps = x.rows() / batch, h = hidden_size_;
  // Row b·T + T-1 of a layer's output holds sequence b's final state (padded steps carry it).
  std::vector<std::int32_t> last_rows(static_cast<std::size_t>(batch));
  for (Index b = 0; b < batch; ++b) last_rows[std::size_t(b)] = std::int32_t(b * steps + steps - 1);
  LstmOutput result;
  Tensor input = x;
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const Tensor states = lstm(input_projection(layers_[k], input), layers_[k].weight_hh,
                               initial_state(initial, k, batch), lengths, batch);
    result.final_states.push_back(embedding(states, last_rows));
    const Tensor hidden = slice_cols(states, 0, h);
    if (k + 1 == layers_.size()) result.outputs = hidden;
    else input = between_layers(hidden);
  }
  return result;
}

std::vector<Tensor> Lstm::step(const Tensor& x, const std::vector<Tensor>& states) const {
  HEED_CHECK(x.cols() == input_size_ && x.rows() > 0,
             "lstm step: input " << shape_str(x.value()) << ", expected (B," << input_size_ << ")");
  HEED_CHECK(states.empty() || states.size() == layers_.size(),
             "lstm step: " << states.size() << " states for " << layers_.size() << " layers");
  const Index batch = x.rows();
  std::vector<Tensor> next;
  Tensor input = x;
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    next.push_back(lstm(input_projection(layers_[k], input), layers_[k].weight_hh, initial_state(states, k, batch),
                        {}, batch));
    if (k + 1 < layers_.size()) input = between_layers(slice_cols(next.back(), 0, hidden_size_));
  }
  return next;
}

HEED_NAMESPACE_END
