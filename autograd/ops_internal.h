// Pieces shared by several op files; not part of the op API (ops.h).
#pragma once

#include "autograd/tensor.h"

HEED_NAMESPACE_BEGIN

// The backward of y = x·Wᵀ + b for a given dy: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy, each
// only where required; threads split the rows. Used by linear and linear_relu_dropout.
void linear_backward(const Matrix& d_y, const Tensor& x, const Tensor& weight, const GradRef& bias);

HEED_NAMESPACE_END
