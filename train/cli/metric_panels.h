// heed plot's panels: which quantities of the runs' metrics.csv files are drawn, and how.
#pragma once

#include <cstddef>
#include <vector>

#include "pictures/line_chart.h"
#include "train/loop/metrics_log.h"

namespace heed::cli {

// One panel per quantity some run recorded (train loss, valid loss, exact match, BLEU, chrF,
// token accuracy), one colour per run (its index in `runs`); the train loss faint at each step
// with its running mean over `window` steps on top (window 1: the raw loss only). `log_loss`
// puts every loss panel, train and valid, on a logarithmic y axis.
std::vector<pictures::ChartPanel> metric_panels(const std::vector<MetricsTable>& runs, std::size_t window, bool log_loss);

}  // namespace heed::cli
