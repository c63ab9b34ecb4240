#include "swiglu.h"

#include "swish.h"

using namespace heed;

SwiGlu::SwiGlu(Index in_features, Index out_features, Rng& rng)
    : value(in_features, out_features, rng), gate(in_features, out_features, rng) {
  register_module("value", value);
  register_module("gate", gate);
}

Tensor SwiGlu::forward(const Tensor& x) const { return value.forward(x) * swish(gate.forward(x)); }
