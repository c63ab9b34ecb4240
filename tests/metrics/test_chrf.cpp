// chrF: small cases worked out by hand, then values published in sacreBLEU's test/test_chrf.py,
// its README and the Hugging Face chrF metric card, reproduced to the precision they are stated at.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "train/eval/metrics.h"

namespace heed {
namespace {

using Lines = std::vector<std::string>;

// F_beta of precision p and recall r, on the 0-100 scale.
double f_score(double p, double r, double beta = 2) { return 100 * (1 + beta * beta) * p * r / (beta * beta * p + r); }

ChrfOptions options(int beta, bool eps_smoothing, bool whitespace = false) {
  ChrfOptions o;
  o.beta = beta;
  o.eps_smoothing = eps_smoothing;
  o.whitespace = whitespace;
  return o;
}

// ---- by hand -------------------------------------------------------------------------------------

TEST(Chrf, PerfectMatchIs100AndNoOverlapIs0) {
  EXPECT_DOUBLE_EQ(corpus_chrf({"The cat sat.", "a"}, {"The cat sat.", "a"}), 100.0);
  EXPECT_EQ(corpus_chrf({"abc def"}, {"xyz uvw"}), 0.0);
  EXPECT_EQ(corpus_chrf({""}, {"reference"}), 0.0);
}

TEST(Chrf, AveragesPrecisionAndRecallOverOrdersBothSidesHave) {
  // "ab" vs "ac": 1-grams P = R = 1/2; 2-grams P = R = 0; orders 3..6 exist on neither side and
  // are left out. Averages P = R = 1/4, and F2(1/4, 1/4) = 1/4.
  EXPECT_NEAR(corpus_chrf({"ab"}, {"ac"}), 25.0, 1e-12);
  // "abc" vs "a": only order 1 counts: P = 1/3, R = 1.
  EXPECT_NEAR(corpus_chrf({"abc"}, {"a"}), f_score(1.0 / 3, 1.0), 1e-12);
}

TEST(Chrf, SumsStatisticsOverTheCorpusBeforeTheFScore) {
  // Sentence scores would be 100 and 0 (mean 50). Corpus sums: 1-grams 2 of 3 both ways,
  // 2-grams 1 of 1: P = R = (2/3 + 1) / 2.
  EXPECT_NEAR(corpus_chrf({"ab", "c"}, {"ab", "d"}), 100.0 * 5.0 / 6.0, 1e-12);
  // A hypothesis n-gram is not counted when its reference has no n-gram of that order:
  // "abc" vs "a" adds nothing to order 2, so order 2 is 1 of 1 ("de"). Order 1: P = 3/5, R = 3/3.
  EXPECT_NEAR(corpus_chrf({"abc", "de"}, {"a", "de"}), f_score((3.0 / 5 + 1) / 2, 1.0), 1e-12);
}

TEST(Chrf, WhitespaceIsRemovedAndCharactersAreCodePoints) {
  EXPECT_DOUBLE_EQ(corpus_chrf({"a b\tc"}, {"abc"}), 100.0);
  EXPECT_DOUBLE_EQ(corpus_chrf({"a\u00a0b\u3000c"}, {"abc"}), 100.0);  // Python's isspace includes these
  // "éa" vs "éb" counted by code point is like "ab" vs "ac"; by UTF-8 bytes it would not be.
  EXPECT_NEAR(corpus_chrf({"éa"}, {"éb"}), 25.0, 1e-12);
  EXPECT_LT(chrf({"a b"}, {"ab"}, options(2, false, true)), 100.0);  // whitespace kept: "a b" != "ab"
}

TEST(Chrf, RejectsMismatchedCountsAndBadInput) {
  try {
    corpus_chrf({"a"}, {"a", "b"});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("1 hypothesis"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2 references"), std::string::npos) << e.what();
  }
  EXPECT_THROW(corpus_chrf({}, {}), std::invalid_argument);
  EXPECT_THROW(corpus_chrf({"a"}, {"\xed\xa0\x80"}), std::invalid_argument);  // a UTF-8 encoded surrogate
  EXPECT_THROW(chrf({"a"}, {"a"}, options(0, false)), std::invalid_argument);
}

// ---- published values ----------------------------------------------------------------------------

TEST(ChrfPublished, HuggingFaceMetricCard) {
  // huggingface/datasets metrics/chrf (sacreBLEU's CHRF with defaults), printed as Python floats.
  EXPECT_NEAR(corpus_chrf({"The relationship between Obama and Netanyahu is not exactly friendly."},
                          {"The ties between Obama and Netanyahu are not particularly friendly."}),
              61.576379378113785, 1e-12);
  EXPECT_NEAR(corpus_chrf({"The relationship between cats and dogs is not exactly friendly.",
                           "a good bookshop is just a genteel black hole that knows how to read."},
                          {"The relationship between dogs and cats is not exactly friendly.",
                           "A good bookshop is just a genteel Black Hole that knows how to read."}),
              84.64214891738334, 1e-12);
}

TEST(ChrfPublished, ReadmeMultiReference) {
  // sacreBLEU README "Using SacreBLEU from Python": chrF2 = 59.73 with two references.
  const Lines sys = {"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."};
  const std::vector<Lines> refs = {
      {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
      {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  EXPECT_NEAR(chrf_multi_ref(sys, refs), 59.73, 0.005);
}

TEST(ChrfPublished, EffectiveOrderCases) {
  // test_chrf.py test_cases_effective_order: beta = 3, eps_smoothing = False, EPSILON = 1e-4.
  const auto o = options(3, false);
  EXPECT_NEAR(chrf({"a"}, {"a"}, o), 100.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"reference"}, o), 0.0, 1e-4);
  EXPECT_NEAR(chrf({"a b c"}, {"a b c"}, o), 100.0, 1e-4);
  EXPECT_NEAR(chrf({"a b c"}, {"abc"}, o), 100.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"c"}, o), 0.0, 1e-4);
  EXPECT_NEAR(chrf({"a", "b"}, {"a", "c"}, o), 50.0, 1e-4);
  EXPECT_NEAR(chrf({"aa"}, {"ab"}, o), 25.0, 1e-4);
}

TEST(ChrfPublished, EpsSmoothingCases) {
  // test_chrf.py test_cases: beta = 3, eps_smoothing = True, EPSILON = 1e-4.
  const auto o = options(3, true);
  EXPECT_NEAR(chrf({"abcdefg"}, {"hijklmnop"}, o), 0.0, 1e-4);
  EXPECT_NEAR(chrf({"a"}, {"b"}, o), 0.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"b"}, o), 0.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"ref"}, o), 0.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"reference"}, o), 0.0, 1e-4);
  EXPECT_NEAR(chrf({"aa"}, {"ab"}, o), 8.3333, 1e-4);
  EXPECT_NEAR(chrf({"a", "b"}, {"a", "c"}, o), 8.3333, 1e-4);
  EXPECT_NEAR(chrf({"a"}, {"a"}, o), 16.6667, 1e-4);
  EXPECT_NEAR(chrf({"a b c"}, {"a b c"}, o), 50.0, 1e-4);
  EXPECT_NEAR(chrf({"a b c"}, {"abc"}, o), 50.0, 1e-4);
  EXPECT_NEAR(chrf({" risk assessment must be made of those who are qualified and expertise in the sector - these "
                    "are the scientists ."},
                   {"risk assessment has to be undertaken by those who are qualified and expert in that area - "
                    "that is the scientists ."},
                   o),
              63.361730, 1e-4);
  // This value is the default (effective order) score of the pair, 64.13026983; the eps-smoothed
  // score is 64.13022156, inside the test's 1e-4. Both are checked, each to its own precision.
  const Lines die = {" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "};
  const Lines das = {"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."};
  EXPECT_NEAR(chrf(die, das, o), 64.1302698, 1e-4);
  EXPECT_NEAR(chrf(die, das, options(3, false)), 64.1302698, 1e-7);
  EXPECT_NEAR(chrf({"Niemand hat die Absicht, eine Mauer zu errichten"},
                   {"Niemand hat die Absicht, eine Mauer zu errichten"}, o),
              100.0, 1e-4);
}

TEST(ChrfPublished, KeepWhitespaceCases) {
  // test_chrf.py test_cases_keep_whitespace: beta = 3, whitespace kept, EPSILON = 1e-4.
  const auto o = options(3, false, true);
  EXPECT_NEAR(chrf({"Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."},
                   {"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."}, o),
              67.3481606, 1e-4);
  EXPECT_NEAR(chrf({"risk assessment must be made of those who are qualified and expertise in the sector - these "
                    "are the scientists ."},
                   {"risk assessment has to be undertaken by those who are qualified and expert in that area - "
                    "that is the scientists ."},
                   o),
              65.2414427, 1e-4);
}

TEST(ChrfPublished, SentenceLevelEpsSmoothing) {
  // test_chrf.py test_sentence_level_chrf: sentence_chrf(..., eps_smoothing=True), beta 2, EPSILON = 1e-4.
  const auto o = options(2, true);
  EXPECT_NEAR(chrf({"Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře."},
                   {"Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře."}, o),
              39.14078509, 1e-4);
  EXPECT_NEAR(chrf({"Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři."},
                   {"A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři."}, o),
              31.22557079, 1e-4);
  EXPECT_NEAR(chrf({"Lapali po dechu, jejich životy skončily dřív, než skutečně začaly."},
                   {"Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli."}, o),
              57.15704367, 1e-4);
}

}  // namespace
}  // namespace heed
