// Vocabulary: specials first, deterministic order, min_freq, encode/decode, strict loading.
#include <gtest/gtest.h>

#include <stdexcept>

#include "data/vocab.h"

namespace heed {
namespace {

using Tokens = std::vector<std::string>;

TEST(Vocabulary, SpecialsHaveTheContractIds) {
  const Vocabulary vocab;
  ASSERT_EQ(vocab.size(), 4u);
  EXPECT_EQ(vocab.token(Vocabulary::kPad), "<pad>");
  EXPECT_EQ(vocab.token(Vocabulary::kBos), "<s>");
  EXPECT_EQ(vocab.token(Vocabulary::kEos), "</s>");
  EXPECT_EQ(vocab.token(Vocabulary::kUnk), "<unk>");
  EXPECT_EQ(Vocabulary::kPad, 0);
  EXPECT_EQ(Vocabulary::kBos, 1);
  EXPECT_EQ(Vocabulary::kEos, 2);
  EXPECT_EQ(Vocabulary::kUnk, 3);
}

TEST(Vocabulary, OrdersByCountThenTokenAndAppliesMinFreq) {
  const std::vector<Tokens> sentences = {{"b", "a", "c"}, {"a", "b", "d"}, {"a", "e", "e"}};
  const Vocabulary vocab = Vocabulary::build(sentences, /*min_freq=*/2);
  // a:3, b:2, e:2 (b before e), c:1 and d:1 dropped.
  EXPECT_EQ(vocab.tokens(), (Tokens{"<pad>", "<s>", "</s>", "<unk>", "a", "b", "e"}));
  EXPECT_EQ(vocab.id("c"), Vocabulary::kUnk);
}

TEST(Vocabulary, DoesNotDependOnSentenceOrder) {
  const std::vector<Tokens> forward = {{"x", "y"}, {"z", "y"}, {"w"}};
  const std::vector<Tokens> backward = {{"w"}, {"y", "z"}, {"y", "x"}};
  EXPECT_EQ(Vocabulary::build(forward).tokens(), Vocabulary::build(backward).tokens());
}

TEST(Vocabulary, MaxSizeKeepsTheMostFrequent) {
  const Vocabulary vocab = Vocabulary::build({{"a", "a", "b", "c", "c", "c"}}, 1, /*max_size=*/6);
  EXPECT_EQ(vocab.tokens(), (Tokens{"<pad>", "<s>", "</s>", "<unk>", "c", "a"}));
  EXPECT_THROW(Vocabulary::build({{"a"}}, 1, 3), std::invalid_argument);
}

TEST(Vocabulary, TokensSpelledLikeSpecialsAreNotAddedTwice) {
  const Vocabulary vocab = Vocabulary::build({{"<unk>", "<s>", "cat"}});
  EXPECT_EQ(vocab.size(), 5u);
  EXPECT_EQ(vocab.id("cat"), 4);
}

TEST(Vocabulary, EncodeMapsUnknownsToUnk) {
  const Vocabulary vocab = Vocabulary::build({{"le", "chat"}});
  const std::int32_t le = vocab.id("le"), chat = vocab.id("chat");
  EXPECT_GE(le, 4);
  EXPECT_GE(chat, 4);
  EXPECT_EQ(vocab.encode({"le", "chien", "chat"}), (std::vector<std::int32_t>{le, Vocabulary::kUnk, chat}));
}

TEST(Vocabulary, DecodeSkipsPadAndBosAndStopsAtEos) {
  const Vocabulary vocab = Vocabulary::build({{"le", "chat"}});
  const std::int32_t le = vocab.id("le"), chat = vocab.id("chat");
  const std::vector<std::int32_t> ids = {Vocabulary::kBos, le, Vocabulary::kPad, chat, Vocabulary::kUnk,
                                         Vocabulary::kEos, le, le};
  EXPECT_EQ(vocab.decode(ids), (Tokens{"le", "chat", "<unk>"}));
  EXPECT_THROW(vocab.decode({99}), std::out_of_range);
}

TEST(Vocabulary, RoundTripsThroughItsTokenList) {
  const Vocabulary vocab = Vocabulary::build({{"é", "日本", "a"}, {"a"}});
  const Vocabulary loaded = Vocabulary::from_tokens(vocab.tokens());
  EXPECT_EQ(loaded.tokens(), vocab.tokens());
  EXPECT_EQ(loaded.id("日本"), vocab.id("日本"));
}

TEST(Vocabulary, LoadingRejectsBadLists) {
  EXPECT_THROW(Vocabulary::from_tokens({"<pad>", "<s>"}), std::invalid_argument);
  EXPECT_THROW(Vocabulary::from_tokens({"<pad>", "</s>", "<s>", "<unk>"}), std::invalid_argument);
  EXPECT_THROW(Vocabulary::from_tokens({"<pad>", "<s>", "</s>", "<unk>", "a", ""}), std::invalid_argument);
  try {
    Vocabulary::from_tokens({"<pad>", "<s>", "</s>", "<unk>", "a", "b", "a"});
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "vocabulary: token \"a\" appears twice, at ids 4 and 6");
  }
}

}  // namespace
}  // namespace heed
