// 8-bit inference of whole models (layers/quantize.h): close to float when gradients are off,
// float itself when they are on (training never sees the 8-bit copies).
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/tape.h"
#include "layers/quantize.h"
#include "layers/seq2seq_model.h"

namespace heed {
namespace {

ModelConfig small_transformer(Activation activation) {
  return ModelConfig{.src_vocab_size = 40, .tgt_vocab_size = 40, .d_model = 64, .num_heads = 4, .d_ff = 128,
                     .enc_layers = 2, .dec_layers = 2, .max_len = 16, .dropout = 0, .activation = activation,
                     .scaled_embedding_init = true, .seed = 3};
}

Matrix logits(const Seq2SeqModel& model, const std::vector<std::int32_t>& src, const std::vector<std::int32_t>& tgt) {
  return model.decode(tgt, model.encode(src, 2)).value();
}

TEST(Quantize, EveryLinearAndAttentionGetsEightBitWeights) {
  const auto model = make_model(small_transformer(Activation::ReLU));
  // 2 encoder layers (self-attention, its out_proj, 2 feed-forward) + 2 decoder layers (2
  // attentions, their out_projs, 2 feed-forward) + the generator.
  EXPECT_EQ(quantize_int8(*model), 2 * 4 + 2 * 6 + 1);
}

TEST(Quantize, InferenceIsCloseToFloatAndTrainingStaysFloat) {
  const std::vector<std::int32_t> src = {5, 6, 7, 8, 2, 9, 10, 11, 12, 2}, tgt = {1, 13, 14, 15, 1, 16, 17, 18};
  for (Activation activation : {Activation::ReLU, Activation::GELU}) {
    const auto model = make_model(small_transformer(activation));
    model->eval();
    Matrix float_logits, trained_logits;
    {
      NoGradGuard no_grad;
      float_logits = logits(*model, src, tgt);
    }
    trained_logits = logits(*model, src, tgt);  // gradients on
    quantize_int8(*model);
    Matrix int8_logits;
    {
      NoGradGuard no_grad;
      int8_logits = logits(*model, src, tgt);
    }
    const float spread = std::sqrt(float_logits.squaredNorm() / float(float_logits.size()));
    const float error = (int8_logits - float_logits).cwiseAbs().maxCoeff();
    EXPECT_LT(error, 0.05f * spread) << "spread " << spread;
    EXPECT_GT(error, 0.0f);
    EXPECT_EQ(logits(*model, src, tgt), trained_logits);  // gradients on: the float weights
  }
}

}  // namespace
}  // namespace heed
