// UTF-8: strict validation (no overlong forms, surrogates or code points past U+10FFFF),
// splitting a string into its code points, and the character classes tokenizers use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace heed {

// Byte offset (0-based) of the first byte that starts an invalid sequence, or npos if the
// whole text is valid UTF-8.
std::size_t utf8_error_offset(std::string_view text);

// The code points of valid UTF-8 text, each as its own string. Throws std::invalid_argument
// ("<who>: invalid UTF-8 at byte N", N 1-based) when the text is not valid.
std::vector<std::string> utf8_code_points(std::string_view text, std::string_view who = "utf8");

// Character classes for tokenizers, on one code point: ASCII whitespace; ASCII punctuation
// and the common Unicode quotes, dashes, ellipsis and inverted marks.
bool is_space_char(const std::string& code_point);
bool is_punctuation_char(const std::string& code_point);

// Length in bytes of the sequence a lead byte starts (1-4); 1 for continuation/invalid bytes.
std::size_t utf8_sequence_length(unsigned char lead);

}  // namespace heed
