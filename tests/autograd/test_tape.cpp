// The tape: accumulation into leaves, NoGradGuard, clear, AnomalyGuard, non-scalar backward.
#include <cmath>
#include <stdexcept>
#include <string>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "tests/error_message.h"
#include <heed/testing.h>

namespace heed {
namespace {

using testing::random_tensor;

template <class F>
std::string invalid_argument_message(F&& f) {
  return testing::error_message<std::invalid_argument>(f);
}
template <class F>
std::string runtime_error_message(F&& f) {
  return testing::error_message<std::runtime_error>(f);
}

TEST(Tape, BackwardAccumulatesIntoLeavesAcrossCalls) {
  Tape::current().clear();
  Tensor x = random_tensor(2, 3, 1);
  x.set_requires_grad(true);
  Tape::current().backward(sum(mul_scalar(x, 3)));
  EXPECT_TRUE(x.grad().isApprox(Matrix::Constant(2, 3, 3)));
  Tape::current().backward(sum(mul_scalar(x, 3)));  // no zero_grad in between: += again
  EXPECT_TRUE(x.grad().isApprox(Matrix::Constant(2, 3, 6)));
  x.zero_grad();
  EXPECT_FALSE(x.has_grad());
  Tape::current().clear();
}

TEST(Tape, BackwardFromALeafAccumulatesItsSeed) {
  Tape::current().clear();
  Tensor x = Tensor::constant(1, 1, 5, true);
  Tape::current().backward(x);
  Tape::current().backward(x);
  EXPECT_EQ(x.grad()(0, 0), 2.0);
  x.zero_grad();
}

TEST(Tape, BackwardFreesIntermediateGradients) {
  Tape::current().clear();
  Tensor x = random_tensor(2, 2, 2);
  x.set_requires_grad(true);
  Tensor h = exp(x);
  Tape::current().backward(sum(h));
  EXPECT_FALSE(h.has_grad());
  EXPECT_TRUE(x.grad().isApprox(x.value().array().exp().matrix()));
  Tape::current().clear();
}

TEST(Tape, NoGradGuardRecordsNothing) {
  Tape::current().clear();
  Tensor x = random_tensor(2, 3, 3);
  x.set_requires_grad(true);
  const std::size_t before = Tape::current().size();
  {
    NoGradGuard guard;
    EXPECT_FALSE(grad_enabled());
    Tensor y = sum(tanh(mul(x, x)));
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(Tape::current().size(), before);
  }
  EXPECT_TRUE(grad_enabled());
  Tensor z = tanh(x);
  EXPECT_TRUE(z.requires_grad());
  EXPECT_EQ(Tape::current().size(), before + 1);
  Tape::current().clear();
}

TEST(Tape, NoGradGuardsNest) {
  {
    NoGradGuard outer;
    {
      NoGradGuard inner;
      EXPECT_FALSE(grad_enabled());
    }
    EXPECT_FALSE(grad_enabled());
  }
  EXPECT_TRUE(grad_enabled());
}

TEST(Tape, InputsWithoutGradRecordNothing) {
  Tape::current().clear();
  Tensor a = random_tensor(2, 2, 4), b = random_tensor(2, 2, 5);
  Tensor c = add(a, b);
  EXPECT_FALSE(c.requires_grad());
  EXPECT_EQ(Tape::current().size(), 0u);
}

TEST(Tape, ClearFreesEntries) {
  Tape::current().clear();
  Tensor x = random_tensor(2, 2, 6);
  x.set_requires_grad(true);
  Tensor loss = sum(sigmoid(exp(x)));
  EXPECT_EQ(Tape::current().size(), 3u);
  Tape::current().clear();
  EXPECT_EQ(Tape::current().size(), 0u);
  // With the entries gone, backward cannot reach x, and says so instead of doing nothing.
  const std::string message = invalid_argument_message([&] { Tape::current().backward(loss); });
  EXPECT_NE(message.find("no longer on the tape"), std::string::npos) << message;
  EXPECT_FALSE(x.has_grad());
}

TEST(Tape, BackwardConsumesTheTape) {
  Tape::current().clear();
  Tensor x = random_tensor(2, 2, 6);
  x.set_requires_grad(true);
  Tensor loss = sum(tanh(x));
  Tape::current().backward(loss);
  EXPECT_EQ(Tape::current().size(), 0u);
  const Matrix once = x.grad();
  EXPECT_THROW(Tape::current().backward(loss), std::invalid_argument);
  EXPECT_TRUE(x.grad().isApprox(once));  // the failed call added nothing
}

// A backward that throws part way (here an anomaly) still consumes its graph: the next
// backward starts from a clean tape.
TEST(Tape, BackwardThatThrowsLeavesACleanTape) {
  Tape::current().clear();
  {
    AnomalyGuard guard;
    Tensor x = Tensor::constant(1, 2, 0, true);
    EXPECT_THROW(Tape::current().backward(sum(pow_scalar(x, 0.5))), std::runtime_error);  // 0.5/sqrt(0)
  }
  EXPECT_EQ(Tape::current().size(), 0u);
  Tensor z = Tensor::constant(1, 1, 1, true);
  Tape::current().backward(sum(mul_scalar(z, 2)));
  EXPECT_EQ(z.grad()(0, 0), 2);
}

// A tensor from a released graph used in a new one: its gradient cannot reach the leaves,
// and backward says so instead of silently leaving them without it.
TEST(Tape, BackwardThroughAReleasedGraphThrows) {
  Tape::current().clear();
  Tensor x = random_tensor(2, 2, 10);
  x.set_requires_grad(true);
  const Tensor h = tanh(x);
  Tape::current().backward(sum(h));
  const std::string message = invalid_argument_message([&] { Tape::current().backward(sum(h)); });
  EXPECT_NE(message.find("input 0 of 'sum' comes from a graph that an earlier backward()"), std::string::npos) << message;
  EXPECT_EQ(Tape::current().size(), 0u);
}

// Values live as long as a backward needs them, and no longer.
TEST(Tape, KeepsOnlyTheValuesBackwardNeeds) {
  Tape::current().clear();
  Tensor x = random_tensor(3, 2, 9);
  x.set_requires_grad(true);
  std::weak_ptr<const TensorNode> scaled_node, exp_node, log_input_node;
  Tensor loss;
  {
    Tensor scaled = mul_scalar(x, 2);  // add needs no values: freed when dropped here
    Tensor e = exp(add(scaled, scaled));  // exp's backward reads its output: kept
    Tensor t = add_scalar(e, 1);          // log's backward reads its input t: kept
    scaled_node = scaled.watch();
    exp_node = e.watch();
    log_input_node = t.watch();
    loss = sum(log(t));
  }
  EXPECT_TRUE(scaled_node.expired());
  EXPECT_FALSE(exp_node.expired());
  EXPECT_FALSE(log_input_node.expired());
  Tape::current().backward(loss);
  EXPECT_TRUE(exp_node.expired());  // released as the walk passed their ops
  EXPECT_TRUE(log_input_node.expired());
  // d/dx log(1 + e^{4x}) = 4·e^{4x} / (1 + e^{4x})
  const Matrix e4 = (4 * x.value().array()).exp().matrix();
  EXPECT_TRUE(x.grad().isApprox((4 * e4.array() / (1 + e4.array())).matrix(), 1e-5));
}

TEST(Tape, BackwardOnNonScalarThrows) {
  Tape::current().clear();
  Tensor x = random_tensor(2, 3, 7);
  x.set_requires_grad(true);
  Tensor y = tanh(x);
  EXPECT_THROW(Tape::current().backward(y), std::invalid_argument);
  Tape::current().clear();
}

TEST(Tape, BackwardOnLossWithoutGradThrows) {
  Tape::current().clear();
  Tensor loss = sum(random_tensor(2, 3, 8));
  EXPECT_THROW(Tape::current().backward(loss), std::invalid_argument);
}

TEST(Tape, AnomalyGuardNamesOpOfForwardNaN) {
  Tape::current().clear();
  Tensor x = Tensor::constant(1, 2, -1, true);
  {
    AnomalyGuard guard;
    EXPECT_TRUE(anomaly_enabled());
    const std::string message = runtime_error_message([&] { log(x); });
    EXPECT_NE(message.find("log"), std::string::npos) << message;
    EXPECT_NE(message.find("forward"), std::string::npos) << message;
  }
  EXPECT_FALSE(anomaly_enabled());
  Tape::current().clear();
}

TEST(Tape, AnomalyGuardNamesOpOfBackwardInf) {
  Tape::current().clear();
  Tensor x = Tensor::zeros(1, 2, true);
  AnomalyGuard guard;
  Tensor loss = sum(pow_scalar(x, 0.5));  // forward finite (0), backward 0.5 / sqrt(0) = Inf
  const std::string message = runtime_error_message([&] { Tape::current().backward(loss); });
  EXPECT_NE(message.find("pow_scalar"), std::string::npos) << message;
  EXPECT_NE(message.find("backward"), std::string::npos) << message;
  Tape::current().clear();
}

TEST(Tape, AnomalyGuardNamesOpOfForwardDivisionByZero) {
  Tape::current().clear();
  Tensor a = Tensor::constant(1, 2, 1, true), b = Tensor::zeros(1, 2, true);
  AnomalyGuard guard;
  const std::string message = runtime_error_message([&] { div(a, b); });
  EXPECT_NE(message.find("div"), std::string::npos) << message;
  Tape::current().clear();
}

TEST(Tape, AnomalyGuardPassesFiniteGraphs) {
  Tape::current().clear();
  Tensor x = random_tensor(2, 3, 9, 0.5, 2);
  x.set_requires_grad(true);
  AnomalyGuard guard;
  EXPECT_NO_THROW(Tape::current().backward(sum(log(div(x, add_scalar(x, 1))))));
  EXPECT_TRUE(x.grad().allFinite());
  Tape::current().clear();
}

TEST(Tape, WithoutAnomalyGuardNothingThrows) {
  Tape::current().clear();
  Tensor x = Tensor::constant(1, 2, -1, true);
  Tensor y;
  EXPECT_NO_THROW(y = log(x));
  EXPECT_TRUE(std::isnan(y.value()(0, 0)));
  Tensor z = Tensor::zeros(1, 2, true);
  Tensor loss = sum(pow_scalar(z, 0.5));
  EXPECT_NO_THROW(Tape::current().backward(loss));
  EXPECT_TRUE(std::isinf(z.grad()(0, 0)));
  Tape::current().clear();
}

}  // namespace
}  // namespace heed
