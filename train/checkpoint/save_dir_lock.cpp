// SaveDirLock on flock(2); the lock file is left in place, as removing it would let a third run
// lock a new file while the second still holds the old one. The one exception, a run refused
// before it wrote anything into a save-dir it created, removes it while still holding the lock:
// a race then needs a second run to open the file in the microseconds between unlink and close.
#include "train/checkpoint/save_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>

namespace heed {

namespace {

std::runtime_error error(const std::string& dir, const std::string& what) {
  return std::runtime_error("--save-dir " + dir + ": " + what);
}

}  // namespace

SaveDirLock::SaveDirLock(const std::string& dir) : dir_(dir), exceptions_at_start_(std::uncaught_exceptions()) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::path p = fs::path(dir).lexically_normal(); !p.empty() && !fs::exists(p, ec); p = p.parent_path())
    if (p.has_filename()) created_top_ = p.string();
  fs::create_directories(dir, ec);
  if (ec) throw error(dir, "cannot create (" + ec.message() + ")");
  if (!fs::is_directory(dir)) throw error(dir, "is not a directory");
  const std::string path = dir + "/heed.lock";
  lock_file_created_ = !fs::exists(path, ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw error(dir, std::string("cannot write here (") + std::strerror(errno) + ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int why = errno;
    // The holder writes its pid just after taking the lock: read a few times, digits only.
    std::string pid;
    for (int attempt = 0; attempt < 20 && pid.empty(); ++attempt) {
      char text[32] = {};
      const ssize_t n = ::pread(fd_, text, sizeof text - 1, 0);
      for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9'; ++i) pid += text[i];
      if (pid.empty()) ::usleep(10000);
    }
    ::close(fd_);
    fd_ = -1;
    if (why == EWOULDBLOCK)
      throw error(dir, "another heed run is using it (pid " + (pid.empty() ? std::string("unknown") : pid) +
                           "); wait for it to end, or give another --save-dir");
    throw error(dir, std::string("cannot lock heed.lock (") + std::strerror(why) + ")");
  }
  const std::string mine = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, mine.data(), mine.size(), 0) != ssize_t(mine.size())) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    throw error(dir, "cannot write here (" + why + ")");
  }
}

SaveDirLock::~SaveDirLock() {
  if (fd_ < 0) return;
  if (std::uncaught_exceptions() > exceptions_at_start_) remove_what_was_created();  // while still holding the lock
  ::close(fd_);  // closing releases the lock
}

void SaveDirLock::remove_what_was_created() const noexcept {
  namespace fs = std::filesystem;
  if (!lock_file_created_) return;
  try {  // a destructor's clean-up during unwinding must not throw (the iterator's ++ may)
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir_, ec))
      if (entry.path().filename() != "heed.lock") return;  // the run wrote something: keep it all
    if (ec || !fs::remove(fs::path(dir_) / "heed.lock", ec)) return;
    if (created_top_.empty()) return;
    // Innermost first; remove() only takes empty directories, so nothing else can go.
    for (fs::path p = fs::path(dir_).lexically_normal(); !p.empty(); p = p.parent_path()) {
      if (!p.has_filename()) continue;  // "runs/a/": the trailing separator names no directory
      if (!fs::remove(p, ec) || p.string() == created_top_) return;
    }
  } catch (...) {
    // leaving a lock file behind is harmless: the next run takes it
  }
}

}  // namespace heed
