// Module bookkeeping: registration, dotted names, modes.
#include "layers/module.h"

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

void Module::check_new_name(const std::string& name) const {
  HEED_CHECK(!name.empty() && name.find('.') == std::string::npos,
             "module: name '" << name << "' must be non-empty and contain no '.'");
  for (const auto& p : params_) HEED_CHECK(p.name != name, "module: name '" << name << "' registered twice");
  for (const auto& c : children_) HEED_CHECK(c.first != name, "module: name '" << name << "' registered twice");
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, Rank rank) {
  check_new_name(name);
  HEED_CHECK(rank == Rank::TwoD || tensor.rows() == 1,
             "module: vector parameter '" << name << "' must be one row, got " << shape_str(tensor.value()));
  tensor.set_requires_grad(true);
  std::vector<Index> shape =
      rank == Rank::OneD ? std::vector<Index>{tensor.cols()} : std::vector<Index>{tensor.rows(), tensor.cols()};
  params_.push_back(Parameter{name, tensor, std::move(shape)});
  return tensor;
}

void Module::register_module(const std::string& name, Module& child) {
  check_new_name(name);
  children_.emplace_back(name, &child);
}

void Module::collect(const std::string& prefix, std::vector<Parameter>& out) const {
  for (const auto& p : params_) out.push_back(Parameter{prefix + p.name, p.tensor, p.shape});
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out);
}

std::vector<Parameter> Module::parameters() const {
  std::vector<Parameter> all, out;
  collect("", all);
  // A tied matrix is registered under each of its names; it is one parameter, named where it
  // was registered first (as PyTorch's named_parameters() does).
  for (Parameter& p : all) {
    bool seen = false;
    for (const Parameter& q : out) seen = seen || q.tensor.same_as(p.tensor);
    if (!seen) out.push_back(std::move(p));
  }
  return out;
}

std::vector<NamedTensor> Module::named_parameters() const {
  std::vector<NamedTensor> out;
  for (auto& p : parameters()) out.emplace_back(std::move(p.name), p.tensor);
  return out;
}

Index Module::parameter_count() const {
  Index n = 0;
  for (const auto& p : parameters()) n += p.tensor.size();
  return n;
}

void Module::zero_grad() const {
  for (const auto& p : parameters()) p.tensor.zero_grad();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& c : children_) c.second->train(on);
}

void Module::for_each_module(const std::function<void(Module&)>& visit) {
  visit(*this);
  for (auto& c : children_) c.second->for_each_module(visit);
}

HEED_NAMESPACE_END
