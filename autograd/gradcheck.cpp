// Central-difference gradient check.
#include "autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "autograd/ops.h"
#include "autograd/random.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

// The scalar whose gradient is checked: the output itself, or Σ output ⊙ weights.
Tensor project(const Tensor& out, const Matrix& weights) {
  if (out.size() == 1) return out;
  return sum(mul(out, Tensor(weights)));
}

}  // namespace

std::string GradcheckResult::message() const {
  if (elements_checked == 0) return "no element checked";
  std::ostringstream s;
  s << (ok ? "ok" : "FAILED") << ": worst element is " << input << " at (" << row << "," << col
    << "): analytic " << analytic << " vs numeric " << numeric << " (score " << score << ", "
    << elements_checked << " elements checked)";
  return s.str();
}

GradcheckResult gradcheck(const std::function<Tensor()>& f, const std::vector<NamedTensor>& inputs,
                          GradcheckOptions options) {
  Tape& tape = Tape::current();
  tape.clear();
  for (const auto& [name, t] : inputs) {
    t.set_requires_grad(true);
    t.zero_grad();
  }
  // Analytic gradients from one backward pass.
  const Tensor out = f();
  Matrix weights(out.rows(), out.cols());
  Rng rng(options.seed);
  for (Index i = 0; i < weights.size(); ++i) weights.data()[i] = Scalar(rng.uniform() * 2 - 1);
  tape.backward(project(out, weights));
  tape.clear();
  std::vector<Matrix> analytic;
  for (const auto& [name, t] : inputs) analytic.push_back(t.has_grad() ? t.grad() : Matrix::Zero(t.rows(), t.cols()));

  // Numeric gradients, one element at a time.
  NoGradGuard no_grad;
  GradcheckResult result;
  result.score = -1;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    Tensor t = inputs[k].second;
    for (Index i = 0; i < t.size(); ++i) {
      Scalar& x = t.mutable_value().data()[i];
      const Scalar saved = x;
      x = Scalar(saved + options.eps);
      const double plus = project(f(), weights).item();
      x = Scalar(saved - options.eps);
      const double minus = project(f(), weights).item();
      x = saved;
      const double numeric = (plus - minus) / (2 * options.eps);
      const double a = analytic[k].data()[i];
      const double score = std::abs(a - numeric) / (options.atol + options.rtol * std::abs(numeric));
      ++result.elements_checked;
      if (score > result.score) {
        result.score = score;
        result.input = inputs[k].first;
        result.row = i / t.cols();
        result.col = i % t.cols();
        result.analytic = a;
        result.numeric = numeric;
      }
    }
  }
  result.ok = result.elements_checked > 0 && result.score <= 1;
  for (const auto& [name, t] : inputs) t.zero_grad();
  return result;
}

HEED_NAMESPACE_END
