// How a model attends, as attention dumps and pictures name it: maps of a full, a local and a
// linear transformer look alike, so each file says which it shows.
#pragma once

#include <string>

#include "layers/model_config.h"

namespace heed::cli {

// "full", "local", "linear" (a transformer's kind, README "Attention kinds") or "luong" (the one
// attention of lstm-attention).
std::string attention_kind(const ModelConfig& config);

// "transformer, full attention", "transformer, local attention (window 3)",
// "lstm-attention, Luong attention".
std::string model_description(const ModelConfig& config);

}  // namespace heed::cli
