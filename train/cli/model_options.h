// The model options of `heed train`, made from the one table of model settings
// (layers/model_config.h): the same names on the command line, in INI files and in /config.
#pragma once

#include "layers/model_config.h"
#include "train/cli/cli.h"

namespace heed::cli {

po::options_description model_options();

// The settings given (or defaulted) in vm. Vocabulary sizes and seed are left to the caller.
ModelConfig read_model_config(const po::variables_map& vm);

// Resuming a run: a model option given explicitly that differs from the checkpoint's value is
// refused (UsageError naming the option and both values); defaults are not compared.
// Sets the model options in `vm` to the values of `saved` (a resumed run's checkpoint).
void take_model_options_from(po::variables_map& vm, const ModelConfig& saved);

void check_same_model(const po::variables_map& vm, const ModelConfig& saved, const std::string& checkpoint);

}  // namespace heed::cli
