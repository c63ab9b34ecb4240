// Data parallelism's batches: the shares of N ranks with batch B, put together, are the batches
// one process with batch N·B draws, and an epoch's short last batch leaves some ranks an empty
// share instead of a batch from elsewhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "train/loop/training_data.h"

namespace heed {
namespace {

// The target rows of a batch without their padding, in row order.
std::vector<std::vector<std::int32_t>> rows(const Seq2SeqBatch& batch) {
  std::vector<std::vector<std::int32_t>> out;
  if (batch.batch == 0) return out;
  const std::size_t width = batch.tgt_out.size() / std::size_t(batch.batch);
  for (std::size_t b = 0; b < std::size_t(batch.batch); ++b) {
    std::vector<std::int32_t> row(batch.tgt_out.begin() + long(b * width), batch.tgt_out.begin() + long((b + 1) * width));
    row.erase(std::remove(row.begin(), row.end(), 0), row.end());
    out.push_back(row);
  }
  return out;
}

TEST(DataShards, RanksTogetherDrawTheBatchesOfOneProcess) {
  std::vector<Example> pairs;  // 7 pairs of different lengths: global batches of 3 hold 3, 3, 1
  for (int i = 0; i < 7; ++i) {
    std::string words;
    for (int w = 0; w <= i; ++w) {  // appended, not a chain of +: GCC 12 warns falsely (-Wrestrict) on that
      if (w) words.push_back(' ');
      words.push_back(char('a' + (i + w) % 5));
    }
    pairs.push_back({words, words, ""});
  }
  const Preprocessor pre = Preprocessor::build(pairs, TokenizerOptions{}, 1);
  const auto one = pair_data(pre, pairs, {}, 3, 11);
  std::vector<std::unique_ptr<TrainingData>> ranks;
  for (int r = 0; r < 3; ++r) ranks.push_back(pair_data(pre, pairs, {}, 1, 11, Shard{r, 3}));
  int short_batches = 0;
  for (int step = 0; step < 6; ++step) {  // two epochs
    const Seq2SeqBatch whole = one->next_batch();
    std::vector<std::vector<std::int32_t>> joined;
    std::vector<Index> sizes;
    for (auto& rank : ranks) {
      const Seq2SeqBatch share = rank->next_batch();
      sizes.push_back(share.batch);
      for (auto& row : rows(share)) joined.push_back(row);
    }
    EXPECT_EQ(joined, rows(whole)) << "step " << step;
    if (whole.batch == 1) {  // the epoch's short batch
      ++short_batches;
      EXPECT_EQ(sizes, (std::vector<Index>{0, 0, 1})) << "step " << step;
    } else {
      EXPECT_EQ(sizes, (std::vector<Index>{1, 1, 1})) << "step " << step;
    }
    for (auto& rank : ranks) EXPECT_EQ(rank->position(), one->position()) << "positions count global batches";
  }
  EXPECT_EQ(short_batches, 2);
}

TEST(DataShards, TextWindowsSplitTheSameWay) {
  TokenStream text;
  for (int i = 0; i < 200; ++i) text.ids.push_back(4 + i % 13);
  const auto one = text_data(text, {}, 8, 4, 3);
  const auto first = text_data(text, {}, 8, 2, 3, Shard{0, 2}), second = text_data(text, {}, 8, 2, 3, Shard{1, 2});
  for (int step = 0; step < 5; ++step) {
    const Seq2SeqBatch whole = one->next_batch(), a = first->next_batch(), b = second->next_batch();
    std::vector<std::int32_t> joined = a.tgt_out;
    joined.insert(joined.end(), b.tgt_out.begin(), b.tgt_out.end());
    EXPECT_EQ(joined, whole.tgt_out) << "step " << step;
    EXPECT_EQ(a.batch + b.batch, whole.batch);
  }
}

}  // namespace
}  // namespace heed
