// The colours heed's pictures use: a sequential scale for values in [0, 1] (attention weights),
// drawn as a bar with ticks, and a palette of distinct colours for lines (runs).
#pragma once

#include <cstddef>
#include <string>

#include "pictures/canvas.h"

namespace heed::pictures {

// 0 -> white through light and mid blue to 1 -> dark navy; clamped outside [0, 1]. Lightness
// falls steadily, so a weight's rank reads off its shade in grey print too.
Rgb weight_colour(double value);

// Dark text on light cells and white text on dark ones.
Rgb text_colour_on(double value);

// Eight colours that stay apart on white, for the runs of a plot; index wraps around.
Rgb line_colour(std::size_t index);

// A vertical bar of weight_colour from `low` (bottom) to `high` (top), ticks every 0.2 of the
// range and `caption` above it.
void draw_colour_bar(Canvas& canvas, double x, double y, double width, double height, double low, double high,
                     const std::string& caption);
// The width the bar, its tick labels and its caption take.
double colour_bar_width(double bar_width, const std::string& caption);

}  // namespace heed::pictures
