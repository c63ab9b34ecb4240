// The LSTM op: gradient checks with unequal lengths and as a single cell step, padded steps
// carrying the state, and agreement with the same recurrence written with plain ops.
#include <vector>

#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"
#include "tests/error_message.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

// B sequences of T steps, H units: the op's three inputs.
struct LstmCase {
  Index B, T, H;
  Tensor x_proj, w_hh, state0;
  LstmCase(Index b, Index t, Index h, std::uint64_t seed)
      : B(b), T(t), H(h), x_proj(random_tensor(b * t, 4 * h, seed)),
        w_hh(random_tensor(4 * h, h, seed + 1, -0.8, 0.8)), state0(random_tensor(b, 2 * h, seed + 2)) {}
  std::vector<NamedTensor> inputs() const { return {{"x_proj", x_proj}, {"w_hh", w_hh}, {"state0", state0}}; }
};

// The same recurrence from matmul, sigmoid, tanh and slices, one sequence and one step at a time.
Tensor reference_lstm(const LstmCase& s, const std::vector<Index>& lengths) {
  const Index H = s.H;
  std::vector<Tensor> rows;
  for (Index b = 0; b < s.B; ++b) {
    Tensor h = slice_cols(slice_rows(s.state0, b, 1), 0, H), c = slice_cols(slice_rows(s.state0, b, 1), H, H);
    for (Index t = 0; t < s.T; ++t) {
      if (t < lengths[std::size_t(b)]) {
        const Tensor z = slice_rows(s.x_proj, b * s.T + t, 1) + matmul(h, s.w_hh, {.transpose_b = true});
        const Tensor i = sigmoid(slice_cols(z, 0, H)), f = sigmoid(slice_cols(z, H, H));
        const Tensor g = tanh(slice_cols(z, 2 * H, H)), o = sigmoid(slice_cols(z, 3 * H, H));
        c = f * c + i * g;
        h = o * tanh(c);
      }
      rows.push_back(concat_cols({h, c}));
    }
  }
  return concat_rows(rows);
}

TEST(Lstm, GradcheckUnequalLengths) {
  LstmCase s(3, 4, 3, 1);
  EXPECT_GRADCHECK([&] { return lstm(s.x_proj, s.w_hh, s.state0, {2, 1, 4}, 3); }, s.inputs());
  EXPECT_GRADCHECK([&] { return lstm(s.x_proj, s.w_hh, s.state0, {4, 3, 1}, 3); }, s.inputs());
  EXPECT_GRADCHECK([&] { return lstm(s.x_proj, s.w_hh, s.state0, {1, 2, 4}, 3); }, s.inputs());
  // No sequence runs the last two steps.
  EXPECT_GRADCHECK([&] { return lstm(s.x_proj, s.w_hh, s.state0, {2, 1, 2}, 3); }, s.inputs());
}

TEST(Lstm, GradcheckFullLengthsAndSingleStep) {
  LstmCase s(3, 4, 3, 4);
  EXPECT_GRADCHECK([&] { return lstm(s.x_proj, s.w_hh, s.state0, {}, 3); }, s.inputs());
  LstmCase step(3, 1, 3, 7);
  EXPECT_GRADCHECK([&] { return lstm(step.x_proj, step.w_hh, step.state0, {}, 3); }, step.inputs());
  EXPECT_GRADCHECK([&] { return lstm(step.x_proj, step.w_hh, step.state0, {1, 1, 1}, 3); }, step.inputs());
}

// Two calls share their inputs, so the second backward adds to gradients the first has written.
TEST(Lstm, GradcheckInputsUsedTwice) {
  LstmCase s(3, 4, 3, 31);
  EXPECT_GRADCHECK(
      [&] {
        return concat_rows({lstm(s.x_proj, s.w_hh, s.state0, {2, 1, 4}, 3), lstm(s.x_proj, s.w_hh, s.state0, {}, 3)});
      },
      s.inputs());
}

// Only the final state is used, so every gradient flows through the carried padded steps.
TEST(Lstm, GradcheckThroughFinalStatesOnly) {
  LstmCase s(3, 4, 3, 10);
  EXPECT_GRADCHECK([&] { return embedding(lstm(s.x_proj, s.w_hh, s.state0, {2, 1, 4}, 3), {3, 7, 11}); },
                   s.inputs());
}

TEST(Lstm, PaddedStepsCarryTheState) {
  LstmCase s(3, 4, 3, 13);
  const std::vector<Index> lengths = {2, 1, 4};
  const Matrix out = lstm(s.x_proj, s.w_hh, s.state0, lengths, 3).value();
  for (Index b = 0; b < 3; ++b)
    for (Index t = lengths[std::size_t(b)]; t < 4; ++t)
      EXPECT_EQ(out.row(b * 4 + t), out.row(b * 4 + lengths[std::size_t(b)] - 1)) << "sequence " << b << " step " << t;
  // The padding's inputs change nothing.
  Tensor x_changed(s.x_proj.value());
  x_changed.mutable_value().row(0 * 4 + 3).setConstant(5);
  x_changed.mutable_value().row(1 * 4 + 1).setConstant(-5);
  EXPECT_EQ(lstm(x_changed, s.w_hh, s.state0, lengths, 3).value(), out);
}

// Values and gradients of the op against reference_lstm, for a loss reading every output.
void expect_equals_reference(LstmCase& s, const std::vector<Index>& lengths) {
  const Tensor weights = random_tensor(s.B * s.T, 2 * s.H, 99);
  Tape& tape = Tape::current();
  tape.clear();
  std::vector<Matrix> grads;
  std::vector<Matrix> values;
  for (bool reference : {false, true}) {
    for (Tensor t : {s.x_proj, s.w_hh, s.state0}) t.set_requires_grad(true), t.zero_grad();
    const Tensor out = reference ? reference_lstm(s, lengths) : lstm(s.x_proj, s.w_hh, s.state0, lengths, s.B);
    values.push_back(out.value());
    tape.backward(sum(out * weights));
    for (Tensor t : {s.x_proj, s.w_hh, s.state0}) grads.push_back(t.grad());
  }
  EXPECT_LT((values[0] - values[1]).cwiseAbs().maxCoeff(), 1e-12);
  const char* names[] = {"x_proj", "w_hh", "state0"};
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_LT((grads[i] - grads[i + 3]).cwiseAbs().maxCoeff(), 1e-12) << names[i];
}

TEST(Lstm, EqualsPlainOpsReference) {
  LstmCase s(3, 4, 3, 16);
  expect_equals_reference(s, {2, 1, 4});
  expect_equals_reference(s, {1, 3, 4});
  expect_equals_reference(s, {4, 4, 4});
  LstmCase step(2, 1, 5, 19);
  expect_equals_reference(step, {1, 1});
}

// Large enough that the steps split the hidden units across threads, in chunks of 112 and 88
// (unsorted lengths).
TEST(Lstm, EqualsReferenceWhenSplitAcrossThreads) {
  const int threads_before = parallel_threads();
  set_parallel_threads(2);
  LstmCase s(8, 3, 200, 22);
  expect_equals_reference(s, {3, 1, 2, 3, 3, 2, 1, 3});
  LstmCase step(8, 1, 200, 23);  // a single step: the gates' products separately
  expect_equals_reference(step, std::vector<Index>(8, 1));
  set_parallel_threads(threads_before);
}

// The threads split hidden units, never a sum, so the results are the same bits for any count.
TEST(Lstm, ResultsDoNotDependOnTheThreadCount) {
  const int threads_before = parallel_threads();
  LstmCase s(8, 3, 192, 25);
  const Tensor weights = random_tensor(8 * 3, 2 * 192, 26);
  std::vector<Matrix> results;
  for (int threads : {1, 2, 3}) {
    set_parallel_threads(threads);
    for (Tensor t : {s.x_proj, s.w_hh, s.state0}) t.set_requires_grad(true), t.zero_grad();
    const Tensor out = lstm(s.x_proj, s.w_hh, s.state0, {3, 1, 2, 3, 3, 2, 1, 3}, 8);
    Tape::current().backward(sum(out * weights));
    results.push_back(out.value());
    for (Tensor t : {s.x_proj, s.w_hh, s.state0}) results.push_back(t.grad());
  }
  set_parallel_threads(threads_before);
  for (std::size_t i = 4; i < results.size(); ++i) EXPECT_EQ(results[i], results[i % 4]) << "result " << i;
}

TEST(Lstm, RejectsBadShapesAndLengths) {
  LstmCase s(3, 4, 3, 28);
  EXPECT_EQ(testing::error_message([&] { lstm(s.x_proj, s.w_hh, s.state0, {2, 0, 4}, 3); }),
            "lstm: sequence 1 has length 0, expected 1..4");
  EXPECT_EQ(testing::error_message([&] { lstm(s.x_proj, s.w_hh, s.state0, {2, 4}, 3); }),
            "lstm: 2 lengths for 3 sequences");
  EXPECT_EQ(testing::error_message([&] { lstm(s.x_proj, s.w_hh, s.state0, {}, 5); }),
            "lstm: 5 sequences do not divide x_proj (12,12)");
  EXPECT_EQ(testing::error_message([&] { lstm(s.x_proj, s.w_hh, slice_rows(s.state0, 0, 2), {}, 3); }),
            "lstm: state0 is (2,6), expected (3,6)");
}

}  // namespace
}  // namespace heed
