// Canvas on cairo: an image surface written as PNG, or an SVG surface written as it is drawn.
#include "pictures/canvas.h"

#include <cairo-svg.h>
#include <cairo.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace heed::pictures {

namespace {

constexpr const char* kFontFace = "DejaVu Sans";  // Debian's fonts-dejavu-core; fontconfig finds a sans otherwise

void set_font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, kFontFace, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

std::runtime_error write_error(const std::string& path, cairo_status_t status) {
  return std::runtime_error(path + ": cannot write (" + cairo_status_to_string(status) + ")");
}

}  // namespace

struct Canvas::Impl {
  ImageFile file;
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  bool saved = false;
};

Canvas::Canvas(double width, double height, const ImageFile& file) : impl_(std::make_unique<Impl>()) {
  impl_->file = file;
  impl_->surface = file.format == ImageFormat::Svg
                       ? cairo_svg_surface_create(file.path.c_str(), width, height)
                       : cairo_image_surface_create(CAIRO_FORMAT_RGB24, int(std::ceil(width)), int(std::ceil(height)));
  if (const cairo_status_t status = cairo_surface_status(impl_->surface); status != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(impl_->surface);
    throw write_error(file.path, status);
  }
  impl_->cr = cairo_create(impl_->surface);
  cairo_set_source_rgb(impl_->cr, 1, 1, 1);
  cairo_paint(impl_->cr);
}

Canvas::~Canvas() {
  cairo_destroy(impl_->cr);
  cairo_surface_destroy(impl_->surface);
}

void Canvas::fill_rect(double x, double y, double w, double h, Rgb c, double alpha) {
  cairo_set_source_rgba(impl_->cr, c.r, c.g, c.b, alpha);
  cairo_rectangle(impl_->cr, x, y, w, h);
  cairo_fill(impl_->cr);
}

void Canvas::stroke_rect(double x, double y, double w, double h, Rgb c, double line_width) {
  cairo_set_source_rgb(impl_->cr, c.r, c.g, c.b);
  cairo_set_line_width(impl_->cr, line_width);
  cairo_rectangle(impl_->cr, x, y, w, h);
  cairo_stroke(impl_->cr);
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb c, double line_width, bool dashed) {
  cairo_t* cr = impl_->cr;
  const double dash[] = {3, 3};
  cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
  cairo_set_line_width(cr, line_width);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
  cairo_set_dash(cr, dash, 0, 0);
}

void Canvas::polyline(const std::vector<std::pair<double, double>>& points, Rgb c, double line_width, double alpha) {
  if (points.empty()) return;
  cairo_t* cr = impl_->cr;
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
  cairo_set_line_width(cr, line_width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_move_to(cr, points.front().first, points.front().second);
  for (const auto& [x, y] : points) cairo_line_to(cr, x, y);
  if (points.size() == 1) {  // a single validation point: a dot, not nothing
    cairo_arc(cr, points.front().first, points.front().second, line_width * 1.5, 0, 2 * std::numbers::pi);
    cairo_fill(cr);
    return;
  }
  cairo_stroke(cr);
}

void Canvas::text(double x, double y, const std::string& utf8, const TextStyle& style) {
  cairo_t* cr = impl_->cr;
  set_font(cr, style.size, style.bold);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, utf8.c_str(), &extents);
  const double shift = style.align == Align::Left ? 0 : style.align == Align::Centre ? extents.x_advance / 2 : extents.x_advance;
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -style.angle_degrees * std::numbers::pi / 180);
  cairo_move_to(cr, -shift, 0);
  cairo_set_source_rgb(cr, style.colour.r, style.colour.g, style.colour.b);
  cairo_show_text(cr, utf8.c_str());
  cairo_restore(cr);
}

void Canvas::clip(double x, double y, double w, double h) {
  cairo_save(impl_->cr);
  cairo_rectangle(impl_->cr, x, y, w, h);
  cairo_clip(impl_->cr);
}

void Canvas::unclip() { cairo_restore(impl_->cr); }

void Canvas::save() {
  if (impl_->saved) return;
  impl_->saved = true;
  cairo_surface_flush(impl_->surface);
  cairo_status_t status = cairo_status(impl_->cr);
  if (status == CAIRO_STATUS_SUCCESS && impl_->file.format == ImageFormat::Png)
    status = cairo_surface_write_to_png(impl_->surface, impl_->file.path.c_str());
  if (impl_->file.format == ImageFormat::Svg) {  // the SVG surface writes its file when finished
    cairo_surface_finish(impl_->surface);
    if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(impl_->surface);
  }
  if (status != CAIRO_STATUS_SUCCESS) throw write_error(impl_->file.path, status);
}

double Canvas::text_width(const std::string& utf8, double size, bool bold) {
  cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
  cairo_t* cr = cairo_create(scratch);
  set_font(cr, size, bold);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, utf8.c_str(), &extents);
  cairo_destroy(cr);
  cairo_surface_destroy(scratch);
  return extents.x_advance;
}

bool pictures_available() { return true; }
std::string pictures_unavailable() { return ""; }

}  // namespace heed::pictures
