// heed train / heed finetune: options, data, model (new, resumed or from a checkpoint), the run.
#include <cmath>
#include <filesystem>
#include <optional>
#include <variant>
#include <iostream>
#include <limits>

#include "train/cli/cli.h"
#include "train/cli/model_options.h"
#include "train/cli/tokenizer_options.h"
#include "train/checkpoint/save_dir_lock.h"
#include "train/cli/option_checks.h"
#include "train/cli/translation_setup.h"
#include "train/distributed/launch.h"
#include "train/loop/trainer.h"

namespace heed::cli {

namespace {

// Options that shape a built-in task's data, with their defaults: refused with --train, whose
// data is the file's, unless they hold their default (as a --dump-config file of the run does).
struct TaskOnlyOption {
  const char* name;
  long long fallback;
  const char* help;
};
constexpr long long kDefaultContext = 64;
const TaskOnlyOption kTaskOnlyOptions[] = {{"min-length", 1, "task sequences: shortest (--task only)"},
                                           {"max-length", 20, "task sequences: longest (--task only)"},
                                           {"task-size", 20000, "task: training examples (--task only)"}};

po::options_description data_options(bool finetune) {
  po::options_description o("Data");
  if (!finetune) {
    o.add_options()("task", po::value<std::string>(), "built-in task: copy, reverse, sort, toy-fr")(
        "context", po::value<long long>()->default_value(kDefaultContext),
        "--arch lm: tokens per training window, the longest context the model reads (stored as max_len)");
    for (const TaskOnlyOption& t : kTaskOnlyOptions)
      o.add_options()(t.name, po::value<long long>()->default_value(t.fallback), t.help);
  }
  o.add_options()("train", po::value<std::string>(), "training pairs, source<TAB>target per line")(
      "valid", po::value<std::string>(), "validation pairs (default: the task's valid split, or none)")(
      "text", po::value<std::string>(), "--arch lm: the training text, plain UTF-8 (each line end is a token)")(
      "valid-text", po::value<std::string>(), "--arch lm: the validation text")(
      "valid-size", po::value<long long>()->default_value(0),
      "validation pairs evaluated each time: the first N (0 = all)")(
      "save-dir", po::value<std::string>()->required(),
      "where checkpoints and metrics.csv go; a DIR holding checkpoint_last.h5 is resumed")(
      "overwrite", "start afresh in --save-dir, deleting the checkpoints and metrics.csv of a run there");
  return o;
}

po::options_description training_options() {
  po::options_description o("Training");
  const std::string metric_help =
      std::string("the validation metric that picks checkpoint_best.h5 and counts for --patience: ") +
      kValidMetricNames +
      "; an evaluation improves when it is strictly higher (bleu, chrf, exact, token-acc) or strictly lower "
      "(loss) than the best so far. chrf is defined on short outputs, where corpus BLEU stays 0 below 4 "
      "tokens. A resume keeps the checkpoint's metric unless this is given";
  o.add_options()("steps", po::value<long long>()->default_value(4000), "total optimizer steps of the run")(
      "batch-size", po::value<long long>()->default_value(64),
      "sentences per batch (data-parallel: per rank; the effective batch is ranks x this)")(
      "accumulate", po::value<int>()->default_value(1), "batches per optimizer step (gradient accumulation)")(
      "optimizer", po::value<std::string>()->default_value("adam"), "adam | adamw | sgd")(
      "reset-optimizer", flag(), "start with fresh optimizer moments instead of the checkpoint's")(
      "lr", real_value(1e-3), "peak learning rate")(
      "momentum", real_value(0.9), "sgd momentum")(
      "weight-decay", real_value(0.0), "L2 (adam, sgd) or decoupled (adamw) decay")(
      "clip-norm", real_value(1.0), "global gradient-norm clip; 0 = off")(
      "label-smoothing", real_value(0.1), "as PyTorch's CrossEntropyLoss (the train loss shown includes it)")(
      "lr-schedule", po::value<std::string>()->default_value("cosine"), "constant | noam | cosine")(
      "warmup-steps", po::value<long long>()->default_value(200), "linear warmup")(
      "eval-every", po::value<long long>()->default_value(500), "validate every N steps, and at the end (0 = at the end)")(
      "save-every", po::value<long long>()->default_value(500), "write checkpoint_last.h5 every N steps, and at the end (0 = at the end)")(
      "valid-metric", po::value<std::string>()->default_value("chrf"), metric_help.c_str())(
      "patience", po::value<int>()->default_value(0), "stop after N evaluations without improvement (0 = never)")(
      "time-limit", real_value(0), "minutes of wall time, then save and stop (0 = none)")(
      "seed", po::value<unsigned long long>()->default_value(1), "seed of weights, dropout and batch order")(
      "threads", po::value<int>()->default_value(0), "threads (0 = all cores; under mpirun: the cores shared by the ranks on a machine)")(
      "distributed", flag(),
      "train data-parallel over MPI even without mpirun's environment (another launcher); under mpirun -np N "
      "(N > 1) it is on by itself")(
      "quiet", flag(), "print only warnings, errors and why a run stopped early");
  return o;
}

// The data and tokenizer options train reads later, checked at once: nothing is created for a
// command that will be refused.
void check_data_options(const po::variables_map& vm, bool finetune) {
  if (vm.count("text")) {  // a language model's data: refuse what belongs to sentence pairs
    for (const char* pairs_only : {"task", "train", "valid"})
      if (vm.count(pairs_only))
        throw UsageError(std::string("--") + pairs_only + ": a language model trains on --text (and --valid-text), " +
                         "not on sentence pairs");
  } else if (vm.count("valid-text")) {
    throw UsageError("--valid-text: the validation text of a language model trained on --text");
  }
  if (finetune) return;
  const bool lm = vm["arch"].as<std::string>() == "lm";
  if (lm && !vm.count("text")) throw UsageError("--arch lm trains on a text: give --text FILE");
  if (!lm && vm.count("text")) throw UsageError("--text trains a language model: add --arch lm");
  if (lm) {
    // Settings of the encoder-decoder only, refused unless they hold their default (as in a --dump-config file).
    if (vm["enc-layers"].as<long long>() != 2) throw UsageError("--enc-layers: an lm has no encoder (its depth is --dec-layers)");
    // (a resumed lm's --dump-config shows its max-len as the context it is)
    if (const long long max_len = vm["max-len"].as<long long>(); max_len != 128 && max_len != vm["context"].as<long long>())
      throw UsageError("--max-len: an lm reads --context tokens");
    if (vm["shared-vocab"].as<bool>()) throw UsageError("--shared-vocab: an lm has one vocabulary already");
    for (const TaskOnlyOption& t : kTaskOnlyOptions)
      if (vm[t.name].as<long long>() != t.fallback)
        throw UsageError(std::string("--") + t.name + " shapes a built-in --task's data; an lm reads --text");
    checked_int(vm, "context", 1, 1 << 20);
  } else if (vm["context"].as<long long>() != kDefaultContext) {
    throw UsageError("--context: the window of a language model (--arch lm)");
  }
  if (vm.count("task")) {
    checked_int(vm, "max-length", checked_int(vm, "min-length", 1, std::numeric_limits<int>::max()),
                std::numeric_limits<int>::max());
    checked_int(vm, "task-size", 1);
  } else if (vm.count("train")) {
    for (const TaskOnlyOption& t : kTaskOnlyOptions)
      if (vm[t.name].as<long long>() != t.fallback)
        throw UsageError(std::string("--") + t.name + " shapes a built-in --task's data; with --train the data is the file's");
  }
  check_tokenizer_options(vm);
}

ValidMetric read_valid_metric(const std::string& name, const std::string& where) {
  if (const std::optional<ValidMetric> m = parse_valid_metric(name)) return *m;
  throw UsageError(where + ": '" + name + "' is not one of " + kValidMetricNames);
}

TrainOptions read_training_options(const po::variables_map& vm) {
  TrainOptions t;
  t.steps = checked_int(vm, "steps", 1);
  t.batch_size = std::size_t(checked_int(vm, "batch-size", 1));
  t.accumulate = int(checked_int(vm, "accumulate", 1));
  const std::string optimizer = vm["optimizer"].as<std::string>();
  if (optimizer != "adam" && optimizer != "adamw" && optimizer != "sgd")
    throw UsageError("--optimizer: '" + optimizer + "' is not one of adam, adamw, sgd");
  t.optimizer.kind = optimizer == "sgd" ? OptimizerKind::Sgd : optimizer == "adamw" ? OptimizerKind::AdamW : OptimizerKind::Adam;
  t.optimizer.lr = checked_real(vm, "lr", above(0));
  t.optimizer.momentum = checked_real(vm, "momentum", from_to(0, 1, /*max_open=*/true));
  t.optimizer.weight_decay = checked_real(vm, "weight-decay", at_least(0));
  t.clip_norm = checked_real(vm, "clip-norm", at_least(0));
  t.label_smoothing = checked_real(vm, "label-smoothing", from_to(0, 1, /*max_open=*/true));
  const std::string schedule = vm["lr-schedule"].as<std::string>();
  if (schedule != "constant" && schedule != "noam" && schedule != "cosine")
    throw UsageError("--lr-schedule: '" + schedule + "' is not one of constant, noam, cosine");
  t.schedule.kind = schedule == "noam" ? ScheduleKind::Noam : schedule == "cosine" ? ScheduleKind::Cosine : ScheduleKind::Constant;
  t.schedule.warmup_steps = checked_int(vm, "warmup-steps", 0);
  t.schedule.total_steps = t.steps;
  try {
    validate(t.schedule);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  t.policy.eval_every = checked_int(vm, "eval-every", 0);
  t.policy.save_every = checked_int(vm, "save-every", 0);
  t.policy.metric = read_valid_metric(vm["valid-metric"].as<std::string>(), "--valid-metric");
  t.valid_limit = std::size_t(checked_int(vm, "valid-size", 0));
  t.patience = int(checked_int(vm, "patience", 0));
  t.time_limit_minutes = checked_real(vm, "time-limit", at_least(0));
  t.seed = vm["seed"].as<unsigned long long>();
  t.save_dir = vm["save-dir"].as<std::string>();
  t.quiet = vm["quiet"].as<bool>();
  return t;
}

// Tokens a vocabulary lacks, which become <unk>: said for fine-tuning data, warned about for
// validation targets (train and finetune alike) when they are more than a tenth.
struct UnknownTokens {
  std::size_t unknown = 0, tokens = 0;

  bool mostly() const { return tokens > 0 && 10 * unknown > tokens; }
  std::string describe(const std::string& vocabulary) const {
    const double percent = tokens > 0 ? 100.0 * double(unknown) / double(tokens) : 0;
    return std::to_string(unknown) + " of " + std::to_string(tokens) + " tokens are not in " + vocabulary +
           " and become <unk> (" + format_number(std::round(percent * 10) / 10) + "%)";
  }
};

UnknownTokens count_unknown(const Preprocessor& pre, const std::vector<Example>& examples, bool targets_only) {
  UnknownTokens count;
  for (const Example& e : examples) {
    if (!targets_only) count.tokens += pre.encode_source(e.source, &count.unknown).size();
    count.tokens += pre.encode_target(e.target, &count.unknown).size();
  }
  return count;
}

// The longest encoded sequence (+ BOS/EOS) must fit max_len; say so before training starts.
void check_lengths(const std::vector<EncodedPair>& pairs, Index max_len, const std::string& what) {
  for (std::size_t i = 0; i < pairs.size(); ++i)
    if (Index(std::max(pairs[i].src.size(), pairs[i].tgt.size())) + 1 > max_len)
      throw UsageError(what + ": pair " + std::to_string(i + 1) + " has " +
                       std::to_string(std::max(pairs[i].src.size(), pairs[i].tgt.size())) +
                       " tokens, more than --max-len " + std::to_string(max_len) + " allows");
}

// A language model's training defaults where the encoder-decoder's do not fit: no label smoothing
// (a text's next token is not a translation with many right answers), checkpoints ranked by loss.
void set_text_defaults(po::variables_map& vm) {
  if (!vm.count("text")) return;
  if (vm["label-smoothing"].defaulted()) vm.at("label-smoothing").value() = 0.0;
  if (vm["valid-metric"].defaulted()) vm.at("valid-metric").value() = std::string("loss");
  if (vm["valid-metric"].as<std::string>() != "loss")
    throw UsageError("--valid-metric " + vm["valid-metric"].as<std::string>() +
                     ": a language model is ranked by loss (it translates nothing)");
}

// The batch size a resume must keep: a run's data position counts global batches, of --batch-size
// times the ranks (1 in runs without the "ranks" option, which also one process records).
std::int64_t option_int(const std::map<std::string, AttrValue>& options, const std::string& name, std::int64_t fallback) {
  const auto it = options.find(name);
  return it != options.end() && std::holds_alternative<std::int64_t>(it->second) ? std::get<std::int64_t>(it->second)
                                                                                   : fallback;
}

std::string times_ranks(std::int64_t batch, std::int64_t ranks) {
  return std::to_string(batch) + (ranks == 1 ? "" : " x " + std::to_string(ranks) + " ranks");
}

int run_train(po::variables_map vm, bool finetune) {
  namespace fs = std::filesystem;
  set_text_defaults(vm);
  TrainOptions train_opts = read_training_options(vm);
  train_opts.run_options = effective_options(vm);
  // Data-parallel: every rank runs this command; rank 0 alone locks, deletes, writes and prints.
  const LaunchInfo launch = launch_info();
  const bool distributed = launch.size > 1 || vm["distributed"].as<bool>();
  if (distributed && !mpi_built())
    throw UsageError((vm["distributed"].as<bool>() ? std::string("--distributed") : "mpirun -np " + std::to_string(launch.size)) +
                     ": this heed was built without MPI (install libopenmpi-dev and build with -DHEED_MPI=ON)");
  const bool writer = launch.rank == 0;
  const std::int64_t ranks = launch.size;
  train_opts.run_options["ranks"] = ranks;
  DataSource source;
  const bool text = vm.count("text") > 0;
  if (text) {
    source.tsv = vm["text"].as<std::string>();  // names the run's data, as a TSV's path does
  } else if (!finetune && vm.count("task")) {
    if (vm.count("train")) throw UsageError("give --task or --train, not both");
    source.task = vm["task"].as<std::string>();
    source.task_options.seed = train_opts.seed;
    source.task_options.min_len = int(vm["min-length"].as<long long>());
    source.task_options.max_len = int(vm["max-length"].as<long long>());
    source.task_options.train_size = std::size_t(vm["task-size"].as<long long>());
  } else if (vm.count("train")) {
    source.tsv = vm["train"].as<std::string>();
  } else {
    throw UsageError(finetune ? "--train FILE.tsv (or --text FILE for a language model) is required"
                              : "give --task NAME or --train FILE.tsv (or --arch lm --text FILE)");
  }
  // Before the data is read (a second run stops at once) and before anything in the save-dir is
  // read, deleted or written.
  std::optional<SaveDirLock> lock;
  if (writer) lock.emplace(train_opts.save_dir);
  std::vector<Example> train, valid;
  std::vector<std::string> train_text, valid_text;
  try {
    if (text) {
      train_text = read_text_file(source.tsv);
      if (vm.count("valid-text")) valid_text = read_text_file(vm["valid-text"].as<std::string>());
    } else {
      train = load_examples(source, "train");
      if (vm.count("valid")) valid = load_examples(DataSource{"", vm["valid"].as<std::string>(), {}}, "valid");
      else if (!source.task.empty()) valid = load_examples(source, "valid");
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  train_opts.data = text ? fingerprint(train_text) : fingerprint(train);

  const std::string save_dir = train_opts.save_dir;
  const std::string last = save_dir + "/checkpoint_last.h5";
  // --overwrite: a run already in save_dir is neither resumed nor kept; its files are deleted
  // only once everything below has been checked, just before training starts.
  const bool overwrite = vm.count("overwrite") > 0;  // never from an INI file (see parse)
  const std::vector<std::string> run_files = {"checkpoint_last.h5", "checkpoint_best.h5", "checkpoint_last.h5.prev",
                                              "checkpoint_best.h5.prev", "metrics.csv"};
  if (overwrite && finetune)
    for (const std::string& name : run_files)
      if (fs::exists(save_dir + "/" + name) && fs::equivalent(vm["from"].as<std::string>(), save_dir + "/" + name))
        throw UsageError("--from " + vm["from"].as<std::string>() + " is a file --overwrite would delete; copy it " +
                         "out of --save-dir first");
  // The checkpoint the run starts from, read once: the same command again continues where
  // checkpoint_last.h5 stopped; finetune starts from --from's weights.
  std::optional<Checkpoint> checkpoint;
  StartFrom start;
  const bool resume = !overwrite && fs::exists(last);
  if (resume) {
    try {
      checkpoint = read_checkpoint(last);
    } catch (const std::runtime_error& e) {
      if (!fs::exists(last + ".prev")) throw;
      throw std::runtime_error(std::string(e.what()) + "; the checkpoint before it is " + last + ".prev: copy it " +
                               "over checkpoint_last.h5 to resume from there");
    }
    std::error_code same_file_error;
    const bool same_file = !source.tsv.empty() && fs::equivalent(checkpoint->train.task, source.tsv, same_file_error);
    if (checkpoint->train.task != source.describe() && !same_file)
      throw UsageError(last + " is a run on " + checkpoint->train.task + ", not " + source.describe() +
                       "; give another --save-dir, or --overwrite to start afresh");
    if (!finetune) {
      check_same_model(vm, checkpoint->config, last);
      check_same_tokenizer(vm, checkpoint->vocab, last);
    }
    // The stored batch order and position only mean something for the same pairs.
    if (const DataFingerprint& now = train_opts.data; !checkpoint->train.data.hash.empty() && checkpoint->train.data != now) {
      const std::string unit = text ? " lines" : " pairs";
      std::string counts = std::to_string(checkpoint->train.data.size) + unit + " then, " + std::to_string(now.size) + " now";
      if (now.size == checkpoint->train.data.size) counts += ", changed";
      throw UsageError(source.describe() + " is not the data " + last + " was trained on (" + counts +
                       "): a resume needs the same data; restore it, train on the new data with heed finetune --from " +
                       last + ", or give --overwrite to start afresh");
    }
    // ... and the stored position counts global batches of the run's size (--batch-size x ranks):
    // another rank count may resume when the product stays.
    const std::int64_t was_batch = option_int(checkpoint->train.run_options, "batch-size", 0),
                       was_ranks = option_int(checkpoint->train.run_options, "ranks", 1),
                       batch = std::int64_t(train_opts.batch_size);
    if (was_batch != 0 && was_batch * was_ranks != batch * ranks) {
      const std::string was = times_ranks(was_batch, was_ranks);
      const bool divides = (was_batch * was_ranks) % ranks == 0;
      throw UsageError("--batch-size " + times_ranks(batch, ranks) + " differs from " + was + ", with which " + last +
                       " was trained: a resume continues its batch order; give --batch-size " +
                       (divides ? std::to_string(was_batch * was_ranks / ranks) : was + " (" + std::to_string(was_ranks) + " ranks)") +
                       ", train on with heed finetune --from " + last + ", or give --overwrite to start afresh");
    }
    if (!finetune) check_same_vocabulary_options(vm, checkpoint->train.run_options, last);
    start = StartFrom{.checkpoint = &*checkpoint,
                      .optimizer_state = checkpoint->has_optimizer && !vm["reset-optimizer"].as<bool>(),
                      .training_state = true};
    // The run keeps ranking by its own metric (files without /train/valid_metric ranked by BLEU)
    // unless --valid-metric says otherwise; the trainer then starts the ranking again.
    if (vm["valid-metric"].defaulted())
      train_opts.policy.metric = read_valid_metric(checkpoint->train.valid_metric, last + ": /train/valid_metric");
  } else if (finetune) {
    checkpoint = read_checkpoint(vm["from"].as<std::string>());
    start = StartFrom{.checkpoint = &*checkpoint,
                      .optimizer_state = !vm["reset-optimizer"].as<bool>() && checkpoint->has_optimizer};
  }
  std::unique_ptr<Preprocessor> pre;
  std::unique_ptr<Seq2SeqModel> model;
  if (checkpoint) {
    pre = std::make_unique<Preprocessor>(Preprocessor::from_state(checkpoint->vocab));
    model = make_model(checkpoint->config);
  } else if (text) {
    try {
      pre = std::make_unique<Preprocessor>(build_text_preprocessor(train_text, read_tokenizer_options(vm),
                                                                   std::size_t(vm["min-freq"].as<long long>())));
    } catch (const std::invalid_argument& e) {  // a SentencePiece model that cannot be trained on this text
      throw UsageError(e.what());
    }
    ModelConfig config = read_model_config(vm);
    config.src_vocab_size = config.tgt_vocab_size = Index(pre->tgt_vocab().size());
    config.max_len = Index(vm["context"].as<long long>());
    config.seed = train_opts.seed;
    model = make_model(config);
  } else {
    try {
      pre = std::make_unique<Preprocessor>(Preprocessor::build(train, read_tokenizer_options(vm),
                                                               std::size_t(vm["min-freq"].as<long long>()),
                                                               vm["shared-vocab"].as<bool>()));
    } catch (const std::invalid_argument& e) {  // a SentencePiece model that cannot be trained on this data
      throw UsageError(e.what());
    }
    ModelConfig config = read_model_config(vm);
    config.src_vocab_size = Index(pre->src_vocab().size());
    config.tgt_vocab_size = Index(pre->tgt_vocab().size());
    config.seed = train_opts.seed;
    model = make_model(config);
  }
  if (finetune && vm.count("freeze")) train_opts.freeze = vm["freeze"].as<std::vector<std::string>>();
  const bool lm = model->config().arch == Arch::Lm;
  if (lm && !text) throw UsageError((checkpoint ? checkpoint->path : std::string("--arch lm")) + " is a language model: give --text FILE");
  if (!lm && text)
    throw UsageError("--text: " + (checkpoint ? checkpoint->path : std::string("the model")) + " is a " +
                     arch_name(model->config().arch) + " model, not a language model (--arch lm)");
  const Index context = model->config().max_len;  // an lm's window
  if (lm && resume && vm.count("context") && !vm["context"].defaulted() && vm["context"].as<long long>() != context)
    throw UsageError("--context " + std::to_string(vm["context"].as<long long>()) + " differs from " +
                     std::to_string(context) + " in " + last + ", the run this command would resume; give another " +
                     "--save-dir, or --overwrite to start afresh");
  TokenStream train_stream, valid_stream;
  if (lm) {
    train_stream = encode_text(*pre, train_text);
    valid_stream = encode_text(*pre, valid_text);
    if (train_stream.ids.size() < std::size_t(context) + 1)
      throw UsageError(source.tsv + ": " + std::to_string(train_stream.ids.size()) + " tokens (line ends included), " +
                       "fewer than the " + std::to_string(context + 1) + " of one window (--context + 1)");
  } else {
    check_lengths(pre->encode(train), model->config().max_len, source.describe());
    // validation pairs too: found now, not at the first validation with the steps before it unsaved
    check_lengths(pre->encode(valid), model->config().max_len, vm.count("valid") ? vm["valid"].as<std::string>() : "validation data");
  }
  if (start.optimizer_state && checkpoint->optimizer != optimizer_name(train_opts.optimizer.kind))
    throw UsageError("--optimizer " + optimizer_name(train_opts.optimizer.kind) + " differs from " +
                     checkpoint->optimizer + ", whose state " + checkpoint->path + " holds; add --reset-optimizer " +
                     "to start fresh moments" + (resume ? ", or --overwrite to start afresh" : ""));
  // MPI starts once every check has passed on every rank (a refused command ends each rank alike).
  std::unique_ptr<Communicator> communicator;
  if (distributed) {
    communicator = start_mpi();
    train_opts.communicator = communicator.get();
  }
  std::unique_ptr<Trainer> made;
  try {
    made = lm ? std::make_unique<Trainer>(*model, *pre, train_stream, valid_stream, context, train_opts,
                                          source.describe(), start)
              : std::make_unique<Trainer>(*model, *pre, train, valid, train_opts, source.describe(), start);
  } catch (const std::invalid_argument& e) {  // --freeze matching nothing, or everything
    throw UsageError(e.what());
  }
  Trainer& trainer = *made;
  // Every check has passed: what the run starts with, then what to beware of.
  const bool quiet = train_opts.quiet || !writer;  // the other ranks print errors only
  if (!resume && !quiet)
    std::cerr << "model: " << arch_name(model->config().arch) << ", " << model->parameter_count()
              << " parameters, vocabularies " << pre->src_vocab().size() << " / " << pre->tgt_vocab().size() << " ("
              << pre->tokenizer().type() << "), "
              << (lm ? std::to_string(train_stream.predicted()) + " tokens of text (line ends included), context " +
                           std::to_string(context)
                     : std::to_string(train.size()) + " training pairs")
              << "\n";
  const std::string vocabulary = checkpoint ? "the checkpoint's vocabulary" : "the vocabulary made from --train";
  if (finetune && lm) {
    const UnknownTokens unknown{train_stream.unknown, train_stream.predicted()};
    if (writer && (unknown.unknown > 0 || !quiet)) std::cerr << "fine-tuning text: " << unknown.describe(vocabulary) << "\n";
  } else if (finetune) {
    const UnknownTokens unknown = count_unknown(*pre, train, /*targets_only=*/false);
    if (writer && (unknown.unknown > 0 || !quiet)) std::cerr << "fine-tuning data: " << unknown.describe(vocabulary) << "\n";
  }
  if (const UnknownTokens unknown = lm ? UnknownTokens{valid_stream.unknown, valid_stream.predicted()}
                                        : count_unknown(*pre, valid, /*targets_only=*/true);
      writer && unknown.mostly())
    std::cerr << "warning: validation targets: " << unknown.describe(vocabulary)
              << "; exact match, BLEU and chrF cannot rise far (see --min-freq, --tokenizer)\n";
  if (resume && !quiet) {
    std::cerr << "resuming from " << last << " at step " << checkpoint->train.step;
    if (checkpoint->train.step >= train_opts.steps)  // else it ends at once, silently
      std::cerr << ": --steps " << train_opts.steps << " already reached, nothing to train (a larger --steps "
                << "trains on; --overwrite starts again)";
    std::cerr << "\n";
  }
  checkpoint.reset();  // its arrays are in the model and optimizer now
  if (overwrite && writer)
    for (const std::string& name : run_files) fs::remove(save_dir + "/" + name);
  const TrainOutcome outcome = trainer.run();
  // Why a run ended before --steps is said even when quiet: a script sees the exit status, a person the reason.
  if (outcome.reason != StopReason::Finished && writer)
    std::cerr << "stopped at step " << outcome.steps_done << ": " << outcome.stop_message << "\n";
  if (!quiet) {
    std::string written;
    for (const char* name : {"checkpoint_last.h5", "checkpoint_best.h5", "metrics.csv"})
      if (fs::exists(save_dir + "/" + name)) written += (written.empty() ? "" : ", ") + std::string(name);
    std::cerr << "in " << save_dir << "/: " << (written.empty() ? "nothing written" : written) << "\n";
  }
  if (outcome.reason == StopReason::Diverged) return 1;
  if (outcome.reason == StopReason::Interrupted) return 128 + outcome.signal;
  return 0;
}

}  // namespace

Command parse_train(const std::vector<std::string>& args, bool finetune) {
  const std::string command = finetune ? "finetune" : "train";
  po::options_description options = common_options();
  options.add(data_options(finetune)).add(training_options());
  if (finetune) {
    po::options_description f("Fine-tuning");
    f.add_options()("from", po::value<std::string>()->required(), "the checkpoint to start from")(
        "freeze", po::value<std::vector<std::string>>()->composing(),
        "keep parameters matching this glob fixed (repeatable), e.g. 'encoder.*'");
    options.add(f);
  } else {
    options.add(model_options()).add(tokenizer_options());
  }
  po::variables_map vm;
  const std::string usage =
      finetune ? "--from CKPT.h5 (--train FILE.tsv | --text FILE) --save-dir DIR [options]"
               : "(--task NAME | --train FILE.tsv [--valid FILE.tsv] | --arch lm --text FILE [--valid-text FILE]) "
                 "--save-dir DIR [options]";
  // --dump-config of a command that would resume shows the model the checkpoint holds
  const BeforeDump resumed_model = [finetune](po::variables_map& v) -> std::string {
    set_text_defaults(v);
    if (finetune || v.count("overwrite") || !v.count("save-dir")) return "";
    const std::string last = v["save-dir"].as<std::string>() + "/checkpoint_last.h5";
    if (!std::filesystem::exists(last)) return "";
    const Checkpoint checkpoint = read_checkpoint(last);
    take_model_options_from(v, checkpoint.config);
    if (checkpoint.config.arch == Arch::Lm) v.at("context").value() = static_cast<long long>(checkpoint.config.max_len);
    take_tokenizer_options_from(v, checkpoint.vocab);
    return "# model and tokenizer options: those of " + last + ", the run this command resumes\n";
  };
  if (!parse(command, usage, options, args, vm, resumed_model)) return {};
  read_training_options(vm);  // range checks now, before anything is set up or created
  check_data_options(vm, finetune);
  if (!finetune && vm["tie-embeddings"].as<std::string>() == "all" && !vm["shared-vocab"].as<bool>() && !vm.count("text"))
    throw UsageError("--tie-embeddings all shares the source embedding too, which needs one vocabulary: add --shared-vocab");
  set_text_defaults(vm);  // refuses --valid-metric other than loss now
  return Command{.process = {.threads = int(checked_int(vm, "threads", 0)), .graceful_stop = true},
                 .run = [vm, finetune] { return run_train(vm, finetune); }};
}

}  // namespace heed::cli
