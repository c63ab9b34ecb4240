// Helpers for binary ops that broadcast a dimension of size 1 over rows or columns.
#pragma once

#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

// The result shape of broadcasting a with b; throws naming `op` if they do not broadcast.
void broadcast_shape(const char* op, const Matrix& a, const Matrix& b, Index& rows, Index& cols);
// m repeated to (rows, cols) along its dimensions of size 1.
Matrix broadcast_to(const Matrix& m, Index rows, Index cols);
// The gradient g of a broadcast result summed back to the operand's shape (rows, cols).
Matrix reduce_to(const Matrix& g, Index rows, Index cols);

HEED_NAMESPACE_END
