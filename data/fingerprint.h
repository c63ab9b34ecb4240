#pragma once
// A fingerprint of a corpus, stored in checkpoints so that a resume can tell whether it is given
// the data the run was trained on (the batch order and position only mean something for that data).

#include <cstddef>
#include <string>
#include <vector>

#include "data/tasks.h"

namespace heed {

struct DataFingerprint {
  std::size_t size = 0;  // sentence pairs, or a text's lines
  std::string hash;      // 16 hex digits (64-bit FNV-1a); empty: not known
  bool operator==(const DataFingerprint&) const = default;
};

DataFingerprint fingerprint(const std::vector<Example>& pairs);        // source, target, pronoun of each
DataFingerprint fingerprint(const std::vector<std::string>& lines);    // a language model's text

}  // namespace heed
