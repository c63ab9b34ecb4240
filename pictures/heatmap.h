// Labelled heatmaps of attention weights: one panel per matrix (queries down, keys across, a
// token on every row and column), laid out in a grid under a title, with one colour scale.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pictures/canvas.h"

namespace heed::pictures {

struct HeatmapPanel {
  std::string title;                    // "cross · layer 1 · head 0"
  std::string row_caption;              // what the rows are ("output produced"), printed beside them
  std::string column_caption;           // what the columns are ("source")
  std::vector<std::string> row_labels;  // one per row
  std::vector<std::string> column_labels;
  std::vector<double> values;  // rows × columns, row-major
};

struct HeatmapPage {
  std::string title;
  std::vector<std::string> notes;  // lines under the title
  std::size_t columns = 1;         // panels per grid row; panels fill the rows in order
  double low = 0, high = 1;        // the colour scale's range
  bool show_values = false;        // print each weight in its cell (for a single, small panel)
};

// Draws the page into each file. Throws std::invalid_argument when a panel's values do not match
// its labels, std::runtime_error when a file cannot be written.
void draw_heatmaps(const std::vector<HeatmapPanel>& panels, const HeatmapPage& page, const std::vector<ImageFile>& files);

}  // namespace heed::pictures
