// The training loop.
#include "train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "autograd/ops.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

std::string format_duration(double seconds) {
  const long long s = (long long)(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

// Keeps the lines of metrics.csv up to and including `step` (the rest came after the last save
// and will be written again by the resumed run), or starts the file with its header.
void prepare_metrics_file(const std::string& path, long long step, const std::string& header) {
  std::vector<std::string> kept;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (kept.empty()) {
      kept.push_back(header);
      continue;
    }
    if (std::stoll(line.substr(0, line.find(','))) <= step) kept.push_back(line);
  }
  if (kept.empty() || step == 0) kept = {header};
  std::ofstream out(path, std::ios::trunc);
  for (const std::string& l : kept) out << l << "\n";
}

}  // namespace

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

namespace {

std::vector<Parameter> trainable_parameters(const Transformer& model, const std::vector<std::string>& freeze) {
  std::vector<Parameter> out;
  for (const Parameter& p : model.parameters()) {
    bool frozen = false;
    for (const std::string& g : freeze) frozen = frozen || glob_match(g, p.name);
    p.tensor.set_requires_grad(!frozen);
    if (!frozen) out.push_back(p);
  }
  return out;
}

}  // namespace

Trainer::Trainer(Transformer& model, Preprocessor pre, std::vector<Example> train, std::vector<Example> valid,
                 TrainOptions options, TrainingState state, std::string data_name)
    : model_(model),
      pre_(std::move(pre)),
      train_examples_(std::move(train)),
      valid_examples_(std::move(valid)),
      train_pairs_(pre_.encode(train_examples_)),
      options_(std::move(options)),
      state_(std::move(state)),
      data_name_(std::move(data_name)),
      trainable_(trainable_parameters(model, options_.freeze)),
      optimizer_(trainable_, options_.optimizer),
      sampler_(train_pairs_, options_.batch_size, options_.seed) {
  if (!options_.freeze.empty() && trainable_.size() == model.parameters().size())
    throw std::invalid_argument("--freeze: no parameter name matches the given patterns");
  if (state_.data_position.size() == 2)
    sampler_.set_position({state_.data_position[0], std::size_t(state_.data_position[1])});
  if (state_.step > 0) model_.dropout_rng().set_state(state_.dropout_rng);
}

Trainer::StepStats Trainer::train_step(double lr) {
  Tape& tape = Tape::current();
  model_.zero_grad();
  StepStats stats;
  double loss_sum = 0;
  for (int micro = 0; micro < options_.accumulate; ++micro) {
    const Seq2SeqBatch batch = to_model_batch(make_batch(train_pairs_, sampler_.next()));
    const Tensor loss = cross_entropy(model_.forward(batch), batch.tgt_out,
                                      {.label_smoothing = Scalar(options_.label_smoothing)});
    tape.backward(options_.accumulate == 1 ? loss : loss * (Scalar(1) / Scalar(options_.accumulate)));
    tape.clear();
    loss_sum += double(loss.item());
    for (std::int32_t t : batch.tgt_out) stats.tokens += t != 0;
  }
  stats.loss = loss_sum / options_.accumulate;
  const double norm = clip_grad_norm(trainable_, options_.clip_norm);
  stats.finite = std::isfinite(stats.loss) && std::isfinite(norm);
  if (stats.finite) optimizer_.step(lr);
  return stats;
}

void Trainer::save(const std::string& name) {
  const auto pos = sampler_.position();
  state_.epoch = (long long)pos.epoch;
  state_.data_position = {pos.epoch, pos.batch};
  state_.dropout_rng = model_.dropout_rng().state();
  state_.task = data_name_;
  save_checkpoint(options_.save_dir + "/" + name, model_, pre_.state(), &optimizer_, state_);
}

void Trainer::log_metrics(const std::string& row) {
  std::ofstream out(options_.save_dir + "/metrics.csv", std::ios::app);
  out << row << "\n";
}

EvalResult Trainer::validate() {
  std::vector<Example> subset(valid_examples_.begin(),
                              valid_examples_.begin() + long(std::min(valid_examples_.size(), options_.valid_limit)));
  return evaluate(model_, pre_, subset, EvalOptions{.batch_size = 128, .decode = {}, .translate = true});
}

TrainOutcome Trainer::run() {
  namespace fs = std::filesystem;
  fs::create_directories(options_.save_dir);
  const std::string header = "step,epoch,lr,train_loss,tokens_per_s,valid_loss,valid_exact_match,valid_bleu,elapsed_s";
  prepare_metrics_file(options_.save_dir + "/metrics.csv", state_.step, header);
  g_interrupted = 0;
  auto previous_handler = std::signal(SIGINT, on_interrupt);
  const bool terminal = isatty(STDERR_FILENO) && !options_.quiet;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  const long long first_step = state_.step;
  TrainOutcome outcome;
  int bad_in_a_row = 0;
  double window_loss = 0, window_tokens = 0, window_start = 0;
  long long window_steps = 0;
  auto last_save_step = state_.step, last_eval_step = state_.step;
  std::string stop;

  if (valid_examples_.empty() && !options_.quiet)
    std::fprintf(stderr, "no validation data (--valid): checkpoint_best.h5 will be the latest checkpoint\n");
  auto evaluate_now = [&]() {
    if (valid_examples_.empty()) {  // nothing to compare: the latest state stands in for the best
      last_eval_step = state_.step;
      save("checkpoint_best.h5");
      return EvalResult{};
    }
    const EvalResult r = validate();
    outcome.last_eval = r;
    last_eval_step = state_.step;
    const bool better = r.bleu > state_.best_metric || !fs::exists(options_.save_dir + "/checkpoint_best.h5");
    if (better) {
      state_.best_metric = r.bleu;
      state_.evals_without_improvement = 0;
      save("checkpoint_best.h5");
    } else {
      ++state_.evals_without_improvement;
    }
    if (terminal) std::fprintf(stderr, "\r\033[K");
    if (!options_.quiet)
      std::fprintf(stderr, "step %lld  valid %s%s\n", state_.step, r.summary().c_str(), better ? "  (best)" : "");
    return r;
  };

  while (state_.step < options_.steps) {
    const double lr = options_.schedule.rate(options_.optimizer.lr, state_.step + 1);
    const StepStats stats = train_step(lr);
    if (!stats.finite) {
      ++bad_in_a_row;
      std::fprintf(stderr, "%sstep %lld: non-finite loss or gradient, step skipped (%d in a row)\n",
                   terminal ? "\r\033[K" : "", state_.step + 1, bad_in_a_row);
      if (bad_in_a_row >= options_.max_bad_steps) {
        stop = "diverged: " + std::to_string(bad_in_a_row) +
               " non-finite steps in a row; try a lower --lr or --clip-norm; the last good checkpoint is kept";
        break;
      }
      continue;
    }
    bad_in_a_row = 0;
    ++state_.step;
    window_loss += stats.loss;
    window_tokens += double(stats.tokens);
    ++window_steps;
    const double now = elapsed();
    const double tokens_per_s = window_tokens / std::max(1e-9, now - window_start);
    std::ostringstream row;
    row << state_.step << ',' << sampler_.position().epoch << ',' << lr << ',' << stats.loss << ','
        << (long long)tokens_per_s << ",,,," << now;
    const bool eval_due = options_.eval_every > 0 && state_.step % options_.eval_every == 0;
    if (!eval_due) log_metrics(row.str());
    const double eta = (now / double(state_.step - first_step)) * double(options_.steps - state_.step);
    if (terminal && (state_.step % 5 == 0 || state_.step == options_.steps)) {
      const int width = 24, filled = int(width * state_.step / std::max(1LL, options_.steps));
      std::fprintf(stderr, "\r\033[K[%s%s] %lld/%lld  loss %.4f  lr %.2e  %.0f tok/s  ETA %s",
                   std::string(std::size_t(filled), '#').c_str(), std::string(std::size_t(width - filled), '.').c_str(),
                   state_.step, options_.steps, window_loss / double(window_steps), lr, tokens_per_s,
                   format_duration(eta).c_str());
    } else if (!terminal && !options_.quiet && (state_.step % 100 == 0 || state_.step == options_.steps)) {
      std::fprintf(stderr, "step %lld/%lld  loss %.4f  lr %.2e  %.0f tok/s  elapsed %s  ETA %s\n", state_.step,
                   options_.steps, window_loss / double(window_steps), lr, tokens_per_s, format_duration(now).c_str(),
                   format_duration(eta).c_str());
    }
    if (state_.step % 100 == 0) window_loss = window_tokens = 0, window_steps = 0, window_start = now;
    if (eval_due && valid_examples_.empty()) {
      log_metrics(row.str());
      evaluate_now();
    } else if (eval_due) {
      const EvalResult r = evaluate_now();
      std::ostringstream full;
      full << state_.step << ',' << sampler_.position().epoch << ',' << lr << ',' << stats.loss << ','
           << (long long)tokens_per_s << ',' << r.loss << ',' << r.exact_match << ',' << r.bleu << ',' << elapsed();
      log_metrics(full.str());
      if (options_.patience > 0 && state_.evals_without_improvement >= options_.patience) {
        stop = "early stop: " + std::to_string(options_.patience) + " evaluations without improvement";
        break;
      }
    }
    if (options_.save_every > 0 && state_.step % options_.save_every == 0) {
      save("checkpoint_last.h5");
      last_save_step = state_.step;
    }
    if (options_.time_limit_minutes > 0 && elapsed() > 60 * options_.time_limit_minutes) {
      stop = "time limit of " + std::to_string(options_.time_limit_minutes) + " minutes reached";
      break;
    }
    if (g_interrupted) {
      stop = "interrupted";
      break;
    }
  }
  if (terminal) std::fprintf(stderr, "\n");
  if (stop.rfind("diverged", 0) != 0) {
    if (last_eval_step != state_.step || !fs::exists(options_.save_dir + "/checkpoint_best.h5")) evaluate_now();
    if (last_save_step != state_.step || !fs::exists(options_.save_dir + "/checkpoint_last.h5"))
      save("checkpoint_last.h5");
  }
  std::signal(SIGINT, previous_handler);
  outcome.steps_done = state_.step;
  outcome.finished = stop.empty();
  outcome.stop_reason = stop;
  return outcome;
}

HEED_NAMESPACE_END
