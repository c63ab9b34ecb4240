#pragma once
// A fingerprint of a corpus, stored in checkpoints so that a resume can tell whether it is given
// the data the run was trained on (the batch order and position only mean something for that data).

#include <cstddef>
#include <string>
#include <vector>

#include "data/tasks.h"

namespace heed {

struct DataFingerprint {
  std::size_t pairs = 0;
  std::string hash;  // 16 hex digits: 64-bit FNV-1a over every pair's source, target and pronoun
  bool operator==(const DataFingerprint&) const = default;
};

DataFingerprint fingerprint(const std::vector<Example>& examples);

}  // namespace heed
