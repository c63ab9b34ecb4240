// Padded batches (layout of src / tgt_in / tgt_out) and the bucketed, resumable sampler.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "data/batching.h"
#include "data/vocab.h"

namespace heed {
namespace {

using Ids = std::vector<std::int32_t>;
using Indices = std::vector<std::size_t>;
constexpr std::int32_t P = Vocabulary::kPad, B = Vocabulary::kBos, E = Vocabulary::kEos;

TEST(MakeBatch, PadsSourceAndShiftsTarget) {
  const std::vector<EncodedPair> pairs = {{{4, 5, 6}, {7}}, {{8}, {9, 10, 11}}, {{12, 13}, {14, 15}}};
  const PaddedBatch batch = make_batch(pairs, {1, 0});
  EXPECT_EQ(batch.batch, 2u);
  EXPECT_EQ(batch.src_len, 4u);  // 3 tokens + EOS
  EXPECT_EQ(batch.tgt_len, 4u);
  EXPECT_EQ(batch.indices, (Indices{1, 0}));
  EXPECT_EQ(batch.src, (Ids{8, E, P, P,  //
                            4, 5, 6, E}));
  EXPECT_EQ(batch.tgt_in, (Ids{B, 9, 10, 11,  //
                               B, 7, P, P}));
  EXPECT_EQ(batch.tgt_out, (Ids{9, 10, 11, E,  //
                                7, E, P, P}));
}

TEST(MakeBatch, HandlesEmptySentences) {
  const PaddedBatch batch = make_batch({{{}, {}}}, {0});
  EXPECT_EQ(batch.src, (Ids{E}));
  EXPECT_EQ(batch.tgt_in, (Ids{B}));
  EXPECT_EQ(batch.tgt_out, (Ids{E}));
}

TEST(MakeBatch, RejectsBadInput) {
  const std::vector<EncodedPair> pairs = {{{4}, {5}}, {{4, E}, {5}}};
  EXPECT_THROW(make_batch(pairs, {}), std::invalid_argument);
  EXPECT_THROW(make_batch(pairs, {2}), std::out_of_range);
  EXPECT_THROW(make_batch(pairs, {1}), std::invalid_argument);  // EOS inside a pair
  EXPECT_NO_THROW(make_batch({{{Vocabulary::kUnk}, {4}}}, {0}));
}

std::vector<std::size_t> lengths(std::size_t n) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(1 + (i * 7919) % 37);
  return out;
}

TEST(BatchSampler, VisitsEveryExampleOncePerEpoch) {
  BatchSampler sampler(lengths(1003), 16, /*seed=*/5, /*bucket_batches=*/4);
  const std::size_t per_epoch = sampler.batches_per_epoch();
  EXPECT_EQ(per_epoch, 15u * 4u + 43u / 16u + 1u);  // 15 full chunks of 64, then 43 examples
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<int> seen(1003, 0);
    for (std::size_t b = 0; b < per_epoch; ++b) {
      const Indices batch = sampler.next();
      EXPECT_GE(batch.size(), 1u);
      EXPECT_LE(batch.size(), 16u);
      for (const std::size_t i : batch) ++seen[i];
    }
    for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], 1) << "example " << i << " epoch " << epoch;
    EXPECT_EQ(sampler.position(), (SamplerPosition{static_cast<std::uint64_t>(epoch) + 1, 0}));
  }
}

TEST(BatchSampler, BucketsSimilarLengths) {
  const auto lens = lengths(3200);
  BatchSampler sampler(lens, 32, 1);
  std::size_t spread = 0;
  for (std::size_t b = 0; b < sampler.batches_per_epoch(); ++b) {
    std::size_t lo = 1000, hi = 0;
    for (const std::size_t i : sampler.next()) {
      lo = std::min(lo, lens[i]);
      hi = std::max(hi, lens[i]);
    }
    spread += hi - lo;
  }
  // Unbucketed batches of 32 over 37 lengths would spread ~33 each.
  EXPECT_LT(spread, sampler.batches_per_epoch() * 2);
}

TEST(BatchSampler, DeterministicAndReshuffledEachEpoch) {
  BatchSampler a(lengths(500), 8, 11), b(lengths(500), 8, 11), other_seed(lengths(500), 8, 12);
  EXPECT_EQ(a.epoch_batches(0), b.epoch_batches(0));
  EXPECT_NE(a.epoch_batches(0), a.epoch_batches(1));
  EXPECT_NE(a.epoch_batches(0), other_seed.epoch_batches(0));
  for (int i = 0; i < 200; ++i) ASSERT_EQ(a.next(), b.next());
}

TEST(BatchSampler, RestoredPositionReplaysTheSameBatches) {
  BatchSampler original(lengths(300), 7, 3);
  for (int i = 0; i < 60; ++i) original.next();  // into the second epoch
  const SamplerPosition saved = original.position();
  EXPECT_EQ(saved.epoch, 1u);
  std::vector<Indices> expected;
  for (int i = 0; i < 80; ++i) expected.push_back(original.next());

  BatchSampler resumed(lengths(300), 7, 3);
  resumed.set_position(saved);
  for (int i = 0; i < 80; ++i) ASSERT_EQ(resumed.next(), expected[static_cast<std::size_t>(i)]) << "batch " << i;
}

TEST(BatchSampler, PositionChecks) {
  BatchSampler sampler(lengths(10), 4, 1);
  ASSERT_EQ(sampler.batches_per_epoch(), 3u);
  sampler.set_position({2, 3});  // one past the end: the next epoch's start
  EXPECT_EQ(sampler.position(), (SamplerPosition{3, 0}));
  EXPECT_THROW(sampler.set_position({0, 4}), std::out_of_range);
  EXPECT_THROW(BatchSampler(std::vector<std::size_t>{}, 4, 1), std::invalid_argument);
  EXPECT_THROW(BatchSampler(lengths(3), 0, 1), std::invalid_argument);
}

TEST(BatchSampler, BucketsPairsByTheirLongerSide) {
  const std::vector<EncodedPair> pairs = {{{4}, {4, 4, 4, 4, 4}}, {{4, 4, 4, 4, 4}, {4}}, {{4}, {4}}, {{4}, {4}}};
  BatchSampler sampler(pairs, 2, 1, /*bucket_batches=*/2);
  for (int i = 0; i < 2; ++i) {
    Indices batch = sampler.next();
    std::sort(batch.begin(), batch.end());
    EXPECT_TRUE(batch == (Indices{0, 1}) || batch == (Indices{2, 3}));
  }
}

}  // namespace
}  // namespace heed
