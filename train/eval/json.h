// heed's --json outputs (eval, score, bench) through nlohmann-json, so they always parse: strings
// are escaped by the library, and a number JSON cannot hold (NaN, ±Inf) is written as null with
// why in a "null_reasons" object ({"loss": "nan"}) (README "JSON").
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace heed {

using Json = nlohmann::ordered_json;  // keeps keys in the order they were added

// One line in Python's json.dumps layout ({"a": 1, "b": [2, 3]}), as PyTorch's reference scripts
// print theirs. Invalid UTF-8 in a string becomes U+FFFD rather than an exception.
std::string json_line(const Json& value);

// An object built key by key; numbers that are not finite become null, named in "null_reasons".
class JsonObject {
 public:
  // Rounded to `decimals` digits after the point, then printed in its shortest form (12.5).
  JsonObject& number(std::string_view key, double value, int decimals = 6);
  JsonObject& integer(std::string_view key, long long value);
  JsonObject& text(std::string_view key, std::string_view value);
  JsonObject& value(std::string_view key, Json value);  // an array or object built by the caller
  // The object, with "null_reasons" last when a number was not finite.
  Json json() const;
  std::string str() const { return json_line(json()); }

 private:
  Json body_ = Json::object(), null_reasons_ = Json::object();
};

}  // namespace heed
