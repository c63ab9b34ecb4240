// Greedy, sampling and beam-search decoding, for any model family and for ensembles.
#include "train/eval/decode.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "autograd/check.h"
#include "autograd/tape.h"
#include "data/special_tokens.h"
#include "train/eval/sampling.h"

HEED_NAMESPACE_BEGIN

namespace {

using LogProbs = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The most output tokens (EOS included) for a source of `src_len` ids (EOS included): every model
// of the ensemble must fit BOS + outputs in its positions.
Index output_limit(const std::vector<EnsembleInput>& members, Index src_len, const DecodeOptions& o) {
  Index limit = o.max_len > 0 ? o.max_len : 2 * src_len + 10;
  for (const EnsembleInput& m : members) limit = std::min(limit, m.model->config().max_len - 1);
  return limit;
}

// GNMT's length penalty: log_prob / ((5 + len) / 6)^α, len counting BOS and the outputs.
double length_normalised(double log_prob, std::size_t len, const DecodeOptions& o) {
  return log_prob / std::pow((5.0 + double(len)) / 6.0, o.length_penalty);
}

// Each row's ids before its padding.
std::vector<Index> source_lengths(const std::vector<std::int32_t>& src, Index batch) {
  const Index width = Index(src.size()) / batch;
  std::vector<Index> lengths(std::size_t(batch), 0);
  for (Index b = 0; b < batch; ++b)
    for (Index t = 0; t < width; ++t) lengths[std::size_t(b)] += src[std::size_t(b * width + t)] != kPad;
  return lengths;
}

// Next-token log-probabilities (B, V) for each sequence's prefix, averaged over the ensemble's
// members: from each model's incremental decoding state, or (for tests) by decoding the whole
// prefix again with teacher forcing.
class EnsembleScorer {
 public:
  EnsembleScorer(const std::vector<EnsembleInput>& inputs, Index batch, Index steps, bool cached, bool ignore_eos)
      : ignore_eos_(ignore_eos) {
    for (const EnsembleInput& in : inputs) {
      HEED_CHECK(in.model->config().tgt_vocab_size == inputs[0].model->config().tgt_vocab_size,
                 "ensemble: target vocabularies of " << inputs[0].model->config().tgt_vocab_size << " and "
                                                     << in.model->config().tgt_vocab_size << " tokens");
      Member m{in.model, in.model->encode(in.src, batch), nullptr};
      if (cached) m.state = in.model->start_decoding(m.source, steps);
      members_.push_back(std::move(m));
    }
  }
  // prefixes: each sequence's tokens so far, starting with BOS, all the same length.
  LogProbs next(const std::vector<std::vector<std::int32_t>>& prefixes) {
    LogProbs sum;
    for (Member& m : members_) {
      const LogProbs lp = log_softmax(logits(m, prefixes));
      if (sum.size() == 0) sum = lp;
      else sum += lp;
    }
    if (members_.size() > 1) sum /= double(members_.size());
    if (ignore_eos_) sum.col(kEos).setConstant(-std::numeric_limits<double>::infinity());
    return sum;
  }
  // Keeps sequences `rows` (beam search).
  void select(const std::vector<Index>& rows) {
    for (Member& m : members_) {
      if (m.state) m.state->select(rows);  // the state holds what the next steps need
      else m.source = select_sequences(m.source, rows);
    }
  }

 private:
  struct Member {
    const Seq2SeqModel* model;
    EncodedSource source;
    std::unique_ptr<DecoderState> state;
  };

  static Matrix logits(Member& m, const std::vector<std::vector<std::int32_t>>& prefixes) {
    if (m.state) {
      std::vector<std::int32_t> last;
      for (const auto& p : prefixes) last.push_back(p.back());
      return m.state->step(last);
    }
    const Index len = Index(prefixes[0].size());
    std::vector<std::int32_t> tgt_in;
    for (const auto& p : prefixes) tgt_in.insert(tgt_in.end(), p.begin(), p.end());
    const Matrix all = m.model->decode(tgt_in, m.source).value();
    Matrix last(m.source.batch, all.cols());
    for (Index b = 0; b < m.source.batch; ++b) last.row(b) = all.row(b * len + len - 1);
    return last;
  }

  static LogProbs log_softmax(const Matrix& logits) { return log_probabilities(logits); }

  std::vector<Member> members_;
  bool ignore_eos_;
};

void check_inputs(const std::vector<EnsembleInput>& members, Index batch, const DecodeOptions& o) {
  HEED_CHECK(!members.empty(), "decode: no model");
  HEED_CHECK(o.beam >= 1, "--beam: " << o.beam << " must be at least 1");
  HEED_CHECK(o.n_best >= 1 && o.n_best <= o.beam, "--n-best: " << o.n_best << " must be in [1, --beam " << o.beam << "]");
  HEED_CHECK(!o.sampling.enabled || o.beam == 1, "--sample: decodes with --beam 1 only, got " << o.beam);
  for (const EnsembleInput& m : members)
    HEED_CHECK(batch > 0 && Index(m.src.size()) % batch == 0,
               "decode: " << m.src.size() << " ids for " << batch << " sequences");
}

// Greedy or sampling, the whole batch at once: each sequence stops at its EOS or its own limit.
std::vector<std::vector<Hypothesis>> decode_batch(const std::vector<EnsembleInput>& members, Index batch,
                                                  const DecodeOptions& o, const std::vector<std::uint64_t>& ids) {
  const std::vector<Index> lengths = source_lengths(members[0].src, batch);
  std::vector<Index> limits;
  for (Index len : lengths) limits.push_back(output_limit(members, len, o));
  const Index longest = *std::max_element(limits.begin(), limits.end());
  EnsembleScorer scorer(members, batch, longest + 1, o.use_cache, o.ignore_eos);
  std::vector<Rng> rngs;
  if (o.sampling.enabled)
    for (Index b = 0; b < batch; ++b) rngs.push_back(sequence_rng(o.sampling.seed, ids.empty() ? std::uint64_t(b) : ids[b]));
  std::vector<std::vector<std::int32_t>> prefixes(std::size_t(batch), std::vector<std::int32_t>{kBos});
  std::vector<Hypothesis> hyps(static_cast<std::size_t>(batch));
  std::vector<bool> done(std::size_t(batch), false);
  for (Index step = 0; step < longest; ++step) {
    const LogProbs log_probs = scorer.next(prefixes);
    bool all_done = true;
    for (Index b = 0; b < batch; ++b) {
      std::int32_t token = kPad;  // finished sequences are fed padding
      if (!done[b]) {
        Index best = 0;
        if (o.sampling.enabled) best = sample_token(log_probs.row(b), o.sampling, rngs[std::size_t(b)]);
        else log_probs.row(b).maxCoeff(&best);
        token = std::int32_t(best);
        hyps[b].log_prob += log_probs(b, best);
        if (token != kEos) hyps[b].tokens.push_back(token);
        done[b] = token == kEos || step + 1 == limits[b];
        hyps[b].ended = token == kEos;
      }
      prefixes[b].push_back(token);
      all_done = all_done && done[b];
    }
    if (all_done) break;
  }
  std::vector<std::vector<Hypothesis>> out;
  for (Hypothesis& h : hyps) {
    h.score = length_normalised(h.log_prob, h.tokens.size() + 1, o);
    out.push_back({std::move(h)});
  }
  return out;
}

// Beam search for one source sequence (each member's ids without padding). It stops when no
// live hypothesis can still beat the n_best-th finished one, not when some have finished: short
// hypotheses from the lower beams end early, and stopping at the first k of those returned them
// while the best one was still one or two tokens from its end.
std::vector<Hypothesis> beam_one(const std::vector<EnsembleInput>& members, const DecodeOptions& o) {
  const Index src_len = Index(members[0].src.size());
  const Index limit = output_limit(members, src_len, o), k = o.beam;
  auto normalised = [&](double log_prob, std::size_t len) { return length_normalised(log_prob, len, o); };
  // The best score a live hypothesis can still reach: its log-probability only falls, while the
  // length penalty's divisor grows at most to the limit's.
  auto reachable = [&](double log_prob, std::size_t len) {
    return std::max(normalised(log_prob, len), normalised(log_prob, std::size_t(limit) + 1));
  };
  EnsembleScorer scorer(members, 1, limit + 1, o.use_cache, o.ignore_eos);
  struct Alive {
    std::vector<std::int32_t> tokens;  // BOS + outputs
    double log_prob;
  };
  std::vector<Alive> alive{{{kBos}, 0.0}};
  std::vector<Hypothesis> finished;
  auto settled = [&] {
    if (finished.size() < std::size_t(o.n_best)) return false;
    std::vector<double> scores;
    for (const Hypothesis& h : finished) scores.push_back(h.score);
    std::nth_element(scores.begin(), scores.begin() + (o.n_best - 1), scores.end(), std::greater<>());
    for (const Alive& h : alive)
      if (reachable(h.log_prob, h.tokens.size()) > scores[std::size_t(o.n_best - 1)]) return false;
    return true;
  };
  for (Index step = 0; step < limit && !alive.empty() && !settled(); ++step) {
    std::vector<std::vector<std::int32_t>> prefixes;
    for (const Alive& h : alive) prefixes.push_back(h.tokens);
    const LogProbs log_probs = scorer.next(prefixes);
    // the best k·2 candidates over all hypotheses
    struct Candidate { double log_prob; Index hyp; std::int32_t token; };
    std::vector<Candidate> candidates;
    for (Index h = 0; h < log_probs.rows(); ++h)
      for (Index v = 0; v < log_probs.cols(); ++v)
        candidates.push_back({alive[h].log_prob + log_probs(h, v), h, std::int32_t(v)});
    const std::size_t keep = std::min(candidates.size(), std::size_t(2 * k));
    std::partial_sort(candidates.begin(), candidates.begin() + long(keep), candidates.end(),
                      [](const Candidate& a, const Candidate& b) { return a.log_prob > b.log_prob; });
    std::vector<Alive> next;
    std::vector<Index> rows;
    for (std::size_t i = 0; i < keep && Index(next.size()) < k; ++i) {
      const Candidate& c = candidates[i];
      std::vector<std::int32_t> tokens = alive[c.hyp].tokens;
      if (c.token == kEos) {
        finished.push_back({std::vector<std::int32_t>(tokens.begin() + 1, tokens.end()), c.log_prob,
                            normalised(c.log_prob, tokens.size()), true});
        continue;
      }
      tokens.push_back(c.token);
      next.push_back({std::move(tokens), c.log_prob});
      rows.push_back(c.hyp);
    }
    alive = std::move(next);
    if (!alive.empty()) scorer.select(rows);
  }
  // Out of steps, the live hypotheses compete too (once settled, none of them can win).
  for (const Alive& h : alive)
    finished.push_back({std::vector<std::int32_t>(h.tokens.begin() + 1, h.tokens.end()), h.log_prob,
                        normalised(h.log_prob, h.tokens.size()), false});
  std::stable_sort(finished.begin(), finished.end(), [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
  if (finished.empty()) finished.push_back({});
  if (finished.size() > std::size_t(o.n_best)) finished.resize(std::size_t(o.n_best));
  return finished;
}

}  // namespace

std::vector<std::vector<Hypothesis>> decode_ensemble(const std::vector<EnsembleInput>& members, Index batch,
                                                     const DecodeOptions& o, const std::vector<std::uint64_t>& ids) {
  check_inputs(members, batch, o);
  HEED_CHECK(ids.empty() || Index(ids.size()) == batch, "decode: " << ids.size() << " sequence ids for " << batch);
  NoGradGuard no_grad;
  if (o.beam == 1) return decode_batch(members, batch, o, ids);
  std::vector<std::vector<Hypothesis>> out;
  for (Index b = 0; b < batch; ++b) {
    std::vector<EnsembleInput> one;
    for (const EnsembleInput& m : members) {
      const Index s = Index(m.src.size()) / batch;
      std::vector<std::int32_t> ids_b(m.src.begin() + b * s, m.src.begin() + (b + 1) * s);
      while (ids_b.size() > 1 && ids_b.back() == kPad) ids_b.pop_back();  // no padding for a single sequence
      one.push_back({m.model, std::move(ids_b)});
    }
    out.push_back(beam_one(one, o));
  }
  return out;
}

namespace {

std::vector<std::vector<std::int32_t>> best_tokens(std::vector<std::vector<Hypothesis>> hyps) {
  std::vector<std::vector<std::int32_t>> out;
  for (auto& h : hyps) out.push_back(std::move(h.front().tokens));
  return out;
}

}  // namespace

std::vector<std::vector<std::int32_t>> greedy_decode(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                                      Index batch, const DecodeOptions& o) {
  DecodeOptions greedy = o;
  greedy.beam = greedy.n_best = 1;
  return best_tokens(decode_ensemble({{&model, src}}, batch, greedy));
}

std::vector<std::vector<std::int32_t>> beam_search_decode(const Seq2SeqModel& model,
                                                           const std::vector<std::int32_t>& src, Index batch,
                                                           const DecodeOptions& o) {
  HEED_CHECK(o.beam >= 1, "--beam: " << o.beam << " must be at least 1");
  check_inputs({{&model, src}}, batch, o);
  NoGradGuard no_grad;
  std::vector<std::vector<std::int32_t>> out;
  const Index s = Index(src.size()) / batch;
  for (Index b = 0; b < batch; ++b) {
    std::vector<std::int32_t> one(src.begin() + b * s, src.begin() + (b + 1) * s);
    while (one.size() > 1 && one.back() == kPad) one.pop_back();  // no padding for a single sequence
    out.push_back(std::move(beam_one({{&model, std::move(one)}}, o).front().tokens));
  }
  return out;
}

std::vector<std::vector<std::int32_t>> decode(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                               Index batch, const DecodeOptions& o) {
  HEED_CHECK(o.beam >= 1, "--beam: " << o.beam << " must be at least 1");
  return best_tokens(decode_ensemble({{&model, src}}, batch, o));
}

HEED_NAMESPACE_END
