// Greedy and beam-search decoding, for any model family.
#include "train/eval/decode.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "autograd/check.h"
#include "autograd/tape.h"
#include "data/special_tokens.h"

HEED_NAMESPACE_BEGIN

namespace {

Index output_limit(const Seq2SeqModel& model, Index src_len, const DecodeOptions& o) {
  const Index wanted = o.max_len > 0 ? o.max_len : 2 * src_len + 10;
  return std::min(wanted, model.config().max_len - 1);  // + BOS must fit the positions
}

// Next-token logits (B, V) for each sequence's prefix: from the model's incremental decoding
// state, or (for tests) by decoding the whole prefix again with teacher forcing.
class StepScorer {
 public:
  StepScorer(const Seq2SeqModel& model, const std::vector<std::int32_t>& src, Index batch, Index steps, bool cached)
      : model_(model), source_(model.encode(src, batch)) {
    if (cached) state_ = model.start_decoding(source_, steps);
  }
  // prefixes: each sequence's tokens so far, starting with BOS, all the same length.
  Matrix next(const std::vector<std::vector<std::int32_t>>& prefixes) {
    if (state_) {
      std::vector<std::int32_t> last;
      for (const auto& p : prefixes) last.push_back(p.back());
      return state_->step(last);
    }
    const Index len = Index(prefixes[0].size());
    std::vector<std::int32_t> tgt_in;
    for (const auto& p : prefixes) tgt_in.insert(tgt_in.end(), p.begin(), p.end());
    const Matrix logits = model_.decode(tgt_in, source_).value();
    Matrix last(source_.batch, logits.cols());
    for (Index b = 0; b < source_.batch; ++b) last.row(b) = logits.row(b * len + len - 1);
    return last;
  }
  // Keeps sequences `rows` (beam search).
  void select(const std::vector<Index>& rows) {
    if (state_) state_->select(rows);  // the state holds what the next steps need
    else source_ = select_sequences(source_, rows);
  }

 private:
  const Seq2SeqModel& model_;
  EncodedSource source_;
  std::unique_ptr<DecoderState> state_;
};

}  // namespace

std::vector<std::vector<std::int32_t>> greedy_decode(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                                      Index batch, const DecodeOptions& o) {
  HEED_CHECK(batch > 0 && Index(src.size()) % batch == 0, "decode: " << src.size() << " ids for " << batch << " sequences");
  NoGradGuard no_grad;
  const Index limit = output_limit(model, Index(src.size()) / batch, o);
  StepScorer scorer(model, src, batch, limit + 1, o.use_cache);
  std::vector<std::vector<std::int32_t>> prefixes(std::size_t(batch), std::vector<std::int32_t>{kBos});
  std::vector<bool> done(std::size_t(batch), false);
  for (Index step = 0; step < limit; ++step) {
    const Matrix logits = scorer.next(prefixes);
    bool all_done = true;
    for (Index b = 0; b < batch; ++b) {
      Index best = 0;
      logits.row(b).maxCoeff(&best);
      const std::int32_t token = done[b] ? kPad : std::int32_t(best);
      prefixes[b].push_back(token);
      if (token == kEos) done[b] = true;
      all_done = all_done && done[b];
    }
    if (all_done) break;
  }
  std::vector<std::vector<std::int32_t>> out;
  for (const auto& p : prefixes) {
    std::vector<std::int32_t> tokens;
    for (std::size_t i = 1; i < p.size() && p[i] != kEos && p[i] != kPad; ++i) tokens.push_back(p[i]);
    out.push_back(std::move(tokens));
  }
  return out;
}

namespace {

// Beam search for one source sequence.
std::vector<std::int32_t> beam_one(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                   const DecodeOptions& o) {
  const Index limit = output_limit(model, Index(src.size()), o), k = o.beam;
  auto normalised = [&](double score, std::size_t len) { return score / std::pow((5.0 + double(len)) / 6.0, o.length_penalty); };
  StepScorer scorer(model, src, 1, limit + 1, o.use_cache);
  struct Hyp {
    std::vector<std::int32_t> tokens;  // BOS + outputs
    double score;
  };
  std::vector<Hyp> alive{{{kBos}, 0.0}};
  std::vector<std::pair<double, std::vector<std::int32_t>>> finished;
  for (Index step = 0; step < limit && !alive.empty() && Index(finished.size()) < k; ++step) {
    std::vector<std::vector<std::int32_t>> prefixes;
    for (const Hyp& h : alive) prefixes.push_back(h.tokens);
    const Matrix logits = scorer.next(prefixes);
    // log-softmax per hypothesis, then the best k·2 candidates over all of them
    struct Candidate { double score; Index hyp; std::int32_t token; };
    std::vector<Candidate> candidates;
    for (Index h = 0; h < logits.rows(); ++h) {
      const auto row = logits.row(h);
      const double max = row.maxCoeff();
      const double lse = max + std::log((row.array() - Scalar(max)).exp().template cast<double>().sum());
      for (Index v = 0; v < row.cols(); ++v)
        candidates.push_back({alive[h].score + double(row(v)) - lse, h, std::int32_t(v)});
    }
    const std::size_t keep = std::min(candidates.size(), std::size_t(2 * k));
    std::partial_sort(candidates.begin(), candidates.begin() + long(keep), candidates.end(),
                      [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    std::vector<Hyp> next;
    std::vector<Index> rows;
    for (std::size_t i = 0; i < keep && Index(next.size()) < k; ++i) {
      const Candidate& c = candidates[i];
      std::vector<std::int32_t> tokens = alive[c.hyp].tokens;
      if (c.token == kEos) {
        if (Index(finished.size()) < k)
          finished.emplace_back(normalised(c.score, tokens.size()), std::vector<std::int32_t>(tokens.begin() + 1, tokens.end()));
        continue;
      }
      tokens.push_back(c.token);
      next.push_back({std::move(tokens), c.score});
      rows.push_back(c.hyp);
    }
    alive = std::move(next);
    if (!alive.empty()) scorer.select(rows);
  }
  if (Index(finished.size()) < k)  // ran out of steps: unfinished hypotheses compete too
    for (const Hyp& h : alive) finished.emplace_back(normalised(h.score, h.tokens.size()), std::vector<std::int32_t>(h.tokens.begin() + 1, h.tokens.end()));
  const auto best = std::max_element(finished.begin(), finished.end(),
                                     [](const auto& a, const auto& b) { return a.first < b.first; });
  return best == finished.end() ? std::vector<std::int32_t>{} : best->second;
}

}  // namespace

std::vector<std::vector<std::int32_t>> beam_search_decode(const Seq2SeqModel& model,
                                                           const std::vector<std::int32_t>& src, Index batch,
                                                           const DecodeOptions& o) {
  HEED_CHECK(o.beam >= 1, "--beam: " << o.beam << " must be at least 1");
  HEED_CHECK(batch > 0 && Index(src.size()) % batch == 0, "decode: " << src.size() << " ids for " << batch << " sequences");
  NoGradGuard no_grad;
  std::vector<std::vector<std::int32_t>> out;
  const Index s = Index(src.size()) / batch;
  for (Index b = 0; b < batch; ++b) {
    std::vector<std::int32_t> one(src.begin() + b * s, src.begin() + (b + 1) * s);
    while (one.size() > 1 && one.back() == kPad) one.pop_back();  // no padding for a single sequence
    out.push_back(beam_one(model, one, o));
  }
  return out;
}

std::vector<std::vector<std::int32_t>> decode(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                               Index batch, const DecodeOptions& o) {
  HEED_CHECK(o.beam >= 1, "--beam: " << o.beam << " must be at least 1");
  return o.beam == 1 ? greedy_decode(model, src, batch, o) : beam_search_decode(model, src, batch, o);
}

HEED_NAMESPACE_END
