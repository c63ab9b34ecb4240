// Runs' metrics -> chart panels.
#include "train/cli/metric_panels.h"

#include <cmath>
#include <string>

namespace heed::cli {

namespace {

// A metrics.csv column and how its panel shows it.
struct Quantity {
  const char* column;
  const char* title;
  double scale;  // fractions are shown in percent
  bool loss;     // a loss: logarithmic with --log-loss (a column's name alone does not say so: train_loss_smoothed)
  bool per_step;  // recorded at every step: drawn faint, with its running mean
};
constexpr Quantity kQuantities[] = {{"train_loss_smoothed", "train loss", 1, true, true},
                                    {"valid_loss", "valid loss", 1, true, false},
                                    {"valid_exact_match", "valid exact match (%)", 100, false, false},
                                    {"valid_bleu", "valid BLEU", 1, false, false},
                                    {"valid_chrf", "valid chrF", 1, false, false},
                                    {"valid_token_acc", "valid token accuracy (%)", 100, false, false}};

// The mean of each value and the window - 1 before it.
std::vector<double> running_mean(const std::vector<double>& y, std::size_t window) {
  std::vector<double> out;
  double sum = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (std::isfinite(y[i])) sum += y[i], ++count;
    if (i >= window && std::isfinite(y[i - window])) sum -= y[i - window], --count;
    out.push_back(count ? sum / double(count) : std::nan(""));
  }
  return out;
}

// One run's values of `q` against the step, its gaps (rows that did not measure it) left out.
pictures::Series series_of(const MetricsTable& run, const std::vector<double>& column, const Quantity& q, std::size_t colour) {
  pictures::Series s{.colour = colour, .x = {}, .y = {}};
  const std::vector<double>& steps = run.values.at("step");
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (std::isfinite(column[i])) {
      s.x.push_back(steps[i]);
      s.y.push_back(column[i] * q.scale);
    }
  return s;
}

}  // namespace

std::vector<pictures::ChartPanel> metric_panels(const std::vector<MetricsTable>& runs, std::size_t window, bool log_loss) {
  std::vector<pictures::ChartPanel> panels;
  for (const Quantity& q : kQuantities) {
    pictures::ChartPanel panel{.title = q.title, .series = {}, .log_y = q.loss && log_loss};
    bool has_values = false;
    for (std::size_t run = 0; run < runs.size(); ++run) {
      const auto column = runs[run].values.find(q.column);
      if (column == runs[run].values.end()) continue;
      pictures::Series s = series_of(runs[run], column->second, q, run);
      has_values = has_values || !s.x.empty();
      if (q.per_step && window > 1) {  // the raw values faint, their running mean bold on top
        pictures::Series mean{.colour = run, .x = s.x, .y = running_mean(s.y, window)};
        s.alpha = 0.25;
        s.line_width = 1;
        panel.series.push_back(std::move(s));
        panel.series.push_back(std::move(mean));
      } else {
        panel.series.push_back(std::move(s));
      }
    }
    if (has_values) panels.push_back(std::move(panel));
  }
  return panels;
}

}  // namespace heed::cli
