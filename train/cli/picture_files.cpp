// --png and --svg.
#include "train/cli/picture_files.h"

#include <stdexcept>

namespace heed::cli {

po::options_description picture_options() {
  po::options_description o("Pictures (at least one)");
  o.add_options()("png", po::value<std::string>(), "write the picture as a PNG file")(
      "svg", po::value<std::string>(), "write the picture as an SVG file (vector graphics, for papers and zooming)");
  return o;
}

std::vector<pictures::ImageFile> read_picture_files(const po::variables_map& vm) {
  std::vector<pictures::ImageFile> files;
  std::vector<std::pair<std::string, pictures::ImageFile>> by_option;
  for (const auto& [option, format] : {std::pair{"png", pictures::ImageFormat::Png}, std::pair{"svg", pictures::ImageFormat::Svg}})
    if (vm.count(option)) {
      files.push_back({vm[option].as<std::string>(), format});
      by_option.emplace_back(std::string("--") + option, files.back());
    }
  if (files.empty()) throw UsageError("--png or --svg: name the file to draw into");
  try {
    pictures::check_image_files(by_option);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  return files;
}

void require_pictures() {
  if (!pictures::pictures_available()) throw std::runtime_error(pictures::pictures_unavailable());
}

}  // namespace heed::cli
