// When the loop validates and writes checkpoints, and which validation counts as the best.
//   checkpoint_last.h5   every --save-every steps and when the run stops (exact resume)
//   checkpoint_best.h5   at each validation that beats every earlier one by --valid-metric,
//                        every --eval-every steps and when the run stops
#pragma once

#include <limits>
#include <optional>
#include <string>

#include "train/eval/evaluate.h"

HEED_NAMESPACE_BEGIN

// The validation metric that ranks checkpoints. chrF is the default: corpus BLEU is 0 while
// outputs are shorter than 4 tokens, so on short outputs it would never rank anything.
enum class ValidMetric { Bleu, Chrf, Exact, Loss, TokenAcc };

inline constexpr const char* kValidMetricNames = "bleu, chrf, exact, loss, token-acc";

// The name used on the command line and in the checkpoint's /train/valid_metric.
inline std::string valid_metric_name(ValidMetric m) {
  switch (m) {
    case ValidMetric::Bleu: return "bleu";
    case ValidMetric::Chrf: return "chrf";
    case ValidMetric::Exact: return "exact";
    case ValidMetric::Loss: return "loss";
    case ValidMetric::TokenAcc: return "token-acc";
  }
  return "?";
}

inline std::optional<ValidMetric> parse_valid_metric(const std::string& name) {
  for (ValidMetric m : {ValidMetric::Bleu, ValidMetric::Chrf, ValidMetric::Exact, ValidMetric::Loss, ValidMetric::TokenAcc})
    if (valid_metric_name(m) == name) return m;
  return std::nullopt;
}

struct CheckpointPolicy {
  long long eval_every = 500;  // 0 = only at the end
  long long save_every = 500;  // 0 = only at the end
  ValidMetric metric = ValidMetric::Chrf;

  bool eval_due(long long step) const { return eval_every > 0 && step % eval_every == 0; }
  bool save_due(long long step) const { return save_every > 0 && step % save_every == 0; }

  bool lower_is_better() const { return metric == ValidMetric::Loss; }
  // The ranked value of a validation, as /train/best_metric stores it (exact and token-acc in [0, 1]).
  double value(const EvalResult& r) const {
    switch (metric) {
      case ValidMetric::Bleu: return r.bleu;
      case ValidMetric::Chrf: return r.chrf;
      case ValidMetric::Exact: return r.exact_match;
      case ValidMetric::Loss: return r.loss;
      case ValidMetric::TokenAcc: return r.token_accuracy;
    }
    return 0;
  }
  // Strictly better than `best`: a tie keeps the earlier checkpoint.
  bool improves(const EvalResult& r, double best) const {
    return lower_is_better() ? value(r) < best : value(r) > best;
  }
  // A best value that every validation beats (finite, so that checkpoints store a plain number).
  double worst() const { return lower_is_better() ? std::numeric_limits<double>::max() : -1.0; }
};

HEED_NAMESPACE_END
