// The title and note lines at the top of every picture heed draws.
#pragma once

#include <string>
#include <vector>

#include "pictures/canvas.h"

namespace heed::pictures {

inline constexpr double kPageMargin = 14;

// Where the content below the header starts.
double header_height(const std::vector<std::string>& notes);
// The page width the header's lines need, margins included.
double header_width(const std::string& title, const std::vector<std::string>& notes);
void draw_header(Canvas& canvas, const std::string& title, const std::vector<std::string>& notes);

}  // namespace heed::pictures
