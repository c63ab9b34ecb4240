// Sentence pairs and text windows as the trainer's data.
#include "train/loop/training_data.h"

#include <algorithm>

#include "data/window_sampler.h"
#include "train/eval/batch.h"
#include "train/eval/evaluate_text.h"

HEED_NAMESPACE_BEGIN

namespace {

// Rank r's slice of a global batch: [size·r/N, size·(r+1)/N).
template <class T>
std::vector<T> share(const std::vector<T>& global, Shard shard) {
  if (shard.ranks == 1) return global;
  const std::size_t n = std::size_t(shard.ranks), r = std::size_t(shard.rank);
  return std::vector<T>(global.begin() + long(global.size() * r / n), global.begin() + long(global.size() * (r + 1) / n));
}

class PairData final : public TrainingData {
 public:
  PairData(const Preprocessor& pre, const std::vector<Example>& train, std::vector<Example> valid,
           std::size_t batch_size, std::uint64_t seed, Shard shard)
      : pre_(pre),
        pairs_(pre.encode(train)),
        valid_(std::move(valid)),
        sampler_(pairs_, batch_size * std::size_t(shard.ranks), seed),
        shard_(shard) {}

  Seq2SeqBatch next_batch() override {
    const std::vector<std::size_t> mine = share(sampler_.next(), shard_);
    if (mine.empty()) return Seq2SeqBatch{.batch = 0, .src = {}, .tgt_in = {}, .tgt_out = {}};
    return to_model_batch(make_batch(pairs_, mine));
  }
  SamplerPosition position() const override { return sampler_.position(); }
  void set_position(SamplerPosition position) override { sampler_.set_position(position); }

  std::size_t valid_size() const override { return valid_.size(); }
  std::string valid_unit() const override { return "pairs"; }
  std::string valid_option() const override { return "--valid"; }
  EvalResult validate(Seq2SeqModel& model, std::size_t limit) const override {
    const std::size_t used = limit == 0 ? valid_.size() : std::min(limit, valid_.size());
    const std::vector<Example> subset(valid_.begin(), valid_.begin() + long(used));
    return evaluate(model, pre_, subset, EvalOptions{.batch_size = 128, .decode = {}, .translate = true});
  }

 private:
  const Preprocessor& pre_;
  std::vector<EncodedPair> pairs_;
  std::vector<Example> valid_;
  BatchSampler sampler_;
  Shard shard_;
};

class TextData final : public TrainingData {
 public:
  TextData(TokenStream train, TokenStream valid, Index context, std::size_t batch_size, std::uint64_t seed,
           Shard shard)
      : train_(std::move(train)),
        valid_(std::move(valid)),
        context_(context),
        sampler_(train_.ids.size(), std::size_t(context), batch_size * std::size_t(shard.ranks), seed),
        shard_(shard) {}

  // Each window: inputs ids[s, s + context), targets one further.
  Seq2SeqBatch next_batch() override {
    const std::vector<std::size_t> starts = share(sampler_.next(), shard_);
    Seq2SeqBatch batch{.batch = Index(starts.size()), .src = {}, .tgt_in = {}, .tgt_out = {}};
    for (std::size_t s : starts) {
      const auto begin = train_.ids.begin() + long(s);
      batch.tgt_in.insert(batch.tgt_in.end(), begin, begin + context_);
      batch.tgt_out.insert(batch.tgt_out.end(), begin + 1, begin + 1 + context_);
    }
    return batch;
  }
  SamplerPosition position() const override { return sampler_.position(); }
  void set_position(SamplerPosition position) override { sampler_.set_position(position); }

  std::size_t valid_size() const override { return valid_.ids.empty() ? 0 : text_windows(valid_, context_); }
  std::string valid_unit() const override { return "windows of " + std::to_string(context_) + " tokens"; }
  std::string valid_option() const override { return "--valid-text"; }
  EvalResult validate(Seq2SeqModel& model, std::size_t limit) const override {
    return evaluate_text(model, valid_, context_, 64, limit);
  }

 private:
  TokenStream train_, valid_;
  Index context_;
  WindowSampler sampler_;
  Shard shard_;
};

}  // namespace

std::unique_ptr<TrainingData> pair_data(const Preprocessor& pre, const std::vector<Example>& train,
                                        std::vector<Example> valid, std::size_t batch_size, std::uint64_t seed,
                                        Shard shard) {
  return std::make_unique<PairData>(pre, train, std::move(valid), batch_size, seed, shard);
}

std::unique_ptr<TrainingData> text_data(TokenStream train, TokenStream valid, Index context, std::size_t batch_size,
                                        std::uint64_t seed, Shard shard) {
  return std::make_unique<TextData>(std::move(train), std::move(valid), context, batch_size, seed, shard);
}

HEED_NAMESPACE_END
