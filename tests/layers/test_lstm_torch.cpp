// The Lstm module in float32 against PyTorch's nn.LSTM (tests/fixtures/lstm_small.h5, written by
// tools/make_lstm_fixture.py): the same weights, padded batch and initial states must give the
// same outputs at valid positions, final states, loss, and gradients of every parameter by name,
// of the input and of the initial states. Then the module's own behaviour: step() against
// forward(), dropout between layers in training mode only, names, shapes and init.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "checkpoints/h5_reader.h"
#include "layers/lstm.h"

namespace heed {
namespace {

// Tolerances, float32. Measured max differences: 1.2e-7 (outputs and final states, O(0.1-1)),
// 5e-7 (loss, O(1)), 3.9e-7 (gradients, up to O(1), worst in weight_ih_l0). Each value is a short sum of float products
// taken in another order than PyTorch's kernels, so they agree to a few ulps, not bitwise; the
// bounds leave a margin of 10x and more and stay far below what a wrong gate order, a swapped
// bias or a padded step not carried gives (> 1e-2).
constexpr float kValueTol = 5e-6f;
constexpr float kLossTol = 1e-5f;
constexpr float kGradAbsTol = 1e-6f, kGradRelTol = 1e-4f;

constexpr Index kInput = 5, kHidden = 6, kLayers = 2;

std::string fixture_path() { return std::string(HEED_SOURCE_DIR) + "/tests/fixtures/lstm_small.h5"; }

Matrix to_matrix(const Array<float>& a, Index rows, Index cols, Index offset = 0) {
  return Eigen::Map<const Matrix>(a.values.data() + offset, rows, cols);
}

// Largest |got - expected|, and whether every element is within abs + rel·|expected|.
struct Comparison {
  float max_diff;
  bool within;
};
Comparison compare(const Matrix& got, const Matrix& expected, float abs_tol, float rel_tol = 0) {
  const Eigen::ArrayXXf excess = (got - expected).array().abs() - (abs_tol + rel_tol * expected.array().abs());
  return {(got - expected).cwiseAbs().maxCoeff(), excess.maxCoeff() <= 0};
}

class LstmTorch : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::make_unique<H5Reader>(fixture_path());
    Rng rng(1);
    model_ = std::make_unique<Lstm>(kInput, kHidden, kLayers, 0, rng, nullptr);
    // Strict load: the fixture's names and shapes equal the module's, one for one.
    std::map<std::string, Parameter> params;
    for (const auto& p : model_->parameters()) params.emplace(p.name, p);
    const std::vector<std::string> stored = file_->datasets_under("model");
    ASSERT_EQ(stored.size(), params.size());
    for (const std::string& name : stored) {
      const Array<float> a = file_->read_floats("model/" + name);
      auto it = params.find(name);
      ASSERT_NE(it, params.end()) << "fixture has an unexpected tensor " << name;
      ASSERT_EQ(std::vector<Index>(a.shape.begin(), a.shape.end()), it->second.shape) << name;
      Tensor t = it->second.tensor;
      t.mutable_value() = to_matrix(a, t.rows(), t.cols());
    }
    const Array<float> x = file_->read_floats("x");
    ASSERT_EQ(x.shape.size(), 3u);
    batch_ = Index(x.shape[0]);
    steps_ = Index(x.shape[1]);
    x_ = Tensor(to_matrix(x, batch_ * steps_, kInput), true);
    for (std::int32_t len : file_->read_ints("lengths").values) lengths_.push_back(len);
    // initial[k] = [h0[k] | c0[k]]; h0, c0 are (L, B, H).
    const Array<float> h0 = file_->read_floats("h0"), c0 = file_->read_floats("c0");
    for (Index k = 0; k < kLayers; ++k) {
      Matrix s(batch_, 2 * kHidden);
      s << to_matrix(h0, batch_, kHidden, k * batch_ * kHidden), to_matrix(c0, batch_, kHidden, k * batch_ * kHidden);
      initial_.emplace_back(s, true);
    }
  }
  void TearDown() override { Tape::current().clear(); }

  // loss = sum(outputs · w_out) + Σ_k sum(h_n[k] · w_h[k]) + sum(c_n[k] · w_c[k]), as the fixture.
  Tensor loss(const LstmOutput& out) const {
    Tensor total = sum(out.outputs * Tensor(to_matrix(file_->read_floats("w_out"), batch_ * steps_, kHidden)));
    const Array<float> w_h = file_->read_floats("w_h"), w_c = file_->read_floats("w_c");
    for (Index k = 0; k < kLayers; ++k) {
      Matrix w(batch_, 2 * kHidden);
      w << to_matrix(w_h, batch_, kHidden, k * batch_ * kHidden), to_matrix(w_c, batch_, kHidden, k * batch_ * kHidden);
      total = total + sum(out.final_states[std::size_t(k)] * Tensor(w));
    }
    return total;
  }

  std::unique_ptr<H5Reader> file_;
  std::unique_ptr<Lstm> model_;
  Index batch_ = 0, steps_ = 0;
  Tensor x_;
  std::vector<Index> lengths_;
  std::vector<Tensor> initial_;
};

TEST_F(LstmTorch, OutputsFinalStatesAndLossMatch) {
  NoGradGuard no_grad;
  const LstmOutput out = model_->forward(x_, initial_, lengths_, batch_);
  const Matrix expected = to_matrix(file_->read_floats("outputs"), batch_ * steps_, kHidden);
  float worst = 0;
  for (Index b = 0; b < batch_; ++b) {  // valid positions only: PyTorch pads with zeros, heed repeats h
    const Index len = lengths_[std::size_t(b)];
    const Comparison c = compare(out.outputs.value().middleRows(b * steps_, len), expected.middleRows(b * steps_, len),
                                 kValueTol);
    EXPECT_TRUE(c.within) << "outputs of sequence " << b << ": max |diff| " << c.max_diff;
    worst = std::max(worst, c.max_diff);
  }
  const Array<float> h_n = file_->read_floats("h_n"), c_n = file_->read_floats("c_n");
  for (Index k = 0; k < kLayers; ++k) {
    const Matrix& got = out.final_states[std::size_t(k)].value();
    for (const auto& [name, side, a] : {std::tuple{"h_n", 0, &h_n}, std::tuple{"c_n", 1, &c_n}}) {
      const Comparison c =
          compare(got.middleCols(side * kHidden, kHidden), to_matrix(*a, batch_, kHidden, k * batch_ * kHidden), kValueTol);
      EXPECT_TRUE(c.within) << name << " of layer " << k << ": max |diff| " << c.max_diff;
      worst = std::max(worst, c.max_diff);
    }
  }
  const float got_loss = loss(out).item(), torch_loss = file_->read_floats("loss").values.at(0);
  EXPECT_NEAR(got_loss, torch_loss, kLossTol);
  std::printf("max |value diff| %.3g, loss %.7f (torch %.7f)\n", double(worst), double(got_loss), double(torch_loss));
}

TEST_F(LstmTorch, EveryGradientMatchesByName) {
  Tape::current().backward(loss(model_->forward(x_, initial_, lengths_, batch_)));
  float worst = 0;
  std::string worst_name;
  auto check = [&](const std::string& name, const Matrix& got, const Matrix& expected) {
    const Comparison c = compare(got, expected, kGradAbsTol, kGradRelTol);
    EXPECT_TRUE(c.within) << name << ": max |diff| " << c.max_diff;
    if (c.max_diff > worst) worst = c.max_diff, worst_name = name;
  };
  for (const auto& p : model_->parameters()) {
    ASSERT_TRUE(p.tensor.has_grad()) << p.name << " got no gradient";
    check(p.name, p.tensor.grad(), to_matrix(file_->read_floats("grad/" + p.name), p.tensor.rows(), p.tensor.cols()));
  }
  check("x", x_.grad(), to_matrix(file_->read_floats("grad/x"), x_.rows(), x_.cols()));
  const Array<float> d_h0 = file_->read_floats("grad/h0"), d_c0 = file_->read_floats("grad/c0");
  for (Index k = 0; k < kLayers; ++k) {
    const Matrix& got = initial_[std::size_t(k)].grad();
    check(k == 0 ? "h0[0]" : "h0[1]", got.leftCols(kHidden), to_matrix(d_h0, batch_, kHidden, k * batch_ * kHidden));
    check(k == 0 ? "c0[0]" : "c0[1]", got.rightCols(kHidden), to_matrix(d_c0, batch_, kHidden, k * batch_ * kHidden));
  }
  std::printf("worst gradient difference %.3g in %s\n", double(worst), worst_name.c_str());
}

// ---- the module's own behaviour ------------------------------------------------------------

Tensor random_matrix(Index rows, Index cols, std::uint64_t seed) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = float(2 * rng.uniform() - 1);
  return Tensor(m);
}

TEST(LstmModule, NamesShapesAndInitAsNnLstm) {
  Rng rng(2);
  const Lstm lstm(5, 6, 2, 0, rng, nullptr);
  const std::vector<std::pair<std::string, std::vector<Index>>> expected = {
      {"weight_ih_l0", {24, 5}}, {"weight_hh_l0", {24, 6}}, {"bias_ih_l0", {24}}, {"bias_hh_l0", {24}},
      {"weight_ih_l1", {24, 6}}, {"weight_hh_l1", {24, 6}}, {"bias_ih_l1", {24}}, {"bias_hh_l1", {24}}};
  const std::vector<Parameter> params = lstm.parameters();
  ASSERT_EQ(params.size(), expected.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].name, expected[i].first);
    EXPECT_EQ(params[i].shape, expected[i].second) << params[i].name;
    EXPECT_LE(params[i].tensor.value().cwiseAbs().maxCoeff(), 1 / std::sqrt(6.0f)) << params[i].name;
  }
  EXPECT_EQ(lstm.parameter_count(), 648);  // nn.LSTM(5, 6, 2): sum(p.numel())
  EXPECT_EQ(lstm.hidden_size(), 6);
  EXPECT_EQ(lstm.num_layers(), 2);
}

// step() once per position gives forward()'s outputs and final states (full lengths).
TEST(LstmModule, StepByStepEqualsForward) {
  Rng rng(3);
  const Lstm lstm(4, 5, 2, 0, rng, nullptr);
  const Index batch = 2, steps = 3;
  const Tensor x = random_matrix(batch * steps, 4, 4);
  const std::vector<Tensor> initial = {random_matrix(batch, 10, 5), random_matrix(batch, 10, 6)};
  NoGradGuard no_grad;
  const LstmOutput out = lstm.forward(x, initial, {}, batch);
  std::vector<Tensor> states = initial;
  for (Index t = 0; t < steps; ++t) {
    Matrix x_t(batch, 4);
    for (Index b = 0; b < batch; ++b) x_t.row(b) = x.value().row(b * steps + t);
    states = lstm.step(Tensor(x_t), states);
    for (Index b = 0; b < batch; ++b)
      EXPECT_LT((states.back().value().row(b).head(5) - out.outputs.value().row(b * steps + t)).cwiseAbs().maxCoeff(), 1e-6f);
  }
  for (std::size_t k = 0; k < 2; ++k)
    EXPECT_LT((states[k].value() - out.final_states[k].value()).cwiseAbs().maxCoeff(), 1e-6f) << "layer " << k;
}

// Dropout acts between layers in training mode only: never after the top layer, never in eval mode.
TEST(LstmModule, DropoutBetweenLayersInTrainingOnly) {
  const Tensor x = random_matrix(2 * 3, 4, 7);
  auto run = [&](Index layers, Scalar p, bool training) {
    Rng init(8), drop(9);
    Lstm lstm(4, 5, layers, p, init, &drop);
    lstm.train(training);
    NoGradGuard no_grad;
    return lstm.forward(x, {}, {3, 2}, 2).outputs.value();
  };
  EXPECT_EQ(run(2, 0.5f, false), run(2, 0, true));
  EXPECT_NE(run(2, 0.5f, true), run(2, 0, true));
  EXPECT_EQ(run(2, 0.5f, true), run(2, 0.5f, true));  // seeded: the same masks
  EXPECT_EQ(run(1, 0.5f, true), run(1, 0, true));     // one layer: no dropout at all
}

}  // namespace
}  // namespace heed
