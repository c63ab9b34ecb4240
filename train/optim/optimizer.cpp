// SGD with momentum, Adam and AdamW, as PyTorch defines their updates.
#include "train/optim/optimizer.h"

#include <cmath>

#include "autograd/check.h"
#include "autograd/parallel.h"

HEED_NAMESPACE_BEGIN

std::string optimizer_name(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::Adam: return "adam";
    case OptimizerKind::AdamW: return "adamw";
    case OptimizerKind::Sgd: return "sgd";
  }
  return "?";
}

Optimizer::Optimizer(std::vector<Parameter> params, OptimizerConfig config)
    : params_(std::move(params)), config_(std::move(config)) {
  for (const std::string& slot : slots())
    for (const Parameter& p : params_) state_[slot][p.name] = Matrix::Zero(p.tensor.rows(), p.tensor.cols());
}

std::vector<std::string> Optimizer::slots() const {
  if (config_.kind == OptimizerKind::Sgd) return {"momentum"};
  return {"m", "v"};
}

void Optimizer::step(double lr) {
  ++steps_;
  const OptimizerConfig& c = config_;
  const Scalar wd = Scalar(c.weight_decay);
  // Each parameter's update is independent of the others': threads take parameters in turn.
  // The state matrices are looked up first, since std::map lookups must not run concurrently.
  struct Work {
    Parameter* p;
    Matrix* first;   // momentum (sgd) or m (adam, adamw)
    Matrix* second;  // v (adam, adamw)
  };
  const bool sgd = c.kind == OptimizerKind::Sgd;
  std::vector<Work> work;
  for (Parameter& p : params_)
    if (p.tensor.has_grad())
      work.push_back({&p, &state_[sgd ? "momentum" : "m"][p.name], sgd ? nullptr : &state_["v"][p.name]});
  const double bias1 = 1 - std::pow(c.beta1, double(steps_)), bias2 = 1 - std::pow(c.beta2, double(steps_));
  const Scalar step_size = Scalar(lr / bias1), sqrt_bias2 = Scalar(std::sqrt(bias2));
  parallel_for(Index(work.size()), 1, [&](Index begin, Index end) {
    for (Index i = begin; i < end; ++i) {
      const Work& job = work[std::size_t(i)];
      Matrix& w = job.p->tensor.mutable_value();
      // L2 decay goes into the gradient (sgd, adam), leaving the stored gradient as it was.
      Matrix decayed;
      if (wd != 0 && c.kind != OptimizerKind::AdamW) decayed = job.p->tensor.grad() + wd * w;
      const Matrix& g = decayed.size() ? decayed : job.p->tensor.grad();
      if (sgd) {
        // v = μ·v + (g + λw);  w -= lr·v
        Matrix& v = *job.first;
        v = Scalar(c.momentum) * v + g;
        w -= Scalar(lr) * v;
        continue;
      }
      if (c.kind == OptimizerKind::AdamW && wd != 0) w *= Scalar(1 - lr * c.weight_decay);  // decoupled decay
      // m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  w -= lr·m̂ / (sqrt(v̂) + ε)
      Matrix& m = *job.first;
      Matrix& v = *job.second;
      m = Scalar(c.beta1) * m + Scalar(1 - c.beta1) * g;
      v = Scalar(c.beta2) * v + Scalar(1 - c.beta2) * g.cwiseProduct(g);
      w.array() -= step_size * m.array() / (v.array().sqrt() / sqrt_bias2 + Scalar(c.eps));
    }
  });
}

double clip_grad_norm(const std::vector<Parameter>& params, double max_norm) {
  // Per-parameter sums on any thread, added up in parameter order: the same total whatever
  // the thread count.
  std::vector<double> squares(params.size(), 0.0);
  parallel_for(Index(params.size()), 1, [&](Index begin, Index end) {
    for (Index i = begin; i < end; ++i)
      if (params[std::size_t(i)].tensor.has_grad())
        squares[std::size_t(i)] = double(params[std::size_t(i)].tensor.grad().squaredNorm());
  });
  double total = 0;
  for (double s : squares) total += s;
  const double norm = std::sqrt(total);
  if (max_norm > 0 && norm > max_norm) {
    const Scalar scale = Scalar(max_norm / (norm + 1e-6));  // PyTorch adds 1e-6 too
    parallel_for(Index(params.size()), 1, [&](Index begin, Index end) {
      for (Index i = begin; i < end; ++i)
        if (params[std::size_t(i)].tensor.has_grad()) params[std::size_t(i)].tensor.grad() *= scale;
    });
  }
  return norm;
}

HEED_NAMESPACE_END
