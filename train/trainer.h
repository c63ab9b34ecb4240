// The training loop: batches, loss, backward, clipping, optimizer and schedule; evaluation,
// checkpoints (last and best), metrics.csv, progress, time limit, exact resume.
#pragma once

#include <string>
#include <vector>

#include "train/evaluate.h"
#include "train/lr_schedule.h"
#include "train/optimizer.h"

HEED_NAMESPACE_BEGIN

struct TrainOptions {
  long long steps = 4000;        // total optimizer steps of the run (resume stops at the same total)
  std::size_t batch_size = 64;   // sentences per micro-batch
  int accumulate = 1;            // micro-batches per optimizer step
  OptimizerConfig optimizer;
  LrSchedule schedule;
  double clip_norm = 1.0;        // global gradient norm; 0 = off
  double label_smoothing = 0.1;
  long long eval_every = 500;    // validate (and maybe save best) every N steps; 0 = only at the end
  long long save_every = 500;    // write checkpoint_last every N steps; 0 = only at the end
  int patience = 0;              // stop after this many evaluations without improvement; 0 = never
  double time_limit_minutes = 0; // 0 = none; else save and stop after this much wall time
  int max_bad_steps = 5;         // stop after this many non-finite steps in a row
  std::size_t valid_limit = 500; // sentences of the validation set decoded at each evaluation
  std::uint64_t seed = 1;
  std::string save_dir;
  std::vector<std::string> freeze;  // glob patterns of parameter names kept fixed
  bool quiet = false;            // no progress output
};

struct TrainOutcome {
  long long steps_done = 0;  // the optimizer step reached
  bool finished = false;     // reached the requested steps (not stopped by time, patience or divergence)
  std::string stop_reason;
  EvalResult last_eval;
};

class Trainer {
 public:
  // `state` holds the step, epoch, RNG and sampler position to start from (zero for a new run).
  Trainer(Transformer& model, Preprocessor pre, std::vector<Example> train, std::vector<Example> valid,
          TrainOptions options, TrainingState state, std::string data_name);

  Optimizer& optimizer() { return optimizer_; }
  TrainOutcome run();

 private:
  struct StepStats {
    double loss = 0;
    std::size_t tokens = 0;
    bool finite = true;
  };
  StepStats train_step(double lr);
  void save(const std::string& name);
  void log_metrics(const std::string& row);
  EvalResult validate();

  Transformer& model_;
  Preprocessor pre_;
  std::vector<Example> train_examples_, valid_examples_;
  std::vector<EncodedPair> train_pairs_;
  TrainOptions options_;
  TrainingState state_;
  std::string data_name_;
  std::vector<Parameter> trainable_;
  Optimizer optimizer_;
  BatchSampler sampler_;
};

// True when `name` matches the glob `pattern` ('*' any run of characters, '?' one character).
bool glob_match(const std::string& pattern, const std::string& name);

HEED_NAMESPACE_END
