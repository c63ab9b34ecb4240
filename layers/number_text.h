// Numbers in what heed prints (help, logs, --dump-config, errors, stop messages) as a person
// writes them: the shortest text that reads back as the same number, e.g. 0.9, 0.1, 1e-05, 4000
// (std::to_chars). The one formatter for settings: layers/ and every part of train/ use it.
#pragma once

#include <charconv>
#include <string>

namespace heed {

inline std::string format_number(double value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  return std::string(text, end);
}

// A float setting (dropout 0.1f) as its own shortest text, "0.1", not 0.10000000149011612.
inline std::string format_number(float value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  return std::string(text, end);
}

}  // namespace heed
