// The tape: a Wengert list of the ops run so far, in creation order. backward() walks it in
// reverse, and each op's backward closure accumulates (+=) into its inputs' gradients.
// The tape holds gradient slots only (see tensor.h); values live in the closures that need
// them, and backward() releases each op's closure once it has run.
// One tape per thread; NoGradGuard and AnomalyGuard are scoped switches on that thread.
#pragma once

#include <functional>
#include <vector>

#include "autograd/tensor.h"

HEED_NAMESPACE_BEGIN

// Receives the gradient of the op's output and accumulates into its inputs' gradients.
using BackwardFn = std::function<void(const Matrix& d_out)>;
// The same, for ops whose derivative is cheapest from their output (exp, tanh, softmax):
// the tape then keeps the output value until the op's backward has run.
using BackwardWithOutputFn = std::function<void(const Matrix& d_out, const Matrix& out)>;

class Tape {
 public:
  // The calling thread's tape.
  static Tape& current();

  // Runs backward from a (1,1) tensor: seeds d(loss)/d(loss) = 1 and walks the tape in
  // reverse. Each op's intermediate gradient and saved values are freed as soon as it has
  // been walked, and the tape is empty afterwards, even when backward throws: run the forward
  // again for another backward (as PyTorch without retain_graph). Throws if the gradient
  // would need an op that is no longer on the tape (the loss's, or one an input came from).
  void backward(const Tensor& loss);
  // Forgets every recorded op, freeing the activations the closures held.
  void clear();
  std::size_t size() const { return entries_.size(); }

  // Used by ops (see record() below).
  void push(const char* op, std::vector<GradRef> inputs, GradRef output, Tensor saved_output,
            BackwardWithOutputFn backward);

 private:
  struct Entry {
    const char* op;
    std::vector<GradRef> inputs;
    GradRef output;
    Tensor saved_output;  // defined only for ops whose backward reads their output
    BackwardWithOutputFn backward;
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
// A closure keeps alive exactly what it captures: capture an input as Tensor when backward
// reads its value, as GradRef when it only needs its gradient.
Tensor record(const char* op, Matrix value, const std::vector<Tensor>& inputs, BackwardFn backward);
Tensor record(const char* op, Matrix value, const std::vector<Tensor>& inputs, BackwardWithOutputFn backward);

HEED_NAMESPACE_END
