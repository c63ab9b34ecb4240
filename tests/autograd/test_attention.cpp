// The fused attention op: gradient checks in both memory forms, agreement with the unfused ops,
// fully masked rows, and dropout regenerated identically in backward.
#include <cmath>
#include <stdexcept>
#include <functional>
#include <tuple>
#include <vector>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

// B = 2 sequences, H = 2 heads, Tq = 3, Tk = 4, D = 5; sequence 1's query 2 sees no key.
struct AttentionCase {
  Tensor q = random_tensor(2 * 2 * 3, 5, 1), k = random_tensor(2 * 2 * 4, 5, 2), v = random_tensor(2 * 2 * 4, 5, 3);
  Mask mask = Mask::Constant(2 * 3, 4, true);
  AttentionCase() {
    mask(0, 3) = false;
    mask(4, 0) = mask(4, 1) = false;
    mask.row(5).setConstant(false);
  }
  AttentionOptions options(bool recompute, Scalar dropout = 0, Rng* rng = nullptr) const {
    return {.batch = 2, .heads = 2, .scale = Scalar(1 / std::sqrt(5.0)), .dropout = dropout, .rng = rng,
            .store_weights = !recompute};
  }
  // The same computation from the unfused ops.
  Tensor unfused() const {
    const Tensor scores = batched_matmul(q * Scalar(1 / std::sqrt(5.0)), k, 4, {.transpose_b = true});
    return batched_matmul(masked_softmax(scores, mask, {.heads = 2, .q_len = 3}), v, 4);
  }
};

TEST(Attention, GradcheckStoredAndRecomputed) {
  AttentionCase s;
  for (bool recompute : {false, true}) {
    EXPECT_GRADCHECK([&] { return attention(s.q, s.k, s.v, s.mask, s.options(recompute)); },
                     {{"Q", s.q}, {"K", s.k}, {"V", s.v}});
  }
}

TEST(Attention, GradcheckWithDropoutAndWithoutMask) {
  AttentionCase s;
  for (bool recompute : {false, true}) {
    EXPECT_GRADCHECK(
        [&] {
          Rng rng(42);  // the same dropout seed on every call
          return attention(s.q, s.k, s.v, s.mask, s.options(recompute, Scalar(0.3), &rng));
        },
        {{"Q", s.q}, {"K", s.k}, {"V", s.v}});
    EXPECT_GRADCHECK([&] { return attention(s.q, s.k, s.v, Mask(), s.options(recompute)); },
                     {{"Q", s.q}, {"K", s.k}, {"V", s.v}});
  }
}

TEST(Attention, EqualsTheUnfusedOpsValuesAndGradients) {
  AttentionCase s;
  for (bool recompute : {false, true}) {
    Tape& tape = Tape::current();
    tape.clear();
    for (Tensor t : {s.q, s.k, s.v}) t.set_requires_grad(true), t.zero_grad();
    const Tensor fused = attention(s.q, s.k, s.v, s.mask, s.options(recompute));
    tape.backward(sum(fused * fused));
    const Matrix dq = s.q.grad(), dk = s.k.grad(), dv = s.v.grad();
    for (Tensor t : {s.q, s.k, s.v}) t.zero_grad();
    const Tensor plain = s.unfused();
    tape.backward(sum(plain * plain));
    tape.clear();
    EXPECT_LT((fused.value() - plain.value()).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((dq - s.q.grad()).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((dk - s.k.grad()).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((dv - s.v.grad()).cwiseAbs().maxCoeff(), 1e-12);
  }
}

// A banded mask (query t sees keys t-5 … t) over 70 queries: two tiles of queries, each of
// which multiplies only the keys some of its queries see (a key range starting past 0 and
// ending before the last key), in both memory forms, with and without dropout.
TEST(Attention, BandedMaskAcrossTilesUsesOnlyTheVisibleKeys) {
  const Index t_len = 70;
  Tensor q = random_tensor(2 * t_len, 3, 21), k = random_tensor(2 * t_len, 3, 22), v = random_tensor(2 * t_len, 3, 23);
  Mask band = Mask::Constant(t_len, t_len, false);
  for (Index t = 0; t < t_len; ++t)
    for (Index j = std::max<Index>(0, t - 5); j <= t; ++j) band(t, j) = true;
  for (bool store : {false, true}) {
    SCOPED_TRACE(store ? "stored" : "recomputed");
    const AttentionOptions o{.batch = 1, .heads = 2, .scale = Scalar(0.5), .store_weights = store};
    Tape& tape = Tape::current();
    tape.clear();
    for (Tensor t : {q, k, v}) t.set_requires_grad(true), t.zero_grad();
    const Tensor fused = attention(q, k, v, band, o);
    tape.backward(sum(fused * fused));
    const Matrix dq = q.grad(), dk = k.grad(), dv = v.grad();
    for (Tensor t : {q, k, v}) t.zero_grad();
    const Tensor scores = batched_matmul(q * Scalar(0.5), k, 2, {.transpose_b = true});
    const Tensor plain = batched_matmul(masked_softmax(scores, band, {.heads = 2, .q_len = t_len}), v, 2);
    tape.backward(sum(plain * plain));
    EXPECT_LT((fused.value() - plain.value()).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((dq - q.grad()).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((dk - k.grad()).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((dv - v.grad()).cwiseAbs().maxCoeff(), 1e-12);
    for (Tensor t : {q, k, v}) t.zero_grad();
    EXPECT_GRADCHECK(
        [&] {
          Rng rng(8);
          AttentionOptions with_dropout = o;
          with_dropout.dropout = Scalar(0.3);
          with_dropout.rng = &rng;
          return attention(q, k, v, band, with_dropout);
        },
        {{"Q", q}, {"K", k}, {"V", v}});
  }
}

// attention_merged reads heads straight from packed q/k/v columns and writes them side by
// side: it must equal split_heads + attention + merge_heads, values and gradients, for
// self-attention (one packed tensor) and cross-attention (two), with masks and dropout.
TEST(Attention, MergedLayoutEqualsSplitAttendMerge) {
  const Index batch = 2, heads = 2, q_len = 3, k_len = 4, width = 6;  // D = 3
  Mask cross_mask = Mask::Constant(batch * q_len, k_len, true);
  cross_mask(1, 3) = false;
  cross_mask.row(5).setConstant(false);  // a query that sees nothing
  Mask causal = Mask::Constant(batch * k_len, k_len, true);
  for (Index b = 0; b < batch; ++b)
    for (Index t = 0; t < k_len; ++t)
      for (Index j = t + 1; j < k_len; ++j) causal(b * k_len + t, j) = false;
  Tensor qkv = random_tensor(batch * k_len, 3 * width, 31);  // self: q, k, v packed
  Tensor query = random_tensor(batch * q_len, width + 2, 32), memory = random_tensor(batch * k_len, 2 * width, 33);
  for (Scalar p : {Scalar(0), Scalar(0.3)}) {
    SCOPED_TRACE(p);
    auto options = [&](Rng* rng) {
      return AttentionOptions{.batch = batch, .heads = heads, .scale = Scalar(0.6), .dropout = p, .rng = rng};
    };
    auto self_merged = [&] {
      Rng rng(4);
      return attention_merged(qkv, 0, qkv, width, 2 * width, width, causal, options(&rng));
    };
    auto self_split = [&] {
      Rng rng(4);
      const Tensor out = attention(split_heads(qkv, batch, heads, 0, width), split_heads(qkv, batch, heads, width, width),
                                   split_heads(qkv, batch, heads, 2 * width, width), causal, options(&rng));
      return merge_heads(out, batch, heads);
    };
    // Cross: q is columns 2..8 of `query`, k and v are the two halves of `memory`.
    auto cross_merged = [&] {
      Rng rng(5);
      return attention_merged(query, 2, memory, 0, width, width, cross_mask, options(&rng));
    };
    auto cross_split = [&] {
      Rng rng(5);
      const Tensor out = attention(split_heads(query, batch, heads, 2, width), split_heads(memory, batch, heads, 0, width),
                                   split_heads(memory, batch, heads, width, width), cross_mask, options(&rng));
      return merge_heads(out, batch, heads);
    };
    for (const auto& [merged, split, inputs] :
         {std::tuple{std::function<Tensor()>(self_merged), std::function<Tensor()>(self_split), std::vector<Tensor>{qkv}},
          std::tuple{std::function<Tensor()>(cross_merged), std::function<Tensor()>(cross_split),
                     std::vector<Tensor>{query, memory}}}) {
      Tape& tape = Tape::current();
      tape.clear();
      for (Tensor t : inputs) t.set_requires_grad(true), t.zero_grad();
      const Tensor a = merged();
      tape.backward(sum(a * a));
      std::vector<Matrix> grads;
      for (const Tensor& t : inputs) grads.push_back(t.grad()), t.zero_grad();
      const Tensor b = split();
      tape.backward(sum(b * b));
      EXPECT_LT((a.value() - b.value()).cwiseAbs().maxCoeff(), 1e-12);
      for (std::size_t i = 0; i < inputs.size(); ++i) EXPECT_LT((grads[i] - inputs[i].grad()).cwiseAbs().maxCoeff(), 1e-12);
      for (Tensor t : inputs) t.zero_grad();
    }
    EXPECT_GRADCHECK(self_merged, {{"qkv", qkv}});
    EXPECT_GRADCHECK(cross_merged, {{"query", query}, {"memory", memory}});
  }
}

TEST(Attention, MergedLayoutRejectsOverlappingColumns) {
  Tensor qkv = random_tensor(4, 18, 41), other = random_tensor(4, 18, 42);
  const AttentionOptions o{.batch = 1, .heads = 2, .scale = Scalar(0.5)};
  EXPECT_THROW(attention_merged(qkv, 0, qkv, 3, 12, 6, Mask(), o), std::invalid_argument);  // q and k share 3 columns
  EXPECT_THROW(attention_merged(other, 0, qkv, 6, 8, 6, Mask(), o), std::invalid_argument);  // k and v
  EXPECT_NO_THROW(attention_merged(other, 0, qkv, 0, 6, 6, Mask(), o));  // q from another tensor may reuse columns
  Tape::current().clear();
}

TEST(Attention, FullyMaskedRowGivesZeroOutputAndGradientNoNaN) {
  AttentionCase s;
  AnomalyGuard anomaly;
  for (bool recompute : {false, true}) {
    s.q.set_requires_grad(true);
    s.q.zero_grad();
    const Tensor out = attention(s.q, s.k, s.v, s.mask, s.options(recompute));
    // mask row 5 is sequence 1, query 2: score rows (1·2 + h)·3 + 2 for both heads
    for (Index row : {8, 11}) EXPECT_EQ(out.value().row(row).cwiseAbs().maxCoeff(), 0.0);
    Tape::current().backward(sum(out));
    Tape::current().clear();
    for (Index row : {8, 11}) EXPECT_EQ(s.q.grad().row(row).cwiseAbs().maxCoeff(), 0.0);
  }
}

TEST(Attention, DropoutScaleAndDeterminism) {
  // Uniform attention over 64 keys of value 1: each output is the mean of kept 1/(1-p) entries.
  const Tensor q = Tensor::zeros(4 * 64, 1), k = Tensor::zeros(4 * 64, 1), v = Tensor::constant(4 * 64, 1, 1);
  Rng a(5), b(5), c(6);
  AttentionOptions o{.batch = 4, .heads = 1, .scale = 1, .dropout = Scalar(0.25), .rng = &a};
  const Matrix first = attention(q, k, v, Mask(), o).value();
  o.rng = &b;
  EXPECT_EQ(attention(q, k, v, Mask(), o).value(), first);
  o.rng = &c;
  EXPECT_NE(attention(q, k, v, Mask(), o).value(), first);
  EXPECT_NEAR(first.mean(), 1.0, 0.02);
}

}  // namespace
}  // namespace heed

namespace heed {
namespace {

TEST(Fused, LinearReluDropoutGradcheckAndEqualsUnfused) {
  Tensor x = testing::random_tensor(6, 5, 1), w = testing::random_tensor(7, 5, 2), b = testing::random_tensor(1, 7, 3);
  EXPECT_GRADCHECK([&] { return linear_relu_dropout(x, w, b, 0, nullptr); }, {{"x", x}, {"W", w}, {"b", b}});
  EXPECT_GRADCHECK(
      [&] {
        Rng rng(9);
        return linear_relu_dropout(x, w, b, Scalar(0.4), &rng);
      },
      {{"x", x}, {"W", w}, {"b", b}});
  EXPECT_LT((linear_relu_dropout(x, w, b, 0, nullptr).value() - relu(linear(x, w, b)).value()).cwiseAbs().maxCoeff(),
            1e-12);
}

// 600 rows: three of the fused backward's 256-row blocks of bias-gradient sums, and the forward's
// bias, relu and dropout applied after the product, against the ops one by one (same rng draws).
TEST(Fused, LinearReluDropoutEqualsTheOpsOverSeveralRowBlocks) {
  Tensor x = testing::random_tensor(600, 9, 4), w = testing::random_tensor(11, 9, 5), b = testing::random_tensor(1, 11, 6);
  Tape& tape = Tape::current();
  tape.clear();
  for (Tensor t : {x, w, b}) t.set_requires_grad(true), t.zero_grad();
  Rng fused_rng(3), plain_rng(3);
  const Tensor fused = linear_relu_dropout(x, w, b, Scalar(0.3), &fused_rng);
  tape.backward(sum(fused * fused));
  const Matrix dx = x.grad(), dw = w.grad(), db = b.grad();
  for (Tensor t : {x, w, b}) t.zero_grad();
  const Tensor plain = dropout(relu(linear(x, w, b)), Scalar(0.3), plain_rng);
  tape.backward(sum(plain * plain));
  tape.clear();
  EXPECT_GT((plain.value().array() == 0).count(), 600 * 11 / 3);  // relu and dropout both zeroed some
  EXPECT_LT((fused.value() - plain.value()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((dx - x.grad()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((dw - w.grad()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((db - b.grad()).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(Fused, AddDropoutGradcheckScaleAndDeterminism) {
  Tensor x = testing::random_tensor(6, 5, 1), y = testing::random_tensor(6, 5, 2);
  EXPECT_GRADCHECK(
      [&] {
        Rng rng(9);
        return add_dropout(x, y, Scalar(0.3), &rng);
      },
      {{"x", x}, {"y", y}});
  const Tensor zeros = Tensor::zeros(200, 100), ones = Tensor::constant(200, 100, 1);
  Rng a(4), b(4);
  const Matrix first = add_dropout(zeros, ones, Scalar(0.2), &a).value();
  EXPECT_EQ(first, add_dropout(zeros, ones, Scalar(0.2), &b).value());
  EXPECT_NEAR(first.mean(), 1.0, 0.02);                                          // expected scale kept
  EXPECT_NEAR((first.array() == 0).cast<double>().mean(), 0.2, 0.02);           // p of them dropped
}

}  // namespace
}  // namespace heed
