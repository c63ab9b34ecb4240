// Random inputs for the float tests (heed/testing.h serves the double-precision build only):
// uniform in [-1, 1) from a seeded std::mt19937, so a test sees the same numbers every run.
#pragma once

#include <random>
#include <vector>

#include "autograd/tensor.h"

namespace heed::testing_float {

inline std::vector<float> random_floats(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

inline Tensor random_tensor(Index rows, Index cols, unsigned seed) {
  const std::vector<float> v = random_floats(std::size_t(rows * cols), seed);
  return Tensor(Matrix(Eigen::Map<const Matrix>(v.data(), rows, cols)));
}

}  // namespace heed::testing_float
