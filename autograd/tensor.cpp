// Tensor handle implementation.
#include "autograd/tensor.h"

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

Tensor::Tensor(Matrix value, bool requires_grad)
    : node_(std::make_shared<TensorNode>(TensorNode{std::move(value), std::make_shared<GradSlot>(), nullptr})) {
  node_->slot->rows = node_->value.rows();
  node_->slot->cols = node_->value.cols();
  node_->slot->requires_grad = requires_grad;
}

Tensor Tensor::zeros(Index rows, Index cols, bool requires_grad) {
  return Tensor(Matrix::Zero(rows, cols), requires_grad);
}

Tensor Tensor::constant(Index rows, Index cols, Scalar value, bool requires_grad) {
  return Tensor(Matrix::Constant(rows, cols, value), requires_grad);
}

Scalar Tensor::item() const {
  HEED_CHECK(size() == 1, "item: tensor is " << shape_str(value()) << ", expected (1,1)");
  return node_->value(0, 0);
}

Matrix& Tensor::grad() const {
  GradSlot& s = *node_->slot;
  s.rows = rows();  // an optimizer or loader may have replaced the value
  s.cols = cols();
  if (s.grad.size() == 0) s.grad.setZero(s.rows, s.cols);
  return s.grad;
}

Matrix& Tensor::grad_for_write(bool* first) const {
  node_->slot->rows = rows();  // an optimizer or loader may have replaced the value
  node_->slot->cols = cols();
  return GradRef(*this).grad_for_write(first);
}

Matrix& GradRef::grad() const {
  if (slot_->grad.size() == 0) slot_->grad.setZero(slot_->rows, slot_->cols);
  return slot_->grad;
}

Matrix& GradRef::grad_for_write(bool* first) const {
  *first = slot_->grad.size() == 0;
  if (*first) slot_->grad.resize(slot_->rows, slot_->cols);
  return slot_->grad;
}

HEED_NAMESPACE_END
