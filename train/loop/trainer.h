// The training loop: batches, loss, backward, clipping, optimizer and schedule; validation,
// checkpoints (last and best), metrics.csv, progress, time limit, exact resume. It trains any
// Seq2SeqModel without knowing its family. Data-parallel (TrainOptions::communicator): every rank
// runs this loop on its share of each batch; the gradients are summed before clipping, so every
// rank takes the same step; rank 0 alone validates and writes files, and tells the others what
// they need to stay in step (the best metric, when to stop).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/batching.h"
#include "data/token_stream.h"
#include "train/checkpoint/checkpoint_io.h"
#include "train/loop/checkpoint_policy.h"
#include "train/loop/communicator.h"
#include "train/loop/gradient_sync.h"
#include "train/loop/progress.h"
#include "train/loop/stop.h"
#include "train/loop/training_data.h"
#include "train/optim/lr_schedule.h"
#include "train/optim/optimizer.h"

HEED_NAMESPACE_BEGIN

struct TrainOptions {
  long long steps = 4000;        // total optimizer steps of the run (resume stops at the same total)
  std::size_t batch_size = 64;   // sentences (a language model: windows) per micro-batch, per rank
  int accumulate = 1;            // micro-batches per optimizer step
  OptimizerConfig optimizer;
  LrSchedule schedule;
  double clip_norm = 1.0;        // global gradient norm; 0 = off
  double label_smoothing = 0.1;
  CheckpointPolicy policy;
  int patience = 0;              // stop after this many evaluations without improvement; 0 = never
  double time_limit_minutes = 0; // 0 = none; else save and stop after this much wall time
  int max_bad_steps = 5;         // stop after this many non-finite steps in a row
  std::size_t valid_limit = 0;   // the first N validation pairs are evaluated each time; 0 = all
  std::uint64_t seed = 1;
  std::string save_dir;
  std::vector<std::string> freeze;  // glob patterns of parameter names kept fixed
  bool quiet = false;            // no progress output: only warnings and why a run stopped early
  std::map<std::string, AttrValue> run_options;  // the command's options, recorded in checkpoints
  DataFingerprint data;  // of the training data, recorded in checkpoints for resume's check (empty: none)
  Communicator* communicator = nullptr;  // the ranks of a data-parallel run; null: one process
};

// What the run starts from besides fresh weights: a checkpoint read once by the caller.
struct StartFrom {
  const Checkpoint* checkpoint = nullptr;  // its weights are loaded (strictly)
  bool optimizer_state = false;            // and its optimizer moments (resume, fine-tuning)
  bool training_state = false;             // and its step, data position and dropout stream (resume)
};

struct TrainOutcome {
  long long steps_done = 0;  // the optimizer step reached
  StopReason reason = StopReason::Finished;
  std::string stop_message;  // describe(reason, ...)
  int signal = 0;            // Interrupted: the signal (seen by this process or, data-parallel, by another rank)
  EvalResult last_eval;
};

class Trainer {
 public:
  // An encoder-decoder on sentence pairs.
  Trainer(Seq2SeqModel& model, Preprocessor pre, std::vector<Example> train, std::vector<Example> valid,
          TrainOptions options, std::string data_name, StartFrom start = {});
  // A language model on a text, in windows of `context` tokens.
  Trainer(Seq2SeqModel& model, Preprocessor pre, TokenStream train, TokenStream valid, Index context,
          TrainOptions options, std::string data_name, StartFrom start = {});

  TrainOutcome run();

 private:
  struct StepStats {
    double loss = 0;
    std::size_t tokens = 0;
    bool finite = true;
  };
  using MakeData = std::function<std::unique_ptr<TrainingData>(const Preprocessor&, const TrainOptions&)>;
  Trainer(Seq2SeqModel& model, Preprocessor pre, const MakeData& make_data, TrainOptions options, std::string data_name,
          StartFrom start);
  StepStats train_step(double lr);
  // Validates, saves checkpoint_best.h5 when it improves, and says so.
  EvalResult validate();
  void save(const std::string& name);
  // Wall time of the whole run: what earlier invocations spent (up to the checkpoint resumed
  // from) and this one's.
  double elapsed() const;
  // The validation pairs evaluated each time: the first --valid-size, or all.
  std::size_t valid_count() const;
  // Whether checkpoint_best.h5 holds a model ranked by validation (earlier in this run).
  bool has_ranked_best() const;
  // What the run starts with, said once above the progress: validation size and metric.
  void announce(Progress& progress) const;
  std::string path(const std::string& name) const { return options_.save_dir + "/" + name; }
  // Rank 0 writes files and prints; in one process that is the process.
  bool writer() const { return comm_.rank() == 0; }
  // Whether any rank says so: decisions every rank must take together (a signal seen by one).
  bool any_rank(bool value);
  // Rank 0's value on every rank: decisions that read rank 0's files or clock.
  bool rank0_says(bool value);
  // Throws when the ranks do not start from the same step and weights.
  void check_ranks_agree();

  Seq2SeqModel& model_;
  Preprocessor pre_;
  TrainOptions options_;
  Communicator one_process_;
  Communicator& comm_;
  std::unique_ptr<TrainingData> data_;
  TrainingState state_;
  std::string data_name_;
  std::vector<Parameter> trainable_;
  Optimizer optimizer_;
  GradientSync gradient_sync_;
  // With several ranks: the stream each step's dropout seeds come from, the same on every rank
  // (and what a checkpoint saves); each rank then draws its own masks from (step seed, rank), so
  // that ranks do not drop the same positions of different sentences.
  Rng shared_dropout_;
  Progress* progress_ = nullptr;  // while run() runs
  long long last_eval_step_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  double elapsed_before_ = 0;
  std::string ranking_restarted_;  // why the best-so-far was reset on resume, if it was
};

// The parameters not matched by any glob in `freeze` (set to require grad; the others not).
// Throws std::invalid_argument naming --freeze when a pattern matches no parameter (listing the
// names, layer numbers as '*') or when nothing would be left to train.
std::vector<Parameter> trainable_parameters(const Module& model, const std::vector<std::string>& freeze);
// The parameter names with every layer number replaced by '*', each once: "encoder.layers.*.ff1.weight".
std::vector<std::string> parameter_name_patterns(const Module& model);
// True when `name` matches the glob `pattern` ('*' any run of characters, '?' one character).
bool glob_match(const std::string& pattern, const std::string& name);

HEED_NAMESPACE_END
