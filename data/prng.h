// Deterministic randomness for data generation: a splitmix64 generator, a string hash and a
// shuffle. Unlike std::uniform_int_distribution, std::hash and std::shuffle, these give the
// same numbers with every standard library, so a seed names the same data everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace heed {

// splitmix64's output function: a bijective mix of 64 bits.
inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// FNV-1a over the bytes, then mixed: a stable hash of a string.
inline std::uint64_t hash64(std::string_view text) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001B3ull;
  return mix64(h);
}

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  // Seeded by (seed, stream): independent streams for splits, epochs, ...
  SplitMix64(std::uint64_t seed, std::string_view stream) : state_(seed ^ hash64(stream)) {}

  std::uint64_t next() { return mix64(state_ += 0x9E3779B97F4A7C15ull); }

  // Uniform in [0, n), n > 0, unbiased (rejects the top partial block).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    std::uint64_t r = next();
    while (r < threshold) r = next();
    return r % n;
  }
  // Uniform in [lo, hi].
  int between(int lo, int hi) { return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo) + 1)); }
  // True with probability numerator / denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator) { return below(denominator) < numerator; }

 private:
  std::uint64_t state_;
};

// Fisher-Yates with SplitMix64::below.
template <typename T>
void shuffle(std::vector<T>& items, SplitMix64& rng) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[rng.below(i)]);
}

}  // namespace heed
