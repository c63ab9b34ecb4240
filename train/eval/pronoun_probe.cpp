// Pronoun probes: behaviour under noun swaps, and five kinds of attribution at the pronoun step.
#include "train/eval/pronoun_probe.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "data/toy_fr_grammar.h"

HEED_NAMESPACE_BEGIN

namespace {

namespace fr = toy_fr;

// A noun of the same kind and the other gender, unlike the nouns already in the sentence; -1 if none.
int counterpart(int noun, const fr::Sentence& s) {
  const auto& nouns = fr::nouns();
  for (int n = 0; n < int(nouns.size()); ++n)
    if (nouns[n].kind == nouns[noun].kind && nouns[n].gender != nouns[noun].gender && n != s.subject.noun &&
        n != s.object.noun && (!s.landmark || n != s.landmark->noun))
      return n;
  return -1;
}

Index word_position(const std::vector<std::string>& words, std::string_view word) {
  const auto it = std::find(words.begin(), words.end(), word);
  return it == words.end() ? -1 : Index(it - words.begin());
}

// One sentence ready for the model: source ids + EOS, and the decoder input up to the pronoun.
struct Step {
  std::vector<std::int32_t> src, tgt_in;
  std::int32_t pronoun = 0;  // the grammar's il or elle
};

Step pronoun_step(const Preprocessor& pre, const fr::Sentence& s) {
  Step step;
  step.src = pre.encode_source(fr::english(s));
  step.src.push_back(Vocabulary::kEos);
  const std::string pronoun = fr::french_pronoun(s);
  const std::vector<std::string> target = pre.tokenizer().tokenize(fr::french(s));
  const Index at = word_position(target, pronoun);
  if (at < 0) throw std::logic_error("pronoun probe: no '" + pronoun + "' in " + fr::french(s));
  step.tgt_in = {Vocabulary::kBos};
  for (Index i = 0; i < at; ++i) step.tgt_in.push_back(pre.tgt_vocab().id(target[std::size_t(i)]));
  step.pronoun = pre.tgt_vocab().id(pronoun);
  return step;
}

// The log-probabilities (V) of the token after tgt_in.
Matrix next_log_probs(const Transformer& model, const std::vector<std::int32_t>& src, const std::vector<std::int32_t>& tgt_in) {
  NoGradGuard no_grad;
  const Matrix logits = model.decode(tgt_in, model.encode(src, 1)).value().bottomRows(1);
  const Matrix shifted = logits.array() - logits.maxCoeff();
  return shifted.array() - std::log(shifted.array().exp().sum());
}

// Which of il and elle the model prefers after tgt_in.
std::int32_t choice(const Transformer& model, const Step& step, std::int32_t il, std::int32_t elle) {
  const Matrix lp = next_log_probs(model, step.src, step.tgt_in);
  return lp(0, il) >= lp(0, elle) ? il : elle;
}

// d log p(pronoun) / d input, times the input, summed over features: one score per word.
Attribution gradient_times_input(const Transformer& model, const Step& step) {
  Tape& tape = Tape::current();
  const Index words = Index(step.src.size()) - 1;
  // A leaf: the tape keeps a leaf's gradient, while an op's output loses its own once walked.
  const Tensor embedded(model.embed_source(step.src, 1).value(), /*requires_grad=*/true);
  const Tensor logits = model.decode(step.tgt_in, model.encode_embedded(embedded, step.src, 1));
  const Tensor loss = cross_entropy(slice_rows(logits, logits.rows() - 1, 1), {step.pronoun});  // -log p
  tape.backward(loss);
  tape.clear();
  const Matrix contribution = -(embedded.grad().array() * embedded.value().array()).matrix();
  Attribution out;
  for (Index i = 0; i < words; ++i) out.push_back(double(contribution.row(i).sum()));
  model.zero_grad();
  return out;
}

// How much log p(pronoun) falls when each source word is erased.
Attribution leave_one_out(const Transformer& model, const Step& step) {
  const double full = next_log_probs(model, step.src, step.tgt_in)(0, step.pronoun);
  Attribution out;
  for (std::size_t i = 0; i + 1 < step.src.size(); ++i) {
    std::vector<std::int32_t> erased = step.src;
    erased.erase(erased.begin() + std::ptrdiff_t(i));
    out.push_back(full - next_log_probs(model, erased, step.tgt_in)(0, step.pronoun));
  }
  return out;
}

Matrix head_mean(const Matrix& layer, Index heads) {
  const Index rows = layer.rows() / heads;
  Matrix mean = Matrix::Zero(rows, layer.cols());
  for (Index h = 0; h < heads; ++h) mean += layer.middleRows(h * rows, rows);
  return mean / Scalar(heads);
}

Attribution words_of(const Matrix& row, Index words) {
  Attribution out;
  for (Index i = 0; i < words; ++i) out.push_back(double(row(0, i)));
  return out;
}

// Every attention-based attribution at the pronoun's query: each layer's heads, their mean, and
// rollout (Abnar & Zuidema): the encoder's head-mean maps with the residual as 0.5·A + 0.5·I,
// multiplied through the layers, under the cross-attention.
std::vector<std::pair<std::string, Attribution>> attention_attributions(const Transformer& model, const Step& step) {
  const AttentionMaps maps = model.attention_maps(step.src, step.tgt_in);
  const Index heads = maps.heads, s = Index(step.src.size()), words = s - 1;
  const Index query = Index(step.tgt_in.size()) - 1, queries = Index(step.tgt_in.size());
  Matrix rollout = Matrix::Identity(s, s);
  for (const Matrix& layer : maps.encoder_self) rollout = (0.5 * head_mean(layer, heads) + 0.5 * Matrix::Identity(s, s)) * rollout;
  std::vector<std::pair<std::string, Attribution>> out;
  for (std::size_t l = 0; l < maps.cross.size(); ++l) {
    const std::string layer = "cross L" + std::to_string(l);
    for (Index h = 0; h < heads; ++h)
      out.emplace_back(layer + " H" + std::to_string(h), words_of(maps.cross[l].row(h * queries + query), words));
    const Matrix mean = head_mean(maps.cross[l], heads).row(query);
    out.emplace_back(layer + " mean", words_of(mean, words));
    out.emplace_back("rollout L" + std::to_string(l), words_of(mean * rollout, words));
  }
  return out;
}

}  // namespace

std::vector<PronounProbe> probe_pronouns(const Transformer& model, const Preprocessor& pre,
                                         const std::vector<Example>& examples, std::size_t limit) {
  const std::int32_t il = pre.tgt_vocab().id("il"), elle = pre.tgt_vocab().id("elle");
  if (il == Vocabulary::kUnk || elle == Vocabulary::kUnk)
    throw std::invalid_argument("the model's target vocabulary has no 'il' or 'elle': not a toy-fr model");
  std::vector<PronounProbe> probes;
  for (const Example& e : examples) {
    if (limit > 0 && probes.size() >= limit) break;
    fr::Sentence s = fr::parse(e.source);
    if (!fr::has_pronoun(s)) continue;
    const bool subject_is_referent = fr::referent(s) == &s.subject;
    fr::NounPhrase& referent = subject_is_referent ? s.subject : s.object;
    fr::NounPhrase& other = subject_is_referent ? s.object : s.subject;
    const int referent_swap = counterpart(referent.noun, s), other_swap = counterpart(other.noun, s);
    if (referent_swap < 0 || other_swap < 0) continue;
    PronounProbe p;
    p.english = e.source;
    const std::vector<std::string> words = pre.tokenizer().tokenize(e.source);
    p.referent = word_position(words, fr::nouns()[std::size_t(referent.noun)].english);
    p.other = word_position(words, fr::nouns()[std::size_t(other.noun)].english);
    p.it = word_position(words, "it");
    p.predicate = Index(words.size()) - 1;  // "because it was PRED" ends the sentence
    const Step step = pronoun_step(pre, s);
    const std::int32_t original = choice(model, step, il, elle);
    p.correct = original == step.pronoun;
    fr::Sentence changed = s;
    (subject_is_referent ? changed.subject : changed.object).noun = referent_swap;
    const Step referent_step = pronoun_step(pre, changed);
    p.referent_swap_follows = choice(model, referent_step, il, elle) == referent_step.pronoun && referent_step.pronoun != step.pronoun;
    changed = s;
    (subject_is_referent ? changed.object : changed.subject).noun = other_swap;
    p.other_swap_keeps = choice(model, pronoun_step(pre, changed), il, elle) == original;
    p.methods = attention_attributions(model, step);
    p.methods.emplace_back("gradient x input", gradient_times_input(model, step));
    p.methods.emplace_back("leave-one-out", leave_one_out(model, step));
    probes.push_back(std::move(p));
  }
  return probes;
}

double kendall_tau(const std::vector<double>& a, const std::vector<double>& b) {
  double concordant = 0, discordant = 0, ties_a = 0, ties_b = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = i + 1; j < a.size(); ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0) continue;
      if (da == 0) ties_a += 1;
      else if (db == 0) ties_b += 1;
      else if ((da > 0) == (db > 0)) concordant += 1;
      else discordant += 1;
    }
  const double denominator = std::sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b));
  return denominator > 0 ? (concordant - discordant) / denominator : 0;
}

ProbeSummary summarise(const std::vector<PronounProbe>& probes) {
  ProbeSummary out;
  out.sentences = probes.size();
  if (probes.empty()) return out;
  const double n = double(probes.size());
  for (const PronounProbe& p : probes) {
    out.correct += p.correct / n;
    out.referent_swap_follows += p.referent_swap_follows / n;
    out.other_swap_keeps += p.other_swap_keeps / n;
  }
  const auto& first = probes.front().methods;
  const std::size_t gradient = first.size() - 2, erasure = first.size() - 1;  // the last two methods
  for (std::size_t m = 0; m < first.size(); ++m) {
    MethodSummary s{.name = first[m].first};
    for (const PronounProbe& p : probes) {
      const Attribution& scores = p.methods[m].second;
      const Index top = Index(std::max_element(scores.begin(), scores.end()) - scores.begin());
      (top == p.referent    ? s.referent
       : top == p.other     ? s.other
       : top == p.it        ? s.it
       : top == p.predicate ? s.predicate
                            : s.elsewhere) += 1 / n;
      s.tau_gradient += kendall_tau(scores, p.methods[gradient].second) / n;
      s.tau_leave_one_out += kendall_tau(scores, p.methods[erasure].second) / n;
    }
    out.methods.push_back(s);
  }
  return out;
}

HEED_NAMESPACE_END
