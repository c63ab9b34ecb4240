// heed's public header for tests: gradient checks of your own ops and layers in GoogleTest, in
// double precision (link heed::testing, which defines HEED_DOUBLE). README "Use heed in your project".
//   EXPECT_GRADCHECK(f, {{"x", x}, {"w", w}});   backward against central differences; on failure the
//                                                message names the worst element by input and index
//   heed::gradcheck(f, inputs) -> GradcheckResult the same check, without asserting
//   heed::testing::random_tensor(rows, cols, seed)
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <type_traits>

#include "autograd/gradcheck.h"
#include "autograd/random.h"

// Central differences in float are noise: a check would pass or fail by chance.
static_assert(std::is_same_v<heed::Scalar, double>,
              "heed/testing.h needs the double-precision build: link heed::testing (it defines HEED_DOUBLE)");

namespace heed::testing {

// A (rows, cols) tensor of uniform values in [lo, hi), reproducible from seed.
inline Tensor random_tensor(Index rows, Index cols, std::uint64_t seed, double lo = -1, double hi = 1) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = Scalar(lo + (hi - lo) * rng.uniform());
  return Tensor(m);
}

}  // namespace heed::testing

// EXPECT_GRADCHECK(f, {{"name", tensor}, ...}): f returns the output to check (any shape).
#define EXPECT_GRADCHECK(f, ...)                                    \
  do {                                                              \
    const auto heed_gc_result_ = ::heed::gradcheck(f, __VA_ARGS__); \
    EXPECT_TRUE(heed_gc_result_.ok) << heed_gc_result_.message();   \
  } while (0)
