// SwiGLU (Shazeer, 2020): a layer of our own, (x·Wᵀ + b) ⊙ swish(x·Vᵀ + c), from heed's Linear
// and our swish. (N, in) -> (N, out); parameters value.weight [out, in], value.bias [out], gate.*
#pragma once

#include <heed/heed.h>

class SwiGlu : public heed::Module {
 public:
  SwiGlu(heed::Index in_features, heed::Index out_features, heed::Rng& rng);
  heed::Tensor forward(const heed::Tensor& x) const;

  heed::Linear value, gate;
};
