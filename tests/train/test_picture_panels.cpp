// What heed plot puts in its panels: --log-loss makes every loss panel logarithmic (the train
// loss's column is train_loss_smoothed).
#include <gtest/gtest.h>

#include <cmath>

#include "train/cli/metric_panels.h"

namespace heed::cli {
namespace {

MetricsTable a_run() {
  MetricsTable t;
  t.columns = {"step", "train_loss_smoothed", "valid_loss", "valid_bleu"};
  t.values = {{"step", {1, 2, 3}}, {"train_loss_smoothed", {3, 2, 1}}, {"valid_loss", {NAN, 2.5, NAN}},
              {"valid_bleu", {NAN, 10, NAN}}};
  return t;
}

TEST(MetricPanels, LogLossMakesEveryLossPanelLogarithmic) {
  for (bool log_loss : {false, true}) {
    const std::vector<pictures::ChartPanel> panels = metric_panels({a_run()}, 1, log_loss);
    ASSERT_EQ(panels.size(), 3u);
    EXPECT_EQ(panels[0].title, "train loss");
    EXPECT_EQ(panels[0].log_y, log_loss);
    EXPECT_EQ(panels[1].title, "valid loss");
    EXPECT_EQ(panels[1].log_y, log_loss);
    EXPECT_EQ(panels[2].title, "valid BLEU");
    EXPECT_FALSE(panels[2].log_y);
  }
}

TEST(MetricPanels, TrainLossFaintWithItsRunningMean) {
  const std::vector<pictures::ChartPanel> panels = metric_panels({a_run()}, 2, false);
  ASSERT_EQ(panels[0].series.size(), 2u);
  EXPECT_LT(panels[0].series[0].alpha, 1);
  EXPECT_EQ(panels[0].series[1].y, (std::vector<double>{3, 2.5, 1.5}));
  EXPECT_EQ(panels[1].series[0].x, (std::vector<double>{2}));  // the valid loss's gaps left out
}

}  // namespace
}  // namespace heed::cli
