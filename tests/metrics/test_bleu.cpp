// Corpus BLEU: small cases worked out by hand, then values published in sacreBLEU's own test suite
// and documentation (github.com/mjpost/sacrebleu), reproduced to the precision they are stated at.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "train/eval/metrics.h"

namespace heed {
namespace {

using Lines = std::vector<std::string>;

BleuOptions smoothing(BleuSmoothing method, double value = -1, bool effective_order = false,
                      BleuTokenizer tokenizer = BleuTokenizer::Mteval13a) {
  BleuOptions options;
  options.smoothing = method;
  options.smooth_value = value;
  options.effective_order = effective_order;
  options.tokenizer = tokenizer;
  return options;
}

// ---- by hand -------------------------------------------------------------------------------------

TEST(Bleu, PerfectMatchIs100) {
  BleuScore s = bleu({"The cat sat on the mat.", "A dog!"}, {"The cat sat on the mat.", "A dog!"});
  EXPECT_DOUBLE_EQ(s.score, 100.0);
  EXPECT_DOUBLE_EQ(s.bp, 1.0);
  EXPECT_EQ(s.sys_len, 10);  // "The cat sat on the mat ." + "A dog !"
  EXPECT_EQ(s.ref_len, 10);
  for (double p : s.precisions) EXPECT_DOUBLE_EQ(p, 100.0);
}

TEST(Bleu, NoOverlapIsZero) {
  BleuScore s = bleu({"a b c d"}, {"e f g h"});
  EXPECT_EQ(s.score, 0.0);
  EXPECT_EQ(s.counts, (std::vector<long long>{0, 0, 0, 0}));
  EXPECT_EQ(s.totals, (std::vector<long long>{4, 3, 2, 1}));
}

TEST(Bleu, BrevityPenaltyByHand) {
  // Every hypothesis n-gram matches, so all precisions are 100; 5 tokens against 6:
  // BLEU = 100 · exp(1 - ref_len / sys_len) = 100 · exp(1 - 6/5).
  BleuScore s = bleu({"the cat sat on the"}, {"the cat sat on the mat"});
  EXPECT_NEAR(s.bp, std::exp(1.0 - 6.0 / 5.0), 1e-15);
  EXPECT_NEAR(s.score, 100.0 * std::exp(-0.2), 1e-12);
  EXPECT_NEAR(s.ratio, 5.0 / 6.0, 1e-15);
  // A longer hypothesis gets no penalty.
  EXPECT_DOUBLE_EQ(bleu({"the cat sat on the mat"}, {"the cat sat on"}).bp, 1.0);
}

TEST(Bleu, ExpSmoothingOfAShortSentence) {
  // "the cat sat down" vs "the cat sat up": 3/4, 2/3, 1/2 and 0/1 four-grams. The exp method
  // (mteval-v13a) replaces the k-th zero count by 1/2^k: p4 = 1/(2·1).
  EXPECT_NEAR(corpus_bleu({"the cat sat down"}, {"the cat sat up"}),
              100.0 * std::pow(3.0 / 4 * 2.0 / 3 * 1.0 / 2 * 1.0 / 2, 0.25), 1e-12);
  // Two zero orders: 4/5, 2/4, then 0/3 -> 1/(2·3) and 0/2 -> 1/(4·2).
  EXPECT_NEAR(corpus_bleu({"a b c d e"}, {"a b x d e"}), 100.0 * std::pow(4.0 / 5 * 2.0 / 4 * 1.0 / 6 * 1.0 / 8, 0.25),
              1e-12);
  // No smoothing: a zero precision makes the score 0.
  EXPECT_EQ(bleu({"a b c d e"}, {"a b x d e"}, smoothing(BleuSmoothing::None)).score, 0.0);
}

TEST(Bleu, TooShortForFourGramsScoresZeroWithoutEffectiveOrder) {
  // No 4-gram exists: its precision is 0, so corpus BLEU is 0 unless effective order is on.
  EXPECT_EQ(corpus_bleu({"the cat"}, {"the cat"}), 0.0);
  EXPECT_DOUBLE_EQ(bleu({"the cat"}, {"the cat"}, smoothing(BleuSmoothing::Exp, -1, true)).score, 100.0);
}

TEST(Bleu, StatisticsAreSummedOverTheCorpus) {
  // Corpus BLEU is not the mean of sentence scores: counts and lengths are summed first.
  BleuScore s = bleu({"a b c d", "x y"}, {"a b c d", "x z"});
  EXPECT_EQ(s.counts, (std::vector<long long>{5, 3, 2, 1}));
  EXPECT_EQ(s.totals, (std::vector<long long>{6, 4, 2, 1}));
  EXPECT_NEAR(s.score, 100.0 * std::pow(5.0 / 6 * 3.0 / 4 * 2.0 / 2 * 1.0 / 1, 0.25), 1e-12);
}

TEST(Bleu, TokenizesWith13aBeforeMatching) {
  // Detokenized and tokenized forms of the same sentence agree after 13a.
  EXPECT_DOUBLE_EQ(corpus_bleu({"Hello, world! It's 3.5 (or 1,000)."}, {"Hello , world ! It's 3.5 ( or 1,000 ) ."}),
                   100.0);
  EXPECT_LT(bleu({"Hello, world! Hi there"}, {"Hello , world ! Hi there"},
                 smoothing(BleuSmoothing::Exp, -1, false, BleuTokenizer::None))
                .score,
            100.0);
}

TEST(Bleu, MultipleReferences) {
  // A hypothesis n-gram is clipped by its highest count in any one reference, not their sum.
  EXPECT_EQ(bleu_multi_ref({"a a a a"}, {{"a b"}, {"a c"}}).counts[0], 1);
  // The reference length is the one closest to the hypothesis; on a tie, the shorter.
  EXPECT_EQ(bleu_multi_ref({"a b c"}, {{"a b c d"}, {"a b"}}).ref_len, 2);
  EXPECT_EQ(bleu_multi_ref({"a b c"}, {{"a b"}, {"a b c d"}}).ref_len, 2);
  EXPECT_EQ(bleu_multi_ref({"a b c"}, {{"a"}, {"a b c d"}}).ref_len, 4);
}

TEST(Bleu, RejectsMismatchedCountsNamingBoth) {
  try {
    corpus_bleu({"a", "b", "c"}, {"a", "b"});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("3 hypotheses"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2 references"), std::string::npos) << e.what();
  }
  EXPECT_THROW(corpus_bleu({}, {}), std::invalid_argument);
  EXPECT_THROW(bleu_multi_ref({"a"}, {{"a"}, {}}), std::invalid_argument);
}

TEST(Bleu, RejectsInvalidUtf8NamingTheSegment) {
  try {
    corpus_bleu({"ok", "bad \xff"}, {"ok", "ok"});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("hypothesis #2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(corpus_bleu({"ok"}, {"\xc0\xaf"}), std::invalid_argument);  // overlong '/'
}

TEST(Bleu, EmptyReferenceScoresAsZeroTokens) {
  // sacreBLEU raises on an empty reference; heed scores it as a reference with no tokens.
  BleuScore s = bleu({"a b c d", "a"}, {"a b c d", ""});
  EXPECT_EQ(s.ref_len, 4);
  EXPECT_EQ(s.sys_len, 5);
  EXPECT_EQ(s.totals[0], 5);
  EXPECT_EQ(s.counts[0], 4);
}

// ---- published values: sacreBLEU's test/test_bleu.py ----------------------------------------------

const Lines kHyps = {"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."};
const std::vector<Lines> kRefs = {{"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
                                  {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};

TEST(BleuPublished, CorpusBleuCases) {
  // test_corpus_bleu_cases, asserted there to EPSILON = 1e-8.
  EXPECT_NEAR(bleu_multi_ref(kHyps, kRefs).score, 48.530827, 1e-8);
  EXPECT_EQ(bleu_multi_ref({"", "", ""}, kRefs).score, 0.0);
  EXPECT_NEAR(bleu_multi_ref(kHyps, kRefs, smoothing(BleuSmoothing::Exp, -1, false, BleuTokenizer::None)).score,
              49.1919566, 1e-8);
  EXPECT_NEAR(bleu_multi_ref(kHyps, kRefs, smoothing(BleuSmoothing::None)).score, 48.530827, 1e-8);
}

TEST(BleuPublished, MaxNgramOrder) {
  // test_bleu_max_order: BLEU(max_ngram_order=order), compared as "%.2f" strings.
  const char* expected[] = {"77.65", "60.50", "53.93", "48.53", "46.14", "43.28"};
  for (int order = 1; order <= 6; ++order) {
    BleuOptions options;
    options.max_order = order;
    char text[16];
    std::snprintf(text, sizeof text, "%.2f", bleu_multi_ref(kHyps, kRefs, options).score);
    EXPECT_EQ(std::string(text), expected[order - 1]) << "max_order " << order;
  }
}

// raw_corpus_bleu = floor smoothing, no tokenization, effective order (sacreBLEU's compat.py).
double raw_corpus_bleu(const Lines& hyps, const Lines& refs, double floor = 0.1) {
  return bleu(hyps, refs, smoothing(BleuSmoothing::Floor, floor, true, BleuTokenizer::None)).score / 100;
}

TEST(BleuPublished, RawBleuAndEffectiveOrder) {
  // test_raw_bleu_cases and test_case_effective_order (floor 0.01), EPSILON = 1e-8.
  EXPECT_EQ(raw_corpus_bleu({"this is a test", "another test"}, {"ref1", "ref2"}, 0.01), 0.0);
  EXPECT_NEAR(raw_corpus_bleu({"this is a test"}, {"this is a test"}, 0.01), 1.0, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu({"this is a fest"}, {"this is a test"}, 0.01), 0.223606797749979, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu({"test"}, {"a test"}, 0.01), 0.3678794411714425, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu({"a test"}, {"a test"}, 0.01), 1.0, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu({"a little test"}, {"a test"}, 0.01), 0.03218297948685433, 1e-8);
}

TEST(BleuPublished, StatisticsOffsetAndScoring) {
  // test_case_statistics: counts and totals of one pair.
  const Lines hyp = {"am I am a character sequence"}, ref = {"I am a symbol string sequence a a"};
  BleuScore s = bleu(hyp, ref, smoothing(BleuSmoothing::Floor, 0.01, true, BleuTokenizer::None));
  EXPECT_EQ(s.counts, (std::vector<long long>{4, 2, 1, 0}));
  EXPECT_EQ(s.totals, (std::vector<long long>{6, 5, 4, 3}));
  // test_case_offset: floor 0.0 gives 0, the default floor (0.1) gives 0.1555722182.
  EXPECT_NEAR(raw_corpus_bleu(hyp, ref, 0.0), 0.0, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu(hyp, ref), 0.1555722182, 1e-8);
  // test_case_scoring: compute_bleu([9,7,5,3], [10,8,6,4], 11, 11) = 0.8375922397.
  EXPECT_NEAR(bleu_from_counts({9, 7, 5, 3}, {10, 8, 6, 4}, 11, 11, smoothing(BleuSmoothing::None)).score / 100,
              0.8375922397, 1e-8);
  // test_case_degenerate_stats (floor smoothing): all are exactly 0.
  EXPECT_EQ(bleu_from_counts({0, 0, 0, 0}, {4, 4, 2, 1}, 0, 1, smoothing(BleuSmoothing::Floor, 0.0)).score, 0.0);
  EXPECT_EQ(bleu_from_counts({0, 0, 0, 0}, {10, 11, 12, 0}, 14, 10, smoothing(BleuSmoothing::Floor, 0.0)).score, 0.0);
  EXPECT_EQ(bleu_from_counts({6, 5, 4, 0}, {6, 5, 4, 3}, 6, 6, smoothing(BleuSmoothing::Floor, 0.0)).score, 0.0);
  EXPECT_EQ(bleu_from_counts({0, 0, 0, 0}, {0, 0, 0, 0}, 1, 5, smoothing(BleuSmoothing::Floor, 0.01)).score, 0.0);
  EXPECT_THROW(bleu_from_counts({1, 2}, {1, 2, 3, 4}, 1, 1), std::invalid_argument);
}

TEST(BleuPublished, SentenceBleuSmoothingMethods) {
  // test/test_sentence_bleu.py (example from sacreBLEU issue #98), effective order on, EPSILON = 1e-3.
  const Lines ref = {"producţia de zahăr brut se exprimă în zahăr alb;"};
  const Lines sys = {"Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;"};
  auto sentence = [&](BleuSmoothing method, double value, BleuTokenizer tok = BleuTokenizer::Mteval13a) {
    return bleu(sys, ref, smoothing(method, value, true, tok)).score;
  };
  EXPECT_NEAR(sentence(BleuSmoothing::Exp, -1), 8.493, 1e-3);
  EXPECT_NEAR(sentence(BleuSmoothing::None, -1), 0.0, 1e-3);
  EXPECT_NEAR(sentence(BleuSmoothing::Floor, -1), 4.51688, 1e-3);
  EXPECT_NEAR(sentence(BleuSmoothing::Floor, 0.1), 4.51688, 1e-3);
  EXPECT_NEAR(sentence(BleuSmoothing::Floor, 0.5), 10.10, 1e-3);
  EXPECT_NEAR(sentence(BleuSmoothing::AddK, -1), 14.882, 1e-3);
  EXPECT_NEAR(sentence(BleuSmoothing::AddK, 2), 21.389, 1e-3);
  EXPECT_NEAR(sentence(BleuSmoothing::Exp, -1, BleuTokenizer::None), 7.347, 1e-3);
  // test_cases_zero_bleu (issue #141): nothing matches, every method gives 0.
  for (auto method : {BleuSmoothing::Exp, BleuSmoothing::None, BleuSmoothing::Floor, BleuSmoothing::AddK}) {
    EXPECT_EQ(bleu({"this is a cat"}, {"okay thanks"}, smoothing(method, -1, true)).score, 0.0);
  }
}

// ---- published values: sacreBLEU's README and the Hugging Face sacrebleu metric card ----------------

TEST(BleuPublished, ReadmeTextLines) {
  // README "Using SacreBLEU from Python": two references, then a variable number of references.
  EXPECT_EQ(format_bleu(bleu_multi_ref(kHyps, kRefs)),
            "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)");
  std::vector<Lines> variable = kRefs;
  variable[0][0] = "";
  EXPECT_EQ(format_bleu(bleu_multi_ref(kHyps, variable)),
            "BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)");
}

TEST(BleuPublished, HuggingFaceMetricCard) {
  // huggingface/datasets metrics/sacrebleu/README.md, printed as a Python float (17 digits).
  BleuScore s =
      bleu_multi_ref({"hello there general kenobi", "on our way to ankh morpork"},
                     {{"hello there general kenobi", "goodbye ankh morpork"}, {"hello there !", "ankh morpork"}});
  EXPECT_NEAR(s.score, 39.76353643835252, 1e-12);
  EXPECT_EQ(s.counts, (std::vector<long long>{6, 4, 2, 1}));
  EXPECT_EQ(s.totals, (std::vector<long long>{10, 8, 6, 4}));
  EXPECT_NEAR(s.precisions[2], 33.333333333333336, 1e-12);
  EXPECT_EQ(s.sys_len, 10);
  EXPECT_EQ(s.ref_len, 7);
}

}  // namespace
}  // namespace heed
