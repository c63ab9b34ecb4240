// The benchmark's model-FLOP count, checked by hand on configs small enough to add up.
#include <gtest/gtest.h>

#include "train/bench/bench.h"

namespace heed {
namespace {

BenchConfig config(long long enc_layers, long long dec_layers) {
  // vocab 10, d 4, d_ff 6, batch 2, source 3, target 5
  return {"test", "transformer", 10, 4, 2, 6, enc_layers, dec_layers, 2, 3, 5, 16, 0.0, 0.0, 1e-3, 1};
}

TEST(Bench, ModelFlopsAddUpLayerByLayer) {
  // Generator only: 10 target tokens · d 4 · vocab 10, 2 FLOPs per multiply-add, ×3 for backward.
  EXPECT_DOUBLE_EQ(model_flop_per_step(config(0, 0)), 3 * 2 * 10 * 4 * 10.0);
  // One encoder layer on 6 source tokens of length 3: projections q, k, v, out (4 · 2·6·4·4),
  // scores and weighted sum (2 · 2·6·3·4), feed-forward (2 · 2·6·4·6).
  const double encoder = 4 * 2 * 6 * 4 * 4 + 2 * 2 * 6 * 3 * 4 + 2 * 2 * 6 * 4 * 6;
  EXPECT_DOUBLE_EQ(model_flop_per_step(config(1, 0)) - model_flop_per_step(config(0, 0)), 3 * encoder);
  // One decoder layer: self-attention over 10 target tokens of length 5, cross-attention with
  // q and out on the 10 target tokens, k and v on the 6 source tokens, scores over 3 keys.
  const double self = 4 * 2 * 10 * 4 * 4 + 2 * 2 * 10 * 5 * 4;
  const double cross = 2 * 2 * 10 * 4 * 4 + 2 * 2 * 6 * 4 * 4 + 2 * 2 * 10 * 3 * 4;
  const double ff = 2 * 2 * 10 * 4 * 6;
  EXPECT_DOUBLE_EQ(model_flop_per_step(config(0, 1)) - model_flop_per_step(config(0, 0)), 3 * (self + cross + ff));
}

TEST(Bench, TinyAndSmallMatchThePyTorchReference) {
  // The PyTorch reference's own estimate: one training step of tiny is about 12 GFLOP, small about 74.
  EXPECT_NEAR(model_flop_per_step(bench_config("tiny")) / 1e9, 12, 0.5);
  EXPECT_NEAR(model_flop_per_step(bench_config("small")) / 1e9, 74, 1);
}

// LSTM: per token and layer, 4 gates of an input (H) and a recurrent (H) product.
TEST(Bench, LstmFlopsAddUp) {
  BenchConfig c = bench_config("lstm");
  c.batch = 2, c.src_len = 3, c.tgt_len = 5, c.d_model = 4, c.vocab = 10, c.enc_layers = c.dec_layers = 1;
  const double layer = 2 * 4 * 4 * 4 * 2;
  EXPECT_DOUBLE_EQ(model_flop_per_step(c), 3 * (6 * layer + 10 * layer + 2 * 10 * 4 * 10));
  c.arch = "lstm-attention";  // + fed h̃, keys, scores and context, combine
  const double attention = 10 * 2 * 4 * 4 * 4 + 6 * 2 * 4 * 4 + 10 * 2 * 2 * 3 * 4 + 10 * 2 * 2 * 4 * 4;
  EXPECT_DOUBLE_EQ(model_flop_per_step(c), 3 * (6 * layer + 10 * layer + attention + 2 * 10 * 4 * 10));
}

// The language model: decoder layers without cross-attention, no encoder.
TEST(Bench, LanguageModelFlopsHaveNoCrossAttention) {
  BenchConfig c = config(0, 1);
  c.arch = "lm";
  c.src_len = 0;
  const double self = 4 * 2 * 10 * 4 * 4 + 2 * 2 * 10 * 5 * 4, ff = 2 * 2 * 10 * 4 * 6;
  EXPECT_DOUBLE_EQ(model_flop_per_step(c), 3 * (self + ff + 2 * 10 * 4 * 10));
}

}  // namespace
}  // namespace heed
