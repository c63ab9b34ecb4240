// Linear, Embedding, LayerNorm, Dropout.
#include "layers/basic.h"

#include <cmath>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/tape.h"
#include "layers/init.h"

HEED_NAMESPACE_BEGIN

// A tied matrix of the expected shape, or a new one from `init`.
template <class Init>
Tensor tied_or_new(const Tensor* tied, Index rows, Index cols, const char* who, Init init) {
  if (!tied) return Tensor(init());
  HEED_CHECK(tied->rows() == rows && tied->cols() == cols,
             who << ": tied weight is " << shape_str(tied->value()) << ", expected (" << rows << "," << cols << ")");
  return *tied;
}

Linear::Linear(Index in_features, Index out_features, Rng& rng, bool with_bias, const Tensor* tied_weight) {
  const double bound = 1.0 / std::sqrt(double(in_features));
  weight = register_parameter("weight", tied_or_new(tied_weight, out_features, in_features, "Linear", [&] {
                                return uniform_matrix(out_features, in_features, bound, rng);
                              }));
  if (with_bias) bias = register_parameter("bias", Tensor(uniform_matrix(1, out_features, bound, rng)), Rank::OneD);
}

Tensor Linear::forward(const Tensor& x) const {
  if (int8_weight && !grad_enabled())
    return Tensor(linear_int8(x.value(), *int8_weight, 0, int8_weight->rows, bias.defined() ? bias.value() : Matrix()));
  return linear(x, weight, bias);
}

Embedding::Embedding(Index vocab_size, Index dim, Rng& rng, double std, const Tensor* tied_weight) {
  weight = register_parameter("weight", tied_or_new(tied_weight, vocab_size, dim, "Embedding", [&] {
                                return Matrix(normal_matrix(vocab_size, dim, rng) * Scalar(std));
                              }));
}

Tensor Embedding::forward(const std::vector<std::int32_t>& ids) const { return embedding(weight, ids); }

LayerNorm::LayerNorm(Index dim, Scalar eps) : eps_(eps) {
  weight = register_parameter("weight", Tensor(Matrix::Ones(1, dim)), Rank::OneD);
  bias = register_parameter("bias", Tensor(Matrix::Zero(1, dim)), Rank::OneD);
}

Tensor LayerNorm::forward(const Tensor& x) const { return layer_norm(x, weight, bias, eps_); }

Tensor Dropout::add_to(const Tensor& x, const Tensor& y) const { return add_dropout(x, y, active_p(), rng_); }

Tensor Dropout::forward(const Tensor& x) const {
  if (!is_training() || p_ == 0) return x;
  return dropout(x, p_, *rng_);
}

HEED_NAMESPACE_END
