// Runs every layer's gradient check (layers/layer_checks.cpp) in double precision.
#include <gtest/gtest.h>

#include "layers/layer_checks.h"

namespace heed {
namespace {

class LayerGradcheck : public ::testing::TestWithParam<std::size_t> {};

TEST_P(LayerGradcheck, MatchesCentralDifferences) {
  const LayerCheck& check = layer_checks()[GetParam()];
  const GradcheckResult result = check.run();
  EXPECT_TRUE(result.ok) << check.name << " (" << check.what << "): " << result.message();
  EXPECT_GT(result.elements_checked, 0u);
}

INSTANTIATE_TEST_SUITE_P(AllLayers, LayerGradcheck, ::testing::Range<std::size_t>(0, layer_checks().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) { return layer_checks()[param_info.param].name; });

}  // namespace
}  // namespace heed
