// The task registry and the algorithmic tasks copy, reverse and sort.
#include "data/tasks.h"

#include <algorithm>
#include <stdexcept>

#include "data/prng.h"
#include "data/toy_fr.h"

namespace heed {

namespace {

constexpr int kAlphabetSize = 16;  // symbols a..p

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += separator;
    out += words[i];
  }
  return out;
}

// Which split a sequence belongs to, by a seed-independent hash: 0-9 test, 10-19 valid.
std::string split_of(const std::string& sequence) {
  const std::uint64_t bucket = hash64(sequence) % 100;
  return bucket < 10 ? "test" : bucket < 20 ? "valid" : "train";
}

std::vector<Example> make_sequence_task(const std::string& name, const std::string& split,
                                        const TaskOptions& options) {
  const std::size_t size = split_size(split, options);
  SplitMix64 rng(options.seed, name + "/" + split);
  std::vector<Example> examples;
  examples.reserve(size);
  const std::size_t max_attempts = 100 * size + 10000;
  for (std::size_t attempt = 0; examples.size() < size; ++attempt) {
    if (attempt == max_attempts) {
      throw std::invalid_argument(name + ": could not draw " + std::to_string(size) + " " + split +
                                  " examples with lengths in [" + std::to_string(options.min_len) + ", " +
                                  std::to_string(options.max_len) + "]; widen the length range");
    }
    std::vector<std::string> symbols(static_cast<std::size_t>(rng.between(options.min_len, options.max_len)));
    for (auto& symbol : symbols) symbol = std::string(1, static_cast<char>('a' + rng.below(kAlphabetSize)));
    std::vector<std::string> target = symbols;
    if (name == "reverse") std::reverse(target.begin(), target.end());
    if (name == "sort") std::sort(target.begin(), target.end());
    Example example{join(symbols, " "), join(target, " "), ""};
    if (split_of(example.source) == split) examples.push_back(std::move(example));
  }
  return examples;
}

}  // namespace

std::vector<std::string> task_names() { return {"copy", "reverse", "sort", "toy-fr"}; }
std::vector<std::string> split_names() { return {"train", "valid", "test"}; }

std::size_t split_size(const std::string& split, const TaskOptions& options) {
  if (split == "train") return options.train_size;
  if (split == "valid") return options.valid_size;
  if (split == "test") return options.test_size;
  throw std::invalid_argument("unknown split '" + split + "'; valid splits: " + join(split_names(), ", "));
}

std::vector<Example> make_task(const std::string& name, const std::string& split, const TaskOptions& options) {
  const auto names = task_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    throw std::invalid_argument("unknown task '" + name + "'; valid tasks: " + join(names, ", "));
  }
  split_size(split, options);  // validates the split
  if (options.min_len < 1 || options.max_len < options.min_len) {
    throw std::invalid_argument(name + ": lengths must satisfy 1 <= min_len <= max_len, got min_len " +
                                std::to_string(options.min_len) + ", max_len " + std::to_string(options.max_len));
  }
  if (name == "toy-fr") return make_toy_fr(split, options);
  return make_sequence_task(name, split, options);
}

}  // namespace heed
