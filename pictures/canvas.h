// A drawing surface that becomes a PNG or an SVG file: cairo underneath (the header keeps it out
// of sight), with the few drawing calls heed's pictures need: rectangles, lines, text.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace heed::pictures {

enum class ImageFormat { Png, Svg };

// Where a picture goes: --png FILE or --svg FILE.
struct ImageFile {
  std::string path;
  ImageFormat format = ImageFormat::Png;
};

struct Rgb {
  double r = 0, g = 0, b = 0;
};

enum class Align { Left, Centre, Right };

struct TextStyle {
  double size = 11;  // pixels
  Rgb colour{};
  Align align = Align::Left;
  bool bold = false;
  double angle_degrees = 0;  // counter-clockwise, about the anchor point
};

class Canvas {
 public:
  // A white surface of width × height pixels (points in SVG).
  Canvas(double width, double height, const ImageFile& file);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  void fill_rect(double x, double y, double w, double h, Rgb colour, double alpha = 1);
  void stroke_rect(double x, double y, double w, double h, Rgb colour, double line_width = 1);
  void line(double x0, double y0, double x1, double y1, Rgb colour, double line_width = 1, bool dashed = false);
  void polyline(const std::vector<std::pair<double, double>>& points, Rgb colour, double line_width, double alpha = 1);
  // Text whose baseline starts at (x, y) (or ends or centres there, by style.align).
  void text(double x, double y, const std::string& utf8, const TextStyle& style);
  // Clips everything drawn after it to the rectangle, until unclip().
  void clip(double x, double y, double w, double h);
  void unclip();

  // Writes the file; throws std::runtime_error "PATH: cannot write (REASON)".
  void save();

  // How wide a text is drawn, before any canvas exists (layouts are measured first).
  static double text_width(const std::string& utf8, double size, bool bold = false);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Checks before any work that each file can be written where it is named: its directory exists,
// it is not a directory, and its extension, if any, is its format's (.png for PNG, .svg for SVG,
// in any case). Throws std::invalid_argument "OPTION PATH: REASON".
void check_image_files(const std::vector<std::pair<std::string, ImageFile>>& files_by_option);

// True when heed was built with cairo; otherwise every drawing call throws pictures_unavailable().
bool pictures_available();
std::string pictures_unavailable();

}  // namespace heed::pictures
