// Heatmap panels: measured first (labels decide the margins), then laid out and drawn.
#include "pictures/heatmap.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "pictures/colour_scale.h"
#include "pictures/page_header.h"

namespace heed::pictures {

namespace {

constexpr Rgb kInk{0.15, 0.15, 0.15}, kGrey{0.45, 0.45, 0.45};
constexpr double kTitleFont = 12, kCaptionFont = 10;
constexpr double kPad = kPageMargin, kCaptionSpace = 16, kTitleSpace = 20;

struct Style {
  double cell, label_font;
};

// A panel's size and where its grid starts within it. The row caption, read upwards beside the
// grid, is centred on `side`: the grid's height, or the caption's length when that is longer (a
// short sentence), so that it never reaches into the panel's title or the panel above.
struct Box {
  double grid_x, grid_y, width, height, side;
};

double widest(const std::vector<std::string>& labels, double font) {
  double w = 0;
  for (const std::string& l : labels) w = std::max(w, Canvas::text_width(l, font));
  return w;
}

Box measure(const HeatmapPanel& p, const Style& s) {
  const double rows = double(p.row_labels.size()), cols = double(p.column_labels.size());
  const double left = kCaptionSpace + widest(p.row_labels, s.label_font) + 6;
  const double bottom = widest(p.column_labels, s.label_font) + 6 + kCaptionSpace;
  const double grid_w = cols * s.cell, grid_h = rows * s.cell;
  const double width = std::max(left + grid_w, Canvas::text_width(p.title, kTitleFont, true)) + kPad;
  const double side = std::max(grid_h, Canvas::text_width(p.row_caption, kCaptionFont) + 4);
  return {left, kTitleSpace, width, kTitleSpace + std::max(grid_h + bottom, side) + kPad, side};
}

void draw_panel(Canvas& c, const HeatmapPanel& p, const Style& s, const HeatmapPage& page, double x, double y, const Box& box) {
  const std::size_t rows = p.row_labels.size(), cols = p.column_labels.size();
  const double gx = x + box.grid_x, gy = y + box.grid_y, grid_w = double(cols) * s.cell, grid_h = double(rows) * s.cell;
  c.text(x, y + kTitleFont, p.title, {.size = kTitleFont, .colour = kInk, .bold = true});
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t k = 0; k < cols; ++k) {
      const double v = p.values[r * cols + k], t = (v - page.low) / (page.high - page.low);
      const double cx = gx + double(k) * s.cell, cy = gy + double(r) * s.cell;
      c.fill_rect(cx, cy, s.cell + 0.3, s.cell + 0.3, weight_colour(t));  // + 0.3: no hairline seams
      if (page.show_values) {
        char text[16];
        std::snprintf(text, sizeof text, "%.2f", v);
        c.text(cx + s.cell / 2, cy + s.cell / 2 + 3, text, {.size = 8.5, .colour = text_colour_on(t), .align = Align::Centre});
      }
    }
  c.stroke_rect(gx, gy, grid_w, grid_h, kGrey, 0.8);
  const TextStyle label{.size = s.label_font, .colour = kInk, .align = Align::Right};
  for (std::size_t r = 0; r < rows; ++r)
    c.text(gx - 4, gy + (double(r) + 0.5) * s.cell + s.label_font * 0.35, p.row_labels[r], label);
  for (std::size_t k = 0; k < cols; ++k) {  // read upwards, ending just under the grid
    TextStyle up = label;
    up.angle_degrees = 90;
    c.text(gx + (double(k) + 0.5) * s.cell + s.label_font * 0.35, gy + grid_h + 4, p.column_labels[k], up);
  }
  const TextStyle caption{.size = kCaptionFont, .colour = kGrey, .align = Align::Centre};
  c.text(gx + grid_w / 2, y + box.height - kPad - 3, p.column_caption, caption);
  TextStyle side = caption;
  side.angle_degrees = 90;
  c.text(x + kCaptionFont, gy + box.side / 2, p.row_caption, side);
}

}  // namespace

void draw_heatmaps(const std::vector<HeatmapPanel>& panels, const HeatmapPage& page, const std::vector<ImageFile>& files) {
  for (const HeatmapPanel& p : panels)
    if (p.values.size() != p.row_labels.size() * p.column_labels.size())
      throw std::invalid_argument("heatmap '" + p.title + "': " + std::to_string(p.values.size()) + " values for " +
                                  std::to_string(p.row_labels.size()) + " x " + std::to_string(p.column_labels.size()) +
                                  " labels");
  if (panels.empty()) throw std::invalid_argument("heatmap: nothing to draw");
  const Style style = page.show_values ? Style{30, 12} : Style{17, 10.5};
  const std::size_t columns = std::max<std::size_t>(1, page.columns), grid_rows = (panels.size() + columns - 1) / columns;
  std::vector<Box> boxes;
  std::vector<double> column_w(columns, 0), row_h(grid_rows, 0);
  for (std::size_t i = 0; i < panels.size(); ++i) {
    boxes.push_back(measure(panels[i], style));
    column_w[i % columns] = std::max(column_w[i % columns], boxes.back().width);
    row_h[i / columns] = std::max(row_h[i / columns], boxes.back().height);
  }
  double grid_w = 0, grid_h = 0;
  for (double w : column_w) grid_w += w;
  for (double h : row_h) grid_h += h;
  const double header = header_height(page.notes);
  const std::string bar_caption = "weight";
  const double bar_w = colour_bar_width(14, bar_caption), bar_h = std::clamp(grid_h * 0.6, 80.0, 260.0);
  const double width = std::max(kPad + grid_w + bar_w + 2 * kPad, header_width(page.title, page.notes));
  const double height = header + std::max(grid_h, bar_h + 30) + kPad;

  for (const ImageFile& file : files) {
    Canvas c(width, height, file);
    draw_header(c, page.title, page.notes);
    double y = header;
    for (std::size_t r = 0; r < grid_rows; ++r) {
      double x = kPad;
      for (std::size_t k = 0; k < columns && r * columns + k < panels.size(); ++k) {
        draw_panel(c, panels[r * columns + k], style, page, x, y, boxes[r * columns + k]);
        x += column_w[k];
      }
      y += row_h[r];
    }
    draw_colour_bar(c, kPad + grid_w + kPad, header + 24, 14, bar_h, page.low, page.high, bar_caption);
    c.save();
  }
}

}  // namespace heed::pictures
