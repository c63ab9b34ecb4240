// Decoding, for every model family: the incremental state changes nothing, beam 1 is greedy,
// and beam search's reordering keeps each hypothesis's state.
#include <gtest/gtest.h>

#include "autograd/tape.h"
#include "layers/transformer.h"
#include "train/eval/decode.h"

namespace heed {
namespace {

ModelConfig small_model(Arch arch, bool norm_first = true, std::uint64_t seed = 9) {
  return ModelConfig{.arch = arch, .src_vocab_size = 12, .tgt_vocab_size = 11, .d_model = 16, .num_heads = 2,
                     .d_ff = 24, .enc_layers = 2, .dec_layers = 2, .max_len = 40, .dropout = 0.1f,
                     .norm_first = norm_first, .seed = seed};
}

const Arch kFamilies[] = {Arch::Transformer, Arch::Lstm, Arch::LstmAttention};

// Two sources, the second padded.
const std::vector<std::int32_t> kSrc = {5, 6, 7, 8, 2, 9, 10, 2, 0, 0};

TEST(DecoderState, StepLogitsEqualTheTeacherForcedDecoder) {
  for (Arch arch : kFamilies)
    for (bool norm_first : {true, false}) {
      const std::unique_ptr<Seq2SeqModel> model = make_model(small_model(arch, norm_first));
      model->eval();
      NoGradGuard no_grad;
      const std::vector<std::int32_t> tgt_in = {1, 4, 5, 6, 1, 7, 8, 9};  // (2, 4)
      const EncodedSource source = model->encode(kSrc, 2);
      const Matrix full = model->decode(tgt_in, source).value();  // (8, V)
      const std::unique_ptr<DecoderState> state = model->start_decoding(source, 4);
      for (Index t = 0; t < 4; ++t) {
        const Matrix step = state->step({tgt_in[t], tgt_in[4 + t]});
        for (Index b = 0; b < 2; ++b)
          EXPECT_LT((step.row(b) - full.row(b * 4 + t)).cwiseAbs().maxCoeff(), 1e-5f)
              << arch_name(arch) << " t=" << t << " b=" << b;
      }
    }
}

TEST(Decode, CachedAndUncachedGiveIdenticalOutput) {
  for (Arch arch : kFamilies) {
    const std::unique_ptr<Seq2SeqModel> model = make_model(small_model(arch));
    model->eval();
    for (int beam : {1, 3}) {
      const auto cached = decode(*model, kSrc, 2, {.beam = beam, .max_len = 12, .use_cache = true});
      const auto uncached = decode(*model, kSrc, 2, {.beam = beam, .max_len = 12, .use_cache = false});
      EXPECT_EQ(cached, uncached) << arch_name(arch) << " beam " << beam;
      ASSERT_EQ(cached.size(), 2u);
      EXPECT_FALSE(cached[0].empty()) << arch_name(arch);  // an untrained model still emits tokens before max_len
    }
  }
}

TEST(Decode, BeamOneEqualsGreedy) {
  for (Arch arch : kFamilies)
    for (std::uint64_t seed : {1, 2, 3}) {
      const std::unique_ptr<Seq2SeqModel> model = make_model(small_model(arch, true, seed));
      model->eval();
      const auto greedy = greedy_decode(*model, kSrc, 2, {.max_len = 10});
      const auto beam = beam_search_decode(*model, kSrc, 2, {.beam = 1, .max_len = 10});
      EXPECT_EQ(greedy, beam) << arch_name(arch) << " seed " << seed;
    }
}

// select() keeps rows in the order given, repeats included: after it, each row's next logits are
// those of the row it was taken from.
TEST(DecoderState, SelectReordersRows) {
  for (Arch arch : kFamilies) {
    const std::unique_ptr<Seq2SeqModel> model = make_model(small_model(arch));
    model->eval();
    const EncodedSource source = model->encode(kSrc, 2);
    const std::unique_ptr<DecoderState> a = model->start_decoding(source, 4), b = model->start_decoding(source, 4);
    a->step({1, 1});
    b->step({1, 1});
    b->select({1, 1, 0});
    const Matrix next_a = a->step({4, 5}), next_b = b->step({5, 5, 4});
    for (Index r : {0, 1}) EXPECT_LT((next_b.row(r) - next_a.row(1)).cwiseAbs().maxCoeff(), 1e-6f) << arch_name(arch);
    EXPECT_LT((next_b.row(2) - next_a.row(0)).cwiseAbs().maxCoeff(), 1e-6f) << arch_name(arch);
  }
}

TEST(Decode, RejectsBadBeam) {
  Transformer model(small_model(Arch::Transformer));
  EXPECT_THROW(decode(model, kSrc, 2, {.beam = 0}), std::invalid_argument);
}

}  // namespace
}  // namespace heed
