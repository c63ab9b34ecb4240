// Line-chart panels on a grid, with a legend of runs.
#include "pictures/line_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "pictures/colour_scale.h"
#include "pictures/page_header.h"

namespace heed::pictures {

namespace {

constexpr Rgb kInk{0.15, 0.15, 0.15}, kGrey{0.45, 0.45, 0.45}, kGridLine{0.88, 0.88, 0.88};
constexpr double kPanelW = 430, kPanelH = 260, kPad = kPageMargin, kTickFont = 10, kTitleFont = 12.5;
constexpr double kPlotLeft = 58, kPlotRight = 16, kPlotTop = 26, kPlotBottom = 40;
constexpr double kLegendFont = 11.5;

std::string tick_text(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", std::abs(v) < 1e-12 ? 0.0 : v);
  return text;
}

struct Range {
  double low = std::numeric_limits<double>::infinity(), high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  bool empty() const { return low > high; }
};

// The ticks m × 10^e within [low, high], for each m of `mantissas`.
std::vector<double> ticks_with(double low, double high, const std::vector<double>& mantissas) {
  std::vector<double> ticks;
  const int first = int(std::floor(std::log10(low))), last = int(std::ceil(std::log10(high)));
  for (int e = first; e <= last; ++e)
    for (double m : mantissas) {
      const double v = m * std::pow(10.0, e);
      if (v >= low * 0.999 && v <= high * 1.001) ticks.push_back(v);
    }
  return ticks;
}

// The steps every panel spans, so that panels line up: one x axis for the page.
Range step_range(const std::vector<ChartPanel>& panels) {
  Range xs;
  for (const ChartPanel& p : panels)
    for (const Series& s : p.series)
      for (double v : s.x) xs.add(v);
  if (!xs.empty() && xs.low > 0 && xs.low <= (xs.high - xs.low) * 0.1) xs.low = 0;  // a run's start reads as 0
  return xs;
}

void draw_panel(Canvas& c, const ChartPanel& p, const ChartPage& page, Range xs, double x, double y) {
  const double px = x + kPlotLeft, py = y + kPlotTop, pw = kPanelW - kPlotLeft - kPlotRight, ph = kPanelH - kPlotTop - kPlotBottom;
  c.text(px, y + kTitleFont + 4, p.title, {.size = kTitleFont, .colour = kInk, .bold = true});
  Range ys;
  for (const Series& s : p.series)
    for (double v : s.y)
      if (!p.log_y || v > 0) ys.add(v);
  c.stroke_rect(px, py, pw, ph, kGrey, 0.8);
  if (ys.empty() || xs.empty()) {
    c.text(px + pw / 2, py + ph / 2, "no values", {.size = kTickFont, .colour = kGrey, .align = Align::Centre});
    return;
  }
  if (xs.high == xs.low) xs = {xs.low - 1, xs.high + 1};
  const bool non_negative = ys.low >= 0;
  if (ys.high == ys.low) ys = p.log_y ? Range{ys.low / 2, ys.high * 2} : Range{ys.low - 1, ys.high + 1};
  std::vector<double> y_ticks = p.log_y ? log_ticks(ys.low, ys.high) : nice_ticks(ys.low, ys.high);
  if (!p.log_y && non_negative) {  // no negative ticks for a loss, a score or a percentage
    std::erase_if(y_ticks, [](double t) { return t < -1e-12; });
    ys.low = std::max(ys.low, 0.0);
  }
  const std::vector<double> x_ticks = nice_ticks(xs.low, xs.high, 6);
  if (!p.log_y) {  // the axis runs from tick to tick, so that its ends are labelled
    ys.low = std::min(ys.low, y_ticks.front());
    ys.high = std::max(ys.high, y_ticks.back());
  }
  const auto to_x = [&](double v) { return px + (v - xs.low) / (xs.high - xs.low) * pw; };
  const auto to_y = [&](double v) {
    const double t = p.log_y ? (std::log(v) - std::log(ys.low)) / (std::log(ys.high) - std::log(ys.low))
                             : (v - ys.low) / (ys.high - ys.low);
    return py + ph - t * ph;
  };
  for (double t : y_ticks) {
    c.line(px, to_y(t), px + pw, to_y(t), kGridLine, 0.8);
    c.text(px - 5, to_y(t) + kTickFont * 0.35, tick_text(t), {.size = kTickFont, .colour = kInk, .align = Align::Right});
  }
  for (double t : x_ticks) {
    if (t < xs.low || t > xs.high) continue;
    c.line(to_x(t), py + ph, to_x(t), py + ph + 4, kGrey, 0.8);
    c.text(to_x(t), py + ph + 6 + kTickFont, tick_text(t), {.size = kTickFont, .colour = kInk, .align = Align::Centre});
  }
  c.text(px + pw / 2, y + kPanelH - 6, page.x_caption, {.size = kTickFont, .colour = kGrey, .align = Align::Centre});
  c.clip(px, py, pw, ph);
  for (int faint = 1; faint >= 0; --faint)  // faint lines first, under the bold ones
    for (const Series& s : p.series) {
      if ((s.alpha < 1) != bool(faint)) continue;
      std::vector<std::pair<double, double>> points;
      for (std::size_t i = 0; i < s.x.size(); ++i)
        if (std::isfinite(s.y[i]) && (!p.log_y || s.y[i] > 0)) points.emplace_back(to_x(s.x[i]), to_y(s.y[i]));
      c.polyline(points, line_colour(s.colour), s.line_width, s.alpha);
    }
  c.unclip();
}

}  // namespace

std::vector<double> nice_ticks(double low, double high, int count) {
  if (!(high > low)) return {low};
  const double raw = (high - low) / std::max(1, count - 1), power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::floor(low / step) * step; t <= high + step * 0.999; t += step) ticks.push_back(t);
  return ticks;
}

// Powers of ten first, finer only when they give fewer than three ticks: a loss falling from 4.7
// to 1.7 spans less than a decade, and with 1×, 2× and 5× it would get one tick (2), which does
// not read as a log axis. Within a narrower range still, round values as a linear axis has them.
std::vector<double> log_ticks(double low, double high) {
  std::vector<double> ticks;
  for (const std::vector<double>& mantissas : {std::vector<double>{1}, std::vector<double>{1, 2, 5},
                                               std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
    ticks = ticks_with(low, high, mantissas);
    if (ticks.size() >= 3) return ticks;
  }
  if (ticks.size() >= 2) return ticks;
  ticks.clear();
  for (double t : nice_ticks(low, high, 6))  // more than a linear axis asks: those outside are dropped
    if (t >= low * 0.999 && t <= high * 1.001) ticks.push_back(t);
  return ticks;
}

void draw_charts(const std::vector<ChartPanel>& panels, const ChartPage& page, const std::vector<ImageFile>& files) {
  for (const ChartPanel& p : panels)
    for (const Series& s : p.series)
      if (s.x.size() != s.y.size())
        throw std::invalid_argument("chart '" + p.title + "': " + std::to_string(s.x.size()) + " x values but " +
                                    std::to_string(s.y.size()) + " y values");
  if (panels.empty()) throw std::invalid_argument("chart: nothing to draw");
  const std::size_t columns = std::max<std::size_t>(1, std::min(page.columns, panels.size()));
  const std::size_t rows = (panels.size() + columns - 1) / columns;
  const double width = std::max(2 * kPad + double(columns) * kPanelW, header_width(page.title, page.notes));
  // The legend: swatch and label per run, wrapped to the page width.
  std::vector<std::pair<double, double>> legend_at;
  double lx = kPad, ly = 0;
  for (const auto& [label, colour] : page.legend) {
    const double w = 26 + Canvas::text_width(label, kLegendFont) + 18;
    if (lx + w > width - kPad && lx > kPad) {
      lx = kPad;
      ly += kLegendFont + 8;
    }
    legend_at.emplace_back(lx, ly);
    lx += w;
  }
  const double legend_top = header_height(page.notes);
  const double legend_h = page.legend.empty() ? 0 : ly + kLegendFont + 12;
  const double grid_top = legend_top + legend_h;
  const double height = grid_top + double(rows) * kPanelH + kPad;
  const Range steps = step_range(panels);
  for (const ImageFile& file : files) {
    Canvas c(width, height, file);
    draw_header(c, page.title, page.notes);
    for (std::size_t i = 0; i < page.legend.size(); ++i) {
      const auto [x, y] = legend_at[i];
      const double base = legend_top + y + kLegendFont;
      c.line(x, base - 4, x + 20, base - 4, line_colour(page.legend[i].second), 3);
      c.text(x + 26, base, page.legend[i].first, {.size = kLegendFont, .colour = kInk});
    }
    for (std::size_t i = 0; i < panels.size(); ++i)
      draw_panel(c, panels[i], page, steps, kPad + double(i % columns) * kPanelW, grid_top + double(i / columns) * kPanelH);
    c.save();
  }
}

}  // namespace heed::pictures
