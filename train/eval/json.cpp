// JSON objects for heed's --json outputs, on nlohmann-json.
#include "train/eval/json.h"

#include <cmath>

namespace heed {

std::string json_line(const Json& value) {
  const auto dump = [](const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); };
  std::string out;
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) out += (out.empty() ? "" : ", ") + dump(key) + ": " + json_line(item);
    return "{" + out + "}";
  }
  if (value.is_array()) {
    for (const Json& item : value) out += (out.empty() ? "" : ", ") + json_line(item);
    return "[" + out + "]";
  }
  return dump(value);
}

JsonObject& JsonObject::number(std::string_view key, double value, int decimals) {
  if (std::isfinite(value)) {
    const double scale = std::pow(10.0, decimals);
    const double rounded = std::round(value * scale) / scale;
    body_[std::string(key)] = std::isfinite(rounded) ? rounded : value;  // a huge value stays as it is
  } else {
    body_[std::string(key)] = nullptr;
    null_reasons_[std::string(key)] = std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
  }
  return *this;
}

JsonObject& JsonObject::integer(std::string_view key, long long value) {
  body_[std::string(key)] = value;
  return *this;
}

JsonObject& JsonObject::text(std::string_view key, std::string_view value) {
  body_[std::string(key)] = std::string(value);
  return *this;
}

JsonObject& JsonObject::value(std::string_view key, Json value) {
  body_[std::string(key)] = std::move(value);
  return *this;
}

Json JsonObject::json() const {
  Json out = body_;
  if (!null_reasons_.empty()) out["null_reasons"] = null_reasons_;
  return out;
}

}  // namespace heed
