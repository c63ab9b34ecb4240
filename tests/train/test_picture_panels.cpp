// What heed plot and heed attention put in their panels: --log-loss makes every loss panel
// logarithmic (the train loss's column is train_loss_smoothed), source labels say what the model
// read (<unk>, with the word typed), and the subtitle names the attention kind.
#include <gtest/gtest.h>

#include <cmath>

#include "train/cli/attention_panels.h"
#include "pictures/line_chart.h"
#include "train/cli/metric_panels.h"
#include "train/cli/model_attention.h"

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

// A log axis shows at least three ticks where it can: a loss from 4.7 to 1.7 gets 2, 3 and 4, not
// the one tick (2) that powers of ten, 2× and 5× give.
void expect_ticks(const std::vector<double>& got, const std::vector<double>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], expected[i] * 1e-12);
}

TEST(MetricPanels, LogAxisTicksReadAsLogarithmic) {
  expect_ticks(pictures::log_ticks(1.7, 4.7), {2, 3, 4});
  expect_ticks(pictures::log_ticks(0.5, 20), {0.5, 1, 2, 5, 10, 20});
  expect_ticks(pictures::log_ticks(0.01, 100), {0.01, 0.1, 1, 10, 100});
  EXPECT_GE(pictures::log_ticks(1.05, 1.9).size(), 2u);  // within a decade's first step: round values
}

TEST(AttentionPanels, SourceLabelsSayWhatTheModelRead) {
  SentenceAttention a;
  a.source_tokens = {"the", "<unk>", "</s>"};
  a.source_typed = {"the", "xyzzy", "</s>"};
  a.target_inputs = {"<s>", "le"};
  a.outputs = {"le", "</s>"};
  a.maps.heads = 1;
  a.maps.cross = {Matrix::Constant(2, 3, Scalar(1) / 3)};
  const std::vector<pictures::HeatmapPanel> panels = attention_panels(a, {.kind = "cross", .layer = -1, .head = 0});
  ASSERT_EQ(panels.size(), 1u);
  EXPECT_EQ(panels[0].column_labels, (std::vector<std::string>{"the", "<unk> (xyzzy)", "</s>"}));
  EXPECT_EQ(panels[0].row_labels, a.outputs);
}

TEST(ModelAttention, NamesTheKind) {
  ModelConfig c;
  EXPECT_EQ(model_description(c), "transformer, full attention");
  EXPECT_EQ(attention_kind(c), "full");
  c.attention = AttentionKind::Local;
  c.window = 3;
  EXPECT_EQ(model_description(c), "transformer, local attention (window 3)");
  c.attention = AttentionKind::Linear;
  c.window = 0;
  EXPECT_EQ(model_description(c), "transformer, linear attention");
  EXPECT_EQ(attention_kind(c), "linear");
  c.arch = Arch::LstmAttention;
  EXPECT_EQ(model_description(c), "lstm-attention, Luong attention");
  EXPECT_EQ(attention_kind(c), "luong");
}

}  // namespace
}  // namespace heed::cli
