// Linear layers with 8-bit weights, for inference only (heed translate --int8).
// Each weight row (one output) is scaled into [-L, L] once, L = 127 (63 for oneDNN on CPUs without
// VNNI, whose u8·s8 instructions saturate 16-bit pair sums beyond that); each input row is scaled into
// [-127, 127] when it comes. The integer products are summed exactly in 32 bits (oneDNN's u8·s8
// product, loaded when a model is first quantized, where heed was built with it and the library loads; Eigen's
// integer product otherwise) and scaled back:
//   y[i][j] = s_x[i] · s_w[j] · Σ_k qx[i][k] · qw[j][k] + b[j].
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

struct Int8Matrix {
  Index rows = 0, cols = 0;
  std::vector<std::int8_t> values;  // row-major (rows, cols)
  std::vector<float> scales;        // per row: a weight ≈ scale · its 8-bit value
};

// The largest 8-bit weight magnitude on this CPU (127 with VNNI, else 63; see above).
int int8_weight_limit();

// Each row of w scaled to [-limit, limit] by its largest magnitude, rounded to nearest.
Int8Matrix quantize_rows(const Matrix& w, int limit = int8_weight_limit());

// The float matrix the 8-bit one stands for (tests and error measurements).
Matrix dequantize(const Int8Matrix& w);

// y = x·W[first : first+count]ᵀ + bias, bias (1, count) or empty; no gradient. Split across
// heed's threads by rows of x, or by outputs when x has few rows (decoding), as linear is.
Matrix linear_int8(const Matrix& x, const Int8Matrix& w, Index first, Index count, const Matrix& bias);

// Whether products go through oneDNN ("oneDNN u8s8s32") or Eigen's integer product ("Eigen";
// also chosen by HEED_INT8_PRODUCT=eigen in the environment, to compare or to test it; =onednn,
// the default, and any other value warns).
const char* int8_product_name();

HEED_NAMESPACE_END
