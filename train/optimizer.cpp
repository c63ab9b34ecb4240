// SGD with momentum, Adam and AdamW, as PyTorch defines their updates.
#include "train/optimizer.h"

#include <cmath>

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

Optimizer::Optimizer(std::vector<Parameter> params, OptimizerConfig config)
    : params_(std::move(params)), config_(std::move(config)) {
  HEED_CHECK(config_.kind == "adam" || config_.kind == "adamw" || config_.kind == "sgd",
             "--optimizer: '" << config_.kind << "' is not one of adam, adamw, sgd");
  for (const std::string& slot : slots())
    for (const Parameter& p : params_) state_[slot][p.name] = Matrix::Zero(p.tensor.rows(), p.tensor.cols());
}

std::vector<std::string> Optimizer::slots() const {
  if (config_.kind == "sgd") return {"momentum"};
  return {"m", "v"};
}

void Optimizer::step(double lr) {
  ++steps_;
  const OptimizerConfig& c = config_;
  const Scalar wd = Scalar(c.weight_decay);
  for (Parameter& p : params_) {
    if (!p.tensor.has_grad()) continue;
    Matrix& w = p.tensor.mutable_value();
    Matrix g = p.tensor.grad();
    if (c.kind == "sgd") {
      // v = μ·v + (g + λw);  w -= lr·v
      if (wd != 0) g += wd * w;
      Matrix& v = state_["momentum"][p.name];
      v = Scalar(c.momentum) * v + g;
      w -= Scalar(lr) * v;
      continue;
    }
    if (c.kind == "adam" && wd != 0) g += wd * w;                  // L2 in the gradient
    if (c.kind == "adamw" && wd != 0) w *= Scalar(1 - lr * c.weight_decay);  // decoupled decay
    // m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  w -= lr·m̂ / (sqrt(v̂) + ε)
    Matrix& m = state_["m"][p.name];
    Matrix& v = state_["v"][p.name];
    m = Scalar(c.beta1) * m + Scalar(1 - c.beta1) * g;
    v = Scalar(c.beta2) * v + Scalar(1 - c.beta2) * g.cwiseProduct(g);
    const double bias1 = 1 - std::pow(c.beta1, double(steps_)), bias2 = 1 - std::pow(c.beta2, double(steps_));
    const Scalar step_size = Scalar(lr / bias1), sqrt_bias2 = Scalar(std::sqrt(bias2));
    w.array() -= step_size * m.array() / (v.array().sqrt() / sqrt_bias2 + Scalar(c.eps));
  }
}

double clip_grad_norm(const std::vector<Parameter>& params, double max_norm) {
  double total = 0;
  for (const Parameter& p : params)
    if (p.tensor.has_grad()) total += double(p.tensor.grad().squaredNorm());
  const double norm = std::sqrt(total);
  if (max_norm > 0 && norm > max_norm) {
    const Scalar scale = Scalar(max_norm / (norm + 1e-6));  // PyTorch adds 1e-6 too
    for (const Parameter& p : params)
      if (p.tensor.has_grad()) p.tensor.grad() *= scale;
  }
  return norm;
}

HEED_NAMESPACE_END
