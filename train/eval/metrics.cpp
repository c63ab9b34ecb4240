// Translation metrics: BLEU and chrF as sacreBLEU 2.x computes them (its bleu.py, chrf.py,
// tokenizer_13a.py, re-implemented), exact match and token accuracy. Text is handled as Python
// handles it: strict UTF-8 decoded to code points, whitespace as str.isspace / str.split().
#include "train/eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <unordered_map>

namespace heed {
namespace {

using Text = std::u32string;
using Corpus = std::vector<std::string>;
using Streams = std::vector<std::vector<std::string>>;

// ---- text as Python sees it --------------------------------------------------------------------

// Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF), as Python's 'utf-8' codec.
Text decode_utf8(std::string_view s, const std::string& what) {
  Text out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const int len = b0 < 0x80 ? 1 : b0 < 0xC2 ? 0 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : b0 < 0xF5 ? 4 : 0;
    char32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      c = (c << 6) | (b & 0x3F);
    }
    ok = ok && !(len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) &&
         !(len == 4 && (c < 0x10000 || c > 0x10FFFF));
    if (!ok) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", b0);
      throw std::invalid_argument(what + " is not valid UTF-8: bad sequence at byte offset " + std::to_string(i) +
                                  " (starts with " + byte + ")");
    }
    out.push_back(c);
    i += static_cast<std::size_t>(len);
  }
  return out;
}

std::string encode_utf8(const Text& text) {
  static constexpr unsigned char kLead[] = {0x00, 0xC0, 0xE0, 0xF0};
  std::string out;
  for (char32_t c : text) {
    const int extra = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;  // continuation bytes
    out += static_cast<char>(kLead[extra] | (c >> (6 * extra)));
    for (int k = extra - 1; k >= 0; --k) out += static_cast<char>(0x80 | ((c >> (6 * k)) & 0x3F));
  }
  return out;
}

// Python's str.isspace(), which is what str.split(), strip() and rstrip() use.
bool is_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::vector<Text> split(const Text& text) {
  std::vector<Text> words;
  for (std::size_t i = 0; i < text.size();) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

Text strip(const Text& text, bool left) {
  std::size_t end = text.size(), begin = 0;
  while (end > 0 && is_space(text[end - 1])) --end;
  while (left && begin < end && is_space(text[begin])) ++begin;
  return text.substr(begin, end - begin);
}

void replace_all(Text& text, const Text& from, const Text& to) {
  Text out;
  std::size_t pos = 0;
  for (std::size_t hit; (hit = text.find(from, pos)) != Text::npos; pos = hit + from.size()) {
    out.append(text, pos, hit - pos);
    out += to;
  }
  out.append(text, pos, Text::npos);
  text = std::move(out);
}

// re.sub of a two-character pattern that only inserts spaces: non-overlapping matches, left to
// right. A match "ab" becomes "a b " (or " a b" when space_first).
template <class Match>
Text space_pairs(const Text& text, Match match, bool space_first) {
  Text out;
  std::size_t i = 0;
  for (; i + 1 < text.size(); ++i) {
    if (!match(text[i], text[i + 1])) {
      out += text[i];
    } else {
      out += space_first ? Text{U' ', text[i], U' ', text[i + 1]} : Text{text[i], U' ', text[i + 1], U' '};
      ++i;
    }
  }
  if (i < text.size()) out += text[i];
  return out;
}

bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }  // Python's [0-9]: ASCII only
bool is_period_or_comma(char32_t c) { return c == U'.' || c == U','; }

// The class [\{-\~\[-\` -\&\(-\+\:-\@\/] of mteval-v13a: space and ASCII punctuation but ' , - .
bool is_13a_symbol(char32_t c) {
  return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) || (c >= 0x28 && c <= 0x2B) ||
         (c >= 0x3A && c <= 0x40) || c == U'/';
}

std::vector<Text> tokens_13a(Text line) {
  replace_all(line, U"<skipped>", U"");
  replace_all(line, U"-\n", U"");
  replace_all(line, U"\n", U" ");
  replace_all(line, U"&quot;", U"\"");  // in this order, each once, as sacreBLEU does
  replace_all(line, U"&amp;", U"&");
  replace_all(line, U"&lt;", U"<");
  replace_all(line, U"&gt;", U">");
  Text padded = U" ";
  for (char32_t c : line) padded += is_13a_symbol(c) ? Text{U' ', c, U' '} : Text(1, c);
  padded += U' ';
  // "x." -> "x . " unless x is a digit; ".x" -> " . x" unless x is a digit; "9-" -> "9 - ".
  padded = space_pairs(
      padded, [](char32_t a, char32_t b) { return !is_digit(a) && is_period_or_comma(b); }, false);
  padded = space_pairs(
      padded, [](char32_t a, char32_t b) { return is_period_or_comma(a) && !is_digit(b); }, true);
  padded = space_pairs(
      padded, [](char32_t a, char32_t b) { return is_digit(a) && b == U'-'; }, false);
  return split(padded);
}

// ---- shared argument checks ----------------------------------------------------------------------

std::string count_of(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

void check_corpus(const char* metric, const Corpus& hyps, const Streams& streams) {
  if (hyps.empty()) throw std::invalid_argument(std::string(metric) + ": empty corpus (0 hypotheses)");
  if (streams.empty()) throw std::invalid_argument(std::string(metric) + ": no reference streams given");
  for (std::size_t k = 0; k < streams.size(); ++k) {
    if (streams[k].size() == hyps.size()) continue;
    std::string refs = streams.size() == 1 ? count_of(streams[k].size(), "reference", "references")
                                           : "reference stream " + std::to_string(k + 1) + " has " +
                                                 count_of(streams[k].size(), "segment", "segments");
    throw std::invalid_argument(std::string(metric) + ": " + count_of(hyps.size(), "hypothesis", "hypotheses") +
                                " but " + refs + "; expected one reference per hypothesis");
  }
}

std::string where(const char* metric, const char* side, std::size_t i) {
  return std::string(metric) + ": " + side + " #" + std::to_string(i + 1);
}

// The non-empty references of segment i (sacreBLEU drops ""), or one empty one if there are none.
std::vector<Text> references_of(const char* metric, const Streams& streams, std::size_t i) {
  std::vector<Text> refs;
  for (const auto& stream : streams) {
    if (!stream[i].empty()) refs.push_back(decode_utf8(stream[i], where(metric, "reference", i)));
  }
  if (refs.empty()) refs.emplace_back();
  return refs;
}

// ---- BLEU ----------------------------------------------------------------------------------------

using NgramCounts = std::vector<std::unordered_map<Text, long long>>;  // [order - 1][n-gram] -> count

NgramCounts word_ngrams(const std::vector<Text>& tokens, int max_order) {
  NgramCounts counts(static_cast<std::size_t>(max_order));
  for (std::size_t start = 0; start < tokens.size(); ++start) {
    Text gram = tokens[start];
    for (std::size_t n = 1; n <= counts.size() && start + n <= tokens.size(); ++n) {
      if (n > 1) gram += U' ' + tokens[start + n - 1];  // tokens hold no spaces, so this is unambiguous
      ++counts[n - 1][gram];
    }
  }
  return counts;
}

std::vector<Text> bleu_tokens(const Text& segment, BleuTokenizer tokenizer) {
  Text line = strip(segment, /*left=*/false);  // sacreBLEU right-strips before tokenizing
  return tokenizer == BleuTokenizer::Mteval13a ? tokens_13a(line) : split(line);
}

double log_or_floor(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }  // sacreBLEU's my_log

}  // namespace

BleuScore bleu_from_counts(const std::vector<long long>& counts, const std::vector<long long>& totals,
                           long long sys_len, long long ref_len, const BleuOptions& options) {
  const auto order = static_cast<std::size_t>(options.max_order);
  if (options.max_order < 1 || counts.size() != order || totals.size() != order) {
    throw std::invalid_argument("bleu_from_counts: expected " + std::to_string(options.max_order) +
                                " counts and totals (max_order >= 1), got " + std::to_string(counts.size()) + " and " +
                                std::to_string(totals.size()));
  }
  BleuScore result{0, counts, totals, std::vector<double>(order, 0.0), 1.0, sys_len, ref_len, 0};
  result.ratio = ref_len != 0 ? static_cast<double>(sys_len) / static_cast<double>(ref_len) : 0.0;
  if (sys_len < ref_len) result.bp = sys_len > 0 ? std::exp(1.0 - static_cast<double>(ref_len) / sys_len) : 0.0;
  if (std::all_of(counts.begin(), counts.end(), [](long long c) { return c == 0; })) return result;

  double smooth = options.smooth_value;
  if (smooth < 0) smooth = options.smoothing == BleuSmoothing::Floor ? 0.1 : 1.0;
  double exp_divisor = 1.0;
  std::size_t used_orders = order;
  for (std::size_t n = 1; n <= order; ++n) {
    double correct = static_cast<double>(counts[n - 1]), total = static_cast<double>(totals[n - 1]);
    if (options.smoothing == BleuSmoothing::AddK && n > 1) correct += smooth, total += smooth;
    if (total == 0) break;
    if (options.effective_order) used_orders = n;
    double& precision = result.precisions[n - 1];
    if (correct != 0) {
      precision = 100.0 * correct / total;
    } else if (options.smoothing == BleuSmoothing::Exp) {  // mteval: 1/2, 1/4, ... of a match
      exp_divisor *= 2;
      precision = 100.0 / (exp_divisor * total);
    } else if (options.smoothing == BleuSmoothing::Floor) {
      precision = 100.0 * smooth / total;
    }
  }
  double log_sum = 0;
  for (std::size_t n = 0; n < used_orders; ++n) log_sum += log_or_floor(result.precisions[n]);
  result.score = result.bp * std::exp(log_sum / static_cast<double>(used_orders));
  return result;
}

BleuScore bleu_multi_ref(const Corpus& hypotheses, const Streams& ref_streams, const BleuOptions& options) {
  check_corpus("bleu", hypotheses, ref_streams);
  if (options.max_order < 1)
    throw std::invalid_argument("bleu: max_order must be >= 1, got " + std::to_string(options.max_order));
  const auto order = static_cast<std::size_t>(options.max_order);
  std::vector<long long> counts(order, 0), totals(order, 0);
  long long sys_len = 0, ref_len = 0;
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    NgramCounts ref_max(order);  // per n-gram, its highest count in any reference
    long long closest = -1;
    const auto hyp = bleu_tokens(decode_utf8(hypotheses[i], where("bleu", "hypothesis", i)), options.tokenizer);
    const auto hyp_len = static_cast<long long>(hyp.size());
    for (const Text& ref_text : references_of("bleu", ref_streams, i)) {
      const auto ref = bleu_tokens(ref_text, options.tokenizer);
      const auto len = static_cast<long long>(ref.size());
      // Closest length to the hypothesis; the shorter one on a tie.
      if (closest < 0 || std::llabs(hyp_len - len) < std::llabs(hyp_len - closest) ||
          (std::llabs(hyp_len - len) == std::llabs(hyp_len - closest) && len < closest)) {
        closest = len;
      }
      const NgramCounts grams = word_ngrams(ref, options.max_order);
      for (std::size_t n = 0; n < order; ++n) {
        for (const auto& [gram, c] : grams[n]) ref_max[n][gram] = std::max(ref_max[n][gram], c);
      }
    }
    const NgramCounts hyp_grams = word_ngrams(hyp, options.max_order);
    for (std::size_t n = 0; n < order; ++n) {
      for (const auto& [gram, c] : hyp_grams[n]) {
        totals[n] += c;
        if (auto it = ref_max[n].find(gram); it != ref_max[n].end()) counts[n] += std::min(c, it->second);
      }
    }
    sys_len += hyp_len;
    ref_len += closest;
  }
  return bleu_from_counts(counts, totals, sys_len, ref_len, options);
}

BleuScore bleu(const Corpus& hypotheses, const Corpus& references, const BleuOptions& options) {
  return bleu_multi_ref(hypotheses, Streams{references}, options);
}

double corpus_bleu(const Corpus& hypotheses, const Corpus& references) { return bleu(hypotheses, references).score; }

std::string format_bleu(const BleuScore& score) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "BLEU = %.2f ", score.score);
  std::string out = buf;
  for (std::size_t n = 0; n < score.precisions.size(); ++n) {
    std::snprintf(buf, sizeof buf, n == 0 ? "%.1f" : "/%.1f", score.precisions[n]);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, " (BP = %.3f ratio = %.3f ", score.bp, score.ratio);
  out += buf;
  return out + "hyp_len = " + std::to_string(score.sys_len) + " ref_len = " + std::to_string(score.ref_len) + ")";
}

std::string tokenize_13a(std::string_view line) {
  Text joined;
  for (const Text& token : tokens_13a(decode_utf8(line, "tokenize_13a: line"))) {
    if (!joined.empty()) joined += U' ';
    joined += token;
  }
  return encode_utf8(joined);
}

// ---- chrF ----------------------------------------------------------------------------------------

namespace {

using CharNgrams = std::vector<std::unordered_map<Text, long long>>;  // [order - 1][n-gram] -> count

CharNgrams char_ngrams(const Text& segment, const ChrfOptions& options) {
  Text line;
  for (char32_t c : segment) {
    if (options.whitespace || !is_space(c)) line += c;
  }
  CharNgrams grams(static_cast<std::size_t>(options.char_order));
  for (std::size_t n = 1; n <= grams.size(); ++n) {
    for (std::size_t i = 0; i + n <= line.size(); ++i) ++grams[n - 1][line.substr(i, n)];
  }
  return grams;
}

// Per order: hypothesis n-grams (0 when the reference has none of that order), reference n-grams, matches.
std::vector<long long> chrf_statistics(const CharNgrams& hyp, const CharNgrams& ref) {
  std::vector<long long> stats;
  for (std::size_t n = 0; n < hyp.size(); ++n) {
    long long hyp_count = 0, ref_count = 0, matches = 0;
    for (const auto& [gram, c] : hyp[n]) {
      hyp_count += c;
      if (auto it = ref[n].find(gram); it != ref[n].end()) matches += std::min(c, it->second);
    }
    for (const auto& entry : ref[n]) ref_count += entry.second;
    stats.insert(stats.end(), {ref[n].empty() ? 0 : hyp_count, ref_count, matches});
  }
  return stats;
}

double chrf_from_statistics(const std::vector<long long>& stats, const ChrfOptions& options) {
  const double eps = 1e-16, factor = static_cast<double>(options.beta) * options.beta;
  double eps_score = 0, avg_precision = 0, avg_recall = 0;
  int used_orders = 0;
  for (std::size_t n = 0; 3 * n < stats.size(); ++n) {
    const auto hyp = static_cast<double>(stats[3 * n]), ref = static_cast<double>(stats[3 * n + 1]);
    const auto matches = static_cast<double>(stats[3 * n + 2]);
    const double precision = hyp > 0 ? matches / hyp : eps, recall = ref > 0 ? matches / ref : eps;
    const double denominator = factor * precision + recall;
    eps_score += denominator > 0 ? (1 + factor) * precision * recall / denominator : eps;
    if (hyp > 0 && ref > 0) avg_precision += precision, avg_recall += recall, ++used_orders;
  }
  if (options.eps_smoothing) return 100 * eps_score / options.char_order;
  if (used_orders == 0) return 0.0;
  avg_precision /= used_orders;
  avg_recall /= used_orders;
  if (avg_precision + avg_recall == 0) return 0.0;
  return 100 * ((1 + factor) * avg_precision * avg_recall / (factor * avg_precision + avg_recall));
}

}  // namespace

double chrf_multi_ref(const Corpus& hypotheses, const Streams& ref_streams, const ChrfOptions& options) {
  check_corpus("chrf", hypotheses, ref_streams);
  if (options.char_order < 1 || options.beta < 1) {
    throw std::invalid_argument("chrf: char_order and beta must be >= 1, got " + std::to_string(options.char_order) +
                                " and " + std::to_string(options.beta));
  }
  std::vector<long long> corpus(3 * static_cast<std::size_t>(options.char_order), 0);
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    const CharNgrams hyp = char_ngrams(decode_utf8(hypotheses[i], where("chrf", "hypothesis", i)), options);
    std::vector<long long> best;
    double best_f = -1;
    for (const Text& ref : references_of("chrf", ref_streams, i)) {
      std::vector<long long> stats = chrf_statistics(hyp, char_ngrams(ref, options));
      if (double f = chrf_from_statistics(stats, options); f > best_f) best_f = f, best = std::move(stats);
    }
    for (std::size_t k = 0; k < corpus.size(); ++k) corpus[k] += best[k];
  }
  return chrf_from_statistics(corpus, options);
}

double chrf(const Corpus& hypotheses, const Corpus& references, const ChrfOptions& options) {
  return chrf_multi_ref(hypotheses, Streams{references}, options);
}

double corpus_chrf(const Corpus& hypotheses, const Corpus& references) { return chrf(hypotheses, references, {}); }

// ---- exact match, token accuracy ------------------------------------------------------------------

double exact_match(const Corpus& hypotheses, const Corpus& references) {
  check_corpus("exact_match", hypotheses, Streams{references});
  std::size_t matches = 0;
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    matches += strip(decode_utf8(hypotheses[i], where("exact_match", "hypothesis", i)), true) ==
               strip(decode_utf8(references[i], where("exact_match", "reference", i)), true);
  }
  return static_cast<double>(matches) / static_cast<double>(hypotheses.size());
}

double token_accuracy(const Corpus& hypotheses, const Corpus& references) {
  check_corpus("token_accuracy", hypotheses, Streams{references});
  long long matches = 0, positions = 0;
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    const auto hyp = split(decode_utf8(hypotheses[i], where("token_accuracy", "hypothesis", i)));
    const auto ref = split(decode_utf8(references[i], where("token_accuracy", "reference", i)));
    for (std::size_t t = 0; t < std::min(hyp.size(), ref.size()); ++t) matches += hyp[t] == ref[t];
    positions += static_cast<long long>(std::max(hyp.size(), ref.size()));
  }
  return positions == 0 ? 1.0 : static_cast<double>(matches) / static_cast<double>(positions);
}

}  // namespace heed
