// When the loop validates and writes checkpoints, and which validation counts as the best.
//   checkpoint_last.h5   every --save-every steps and when the run stops (exact resume)
//   checkpoint_best.h5   at each validation that beats every earlier one (by BLEU), every
//                        --eval-every steps and when the run stops
#pragma once

#include "train/eval/evaluate.h"

HEED_NAMESPACE_BEGIN

struct CheckpointPolicy {
  long long eval_every = 500;  // 0 = only at the end
  long long save_every = 500;  // 0 = only at the end

  bool eval_due(long long step) const { return eval_every > 0 && step % eval_every == 0; }
  bool save_due(long long step) const { return save_every > 0 && step % save_every == 0; }
  // The metric that ranks validations (higher is better) and whether `result` beats `best`.
  static double metric(const EvalResult& result) { return result.bleu; }
  static bool improves(const EvalResult& result, double best) { return metric(result) > best; }
};

HEED_NAMESPACE_END
