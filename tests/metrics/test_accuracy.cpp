// Exact match and token accuracy: fractions in [0, 1], with the definitions in train/eval/metrics.h.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "train/eval/metrics.h"

namespace heed {
namespace {

TEST(ExactMatch, ComparesAfterStrippingSurroundingWhitespace) {
  EXPECT_DOUBLE_EQ(exact_match({" a b \n", "x"}, {"a b", "y"}), 0.5);
  EXPECT_DOUBLE_EQ(exact_match({"a  b"}, {"a b"}), 0.0);  // inner whitespace counts
  EXPECT_DOUBLE_EQ(exact_match({"Le chat\u00a0"}, {"Le chat"}), 1.0);
  EXPECT_DOUBLE_EQ(exact_match({"", "b", "c"}, {"", "b", "c"}), 1.0);
}

TEST(TokenAccuracy, CountsPositionsOverTheLongerSide) {
  // "a b c" vs "a x c d": positions 0 and 2 agree, out of max(3, 4) = 4; "a" vs "a": 1 of 1.
  EXPECT_DOUBLE_EQ(token_accuracy({"a b c", "a"}, {"a x c d", "a"}), 3.0 / 5.0);
  // An extra or a missing token shifts nothing else but costs its position.
  EXPECT_DOUBLE_EQ(token_accuracy({"a b c extra"}, {"a b c"}), 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(token_accuracy({""}, {"a b"}), 0.0);
  EXPECT_DOUBLE_EQ(token_accuracy({"b a"}, {"a b"}), 0.0);     // position-wise, not a bag of words
  EXPECT_DOUBLE_EQ(token_accuracy({"", " "}, {"", ""}), 1.0);  // nothing to get wrong
}

TEST(Accuracy, RejectsMismatchedCountsEmptyCorporaAndBadUtf8) {
  try {
    token_accuracy({"a", "b"}, {"a"});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("2 hypotheses but 1 reference"), std::string::npos) << e.what();
  }
  EXPECT_THROW(exact_match({"a"}, {"a", "b"}), std::invalid_argument);
  EXPECT_THROW(exact_match({}, {}), std::invalid_argument);
  EXPECT_THROW(token_accuracy({}, {}), std::invalid_argument);
  EXPECT_THROW(exact_match({"a"}, {"\x80"}), std::invalid_argument);
}

}  // namespace
}  // namespace heed
