#include "data/fingerprint.h"

#include <cstdint>
#include <cstdio>

namespace heed {

namespace {

// FNV-1a: not a cryptographic hash, but any edit, reordering or truncation of the data changes
// it, which is all a resume needs to know.
class Fnv1a {
 public:
  void add(const std::string& text) {
    for (unsigned char c : text) mix(c);
    mix(0xffU);  // a separator no UTF-8 text holds: "ab" + "c" differs from "a" + "bc"
  }
  std::string hex() const {
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h_));
    return out;
  }

 private:
  void mix(unsigned char c) { h_ = (h_ ^ c) * 0x100000001b3ULL; }
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace

DataFingerprint fingerprint(const std::vector<Example>& pairs) {
  Fnv1a h;
  for (const Example& e : pairs) {
    h.add(e.source);
    h.add(e.target);
    h.add(e.pronoun);
  }
  return {pairs.size(), h.hex()};
}

DataFingerprint fingerprint(const std::vector<std::string>& lines) {
  Fnv1a h;
  for (const std::string& line : lines) h.add(line);
  return {lines.size(), h.hex()};
}

}  // namespace heed
