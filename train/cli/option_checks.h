// Shared by every command's options: numbers printed as a person writes them, on/off flags an
// INI file can set either way, and range checks that refuse a value with one line naming the
// option, the value and the allowed range (a UsageError: exit status 2).
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "train/cli/cli.h"
#include "layers/number_text.h"

namespace heed::cli {

// The shortest text that reads back as the same double (std::to_chars): 0.9, 1e-05, 4000.
using heed::format_number;

// Option values whose defaults --help shows as a person writes them (Boost would print
// 0.90000000000000002 and 1 for true).
inline po::typed_value<double>* real_value(double fallback) {
  return po::value<double>()->default_value(fallback, format_number(fallback));
}
inline po::typed_value<bool>* bool_value(bool fallback) {
  return po::value<bool>()->default_value(fallback, fallback ? "true" : "false");
}

// An on/off option, off by default: `--quiet` on the command line turns it on; an INI file says
// `quiet = true|false|1|0|yes|no|on|off` and means it. Read it with vm["quiet"].as<bool>().
inline po::typed_value<bool>* flag() { return po::bool_switch(); }

// The allowed values of a real option: [min, max], either end open or unbounded. NaN is never in.
struct RealRange {
  double min = -std::numeric_limits<double>::infinity(), max = std::numeric_limits<double>::infinity();
  bool min_open = false, max_open = false;

  bool contains(double v) const {
    return (min_open ? v > min : v >= min) && (max_open ? v < max : v <= max);  // false for NaN
  }
  std::string text() const {
    const bool bounded_below = std::isfinite(min), bounded_above = std::isfinite(max);
    if (bounded_below && bounded_above)
      return std::string("in ") + (min_open ? "(" : "[") + format_number(min) + ", " + format_number(max) +
             (max_open ? ")" : "]");
    if (bounded_below) return (min_open ? "> " : ">= ") + format_number(min);
    if (bounded_above) return (max_open ? "< " : "<= ") + format_number(max);
    return "a finite number";
  }
};
inline RealRange at_least(double min) { return {.min = min}; }
inline RealRange above(double min) { return {.min = min, .min_open = true}; }
inline RealRange from_to(double min, double max, bool max_open = false) {
  return {.min = min, .max = max, .max_open = max_open};
}

[[noreturn]] inline void out_of_range(const std::string& name, const std::string& value, const std::string& range) {
  throw UsageError("--" + name + " " + value + " is out of range: must be " + range);
}

// A real option's value, refused unless finite and inside `range`.
inline double checked_real(const po::variables_map& vm, const std::string& name, const RealRange& range) {
  const double v = vm[name].as<double>();
  if (!std::isfinite(v) || !range.contains(v)) out_of_range(name, format_number(v), range.text());
  return v;
}

// An integer option's value, refused unless in [min, max]. Declare integer options signed (int,
// long long): Boost reads "-8" into an unsigned type by wrapping it; such a value is shown here as
// the negative number that was typed.
inline long long checked_int(const po::variables_map& vm, const std::string& name, long long min,
                             long long max = std::numeric_limits<long long>::max()) {
  const boost::any& any = vm[name].value();
  long long v = 0;
  if (const auto* i = boost::any_cast<int>(&any)) v = *i;
  else if (const auto* l = boost::any_cast<long long>(&any)) v = *l;
  else if (const auto* z = boost::any_cast<unsigned long>(&any)) v = (long long)*z;
  else if (const auto* u = boost::any_cast<unsigned>(&any)) v = (int)*u;
  else throw std::logic_error("checked_int: --" + name + " is not an integer option");
  if (v < min || v > max)
    out_of_range(name, std::to_string(v),
                 max == std::numeric_limits<long long>::max()
                     ? ">= " + std::to_string(min)
                     : "in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return v;
}

}  // namespace heed::cli
