// The training loop.
#include "train/loop/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "train/loop/metrics_log.h"
#include "layers/number_text.h"

HEED_NAMESPACE_BEGIN

bool glob_match(const std::string& pattern, const std::string& name) {
  std::size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p, ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++, mark = n;
    } else if (star != std::string::npos) {
      p = star + 1, n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> parameter_name_patterns(const Module& model) {
  std::vector<std::string> patterns;
  for (const Parameter& p : model.parameters()) {
    std::string pattern;  // each dot-separated part that is a number becomes '*'
    std::size_t begin = 0;
    while (begin <= p.name.size()) {
      const std::size_t end = std::min(p.name.find('.', begin), p.name.size());
      const std::string part = p.name.substr(begin, end - begin);
      const bool number = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
      pattern += (begin == 0 ? "" : ".") + (number ? std::string("*") : part);
      begin = end + 1;
    }
    if (std::find(patterns.begin(), patterns.end(), pattern) == patterns.end()) patterns.push_back(pattern);
  }
  return patterns;
}

std::vector<Parameter> trainable_parameters(const Module& model, const std::vector<std::string>& freeze) {
  const std::vector<Parameter> all = model.parameters();
  for (const std::string& g : freeze)
    if (std::none_of(all.begin(), all.end(), [&](const Parameter& p) { return glob_match(g, p.name); })) {
      std::string names;
      for (const std::string& n : parameter_name_patterns(model)) names += (names.empty() ? "" : " ") + n;
      throw std::invalid_argument("--freeze '" + g + "' matches no parameter; the names ('*' for a layer number): " +
                                  names);
    }
  std::vector<Parameter> out;
  for (const Parameter& p : all) {
    bool frozen = false;
    for (const std::string& g : freeze) frozen = frozen || glob_match(g, p.name);
    p.tensor.set_requires_grad(!frozen);
    if (!frozen) out.push_back(p);
  }
  if (out.empty()) {
    std::string given;
    for (const std::string& g : freeze) given += (given.empty() ? "'" : " '") + g + "'";
    throw std::invalid_argument("--freeze " + given + " freezes all " + std::to_string(all.size()) +
                                " parameters: nothing is left to train");
  }
  return out;
}

namespace {

Shard shard_of(const TrainOptions& o) {
  return o.communicator ? Shard{o.communicator->rank(), o.communicator->size()} : Shard{};
}

}  // namespace

Trainer::Trainer(Seq2SeqModel& model, Preprocessor pre, std::vector<Example> train, std::vector<Example> valid,
                 TrainOptions options, std::string data_name, StartFrom start)
    : Trainer(model, std::move(pre),
              [&](const Preprocessor& p, const TrainOptions& o) {
                return pair_data(p, train, std::move(valid), o.batch_size, o.seed, shard_of(o));
              },
              std::move(options), std::move(data_name), start) {}

Trainer::Trainer(Seq2SeqModel& model, Preprocessor pre, TokenStream train, TokenStream valid, Index context,
                 TrainOptions options, std::string data_name, StartFrom start)
    : Trainer(model, std::move(pre),
              [&](const Preprocessor&, const TrainOptions& o) {
                return text_data(std::move(train), std::move(valid), context, o.batch_size, o.seed, shard_of(o));
              },
              std::move(options), std::move(data_name), start) {}

Trainer::Trainer(Seq2SeqModel& model, Preprocessor pre, const MakeData& make_data, TrainOptions options,
                 std::string data_name, StartFrom start)
    : model_(model),
      pre_(std::move(pre)),
      options_(std::move(options)),
      comm_(options_.communicator ? *options_.communicator : one_process_),
      data_(make_data(pre_, options_)),
      data_name_(std::move(data_name)),
      trainable_(trainable_parameters(model, options_.freeze)),
      optimizer_(trainable_, options_.optimizer),
      gradient_sync_(comm_) {
  state_.valid_metric = valid_metric_name(options_.policy.metric);
  state_.best_metric = options_.policy.worst();
  state_.run_options = options_.run_options;
  state_.data = options_.data;
  shared_dropout_.set_state(model_.dropout_rng().state());
  if (!start.checkpoint) return;
  load_weights(*start.checkpoint, model_);
  if (start.optimizer_state) load_optimizer_state(*start.checkpoint, optimizer_);
  if (start.training_state) {
    state_ = start.checkpoint->train;
    if (state_.data_position.size() == 2)
      data_->set_position({state_.data_position[0], std::size_t(state_.data_position[1])});
    if (state_.step > 0) model_.dropout_rng().set_state(state_.dropout_rng);
    shared_dropout_.set_state(model_.dropout_rng().state());
    elapsed_before_ = state_.elapsed_s;
    state_.run_options = options_.run_options;  // the file records the run that writes it
    state_.data = options_.data;  // (the command checked it is the file's, where the file has one)
    // Another metric than the run ranked by so far: its best value means nothing now, so the
    // ranking starts again (the next validation becomes the best).
    if (const std::string metric = valid_metric_name(options_.policy.metric); state_.valid_metric != metric) {
      ranking_restarted_ = "--valid-metric " + metric + ": the run ranked checkpoints by " + state_.valid_metric +
                           " until step " + std::to_string(state_.step) + "; the next validation starts the ranking by " +
                           metric;
      state_.valid_metric = metric;
      state_.best_metric = options_.policy.worst();
      state_.evals_without_improvement = 0;
    }
  }
}

std::size_t Trainer::valid_count() const {
  const std::size_t size = data_->valid_size();
  return options_.valid_limit == 0 ? size : std::min(size, options_.valid_limit);
}

bool Trainer::has_ranked_best() const {
  return state_.best_metric != options_.policy.worst() && std::filesystem::exists(path("checkpoint_best.h5"));
}

double Trainer::elapsed() const {
  return elapsed_before_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void Trainer::announce(Progress& progress) const {
  if (!ranking_restarted_.empty()) progress.line(ranking_restarted_);  // a change of behaviour: said even when quiet
  if (options_.quiet) return;
  const std::size_t size = data_->valid_size();
  const std::string unit = data_->valid_unit(), none = "no validation data (" + data_->valid_option() + "): ";
  if (size == 0) {
    progress.line(has_ranked_best() ? none + "checkpoint_best.h5, ranked by " + state_.valid_metric +
                                          " earlier in this run, is kept as it is"
                                    : none + "checkpoint_best.h5 will be the latest checkpoint");
  } else {
    const std::size_t used = valid_count();
    progress.line("validation: " + (used == size ? "all " + std::to_string(used) + " " + unit
                                                 : "the first " + std::to_string(used) + " of " + std::to_string(size) +
                                                       " " + unit + " (--valid-size)") +
                  "; checkpoint_best.h5 by " + valid_metric_name(options_.policy.metric) + " (" +
                  (options_.policy.lower_is_better() ? "lower" : "higher") + " is better)");
  }
  if (comm_.size() > 1) {
    const std::size_t global = options_.batch_size * std::size_t(comm_.size());
    progress.line("data-parallel over " + std::to_string(comm_.size()) + " ranks: --batch-size " +
                  std::to_string(options_.batch_size) + " per rank, an effective batch of " + std::to_string(global) +
                  (options_.accumulate > 1 ? " x " + std::to_string(options_.accumulate) + " accumulated" : "") +
                  " per step");
  }
  if (options_.label_smoothing > 0)
    progress.line("train loss includes label smoothing " + format_number(options_.label_smoothing) +
                  " (what is minimised); valid loss does not");
}

// Forward, loss and backward over --accumulate micro-batches, the ranks' gradients summed,
// clipping, then one update.
Trainer::StepStats Trainer::train_step(double lr) {
  Tape& tape = Tape::current();
  model_.zero_grad();
  if (comm_.size() > 1) model_.dropout_rng().reseed(shared_dropout_.next() + std::uint64_t(comm_.rank()));
  StepStats stats;
  // Per micro-batch, over all ranks: the loss summed over target tokens, and the tokens.
  std::vector<double> loss_sums(std::size_t(options_.accumulate), 0.0), tokens(loss_sums.size(), 0.0);
  for (std::size_t micro = 0; micro < loss_sums.size(); ++micro) {
    const Seq2SeqBatch batch = data_->next_batch();  // this rank's share
    std::size_t mine = 0;
    for (std::int32_t t : batch.tgt_out) mine += t != 0;
    tokens[micro] = double(mine);
    comm_.sum(&tokens[micro], 1);
    if (mine == 0) continue;  // an empty share: this rank adds nothing but still takes part in the sums
    const Tensor loss = cross_entropy(model_.forward(batch), batch.tgt_out,
                                      {.label_smoothing = Scalar(options_.label_smoothing)});
    // The global batch's loss is the mean over all its tokens, as in one process: this rank's
    // mean counts by its share of them (1 in one process).
    const Scalar weight = Scalar(double(mine) / tokens[micro]) / Scalar(options_.accumulate);
    tape.backward(weight == 1 ? loss : loss * weight);
    tape.clear();
    loss_sums[micro] = double(loss.item()) * double(mine);
  }
  comm_.sum(loss_sums.data(), loss_sums.size());
  double loss_sum = 0;
  for (std::size_t micro = 0; micro < loss_sums.size(); ++micro) {
    loss_sum += loss_sums[micro] / tokens[micro];
    stats.tokens += std::size_t(tokens[micro]);
  }
  stats.loss = loss_sum / options_.accumulate;
  gradient_sync_.sum(trainable_);
  const double norm = clip_grad_norm(trainable_, options_.clip_norm);
  stats.finite = std::isfinite(stats.loss) && std::isfinite(norm);
  if (stats.finite) optimizer_.step(lr);
  return stats;
}

bool Trainer::any_rank(bool value) {
  if (comm_.size() == 1) return value;
  double count = value ? 1 : 0;
  comm_.sum(&count, 1);
  return count > 0;
}

bool Trainer::rank0_says(bool value) {
  if (comm_.size() == 1) return value;
  double shared = value ? 1 : 0;
  comm_.broadcast(&shared, 1);
  return shared != 0;
}

void Trainer::check_ranks_agree() {
  if (comm_.size() == 1) return;
  // Ranks that read different checkpoints (a --save-dir that is not shared between the hosts)
  // would train apart without a word: compare the step and a sum of the weights with rank 0's.
  double mine[2] = {double(state_.step), 0.0};
  for (const Parameter& p : model_.parameters()) mine[1] += double(p.tensor.value().sum());
  double rank0[2] = {mine[0], mine[1]};
  comm_.broadcast(rank0, 2);
  if (any_rank(rank0[0] != mine[0] || rank0[1] != mine[1]))
    throw std::runtime_error("the ranks do not start from the same weights (rank " + std::to_string(comm_.rank()) +
                             " at step " + std::to_string(state_.step) + ", rank 0 at step " +
                             std::to_string((long long)rank0[0]) + "): every rank must read the same " +
                             options_.save_dir + " (a filesystem shared by the hosts)");
}

void Trainer::save(const std::string& name) {
  if (!writer()) return;
  const SamplerPosition pos = data_->position();
  state_.epoch = (long long)pos.epoch;
  state_.data_position = {pos.epoch, pos.batch};
  state_.dropout_rng = comm_.size() > 1 ? shared_dropout_.state() : model_.dropout_rng().state();
  state_.task = data_name_;
  state_.elapsed_s = elapsed();
  save_checkpoint(path(name), model_, pre_.state(), &optimizer_, state_);
}

EvalResult Trainer::validate() {
  last_eval_step_ = state_.step;
  if (data_->valid_size() == 0) {  // nothing to compare: the latest state stands in for the best,
    // unless an earlier part of the run ranked one by validation: that one is kept
    if (writer() && !has_ranked_best()) save("checkpoint_best.h5");
    return EvalResult{};
  }
  EvalResult r;
  if (writer()) {  // validation runs once, on rank 0
    r = data_->validate(model_, valid_count());
    const CheckpointPolicy& policy = options_.policy;
    const bool better = policy.improves(r, state_.best_metric) || !std::filesystem::exists(path("checkpoint_best.h5"));
    if (better) {
      state_.best_metric = policy.value(r);
      state_.evals_without_improvement = 0;
      save("checkpoint_best.h5");
    } else {
      ++state_.evals_without_improvement;
    }
    if (!options_.quiet) progress_->line("step " + std::to_string(state_.step) + "  valid " + r.summary() + (better ? "  (best)" : ""));
  }
  if (comm_.size() > 1) {  // the other ranks wait here for what --patience and their state need
    double ranking[2] = {state_.best_metric, double(state_.evals_without_improvement)};
    comm_.broadcast(ranking, 2);
    state_.best_metric = ranking[0];
    state_.evals_without_improvement = (long long)ranking[1];
  }
  return r;
}

TrainOutcome Trainer::run() {
  if (writer()) std::filesystem::create_directories(options_.save_dir);
  check_ranks_agree();
  std::optional<MetricsLog> metrics;  // rank 0's
  if (writer()) metrics.emplace(path("metrics.csv"), state_.step);
  Progress progress(options_.steps, state_.step, options_.quiet, /*silent=*/!writer());
  progress_ = &progress;
  last_eval_step_ = state_.step;
  announce(progress);
  started_ = std::chrono::steady_clock::now();
  // This invocation's time (throughput, ETA, --time-limit); elapsed() is the whole run's.
  auto this_run = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(); };
  // Loss and throughput over a window of up to 100 steps, for the progress line.
  double window_loss = 0, window_tokens = 0, window_start = 0;
  long long window_steps = 0, last_save = state_.step;
  double step_seconds = 0;  // in train_step: forward, backward, the gradient exchange, the update
  int bad_in_a_row = 0;
  TrainOutcome outcome;

  while (state_.step < options_.steps) {
    // Also a signal during setup: no step is taken after it. A signal seen by any rank stops all
    // of them before the same step.
    if (const std::vector<double> signals = comm_.gather(double(stop_signal()));
        std::any_of(signals.begin(), signals.end(), [](double s) { return s != 0; })) {
      outcome.reason = StopReason::Interrupted;
      outcome.signal = int(*std::find_if(signals.begin(), signals.end(), [](double s) { return s != 0; }));
      break;
    }
    const double lr = options_.schedule.rate(options_.optimizer.lr, state_.step + 1);
    const double step_began = this_run();
    const StepStats stats = train_step(lr);
    step_seconds += this_run() - step_began;
    if (!stats.finite) {  // skipped: the weights are as before the step
      ++bad_in_a_row;
      progress.line("step " + std::to_string(state_.step + 1) + ": non-finite loss or gradient, step skipped (" +
                    std::to_string(bad_in_a_row) + " in a row)");
      if (bad_in_a_row >= options_.max_bad_steps) {
        outcome.reason = StopReason::Diverged;
        break;
      }
      continue;
    }
    bad_in_a_row = 0;
    ++state_.step;
    window_loss += stats.loss, window_tokens += double(stats.tokens), ++window_steps;
    const double now = this_run(), tokens_per_s = window_tokens / std::max(1e-9, now - window_start);
    progress.step(state_.step, window_loss / double(window_steps), lr, tokens_per_s, now);
    if (state_.step % 100 == 0) window_loss = window_tokens = 0, window_steps = 0, window_start = now;

    // The run's last step validates here, whatever --eval-every says, so that its row holds it.
    // (rank 0's clock decides for all)
    const bool out_of_time = options_.time_limit_minutes > 0 && rank0_says(now > 60 * options_.time_limit_minutes);
    const bool last_step = state_.step >= options_.steps || out_of_time;
    MetricsRow row{.step = state_.step, .epoch = (long long)data_->position().epoch, .lr = lr,
                   .train_loss = stats.loss, .tokens_per_s = tokens_per_s, .elapsed_s = elapsed()};
    if (options_.policy.eval_due(state_.step) || last_step) {
      outcome.last_eval = validate();
      row.validated = data_->valid_size() > 0;
      row.translation_metrics = !outcome.last_eval.language_model;
      const EvalResult& v = outcome.last_eval;
      row.valid_loss = v.loss, row.valid_exact_match = v.exact_match, row.valid_bleu = v.bleu;
      row.valid_chrf = v.chrf, row.valid_token_acc = v.token_accuracy;
      row.elapsed_s = elapsed();
    }
    if (metrics) metrics->append(row);
    if (options_.policy.save_due(state_.step)) {
      save("checkpoint_last.h5");
      last_save = state_.step;
    }
    if (options_.patience > 0 && row.validated && state_.evals_without_improvement >= options_.patience) {
      outcome.reason = StopReason::EarlyStop;
      break;
    }
    if (out_of_time) {
      outcome.reason = StopReason::TimeLimit;
      break;
    }
  }
  progress.finish();
  if (comm_.size() > 1 && !options_.quiet && step_seconds > 0)
    progress.line("gradient exchange: " + format_number(std::round(100 * gradient_sync_.seconds() / step_seconds)) +
                  "% of the time in training steps, waits for slower ranks included (rank 0)");
  // The state the run reached is saved (but a diverged one). Asked to stop by a signal, heed saves
  // at once and does not validate: a scheduler's grace period is short, and an extra validation
  // would change the best-metric counters that exact resume carries.
  if (outcome.reason == StopReason::Interrupted) {
    if (last_save != state_.step || !std::filesystem::exists(path("checkpoint_last.h5"))) save("checkpoint_last.h5");
  } else if (outcome.reason != StopReason::Diverged) {
    // A run resumed at its last step takes no step: validate only when checkpoint_best.h5 is missing.
    if (rank0_says(last_eval_step_ != state_.step || !std::filesystem::exists(path("checkpoint_best.h5"))))
      outcome.last_eval = validate();
    if (last_save != state_.step || !std::filesystem::exists(path("checkpoint_last.h5"))) save("checkpoint_last.h5");
  }
  // The other ranks wait until rank 0 has saved: one that exits first with 128+signal would have
  // mpirun end the job, rank 0 and its save with it.
  rank0_says(true);
  progress_ = nullptr;
  outcome.steps_done = state_.step;
  outcome.stop_message = describe(outcome.reason, options_.time_limit_minutes, options_.patience, bad_in_a_row);
  return outcome;
}

HEED_NAMESPACE_END
