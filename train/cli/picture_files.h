// The options of the commands that draw (--png, --svg), checked before any work, and the writing
// of their files: all of them or none.
#pragma once

#include <functional>
#include <vector>

#include "pictures/canvas.h"
#include "train/cli/cli.h"
#include "train/cli/output_files.h"

namespace heed::cli {

// --png FILE, --svg FILE.
po::options_description picture_options();

// The pictures a command draws. They are drawn into PATH.tmp beside each file (through a symlink,
// beside the file it names) and renamed into place only once every one is drawn: a picture that
// cannot be written leaves all the files as they were, not some new and some old.
class PictureFiles {
 public:
  // The files named, at least one: each in an existing directory, named as its format (.png,
  // .svg) or without an extension, a regular file or none yet, and none the same file as one of
  // `inputs` or as the other picture. Else a UsageError naming the option.
  PictureFiles(const po::variables_map& vm, const std::vector<NamedFile>& inputs);

  // draw(files) draws into the .tmp files; then they are renamed into place. When anything fails,
  // the .tmp files are removed and a std::runtime_error says which file and that none was written.
  void write(const std::function<void(const std::vector<pictures::ImageFile>&)>& draw) const;

  // The files as named, for "wrote FILE" lines.
  const std::vector<NamedFile>& named() const { return named_; }

 private:
  std::vector<NamedFile> named_;
  std::vector<pictures::ImageFile> targets_;  // where each is written: the named file, its links followed
};

// Prints "wrote FILE (N panels)" for each file, "1 panel" for one.
void report_written(const PictureFiles& files, std::size_t panels);

// A std::runtime_error saying why when this heed was built without cairo.
void require_pictures();

}  // namespace heed::cli
