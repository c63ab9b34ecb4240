// Loss over a data set, decoding, and the metrics of the decoded output.
#include "train/eval/evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <sstream>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "data/toy_fr.h"
#include "train/eval/batch.h"
#include "train/eval/json.h"
#include "train/eval/metrics.h"

HEED_NAMESPACE_BEGIN

namespace {

// Restores the model's training mode when it goes out of scope.
class EvalMode {
 public:
  explicit EvalMode(Seq2SeqModel& model) : model_(model), was_training_(model.is_training()) { model.eval(); }
  ~EvalMode() { model_.train(was_training_); }

 private:
  Seq2SeqModel& model_;
  bool was_training_;
};

}  // namespace

JsonObject EvalResult::json() const {
  JsonObject o;
  if (language_model) {
    o.number("loss", loss).number("perplexity", perplexity);
    if (bits_per_char >= 0) o.number("bits_per_char", bits_per_char).integer("characters", (long long)characters);
    o.integer("tokens", (long long)tokens);
    return o;
  }
  o.number("loss", loss).number("perplexity", perplexity).number("exact_match", exact_match);
  o.number("token_accuracy", token_accuracy).number("bleu", bleu, 4).number("chrf", chrf, 4);
  o.integer("sentences", (long long)sentences).integer("tokens", (long long)tokens);
  if (pronoun_accuracy >= 0) o.number("pronoun_accuracy", pronoun_accuracy);
  return o;
}

std::string EvalResult::summary() const {
  char buf[512];
  if (language_model) {
    std::snprintf(buf, sizeof buf, "loss %.4f  ppl %.3f", loss, perplexity);
    std::string out = buf;
    if (bits_per_char >= 0) {
      std::snprintf(buf, sizeof buf, "  bits/char %.4f", bits_per_char);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "  (%zu tokens)", tokens);
    return out + buf;
  }
  std::snprintf(buf, sizeof buf,
                "loss %.4f  ppl %.3f  exact %.2f%%  token acc %.2f%%  BLEU %.2f  chrF %.2f", loss, perplexity,
                100 * exact_match, 100 * token_accuracy, bleu, chrf);
  std::string out = buf;
  if (pronoun_accuracy >= 0) {
    std::snprintf(buf, sizeof buf, "  pronoun %.2f%%", 100 * pronoun_accuracy);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "  (%zu sentences)", sentences);
  return out + buf;
}

std::vector<LengthBucket> exact_match_by_length(const std::vector<Example>& examples,
                                                const std::vector<std::string>& hypotheses, int width) {
  std::map<int, std::pair<std::vector<std::string>, std::vector<std::string>>> buckets;  // index -> (hyps, refs)
  for (std::size_t i = 0; i < examples.size() && i < hypotheses.size(); ++i) {
    std::istringstream words(examples[i].source);
    int count = 0;
    for (std::string w; words >> w;) ++count;
    auto& [hyps, refs] = buckets[std::max(0, count - 1) / width];
    hyps.push_back(hypotheses[i]);
    refs.push_back(examples[i].target);
  }
  std::vector<LengthBucket> out;
  for (const auto& [index, pair] : buckets)
    out.push_back({index * width + 1, (index + 1) * width, pair.first.size(), exact_match(pair.first, pair.second)});
  return out;
}

EvalResult evaluate(Seq2SeqModel& model, const Preprocessor& pre, const std::vector<Example>& examples,
                    const EvalOptions& options) {
  EvalMode eval_mode(model);
  NoGradGuard no_grad;
  EvalResult r;
  r.sentences = examples.size();
  // Teacher-forced loss, summed over target tokens then divided once.
  const std::vector<EncodedPair> pairs = pre.encode(examples);
  double total = 0;
  for (std::size_t start = 0; start < pairs.size(); start += options.batch_size) {
    std::vector<std::size_t> indices(std::min(options.batch_size, pairs.size() - start));
    std::iota(indices.begin(), indices.end(), start);
    const Seq2SeqBatch batch = to_model_batch(make_batch(pairs, indices));
    total += double(cross_entropy(model.forward(batch), batch.tgt_out, {.sum = true}).item());
    for (std::int32_t t : batch.tgt_out) r.tokens += t != 0;
  }
  r.loss = r.tokens ? total / double(r.tokens) : 0;
  r.perplexity = std::exp(r.loss);
  if (!options.translate) return r;
  std::vector<std::string> sources, references;
  for (const Example& e : examples) {
    sources.push_back(e.source);
    references.push_back(e.target);
  }
  r.hypotheses = translate(model, pre, sources, options.decode, options.batch_size);
  r.exact_match = exact_match(r.hypotheses, references);
  r.token_accuracy = token_accuracy(r.hypotheses, references);
  r.bleu = corpus_bleu(r.hypotheses, references);
  r.chrf = corpus_chrf(r.hypotheses, references);
  std::size_t with_pronoun = 0, right = 0;
  for (std::size_t i = 0; i < examples.size(); ++i)
    if (!examples[i].pronoun.empty()) {
      ++with_pronoun;
      right += pronoun_correct(r.hypotheses[i], examples[i]);
    }
  if (with_pronoun > 0) r.pronoun_accuracy = double(right) / double(with_pronoun);
  return r;
}

HEED_NAMESPACE_END
