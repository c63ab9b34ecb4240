// EXPECT_GRADCHECK: the one-line assertion every op and layer test uses.
#pragma once

#include <gtest/gtest.h>

#include "autograd/gradcheck.h"
#include "autograd/random.h"

namespace heed::testing {

// A (rows, cols) tensor of uniform values in [lo, hi), reproducible from seed.
inline Tensor random_tensor(Index rows, Index cols, std::uint64_t seed, double lo = -1, double hi = 1) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = Scalar(lo + (hi - lo) * rng.uniform());
  return Tensor(m);
}

}  // namespace heed::testing

#define EXPECT_GRADCHECK(f, ...)                                    \
  do {                                                              \
    const auto heed_gc_result_ = ::heed::gradcheck(f, __VA_ARGS__); \
    EXPECT_TRUE(heed_gc_result_.ok) << heed_gc_result_.message();   \
  } while (0)
