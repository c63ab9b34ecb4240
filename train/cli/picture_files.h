// The options of the commands that draw (--png, --svg), checked before any work.
#pragma once

#include <vector>

#include "pictures/canvas.h"
#include "train/cli/cli.h"

namespace heed::cli {

// --png FILE, --svg FILE.
po::options_description picture_options();
// The files named, at least one, each in an existing directory: else a UsageError naming the option.
std::vector<pictures::ImageFile> read_picture_files(const po::variables_map& vm);
// A std::runtime_error saying why when this heed was built without cairo.
void require_pictures();

}  // namespace heed::cli
