// Optimizers over a model's named parameters: SGD with momentum, Adam, AdamW. Their state is
// kept by parameter name so a checkpoint can save it under /optim and restore it exactly.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"

HEED_NAMESPACE_BEGIN

enum class OptimizerKind { Adam, AdamW, Sgd };
std::string optimizer_name(OptimizerKind kind);  // "adam", "adamw", "sgd"

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::Adam;
  double lr = 5e-4;           // the peak rate; a schedule scales it each step
  double beta1 = 0.9, beta2 = 0.98, eps = 1e-9;
  double momentum = 0.9;      // sgd
  double weight_decay = 0;    // adam: L2 added to the gradient; adamw: decoupled; sgd: L2
};

class Optimizer {
 public:
  Optimizer(std::vector<Parameter> params, OptimizerConfig config);

  // One update with learning rate `lr` from each parameter's gradient (parameters without a
  // gradient, e.g. frozen ones, are left as they are). Counts the step.
  void step(double lr);
  long long steps() const { return steps_; }
  const OptimizerConfig& config() const { return config_; }

  // State by slot ("m", "v" for Adam; "momentum" for SGD) and parameter name.
  std::map<std::string, std::map<std::string, Matrix>>& state() { return state_; }
  const std::map<std::string, std::map<std::string, Matrix>>& state() const { return state_; }
  void set_steps(long long steps) { steps_ = steps; }
  std::vector<std::string> slots() const;

 private:
  std::vector<Parameter> params_;
  OptimizerConfig config_;
  std::map<std::string, std::map<std::string, Matrix>> state_;
  long long steps_ = 0;
};

// Scales every gradient so their global L2 norm is at most max_norm (as PyTorch's
// clip_grad_norm_); returns the norm before clipping. max_norm <= 0 only measures.
double clip_grad_norm(const std::vector<Parameter>& params, double max_norm);

HEED_NAMESPACE_END
