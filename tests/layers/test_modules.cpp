// Module naming, parameter counts, modes, masks and attention properties.
#include <gtest/gtest.h>

#include <set>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "layers/masks.h"
#include "layers/seq2seq_model.h"
#include "layers/transformer.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

// The Transformer bench configs (train/bench/bench.cpp), as the PyTorch reference builds them.
ModelConfig bench_config(Index vocab, Index d, Index heads, Index ff, Index layers, Index max_len) {
  return ModelConfig{.src_vocab_size = vocab, .tgt_vocab_size = vocab, .d_model = d, .num_heads = heads,
                           .d_ff = ff, .enc_layers = layers, .dec_layers = layers, .max_len = max_len};
}

TEST(Transformer, ParameterCountsEqualTheReference) {
  EXPECT_EQ(Transformer(bench_config(64, 128, 4, 512, 2, 512)).parameter_count(), 950848);
  EXPECT_EQ(Transformer(bench_config(1000, 256, 8, 1024, 3, 512)).parameter_count(), 6299624);
  EXPECT_EQ(Transformer(bench_config(64, 128, 4, 512, 1, 4096)).parameter_count(), 488000);
}

TEST(Transformer, ParameterNamesAndShapesFollowPyTorch) {
  Transformer model(bench_config(11, 8, 2, 12, 2, 16));
  std::map<std::string, std::vector<Index>> shapes;
  for (const auto& p : model.parameters()) shapes[p.name] = p.shape;
  using V = std::vector<Index>;
  EXPECT_EQ(shapes.at("src_embed.weight"), (V{11, 8}));
  EXPECT_EQ(shapes.at("encoder.layers.1.self_attn.in_proj_weight"), (V{24, 8}));
  EXPECT_EQ(shapes.at("encoder.layers.1.self_attn.in_proj_bias"), (V{24}));
  EXPECT_EQ(shapes.at("encoder.layers.0.self_attn.out_proj.weight"), (V{8, 8}));
  EXPECT_EQ(shapes.at("encoder.layers.0.linear1.weight"), (V{12, 8}));
  EXPECT_EQ(shapes.at("encoder.layers.0.linear2.bias"), (V{8}));
  EXPECT_EQ(shapes.at("encoder.norm.weight"), (V{8}));
  EXPECT_EQ(shapes.at("decoder.layers.1.multihead_attn.in_proj_weight"), (V{24, 8}));
  EXPECT_EQ(shapes.at("decoder.layers.0.norm3.bias"), (V{8}));
  EXPECT_EQ(shapes.at("generator.weight"), (V{11, 8}));
  EXPECT_EQ(shapes.at("generator.bias"), (V{11}));
  // 2 embeddings + 2·(encoder layer 12) + norm 2 + 2·(decoder layer 18) + norm 2 + generator 2
  EXPECT_EQ(shapes.size(), 2u + 24u + 2u + 36u + 2u + 2u);
}

// Tied embeddings: one matrix, listed once under its first name, for every family; "all" needs
// one vocabulary size for both sides.
TEST(TiedEmbeddings, OneMatrixListedOnceUnderItsFirstName) {
  for (Arch arch : {Arch::Transformer, Arch::Lstm, Arch::LstmAttention}) {
    ModelConfig config = bench_config(11, 8, 2, 12, 1, 16);
    config.arch = arch;
    const Index untied = make_model(config)->parameter_count();
    config.tie_embeddings = TieEmbeddings::Decoder;
    const auto decoder_tied = make_model(config);
    std::set<std::string> names;
    for (const auto& p : decoder_tied->parameters()) names.insert(p.name);
    EXPECT_TRUE(names.count("tgt_embed.weight") && !names.count("generator.weight")) << arch_name(arch);
    EXPECT_TRUE(names.count("generator.bias")) << arch_name(arch);
    EXPECT_EQ(decoder_tied->parameter_count(), untied - 11 * 8) << arch_name(arch);
    config.tie_embeddings = TieEmbeddings::All;
    const auto all_tied = make_model(config);
    names.clear();
    for (const auto& p : all_tied->parameters()) names.insert(p.name);
    EXPECT_TRUE(names.count("src_embed.weight") && !names.count("tgt_embed.weight") && !names.count("generator.weight"));
    EXPECT_EQ(all_tied->parameter_count(), untied - 2 * 11 * 8) << arch_name(arch);
  }
  ModelConfig two_vocabularies = bench_config(11, 8, 2, 12, 1, 16);
  two_vocabularies.tgt_vocab_size = 12;
  two_vocabularies.tie_embeddings = TieEmbeddings::All;
  EXPECT_THROW(validate(two_vocabularies), std::invalid_argument);
}

class TwoLinears : public Module {
 public:
  explicit TwoLinears(Rng& rng) : a(2, 3, rng), b(3, 1, rng, /*with_bias=*/false) {
    register_module("a", a);
    register_module("b", b);
  }
  void register_again() { register_module("a", b); }
  void register_dotted() { register_parameter("x.y", Tensor::zeros(1, 1)); }
  Linear a, b;
};

TEST(Module, DottedNamesRegistrationOrderAndBadNames) {
  Rng rng(1);
  TwoLinears m(rng);
  std::vector<std::string> names;
  for (const auto& [name, t] : m.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"a.weight", "a.bias", "b.weight"}));
  EXPECT_EQ(m.parameter_count(), 2 * 3 + 3 + 3);
  EXPECT_THROW(m.register_again(), std::invalid_argument);
  EXPECT_THROW(m.register_dotted(), std::invalid_argument);
}

TEST(Module, ZeroGradAndTrainEvalReachChildren) {
  Transformer model(bench_config(7, 8, 2, 12, 1, 8));
  EXPECT_TRUE(model.encoder.layers[0]->self_attn.is_training());
  model.eval();
  EXPECT_FALSE(model.encoder.layers[0]->self_attn.is_training());
  Seq2SeqBatch batch{.batch = 1, .src = {4, 5, 2}, .tgt_in = {1, 4}, .tgt_out = {4, 2}};
  Tape::current().backward(cross_entropy(model.forward(batch), batch.tgt_out));
  Tape::current().clear();
  EXPECT_TRUE(model.generator.weight.has_grad());
  model.zero_grad();
  for (const auto& p : model.parameters()) EXPECT_FALSE(p.tensor.has_grad()) << p.name;
}

TEST(Transformer, EvalModeIsDeterministicAndTrainModeDropsOut) {
  Transformer model(bench_config(7, 8, 2, 12, 1, 8));
  Seq2SeqBatch batch{.batch = 1, .src = {4, 5, 2}, .tgt_in = {1, 4}, .tgt_out = {4, 2}};
  NoGradGuard no_grad;
  const Matrix train1 = model.forward(batch).value(), train2 = model.forward(batch).value();
  EXPECT_GT((train1 - train2).cwiseAbs().maxCoeff(), 1e-6);  // dropout 0.1 draws new masks
  model.eval();
  EXPECT_EQ(model.forward(batch).value(), model.forward(batch).value());
}

TEST(Masks, CausalAndPaddingFollowTrueMeansAttend) {
  const Mask keys = non_pad_mask({5, 6, 0, 7, 0, 0}, 2);  // (2,3)
  const Mask m = attention_mask(2, 3, 3, keys, /*causal=*/true);
  // sequence 0, query 1 sees keys 0 and 1; key 2 is both future and padding
  EXPECT_TRUE(m(1, 0));
  EXPECT_TRUE(m(1, 1));
  EXPECT_FALSE(m(1, 2));
  // sequence 1, query 2 sees only key 0
  EXPECT_TRUE(m(5, 0));
  EXPECT_FALSE(m(5, 1));
  EXPECT_FALSE(m(5, 2));
}

TEST(Masks, PaddingMaskIsEmptyOnlyWhenNoKeyIsPadding) {
  EXPECT_EQ(padding_mask_or_none(2, 4, 3, non_pad_mask({5, 6, 7, 8, 9, 4}, 2)).size(), 0);
  const Mask padded = padding_mask_or_none(2, 4, 3, non_pad_mask({5, 6, 7, 8, 9, 0}, 2));
  ASSERT_EQ(padded.rows(), 8);
  EXPECT_TRUE(padded.topRows(4).all());        // sequence 0 has no padding
  EXPECT_FALSE(padded.bottomRows(4).col(2).any());  // sequence 1's last key is PAD for every query
  EXPECT_TRUE(padded.bottomRows(4).leftCols(2).all());
}

TEST(Attention, ReturnsEveryHeadsWeightsWithMaskedKeysAtZero) {
  Rng rng(3);
  MultiHeadAttention attn(8, 2, 0, rng);
  const Tensor x = random_tensor(6, 8, 4);
  const Mask mask = attention_mask(2, 3, 3, non_pad_mask({5, 6, 7, 8, 9, 0}, 2), /*causal=*/true);
  const AttentionResult r = attn.forward(x, x, mask, 2, /*need_weights=*/true);
  ASSERT_EQ(r.weights.rows(), 2 * 2 * 3);  // (B·H·Tq, Tk), no averaging over heads
  ASSERT_EQ(r.weights.cols(), 3);
  for (Index row = 0; row < r.weights.rows(); ++row) {
    const Index b = row / 6, t = row % 3;
    EXPECT_NEAR(r.weights.value().row(row).sum(), 1.0, 1e-12);
    for (Index k = 0; k < 3; ++k) {
      if (!mask(b * 3 + t, k)) {
        EXPECT_EQ(r.weights.value()(row, k), 0.0) << row << "," << k;
      }
    }
  }
}

// Weights asked of local and linear attention (for translate --dump-attention): rows that sum to
// 1 over the keys the pattern shows (0 for a query that sees none), 0 elsewhere, and the output
// unchanged by asking.
TEST(Attention, LocalAndLinearWeightsFollowTheirPattern) {
  const Tensor x = random_tensor(2 * 5, 8, 4);
  const Mask keys = non_pad_mask({5, 6, 7, 8, 9, 5, 6, 7, 0, 0}, 2);
  for (const auto& [kind, window] : {std::pair{AttentionKind::Local, Index(1)}, std::pair{AttentionKind::Linear, Index(0)}}) {
    Rng rng(3);
    MultiHeadAttention attn(8, 2, 0, rng, nullptr, kind);
    const AttentionMask pattern = attention_pattern(keys, /*causal=*/true, window);
    const Mask visible = pattern.to_matrix(2, 5, 5);
    const AttentionResult r = attn.forward(x, x, pattern, 2, /*need_weights=*/true);
    EXPECT_LT((r.output.value() - attn.forward(x, x, pattern, 2).output.value()).cwiseAbs().maxCoeff(), 1e-12);
    for (Index row = 0; row < r.weights.rows(); ++row) {
      const Index mask_row = (row / 10) * 5 + row % 5;
      const double expected = visible.row(mask_row).any() ? 1 : 0;  // local: queries 3, 4 of sequence 1 see only padding
      EXPECT_NEAR(r.weights.value().row(row).sum(), expected, 1e-12) << attention_name(kind) << " row " << row;
      for (Index k = 0; k < 5; ++k)
        if (!visible(mask_row, k)) {
          EXPECT_EQ(r.weights.value()(row, k), 0.0) << attention_name(kind) << " " << row << "," << k;
        }
    }
  }
}

TEST(Attention, FullyMaskedQueryGivesBiasOnlyAndNoNaN) {
  Rng rng(3);
  MultiHeadAttention attn(8, 2, 0, rng);
  attn.out_proj.bias.mutable_value() = random_tensor(1, 8, 9).value();
  const Tensor x = random_tensor(6, 8, 4);
  const Mask mask = attention_mask(2, 3, 3, non_pad_mask({5, 6, 7, 0, 0, 0}, 2), false);
  AnomalyGuard anomaly;  // throws on any NaN/Inf, forward or backward
  const Tensor out = attn.forward(x, x, mask, 2).output;
  for (Index row = 3; row < 6; ++row)  // sequence 1 sees no key: its context is zero
    EXPECT_EQ(out.value().row(row), attn.out_proj.bias.value().row(0));
  Tape::current().backward(sum(out));
  Tape::current().clear();
  EXPECT_TRUE(x.has_grad() || !x.requires_grad());
}

TEST(Attention, SelfAndCrossPathsAgree) {
  // The packed self-attention path and the split cross-attention path compute the same function.
  Rng rng(5);
  MultiHeadAttention attn(8, 2, 0, rng);
  attn.in_proj_bias.mutable_value() = random_tensor(1, 24, 6).value();
  const Tensor x = random_tensor(6, 8, 7);
  const Tensor x_copy(x.value());
  const Mask mask = attention_mask(2, 3, 3, non_pad_mask({5, 6, 7, 8, 9, 0}, 2), true);
  const Matrix self = attn.forward(x, x, mask, 2).output.value();
  const Matrix cross = attn.forward(x, x_copy, mask, 2).output.value();
  EXPECT_LT((self - cross).cwiseAbs().maxCoeff(), 1e-12);
}

// The unfused path (heed bench --attention naive) computes what the fused kernel computes, output
// and gradients, under padding and a causal band, and a model's every attention can be switched.
TEST(Attention, UnfusedPathEqualsTheFusedKernel) {
  const Tensor x = random_tensor(2 * 5, 8, 4);
  const AttentionMask pattern = attention_pattern(non_pad_mask({5, 6, 7, 8, 9, 5, 6, 7, 0, 0}, 2), /*causal=*/true, 0);
  std::vector<Matrix> outputs, input_grads, weight_grads;
  for (bool unfused : {false, true}) {
    Rng rng(3);
    MultiHeadAttention attn(8, 2, 0, rng);
    attn.set_unfused(unfused);
    EXPECT_EQ(attn.is_unfused(), unfused);
    const Tensor input(x.value(), /*requires_grad=*/true);
    const Tensor out = attn.forward(input, input, pattern, 2).output;
    Tape::current().backward(sum(out * out));
    Tape::current().clear();
    outputs.push_back(out.value());
    input_grads.push_back(input.grad());
    weight_grads.push_back(attn.in_proj_weight.grad());
  }
  EXPECT_LT((outputs[0] - outputs[1]).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((input_grads[0] - input_grads[1]).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((weight_grads[0] - weight_grads[1]).cwiseAbs().maxCoeff(), 1e-12);

  Transformer model(bench_config(7, 8, 2, 12, 1, 8));
  int attentions = 0;
  model.for_each_module([&](Module& m) {
    if (auto* a = dynamic_cast<MultiHeadAttention*>(&m)) a->set_unfused(true), ++attentions;
  });
  EXPECT_EQ(attentions, 3);  // encoder self, decoder self and cross
  EXPECT_TRUE(model.decoder.layers[0]->multihead_attn.is_unfused());
}

}  // namespace
}  // namespace heed
