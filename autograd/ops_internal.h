// Pieces shared by several op files; not part of the op API (ops.h).
#pragma once

#include "autograd/tensor.h"

HEED_NAMESPACE_BEGIN

// The backward of y = x·Wᵀ + b for a given dy: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy, each
// only where required; threads split the rows. Used by linear and linear_relu_dropout.
// x is the input's value (only read when the weight needs a gradient), x_grad its gradient.
// y = x·Wᵀ + b for the rows [begin, end) of x and y (b may be empty); threads call it for
// disjoint row blocks. Used by linear and linear_relu_dropout.
void linear_rows(const Matrix& x, const Matrix& weight, const Matrix& bias, Index begin, Index end, Matrix& y);

void linear_backward(const Matrix& d_y, const SavedValue& x, const GradRef& x_grad, const Tensor& weight,
                     const GradRef& bias);

HEED_NAMESPACE_END
