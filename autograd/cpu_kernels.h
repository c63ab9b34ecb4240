// heed's own hot float loops (softmax's exponentials, layer norm's rows both ways), compiled twice: for the
// build's baseline, x86-64-v3 (AVX2, FMA), and for AVX-512, chosen once at start by what the CPU
// supports. One binary thus runs on any x86-64-v3 CPU and uses AVX-512 where there is one. (The
// matrix products go through OpenBLAS, which picks its own kernels for the CPU.)
#pragma once

#include <string>
#include <vector>

#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

struct CpuKernels {
  const char* name;  // "avx512", "avx2" (the x86-64-v3 baseline) or "generic" (another CPU family)
  // x[i] = exp(x[i] - shift) for i < n -> their sum. Within 2 ulp of std::exp for arguments in
  // [-87.3, 0] (and a rounding above 0); below -87.3, where std::exp gives subnormals, and for
  // -inf exactly 0; NaN stays NaN.
  float (*exp_sum)(float* x, Index n, float shift);
  // y[i] = (x[i] - mean)·rstd·gamma[i] + beta[i]
  void (*normalize)(const float* x, float mean, float rstd, const float* gamma, const float* beta, float* y, Index n);
  // Layer norm's backward for one row: with x̂ = (x - mean)·rstd and g = dy·gamma,
  // d_gamma[i] += dy[i]·x̂[i], d_beta[i] += dy[i], dx[i] = (or += when accumulate)
  // rstd·(g[i] - mean(g) - x̂[i]·mean(g·x̂)); dx may be null (no input gradient: only dγ, dβ).
  // dx, d_gamma and d_beta alias nothing else.
  void (*norm_backward)(const float* x, const float* dy, const float* gamma, float mean, float rstd, float* d_gamma,
                        float* d_beta, float* dx, bool accumulate, Index n);
};

// The kernels in use: the best the CPU supports, or those HEED_KERNELS names (avx2, generic, ...:
// to compare them on one machine) when it supports them; another name gets a warning on stderr.
const CpuKernels& cpu_kernels();
// Every variant this build has and this CPU can run, best first (tests run each of them).
std::vector<const CpuKernels*> supported_cpu_kernels();
// The matrix products' library and the kernels it chose: "OpenBLAS Zen", "Eigen" without OpenBLAS.
std::string blas_kernels();
// Whether heed's kernels (a CpuKernels name) use a wider instruction set than the products' library
// (a blas_kernels() string): AVX-512 loops against OpenBLAS's AVX2 (or older) kernels, as with
// OPENBLAS_CORETYPE=Haswell on an AVX-512 CPU, or an OpenBLAS that does not know the CPU.
bool kernels_wider_than_blas(const std::string& kernels, const std::string& blas);

// What the ops call, for either scalar type: float goes through the chosen kernels; double (the
// gradient-check build) through plain loops of std::exp (which keeps subnormals).
float exp_sum(float* x, Index n, float shift);
double exp_sum(double* x, Index n, double shift);
void normalize_row(const float* x, float mean, float rstd, const float* gamma, const float* beta, float* y, Index n);
void normalize_row(const double* x, double mean, double rstd, const double* gamma, const double* beta, double* y,
                   Index n);
void norm_backward_row(const float* x, const float* dy, const float* gamma, float mean, float rstd, float* d_gamma,
                       float* d_beta, float* dx, bool accumulate, Index n);
void norm_backward_row(const double* x, const double* dy, const double* gamma, double mean, double rstd,
                       double* d_gamma, double* d_beta, double* dx, bool accumulate, Index n);

HEED_NAMESPACE_END
