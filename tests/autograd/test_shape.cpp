// Shape ops: reshape, transpose, slices, concatenations, head split/merge, embedding.
#include <cstdint>
#include <vector>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

TEST(Reshape, GradcheckAndRowMajorOrder) {
  Tensor x = random_tensor(3, 4, 1);
  EXPECT_GRADCHECK([&] { return reshape(x, 2, 6); }, {{"x", x}});
  EXPECT_GRADCHECK([&] { return reshape(x, 12, 1); }, {{"x", x}});
  const Tensor y = reshape(x, 6, 2);
  ASSERT_EQ(y.rows(), 6);
  ASSERT_EQ(y.cols(), 2);
  for (Index i = 0; i < 12; ++i) EXPECT_EQ(y.value()(i / 2, i % 2), x.value()(i / 4, i % 4)) << i;
  EXPECT_THROW(reshape(x, 5, 2), std::invalid_argument);
}

TEST(Transpose, GradcheckAndValue) {
  Tensor x = random_tensor(3, 4, 2);
  EXPECT_GRADCHECK([&] { return transpose(x); }, {{"x", x}});
  EXPECT_TRUE(transpose(x).value() == x.value().transpose());
}

TEST(Slice, RowsGradcheckAndValue) {
  Tensor x = random_tensor(5, 3, 3);
  EXPECT_GRADCHECK([&] { return slice_rows(x, 1, 3); }, {{"x", x}});
  EXPECT_TRUE(slice_rows(x, 1, 3).value() == x.value().middleRows(1, 3));
  EXPECT_THROW(slice_rows(x, 3, 3), std::invalid_argument);
  EXPECT_THROW(slice_rows(x, -1, 2), std::invalid_argument);
}

TEST(Slice, ColsGradcheckAndValue) {
  Tensor x = random_tensor(3, 5, 4);
  EXPECT_GRADCHECK([&] { return slice_cols(x, 2, 2); }, {{"x", x}});
  EXPECT_TRUE(slice_cols(x, 2, 2).value() == x.value().middleCols(2, 2));
  EXPECT_THROW(slice_cols(x, 4, 2), std::invalid_argument);
}

TEST(Slice, OverlappingSlicesAccumulate) {
  Tensor x = random_tensor(4, 3, 5);
  EXPECT_GRADCHECK([&] { return mul(slice_rows(x, 0, 3), slice_rows(x, 1, 3)); }, {{"x", x}});
  EXPECT_GRADCHECK([&] { return add(slice_cols(x, 0, 2), slice_cols(x, 1, 2)); }, {{"x", x}});
}

TEST(Concat, RowsGradcheckAndValue) {
  Tensor a = random_tensor(2, 3, 6), b = random_tensor(1, 3, 7), c = random_tensor(3, 3, 8);
  EXPECT_GRADCHECK([&] { return concat_rows({a, b, c}); }, {{"a", a}, {"b", b}, {"c", c}});
  EXPECT_GRADCHECK([&] { return concat_rows({a, b, a}); }, {{"a", a}, {"b", b}});  // a part used twice
  const Matrix y = concat_rows({a, b, c}).value();
  ASSERT_EQ(y.rows(), 6);
  EXPECT_TRUE(y.topRows(2) == a.value());
  EXPECT_TRUE(y.middleRows(2, 1) == b.value());
  EXPECT_TRUE(y.bottomRows(3) == c.value());
  EXPECT_THROW(concat_rows({a, random_tensor(2, 4, 9)}), std::invalid_argument);
  EXPECT_THROW(concat_rows({}), std::invalid_argument);
}

TEST(Concat, ColsGradcheckAndValue) {
  Tensor a = random_tensor(3, 2, 10), b = random_tensor(3, 1, 11), c = random_tensor(3, 3, 12);
  EXPECT_GRADCHECK([&] { return concat_cols({a, b, c}); }, {{"a", a}, {"b", b}, {"c", c}});
  EXPECT_GRADCHECK([&] { return concat_cols({b, a, b}); }, {{"a", a}, {"b", b}});  // a part used twice
  const Matrix y = concat_cols({a, b, c}).value();
  ASSERT_EQ(y.cols(), 6);
  EXPECT_TRUE(y.leftCols(2) == a.value());
  EXPECT_TRUE(y.middleCols(2, 1) == b.value());
  EXPECT_TRUE(y.rightCols(3) == c.value());
  EXPECT_THROW(concat_cols({a, random_tensor(2, 2, 13)}), std::invalid_argument);
}

TEST(Concat, PartWithoutGradIsSkipped) {
  Tape::current().clear();
  Tensor a = random_tensor(2, 3, 14), constant = random_tensor(2, 3, 15);
  a.set_requires_grad(true);
  Tape::current().backward(sum(concat_rows({constant, a})));
  EXPECT_TRUE(a.grad().isApprox(Matrix::Ones(2, 3)));
  EXPECT_FALSE(constant.has_grad());
  a.zero_grad();
  Tape::current().clear();
}

constexpr Index kBatch = 2, kHeads = 3, kTime = 2, kHeadDim = 2;

TEST(Heads, SplitPlacesValuesAsDocumented) {
  Tensor x = random_tensor(kBatch * kTime, kHeads * kHeadDim, 16);
  const Matrix y = split_heads(x, kBatch, kHeads).value();
  ASSERT_EQ(y.rows(), kBatch * kHeads * kTime);
  ASSERT_EQ(y.cols(), kHeadDim);
  // Row b·T + t, column block h moves to row (b·H + h)·T + t.
  for (Index b = 0; b < kBatch; ++b)
    for (Index h = 0; h < kHeads; ++h)
      for (Index t = 0; t < kTime; ++t)
        for (Index d = 0; d < kHeadDim; ++d)
          EXPECT_EQ(y((b * kHeads + h) * kTime + t, d), x.value()(b * kTime + t, h * kHeadDim + d))
              << "b " << b << " h " << h << " t " << t << " d " << d;
}

TEST(Heads, RoundTripsAreIdentity) {
  Tensor x = random_tensor(kBatch * kTime, kHeads * kHeadDim, 17);
  EXPECT_TRUE(merge_heads(split_heads(x, kBatch, kHeads), kBatch, kHeads).value() == x.value());
  Tensor z = random_tensor(kBatch * kHeads * kTime, kHeadDim, 18);
  const Tensor merged = merge_heads(z, kBatch, kHeads);
  ASSERT_EQ(merged.rows(), kBatch * kTime);
  ASSERT_EQ(merged.cols(), kHeads * kHeadDim);
  EXPECT_TRUE(split_heads(merged, kBatch, kHeads).value() == z.value());
}

TEST(Heads, Gradcheck) {
  Tensor x = random_tensor(kBatch * kTime, kHeads * kHeadDim, 19);
  Tensor z = random_tensor(kBatch * kHeads * kTime, kHeadDim, 20);
  EXPECT_GRADCHECK([&] { return split_heads(x, kBatch, kHeads); }, {{"x", x}});
  EXPECT_GRADCHECK([&] { return merge_heads(z, kBatch, kHeads); }, {{"z", z}});
}

TEST(Heads, BadShapesThrow) {
  EXPECT_THROW(split_heads(random_tensor(3, 6, 1), 2, 3), std::invalid_argument);  // 2 ∤ 3 rows
  EXPECT_THROW(split_heads(random_tensor(4, 5, 1), 2, 3), std::invalid_argument);  // 3 ∤ 5 cols
  EXPECT_THROW(merge_heads(random_tensor(5, 2, 1), 2, 3), std::invalid_argument);  // 6 ∤ 5 rows
}

TEST(Embedding, GathersRows) {
  Tensor table = random_tensor(5, 3, 21);
  const std::vector<std::int32_t> ids = {4, 0, 4, 2};
  const Matrix y = embedding(table, ids).value();
  ASSERT_EQ(y.rows(), 4);
  for (Index i = 0; i < 4; ++i) EXPECT_TRUE(y.row(i) == table.value().row(ids[std::size_t(i)])) << i;
}

TEST(Embedding, GradcheckWithRepeatedIds) {
  Tensor table = random_tensor(5, 3, 22);
  const std::vector<std::int32_t> ids = {1, 3, 1, 1, 0};
  EXPECT_GRADCHECK([&] { return embedding(table, ids); }, {{"table", table}});
}

TEST(Embedding, BackwardScatterAddsRepeatedIds) {
  Tape::current().clear();
  Tensor table = random_tensor(4, 2, 23);
  table.set_requires_grad(true);
  Tape::current().backward(sum(embedding(table, {2, 0, 2, 2})));
  Matrix expected(4, 2);
  expected << 1, 1, 0, 0, 3, 3, 0, 0;
  EXPECT_TRUE(table.grad() == expected);
  table.zero_grad();
  Tape::current().clear();
}

TEST(Embedding, OutOfRangeIdThrows) {
  Tensor table = random_tensor(4, 2, 24);
  EXPECT_THROW(embedding(table, {0, 4}), std::invalid_argument);
  EXPECT_THROW(embedding(table, {-1}), std::invalid_argument);
}

// Empty sequences (an empty line to translate) pass through the head moves.
TEST(Heads, SplitAndMergeOfNoRows) {
  Tensor x = Tensor::zeros(0, 8, true);
  const Tensor split = split_heads(x, 2, 4);
  EXPECT_EQ(split.rows(), 0);
  EXPECT_EQ(merge_heads(split, 2, 4).cols(), 8);
  Tape::current().clear();
}

}  // namespace
}  // namespace heed
