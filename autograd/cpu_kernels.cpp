// The kernels' one source, instantiated per instruction set: each variant is the same inlined
// body in a function compiled for its target, so the compiler vectorises it with that target's
// registers (16 floats under AVX-512, 8 under AVX2).
#include "autograd/cpu_kernels.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifdef HEED_OPENBLAS
extern "C" char* openblas_get_corename(void);
#endif

HEED_NAMESPACE_BEGIN

namespace {

#define HEED_INLINE inline __attribute__((always_inline))

// exp(x) for x ≤ 0 as plain arithmetic that vectorises: x = k·ln2 + r with |r| ≤ ln2/2 (ln2 in
// two parts, so that r is nearly exact), e^r by its Taylor polynomial to degree 7 (relative error
// under 2e-7 on that range), times 2^k built in the exponent bits. k is rounded by adding and
// subtracting 1.5·2^23. Defined for every input, though meant for x ≤ 0 (or a rounding above):
// below -87.3 (e^x under the smallest normal float) and -inf it gives 0, above 88 e^88 (so that
// 2^k stays a float), and NaN stays NaN.
HEED_INLINE float exp_nonpositive(float x) {
  const bool in_range = x > -87.3f;
  const float clamped = in_range ? (x < 88.0f ? x : 88.0f) : -87.3f;
  const float k = (clamped * 1.44269504f + 12582912.0f) - 12582912.0f;
  const float r = (clamped - k * 0.693359375f) - k * -2.12194440e-4f;
  float p = 1.98412698e-4f;  // 1/7!
  p = p * r + 1.38888889e-3f;
  p = p * r + 8.33333333e-3f;
  p = p * r + 4.16666667e-2f;
  p = p * r + 1.66666667e-1f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::int32_t bits = (std::int32_t(k) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const float e = in_range ? p * scale : 0.0f;
  return x == x ? e : x;
}

// The exponentials in one loop, their sum in another with 16 running sums (a single sum would be
// a chain the compiler may not reorder, so the loop would stay scalar).
HEED_INLINE float exp_sum_body(float* x, Index n, float shift) {
  for (Index i = 0; i < n; ++i) x[i] = exp_nonpositive(x[i] - shift);
  float lanes[16] = {};
  Index i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; ++j) lanes[j] += x[i + j];
  float sum = 0;
  for (; i < n; ++i) sum += x[i];
  for (float lane : lanes) sum += lane;
  return sum;
}

HEED_INLINE void normalize_body(const float* x, float mean, float rstd, const float* gamma, const float* beta, float* y,
                                Index n) {
  for (Index i = 0; i < n; ++i) y[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
}

// Layer norm's backward for one row. With dx, two passes: the sums (16 running sums each, as in
// exp_sum_body) with dγ and dβ, then dx; without (null), one pass of dγ and dβ. Eigen's version
// made a row of x̂ and one of g first.
HEED_INLINE void norm_backward_body(const float* __restrict x, const float* __restrict dy,
                                    const float* __restrict gamma, float mean, float rstd, float* __restrict d_gamma,
                                    float* __restrict d_beta, float* __restrict dx, bool accumulate, Index n) {
  if (dx == nullptr) {  // the input needs no gradient: dγ and dβ only
    for (Index i = 0; i < n; ++i) {
      const float x_hat = (x[i] - mean) * rstd;  // as below, so that dγ is the same bits either way
      d_gamma[i] += dy[i] * x_hat;
      d_beta[i] += dy[i];
    }
    return;
  }
  float lanes_g[16] = {}, lanes_gx[16] = {};
  Index i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; ++j) {
      const float x_hat = (x[i + j] - mean) * rstd, g = dy[i + j] * gamma[i + j];
      d_gamma[i + j] += dy[i + j] * x_hat;
      d_beta[i + j] += dy[i + j];
      lanes_g[j] += g;
      lanes_gx[j] += g * x_hat;
    }
  float sum_g = 0, sum_gx = 0;
  for (; i < n; ++i) {
    const float x_hat = (x[i] - mean) * rstd, g = dy[i] * gamma[i];
    d_gamma[i] += dy[i] * x_hat;
    d_beta[i] += dy[i];
    sum_g += g;
    sum_gx += g * x_hat;
  }
  for (int j = 0; j < 16; ++j) sum_g += lanes_g[j], sum_gx += lanes_gx[j];
  const float mean_g = sum_g / float(n), mean_gx = sum_gx / float(n);
  auto d_x = [&](Index k) { return rstd * (dy[k] * gamma[k] - mean_g - (x[k] - mean) * rstd * mean_gx); };
  if (accumulate)
    for (Index k = 0; k < n; ++k) dx[k] += d_x(k);
  else
    for (Index k = 0; k < n; ++k) dx[k] = d_x(k);
}

// One variant: the bodies above compiled with the attribute TARGET (empty: the build's flags).
#define HEED_KERNEL_VARIANT(NAME, TARGET)                                                                        \
  TARGET float exp_sum_##NAME(float* x, Index n, float shift) { return exp_sum_body(x, n, shift); }              \
  TARGET void normalize_##NAME(const float* x, float mean, float rstd, const float* gamma, const float* beta,     \
                               float* y, Index n) {                                                              \
    normalize_body(x, mean, rstd, gamma, beta, y, n);                                                            \
  }                                                                                                              \
  TARGET void norm_backward_##NAME(const float* x, const float* dy, const float* gamma, float mean, float rstd,   \
                                   float* d_gamma, float* d_beta, float* dx, bool accumulate, Index n) {         \
    norm_backward_body(x, dy, gamma, mean, rstd, d_gamma, d_beta, dx, accumulate, n);                            \
  }                                                                                                              \
  const CpuKernels k_##NAME{#NAME, exp_sum_##NAME, normalize_##NAME, norm_backward_##NAME};

#if defined(__x86_64__) && defined(__AVX512F__)
HEED_KERNEL_VARIANT(avx512, )  // a build for an AVX-512 CPU (HEED_NATIVE on one): nothing to choose
std::vector<const CpuKernels*> compiled_kernels() { return {&k_avx512}; }
#elif defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
HEED_KERNEL_VARIANT(avx2, )
HEED_KERNEL_VARIANT(avx512, __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))))
std::vector<const CpuKernels*> compiled_kernels() {
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  if (avx512) return {&k_avx512, &k_avx2};
  return {&k_avx2};
}
#else
HEED_KERNEL_VARIANT(generic, )  // another CPU family, or an x86 build below x86-64-v3
std::vector<const CpuKernels*> compiled_kernels() { return {&k_generic}; }
#endif

const CpuKernels& choose() {
  const std::vector<const CpuKernels*> supported = compiled_kernels();
  if (const char* wanted = std::getenv("HEED_KERNELS")) {
    std::string names;
    for (const CpuKernels* k : supported) {
      if (std::strcmp(k->name, wanted) == 0) return *k;
      names += std::string(names.empty() ? "" : ", ") + k->name;
    }
    std::fprintf(stderr, "heed: warning: HEED_KERNELS=%s is not a variant this build and CPU have (%s): using %s\n",
                 wanted, names.c_str(), supported.front()->name);
  }
  return *supported.front();
}

}  // namespace

const CpuKernels& cpu_kernels() {
  static const CpuKernels& chosen = choose();
  return chosen;
}

std::vector<const CpuKernels*> supported_cpu_kernels() { return compiled_kernels(); }

float exp_sum(float* x, Index n, float shift) { return cpu_kernels().exp_sum(x, n, shift); }

double exp_sum(double* x, Index n, double shift) {
  double sum = 0;
  for (Index i = 0; i < n; ++i) sum += x[i] = std::exp(x[i] - shift);  // exp(-inf) is exactly 0
  return sum;
}

void normalize_row(const float* x, float mean, float rstd, const float* gamma, const float* beta, float* y, Index n) {
  cpu_kernels().normalize(x, mean, rstd, gamma, beta, y, n);
}

void normalize_row(const double* x, double mean, double rstd, const double* gamma, const double* beta, double* y,
                   Index n) {
  for (Index i = 0; i < n; ++i) y[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
}

void norm_backward_row(const float* x, const float* dy, const float* gamma, float mean, float rstd, float* d_gamma,
                       float* d_beta, float* dx, bool accumulate, Index n) {
  cpu_kernels().norm_backward(x, dy, gamma, mean, rstd, d_gamma, d_beta, dx, accumulate, n);
}

void norm_backward_row(const double* x, const double* dy, const double* gamma, double mean, double rstd,
                       double* d_gamma, double* d_beta, double* dx, bool accumulate, Index n) {
  double sum_g = 0, sum_gx = 0;
  for (Index i = 0; i < n; ++i) {
    const double x_hat = (x[i] - mean) * rstd, g = dy[i] * gamma[i];
    d_gamma[i] += dy[i] * x_hat;
    d_beta[i] += dy[i];
    sum_g += g;
    sum_gx += g * x_hat;
  }
  if (dx == nullptr) return;
  const double mean_g = sum_g / double(n), mean_gx = sum_gx / double(n);
  for (Index i = 0; i < n; ++i) {
    const double d_x = rstd * (dy[i] * gamma[i] - mean_g - (x[i] - mean) * rstd * mean_gx);
    dx[i] = accumulate ? dx[i] + d_x : d_x;
  }
}

bool kernels_wider_than_blas(const std::string& kernels, const std::string& blas) {
  if (kernels != "avx512" || blas.rfind("OpenBLAS ", 0) != 0) return false;
  std::string core = blas.substr(9);
  for (char& ch : core) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  // OpenBLAS 0.3.21's AVX-512 cores for single precision
  return core != "skylakex" && core != "cooperlake" && core != "sapphirerapids";
}

std::string blas_kernels() {
#ifdef HEED_OPENBLAS
  return std::string("OpenBLAS ") + openblas_get_corename();
#else
  return "Eigen";
#endif
}

HEED_NAMESPACE_END
