// The files a command replaces whole (translate --dump-attention, attention's and plot's --png and
// --svg), checked before any work: a write must neither destroy a file the command reads, nor
// write two outputs into one file, nor turn a device, FIFO or directory into a regular file.
#pragma once

#include <string>
#include <vector>

namespace heed::cli {

// A file named on the command line, with the option that named it ("--png", "out.png").
struct NamedFile {
  std::string option;
  std::string path;
};

// True when `a` and `b` name the same file, existing or not (links followed, "./x" = "x").
bool same_file(const std::string& a, const std::string& b);

// Refuses (UsageError "OPTION PATH: REASON") an output that a new file cannot replace: an existing
// directory, device, FIFO or socket (a symlink is judged by what it names: that file is written).
void check_replaceable(const NamedFile& output);

// Refuses (UsageError naming both options and paths) an output that is the same file as one of
// the inputs or as an earlier output.
void check_distinct(const std::vector<NamedFile>& outputs, const std::vector<NamedFile>& inputs);

}  // namespace heed::cli
