// Checks on the files pictures go to, made before any work.
#include <filesystem>
#include <stdexcept>

#include "pictures/canvas.h"

namespace heed::pictures {

void check_image_files(const std::vector<std::pair<std::string, ImageFile>>& files_by_option) {
  namespace fs = std::filesystem;
  for (const auto& [option, file] : files_by_option) {
    const std::string where = option + " " + file.path + ": ";
    std::error_code ec;
    if (file.path.empty()) throw std::invalid_argument(option + ": needs a file name");
    if (fs::is_directory(file.path, ec)) throw std::invalid_argument(where + "is a directory");
    const fs::path dir = fs::path(file.path).parent_path();
    if (!dir.empty() && !fs::is_directory(dir, ec)) throw std::invalid_argument(where + "no such directory " + dir.string());
  }
}

}  // namespace heed::pictures
