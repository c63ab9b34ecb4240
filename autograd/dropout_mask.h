// Counter-based dropout masks: element i of the mask drawn with `seed` is a hash of (seed, i),
// so backward regenerates the mask instead of storing it.
#pragma once

#include <cstdint>

namespace heed {

struct DropoutMask {
  std::uint64_t seed = 0;
  std::uint64_t threshold = 0;  // element kept when its 32-bit draw >= p·2³²

  DropoutMask() = default;
  DropoutMask(double p, std::uint64_t seed_) : seed(seed_), threshold(std::uint64_t(p * 4294967296.0)) {}

  bool keep(std::uint64_t index) const {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);  // splitmix64 of the counter
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return ((z ^ (z >> 31)) >> 32) >= threshold;
  }
};

}  // namespace heed
