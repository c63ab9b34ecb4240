// Writing one JSON object: strings escaped, and numbers that JSON cannot hold (NaN, ±Inf) written
// as null, with why in a "null_reasons" object ({"loss": "nan"}), so the output always parses.
#pragma once

#include <string>
#include <string_view>

namespace heed {

// text as a JSON string literal, quotes included (control characters escaped, UTF-8 kept).
std::string json_string(std::string_view text);

class JsonObject {
 public:
  // A number with `decimals` digits after the point; null when not finite.
  JsonObject& number(std::string_view key, double value, int decimals = 6);
  JsonObject& integer(std::string_view key, long long value);
  JsonObject& text(std::string_view key, std::string_view value);
  // A value that is already JSON (an array or object built by the caller).
  JsonObject& raw(std::string_view key, std::string_view json);
  // The object, with "null_reasons" last when a number was not finite.
  std::string str() const;

 private:
  void key(std::string_view name);
  std::string body_, null_reasons_;
};

}  // namespace heed
