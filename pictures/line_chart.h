// Line charts of training curves: one panel per quantity (loss, each validation metric), each
// with one line per run in that run's colour, a legend naming the runs, axes with round ticks.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "pictures/canvas.h"

namespace heed::pictures {

struct Series {
  std::size_t colour = 0;  // line_colour(colour): the run's colour
  std::vector<double> x, y;
  double line_width = 1.8;
  double alpha = 1;  // < 1 draws it faint, behind the others (raw per-step values)
};

struct ChartPanel {
  std::string title;  // "valid BLEU"
  std::vector<Series> series;
  bool log_y = false;  // a logarithmic y axis (positive values only)
};

struct ChartPage {
  std::string title;
  std::vector<std::string> notes;  // lines under the title
  std::size_t columns = 2;
  std::string x_caption = "step";
  std::vector<std::pair<std::string, std::size_t>> legend;  // (run label, colour index)
};

// Round tick values covering [low, high]: about `count` of them, at 1, 2 or 5 times a power of ten.
std::vector<double> nice_ticks(double low, double high, int count = 5);
// A logarithmic axis's ticks over [low, high] (low > 0): at least three when there is room for
// them, at powers of ten, then also 2× and 5×, then every integer multiple.
std::vector<double> log_ticks(double low, double high);

// Draws the page into each file. Throws std::invalid_argument for a series whose x and y differ in
// length, std::runtime_error when a file cannot be written.
void draw_charts(const std::vector<ChartPanel>& panels, const ChartPage& page, const std::vector<ImageFile>& files);

}  // namespace heed::pictures
