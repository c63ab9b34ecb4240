// Checks on the files pictures go to, made before any work.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "pictures/canvas.h"

namespace heed::pictures {

namespace {

// A file's extension in lower case, without the dot: "PNG" -> "png"; "" when it has none.
std::string extension(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  if (!e.empty()) e.erase(0, 1);
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return e;
}

}  // namespace

void check_image_files(const std::vector<std::pair<std::string, ImageFile>>& files_by_option) {
  namespace fs = std::filesystem;
  for (const auto& [option, file] : files_by_option) {
    const std::string where = option + " " + file.path + ": ";
    std::error_code ec;
    if (file.path.empty()) throw std::invalid_argument(option + ": needs a file name");
    if (fs::is_directory(file.path, ec)) throw std::invalid_argument(where + "is a directory");
    const fs::path dir = fs::path(file.path).parent_path();
    if (!dir.empty() && !fs::is_directory(dir, ec)) throw std::invalid_argument(where + "no such directory " + dir.string());
    // A PNG named x.jpg opens nowhere as a JPEG: a name that says another format is refused (a
    // name without an extension is the user's choice).
    const std::string expected = file.format == ImageFormat::Png ? "png" : "svg";
    if (const std::string e = extension(file.path); !e.empty() && e != expected)
      throw std::invalid_argument(where + option + " writes " + (expected == "png" ? "PNG" : "SVG") +
                                  ", not ." + e + ": name the file ." + expected);
  }
}

}  // namespace heed::pictures
