// The small products' one source, instantiated per instruction set as cpu_kernels.cpp does: the
// same inlined body in a function compiled for its target, on GCC's vector types of 8 (AVX2) or
// 16 (AVX-512) floats. This file is compiled with -ffp-contract=fast so that a·b + c becomes one
// fused multiply-add (autograd/CMakeLists.txt).
#include "autograd/small_gemm.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__) && defined(__AVX2__)
#include <immintrin.h>
#endif

#include "autograd/cpu_kernels.h"

HEED_NAMESPACE_BEGIN

namespace {

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)

#define HEED_INLINE inline __attribute__((always_inline))

using Vec8 = float __attribute__((vector_size(32)));
using Vec16 = float __attribute__((vector_size(64)));

template <class V>
constexpr int kLanes = int(sizeof(V) / sizeof(float));

template <class V>
HEED_INLINE V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V>
HEED_INLINE void store(float* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// R rows × NV vectors of C: the sums stay in registers (12 of AVX2's 16) while l runs over k, each
// step loading NV vectors of B's row l and broadcasting one element of A per row.
template <class V, int R, int NV>
HEED_INLINE void block(Index k, const float* a, Index a_row, Index a_col, const float* b, Index ldb, float* c,
                       Index ldc, float alpha, bool accumulate) {
  constexpr int L = kLanes<V>;
  V sum[R][NV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) sum[r][v] = V{};
  for (Index l = 0; l < k; ++l) {
    V row[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) row[v] = load<V>(b + l * ldb + L * v);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const float x = a[r * a_row + l * a_col];
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) sum[r][v] += x * row[v];
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      float* out = c + r * ldc + L * v;
      V y = alpha * sum[r][v];
      if (accumulate) y += load<V>(out);
      store(out, y);
    }
}

// Every row of a strip of NV vectors of columns: blocks of 6 rows, then the rest in one block.
template <class V, int NV>
HEED_INLINE void strip(Index m, Index k, const float* a, Index a_row, Index a_col, const float* b, Index ldb, float* c,
                       Index ldc, float alpha, bool accumulate) {
  Index i = 0;
  for (; i + 6 <= m; i += 6)
    block<V, 6, NV>(k, a + i * a_row, a_row, a_col, b, ldb, c + i * ldc, ldc, alpha, accumulate);
  a += i * a_row;
  c += i * ldc;
  switch (m - i) {
    case 5: block<V, 5, NV>(k, a, a_row, a_col, b, ldb, c, ldc, alpha, accumulate); break;
    case 4: block<V, 4, NV>(k, a, a_row, a_col, b, ldb, c, ldc, alpha, accumulate); break;
    case 3: block<V, 3, NV>(k, a, a_row, a_col, b, ldb, c, ldc, alpha, accumulate); break;
    case 2: block<V, 2, NV>(k, a, a_row, a_col, b, ldb, c, ldc, alpha, accumulate); break;
    case 1: block<V, 1, NV>(k, a, a_row, a_col, b, ldb, c, ldc, alpha, accumulate); break;
    default: break;
  }
}

// The last columns, fewer than a vector of the caller's: strips of 8 (AVX2), then one at a time.
// A function of its own, compiled for the baseline: inlined into the AVX-512 variant, GCC 12
// split its 8-float vectors into 64-bit pieces (a 32×40 product ran at 21 GFLOP/s there, against
// 133 at 32×48).
__attribute__((noinline)) void last_columns(Index m, Index n, Index k, float alpha, const float* a, Index a_row,
                                            Index a_col, const float* b, Index ldb, float* c, Index ldc,
                                            bool accumulate) {
  Index j = 0;
  for (; j + 8 <= n; j += 8) strip<Vec8, 1>(m, k, a, a_row, a_col, b + j, ldb, c + j, ldc, alpha, accumulate);
  for (; j < n; ++j)
    for (Index i = 0; i < m; ++i) {
      float sum = 0;
      for (Index l = 0; l < k; ++l) sum += a[i * a_row + l * a_col] * b[l * ldb + j];
      float& out = c[i * ldc + j];
      out = accumulate ? out + alpha * sum : alpha * sum;
    }
}

// Columns in strips of two vectors, then one vector, then the rest (last_columns); the depth in
// slices whose strip of B (slice × two vectors) fits in 16 KiB, so that it stays in L1 while every
// row block passes over it (a product 2,048 deep ran at two thirds of gemm's speed without).
template <class V>
HEED_INLINE void small_gemm_body(Index m, Index n, Index k, float alpha, const float* a, Index a_row, Index a_col,
                                 const float* b, Index ldb, float* c, Index ldc, bool accumulate) {
  constexpr int L = kLanes<V>;
  constexpr Index kSlice = 2048 / L;
  for (Index l0 = 0; l0 == 0 || l0 < k; l0 += kSlice) {  // once when k is 0: C = 0 (+ C)
    const Index depth = std::min(kSlice, k - l0);
    const float* a_slice = a + l0 * a_col;
    const float* b_slice = b + l0 * ldb;
    const bool add = accumulate || l0 > 0;
    Index j = 0;
    for (; j + 2 * L <= n; j += 2 * L)
      strip<V, 2>(m, depth, a_slice, a_row, a_col, b_slice + j, ldb, c + j, ldc, alpha, add);
    for (; j + L <= n; j += L) strip<V, 1>(m, depth, a_slice, a_row, a_col, b_slice + j, ldb, c + j, ldc, alpha, add);
    if (j < n) last_columns(m, n - j, depth, alpha, a_slice, a_row, a_col, b_slice + j, ldb, c + j, ldc, add);
  }
}

// out (cols × rows, rows of out_ld) = the transpose of in (rows × cols, rows of ld): 8×8 blocks
// through AVX2's shuffles, the edges one by one. One by one throughout, the copy of a 32×32
// operand took as long as the 32³ product itself.
void transpose(const float* in, Index ld, Index rows, Index cols, float* out, Index out_ld) {
  Index r = 0;
  for (; r + 8 <= rows; r += 8) {
    Index c = 0;
    for (; c + 8 <= cols; c += 8) {
      __m256 x[8], t[8];
      for (int i = 0; i < 8; ++i) x[i] = _mm256_loadu_ps(in + (r + i) * ld + c);
      for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(x[i], x[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(x[i], x[i + 1]);
      }
      for (int i = 0; i < 8; i += 4) {
        x[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        x[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        x[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        x[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
      }
      for (int i = 0; i < 4; ++i) {  // rows i and i + 4 of the block's transpose
        _mm256_storeu_ps(out + (c + i) * out_ld + r, _mm256_permute2f128_ps(x[i], x[i + 4], 0x20));
        _mm256_storeu_ps(out + (c + i + 4) * out_ld + r, _mm256_permute2f128_ps(x[i], x[i + 4], 0x31));
      }
    }
    for (; c < cols; ++c)
      for (Index i = r; i < r + 8; ++i) out[c * out_ld + i] = in[i * ld + c];
  }
  for (; r < rows; ++r)
    for (Index c = 0; c < cols; ++c) out[c * out_ld + r] = in[r * ld + c];
}

// B given transposed (n×k, rows of ldb): its k×n copy (rows padded_stride(n) apart), per thread,
// then the product.
#define HEED_SMALL_GEMM_ENTRY(NAME, TARGET, VEC)                                                                      \
  TARGET void NAME(Index m, Index n, Index k, float alpha, const float* a, Index a_row, Index a_col, const float* b,  \
                   Index ldb, bool b_transposed, float* c, Index ldc, bool accumulate) {                            \
    thread_local std::vector<float> copy;                                                                           \
    if (b_transposed) {                                                                                             \
      const Index ld = padded_stride(n);                                                                            \
      if (copy.size() < std::size_t(ld * k)) copy.resize(std::size_t(ld * k));                                      \
      transpose(b, ldb, n, k, copy.data(), ld);                                                                     \
      b = copy.data();                                                                                              \
      ldb = ld;                                                                                                     \
    }                                                                                                               \
    small_gemm_body<VEC>(m, n, k, alpha, a, a_row, a_col, b, ldb, c, ldc, accumulate);                              \
  }

HEED_SMALL_GEMM_ENTRY(small_gemm_avx2, , Vec8)
HEED_SMALL_GEMM_ENTRY(small_gemm_avx512, __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))), Vec16)

// The variants of the CPU kernels' choice and below (autograd/cpu_kernels.h).
std::vector<SmallGemmVariant> variants() {
  // The AVX-512 entry is compiled for F, DQ, BW and VL: a -march=native build on a CPU with F alone
  // (cpu_kernels then offers "avx512" without asking for the rest) must not run it.
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  std::vector<SmallGemmVariant> found;
  for (const CpuKernels* k : supported_cpu_kernels()) {
    if (std::string(k->name) == "avx512" && avx512) found.push_back({"avx512", small_gemm_avx512});
    if (std::string(k->name) == "avx2") found.push_back({"avx2", small_gemm_avx2});
  }
  return found;
}

#else

std::vector<SmallGemmVariant> variants() { return {}; }

void transpose(const float* in, Index ld, Index rows, Index cols, float* out, Index out_ld) {
  for (Index r = 0; r < rows; ++r)
    for (Index c = 0; c < cols; ++c) out[c * out_ld + r] = in[r * ld + c];
}

#endif

}  // namespace

void transpose_floats(const float* in, Index ld, Index rows, Index cols, float* out, Index out_ld) {
  transpose(in, ld, rows, cols, out, out_ld);
}

SmallGemmKernel small_gemm_kernel() {
  for (const SmallGemmVariant& v : variants())
    if (std::string(v.name) == cpu_kernels().name) return v.kernel;
  return nullptr;
}

std::vector<SmallGemmVariant> small_gemm_variants() { return variants(); }

HEED_NAMESPACE_END
