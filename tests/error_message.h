// error_message: what a call expected to throw says, for tests of error texts.
#pragma once

#include <exception>
#include <string>

namespace heed::testing {

// Runs f and returns the message of the E it throws, or "" when it throws nothing.
template <class E = std::exception, class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

}  // namespace heed::testing
