// The fused attention op in float, as training runs it, over sequences long enough for every kind
// of tile the small kernels take (autograd/small_gemm.h): 150 queries and keys make tiles wide
// (Q·Kᵀ over 150 keys), deep (P·V) and tall (dV = Pdᵀ·dO), in padded buffers, with a second
// tile of queries; against the unfused ops, under a causal mask with padding, both memory forms.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "autograd/ops.h"
#include "autograd/tape.h"

namespace heed {
namespace {

Tensor random_tensor(Index rows, Index cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
  return Tensor(m);
}

TEST(AttentionFloat, LongSequencesEqualTheUnfusedOps) {
  const Index batch = 2, heads = 2, len = 150, dim = 8;
  const Tensor q = random_tensor(batch * heads * len, dim, 1), k = random_tensor(batch * heads * len, dim, 2),
               v = random_tensor(batch * heads * len, dim, 3);
  // Causal; sequence 1's last 20 keys are padding.
  Mask mask(batch * len, len);
  for (Index b = 0; b < batch; ++b)
    for (Index i = 0; i < len; ++i)
      for (Index j = 0; j < len; ++j) mask(b * len + i, j) = j <= i && (b == 0 || j < len - 20);
  const Scalar scale = Scalar(1 / std::sqrt(double(dim)));
  for (bool store : {false, true}) {
    Tape& tape = Tape::current();
    tape.clear();
    for (Tensor t : {q, k, v}) t.set_requires_grad(true), t.zero_grad();
    const Tensor fused =
        attention(q, k, v, mask, {.batch = batch, .heads = heads, .scale = scale, .store_weights = store});
    tape.backward(sum(fused * fused));
    const Matrix dq = q.grad(), dk = k.grad(), dv = v.grad();
    for (Tensor t : {q, k, v}) t.zero_grad();
    const Tensor scores = batched_matmul(q * scale, k, batch * heads, {.transpose_b = true});
    const Tensor plain =
        batched_matmul(masked_softmax(scores, mask, {.heads = heads, .q_len = len}), v, batch * heads);
    tape.backward(sum(plain * plain));
    tape.clear();
    EXPECT_TRUE(fused.value().isApprox(plain.value(), 1e-5f)) << (store ? "stored" : "recomputed");
    EXPECT_TRUE(dq.isApprox(q.grad(), 1e-4f)) << (store ? "stored" : "recomputed");
    EXPECT_TRUE(dk.isApprox(k.grad(), 1e-4f)) << (store ? "stored" : "recomputed");
    EXPECT_TRUE(dv.isApprox(v.grad(), 1e-4f)) << (store ? "stored" : "recomputed");
  }
}

}  // namespace
}  // namespace heed
