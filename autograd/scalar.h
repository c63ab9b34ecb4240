// The scalar type heed computes in, and the matrix and mask types built on it.
// Every scalar-dependent library is built twice: float (training, inference) and double
// (gradient checks). The inline namespace keeps the two builds' symbols apart.
#pragma once

// GCC 12 warns "'__Y' may be used uninitialized" inside its own avx512fintrin.h wherever Eigen's
// AVX-512 packet code is inlined (hundreds of times in a build for an AVX-512 CPU): a known
// false positive of that compiler. The warning is silenced for the lines of the intrinsics
// headers only, by including them first with it switched off; everything else keeps it.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12 && defined(__AVX512F__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif
#include <Eigen/Core>

#ifdef HEED_DOUBLE
#define HEED_NAMESPACE_BEGIN namespace heed { inline namespace f64 {
#else
#define HEED_NAMESPACE_BEGIN namespace heed { inline namespace f32 {
#endif
#define HEED_NAMESPACE_END } }

HEED_NAMESPACE_BEGIN

#ifdef HEED_DOUBLE
using Scalar = double;
#else
using Scalar = float;
#endif

using Index = Eigen::Index;
// Every tensor is a row-major matrix (rows, cols); see README "Shapes".
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// Boolean masks: true = may attend.
using Mask = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

HEED_NAMESPACE_END
