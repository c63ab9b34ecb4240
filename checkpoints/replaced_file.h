// A file heed replaces whole: written beside it (PATH.tmp) and renamed over it. Renaming over a
// symlink would replace the link, and over a device, FIFO or socket would replace the node: so
// the name is first resolved through its links, and a name that is not a regular file is refused.
#pragma once

#include <string>

namespace heed {

// `path` with its symlinks followed, as far as they lead: the file a write to `path` should
// replace (the link itself stays). `path` itself when it is not a link; a dangling link gives
// the name it points to (relative targets resolved from the link's directory).
std::string replaced_file(const std::string& path);

// Why a new regular file cannot replace `path` (its links followed): "is a directory", "is a
// device", "is a FIFO", "is a socket", or "" when it is a regular file or does not exist.
std::string not_replaceable(const std::string& path);

}  // namespace heed
