// HEED_CHECK: argument checks at API boundaries that throw with what, where, expected, got.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace heed {

// Formats "(rows,cols)" for error messages.
template <class M>
std::string shape_str(const M& m) {
  std::ostringstream s;  // not string concatenation: GCC 12 warns falsely on that (-Wrestrict)
  s << '(' << m.rows() << ',' << m.cols() << ')';
  return s.str();
}

}  // namespace heed

#define HEED_CHECK(cond, msg)                    \
  do {                                           \
    if (!(cond)) {                               \
      std::ostringstream heed_check_stream_;     \
      heed_check_stream_ << msg;                 \
      throw std::invalid_argument(heed_check_stream_.str()); \
    }                                            \
  } while (0)
