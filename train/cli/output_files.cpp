// Checks on the files a command replaces.
#include "train/cli/output_files.h"

#include <filesystem>

#include "checkpoints/replaced_file.h"
#include "train/cli/cli.h"

namespace heed::cli {

bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::equivalent(a, b, ec)) return true;  // both exist: same inode, whatever the names
  // One or both are yet to be written: compare where they would be, their links followed.
  const fs::path x = fs::weakly_canonical(replaced_file(a), ec);
  if (ec) return false;
  const fs::path y = fs::weakly_canonical(replaced_file(b), ec);
  return !ec && x == y;
}

void check_replaceable(const NamedFile& output) {
  if (const std::string why = not_replaceable(output.path); !why.empty())
    throw UsageError(output.option + " " + output.path + ": " + why + ", not a regular file");
}

void check_distinct(const std::vector<NamedFile>& outputs, const std::vector<NamedFile>& inputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const NamedFile& out = outputs[i];
    for (const NamedFile& in : inputs)
      if (same_file(out.path, in.path))
        throw UsageError(out.option + " " + out.path + " is the same file as " + in.option + " " + in.path +
                         ": writing there would destroy it");
    for (std::size_t j = 0; j < i; ++j)
      if (same_file(out.path, outputs[j].path))
        throw UsageError(out.option + " " + out.path + " is the same file as " + outputs[j].option + " " +
                         outputs[j].path + ": each output needs a file of its own");
  }
}

}  // namespace heed::cli
