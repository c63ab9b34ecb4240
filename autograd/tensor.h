// Tensor: a shared handle to a value matrix and its gradient. Copies share the same node,
// so a tensor used twice accumulates both gradient contributions.
//
// The gradient lives in a separate GradSlot. The tape holds only the slots of an op's inputs
// and output, and a backward closure holds the values it needs (a Tensor) and the slots of
// the rest (a GradRef). So a value that no backward needs, such as a projection's output
// that only feeds a residual add, is freed as soon as the code that made it drops its handle.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

struct GradSlot {
  Matrix grad;               // empty until backward first accumulates into it
  Index rows = 0, cols = 0;  // the value's shape, to allocate grad without the value
  bool requires_grad = false;
  bool op_output = false;    // made by an op: backward needs that op's tape entry
  bool released = false;     // that entry is gone (walked or cleared): no gradient flows back
};

struct TensorNode {
  Matrix value;
  std::shared_ptr<GradSlot> slot;
  // Set by ops whose output is cheap to rebuild from what their own backward keeps anyway
  // (layer norm): a consumer's backward then saves this recipe instead of the value (see
  // SavedValue), and the value is freed with the forward pass.
  std::shared_ptr<const std::function<Matrix()>> recompute;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Matrix value, bool requires_grad = false);

  static Tensor zeros(Index rows, Index cols, bool requires_grad = false);
  static Tensor constant(Index rows, Index cols, Scalar value, bool requires_grad = false);

  bool defined() const { return node_ != nullptr; }
  Index rows() const { return node_->value.rows(); }
  Index cols() const { return node_->value.cols(); }
  Index size() const { return node_->value.size(); }
  const Matrix& value() const { return node_->value; }
  // For optimizers and initialisers: changes the value in place, outside the tape. A value
  // changed by hand can no longer be rebuilt by its op, so its recipe is dropped.
  Matrix& mutable_value() {
    node_->recompute.reset();
    return node_->value;
  }
  // The single element of a (1,1) tensor.
  Scalar item() const;

  bool requires_grad() const { return node_->slot->requires_grad; }
  void set_requires_grad(bool on) const { node_->slot->requires_grad = on; }
  bool has_grad() const { return node_->slot->grad.size() != 0; }
  // The gradient, allocated as zeros of the value's shape on first use.
  Matrix& grad() const;
  // As GradRef::grad_for_write below.
  Matrix& grad_for_write(bool* first) const;
  // Drops the gradient (frees its memory).
  void zero_grad() const { node_->slot->grad.resize(0, 0); }

  TensorNode* node() const { return node_.get(); }
  const std::shared_ptr<GradSlot>& slot() const { return node_->slot; }
  bool same_as(const Tensor& other) const { return node_ == other.node_; }
  // Observes the node without keeping it alive (tests of what the tape frees).
  std::weak_ptr<const TensorNode> watch() const { return node_; }

 private:
  std::shared_ptr<TensorNode> node_;
};

// The gradient side of a tensor, without its value: what a backward closure captures for an
// input whose value it does not need. Converts implicitly from Tensor.
class GradRef {
 public:
  GradRef() = default;
  GradRef(const Tensor& t) : slot_(t.defined() ? t.slot() : nullptr) {}  // NOLINT: implicit on purpose

  bool defined() const { return slot_ != nullptr; }
  Index rows() const { return slot_->rows; }
  Index cols() const { return slot_->cols; }
  bool requires_grad() const { return slot_->requires_grad; }
  bool has_grad() const { return slot_->grad.size() != 0; }
  // The gradient, allocated as zeros of the value's shape on first use.
  Matrix& grad() const;
  // The gradient, for a backward that will write every element of it. On the first
  // contribution it is allocated uninitialised and *first is set: the caller then assigns
  // instead of adding to zeros (see write_or_add), which saves a pass over memory.
  Matrix& grad_for_write(bool* first) const;
  void zero_grad() const { slot_->grad.resize(0, 0); }
  const GradSlot* slot() const { return slot_.get(); }
  // For the tape: the op that made this tensor is gone.
  void mark_released() const { slot_->released = true; }

 private:
  std::shared_ptr<GradSlot> slot_;
};

// What a backward closure keeps of an input whose value it reads: the tensor itself or, when
// the input's op can recompute it (TensorNode::recompute), only the recipe. get() then
// rebuilds the value on first use; call it outside parallel regions.
class SavedValue {
 public:
  explicit SavedValue(const Tensor& t) : recompute_(t.node()->recompute) {
    if (!recompute_) tensor_ = t;
  }
  const Matrix& get() const {
    if (!recompute_) return tensor_.value();
    if (!rebuilt_) rebuilt_ = std::make_shared<Matrix>((*recompute_)());
    return *rebuilt_;
  }

 private:
  Tensor tensor_;
  std::shared_ptr<const std::function<Matrix()>> recompute_;
  mutable std::shared_ptr<Matrix> rebuilt_;  // freed with the closure, once its backward has run
};

// dst = src when `first`, else dst += src: how a backward writes a gradient obtained from
// grad_for_write, block by block.
template <class Dst, class Src>
void write_or_add(bool first, Dst&& dst, const Src& src) {
  if (first) dst.noalias() = src;
  else dst.noalias() += src;
}

HEED_NAMESPACE_END
