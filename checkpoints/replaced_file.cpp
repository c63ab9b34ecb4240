// Resolving and checking the files heed replaces whole.
#include "checkpoints/replaced_file.h"

#include <filesystem>

namespace heed {

namespace fs = std::filesystem;

std::string replaced_file(const std::string& path) {
  fs::path p = path;
  std::error_code ec;
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {  // 40: the kernel's own limit
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) break;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  return p.string();
}

std::string not_replaceable(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);  // follows links
  if (ec || !fs::exists(status) || fs::is_regular_file(status)) return "";
  if (fs::is_directory(status)) return "is a directory";
  if (fs::is_block_file(status) || fs::is_character_file(status)) return "is a device";
  if (fs::is_fifo(status)) return "is a FIFO";
  if (fs::is_socket(status)) return "is a socket";
  return "is not a regular file";
}

}  // namespace heed
