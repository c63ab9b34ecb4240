#include "data/fingerprint.h"

#include <cstdint>
#include <cstdio>

namespace heed {

DataFingerprint fingerprint(const std::vector<Example>& examples) {
  // FNV-1a: not a cryptographic hash, but any edit, reordering or truncation of the data changes
  // it, which is all a resume needs to know.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto add = [&h](const std::string& text) {
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
    h = (h ^ 0xffU) * 0x100000001b3ULL;  // a separator no UTF-8 text holds: "ab"+"c" differs from "a"+"bc"
  };
  for (const Example& e : examples) {
    add(e.source);
    add(e.target);
    add(e.pronoun);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return {examples.size(), hex};
}

}  // namespace heed
