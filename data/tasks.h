// Built-in tasks: copy, reverse and sort (algorithmic sequences over the letters a-p) and
// toy-fr (English -> French from a fixed grammar, data/toy_fr.h). Every split is a
// deterministic function of (task, split, options); valid and test never overlap train.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace heed {

struct Example {
  std::string source;
  std::string target;
  std::string pronoun;  // toy-fr: the French pronoun "it" becomes ("il" or "elle"); else empty
};

struct TaskOptions {
  std::uint64_t seed = 1;
  int min_len = 1;   // sequence length in symbols (toy-fr: English words)
  int max_len = 20;
  std::size_t train_size = 20000;
  std::size_t valid_size = 500;
  std::size_t test_size = 1000;
};

std::vector<std::string> task_names();   // {"copy", "reverse", "sort", "toy-fr"}
std::vector<std::string> split_names();  // {"train", "valid", "test"}

// Examples of one split. Throws std::invalid_argument for an unknown task or split (naming
// the valid ones), for bad lengths, or when the split cannot be filled (a tiny length range).
//
// copy/reverse/sort: sources are space-separated symbols, lengths uniform in
// [min_len, max_len]; targets are the source copied, reversed or sorted. A sequence belongs
// to one split by its hash (test 10%, valid 10%, train 80%), so splits are disjoint, and
// a split draws with replacement from its part of the space.
std::vector<Example> make_task(const std::string& name, const std::string& split, const TaskOptions& options = {});

// The size options give for a split ("train" -> train_size, ...).
std::size_t split_size(const std::string& split, const TaskOptions& options);

}  // namespace heed
