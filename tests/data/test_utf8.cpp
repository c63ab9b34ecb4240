// UTF-8 validation and splitting: well-formed text passes, each kind of ill-formed byte is found.
#include <gtest/gtest.h>

#include <stdexcept>

#include "data/utf8.h"

namespace heed {
namespace {

TEST(Utf8, SplitsIntoCodePoints) {
  const std::vector<std::string> expected = {"a", "é", "ü", " ", "日", "本", "😀"};
  EXPECT_EQ(utf8_code_points("aéü 日本😀"), expected);
  EXPECT_EQ(utf8_error_offset("aéü 日本😀"), std::string_view::npos);
}

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(utf8_error_offset("ab\xFF"), 2u);          // never valid
  EXPECT_EQ(utf8_error_offset("\xC3"), 0u);            // truncated é
  EXPECT_EQ(utf8_error_offset("x\xC3(y"), 1u);         // bad continuation
  EXPECT_EQ(utf8_error_offset("\xC0\xAF"), 0u);        // overlong '/'
  EXPECT_EQ(utf8_error_offset("\xE0\x80\xAF"), 0u);    // overlong, 3 bytes
  EXPECT_EQ(utf8_error_offset("ok\xED\xA0\x80"), 2u);  // UTF-16 surrogate
  EXPECT_EQ(utf8_error_offset("\xF4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(utf8_error_offset("\xF4\x8F\xBF\xBF"), std::string_view::npos);  // U+10FFFF itself
}

TEST(Utf8, SplittingInvalidTextNamesTheByte) {
  try {
    utf8_code_points("abc\xFF", "my tokenizer");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "my tokenizer: invalid UTF-8 at byte 4");
  }
}

TEST(Utf8, CharacterClasses) {
  EXPECT_TRUE(is_space_char(" "));
  EXPECT_TRUE(is_space_char("\t"));
  EXPECT_FALSE(is_space_char("a"));
  EXPECT_TRUE(is_punctuation_char(","));
  EXPECT_TRUE(is_punctuation_char("«"));
  EXPECT_FALSE(is_punctuation_char("é"));
  EXPECT_FALSE(is_punctuation_char("日"));
}

}  // namespace
}  // namespace heed
