// Char and word tokenizers: exact round trips, punctuation and clitics, the factory.
#include <gtest/gtest.h>

#include <stdexcept>

#include "data/tokenizer.h"

namespace heed {
namespace {

using Tokens = std::vector<std::string>;

TEST(CharTokenizer, SplitsCodePointsAndMarksSpaces) {
  const CharTokenizer tokenizer;
  EXPECT_EQ(tokenizer.tokenize("né 日本"), (Tokens{"n", "é", "▁", "日", "本"}));
  EXPECT_EQ(tokenizer.type(), "char");
}

TEST(CharTokenizer, RoundTripsExactly) {
  const CharTokenizer tokenizer;
  for (const std::string text : {"the cat sat", "  two  spaces ", "élève über 日本語", "tab\there", ""}) {
    EXPECT_EQ(tokenizer.detokenize(tokenizer.tokenize(text)), text) << text;
  }
}

TEST(CharTokenizer, RejectsInvalidUtf8) {
  EXPECT_THROW(CharTokenizer().tokenize("caf\xC3"), std::invalid_argument);
}

TEST(WordTokenizer, SplitsPunctuationOffWords) {
  const WordTokenizer tokenizer;
  EXPECT_EQ(tokenizer.tokenize("the cat sat on the mat, because it was soft."),
            (Tokens{"the", "cat", "sat", "on", "the", "mat", ",", "because", "it", "was", "soft", "."}));
  EXPECT_EQ(tokenizer.type(), "word");
}

TEST(WordTokenizer, FrenchClitics) {
  const WordTokenizer tokenizer;
  EXPECT_EQ(tokenizer.tokenize("le chat s'est assis parce qu'il était doux"),
            (Tokens{"le", "chat", "s'", "est", "assis", "parce", "qu'", "il", "était", "doux"}));
  EXPECT_EQ(tokenizer.tokenize("l’été"), (Tokens{"l’", "été"}));
}

TEST(WordTokenizer, KeepsPunctuationInsideWords) {
  EXPECT_EQ(WordTokenizer().tokenize("a well-known 3.14 and/or 1,000"),
            (Tokens{"a", "well-known", "3.14", "and/or", "1,000"}));
}

TEST(WordTokenizer, RoundTripsTypicalSentences) {
  const WordTokenizer tokenizer;
  for (const std::string text : {
           "the cat sat on the mat, because it was soft.",
           "le chat s'est assis sur le tapis parce qu'il était doux",
           "Hello (world)! Is it 3.14, or 42%?",
           "He said \"hi there\" and left.",
           "Müller's café: über 日本 'quoted' words...",
           "l'été, c'était « génial »",
       }) {
    EXPECT_EQ(tokenizer.detokenize(tokenizer.tokenize(text)), text) << text;
  }
}

TEST(WordTokenizer, CollapsesWhitespace) {
  const WordTokenizer tokenizer;
  EXPECT_EQ(tokenizer.tokenize("  a \t b\n"), (Tokens{"a", "b"}));
  EXPECT_EQ(tokenizer.detokenize({"a", "b"}), "a b");
}

TEST(MakeTokenizer, BuildsEachTypeAndRejectsOthers) {
  for (const auto& type : tokenizer_types()) {
    if (type == "spm") continue;  // made from its model (test_spm.cpp)
    EXPECT_EQ(make_tokenizer(type)->type(), type);
  }
  try {
    make_tokenizer("sentencepiece");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "unknown tokenizer 'sentencepiece'; valid tokenizers: char, word, bpe, spm");
  }
}

TEST(MakeTokenizer, BpeUsesTheGivenMerges) {
  const auto tokenizer = make_tokenizer("bpe", {{"a", "b"}});
  EXPECT_EQ(tokenizer->tokenize("abc"), (Tokens{"ab", "c"}));
}

}  // namespace
}  // namespace heed
