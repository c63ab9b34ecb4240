// The corpus fingerprint a resume compares: equal for equal data, different for any edit,
// reordering, truncation or shifted boundary between fields.
#include <gtest/gtest.h>

#include "data/fingerprint.h"

namespace heed {
namespace {

const std::vector<Example> corpus = {{"a b", "b a", ""}, {"c d", "d c", ""}, {"it is", "il est", "il"}};

TEST(Fingerprint, EqualForEqualData) {
  const DataFingerprint f = fingerprint(corpus);
  EXPECT_EQ(f.size, 3u);
  EXPECT_EQ(f.hash.size(), 16u);
  EXPECT_EQ(f, fingerprint(std::vector<Example>(corpus)));
}

TEST(Fingerprint, ChangesWithEveryKindOfEdit) {
  const DataFingerprint f = fingerprint(corpus);
  std::vector<Example> edited = corpus;
  edited[1].target = "d d";
  EXPECT_NE(fingerprint(edited).hash, f.hash);
  std::vector<Example> reordered = {corpus[1], corpus[0], corpus[2]};
  EXPECT_NE(fingerprint(reordered).hash, f.hash);
  std::vector<Example> truncated(corpus.begin(), corpus.begin() + 2);
  EXPECT_NE(fingerprint(truncated), f);
  std::vector<Example> shifted = corpus;
  shifted[0] = {"a", " bb a", ""};  // the same characters, another boundary between source and target
  EXPECT_NE(fingerprint(shifted).hash, f.hash);
  std::vector<Example> pronoun = corpus;
  pronoun[2].pronoun = "elle";
  EXPECT_NE(fingerprint(pronoun).hash, f.hash);
}

TEST(Fingerprint, OfATextsLines) {
  const DataFingerprint f = fingerprint(std::vector<std::string>{"the cat", "sat"});
  EXPECT_EQ(f.size, 2u);
  EXPECT_NE(fingerprint(std::vector<std::string>{"the", "cat sat"}).hash, f.hash);
  EXPECT_EQ(fingerprint(std::vector<std::string>{"the cat", "sat"}), f);
}

TEST(Fingerprint, OfNothing) {
  const DataFingerprint f = fingerprint(std::vector<Example>{});
  EXPECT_EQ(f.size, 0u);
  EXPECT_EQ(f.hash.size(), 16u);
}

}  // namespace
}  // namespace heed
