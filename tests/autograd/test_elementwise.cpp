// Binary elementwise ops with broadcasting, scalar ops, operators, and values used twice.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

struct Shapes {
  Index a_rows, a_cols, b_rows, b_cols;
};

// Same shape, rows (1,c), columns (r,1) and scalar (1,1) on either side, and (1,c) with (r,1).
const std::vector<Shapes> kBroadcasts = {
    {3, 4, 3, 4}, {3, 4, 1, 4}, {1, 4, 3, 4}, {3, 4, 3, 1}, {3, 1, 3, 4},
    {3, 4, 1, 1}, {1, 1, 3, 4}, {1, 4, 3, 1},
};

std::string describe(const Shapes& s) {
  return "(" + std::to_string(s.a_rows) + "," + std::to_string(s.a_cols) + ") with (" + std::to_string(s.b_rows) +
         "," + std::to_string(s.b_cols) + ")";
}

// m repeated to (3,4), computed independently of the library's broadcast helpers.
Matrix full(const Matrix& m) {
  Matrix out(3, 4);
  for (Index r = 0; r < 3; ++r)
    for (Index c = 0; c < 4; ++c) out(r, c) = m(m.rows() == 1 ? 0 : r, m.cols() == 1 ? 0 : c);
  return out;
}

using BinaryOp = Tensor (*)(const Tensor&, const Tensor&);
using Reference = std::function<Matrix(const Matrix&, const Matrix&)>;

// Gradchecks op over every broadcast and compares its value with the reference.
void check_binary(BinaryOp op, const Reference& reference, double b_lo, double b_hi) {
  for (const Shapes& s : kBroadcasts) {
    SCOPED_TRACE(describe(s));
    Tensor a = random_tensor(s.a_rows, s.a_cols, 11), b = random_tensor(s.b_rows, s.b_cols, 12, b_lo, b_hi);
    EXPECT_GRADCHECK([&] { return op(a, b); }, {{"a", a}, {"b", b}});
    const Tensor c = op(a, b);
    ASSERT_EQ(c.rows(), 3);
    ASSERT_EQ(c.cols(), 4);
    EXPECT_TRUE(c.value().isApprox(reference(full(a.value()), full(b.value()))));
  }
}

TEST(Elementwise, AddBroadcasts) {
  check_binary(add, [](const Matrix& a, const Matrix& b) -> Matrix { return a + b; }, -1, 1);
}

TEST(Elementwise, SubBroadcasts) {
  check_binary(sub, [](const Matrix& a, const Matrix& b) -> Matrix { return a - b; }, -1, 1);
}

TEST(Elementwise, MulBroadcasts) {
  check_binary(mul, [](const Matrix& a, const Matrix& b) -> Matrix { return a.cwiseProduct(b); }, -1, 1);
}

TEST(Elementwise, DivBroadcasts) {  // denominators kept away from 0
  check_binary(div, [](const Matrix& a, const Matrix& b) -> Matrix { return a.cwiseQuotient(b); }, 0.5, 2);
}

TEST(Elementwise, BroadcastGradientIsSummedToOperandShape) {
  Tape::current().clear();
  Tensor a = random_tensor(3, 4, 1), b = random_tensor(1, 4, 2), s = random_tensor(1, 1, 3);
  a.set_requires_grad(true);
  b.set_requires_grad(true);
  s.set_requires_grad(true);
  Tape::current().backward(sum(add(add(a, b), s)));
  EXPECT_TRUE(b.grad().isApprox(Matrix::Constant(1, 4, 3)));
  EXPECT_DOUBLE_EQ(s.grad()(0, 0), 12);
  EXPECT_TRUE(a.grad().isApprox(Matrix::Ones(3, 4)));
  Tape::current().clear();
}

TEST(Elementwise, ShapesThatDoNotBroadcastThrow) {
  Tensor a = random_tensor(3, 4, 1), b = random_tensor(2, 4, 2), c = random_tensor(3, 2, 3);
  EXPECT_THROW(add(a, b), std::invalid_argument);
  EXPECT_THROW(sub(a, c), std::invalid_argument);
  EXPECT_THROW(mul(a, b), std::invalid_argument);
  EXPECT_THROW(div(a, c), std::invalid_argument);
}

TEST(Elementwise, AddScalarAndMulScalar) {
  Tensor x = random_tensor(3, 4, 4);
  EXPECT_GRADCHECK([&] { return add_scalar(x, 2.5); }, {{"x", x}});
  EXPECT_GRADCHECK([&] { return mul_scalar(x, -1.5); }, {{"x", x}});
  EXPECT_TRUE(add_scalar(x, 2.5).value().isApprox((x.value().array() + 2.5).matrix()));
  EXPECT_TRUE(mul_scalar(x, -1.5).value().isApprox(x.value() * -1.5));
}

TEST(Elementwise, PowScalar) {
  Tensor x = random_tensor(3, 4, 5, 0.5, 2);  // positive, so fractional and negative powers are defined
  for (double p : {2.0, 3.0, 0.5, -1.0, 1.7}) {
    SCOPED_TRACE(p);
    EXPECT_GRADCHECK([&] { return pow_scalar(x, p); }, {{"x", x}});
    EXPECT_TRUE(pow_scalar(x, p).value().isApprox(x.value().array().pow(p).matrix()));
  }
  Tensor y = random_tensor(2, 3, 6);  // integer power of negative values
  EXPECT_GRADCHECK([&] { return pow_scalar(y, 3); }, {{"y", y}});
}

TEST(Elementwise, Operators) {
  Tensor a = random_tensor(3, 4, 7), b = random_tensor(1, 4, 8, 0.5, 2);
  EXPECT_GRADCHECK([&] { return (a + b) * (a - b) / b; }, {{"a", a}, {"b", b}});
  EXPECT_GRADCHECK([&] { return -(a * 2.0 + 1.0) / 4.0 - 3.0; }, {{"a", a}});
  const Matrix av = a.value(), bv = full(b.value());
  EXPECT_TRUE((a + b).value().isApprox(av + bv));
  EXPECT_TRUE((a - b).value().isApprox(av - bv));
  EXPECT_TRUE((a * b).value().isApprox(av.cwiseProduct(bv)));
  EXPECT_TRUE((a / b).value().isApprox(av.cwiseQuotient(bv)));
  EXPECT_TRUE((a + 1.0).value().isApprox((av.array() + 1).matrix()));
  EXPECT_TRUE((a - 1.0).value().isApprox((av.array() - 1).matrix()));
  EXPECT_TRUE((a * 3.0).value().isApprox(av * 3));
  EXPECT_TRUE((a / 4.0).value().isApprox(av / 4));
  EXPECT_TRUE((-a).value().isApprox(-av));
}

// ---- a value used more than once accumulates every contribution ----------------------------

TEST(ValueUsedTwice, MulWithItself) {
  Tensor x = random_tensor(3, 4, 9);
  EXPECT_GRADCHECK([&] { return mul(x, x); }, {{"x", x}});
  Tape::current().clear();
  x.set_requires_grad(true);
  Tape::current().backward(sum(mul(x, x)));
  EXPECT_TRUE(x.grad().isApprox(2 * x.value()));
  x.zero_grad();
  Tape::current().clear();
}

TEST(ValueUsedTwice, AddWithItself) {
  Tensor x = random_tensor(3, 4, 10);
  EXPECT_GRADCHECK([&] { return add(x, x); }, {{"x", x}});
  Tape::current().clear();
  x.set_requires_grad(true);
  Tape::current().backward(sum(add(x, x)));
  EXPECT_TRUE(x.grad().isApprox(Matrix::Constant(3, 4, 2)));
  x.zero_grad();
  Tape::current().clear();
}

TEST(ValueUsedTwice, DiamondGraph) {
  Tensor x = random_tensor(3, 4, 11), w = random_tensor(1, 4, 12);
  EXPECT_GRADCHECK(
      [&] {
        Tensor h = tanh(mul(x, w));          // h feeds two branches
        Tensor left = exp(h), right = sigmoid(h);
        return div(add(left, right), add_scalar(mul(h, h), 1));  // and is used again here
      },
      {{"x", x}, {"w", w}});
}

TEST(ValueUsedTwice, IntermediateAndLeafUsedAcrossOps) {
  Tensor x = random_tensor(2, 3, 13, 0.5, 2);
  EXPECT_GRADCHECK([&] { return sub(mul(x, log(x)), div(x, pow_scalar(x, 2))); }, {{"x", x}});
}

// Every single-input op must add (+=) into its input's gradient, not overwrite it: x feeds
// both f and the add, and the add's backward runs first.
TEST(ValueUsedTwice, EverySingleInputOpAccumulates) {
  Tensor x = random_tensor(3, 3, 14, 0.5, 1.5);  // positive (log), away from relu's kink
  const std::vector<std::pair<const char*, std::function<Tensor()>>> ops = {
      {"add_scalar", [&] { return add_scalar(x, 1); }},
      {"mul_scalar", [&] { return mul_scalar(x, 3); }},
      {"pow_scalar", [&] { return pow_scalar(x, 2); }},
      {"exp", [&] { return exp(x); }},
      {"log", [&] { return log(x); }},
      {"tanh", [&] { return tanh(x); }},
      {"sigmoid", [&] { return sigmoid(x); }},
      {"relu", [&] { return relu(x); }},
      {"gelu", [&] { return gelu(x); }},
      {"sum", [&] { return sum(x); }},
      {"mean", [&] { return mean(x); }},
      {"sum_over_rows", [&] { return sum_over_rows(x); }},
      {"mean_over_rows", [&] { return mean_over_rows(x); }},
      {"sum_over_cols", [&] { return sum_over_cols(x); }},
      {"mean_over_cols", [&] { return mean_over_cols(x); }},
      {"softmax", [&] { return softmax(x); }},
      {"log_softmax", [&] { return log_softmax(x); }},
      {"masked_softmax", [&] { return masked_softmax(x, Mask::Constant(3, 3, true)); }},
      {"transpose", [&] { return transpose(x); }},
      {"reshape", [&] { return reshape(reshape(x, 1, 9), 3, 3); }},
      {"slice_rows", [&] { return slice_rows(x, 1, 1); }},
      {"slice_cols", [&] { return slice_cols(x, 2, 1); }},
      {"dropout", [&] {
         Rng rng(3);
         return dropout(x, 0.3, rng);
       }},
      {"layer_norm", [&] { return layer_norm(x, Tensor::constant(1, 3, 2), Tensor::zeros(1, 3)); }},
      {"split_heads", [&] { return reshape(split_heads(x, 1, 3), 3, 3); }},
      {"merge_heads", [&] { return reshape(merge_heads(x, 1, 3), 3, 3); }},
      {"embedding", [&] { return embedding(x, {2, 0, 2}); }},
      {"cross_entropy", [&] { return cross_entropy(x, {1, 2, 1}, {.label_smoothing = 0.1}); }},
  };
  for (const auto& [name, f] : ops) {
    SCOPED_TRACE(name);
    EXPECT_GRADCHECK([&] { return add(f(), x); }, {{"x", x}});
  }
}

// The same for every input of the multi-input ops, whose backwards write the first gradient
// contribution instead of adding it to zeros: x is every input in turn, and is also added to
// the output, so its gradient already holds that contribution when the op's backward runs.
TEST(ValueUsedTwice, EveryInputOfMultiInputOpsAccumulates) {
  Tensor x = random_tensor(4, 4, 15, 0.5, 1.5);
  Tensor other = random_tensor(4, 4, 16), bias = random_tensor(1, 4, 17);
  const auto with_dropout = [](auto f) {  // a fresh generator per forward: the same mask each time
    return [f] {
      Rng rng(5);
      return f(&rng);
    };
  };
  const AttentionOptions heads{.batch = 1, .heads = 2, .scale = Scalar(0.5)};
  const std::vector<std::pair<const char*, std::function<Tensor()>>> ops = {
      {"matmul A", [&] { return matmul(x, other); }},
      {"matmul B", [&] { return matmul(other, x, {.transpose_a = true}); }},
      {"batched_matmul", [&] { return matmul(batched_matmul(x, x, 2, {.transpose_b = true}), slice_rows(other, 0, 2)); }},
      {"linear x", [&] { return linear(x, other, bias); }},
      {"linear W", [&] { return linear(other, x, bias); }},
      {"linear_relu_dropout x", with_dropout([&](Rng* rng) { return linear_relu_dropout(x, other, bias, 0.25, rng); })},
      {"linear_relu_dropout W", with_dropout([&](Rng* rng) { return linear_relu_dropout(other, x, bias, 0.25, rng); })},
      {"add_dropout x", with_dropout([&](Rng* rng) { return add_dropout(x, other, 0.25, rng); })},
      {"add_dropout y", with_dropout([&](Rng* rng) { return add_dropout(other, x, 0.25, rng); })},
      {"attention q", [&] { return attention(x, other, other, Mask(), heads); }},
      {"attention k", [&] { return attention(other, x, other, Mask(), heads); }},
      {"attention v", [&] { return attention(other, other, x, Mask(), heads); }},
      {"layer_norm", [&] { return layer_norm(x, bias, bias); }},
  };
  for (const auto& [name, f] : ops) {
    SCOPED_TRACE(name);
    EXPECT_GRADCHECK([&] { return add(f(), x); }, {{"x", x}});
  }
}

}  // namespace
}  // namespace heed
