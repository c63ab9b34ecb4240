// Translation metrics: corpus BLEU and chrF exactly as sacreBLEU 2.x computes them, exact match
// and token accuracy. Standard library only. Strings are UTF-8 and are read as Python reads them
// (code points; "whitespace" is Python's str.isspace), so scores match sacreBLEU's digit for digit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace heed {

// Common rules for every function below:
// - hypotheses[i] is scored against references[i]; the counts must agree, else std::invalid_argument
//   naming both counts. An empty corpus (0 segments) is std::invalid_argument too.
// - Every string must be valid UTF-8, else std::invalid_argument naming the segment (1-based).
// - Multi-reference variants take reference *streams* as sacreBLEU does: ref_streams[k][i] is the
//   k-th reference of segment i. An empty reference ("") is skipped for its segment (sacreBLEU's
//   variable number of references).
// - Where sacreBLEU raises because every reference of a segment is "" (always so with one
//   reference), heed instead scores that segment against an empty reference.

enum class BleuTokenizer { Mteval13a, None };         // sacreBLEU tokenize='13a' (default) | 'none'
enum class BleuSmoothing { Exp, Floor, AddK, None };  // sacreBLEU smooth_method 'exp' (default) | ...

struct BleuOptions {
  BleuTokenizer tokenizer = BleuTokenizer::Mteval13a;
  BleuSmoothing smoothing = BleuSmoothing::Exp;
  double smooth_value = -1;      // Floor / AddK only; < 0 means sacreBLEU's default (0.1 / 1)
  int max_order = 4;             // BLEU-4
  bool effective_order = false;  // true: ignore orders with no hypothesis n-grams (sentence BLEU)
};

// Corpus BLEU and its sufficient statistics, as sacreBLEU's BLEUScore reports them.
struct BleuScore {
  double score = 0;                // 0..100
  std::vector<long long> counts;   // matched (clipped) n-grams of order 1..max_order
  std::vector<long long> totals;   // hypothesis n-grams of order 1..max_order
  std::vector<double> precisions;  // 0..100, after smoothing; all 0 when nothing matched
  double bp = 0;                   // brevity penalty: 1 if sys_len >= ref_len, else exp(1 - ref/sys)
  long long sys_len = 0;           // hypothesis tokens
  long long ref_len = 0;           // reference tokens (closest reference length per segment)
  double ratio = 0;                // sys_len / ref_len (0 if ref_len is 0)
};

// BLEU-4 on sacreBLEU's defaults (13a tokenization, exp smoothing), one reference per segment.
BleuScore bleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references,
               const BleuOptions& options = {});
BleuScore bleu_multi_ref(const std::vector<std::string>& hypotheses,
                         const std::vector<std::vector<std::string>>& ref_streams, const BleuOptions& options = {});
// Just the score of bleu(hypotheses, references) with the defaults.
double corpus_bleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);

// The score from already summed statistics (sacreBLEU's BLEU.compute_bleu); counts and totals
// must have options.max_order entries.
BleuScore bleu_from_counts(const std::vector<long long>& counts, const std::vector<long long>& totals,
                           long long sys_len, long long ref_len, const BleuOptions& options = {});

// sacreBLEU's text line: "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)".
std::string format_bleu(const BleuScore& score);

// sacreBLEU's tokenizer_13a (mteval-v13a): drop "<skipped>", join "-\n", unescape &quot; &amp;
// &lt; &gt;, pad punctuation, split "." and "," unless next to a digit ("3.5", "1,000" stay whole),
// split "-" after a digit; tokens joined by single spaces. BLEU right-strips a line before this.
std::string tokenize_13a(std::string_view line);

struct ChrfOptions {
  int char_order = 6;
  int beta = 2;                // recall weighs beta times as much as precision
  bool whitespace = false;     // false: all whitespace is removed before taking character n-grams
  bool eps_smoothing = false;  // false (default): average P and R over the orders both sides have,
                               // then one F-score; true: mean of per-order F-scores, 1e-16 for empty
};

// chrF2 as sacreBLEU's CHRF() (0..100): per order n, character n-gram counts of hypothesis,
// reference and their clipped overlap are summed over the corpus; then precision and recall are
// averaged over the orders where both sums are non-zero, and F_beta is taken of those averages.
double corpus_chrf(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);
double chrf(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references,
            const ChrfOptions& options);
// Per segment, the reference with the best F-score is used (sacreBLEU's rule).
double chrf_multi_ref(const std::vector<std::string>& hypotheses,
                      const std::vector<std::vector<std::string>>& ref_streams, const ChrfOptions& options = {});

// Fraction in [0, 1] of segments whose hypothesis equals its reference after stripping
// surrounding whitespace.
double exact_match(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);

// Fraction in [0, 1] of token positions that agree, over whitespace-split tokens:
//   sum_i #{ t < min(|h_i|, |r_i|) : h_i[t] == r_i[t] }  /  sum_i max(|h_i|, |r_i|)
// so a missing or extra token counts as a wrong position. 1 if every segment is empty on both sides.
double token_accuracy(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);

}  // namespace heed
