// softmax, log_softmax and masked_softmax: gradients, row properties, masking, head broadcast.
#include <cmath>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

// A (rows, cols) mask with key c allowed in row r when allowed(r, c).
template <class F>
Mask make_mask(Index rows, Index cols, F allowed) {
  Mask m(rows, cols);
  for (Index r = 0; r < rows; ++r)
    for (Index c = 0; c < cols; ++c) m(r, c) = allowed(r, c);
  return m;
}

TEST(Softmax, Gradcheck) {
  Tensor x = random_tensor(3, 5, 1, -2, 2);
  EXPECT_GRADCHECK([&] { return softmax(x); }, {{"x", x}});
}

TEST(Softmax, RowsArePositiveAndSumToOne) {
  Tensor x = random_tensor(4, 6, 2, -5, 5);
  const Matrix y = softmax(x).value();
  EXPECT_TRUE((y.array() > 0).all());
  for (Index r = 0; r < y.rows(); ++r) EXPECT_NEAR(y.row(r).sum(), 1, 1e-12) << "row " << r;
}

TEST(Softmax, LargeLogitsDoNotOverflow) {
  Tensor big = Tensor::constant(1, 3, 1000), small = Tensor::zeros(1, 3);
  big.mutable_value()(0, 1) += 1;
  big.mutable_value()(0, 2) -= 1;
  small.mutable_value()(0, 1) += 1;
  small.mutable_value()(0, 2) -= 1;
  const Tensor y = softmax(big), log_y = log_softmax(big);
  ASSERT_TRUE(y.value().allFinite());
  EXPECT_TRUE(y.value().isApprox(softmax(small).value()));
  ASSERT_TRUE(log_y.value().allFinite());
  EXPECT_TRUE(log_y.value().isApprox(log_softmax(small).value()));
}

TEST(LogSoftmax, Gradcheck) {
  Tensor x = random_tensor(3, 5, 3, -2, 2);
  EXPECT_GRADCHECK([&] { return log_softmax(x); }, {{"x", x}});
}

TEST(LogSoftmax, EqualsLogOfSoftmax) {
  Tensor x = random_tensor(3, 5, 4, -3, 3);
  EXPECT_TRUE(log_softmax(x).value().isApprox(softmax(x).value().array().log().matrix()));
}

// Rows: all allowed, a causal-style prefix, a single key, every other key.
Mask partial_mask() {
  Mask m(4, 5);
  m << 1, 1, 1, 1, 1,  //
      1, 1, 1, 0, 0,   //
      0, 0, 1, 0, 0,   //
      1, 0, 1, 0, 1;
  return m;
}

TEST(MaskedSoftmax, PartiallyMaskedRowsGradcheck) {
  Tensor s = random_tensor(4, 5, 5, -2, 2);
  const Mask mask = partial_mask();
  EXPECT_GRADCHECK([&] { return masked_softmax(s, mask); }, {{"scores", s}});
}

TEST(MaskedSoftmax, MaskedKeysGetExactlyZeroAndRowsSumToOne) {
  Tensor s = random_tensor(4, 5, 6, -2, 2);
  const Mask mask = partial_mask();
  const Matrix y = masked_softmax(s, mask).value();
  for (Index r = 0; r < 4; ++r) {
    EXPECT_NEAR(y.row(r).sum(), 1, 1e-12) << "row " << r;
    for (Index c = 0; c < 5; ++c) {
      if (mask(r, c)) {
        EXPECT_GT(y(r, c), 0) << r << "," << c;
      } else {
        EXPECT_EQ(y(r, c), 0.0) << r << "," << c;
      }
    }
  }
}

TEST(MaskedSoftmax, EqualsSoftmaxOverAllowedKeys) {
  Tensor s = random_tensor(4, 5, 7, -2, 2);
  const Matrix y = masked_softmax(s, partial_mask()).value();
  // Row 1 allows keys 0..2: plain softmax of those three scores.
  const Matrix expected = softmax(Tensor(Matrix(s.value().block(1, 0, 1, 3)))).value();
  EXPECT_TRUE(y.block(1, 0, 1, 3).isApprox(expected));
  EXPECT_TRUE(masked_softmax(s, make_mask(4, 5, [](Index, Index) { return true; })).value().isApprox(softmax(s).value()));
}

TEST(MaskedSoftmax, FullyMaskedRowGivesZerosAndZeroGradient) {
  Tensor s = random_tensor(3, 4, 8, -2, 2);
  const Mask mask = make_mask(3, 4, [](Index r, Index c) { return r != 1 && c <= r + 1; });  // row 1: none
  const Matrix y = masked_softmax(s, mask).value();
  ASSERT_TRUE(y.allFinite());
  EXPECT_TRUE(y.row(1).isZero(0));
  EXPECT_NEAR(y.row(0).sum(), 1, 1e-12);

  Tape::current().clear();
  s.set_requires_grad(true);
  const Tensor w = random_tensor(3, 4, 9);
  Tape::current().backward(sum(mul(masked_softmax(s, mask), w)));
  ASSERT_TRUE(s.grad().allFinite());
  EXPECT_TRUE(s.grad().row(1).isZero(0));
  EXPECT_FALSE(s.grad().row(0).isZero());
  for (Index c = 2; c < 4; ++c) EXPECT_EQ(s.grad()(0, c), 0.0) << "masked key " << c;
  s.zero_grad();
  Tape::current().clear();

  EXPECT_GRADCHECK([&] { return masked_softmax(s, mask); }, {{"scores", s}});
}

TEST(MaskedSoftmax, FullyMaskedRowUnderAnomalyGuardDoesNotThrow) {
  Tensor s = random_tensor(2, 3, 10);
  s.set_requires_grad(true);
  const Mask mask = make_mask(2, 3, [](Index r, Index) { return r == 0; });
  Tape::current().clear();
  AnomalyGuard guard;
  EXPECT_NO_THROW(Tape::current().backward(sum(mul(masked_softmax(s, mask), random_tensor(2, 3, 11)))));
  s.zero_grad();
  Tape::current().clear();
}

TEST(MaskedSoftmax, HeadsShareTheirSequencesMaskRows) {
  const Index batch = 2, heads = 2, q_len = 3, k_len = 4;
  // Batch 0: causal; batch 1: causal with key 3 padded. Every (b, t) row differs.
  const Mask mask = make_mask(batch * q_len, k_len, [&](Index r, Index c) {
    const Index b = r / q_len, t = r % q_len;
    return c <= t + 1 && !(b == 1 && c == 3);
  });
  Tensor s = random_tensor(batch * heads * q_len, k_len, 12, -2, 2);
  const MaskBroadcast bc{.heads = heads, .q_len = q_len};
  const Matrix y = masked_softmax(s, mask, bc).value();
  // Score row (b·H + h)·T + t must use mask row b·T + t: replicate the mask per head and compare.
  const Mask replicated = make_mask(batch * heads * q_len, k_len, [&](Index r, Index c) {
    const Index b = r / (heads * q_len), t = r % q_len;
    return mask(b * q_len + t, c);
  });
  EXPECT_TRUE(y.isApprox(masked_softmax(s, replicated).value()));
  for (Index b = 0; b < batch; ++b)
    for (Index h = 0; h < heads; ++h) {
      const Index row = (b * heads + h) * q_len;
      const Tensor block(Matrix(s.value().middleRows(row, q_len)));
      const Mask block_mask = mask.middleRows(b * q_len, q_len);
      EXPECT_TRUE(y.middleRows(row, q_len).isApprox(masked_softmax(block, block_mask).value()))
          << "batch " << b << " head " << h;
    }
  EXPECT_GRADCHECK([&] { return masked_softmax(s, mask, bc); }, {{"scores", s}});
}

TEST(MaskedSoftmax, MaskShapeMismatchThrows) {
  Tensor s = random_tensor(4, 5, 13);
  EXPECT_THROW(masked_softmax(s, Mask::Constant(4, 4, true)), std::invalid_argument);
  EXPECT_THROW(masked_softmax(s, Mask::Constant(3, 5, true)), std::invalid_argument);
  EXPECT_THROW(masked_softmax(s, Mask::Constant(3, 5, true), {.heads = 2, .q_len = 3}), std::invalid_argument);
}

}  // namespace
}  // namespace heed
