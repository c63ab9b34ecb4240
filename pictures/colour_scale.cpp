// Colours and the colour bar.
#include "pictures/colour_scale.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace heed::pictures {

namespace {

struct Anchor {
  double at;
  Rgb colour;
};

// heed's own ramp: white, pale blue, blue, deep blue, navy.
constexpr std::array<Anchor, 5> kRamp{{{0.00, {1.00, 1.00, 1.00}},
                                       {0.25, {0.78, 0.86, 0.95}},
                                       {0.50, {0.45, 0.64, 0.86}},
                                       {0.75, {0.18, 0.38, 0.70}},
                                       {1.00, {0.04, 0.13, 0.40}}}};

constexpr std::array<Rgb, 8> kLines{{{0.12, 0.38, 0.72},
                                     {0.85, 0.37, 0.05},
                                     {0.16, 0.60, 0.25},
                                     {0.80, 0.15, 0.20},
                                     {0.50, 0.32, 0.70},
                                     {0.55, 0.35, 0.25},
                                     {0.90, 0.45, 0.70},
                                     {0.35, 0.35, 0.35}}};

constexpr double kTickFont = 10, kCaptionFont = 10;

}  // namespace

Rgb weight_colour(double value) {
  const double v = std::clamp(value, 0.0, 1.0);
  for (std::size_t i = 1; i < kRamp.size(); ++i) {
    if (v > kRamp[i].at) continue;
    const Anchor &a = kRamp[i - 1], &b = kRamp[i];
    const double t = (v - a.at) / (b.at - a.at);
    return {a.colour.r + t * (b.colour.r - a.colour.r), a.colour.g + t * (b.colour.g - a.colour.g),
            a.colour.b + t * (b.colour.b - a.colour.b)};
  }
  return kRamp.back().colour;
}

Rgb text_colour_on(double value) { return value > 0.55 ? Rgb{1, 1, 1} : Rgb{0.1, 0.1, 0.1}; }

Rgb line_colour(std::size_t index) { return kLines[index % kLines.size()]; }

double colour_bar_width(double bar_width, const std::string& caption) {
  return std::max(bar_width + 6 + Canvas::text_width("0.00", kTickFont), Canvas::text_width(caption, kCaptionFont));
}

void draw_colour_bar(Canvas& canvas, double x, double y, double width, double height, double low, double high,
                     const std::string& caption) {
  canvas.text(x, y - 8, caption, {.size = kCaptionFont, .colour = {0.2, 0.2, 0.2}});
  const int steps = std::max(2, int(height));
  for (int i = 0; i < steps; ++i) {
    const double t = double(i) / (steps - 1);  // 0 at the bottom
    canvas.fill_rect(x, y + height * (1 - t) - height / steps, width, height / steps + 0.5, weight_colour(t));
  }
  canvas.stroke_rect(x, y, width, height, {0.4, 0.4, 0.4}, 0.8);
  for (int tick = 0; tick <= 5; ++tick) {
    const double t = tick / 5.0, ty = y + height * (1 - t);
    canvas.line(x + width, ty, x + width + 4, ty, {0.3, 0.3, 0.3}, 0.8);
    char label[32];
    std::snprintf(label, sizeof label, "%.2g", low + t * (high - low));
    canvas.text(x + width + 6, ty + kTickFont * 0.35, label, {.size = kTickFont, .colour = {0.2, 0.2, 0.2}});
  }
}

}  // namespace heed::pictures
