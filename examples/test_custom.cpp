// Our op and layer, gradient-checked in double precision; and a wrong backward the check catches.
#include <heed/heed.h>
#include <heed/testing.h>

#include "swiglu.h"
#include "swish.h"

using namespace heed;
using heed::testing::random_tensor;

TEST(Swish, Gradient) {
  Tensor x = random_tensor(3, 4, /*seed=*/1);
  EXPECT_GRADCHECK([&] { return swish(x); }, {{"x", x}});
}

TEST(SwiGlu, GradientOfTheInputAndEveryParameter) {
  Rng rng(2);
  SwiGlu layer(4, 3, rng);
  Tensor x = random_tensor(5, 4, /*seed=*/3);
  std::vector<NamedTensor> inputs = layer.named_parameters();  // value.weight, value.bias, gate.*
  inputs.push_back({"x", x});
  EXPECT_GRADCHECK([&] { return layer.forward(x); }, inputs);
}

// swish with a backward that forgets the y ⊙ (1 - s) term.
Tensor swish_wrong(const Tensor& x) {
  Matrix s = (1 + (-x.value().array()).exp()).inverse().matrix();
  return record("swish_wrong", x.value().cwiseProduct(s), {x},
                [x = GradRef(x), s](const Matrix& d_y) { x.grad() += d_y.cwiseProduct(s); });
}

TEST(Swish, AWrongBackwardIsReportedByInputAndElement) {
  Tensor x = random_tensor(2, 3, /*seed=*/4, 0, 1);
  x.mutable_value()(1, 2) = -1.2;  // where swish' is near 0, the forgotten term matters most
  const GradcheckResult r = gradcheck([&] { return sum(swish_wrong(x)); }, {{"x", x}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.input, "x");
  EXPECT_EQ(r.row, 1);
  EXPECT_EQ(r.col, 2);
  EXPECT_EQ(r.message().rfind("FAILED: worst element is x at (1,2)", 0), 0u) << r.message();
}
