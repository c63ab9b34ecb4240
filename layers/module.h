// Module: a layer with named parameters and child modules. Names join with '.', so
// named_parameters() yields "encoder.layers.0.self_attn.in_proj_weight" as PyTorch does;
// those names are the checkpoint format.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/tensor.h"

HEED_NAMESPACE_BEGIN

// A parameter's shape as PyTorch reports it: biases and norm weights are 1-D ([C]), while
// heed stores them as (1,C) rows.
struct Parameter {
  std::string name;
  Tensor tensor;
  std::vector<Index> shape;
};

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // Children register by address, so modules neither copy nor move.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Every parameter of this module and its children, in registration order; a tensor registered
  // under several names (tied embeddings) once, under its first name.
  std::vector<Parameter> parameters() const;
  // The same as (name, tensor) pairs, as gradcheck takes them.
  std::vector<NamedTensor> named_parameters() const;
  Index parameter_count() const;
  void zero_grad() const;

  // Training mode turns dropout on; eval mode turns it off. Applies to every child.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Calls visit on this module, then on every descendant, in registration order.
  void for_each_module(const std::function<void(Module&)>& visit);

 protected:
  enum class Rank { TwoD, OneD };  // OneD: stored (1,C), reported [C]
  // Registers a trainable tensor (it is set to require grad). Names are non-empty, dot-free
  // and unique within the module.
  Tensor register_parameter(const std::string& name, Tensor tensor, Rank rank = Rank::TwoD);
  void register_module(const std::string& name, Module& child);

 private:
  void check_new_name(const std::string& name) const;
  void collect(const std::string& prefix, std::vector<Parameter>& out) const;

  std::vector<Parameter> params_;
  std::vector<std::pair<std::string, Module*>> children_;
  bool training_ = true;
};

// Children named "0", "1", … in the order appended, as PyTorch's nn.ModuleList.
class ModuleList : public Module {
 public:
  void append(Module& child) { register_module(std::to_string(size_++), child); }

 private:
  std::size_t size_ = 0;
};

HEED_NAMESPACE_END
