// The scalar type heed computes in, and the matrix and mask types built on it.
// Every scalar-dependent library is built twice: float (training, inference) and double
// (gradient checks). The inline namespace keeps the two builds' symbols apart.
#pragma once

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
