// Page headers: a bold title, grey notes under it.
#include "pictures/page_header.h"

#include <algorithm>

namespace heed::pictures {

namespace {

constexpr double kTitleFont = 15, kNoteFont = 11, kNoteLine = kNoteFont + 4;

}  // namespace

double header_height(const std::vector<std::string>& notes) {
  return kPageMargin + kTitleFont + 6 + double(notes.size()) * kNoteLine + 8;
}

double header_width(const std::string& title, const std::vector<std::string>& notes) {
  double width = Canvas::text_width(title, kTitleFont, true);
  for (const std::string& note : notes) width = std::max(width, Canvas::text_width(note, kNoteFont));
  return width + 3 * kPageMargin;
}

void draw_header(Canvas& canvas, const std::string& title, const std::vector<std::string>& notes) {
  canvas.text(kPageMargin, kPageMargin + kTitleFont, title, {.size = kTitleFont, .colour = {0.15, 0.15, 0.15}, .bold = true});
  double y = kPageMargin + kTitleFont + 6;
  for (const std::string& note : notes) {
    y += kNoteLine;
    canvas.text(kPageMargin, y, note, {.size = kNoteFont, .colour = {0.45, 0.45, 0.45}});
  }
}

}  // namespace heed::pictures
