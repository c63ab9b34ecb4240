// Numbers in what heed prints (help, logs, --dump-config, stop messages) as a person writes
// them: the shortest text that reads back as the same double, e.g. 0.9, 0.1, 1e-05, 4000.
#pragma once

#include <charconv>
#include <string>

namespace heed {

inline std::string format_number(double value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  return std::string(text, end);
}

}  // namespace heed
