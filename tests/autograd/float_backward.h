// One forward and backward of a float op at a given thread count, for the float tests: the output
// y, then each input's gradient after backward of sum(y ⊙ dy). The thread count is restored after.
#pragma once

#include <functional>
#include <vector>

#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"

namespace heed::testing_float {

inline std::vector<Matrix> output_and_gradients(int threads, const std::vector<Tensor>& inputs,
                                                const std::function<Tensor()>& forward, const Tensor& dy) {
  const int before = parallel_threads();
  set_parallel_threads(threads);
  Tape& tape = Tape::current();
  tape.clear();
  for (Tensor t : inputs) t.set_requires_grad(true), t.zero_grad();
  const Tensor y = forward();
  tape.backward(sum(y * dy));
  std::vector<Matrix> got{y.value()};
  for (const Tensor& t : inputs) got.push_back(t.grad());
  tape.clear();
  set_parallel_threads(before);
  return got;
}

}  // namespace heed::testing_float
