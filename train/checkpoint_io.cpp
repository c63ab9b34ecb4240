// Mapping model, optimizer and training state to checkpoint groups and back.
#include "train/checkpoint_io.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

#include "checkpoints/checkpoint_file.h"

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

void add_config(CheckpointData& data, const TransformerConfig& c, const VocabularyState& vocab) {
  auto& a = data.attributes["/config"];
  a["d_model"] = std::int64_t(c.d_model);
  a["heads"] = std::int64_t(c.num_heads);
  a["d_ff"] = std::int64_t(c.d_ff);
  a["enc_layers"] = std::int64_t(c.enc_layers);
  a["dec_layers"] = std::int64_t(c.dec_layers);
  a["max_len"] = std::int64_t(c.max_len);
  a["dropout"] = double(c.dropout);
  a["norm_first"] = std::int64_t(c.norm_first);
  a["activation"] = std::string(c.activation == Activation::ReLU ? "relu" : "gelu");
  a["positions"] = std::string(c.learned_positions ? "learned" : "sinusoidal");
  a["src_vocab_size"] = std::int64_t(c.src_vocab_size);
  a["tgt_vocab_size"] = std::int64_t(c.tgt_vocab_size);
  a["seed"] = std::int64_t(c.seed);
  a["tokenizer"] = vocab.tokenizer;
  data.attributes["/tokenizer"]["type"] = vocab.tokenizer;
  data.strings["/vocab/src"] = vocab.src;
  data.strings["/vocab/tgt"] = vocab.tgt;
  if (vocab.tokenizer == "bpe") data.strings["/tokenizer/merges"] = vocab.bpe_merges;
}

template <class T>
T attr(const CheckpointData& data, const std::string& path, const std::string& group, const std::string& name) {
  const auto g = data.attributes.find(group);
  if (g == data.attributes.end() || g->second.count(name) == 0)
    throw std::runtime_error(path + ": missing attribute " + name + " in " + group);
  if (const T* v = std::get_if<T>(&g->second.at(name))) return *v;
  throw std::runtime_error(path + ": attribute " + group + "/" + name + " has the wrong type");
}

}  // namespace

void save_checkpoint(const std::string& path, const Transformer& model, const VocabularyState& vocab,
                     const Optimizer* optimizer, const TrainingState& train) {
  CheckpointData data;
  add_config(data, model.config(), vocab);
  for (const Parameter& p : model.parameters()) data.floats["/model/" + slashed(p.name)] = to_array(p.tensor.value(), p.shape);
  if (optimizer) {
    auto& o = data.attributes["/optim"];
    o["type"] = optimizer->config().kind;
    o["step"] = std::int64_t(optimizer->steps());
    for (const Parameter& p : model.parameters())
      for (const std::string& slot : optimizer->slots()) {
        const auto& moments = optimizer->state().at(slot);
        const auto it = moments.find(p.name);
        if (it != moments.end())
          data.floats["/optim/" + slot + "/" + slashed(p.name)] = to_array(it->second, p.shape);
      }
  }
  auto& t = data.attributes["/train"];
  t["step"] = std::int64_t(train.step);
  t["epoch"] = std::int64_t(train.epoch);
  t["best_metric"] = train.best_metric;
  t["evals_without_improvement"] = std::int64_t(train.evals_without_improvement);
  t["task"] = train.task;
  data.words["/train/rng_state"] = Array<std::uint64_t>{{4}, {train.dropout_rng.begin(), train.dropout_rng.end()}};
  data.words["/train/data_position"] = Array<std::uint64_t>{{train.data_position.size()}, train.data_position};
  save_checkpoint_file(path, data);
}

LoadedCheckpoint read_checkpoint_header(const std::string& path) {
  const CheckpointData data = load_checkpoint_file(path);
  LoadedCheckpoint out;
  TransformerConfig& c = out.config;
  const std::string g = "/config";
  c.d_model = attr<std::int64_t>(data, path, g, "d_model");
  c.num_heads = attr<std::int64_t>(data, path, g, "heads");
  c.d_ff = attr<std::int64_t>(data, path, g, "d_ff");
  c.enc_layers = attr<std::int64_t>(data, path, g, "enc_layers");
  c.dec_layers = attr<std::int64_t>(data, path, g, "dec_layers");
  c.max_len = attr<std::int64_t>(data, path, g, "max_len");
  c.dropout = Scalar(attr<double>(data, path, g, "dropout"));
  c.norm_first = attr<std::int64_t>(data, path, g, "norm_first") != 0;
  c.activation = attr<std::string>(data, path, g, "activation") == "gelu" ? Activation::GELU : Activation::ReLU;
  c.learned_positions = attr<std::string>(data, path, g, "positions") == "learned";
  c.src_vocab_size = attr<std::int64_t>(data, path, g, "src_vocab_size");
  c.tgt_vocab_size = attr<std::int64_t>(data, path, g, "tgt_vocab_size");
  c.seed = std::uint64_t(attr<std::int64_t>(data, path, g, "seed"));
  out.vocab.tokenizer = attr<std::string>(data, path, "/tokenizer", "type");
  auto strings = [&](const std::string& name) {
    const auto it = data.strings.find(name);
    if (it == data.strings.end()) throw std::runtime_error(path + ": missing dataset " + name);
    return it->second;
  };
  out.vocab.src = strings("/vocab/src");
  out.vocab.tgt = strings("/vocab/tgt");
  if (out.vocab.tokenizer == "bpe") out.vocab.bpe_merges = strings("/tokenizer/merges");
  if (Index(out.vocab.src.size()) != c.src_vocab_size || Index(out.vocab.tgt.size()) != c.tgt_vocab_size)
    throw std::runtime_error(path + ": vocabulary sizes " + std::to_string(out.vocab.src.size()) + "/" +
                             std::to_string(out.vocab.tgt.size()) + " disagree with /config");
  TrainingState& t = out.train;
  t.step = attr<std::int64_t>(data, path, "/train", "step");
  t.epoch = attr<std::int64_t>(data, path, "/train", "epoch");
  t.best_metric = attr<double>(data, path, "/train", "best_metric");
  t.evals_without_improvement = attr<std::int64_t>(data, path, "/train", "evals_without_improvement");
  t.task = attr<std::string>(data, path, "/train", "task");
  const auto rng = data.words.find("/train/rng_state");
  if (rng == data.words.end() || rng->second.values.size() != 4)
    throw std::runtime_error(path + ": missing or malformed /train/rng_state");
  std::copy(rng->second.values.begin(), rng->second.values.end(), t.dropout_rng.begin());
  const auto pos = data.words.find("/train/data_position");
  if (pos != data.words.end()) t.data_position = pos->second.values;
  out.has_optimizer = data.attributes.count("/optim") > 0;
  return out;
}

void load_checkpoint_weights(const std::string& path, Transformer& model, Optimizer* optimizer) {
  const CheckpointData data = load_checkpoint_file(path);
  std::vector<std::string> problems;
  std::map<std::string, const Array<float>*> stored;
  for (const auto& [name, array] : data.floats)
    if (name.rfind("/model/", 0) == 0) stored[name] = &array;
  const std::vector<Parameter> params = model.parameters();
  for (const Parameter& p : params) {
    const std::string key = "/model/" + slashed(p.name);
    const auto it = stored.find(key);
    if (it == stored.end()) {
      problems.push_back("missing " + p.name);
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
    std::string message = path + ": checkpoint does not fit the model (" + std::to_string(problems.size()) + " problems): ";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw std::runtime_error(message);
  }
  auto copy_into = [](const Array<float>& a, Matrix& m) {
    for (Index i = 0; i < m.size(); ++i) m.data()[i] = Scalar(a.values[std::size_t(i)]);
  };
  for (const Parameter& p : params) {
    Tensor t = p.tensor;
    copy_into(data.floats.at("/model/" + slashed(p.name)), t.mutable_value());
  }
  if (optimizer && data.attributes.count("/optim")) {
    const std::string saved = attr<std::string>(data, path, "/optim", "type");
    if (saved != optimizer->config().kind)
      throw std::runtime_error(path + ": optimizer state is " + saved + ", not " + optimizer->config().kind +
                               " (use --reset-optimizer to start fresh moments)");
    optimizer->set_steps(attr<std::int64_t>(data, path, "/optim", "step"));
    for (auto& [slot, moments] : optimizer->state())
      for (auto& [name, moment] : moments) {  // only the parameters this optimizer updates
        const auto it = data.floats.find("/optim/" + slot + "/" + slashed(name));
        if (it == data.floats.end() || it->second.values.size() != std::size_t(moment.size()))
          throw std::runtime_error(path + ": missing or misshapen optimizer state " + slot + " of " + name);
        copy_into(it->second, moment);
      }
  }
}

HEED_NAMESPACE_END
