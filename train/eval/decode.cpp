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
      LogProbs lp = log_softmax(logits(m, prefixes));
      if (sum.size() == 0) sum = std::move(lp);
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

// One sentence's search: its live hypotheses (rows of the shared decoder state while it is
// active) and those that have ended.
struct Beam {
  struct Alive {
    std::vector<std::int32_t> tokens;  // BOS + outputs
    double log_prob;
  };
  std::vector<Alive> alive{{{kBos}, 0.0}};
  std::vector<Hypothesis> finished;
  Index limit = 0;  // output tokens at most, EOS included
  bool active = true;
};

// A candidate continuation: hypothesis `hyp` of its beam extended by `token`.
struct Candidate {
  double log_prob;
  Index hyp;
  std::int32_t token;
};

// The best `keep` candidates of one beam, best first, ties to the earlier (hypothesis, token):
// one pass over its rows of log_probs keeping a short sorted list, instead of sorting all K·V.
std::vector<Candidate> best_candidates(const LogProbs& log_probs, Index first_row, const Beam& beam, std::size_t keep) {
  std::vector<Candidate> best;
  best.reserve(keep + 1);
  for (Index h = 0; h < Index(beam.alive.size()); ++h) {
    const double base = beam.alive[std::size_t(h)].log_prob;
    const double* row = log_probs.row(first_row + h).data();
    for (Index v = 0; v < log_probs.cols(); ++v) {
      const double lp = base + row[v];
      if (std::isnan(lp) || (best.size() == keep && !(lp > best.back().log_prob))) continue;  // NaN never enters
      auto at = std::upper_bound(best.begin(), best.end(), lp, [](double x, const Candidate& c) { return x > c.log_prob; });
      best.insert(at, {lp, h, std::int32_t(v)});
      if (best.size() > keep) best.pop_back();
    }
  }
  return best;
}

// Beam search over the whole batch at once: the live hypotheses of every unfinished sentence are
// the rows of one decoder state, so each step runs the decoder once for up to batch·K rows (one
// large product into the vocabulary instead of one per sentence). Each sentence searches as if
// alone: its own limit, its own candidates, its own stop. A sentence stops when no live
// hypothesis can still beat its n_best-th finished one, not when some have finished: short
// hypotheses from the lower beams end early, and stopping at the first k of those returned them
// while the best one was still one or two tokens from its end.
std::vector<std::vector<Hypothesis>> beam_batch(const std::vector<EnsembleInput>& members, Index batch,
                                                const DecodeOptions& o) {
  const Index k = o.beam;
  std::vector<Beam> beams(static_cast<std::size_t>(batch));
  Index longest = 0;
  const std::vector<Index> lengths = source_lengths(members[0].src, batch);
  for (Index b = 0; b < batch; ++b) {
    Beam& beam = beams[std::size_t(b)];
    beam.limit = output_limit(members, lengths[std::size_t(b)], o);
    beam.active = beam.limit > 0;
    longest = std::max(longest, beam.limit);
  }
  auto normalised = [&](double log_prob, std::size_t len) { return length_normalised(log_prob, len, o); };
  // The best score a live hypothesis can still reach: its log-probability only falls, while the
  // length penalty's divisor grows at most to the limit's.
  auto settled = [&](const Beam& beam) {
    if (beam.finished.size() < std::size_t(o.n_best)) return false;
    std::vector<double> scores;
    for (const Hypothesis& h : beam.finished) scores.push_back(h.score);
    std::nth_element(scores.begin(), scores.begin() + (o.n_best - 1), scores.end(), std::greater<>());
    for (const Beam::Alive& h : beam.alive) {
      const double reachable = std::max(normalised(h.log_prob, h.tokens.size()), normalised(h.log_prob, std::size_t(beam.limit) + 1));
      if (reachable > scores[std::size_t(o.n_best - 1)]) return false;
    }
    return true;
  };
  EnsembleScorer scorer(members, batch, longest + 1, o.use_cache, o.ignore_eos);
  std::vector<Index> rows;  // the decoder's rows to keep for the next step
  for (Index b = 0; b < batch; ++b)
    if (beams[std::size_t(b)].active) rows.push_back(b);
  if (Index(rows.size()) < batch && !rows.empty()) scorer.select(rows);
  for (Index step = 0; !rows.empty(); ++step) {
    std::vector<std::vector<std::int32_t>> prefixes;
    for (const Beam& beam : beams)
      if (beam.active)
        for (const Beam::Alive& h : beam.alive) prefixes.push_back(h.tokens);
    const LogProbs log_probs = scorer.next(prefixes);
    rows.clear();
    Index first_row = 0;  // this beam's first row in log_probs
    for (Beam& beam : beams) {
      if (!beam.active) continue;
      const std::vector<Candidate> candidates = best_candidates(log_probs, first_row, beam, std::size_t(2 * k));
      std::vector<Beam::Alive> next;
      std::vector<Index> next_rows;
      for (std::size_t i = 0; i < candidates.size() && Index(next.size()) < k; ++i) {
        const Candidate& c = candidates[i];
        std::vector<std::int32_t> tokens = beam.alive[std::size_t(c.hyp)].tokens;
        if (c.token == kEos) {
          beam.finished.push_back({std::vector<std::int32_t>(tokens.begin() + 1, tokens.end()), c.log_prob,
                                   normalised(c.log_prob, tokens.size()), true});
          continue;
        }
        tokens.push_back(c.token);
        next.push_back({std::move(tokens), c.log_prob});
        next_rows.push_back(first_row + c.hyp);
      }
      first_row += Index(beam.alive.size());
      beam.alive = std::move(next);
      beam.active = step + 1 < beam.limit && !beam.alive.empty() && !settled(beam);
      if (beam.active) rows.insert(rows.end(), next_rows.begin(), next_rows.end());
    }
    if (!rows.empty()) scorer.select(rows);
  }
  std::vector<std::vector<Hypothesis>> out;
  for (Beam& beam : beams) {
    std::vector<Hypothesis>& finished = beam.finished;
    // Out of steps, the live hypotheses compete too (once settled, none of them can win).
    for (const Beam::Alive& h : beam.alive)
      finished.push_back({std::vector<std::int32_t>(h.tokens.begin() + 1, h.tokens.end()), h.log_prob,
                          normalised(h.log_prob, h.tokens.size()), false});
    std::stable_sort(finished.begin(), finished.end(), [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
    if (finished.empty()) finished.push_back({});
    if (finished.size() > std::size_t(o.n_best)) finished.resize(std::size_t(o.n_best));
    out.push_back(std::move(finished));
  }
  return out;
}

}  // namespace

std::vector<std::vector<Hypothesis>> decode_ensemble(const std::vector<EnsembleInput>& members, Index batch,
                                                     const DecodeOptions& o, const std::vector<std::uint64_t>& ids) {
  check_inputs(members, batch, o);
  HEED_CHECK(ids.empty() || Index(ids.size()) == batch, "decode: " << ids.size() << " sequence ids for " << batch);
  NoGradGuard no_grad;
  if (o.beam == 1) return decode_batch(members, batch, o, ids);
  return beam_batch(members, batch, o);
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
  return best_tokens(beam_batch({{&model, src}}, batch, o));
}

std::vector<std::vector<std::int32_t>> decode(const Seq2SeqModel& model, const std::vector<std::int32_t>& src,
                                               Index batch, const DecodeOptions& o) {
  HEED_CHECK(o.beam >= 1, "--beam: " << o.beam << " must be at least 1");
  return best_tokens(decode_ensemble({{&model, src}}, batch, o));
}

HEED_NAMESPACE_END
