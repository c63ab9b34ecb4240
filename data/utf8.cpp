// Strict UTF-8 decoding, following the well-formed byte sequences of Unicode table 3-7.
#include "data/utf8.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace heed {

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 1;
}

// Length of the well-formed sequence starting at text[i], or 0 if it is ill-formed.
static std::size_t valid_sequence_at(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  const std::size_t length = utf8_sequence_length(lead);
  if (length == 1 || i + length > text.size()) return 0;
  // The second byte's range depends on the lead (this excludes overlongs and surrogates).
  unsigned char low = 0x80, high = 0xBF;
  if (lead == 0xE0) low = 0xA0;
  if (lead == 0xED) high = 0x9F;
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

std::size_t utf8_error_offset(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = valid_sequence_at(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

std::vector<std::string> utf8_code_points(std::string_view text, std::string_view who) {
  std::vector<std::string> points;
  points.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = valid_sequence_at(text, i);
    if (length == 0) {
      throw std::invalid_argument(std::string(who) + ": invalid UTF-8 at byte " + std::to_string(i + 1));
    }
    points.emplace_back(text.substr(i, length));
    i += length;
  }
  return points;
}

bool is_space_char(const std::string& code_point) {
  return code_point.size() == 1 && std::strchr(" \t\n\r\v\f", code_point[0]) != nullptr;
}

bool is_punctuation_char(const std::string& code_point) {
  static const std::vector<std::string> unicode = {"«", "»", "“", "”", "‘", "’", "„", "…", "–", "—", "¿", "¡"};
  if (code_point.size() == 1) return std::ispunct(static_cast<unsigned char>(code_point[0])) != 0;
  return std::find(unicode.begin(), unicode.end(), code_point) != unicode.end();
}

}  // namespace heed
