// The tape: a Wengert list of the ops run so far, in creation order. backward() walks it in
// reverse, and each op's backward closure accumulates (+=) into its inputs' gradients.
// One tape per thread; NoGradGuard and AnomalyGuard are scoped switches on that thread.
#pragma once

#include <functional>
#include <vector>

#include "autograd/tensor.h"

HEED_NAMESPACE_BEGIN

// Receives the gradient of the op's output (and the output itself, so ops such as exp or
// softmax need not keep a copy) and accumulates into its inputs' gradients.
using BackwardFn = std::function<void(const Matrix& d_out, const Matrix& out)>;

class Tape {
 public:
  // The calling thread's tape.
  static Tape& current();

  // Runs backward from a (1,1) tensor: seeds d(loss)/d(loss) = 1 and walks the tape in
  // reverse. Intermediate gradients are freed as soon as their op has been walked.
  void backward(const Tensor& loss);
  // Forgets every recorded op, freeing the activations the closures held.
  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

  // Used by ops (see record() below).
  void push(const char* op, std::vector<Tensor> inputs, Tensor output, BackwardFn backward);

 private:
  struct Entry {
    const char* op;
    std::vector<Tensor> inputs;
    Tensor output;
    BackwardFn backward;
  };
  std::vector<Entry> entries_;
};

// True unless a NoGradGuard is alive on this thread.
bool grad_enabled();
// True while an AnomalyGuard is alive on this thread.
bool anomaly_enabled();

// Records nothing while alive: for inference, decoding and numerical differentiation.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// While alive, every forward and backward result is checked for NaN/Inf, and the first
// one found throws std::runtime_error naming the op.
class AnomalyGuard {
 public:
  AnomalyGuard();
  ~AnomalyGuard();
  AnomalyGuard(const AnomalyGuard&) = delete;
  AnomalyGuard& operator=(const AnomalyGuard&) = delete;

 private:
  bool previous_;
};

// The one way ops create their output: wraps `value`, and when grad is enabled and any input
// requires grad, marks the output as requiring grad and records `backward` on the tape.
Tensor record(const char* op, Matrix value, std::vector<Tensor> inputs, BackwardFn backward);

HEED_NAMESPACE_END
