// The fused attention op in float, as training runs it, over sequences long enough for every kind
// of tile the small kernels take (autograd/small_gemm.h): 150 queries and keys make tiles wide
// (Q·Kᵀ over 150 keys), deep (P·V) and tall (dV = Pdᵀ·dO), in padded buffers, with a second tile
// of queries. Against the unfused ops, under a causal mask with padding and under a band (whose
// key ranges start past 0), both memory forms; and the same bits for 1, 2 and 3 threads (8 blocks:
// a thread takes whole blocks, with Kᵀ copied once a block, up to 2 threads, single tiles with 3).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"
#include "tests/autograd/float_random.h"

namespace heed {
namespace {

using testing_float::random_tensor;

constexpr Index kBatch = 2, kHeads = 4, kLen = 150, kDim = 8;

struct Case {
  Tensor q = random_tensor(kBatch * kHeads * kLen, kDim, 1), k = random_tensor(kBatch * kHeads * kLen, kDim, 2),
         v = random_tensor(kBatch * kHeads * kLen, kDim, 3);
  Scalar scale = Scalar(1 / std::sqrt(double(kDim)));

  // The output and dQ, dK, dV of sum(O ⊙ O), fused (at `threads`) or from the unfused ops.
  std::vector<Matrix> run(const Mask& mask, bool store, bool fused, int threads = 2) {
    const int before = parallel_threads();
    set_parallel_threads(threads);
    Tape& tape = Tape::current();
    tape.clear();
    for (Tensor t : {q, k, v}) t.set_requires_grad(true), t.zero_grad();
    Tensor out;
    if (fused) {
      out = attention(q, k, v, mask, {.batch = kBatch, .heads = kHeads, .scale = scale, .store_weights = store});
    } else {
      const Tensor scores = batched_matmul(q * scale, k, kBatch * kHeads, {.transpose_b = true});
      out = batched_matmul(masked_softmax(scores, mask, {.heads = kHeads, .q_len = kLen}), v, kBatch * kHeads);
    }
    tape.backward(sum(out * out));
    std::vector<Matrix> got{out.value(), q.grad(), k.grad(), v.grad()};
    tape.clear();
    set_parallel_threads(before);
    return got;
  }
};

// Causal; sequence 1's last 20 keys are padding.
Mask causal_with_padding() {
  Mask mask(kBatch * kLen, kLen);
  for (Index b = 0; b < kBatch; ++b)
    for (Index i = 0; i < kLen; ++i)
      for (Index j = 0; j < kLen; ++j) mask(b * kLen + i, j) = j <= i && (b == 0 || j < kLen - 20);
  return mask;
}

// Query i sees keys i-40 … i+10: the second tile of queries starts its key range at 24.
Mask band() {
  Mask mask(kBatch * kLen, kLen);
  for (Index b = 0; b < kBatch; ++b)
    for (Index i = 0; i < kLen; ++i)
      for (Index j = 0; j < kLen; ++j) mask(b * kLen + i, j) = j >= i - 40 && j <= i + 10;
  return mask;
}

TEST(AttentionFloat, LongSequencesEqualTheUnfusedOps) {
  Case s;
  const char* names[] = {"output", "dQ", "dK", "dV"};
  for (const Mask& mask : {causal_with_padding(), band()})
    for (bool store : {false, true}) {
      const std::vector<Matrix> fused = s.run(mask, store, true), plain = s.run(mask, store, false);
      for (int i = 0; i < 4; ++i)
        EXPECT_TRUE(fused[i].isApprox(plain[i], i == 0 ? 1e-5f : 1e-4f))
            << names[i] << (store ? ", stored" : ", recomputed");
    }
}

TEST(AttentionFloat, SameBitsForAnyThreadCount) {
  Case s;
  for (const Mask& mask : {causal_with_padding(), band()})
    for (bool store : {false, true}) {
      const std::vector<Matrix> one = s.run(mask, store, true, 1);
      for (int threads : {2, 3}) {
        const std::vector<Matrix> many = s.run(mask, store, true, threads);
        for (int i = 0; i < 4; ++i)
          EXPECT_TRUE(one[i] == many[i]) << "result " << i << " with " << threads << " threads"
                                         << (store ? ", stored" : ", recomputed");
      }
    }
}

}  // namespace
}  // namespace heed
