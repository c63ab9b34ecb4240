// Canvas when heed is built without cairo: every picture stops with one line saying why, so the
// rest of heed builds and works as before.
#include <stdexcept>

#include "pictures/canvas.h"

namespace heed::pictures {

struct Canvas::Impl {};

Canvas::Canvas(double, double, const ImageFile&) { throw std::runtime_error(pictures_unavailable()); }
Canvas::~Canvas() = default;
void Canvas::fill_rect(double, double, double, double, Rgb, double) {}
void Canvas::stroke_rect(double, double, double, double, Rgb, double) {}
void Canvas::line(double, double, double, double, Rgb, double, bool) {}
void Canvas::polyline(const std::vector<std::pair<double, double>>&, Rgb, double, double) {}
void Canvas::text(double, double, const std::string&, const TextStyle&) {}
void Canvas::clip(double, double, double, double) {}
void Canvas::unclip() {}
void Canvas::save() {}
double Canvas::text_width(const std::string& utf8, double size, bool) { return double(utf8.size()) * size * 0.6; }

bool pictures_available() { return false; }
std::string pictures_unavailable() {
  return "pictures are unavailable: this heed was built without cairo (install Debian's libcairo2-dev, then "
         "configure and build heed again)";
}

}  // namespace heed::pictures
