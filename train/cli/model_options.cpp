// Model options from the settings table.
#include "train/cli/model_options.h"

#include "train/cli/option_checks.h"

namespace heed::cli {

namespace {

// The option's value as the table takes it (booleans as 0/1).
ConfigValue option_value(const ModelField& f, const po::variable_value& v) {
  if (f.is_bool) return std::int64_t(v.as<bool>());
  if (std::holds_alternative<std::int64_t>(f.cli_default)) return std::int64_t(v.as<long long>());
  if (std::holds_alternative<double>(f.cli_default)) return v.as<double>();
  return v.as<std::string>();
}

// The value as the command line spells it: booleans true/false, numbers as a person writes them.
std::string option_text(const ModelField& f, const ConfigValue& v) {
  if (f.is_bool) return std::get<std::int64_t>(v) != 0 ? "true" : "false";
  return config_value_text(v);
}

}  // namespace

po::options_description model_options() {
  po::options_description o("Model (train only; finetune and resume take the checkpoint's)");
  for (const ModelField& f : model_fields()) {
    if (f.option.empty()) continue;
    const char* name = f.option.c_str();
    if (f.is_bool)
      o.add_options()(name, bool_value(std::get<std::int64_t>(f.cli_default) != 0), f.help.c_str());
    else if (const auto* i = std::get_if<std::int64_t>(&f.cli_default))
      o.add_options()(name, po::value<long long>()->default_value(*i), f.help.c_str());
    else if (const auto* d = std::get_if<double>(&f.cli_default))
      o.add_options()(name, real_value(*d), f.help.c_str());
    else
      o.add_options()(name, po::value<std::string>()->default_value(std::get<std::string>(f.cli_default)), f.help.c_str());
  }
  return o;
}

void take_model_options_from(po::variables_map& vm, const ModelConfig& saved) {
  for (const ModelField& f : model_fields()) {
    if (f.option.empty() || f.attribute.empty() || !vm.count(f.option)) continue;
    const ConfigValue v = f.get(saved);
    boost::any& slot = vm.at(f.option).value();
    if (f.is_bool) slot = std::get<std::int64_t>(v) != 0;
    else if (const auto* i = std::get_if<std::int64_t>(&v)) slot = static_cast<long long>(*i);
    else if (const auto* d = std::get_if<double>(&v)) slot = *d;
    else slot = std::get<std::string>(v);
  }
}

ModelConfig read_model_config(const po::variables_map& vm) {
  ModelConfig c;
  try {
    for (const ModelField& f : model_fields())
      if (!f.option.empty()) f.set(c, option_value(f, vm[f.option]));
    validate(c);
    // validate() sees window 0 as "none"; given explicitly without local it is still a mistake
    if (!vm["window"].defaulted() && c.attention != AttentionKind::Local)
      throw std::invalid_argument("--window: only --attention local takes a window (attention is " +
                                  attention_name(c.attention) + ")");
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  return c;
}

void check_same_model(const po::variables_map& vm, const ModelConfig& saved, const std::string& checkpoint) {
  ModelConfig given = saved;
  for (const ModelField& f : model_fields()) {
    if (f.option.empty() || f.attribute.empty() || vm[f.option].defaulted()) continue;
    try {
      f.set(given, option_value(f, vm[f.option]));
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    const std::string now = option_text(f, f.get(given)), before = option_text(f, f.get(saved));
    if (now != before)
      throw UsageError("--" + f.option + " " + now + " differs from " + before + " in " + checkpoint +
                       ", the run this command would resume; give another --save-dir, or --overwrite to start afresh");
  }
}

}  // namespace heed::cli
