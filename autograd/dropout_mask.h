// Counter-based dropout masks: element i of the mask drawn with `seed` is a hash of (seed, i),
// so backward regenerates the mask instead of storing it. The hash works on 32-bit words so
// that loops over a row vectorise (AVX2 has 32-bit but no 64-bit multiplies).
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace heed {

// v where keep, else +0, through a bit mask: unlike a branch or a select, which GCC 12 does
// not vectorise, loops of it run 8 floats at a time (AVX2).
template <class S>
S keep_where(bool keep, S v) {
  using Bits = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
  Bits bits;
  std::memcpy(&bits, &v, sizeof v);
  bits &= keep ? ~Bits(0) : Bits(0);
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

struct DropoutMask {
  std::uint32_t seed = 0;
  std::uint32_t threshold = 0;  // element kept when its hash >= p·2³²
  bool active = false;

  DropoutMask() = default;
  DropoutMask(double p, std::uint64_t seed_)
      : seed(std::uint32_t(seed_ ^ (seed_ >> 32))), threshold(std::uint32_t(p * 4294967295.0)), active(p > 0) {}

  // A murmur3-style finalizer of the element's index mixed with the seed. The seed enters by
  // xor rather than addition, so two seeds' masks are not shifted copies of one sequence.
  // Indices are 32-bit: a tensor of more than 2³² elements would see its mask repeat.
  static std::uint32_t hash(std::uint32_t seed, std::uint32_t index) {
    std::uint32_t h = (index * 0x9E3779B1u) ^ seed;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
  }
  bool keep(std::uint64_t index) const { return hash(seed, std::uint32_t(index)) >= threshold; }

  // out[j] = in[j] · scale where element first + j is kept, else 0; in and out may alias.
  template <class S>
  void apply(const S* in, S* out, std::int64_t count, std::uint64_t first, S scale) const {
    for (std::int64_t j = 0; j < count; ++j) out[j] = masked(in[j] * scale, first + std::uint64_t(j));
  }
  // out[j] += in[j] · scale where element first + j is kept.
  template <class S>
  void accumulate(const S* in, S* out, std::int64_t count, std::uint64_t first, S scale) const {
    for (std::int64_t j = 0; j < count; ++j) out[j] += masked(in[j] * scale, first + std::uint64_t(j));
  }

 private:
  template <class S>
  S masked(S v, std::uint64_t index) const { return keep_where(keep(index), v); }
};

}  // namespace heed
