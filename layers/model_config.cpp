// The table of model settings: option, attribute, default, parser.
#include "layers/model_config.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "layers/number_text.h"

HEED_NAMESPACE_BEGIN

std::string arch_name(Arch arch) {
  switch (arch) {
    case Arch::Transformer: return "transformer";
    case Arch::Lstm: return "lstm";
    case Arch::LstmAttention: return "lstm-attention";
    case Arch::Lm: return "lm";
  }
  return "?";
}

std::string attention_name(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::Full: return "full";
    case AttentionKind::Local: return "local";
    case AttentionKind::Linear: return "linear";
  }
  return "?";
}

AttentionKind parse_attention(const std::string& name) {
  for (AttentionKind kind : {AttentionKind::Full, AttentionKind::Local, AttentionKind::Linear})
    if (attention_name(kind) == name) return kind;
  throw std::invalid_argument("--attention: '" + name + "' is not one of full, local, linear");
}

Arch parse_arch(const std::string& name) {
  for (Arch arch : {Arch::Transformer, Arch::Lstm, Arch::LstmAttention, Arch::Lm})
    if (arch_name(arch) == name) return arch;
  throw std::invalid_argument("--arch: '" + name + "' is not one of transformer, lstm, lstm-attention, lm");
}

std::string config_value_text(const ConfigValue& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return format_number(std::get<double>(value));
}

namespace {

// A float setting as the double a person wrote (0.1f -> 0.1, not 0.10000000149011612): the
// shortest decimal that reads back as the same float.
double as_written(Scalar value) { return std::strtod(format_number(value).c_str(), nullptr); }

// `name` is how errors name the setting: "--d-model", or the attribute of a stored-only one.
std::int64_t as_int(const ConfigValue& v, const std::string& name) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  throw std::invalid_argument(name + ": expected an integer, got " + config_value_text(v));
}

// An integer in [1, most]: the upper bounds keep an absurd value (a typo, a damaged file) from
// asking for terabytes; they are far above anything heed trains on a CPU.
std::int64_t positive(const ConfigValue& v, const std::string& name, std::int64_t most) {
  const std::int64_t i = as_int(v, name);
  if (i <= 0 || i > most)
    throw std::invalid_argument(name + ": must be in [1, " + std::to_string(most) + "], got " + std::to_string(i));
  return i;
}

// One of `choices`, or an error listing them.
std::string choice(const ConfigValue& v, const std::string& option, const std::vector<std::string>& choices) {
  const std::string* s = std::get_if<std::string>(&v);
  std::string list;
  for (const std::string& c : choices) {
    if (s && *s == c) return c;
    list += (list.empty() ? "" : ", ") + c;
  }
  throw std::invalid_argument("--" + option + ": '" + config_value_text(v) + "' is not one of " + list);
}

// A positive integer setting bound to a ModelConfig member.
ModelField positive_field(std::string option, std::string attribute, std::string help, std::int64_t def,
                          std::int64_t most, Index ModelConfig::*member) {
  ModelField f;
  f.option = option;
  f.attribute = std::move(attribute);
  f.help = std::move(help);
  f.cli_default = def;
  f.get = [member](const ModelConfig& c) { return ConfigValue(std::int64_t(c.*member)); };
  const std::string name = option.empty() ? f.attribute : "--" + option;
  f.set = [member, name, most](ModelConfig& c, const ConfigValue& v) { c.*member = Index(positive(v, name, most)); };
  return f;
}

// A setting that is one of a few words, bound to an enum or bool through to_text / from_text.
template <class Get, class Set>
ModelField choice_field(std::string option, std::string attribute, std::string help, std::vector<std::string> choices,
                        std::string def, Get get, Set set) {
  ModelField f;
  f.option = option;
  f.attribute = std::move(attribute);
  f.help = std::move(help);
  f.cli_default = def;
  f.get = [get](const ModelConfig& c) { return ConfigValue(std::string(get(c))); };
  f.set = [option, choices, set](ModelConfig& c, const ConfigValue& v) { set(c, choice(v, option, choices)); };
  return f;
}

std::vector<ModelField> make_fields() {
  std::vector<ModelField> fields;
  {
    ModelField arch = choice_field(
        "arch", "arch",
        "model family: transformer | lstm (RNN encoder-decoder) | lstm-attention (RNN with attention) | lm "
        "(decoder-only language model on --text)",
        {"transformer", "lstm", "lstm-attention", "lm"}, "transformer", [](const ModelConfig& c) { return arch_name(c.arch); },
        [](ModelConfig& c, const std::string& s) { c.arch = parse_arch(s); });
    arch.when_absent = std::string("transformer");  // checkpoints from before the LSTM families
    fields.push_back(std::move(arch));
  }
  fields.push_back(positive_field("d-model", "d_model", "model width (LSTM: hidden and embedding size)", 128, 1 << 16,
                                  &ModelConfig::d_model));
  fields.push_back(positive_field("heads", "heads", "attention heads (transformer)", 4, 1 << 12, &ModelConfig::num_heads));
  fields.push_back(positive_field("d-ff", "d_ff", "feed-forward width (transformer)", 512, 1 << 20, &ModelConfig::d_ff));
  fields.push_back(positive_field("enc-layers", "enc_layers", "encoder layers", 2, 1 << 10, &ModelConfig::enc_layers));
  fields.push_back(positive_field("dec-layers", "dec_layers", "decoder layers", 2, 1 << 10, &ModelConfig::dec_layers));
  fields.push_back(positive_field("max-len", "max_len", "longest sequence, in tokens", 128, 1 << 20, &ModelConfig::max_len));
  {
    ModelField f;
    f.option = "dropout";
    f.attribute = "dropout";
    f.help = "dropout probability";
    f.cli_default = 0.1;
    f.get = [](const ModelConfig& c) { return ConfigValue(as_written(c.dropout)); };
    f.set = [](ModelConfig& c, const ConfigValue& v) {
      const double* p = std::get_if<double>(&v);
      if (!p || !(*p >= 0 && *p < 1)) throw std::invalid_argument("--dropout: must be in [0, 1), got " + config_value_text(v));
      c.dropout = Scalar(*p);
    };
    fields.push_back(std::move(f));
  }
  {
    ModelField f;
    f.option = "norm-first";
    f.attribute = "norm_first";
    f.help = "transformer: pre-LN (true) or post-LN (false)";
    f.cli_default = std::int64_t(1);
    f.is_bool = true;
    f.get = [](const ModelConfig& c) { return ConfigValue(std::int64_t(c.norm_first)); };
    f.set = [](ModelConfig& c, const ConfigValue& v) { c.norm_first = as_int(v, "--norm-first") != 0; };
    fields.push_back(std::move(f));
  }
  fields.push_back(choice_field(
      "activation", "activation", "transformer feed-forward: relu | gelu", {"relu", "gelu"}, "relu",
      [](const ModelConfig& c) { return c.activation == Activation::GELU ? "gelu" : "relu"; },
      [](ModelConfig& c, const std::string& s) { c.activation = s == "gelu" ? Activation::GELU : Activation::ReLU; }));
  fields.push_back(choice_field(
      "positions", "positions", "transformer positions: sinusoidal | learned", {"sinusoidal", "learned"}, "sinusoidal",
      [](const ModelConfig& c) { return c.learned_positions ? "learned" : "sinusoidal"; },
      [](ModelConfig& c, const std::string& s) { c.learned_positions = s == "learned"; }));
  fields.push_back(choice_field(
      "embed-init", "",
      "scaled: N(0, 1/d-model), token vectors O(1) after the transformer's sqrt(d) scale | torch: N(0, 1) as "
      "nn.Embedding",
      {"scaled", "torch"}, "scaled", [](const ModelConfig& c) { return c.scaled_embedding_init ? "scaled" : "torch"; },
      [](ModelConfig& c, const std::string& s) { c.scaled_embedding_init = s == "scaled"; }));
  {
    ModelField tie = choice_field(
        "tie-embeddings", "tie_embeddings",
        "share one matrix: none | decoder (target embedding = generator) | all (and the source embedding; "
        "needs --shared-vocab)",
        {"none", "decoder", "all"}, "none",
        [](const ModelConfig& c) {
          return c.tie_embeddings == TieEmbeddings::All ? "all"
                 : c.tie_embeddings == TieEmbeddings::Decoder ? "decoder" : "none";
        },
        [](ModelConfig& c, const std::string& s) {
          c.tie_embeddings = s == "all" ? TieEmbeddings::All : s == "decoder" ? TieEmbeddings::Decoder : TieEmbeddings::None;
        });
    tie.when_absent = std::string("none");  // checkpoints from before tying
    fields.push_back(std::move(tie));
  }
  {
    ModelField f = choice_field(
        "attention", "attention",
        "transformer and lm attention: full (softmax over every key) | local (softmax over the keys within --window "
        "positions, the earlier ones only in decoder self-attention; cross-attention stays full) | linear (kernel "
        "elu(x)+1, self and cross; time and memory linear in length)",
        {"full", "local", "linear"}, "full", [](const ModelConfig& c) { return attention_name(c.attention); },
        [](ModelConfig& c, const std::string& s) { c.attention = parse_attention(s); });
    f.when_absent = std::string("full");  // checkpoints from before the attention kinds
    fields.push_back(std::move(f));
  }
  {
    ModelField f;
    f.option = "window";
    f.attribute = "window";
    f.help = "--attention local: each query sees the keys within W positions (t-W..t+W; decoder self-attention "
             "t-W..t)";
    f.cli_default = std::int64_t(0);
    f.when_absent = std::int64_t(0);
    f.get = [](const ModelConfig& c) { return ConfigValue(std::int64_t(c.window)); };
    f.set = [](ModelConfig& c, const ConfigValue& v) {
      const std::int64_t w = as_int(v, "--window");
      if (w < 0 || w > (1 << 20))
        throw std::invalid_argument("--window: must be in [1, " + std::to_string(1 << 20) + "], got " + std::to_string(w));
      c.window = Index(w);
    };
    fields.push_back(std::move(f));
  }
  // Stored only: set from the data and from --seed.
  fields.push_back(positive_field("", "src_vocab_size", "", 0, 1 << 24, &ModelConfig::src_vocab_size));
  fields.push_back(positive_field("", "tgt_vocab_size", "", 0, 1 << 24, &ModelConfig::tgt_vocab_size));
  {
    ModelField f;
    f.attribute = "seed";
    f.cli_default = std::int64_t(1);
    f.get = [](const ModelConfig& c) { return ConfigValue(std::int64_t(c.seed)); };
    f.set = [](ModelConfig& c, const ConfigValue& v) { c.seed = std::uint64_t(as_int(v, "seed")); };
    fields.push_back(std::move(f));
  }
  return fields;
}

}  // namespace

const std::vector<ModelField>& model_fields() {
  static const std::vector<ModelField> fields = make_fields();
  return fields;
}

void validate(const ModelConfig& c) {
  // Each of these is one matrix: together with the bounds above they keep a model's arrays
  // below 2^31 elements (8 GiB of floats) each.
  constexpr std::int64_t kMostElements = std::int64_t(1) << 31;
  const auto check_product = [](std::int64_t a, std::int64_t b, const std::string& what) {
    if (a * b > kMostElements)
      throw std::invalid_argument(what + " = " + std::to_string(a) + " x " + std::to_string(b) +
                                  " elements, more than 2^31 in one matrix");
  };
  check_product(std::max(c.src_vocab_size, c.tgt_vocab_size), c.d_model, "--d-model: the embedding");
  check_product(c.max_len, c.d_model, "--max-len: the position table");
  check_product(c.d_ff, c.d_model, "--d-ff: the feed-forward layer");
  check_product(4 * c.d_model, 2 * c.d_model, "--d-model: the attention and LSTM weights");
  if (c.tie_embeddings == TieEmbeddings::All && c.src_vocab_size != c.tgt_vocab_size)
    throw std::invalid_argument("--tie-embeddings all: the source and target vocabularies differ (" +
                                std::to_string(c.src_vocab_size) + " and " + std::to_string(c.tgt_vocab_size) +
                                " tokens); give --shared-vocab");
  const bool lstm = c.arch == Arch::Lstm || c.arch == Arch::LstmAttention;
  if (c.arch == Arch::Lm && c.tie_embeddings == TieEmbeddings::All)
    throw std::invalid_argument("--tie-embeddings all: an lm has no source embedding; give decoder (its embedding = the "
                                "generator)");
  if (lstm && c.attention != AttentionKind::Full)
    throw std::invalid_argument("--attention " + attention_name(c.attention) + ": " + arch_name(c.arch) +
                                " has no such choice (local and linear attention are for --arch transformer and lm)");
  if (c.attention == AttentionKind::Local && c.window < 1)
    throw std::invalid_argument("--window: --attention local needs a window W >= 1, got " + std::to_string(c.window));
  if (c.attention != AttentionKind::Local && c.window != 0)
    throw std::invalid_argument("--window: only --attention local takes a window (attention is " +
                                attention_name(c.attention) + ")");
  if (!lstm && c.d_model % c.num_heads != 0)
    throw std::invalid_argument("--heads: " + std::to_string(c.num_heads) + " does not divide --d-model " +
                                std::to_string(c.d_model));
  if (lstm && c.enc_layers != c.dec_layers)
    throw std::invalid_argument("--dec-layers: " + arch_name(c.arch) + " starts decoder layer l from encoder layer l, so " +
                                "--enc-layers (" + std::to_string(c.enc_layers) + ") and --dec-layers (" +
                                std::to_string(c.dec_layers) + ") must be equal");
}

HEED_NAMESPACE_END
