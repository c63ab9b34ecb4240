// The 13a tokenizer (sacreBLEU's tokenizer_13a, after mteval-v13a.pl). Expected strings follow its
// regular expressions; each was also checked by running those expressions in Python's re module.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "train/eval/metrics.h"

namespace heed {
namespace {

TEST(Tokenize13a, SeparatesPunctuation) {
  EXPECT_EQ(tokenize_13a("Hello, world!"), "Hello , world !");
  EXPECT_EQ(tokenize_13a("don't (hi) $5 50% a/b x@y.z"), "don't ( hi ) $ 5 50 % a / b x @ y . z");
  EXPECT_EQ(tokenize_13a("[tag]{x}|~^_`"), "[ tag ] { x } | ~ ^ _ `");
  EXPECT_EQ(tokenize_13a("e.g. U.S.A."), "e . g . U . S . A .");
}

TEST(Tokenize13a, UnescapesTheFourEntitiesOnce) {
  EXPECT_EQ(tokenize_13a("&quot;Hi&quot; &amp; bye &lt;3 &gt;"), "\" Hi \" & bye < 3 >");
  // &amp; is replaced after &quot;, so "&amp;quot;" becomes the text "&quot;", not a quote.
  EXPECT_EQ(tokenize_13a("&amp;quot;"), "& quot ;");
  EXPECT_EQ(tokenize_13a("&apos;"), "& apos ;");  // not one of the four
}

TEST(Tokenize13a, KeepsNumbersWhole) {
  // "." and "," split off unless a digit is on the side the rule looks at.
  EXPECT_EQ(tokenize_13a("It costs 3.5 or 1,000 dollars."), "It costs 3.5 or 1,000 dollars .");
  EXPECT_EQ(tokenize_13a("Pi is 3.14."), "Pi is 3.14 .");
  EXPECT_EQ(tokenize_13a("3,a 3.a a.3 a,3"), "3 , a 3 . a a . 3 a , 3");
  // "-" splits only after a digit.
  EXPECT_EQ(tokenize_13a("1990-2000 well-known x--y 5-"), "1990 - 2000 well-known x--y 5 -");
}

TEST(Tokenize13a, LineBreaksSkippedAndWhitespace) {
  EXPECT_EQ(tokenize_13a("a <skipped> b"), "a b");
  EXPECT_EQ(tokenize_13a("foo-\nbar\nbaz"), "foobar baz");  // "-\n" joins, "\n" is a space
  EXPECT_EQ(tokenize_13a("  spaced \t  out  "), "spaced out");
  EXPECT_EQ(tokenize_13a("a\u00a0b\u3000c"), "a b c");  // Unicode spaces split, as Python's str.split
  EXPECT_EQ(tokenize_13a("naïve café."), "naïve café .");
  EXPECT_EQ(tokenize_13a(""), "");
  EXPECT_THROW(tokenize_13a("\xe2\x82"), std::invalid_argument);  // truncated UTF-8
}

TEST(Tokenize13a, BleuRightStripsBeforeTokenizing) {
  // sacreBLEU tokenizes line.rstrip(): a trailing "-\n" is a hyphen, not a line-break join.
  EXPECT_DOUBLE_EQ(corpus_bleu({"a b c foo-\n"}, {"a b c foo-"}), 100.0);
  EXPECT_EQ(tokenize_13a("a b c foo-\n"), "a b c foo");
}

}  // namespace
}  // namespace heed
