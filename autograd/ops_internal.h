// Pieces shared by several op files; not part of the op API (ops.h).
#pragma once

#include "autograd/tensor.h"

HEED_NAMESPACE_BEGIN

// Whether linear's products may go through the small kernels (autograd/small_gemm.h): only where
// they use a wider instruction set than the library's (AVX-512 against OpenBLAS's AVX2 kernels:
// tiny +26%, small +25% end to end). Against the library's kernels of their own width they were
// 2-7% slower in the step (tiny, small; AVX2 and AVX-512; AMD EPYC), so it keeps those products.
bool linear_uses_small_kernels();

// x·Wᵀ and dy·W for linear's row chunks. Through the small kernels when linear_uses_small_kernels(),
// W (for dx) or Wᵀ (for y) copied once per call with padded rows, for products of
// at least kLinearKernelRows rows and weights of at most kLinearKernelWidest rows and columns
// (ops_matmul.cpp);
// then an element's sum does not depend on which rows a chunk holds, so training's row split
// (which follows the thread count) does not change results. Else gemm, reading W in place:
// few rows (decoding, where copying W would cost as much as the product) and large vocabularies.
class LinearProduct {
 public:
  // rows: the whole product's (x's), which decides the path the same way for every chunk
  LinearProduct(const Matrix& weight, bool transposed, Index rows);
  LinearProduct(Matrix&& weight, bool transposed, Index rows) = delete;  // keeps a reference to W

  using ConstRows = Eigen::Block<const Matrix, Eigen::Dynamic, Eigen::Dynamic, true>;  // middleRows
  using Rows = Eigen::Block<Matrix, Eigen::Dynamic, Eigen::Dynamic, true>;
  // out (+)= x·op(W), x a block of rows.
  void operator()(const ConstRows& x, Rows out, bool accumulate) const;

 private:
  const Matrix& weight_;
  bool transposed_;
  Matrix copy_;  // W or Wᵀ, rows padded; empty when gemm computes
};

// The backward of y = x·Wᵀ + b for a given dy: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy, each
// only where required; threads split the rows. Used by linear and linear_relu_dropout.
// x is the input's value (only read when the weight needs a gradient), x_grad its gradient.
// linear_relu_dropout passes an empty bias GradRef: it sums db itself, in the pass that makes dy.
void linear_backward(const Matrix& d_y, const SavedValue& x, const GradRef& x_grad, const Tensor& weight,
                     const GradRef& bias);

// How linear splits x·Wᵀ (rows × outputs) across threads, the float op and the 8-bit one
// (int8_linear.cpp) alike: row blocks of x, or, for few rows in inference (decoding one position
// of a batch), blocks of outputs, so that each thread reads only its share of the weights.
struct LinearSplit {
  bool by_outputs;
  Index grain;  // rows or outputs per chunk
};
LinearSplit linear_split(Index rows, Index outputs, bool inference);
// Rows per chunk of linear's row split (the forward product and dx), for the rows of x.
Index linear_row_grain(Index rows);

HEED_NAMESPACE_END
