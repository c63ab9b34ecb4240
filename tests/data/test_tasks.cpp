// The task registry and copy/reverse/sort: targets, lengths, determinism, disjoint splits.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

#include "data/tasks.h"

namespace heed {
namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

TaskOptions small(std::uint64_t seed = 1) {
  TaskOptions options;
  options.seed = seed;
  options.train_size = 300;
  options.valid_size = 50;
  options.test_size = 50;
  return options;
}

TEST(Tasks, NamesTheBuiltIns) {
  EXPECT_EQ(task_names(), (std::vector<std::string>{"copy", "reverse", "sort", "toy-fr"}));
  for (const auto& name : task_names()) {
    for (const auto& split : split_names()) EXPECT_EQ(make_task(name, split, small()).size(), 50u + 250u * (split == "train"));
  }
}

TEST(Tasks, UnknownTaskOrSplitNamesTheValidOnes) {
  try {
    make_task("copyy", "train");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "unknown task 'copyy'; valid tasks: copy, reverse, sort, toy-fr");
  }
  try {
    make_task("copy", "dev");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "unknown split 'dev'; valid splits: train, valid, test");
  }
}

TEST(Tasks, TargetsFollowTheTask) {
  for (const auto& e : make_task("copy", "train", small())) EXPECT_EQ(e.target, e.source);
  for (const auto& e : make_task("reverse", "train", small())) {
    auto w = words(e.source);
    std::reverse(w.begin(), w.end());
    EXPECT_EQ(words(e.target), w);
  }
  for (const auto& e : make_task("sort", "train", small())) {
    auto w = words(e.source);
    std::sort(w.begin(), w.end());
    EXPECT_EQ(words(e.target), w);
    EXPECT_TRUE(e.pronoun.empty());
  }
}

TEST(Tasks, LengthsCoverTheRangeOverASmallAlphabet) {
  TaskOptions options = small();
  options.min_len = 3;
  options.max_len = 7;
  std::set<std::size_t> lengths;
  std::set<std::string> symbols;
  for (const auto& e : make_task("copy", "train", options)) {
    const auto w = words(e.source);
    lengths.insert(w.size());
    symbols.insert(w.begin(), w.end());
  }
  EXPECT_EQ(lengths, (std::set<std::size_t>{3, 4, 5, 6, 7}));
  EXPECT_EQ(symbols.size(), 16u);
  EXPECT_EQ(*symbols.begin(), "a");
  EXPECT_EQ(*symbols.rbegin(), "p");
}

TEST(Tasks, DeterministicFromTheSeed) {
  const auto a = make_task("reverse", "valid", small(7));
  const auto b = make_task("reverse", "valid", small(7));
  const auto c = make_task("reverse", "valid", small(8));
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].source, b[i].source);
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i].source == c[i].source;
  EXPECT_LT(same, 5u);
}

TEST(Tasks, HeldOutSplitsNeverOverlapTrain) {
  std::set<std::string> train, valid;
  for (const auto& e : make_task("sort", "train", small())) train.insert(e.source);
  for (const auto& e : make_task("sort", "valid", small())) {
    EXPECT_EQ(train.count(e.source), 0u) << e.source;
    valid.insert(e.source);
  }
  for (const auto& e : make_task("sort", "test", small())) {
    EXPECT_EQ(train.count(e.source), 0u) << e.source;
    EXPECT_EQ(valid.count(e.source), 0u) << e.source;
  }
}

TEST(Tasks, RejectsBadLengths) {
  TaskOptions options = small();
  options.min_len = 5;
  options.max_len = 4;
  EXPECT_THROW(make_task("copy", "train", options), std::invalid_argument);
  options.min_len = 0;
  EXPECT_THROW(make_task("copy", "train", options), std::invalid_argument);
}

}  // namespace
}  // namespace heed
