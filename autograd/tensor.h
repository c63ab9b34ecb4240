// Tensor: a shared handle to a value matrix and its gradient. Copies share the same node,
// so a tensor used twice accumulates both gradient contributions.
#pragma once

#include <memory>
#include <string>

#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

struct TensorNode {
  Matrix value;
  Matrix grad;  // empty until backward first accumulates into it
  bool requires_grad = false;
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
  // For optimizers and initialisers: changes the value in place, outside the tape.
  Matrix& mutable_value() { return node_->value; }
  // The single element of a (1,1) tensor.
  Scalar item() const;

  bool requires_grad() const { return node_->requires_grad; }
  void set_requires_grad(bool on) const { node_->requires_grad = on; }
  bool has_grad() const { return node_->grad.size() != 0; }
  // The gradient, allocated as zeros of the value's shape on first use.
  Matrix& grad() const;
  // Drops the gradient (frees its memory).
  void zero_grad() const { node_->grad.resize(0, 0); }

  TensorNode* node() const { return node_.get(); }
  bool same_as(const Tensor& other) const { return node_ == other.node_; }

 private:
  std::shared_ptr<TensorNode> node_;
};

HEED_NAMESPACE_END
