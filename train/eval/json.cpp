// A minimal JSON object writer for heed's --json outputs.
#include "train/eval/json.h"

#include <cmath>
#include <cstdio>

namespace heed {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void JsonObject::key(std::string_view name) {
  if (!body_.empty()) body_ += ", ";
  body_ += json_string(name) + ": ";
}

JsonObject& JsonObject::number(std::string_view name, double value, int decimals) {
  key(name);
  if (std::isfinite(value)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    body_ += buf;
  } else {
    body_ += "null";
    if (!null_reasons_.empty()) null_reasons_ += ", ";
    null_reasons_ += json_string(name) + ": " + json_string(std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf");
  }
  return *this;
}

JsonObject& JsonObject::integer(std::string_view name, long long value) {
  key(name);
  body_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::text(std::string_view name, std::string_view value) {
  key(name);
  body_ += json_string(value);
  return *this;
}

JsonObject& JsonObject::raw(std::string_view name, std::string_view json) {
  key(name);
  body_ += json;
  return *this;
}

std::string JsonObject::str() const {
  std::string out = "{" + body_;
  if (!null_reasons_.empty()) out += std::string(body_.empty() ? "" : ", ") + "\"null_reasons\": {" + null_reasons_ + "}";
  return out + "}";
}

}  // namespace heed
