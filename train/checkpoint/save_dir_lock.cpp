// SaveDirLock on flock(2); the lock file is left in place, as removing it would let a third run
// lock a new file while the second still holds the old one.
#include "train/checkpoint/save_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace heed {

namespace {

std::runtime_error error(const std::string& dir, const std::string& what) {
  return std::runtime_error("--save-dir " + dir + ": " + what);
}

}  // namespace

SaveDirLock::SaveDirLock(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw error(dir, "cannot create (" + ec.message() + ")");
  if (!std::filesystem::is_directory(dir)) throw error(dir, "is not a directory");
  const std::string path = dir + "/heed.lock";
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
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace heed
