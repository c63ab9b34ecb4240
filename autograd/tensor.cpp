// Tensor handle implementation.
#include "autograd/tensor.h"

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

Tensor::Tensor(Matrix value, bool requires_grad) : node_(std::make_shared<TensorNode>()) {
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
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
  if (node_->grad.size() == 0) node_->grad.setZero(rows(), cols());
  return node_->grad;
}

HEED_NAMESPACE_END
