// One run per save-dir: an advisory lock (flock) on SAVE_DIR/heed.lock, held for the whole run
// and released by the kernel when the process ends, however it ends. The file holds the
// holder's pid, so that a second run can say whose run it would collide with.
#pragma once

#include <string>

namespace heed {

class SaveDirLock {
 public:
  // Creates `dir` if missing, checks that it can be written (the lock file is the first file a
  // run writes there) and takes the lock. Throws std::runtime_error, one line, naming the
  // directory and the reason ("Read-only file system"), or the pid of the run that holds it.
  explicit SaveDirLock(const std::string& dir);
  // Ending by an exception (a refused option, unreadable data) before the run wrote anything
  // removes what the constructor created (the lock file, directories), so that a refused command
  // leaves nothing behind; otherwise the lock file stays.
  ~SaveDirLock();
  SaveDirLock(const SaveDirLock&) = delete;
  SaveDirLock& operator=(const SaveDirLock&) = delete;

 private:
  void remove_what_was_created() const noexcept;

  int fd_ = -1;
  std::string dir_;
  std::string created_top_;  // the outermost directory the constructor created, empty if none
  bool lock_file_created_ = false;
  int exceptions_at_start_ = 0;
};

}  // namespace heed
