// Naming how a model attends.
#include "train/cli/model_attention.h"

namespace heed::cli {

std::string attention_kind(const ModelConfig& config) {
  return config.arch == Arch::LstmAttention ? "luong" : attention_name(config.attention);
}

std::string model_description(const ModelConfig& config) {
  if (config.arch == Arch::LstmAttention) return arch_name(config.arch) + ", Luong attention";
  std::string text = arch_name(config.arch) + ", " + attention_name(config.attention) + " attention";
  if (config.attention == AttentionKind::Local) text += " (window " + std::to_string(config.window) + ")";
  return text;
}

}  // namespace heed::cli
