// The Transformer in float32 against PyTorch's reference module (tests/fixtures/transformer_small.h5,
// written by tools/make_transformer_fixture.py): same weights and padded batch must give the same
// logits, losses (label smoothing 0 and 0.1) and the gradient of every parameter, by name.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "checkpoints/h5_reader.h"
#include "layers/transformer.h"
#include "tests/layers/torch_fixture.h"

namespace heed {
namespace {

using testing_torch::expect_torch_gradients;
using testing_torch::expect_torch_logits;
using testing_torch::load_torch_weights;

// Tolerances, float32. Logits are O(1) and each is a sum of a few hundred float products taken in
// another order than PyTorch's kernels, so they agree to a few ulps, not bitwise: measured max
// differences are 4.8e-7 (logits) and 6e-8 (gradients, whose values are O(1e-2)). The bounds
// leave a 10x margin over that and stay far below what a wrong mask, scale or formula gives
// (> 1e-2; see the README).
constexpr float kLogitTol = 5e-6f;
constexpr float kLossTol = 1e-6f;
constexpr float kGradAbsTol = 1e-6f, kGradRelTol = 1e-4f;

std::string fixture_path() { return std::string(HEED_SOURCE_DIR) + "/tests/fixtures/transformer_small.h5"; }

class TorchEquivalence : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::make_unique<H5Reader>(fixture_path());
    model_ = std::make_unique<Transformer>(ModelConfig{
        .src_vocab_size = 13, .tgt_vocab_size = 13, .d_model = 16, .num_heads = 2, .d_ff = 24, .enc_layers = 2,
        .dec_layers = 2, .max_len = 32, .dropout = 0});
    // Strict load: the fixture's names and shapes equal the model's, one for one.
    load_torch_weights(*file_, *model_);
    const Array<std::int32_t> src = file_->read_ints("batch/src"), tgt_in = file_->read_ints("batch/tgt_in"),
                              tgt_out = file_->read_ints("batch/tgt_out");
    batch_ = Seq2SeqBatch{.batch = Index(src.shape[0]), .src = src.values, .tgt_in = tgt_in.values,
                          .tgt_out = tgt_out.values};
  }
  void TearDown() override { Tape::current().clear(); }

  std::unique_ptr<H5Reader> file_;
  std::unique_ptr<Transformer> model_;
  Seq2SeqBatch batch_;
};

TEST_F(TorchEquivalence, LogitsAndLossesMatch) {
  NoGradGuard no_grad;
  const Tensor logits = model_->forward(batch_);
  expect_torch_logits(*file_, logits, cross_entropy(logits, batch_.tgt_out).item(), kLogitTol, kLossTol);
  const float smoothed = cross_entropy(logits, batch_.tgt_out, {.label_smoothing = 0.1f}).item();
  EXPECT_NEAR(smoothed, file_->read_floats("loss_smoothed").values.at(0), kLossTol);
}

TEST_F(TorchEquivalence, EveryParameterGradientMatchesByName) {
  const Tensor loss = cross_entropy(model_->forward(batch_), batch_.tgt_out, {.label_smoothing = 0.1f});
  Tape::current().backward(loss);
  expect_torch_gradients(*file_, *model_, kGradAbsTol, kGradRelTol);
}

}  // namespace
}  // namespace heed
