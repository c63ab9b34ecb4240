// BPE: learning picks the most frequent pairs deterministically, encoding applies merges by
// rank, and detokenize is exact, including for non-ASCII text.
#include <gtest/gtest.h>

#include <stdexcept>

#include "data/bpe.h"

namespace heed {
namespace {

using Tokens = std::vector<std::string>;

const std::vector<std::string> kCorpus = {
    "the cat sat on the mat", "the cat ate", "le chat s'est assis sur le tapis", "über café 日本 日本語",
    "the mat was soft, because it was the mat."};

TEST(Bpe, WordsCarryTheirSpaceMarker) {
  const auto words = bpe_words("the cat, é");
  ASSERT_EQ(words.size(), 4u);
  EXPECT_EQ(words[0], (Tokens{"t", "h", "e"}));
  EXPECT_EQ(words[1], (Tokens{"▁", "c", "a", "t"}));
  EXPECT_EQ(words[2], (Tokens{","}));
  EXPECT_EQ(words[3], (Tokens{"▁", "é"}));
}

TEST(Bpe, LearnsTheMostFrequentPairFirst) {
  // "a b" occurs 4 times, "b c" 2 times.
  const BpeTokenizer bpe = BpeTokenizer::learn({"abc abc ab ab"}, 1);
  ASSERT_EQ(bpe.merges().size(), 1u);
  EXPECT_EQ(bpe.merges()[0], (BpeMerge{"a", "b"}));
}

TEST(Bpe, BreaksTiesByTokenOrderAndStopsWithoutRepeats) {
  // "x y" and "p q" both occur twice; ("p", "q") sorts first. Nothing else repeats.
  const BpeTokenizer bpe = BpeTokenizer::learn({"xy pq", "xy pq"}, 10);
  ASSERT_GE(bpe.merges().size(), 2u);
  EXPECT_EQ(bpe.merges()[0], (BpeMerge{"p", "q"}));
  EXPECT_EQ(bpe.merges()[1], (BpeMerge{"x", "y"}));
  EXPECT_EQ(bpe.tokenize("xy pq"), (Tokens{"xy", "▁pq"}));
  EXPECT_EQ(BpeTokenizer::learn({"abc"}, 5).merges().size(), 0u);
}

TEST(Bpe, IsDeterministicAndOrderIndependent) {
  std::vector<std::string> reversed(kCorpus.rbegin(), kCorpus.rend());
  const auto merges = BpeTokenizer::learn(kCorpus, 30).merges();
  EXPECT_FALSE(merges.empty());
  EXPECT_EQ(BpeTokenizer::learn(kCorpus, 30).merges(), merges);
  EXPECT_EQ(BpeTokenizer::learn(reversed, 30).merges(), merges);
}

TEST(Bpe, MergesNeverCrossWords) {
  const BpeTokenizer bpe = BpeTokenizer::learn(kCorpus, 200);
  for (const auto& [left, right] : bpe.merges()) {
    EXPECT_EQ((left + right).find("▁", 1), std::string::npos) << left << " + " << right;
  }
}

TEST(Bpe, RoundTripsExactly) {
  const BpeTokenizer bpe = BpeTokenizer::learn(kCorpus, 40);
  for (const std::string text : {"the cat sat on the mat", "  spaced   out  ", "über café 日本", "unseen wörds, ok?",
                                 "tab\tand\nnewline", ""}) {
    const Tokens tokens = bpe.tokenize(text);
    EXPECT_EQ(bpe.detokenize(tokens), text) << text;
  }
  EXPECT_LT(bpe.tokenize("the cat sat on the mat").size(), 22u);  // merges shorten known text
}

TEST(Bpe, ReloadedMergesTokenizeTheSame) {
  const BpeTokenizer learned = BpeTokenizer::learn(kCorpus, 25);
  std::vector<BpeMerge> reloaded;
  for (const auto& merge : learned.merges()) reloaded.push_back(parse_merge(format_merge(merge)));
  const BpeTokenizer loaded(reloaded);
  EXPECT_EQ(loaded.tokenize("le chat était sur le tapis"), learned.tokenize("le chat était sur le tapis"));
}

TEST(Bpe, AppliesMergesByRank) {
  // With "b c" ranked before "a b", "abc" becomes a + bc, not ab + c.
  const BpeTokenizer bpe({{"b", "c"}, {"a", "b"}});
  EXPECT_EQ(bpe.tokenize("abc"), (Tokens{"a", "bc"}));
  EXPECT_EQ(bpe.tokenize("abab"), (Tokens{"ab", "ab"}));
}

TEST(Bpe, RejectsMalformedMerges) {
  EXPECT_THROW(BpeTokenizer(std::vector<BpeMerge>{{"a", ""}}), std::invalid_argument);
  EXPECT_THROW(BpeTokenizer(std::vector<BpeMerge>{{"a b", "c"}}), std::invalid_argument);
  EXPECT_THROW(parse_merge("ab"), std::invalid_argument);
  EXPECT_THROW(parse_merge("a b c"), std::invalid_argument);
  EXPECT_EQ(parse_merge("▁t he"), (BpeMerge{"▁t", "he"}));
}

}  // namespace
}  // namespace heed
