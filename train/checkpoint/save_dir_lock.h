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
  ~SaveDirLock();
  SaveDirLock(const SaveDirLock&) = delete;
  SaveDirLock& operator=(const SaveDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace heed
