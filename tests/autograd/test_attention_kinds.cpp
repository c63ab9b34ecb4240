// Local attention (the fused kernel under a band pattern) and linear attention: gradient checks on
// shapes that cross the kernel's 64-query tiles and the window's edges, agreement with a dense
// reference, and the mask convention (padding; a query that sees no key gives zeros, never NaN).
#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

constexpr Index kLen = 70;  // > 64: two tiles of queries

// Two sequences of 70: the first whole, the second real only at positions 0..9, so that under a
// causal window of 5 its queries from 15 on see no key at all.
Mask two_sequences_keys() {
  Mask keys = Mask::Constant(2, kLen, true);
  keys.row(1).tail(kLen - 10).setConstant(false);
  return keys;
}

// Runs f, backpropagates sum(out²) into the inputs and returns (value, gradients).
struct Outcome {
  Matrix value;
  std::vector<Matrix> grads;
};
template <class F>
Outcome run(F f, const std::vector<Tensor>& inputs) {
  Tape& tape = Tape::current();
  tape.clear();
  for (Tensor t : inputs) t.set_requires_grad(true), t.zero_grad();
  const Tensor out = f();
  tape.backward(sum(out * out));
  Outcome r{out.value(), {}};
  for (const Tensor& t : inputs) r.grads.push_back(t.grad());
  return r;
}

void expect_equal(const Outcome& a, const Outcome& b, double tolerance) {
  EXPECT_LT((a.value - b.value).cwiseAbs().maxCoeff(), tolerance);
  for (std::size_t i = 0; i < a.grads.size(); ++i) EXPECT_LT((a.grads[i] - b.grads[i]).cwiseAbs().maxCoeff(), tolerance) << i;
}

// hide() (what the fused kernel uses) hides exactly the keys row() flags as not visible, for
// every kind of pattern and matrix, over key ranges that start and end inside and outside the band.
TEST(AttentionMask, HideMatchesTheRowFlags) {
  const Mask keys = two_sequences_keys();
  std::vector<AttentionMask> masks;
  for (Index before : {-1, 0, 3})
    for (Index after : {-1, 0, 2}) {
      masks.push_back(AttentionMask::pattern(keys, before, after));
      masks.push_back(AttentionMask::pattern(Mask(), before, after));
    }
  masks.emplace_back(AttentionMask::pattern(keys, 4, 1).to_matrix(2, kLen, kLen));
  const Scalar hidden = -1;
  for (const AttentionMask& mask : masks)
    for (Index b = 0; b < 2; ++b)
      for (Index t : {0, 5, 9, 12, 69})
        for (auto [c0, width] : {std::pair<Index, Index>{0, kLen}, {3, 10}, {8, 5}, {60, 10}, {0, 0}}) {
          Mask flags(1, std::max<Index>(width, 1));
          const bool* allowed = mask.row(b, kLen, t, c0, width, flags.data());
          std::vector<Scalar> scores(std::size_t(width), 1);
          mask.hide(b, kLen, t, c0, width, scores.data(), hidden);
          for (Index c = 0; c < width; ++c)
            ASSERT_EQ(scores[std::size_t(c)], allowed[c] ? 1 : hidden)
                << "b " << b << " t " << t << " key " << c0 + c << " before " << mask.before() << " after "
                << mask.after() << (mask.is_matrix() ? " (matrix)" : "");
        }
}

TEST(LocalAttention, BandPatternEqualsItsMatrixAndTheUnfusedOps) {
  Tensor q = random_tensor(2 * 2 * kLen, 3, 1), k = random_tensor(2 * 2 * kLen, 3, 2), v = random_tensor(2 * 2 * kLen, 3, 3);
  const Mask keys = two_sequences_keys();
  for (bool causal : {true, false})
    for (Index window : {1, 5, 64}) {  // 64: a band as wide as a tile
      SCOPED_TRACE(::testing::Message() << (causal ? "causal" : "two-sided") << " window " << window);
      const AttentionMask band = AttentionMask::pattern(keys, window, causal ? 0 : window);
      const Mask matrix = band.to_matrix(2, kLen, kLen);
      for (Index t = 0; t < kLen; ++t)  // the matrix form is what the pattern promises
        for (Index j = 0; j < kLen; ++j)
          ASSERT_EQ(matrix(kLen + t, j), j < 10 && j >= t - window && j <= t + (causal ? 0 : window));
      for (bool store : {false, true}) {
        const AttentionOptions o{.batch = 2, .heads = 2, .scale = Scalar(0.7), .store_weights = store};
        const Outcome fused = run([&] { return attention(q, k, v, band, o); }, {q, k, v});
        const Outcome dense = run([&] { return attention(q, k, v, matrix, o); }, {q, k, v});
        const Outcome plain = run(
            [&] {
              const Tensor scores = batched_matmul(q * Scalar(0.7), k, 4, {.transpose_b = true});
              return batched_matmul(masked_softmax(scores, matrix, {.heads = 2, .q_len = kLen}), v, 4);
            },
            {q, k, v});
        expect_equal(fused, dense, 1e-13);
        expect_equal(fused, plain, 1e-12);
      }
    }
}

TEST(LocalAttention, GradcheckAcrossTilesAndWindowEdgesWithDropout) {
  Tensor q = random_tensor(2 * kLen, 4, 4), k = random_tensor(2 * kLen, 4, 5), v = random_tensor(2 * kLen, 4, 6);
  const Mask keys = two_sequences_keys();
  for (bool causal : {true, false}) {
    const AttentionMask band = AttentionMask::pattern(keys, 5, causal ? 0 : 5);
    for (Scalar p : {Scalar(0), Scalar(0.3)}) {
      SCOPED_TRACE(::testing::Message() << (causal ? "causal" : "two-sided") << " dropout " << p);
      EXPECT_GRADCHECK(
          [&] {
            Rng rng(8);
            return attention(q, k, v, band, {.batch = 2, .heads = 1, .scale = Scalar(0.5), .dropout = p, .rng = &rng});
          },
          {{"Q", q}, {"K", k}, {"V", v}});
    }
  }
}

TEST(LocalAttention, QueriesWhoseWindowHoldsOnlyPaddingGiveZerosNotNaN) {
  Tensor q = random_tensor(2 * kLen, 4, 7), k = random_tensor(2 * kLen, 4, 8), v = random_tensor(2 * kLen, 4, 9);
  AnomalyGuard anomaly;
  const AttentionMask band = AttentionMask::pattern(two_sequences_keys(), 5, 0);
  const Outcome r = run([&] { return attention(q, k, v, band, {.batch = 2, .heads = 1, .scale = 1}); }, {q, k, v});
  EXPECT_EQ(r.value.middleRows(kLen + 15, kLen - 15).cwiseAbs().maxCoeff(), 0);   // see no key
  EXPECT_GT(r.value.middleRows(kLen + 10, 5).cwiseAbs().minCoeff(), 0);            // still see key 9
  EXPECT_EQ(r.grads[0].middleRows(kLen + 15, kLen - 15).cwiseAbs().maxCoeff(), 0);
}

// Linear attention computed the quadratic way: weights w_ij = φ(q_i)·φ(k_j) over the keys i sees,
// normalised per row (a row that sees none stays zero).
Matrix dense_linear_attention(const Matrix& q, const Matrix& k, const Matrix& v, const Mask& keys, Index batch,
                              Index heads, bool causal) {
  const Index q_len = q.rows() / (batch * heads), k_len = k.rows() / (batch * heads);
  const Matrix fq = linear_attention_features(q), fk = linear_attention_features(k);
  Matrix out = Matrix::Zero(q.rows(), v.cols());
  for (Index blk = 0; blk < batch * heads; ++blk)
    for (Index i = 0; i < q_len; ++i) {
      Matrix w = fk.middleRows(blk * k_len, k_len) * fq.row(blk * q_len + i).transpose();  // (Tk, 1)
      for (Index j = 0; j < k_len; ++j)
        if ((keys.size() > 0 && !keys(blk / heads, j)) || (causal && j > i)) w(j, 0) = 0;
      if (w.sum() == 0) continue;
      out.row(blk * q_len + i) = (w.transpose() * v.middleRows(blk * k_len, k_len)) / w.sum();
    }
  return out;
}

TEST(LinearAttention, EqualsTheQuadraticFormulaCausalAndNot) {
  const Mask keys = two_sequences_keys();
  Tensor q = random_tensor(2 * 2 * kLen, 3, 11), k = random_tensor(2 * 2 * kLen, 3, 12), v = random_tensor(2 * 2 * kLen, 5, 13);
  for (bool causal : {true, false}) {
    const Matrix fast = linear_attention(q, k, v, keys, {.batch = 2, .heads = 2, .causal = causal}).value();
    EXPECT_LT((fast - dense_linear_attention(q.value(), k.value(), v.value(), keys, 2, 2, causal)).cwiseAbs().maxCoeff(),
              1e-12);
  }
  Tape::current().clear();
}

TEST(LinearAttention, GradcheckCausalSelfAndCrossWithPadding) {
  const Mask keys = two_sequences_keys();
  Tensor q = random_tensor(2 * 2 * kLen, 3, 14), k = random_tensor(2 * 2 * kLen, 3, 15), v = random_tensor(2 * 2 * kLen, 4, 16);
  EXPECT_GRADCHECK([&] { return linear_attention(q, k, v, keys, {.batch = 2, .heads = 2, .causal = true}); },
                   {{"Q", q}, {"K", k}, {"V", v}});
  // Cross-attention: 6 queries per sequence over the 70 keys, the second sequence's keys padded.
  Tensor queries = random_tensor(2 * 2 * 6, 3, 17);
  EXPECT_GRADCHECK([&] { return linear_attention(queries, k, v, keys, {.batch = 2, .heads = 2, .causal = false}); },
                   {{"Q", queries}, {"K", k}, {"V", v}});
}

TEST(LinearAttention, ASequenceOfPaddingGivesZerosAndZeroGradientsNotNaN) {
  Mask keys = Mask::Constant(2, 5, true);
  keys.row(1).setConstant(false);  // the second sequence is all padding
  keys(0, 0) = false;              // and the first one's query 0 sees no key when causal
  Tensor q = random_tensor(10, 3, 18), k = random_tensor(10, 3, 19), v = random_tensor(10, 3, 20);
  AnomalyGuard anomaly;
  for (bool causal : {true, false}) {
    const Outcome r = run([&] { return linear_attention(q, k, v, keys, {.batch = 2, .causal = causal}); }, {q, k, v});
    EXPECT_EQ(r.value.bottomRows(5).cwiseAbs().maxCoeff(), 0);
    for (const Matrix& g : r.grads) EXPECT_EQ(g.bottomRows(5).cwiseAbs().maxCoeff(), 0);
    if (causal) {
      EXPECT_EQ(r.value.row(0).cwiseAbs().maxCoeff(), 0);
    }
    EXPECT_TRUE(r.value.allFinite());
  }
}

}  // namespace
}  // namespace heed
