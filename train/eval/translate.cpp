// Batched translation of text by one model or an ensemble.
#include "train/eval/translate.h"

#include <algorithm>
#include <numeric>

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

namespace {

// Restores the models' training modes when it goes out of scope.
class EvalModes {
 public:
  explicit EvalModes(const std::vector<TranslationModel>& models) {
    for (const TranslationModel& m : models) {
      saved_.emplace_back(m.model, m.model->is_training());
      m.model->eval();
    }
  }
  ~EvalModes() {
    for (auto& [model, training] : saved_) model->train(training);
  }

 private:
  std::vector<std::pair<Seq2SeqModel*, bool>> saved_;
};

}  // namespace

std::vector<std::int32_t> encode_source_cropped(const TranslationModel& model, const std::string& source,
                                                std::size_t* full_length) {
  std::vector<std::int32_t> ids = model.pre->encode_source(source);
  if (full_length) *full_length = ids.size();
  const std::size_t room = std::size_t(model.model->config().max_len - 1);  // + EOS
  if (ids.size() > room) ids.resize(room);
  return ids;
}

std::vector<std::vector<Translation>> translate_n_best(const std::vector<TranslationModel>& models,
                                                       const std::vector<std::string>& sources,
                                                       const DecodeOptions& options, std::size_t batch_size,
                                                       const CropReport& on_cropped, std::uint64_t first_id) {
  HEED_CHECK(!models.empty(), "translate: no model");
  HEED_CHECK(batch_size >= 1, "--batch-size: 0 must be at least 1");
  EvalModes eval_modes(models);
  // encoded[m][i]: source i in model m's vocabulary, cropped to what the model takes
  std::vector<std::vector<std::vector<std::int32_t>>> encoded(models.size());
  for (std::size_t i = 0; i < sources.size(); ++i) {
    std::size_t longest = 0, kept = 0;
    for (std::size_t m = 0; m < models.size(); ++m) {
      std::size_t length = 0;
      std::vector<std::int32_t> ids = encode_source_cropped(models[m], sources[i], &length);
      if (ids.size() < length) {
        longest = std::max(longest, length);
        kept = kept ? std::min(kept, ids.size()) : ids.size();
      }
      encoded[m].push_back(std::move(ids));
    }
    if (longest > 0 && on_cropped) on_cropped(i, longest, kept);
  }
  std::vector<std::size_t> order(sources.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return encoded[0][a].size() < encoded[0][b].size(); });
  std::vector<std::vector<Translation>> out(sources.size());
  for (std::size_t start = 0; start < order.size(); start += batch_size) {
    const std::size_t end = std::min(order.size(), start + batch_size);
    std::vector<EnsembleInput> inputs;
    for (std::size_t m = 0; m < models.size(); ++m) {
      std::vector<std::vector<std::int32_t>> chunk;
      for (std::size_t i = start; i < end; ++i) chunk.push_back(encoded[m][order[i]]);
      inputs.push_back({models[m].model, pad_sources(chunk)});
    }
    std::vector<std::uint64_t> ids;
    for (std::size_t i = start; i < end; ++i) ids.push_back(first_id + order[i]);
    const auto hyps = decode_ensemble(inputs, Index(end - start), options, ids);
    for (std::size_t i = start; i < end; ++i)
      for (const Hypothesis& h : hyps[i - start])
        out[order[i]].push_back({models[0].pre->decode_target(h.tokens), h.tokens, h.score, h.log_prob, h.ended});
  }
  return out;
}

std::vector<std::string> translate(Seq2SeqModel& model, const Preprocessor& pre, const std::vector<std::string>& sources,
                                   const DecodeOptions& options, std::size_t batch_size) {
  std::vector<std::string> out;
  for (auto& n_best : translate_n_best({{&model, &pre}}, sources, options, batch_size))
    out.push_back(std::move(n_best.front().text));
  return out;
}

HEED_NAMESPACE_END
