// Every model family's settings in one struct, and the one table that maps each setting to its
// command-line (and INI) option, its /config attribute in checkpoints, its help text and its
// default. The CLI, the checkpoint reader and writer, and resume's consistency check all walk
// this table, so a setting is defined once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

// The model families (README "Model families").
enum class Arch { Transformer, Lstm, LstmAttention, Lm };
enum class Activation { ReLU, GELU };
// How attention compares queries with keys (README "Attention kinds"): full softmax attention;
// local, softmax over the keys within `window` positions (self-attention only: cross-attention
// stays full); linear, the kernel elu(x)+1 (Katharopoulos et al., 2020), self and cross.
enum class AttentionKind { Full, Local, Linear };

// Which embeddings share one matrix (Press & Wolf 2017; Marian's --tied-embeddings[-all]):
// Decoder ties the target embedding and the generator; All also the source embedding, which
// needs one vocabulary for both sides.
enum class TieEmbeddings { None, Decoder, All };

struct ModelConfig {
  Arch arch = Arch::Transformer;
  Index src_vocab_size = 64;
  Index tgt_vocab_size = 64;
  Index d_model = 128;     // Transformer width; LSTM hidden and embedding size
  Index num_heads = 4;     // Transformer and lm only
  Index d_ff = 512;        // Transformer and lm only
  Index enc_layers = 2;
  Index dec_layers = 2;
  Index max_len = 512;     // longest sequence in tokens (+ BOS/EOS); lm: the context
  Scalar dropout = Scalar(0.1);
  bool norm_first = true;  // Transformer: pre-LN (true) or post-LN
  Activation activation = Activation::ReLU;
  bool learned_positions = false;  // Transformer: default the sinusoidal table
  // Embedding init: false = N(0,1) as nn.Embedding (the reference model); true = N(0, 1/d_model),
  // so that after the Transformer's sqrt(d_model) scale token vectors are O(1) like the positions
  // and do not drown them (the original Transformer's and fairseq's choice; heed train's default).
  bool scaled_embedding_init = false;
  TieEmbeddings tie_embeddings = TieEmbeddings::None;
  AttentionKind attention = AttentionKind::Full;  // transformer and lm only
  Index window = 0;  // local: keys within this many positions (0 with full and linear)
  std::uint64_t seed = 1;  // initialisation and dropout masks
};

std::string arch_name(Arch arch);  // "transformer", "lstm", "lstm-attention", "lm"
std::string attention_name(AttentionKind kind);  // "full", "local", "linear"
// The kind named `name`; throws std::invalid_argument naming --attention for another name.
AttentionKind parse_attention(const std::string& name);
// The window that self-attention's mask applies: config.window for local attention, 0 (none) otherwise.
inline Index attention_window(const ModelConfig& c) { return c.attention == AttentionKind::Local ? c.window : 0; }
// The family named `name`; throws std::invalid_argument naming --arch for another name.
Arch parse_arch(const std::string& name);

// A setting's value as /config stores it (booleans as 0/1).
using ConfigValue = std::variant<std::int64_t, double, std::string>;
std::string config_value_text(const ConfigValue& value);

struct ModelField {
  std::string option;     // command-line and INI name ("d-model"); empty = not an option
  std::string attribute;  // /config attribute ("d_model"); empty = not stored (affects only initialisation)
  std::string help;
  ConfigValue cli_default;  // heed train's default
  bool is_bool = false;     // an option taking true/false, stored as 0/1
  // The value for checkpoints written before the setting existed; none = the attribute is required.
  std::optional<ConfigValue> when_absent;
  std::function<ConfigValue(const ModelConfig&)> get;
  // Parses the value into the config; throws std::invalid_argument("--option: ...") when it is bad.
  std::function<void(ModelConfig&, const ConfigValue&)> set;
};

// In option order: arch, d-model, heads, ..., then the stored-only vocabulary sizes and seed.
const std::vector<ModelField>& model_fields();

// Checks what no single field can (heads dividing d-model; LSTM layer counts). Throws
// std::invalid_argument naming the option.
void validate(const ModelConfig& config);

HEED_NAMESPACE_END
