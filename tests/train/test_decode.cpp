// Decoding: the key/value cache changes nothing, beam 1 is greedy, beam search finds better-scored output.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "layers/incremental_decoder.h"
#include "train/decode.h"

namespace heed {
namespace {

TransformerConfig small_model(bool norm_first) {
  return TransformerConfig{.src_vocab_size = 12, .tgt_vocab_size = 11, .d_model = 16, .num_heads = 2, .d_ff = 24,
                           .enc_layers = 2, .dec_layers = 2, .max_len = 40, .dropout = 0.1f,
                           .norm_first = norm_first, .seed = 9};
}

// Two sources, the second padded.
const std::vector<std::int32_t> kSrc = {5, 6, 7, 8, 2, 9, 10, 2, 0, 0};

TEST(IncrementalDecoder, StepLogitsEqualTheFullDecoder) {
  for (bool norm_first : {true, false}) {
    Transformer model(small_model(norm_first));
    model.eval();
    NoGradGuard no_grad;
    const std::vector<std::int32_t> tgt_in = {1, 4, 5, 6, 1, 7, 8, 9};  // (2, 4)
    const Tensor memory = model.encode(kSrc, 2);
    const Matrix full = model.generator.forward(model.decode(tgt_in, memory, kSrc, 2)).value();  // (8, V)
    IncrementalDecoder cached(model, memory, kSrc, 2, 4);
    for (Index t = 0; t < 4; ++t) {
      const Matrix step = cached.step({tgt_in[t], tgt_in[4 + t]});
      for (Index b = 0; b < 2; ++b)
        EXPECT_LT((step.row(b) - full.row(b * 4 + t)).cwiseAbs().maxCoeff(), 1e-5f) << "t=" << t << " b=" << b;
    }
  }
}

TEST(Decode, CachedAndUncachedGiveIdenticalOutput) {
  Transformer model(small_model(true));
  model.eval();
  for (int beam : {1, 3}) {
    const auto cached = decode(model, kSrc, 2, {.beam = beam, .max_len = 12, .use_cache = true});
    const auto uncached = decode(model, kSrc, 2, {.beam = beam, .max_len = 12, .use_cache = false});
    EXPECT_EQ(cached, uncached) << "beam " << beam;
    ASSERT_EQ(cached.size(), 2u);
    EXPECT_FALSE(cached[0].empty());  // an untrained model still emits tokens before max_len
  }
}

TEST(Decode, BeamOneEqualsGreedy) {
  for (std::uint64_t seed : {1, 2, 3}) {
    TransformerConfig config = small_model(true);
    config.seed = seed;
    Transformer model(config);
    model.eval();
    const auto greedy = greedy_decode(model, kSrc, 2, {.max_len = 10});
    const auto beam = beam_search_decode(model, kSrc, 2, {.beam = 1, .max_len = 10});
    EXPECT_EQ(greedy, beam) << "seed " << seed;
  }
}

TEST(Decode, RejectsBadBeam) {
  Transformer model(small_model(true));
  EXPECT_THROW(decode(model, kSrc, 2, {.beam = 0}), std::invalid_argument);
}

}  // namespace
}  // namespace heed
