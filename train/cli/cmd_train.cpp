// heed train / heed finetune: options, data, model (new, resumed or from a checkpoint), the run.
#include <filesystem>
#include <iostream>

#include "train/cli.h"
#include "train/threads.h"
#include "train/trainer.h"

namespace heed::cli {

namespace {

po::options_description model_options() {
  po::options_description o("Model (train only; finetune takes the checkpoint's)");
  o.add_options()("d-model", po::value<long long>()->default_value(128), "model width")(
      "heads", po::value<long long>()->default_value(4), "attention heads")(
      "d-ff", po::value<long long>()->default_value(512), "feed-forward width")(
      "enc-layers", po::value<long long>()->default_value(2), "encoder layers")(
      "dec-layers", po::value<long long>()->default_value(2), "decoder layers")(
      "max-len", po::value<long long>()->default_value(128), "longest sequence, in tokens")(
      "dropout", po::value<double>()->default_value(0.1), "dropout probability")(
      "norm-first", po::value<bool>()->default_value(true), "pre-LN (true) or post-LN (false)")(
      "activation", po::value<std::string>()->default_value("relu"), "relu | gelu")(
      "positions", po::value<std::string>()->default_value("sinusoidal"), "sinusoidal | learned")(
      "embed-init", po::value<std::string>()->default_value("scaled"),
      "scaled: N(0, 1/d-model), token vectors O(1) after the sqrt(d) scale | torch: N(0, 1) as nn.Embedding")(
      "tokenizer", po::value<std::string>()->default_value("word"), "char | word | bpe")(
      "bpe-merges", po::value<int>()->default_value(8000), "BPE merges learned from the training data")(
      "min-freq", po::value<std::size_t>()->default_value(1), "tokens rarer than this become <unk>");
  return o;
}

po::options_description data_options(bool finetune) {
  po::options_description o("Data");
  if (!finetune)
    o.add_options()("task", po::value<std::string>(), "built-in task: copy, reverse, sort, toy-fr")(
        "min-length", po::value<int>()->default_value(1), "task sequences: shortest")(
        "max-length", po::value<int>()->default_value(20), "task sequences: longest")(
        "task-size", po::value<std::size_t>()->default_value(20000), "task: training examples");
  o.add_options()("train", po::value<std::string>(), "training pairs, source<TAB>target per line")(
      "valid", po::value<std::string>(), "validation pairs (default: the task's valid split, or none)")(
      "save-dir", po::value<std::string>()->required(), "where checkpoints and metrics.csv go");
  return o;
}

po::options_description training_options() {
  po::options_description o("Training");
  o.add_options()("steps", po::value<long long>()->default_value(4000), "total optimizer steps of the run")(
      "batch-size", po::value<std::size_t>()->default_value(64), "sentences per batch")(
      "accumulate", po::value<int>()->default_value(1), "batches per optimizer step (gradient accumulation)")(
      "optimizer", po::value<std::string>()->default_value("adam"), "adam | adamw | sgd")(
      "lr", po::value<double>()->default_value(1e-3), "peak learning rate")(
      "momentum", po::value<double>()->default_value(0.9), "sgd momentum")(
      "weight-decay", po::value<double>()->default_value(0.0), "L2 (adam, sgd) or decoupled (adamw) decay")(
      "clip-norm", po::value<double>()->default_value(1.0), "global gradient-norm clip; 0 = off")(
      "label-smoothing", po::value<double>()->default_value(0.1), "as PyTorch's CrossEntropyLoss")(
      "lr-schedule", po::value<std::string>()->default_value("cosine"), "constant | noam | cosine")(
      "warmup-steps", po::value<long long>()->default_value(200), "linear warmup")(
      "eval-every", po::value<long long>()->default_value(500), "validate every N steps (0 = at the end)")(
      "save-every", po::value<long long>()->default_value(500), "write checkpoint_last.h5 every N steps")(
      "patience", po::value<int>()->default_value(0), "stop after N evaluations without improvement (0 = never)")(
      "time-limit", po::value<double>()->default_value(0), "minutes of wall time, then save and stop (0 = none)")(
      "seed", po::value<unsigned long long>()->default_value(1), "seed of weights, dropout and batch order")(
      "threads", po::value<int>()->default_value(0), "threads (0 = all cores)")(
      "quiet", "no progress output");
  return o;
}

template <class T>
T positive(const po::variables_map& vm, const std::string& name) {
  const T v = vm[name].as<T>();
  if (v <= 0) throw UsageError("--" + name + ": must be positive, got " + std::to_string(v));
  return v;
}

TrainOptions read_training_options(const po::variables_map& vm) {
  TrainOptions t;
  t.steps = positive<long long>(vm, "steps");
  t.batch_size = positive<std::size_t>(vm, "batch-size");
  t.accumulate = positive<int>(vm, "accumulate");
  t.optimizer.kind = vm["optimizer"].as<std::string>();
  t.optimizer.lr = positive<double>(vm, "lr");
  t.optimizer.momentum = vm["momentum"].as<double>();
  t.optimizer.weight_decay = vm["weight-decay"].as<double>();
  t.clip_norm = vm["clip-norm"].as<double>();
  t.label_smoothing = vm["label-smoothing"].as<double>();
  if (t.label_smoothing < 0 || t.label_smoothing >= 1) throw UsageError("--label-smoothing: must be in [0, 1)");
  if (t.optimizer.kind != "adam" && t.optimizer.kind != "adamw" && t.optimizer.kind != "sgd")
    throw UsageError("--optimizer: '" + t.optimizer.kind + "' is not one of adam, adamw, sgd");
  t.schedule.kind = vm["lr-schedule"].as<std::string>();
  t.schedule.warmup_steps = vm["warmup-steps"].as<long long>();
  t.schedule.total_steps = t.steps;
  try {
    validate(t.schedule);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  t.eval_every = vm["eval-every"].as<long long>();
  t.save_every = vm["save-every"].as<long long>();
  t.patience = vm["patience"].as<int>();
  t.time_limit_minutes = vm["time-limit"].as<double>();
  t.seed = vm["seed"].as<unsigned long long>();
  t.save_dir = vm["save-dir"].as<std::string>();
  t.quiet = vm.count("quiet") > 0;
  return t;
}

TransformerConfig read_model_options(const po::variables_map& vm, std::size_t src_vocab, std::size_t tgt_vocab,
                                     std::uint64_t seed) {
  TransformerConfig c;
  c.src_vocab_size = Index(src_vocab);
  c.tgt_vocab_size = Index(tgt_vocab);
  c.d_model = positive<long long>(vm, "d-model");
  c.num_heads = positive<long long>(vm, "heads");
  c.d_ff = positive<long long>(vm, "d-ff");
  c.enc_layers = positive<long long>(vm, "enc-layers");
  c.dec_layers = positive<long long>(vm, "dec-layers");
  c.max_len = positive<long long>(vm, "max-len");
  c.dropout = Scalar(vm["dropout"].as<double>());
  if (c.dropout < 0 || c.dropout >= 1) throw UsageError("--dropout: must be in [0, 1)");
  if (c.d_model % c.num_heads != 0)
    throw UsageError("--heads: " + std::to_string(c.num_heads) + " does not divide --d-model " + std::to_string(c.d_model));
  c.norm_first = vm["norm-first"].as<bool>();
  const std::string act = vm["activation"].as<std::string>();
  if (act != "relu" && act != "gelu") throw UsageError("--activation: '" + act + "' is not one of relu, gelu");
  c.activation = act == "gelu" ? Activation::GELU : Activation::ReLU;
  const std::string pos = vm["positions"].as<std::string>();
  if (pos != "sinusoidal" && pos != "learned") throw UsageError("--positions: '" + pos + "' is not one of sinusoidal, learned");
  c.learned_positions = pos == "learned";
  const std::string init = vm["embed-init"].as<std::string>();
  if (init != "scaled" && init != "torch") throw UsageError("--embed-init: '" + init + "' is not one of scaled, torch");
  c.scaled_embedding_init = init == "scaled";
  c.seed = seed;
  return c;
}

// The longest encoded sequence (+ BOS/EOS) must fit max_len; say so before training starts.
void check_lengths(const std::vector<EncodedPair>& pairs, Index max_len, const std::string& what) {
  for (std::size_t i = 0; i < pairs.size(); ++i)
    if (Index(std::max(pairs[i].src.size(), pairs[i].tgt.size())) + 1 > max_len)
      throw UsageError(what + ": pair " + std::to_string(i + 1) + " has " +
                       std::to_string(std::max(pairs[i].src.size(), pairs[i].tgt.size())) +
                       " tokens, more than --max-len " + std::to_string(max_len) + " allows");
}

}  // namespace

int run_train(const std::vector<std::string>& args, bool finetune) {
  namespace fs = std::filesystem;
  const std::string command = finetune ? "finetune" : "train";
  po::options_description options = common_options();
  options.add(data_options(finetune)).add(training_options());
  if (finetune) {
    po::options_description f("Fine-tuning");
    f.add_options()("from", po::value<std::string>()->required(), "the checkpoint to start from")(
        "freeze", po::value<std::vector<std::string>>()->composing(),
        "keep parameters matching this glob fixed (repeatable), e.g. 'encoder.*'")(
        "reset-optimizer", "start with fresh optimizer moments instead of the checkpoint's");
    options.add(f);
  } else {
    options.add(model_options());
  }
  po::variables_map vm;
  const std::string usage = finetune ? "--from CKPT.h5 --train FILE.tsv --save-dir DIR [options]"
                                     : "(--task NAME | --train FILE.tsv [--valid FILE.tsv]) --save-dir DIR [options]";
  if (!parse(command, usage, options, args, vm)) return 0;
  TrainOptions train_opts = read_training_options(vm);
  set_threads(vm["threads"].as<int>());

  DataSource source;
  if (!finetune && vm.count("task")) {
    if (vm.count("train")) throw UsageError("give --task or --train, not both");
    source.task = vm["task"].as<std::string>();
    source.task_options.seed = train_opts.seed;
    source.task_options.min_len = vm["min-length"].as<int>();
    source.task_options.max_len = vm["max-length"].as<int>();
    source.task_options.train_size = vm["task-size"].as<std::size_t>();
  } else if (vm.count("train")) {
    source.tsv = vm["train"].as<std::string>();
  } else {
    throw UsageError(finetune ? "--train FILE.tsv is required" : "give --task NAME or --train FILE.tsv");
  }
  std::vector<Example> train, valid;
  try {
    train = load_examples(source, "train");
    if (vm.count("valid")) valid = load_examples(DataSource{"", vm["valid"].as<std::string>(), {}}, "valid");
    else if (!source.task.empty()) valid = load_examples(source, "valid");
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  const std::string save_dir = train_opts.save_dir;
  const std::string last = save_dir + "/checkpoint_last.h5";
  const bool resume = fs::exists(last);
  std::unique_ptr<Transformer> model;
  std::unique_ptr<Preprocessor> pre;
  TrainingState state;
  bool load_optimizer = false;
  std::string weights_from;
  if (resume) {  // the same command again: continue where checkpoint_last.h5 stopped
    const LoadedCheckpoint ck = read_checkpoint_header(last);
    if (ck.train.task != source.describe())
      throw UsageError(last + " is a run on " + ck.train.task + ", not " + source.describe() +
                       "; give another --save-dir");
    model = std::make_unique<Transformer>(ck.config);
    pre = std::make_unique<Preprocessor>(Preprocessor::from_state(ck.vocab));
    state = ck.train;
    load_optimizer = true;
    weights_from = last;
    std::cerr << "resuming from " << last << " at step " << state.step << "\n";
  } else if (finetune) {
    const std::string from = vm["from"].as<std::string>();
    const LoadedCheckpoint ck = read_checkpoint_header(from);
    model = std::make_unique<Transformer>(ck.config);
    pre = std::make_unique<Preprocessor>(Preprocessor::from_state(ck.vocab));
    load_optimizer = vm.count("reset-optimizer") == 0 && ck.has_optimizer;
    weights_from = from;
  } else {
    pre = std::make_unique<Preprocessor>(Preprocessor::build(train, vm["tokenizer"].as<std::string>(),
                                                             vm["bpe-merges"].as<int>(), vm["min-freq"].as<std::size_t>()));
    model = std::make_unique<Transformer>(read_model_options(vm, pre->src_vocab().size(), pre->tgt_vocab().size(),
                                                             train_opts.seed));
  }
  if (finetune) {
    std::size_t unknown = 0, tokens = 0;
    for (const EncodedPair& p : pre->encode(train, &unknown)) tokens += p.src.size() + p.tgt.size();
    std::cerr << "fine-tuning data: " << unknown << " of " << tokens << " tokens are not in the checkpoint's vocabulary"
              << " and become <unk>\n";
    if (vm.count("freeze")) train_opts.freeze = vm["freeze"].as<std::vector<std::string>>();
  }
  check_lengths(pre->encode(train), model->config().max_len, source.describe());
  if (!resume)
    std::cerr << "model: " << model->parameter_count() << " parameters, vocabularies " << pre->src_vocab().size()
              << " / " << pre->tgt_vocab().size() << " (" << pre->tokenizer().type() << "), " << train.size()
              << " training pairs\n";
  Trainer trainer(*model, *pre, train, valid, train_opts, state, source.describe());
  if (!weights_from.empty()) load_checkpoint_weights(weights_from, *model, load_optimizer ? &trainer.optimizer() : nullptr);
  const TrainOutcome outcome = trainer.run();
  if (!outcome.finished) std::cerr << "stopped at step " << outcome.steps_done << ": " << outcome.stop_reason << "\n";
  std::string written;
  for (const char* name : {"checkpoint_last.h5", "checkpoint_best.h5", "metrics.csv"})
    if (fs::exists(save_dir + "/" + name)) written += (written.empty() ? "" : ", ") + std::string(name);
  std::cerr << "in " << save_dir << "/: " << (written.empty() ? "nothing written" : written) << "\n";
  return outcome.stop_reason.rfind("diverged", 0) == 0 ? 1 : 0;
}

}  // namespace heed::cli
