// Mapping model, optimizer and training state to checkpoint groups and back.
#include "train/checkpoint/checkpoint_io.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include "layers/number_text.h"

HEED_NAMESPACE_BEGIN

namespace {

std::string slashed(std::string name) {
  std::replace(name.begin(), name.end(), '.', '/');
  return name;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::ostringstream s;
  s << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << ']';
  return s.str();
}

Array<float> to_array(const Matrix& m, const std::vector<Index>& shape) {
  Array<float> a;
  a.shape.assign(shape.begin(), shape.end());
  a.values.resize(std::size_t(m.size()));
  for (Index i = 0; i < m.size(); ++i) a.values[std::size_t(i)] = float(m.data()[i]);
  return a;
}

void copy_into(const Array<float>& a, Matrix& m) {
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = Scalar(a.values[std::size_t(i)]);
}

template <class T>
T attr(const CheckpointData& data, const std::string& path, const std::string& group, const std::string& name) {
  const auto g = data.attributes.find(group);
  if (g == data.attributes.end() || g->second.count(name) == 0)
    throw std::runtime_error(path + ": missing attribute " + name + " in " + group);
  if (const T* v = std::get_if<T>(&g->second.at(name))) return *v;
  throw std::runtime_error(path + ": attribute " + group + "/" + name + " has the wrong type");
}

// An attribute added after format v1 was first written: older files lack it and get `fallback`.
template <class T>
T optional_attr(const CheckpointData& data, const std::string& path, const std::string& group, const std::string& name,
                T fallback) {
  const auto g = data.attributes.find(group);
  if (g == data.attributes.end() || g->second.count(name) == 0) return fallback;
  return attr<T>(data, path, group, name);
}

// The SentencePiece model's bytes, and where it came from: the --spm-model file, or the options
// heed trained it with (which resume compares with the command's).
void add_spm_model(CheckpointData& data, const SpmModel& spm) {
  data.bytes["/tokenizer/spm_model"] = Array<std::uint8_t>{{spm.bytes.size()}, {spm.bytes.begin(), spm.bytes.end()}};
  auto& a = data.attributes["/tokenizer"];
  if (!spm.file.empty()) {
    a["spm_file"] = spm.file;
  } else {
    a["spm_type"] = spm.trained.type;
    a["spm_vocab_size"] = std::int64_t(spm.trained.vocab_size);
  }
}

void add_config(CheckpointData& data, const ModelConfig& c, const VocabularyState& vocab) {
  auto& a = data.attributes["/config"];
  for (const ModelField& f : model_fields())
    if (!f.attribute.empty()) a[f.attribute] = f.get(c);
  a["tokenizer"] = vocab.tokenizer;
  data.attributes["/tokenizer"]["type"] = vocab.tokenizer;
  data.strings["/vocab/src"] = vocab.src;
  data.strings["/vocab/tgt"] = vocab.tgt;
  if (vocab.tokenizer == "bpe") data.strings["/tokenizer/merges"] = vocab.bpe_merges;
  if (vocab.tokenizer == "spm") add_spm_model(data, vocab.spm);
}

ModelConfig read_config(const CheckpointData& data, const std::string& path) {
  ModelConfig c;
  const auto group = data.attributes.find("/config");
  if (group == data.attributes.end()) throw std::runtime_error(path + ": missing group /config");
  for (const ModelField& f : model_fields()) {
    if (f.attribute.empty()) continue;
    const auto it = group->second.find(f.attribute);
    if (it == group->second.end() && !f.when_absent)
      throw std::runtime_error(path + ": missing attribute " + f.attribute + " in /config");
    try {
      f.set(c, it == group->second.end() ? *f.when_absent : it->second);
    } catch (const std::invalid_argument& e) {
      std::string why = e.what();  // the table names options; here the attribute is named instead
      const std::string option_prefix = "--" + f.option + ": ";
      if (!f.option.empty() && why.rfind(option_prefix, 0) == 0) why.erase(0, option_prefix.size());
      throw std::runtime_error(path + ": /config/" + f.attribute + ": " + why);
    }
  }
  try {
    validate(c);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": /config: " + e.what());
  }
  return c;
}

}  // namespace

namespace {

// How a dataset `name` is stored, for messages: "float32", "integer", "strings" or "".
std::string stored_kind(const CheckpointData& data, const std::string& name) {
  if (data.floats.count(name)) return "float32";
  if (data.words.count(name)) return "integer";
  if (data.bytes.count(name)) return "bytes";
  if (data.strings.count(name)) return "strings";
  return "";
}

std::string missing_or_kind(const CheckpointData& data, const std::string& path, const std::string& name,
                            const std::string& expected) {
  const std::string kind = stored_kind(data, name);
  return path + ": " + (kind.empty() ? "missing dataset " + name : name + " holds " + kind + ", expected " + expected);
}

std::int64_t non_negative(const CheckpointData& data, const std::string& path, const std::string& name) {
  const std::int64_t v = attr<std::int64_t>(data, path, "/train", name);
  if (v < 0) throw std::runtime_error(path + ": /train/" + name + " is " + std::to_string(v) + ", must be >= 0");
  return v;
}

// Every model and optimizer number must be finite: a NaN would only show as empty translations.
void check_finite(const CheckpointData& data, const std::string& path) {
  for (const auto& [name, array] : data.floats)
    for (std::size_t i = 0; i < array.values.size(); ++i)
      if (!std::isfinite(array.values[i]))
        throw std::runtime_error(path + ": " + name + " holds " + format_number(array.values[i]) + " at element " +
                                 std::to_string(i) + "; a checkpoint holds finite numbers only");
}

// The SentencePiece model of a checkpoint whose tokenizer is spm (see add_spm_model).
SpmModel stored_spm_model(const CheckpointData& data, const std::string& path) {
  const auto it = data.bytes.find("/tokenizer/spm_model");
  if (it == data.bytes.end()) throw std::runtime_error(missing_or_kind(data, path, "/tokenizer/spm_model", "bytes"));
  SpmModel spm;
  spm.bytes.assign(it->second.values.begin(), it->second.values.end());
  spm.file = optional_attr<std::string>(data, path, "/tokenizer", "spm_file", "");
  if (spm.file.empty()) {
    spm.trained.type = attr<std::string>(data, path, "/tokenizer", "spm_type");
    const std::int64_t size = attr<std::int64_t>(data, path, "/tokenizer", "spm_vocab_size");
    if (size < 1 || size > std::numeric_limits<int>::max())
      throw std::runtime_error(path + ": /tokenizer/spm_vocab_size " + std::to_string(size) + " is out of range");
    spm.trained.vocab_size = int(size);
  }
  return spm;
}

// Everything read_checkpoint checks, on data in memory: save_checkpoint runs it before writing,
// so that heed never writes a checkpoint it cannot load back.
Checkpoint parse_checkpoint(const std::string& path, CheckpointData data) {
  Checkpoint out;
  out.path = path;
  out.data = std::move(data);
  const CheckpointData& d = out.data;
  out.config = read_config(d, path);
  const ModelConfig& c = out.config;
  out.vocab.tokenizer = attr<std::string>(d, path, "/tokenizer", "type");
  auto strings = [&](const std::string& name) {
    const auto it = d.strings.find(name);
    if (it == d.strings.end()) throw std::runtime_error(missing_or_kind(d, path, name, "strings"));
    return it->second;
  };
  out.vocab.src = strings("/vocab/src");
  out.vocab.tgt = strings("/vocab/tgt");
  if (out.vocab.tokenizer == "bpe") out.vocab.bpe_merges = strings("/tokenizer/merges");
  if (out.vocab.tokenizer == "spm") out.vocab.spm = stored_spm_model(d, path);
  if (Index(out.vocab.src.size()) != c.src_vocab_size || Index(out.vocab.tgt.size()) != c.tgt_vocab_size)
    throw std::runtime_error(path + ": vocabulary sizes " + std::to_string(out.vocab.src.size()) + "/" +
                             std::to_string(out.vocab.tgt.size()) + " disagree with /config");
  for (const auto& [name, list] : d.strings)
    for (std::size_t i = 0; i < list.size(); ++i)
      if (list[i].find('\0') != std::string::npos)  // HDF5 strings end at NUL: it would not load back
        throw std::runtime_error(path + ": " + name + " entry " + std::to_string(i) + " holds a NUL byte");
  try {
    Preprocessor::from_state(out.vocab);  // the tokenizer and vocabularies must build
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  TrainingState& t = out.train;
  t.step = non_negative(d, path, "step");
  t.epoch = non_negative(d, path, "epoch");
  t.best_metric = attr<double>(d, path, "/train", "best_metric");
  if (std::isnan(t.best_metric)) throw std::runtime_error(path + ": /train/best_metric is NaN");
  t.valid_metric = optional_attr<std::string>(d, path, "/train", "valid_metric", "bleu");
  t.elapsed_s = optional_attr<double>(d, path, "/train", "elapsed_s", 0.0);
  if (!(t.elapsed_s >= 0)) throw std::runtime_error(path + ": /train/elapsed_s must be >= 0");
  t.evals_without_improvement = non_negative(d, path, "evals_without_improvement");
  t.task = attr<std::string>(d, path, "/train", "task");
  t.data.hash = optional_attr<std::string>(d, path, "/train", "data_hash", "");
  if (!t.data.hash.empty()) t.data.size = std::size_t(non_negative(d, path, "data_size"));
  if (const auto options = d.attributes.find("/train/options"); options != d.attributes.end())
    t.run_options = options->second;
  const auto rng = d.words.find("/train/rng_state");
  if (rng == d.words.end() || rng->second.values.size() != 4)
    throw std::runtime_error(path + ": missing or malformed /train/rng_state");
  std::copy(rng->second.values.begin(), rng->second.values.end(), t.dropout_rng.begin());
  const auto pos = d.words.find("/train/data_position");
  if (pos != d.words.end()) t.data_position = pos->second.values;
  out.has_optimizer = d.attributes.count("/optim") > 0;
  if (out.has_optimizer) {
    out.optimizer = attr<std::string>(d, path, "/optim", "type");
    if (attr<std::int64_t>(d, path, "/optim", "step") < 0) throw std::runtime_error(path + ": /optim/step is negative");
  }
  check_finite(d, path);
  return out;
}

}  // namespace

Checkpoint read_checkpoint(const std::string& path) { return parse_checkpoint(path, load_checkpoint_file(path)); }

void save_checkpoint(const std::string& path, const Seq2SeqModel& model, const VocabularyState& vocab,
                     const Optimizer* optimizer, const TrainingState& train) {
  CheckpointData data;
  add_config(data, model.config(), vocab);
  const std::vector<Parameter> params = model.parameters();
  for (const Parameter& p : params) data.floats["/model/" + slashed(p.name)] = to_array(p.tensor.value(), p.shape);
  if (optimizer) {
    auto& o = data.attributes["/optim"];
    o["type"] = optimizer_name(optimizer->config().kind);
    o["step"] = std::int64_t(optimizer->steps());
    for (const Parameter& p : params)
      for (const std::string& slot : optimizer->slots()) {
        const auto& moments = optimizer->state().at(slot);
        const auto it = moments.find(p.name);
        if (it != moments.end()) data.floats["/optim/" + slot + "/" + slashed(p.name)] = to_array(it->second, p.shape);
      }
  }
  auto& t = data.attributes["/train"];
  t["step"] = std::int64_t(train.step);
  t["epoch"] = std::int64_t(train.epoch);
  t["best_metric"] = train.best_metric;
  t["valid_metric"] = train.valid_metric;
  t["elapsed_s"] = train.elapsed_s;
  t["evals_without_improvement"] = std::int64_t(train.evals_without_improvement);
  t["task"] = train.task;
  if (!train.data.hash.empty()) {
    t["data_size"] = std::int64_t(train.data.size);
    t["data_hash"] = train.data.hash;
  }
  for (const auto& [name, value] : train.run_options) data.attributes["/train/options"][name] = value;
  data.attributes["/"]["heed_version"] = std::string(HEED_VERSION);
  data.words["/train/rng_state"] = Array<std::uint64_t>{{4}, {train.dropout_rng.begin(), train.dropout_rng.end()}};
  data.words["/train/data_position"] = Array<std::uint64_t>{{train.data_position.size()}, train.data_position};
  data = parse_checkpoint(path + " (not saved)", std::move(data)).data;  // never write what cannot load
  save_checkpoint_file(path, data);
}

void load_weights(const Checkpoint& checkpoint, const Module& model) {
  const CheckpointData& data = checkpoint.data;
  std::vector<std::string> problems;
  std::map<std::string, const Array<float>*> stored;
  for (const auto& [name, array] : data.floats)
    if (name.rfind("/model/", 0) == 0) stored[name] = &array;
  const std::vector<Parameter> params = model.parameters();
  for (const Parameter& p : params) {
    const auto it = stored.find("/model/" + slashed(p.name));
    if (it == stored.end()) {
      const std::string kind = stored_kind(data, "/model/" + slashed(p.name));
      problems.push_back(kind.empty() ? "missing " + p.name : p.name + " holds " + kind + ", expected float32");
      continue;
    }
    const std::vector<std::size_t> expected(p.shape.begin(), p.shape.end());
    if (it->second->shape != expected)
      problems.push_back(p.name + " has shape " + shape_text(it->second->shape) + ", expected " + shape_text(expected));
    stored.erase(it);
  }
  for (const auto& [name, array] : stored) {
    std::string dotted = name.substr(7);
    std::replace(dotted.begin(), dotted.end(), '/', '.');
    problems.push_back("unexpected " + dotted);
  }
  if (!problems.empty()) {
    std::string message = checkpoint.path + ": checkpoint does not fit the model (" + std::to_string(problems.size()) +
                          " problems): ";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw std::runtime_error(message);
  }
  for (const Parameter& p : params) {
    Tensor t = p.tensor;
    copy_into(data.floats.at("/model/" + slashed(p.name)), t.mutable_value());
  }
}

void load_optimizer_state(const Checkpoint& checkpoint, Optimizer& optimizer) {
  const CheckpointData& data = checkpoint.data;
  const std::string& path = checkpoint.path;
  if (!checkpoint.has_optimizer) throw std::runtime_error(path + ": holds no optimizer state");
  const std::string saved = attr<std::string>(data, path, "/optim", "type");
  if (saved != optimizer_name(optimizer.config().kind))
    throw std::runtime_error(path + ": optimizer state is " + saved + ", not " + optimizer_name(optimizer.config().kind) +
                             " (use --reset-optimizer to start fresh moments)");
  optimizer.set_steps(attr<std::int64_t>(data, path, "/optim", "step"));
  for (auto& [slot, moments] : optimizer.state())
    for (auto& [name, moment] : moments) {  // only the parameters this optimizer updates
      const auto it = data.floats.find("/optim/" + slot + "/" + slashed(name));
      if (it == data.floats.end() || it->second.values.size() != std::size_t(moment.size()))
        throw std::runtime_error(path + ": missing or misshapen optimizer state " + slot + " of " + name);
      copy_into(it->second, moment);
    }
}

std::unique_ptr<Seq2SeqModel> load_model(const Checkpoint& checkpoint) {
  std::unique_ptr<Seq2SeqModel> model = make_model(checkpoint.config);
  load_weights(checkpoint, *model);
  model->eval();
  return model;
}

HEED_NAMESPACE_END
