// The decoder-only language model in float32 against the same model built from PyTorch modules
// (tests/fixtures/lm_small.h5, written by tools/make_lm_fixture.py with tools/torch_lm.py:
// nn.TransformerEncoderLayer(norm_first=True) under a causal mask): the same weights and windows
// give the same logits, loss and gradient of every parameter, by name.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "layers/language_model.h"
#include "tests/layers/torch_fixture.h"

namespace heed {
namespace {

using testing_torch::expect_torch_gradients;
using testing_torch::expect_torch_logits;
using testing_torch::load_torch_weights;

// The encoder-decoder's bounds (tests/layers/test_torch_equivalence.cpp), for the same reasons.
constexpr float kLogitTol = 5e-6f, kLossTol = 1e-6f, kGradAbsTol = 1e-6f, kGradRelTol = 1e-4f;

class LmTorchEquivalence : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::make_unique<H5Reader>(std::string(HEED_SOURCE_DIR) + "/tests/fixtures/lm_small.h5");
    model_ = std::make_unique<LanguageModel>(ModelConfig{.arch = Arch::Lm, .src_vocab_size = 11, .tgt_vocab_size = 11,
                                                         .d_model = 16, .num_heads = 2, .d_ff = 24, .dec_layers = 2,
                                                         .max_len = 6, .dropout = 0});
    load_torch_weights(*file_, *model_);
    const Array<std::int32_t> in = file_->read_ints("batch/tgt_in"), out = file_->read_ints("batch/tgt_out");
    batch_ = Seq2SeqBatch{.batch = Index(in.shape[0]), .src = {}, .tgt_in = in.values, .tgt_out = out.values};
  }
  void TearDown() override { Tape::current().clear(); }

  std::unique_ptr<H5Reader> file_;
  std::unique_ptr<LanguageModel> model_;
  Seq2SeqBatch batch_;
};

TEST_F(LmTorchEquivalence, LogitsAndLossMatch) {
  NoGradGuard no_grad;
  const Tensor logits = model_->forward(batch_);
  expect_torch_logits(*file_, logits, cross_entropy(logits, batch_.tgt_out).item(), kLogitTol, kLossTol);
}

TEST_F(LmTorchEquivalence, EveryParameterGradientMatchesByName) {
  Tape::current().backward(cross_entropy(model_->forward(batch_), batch_.tgt_out));
  expect_torch_gradients(*file_, *model_, kGradAbsTol, kGradRelTol);
}

}  // namespace
}  // namespace heed
