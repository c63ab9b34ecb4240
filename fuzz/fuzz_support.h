// What the harnesses share: a broken promise is a finding (abort, so libFuzzer keeps the input),
// heed's errors are one line, and readers that take a path get a file in memory.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace heed::fuzz {

[[noreturn]] inline void finding(std::string_view what) {
  std::fprintf(stderr, "heed fuzz finding: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

inline void check(bool ok, const char* what) {
  if (!ok) finding(what);
}

// heed prints an error as one line: a message that is empty or spans lines is a finding.
// HEED_FUZZ_VERBOSE=1 prints each message (to see what a reproducer or seed gives).
inline void check_one_line(std::string_view message) {
  if (message.empty() || message.find('\n') != std::string_view::npos) {
    finding("error message is not one line: \"" + std::string(message) + "\"");
  }
  static const bool verbose = std::getenv("HEED_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "error: %.*s\n", static_cast<int>(message.size()), message.data());
}

// A file in memory (memfd) that readers open by its /proc path: no disk writes per input, and
// private to this process (libFuzzer's -jobs and -fork run several).
class MemoryFile {
 public:
  explicit MemoryFile(const char* name) : fd_(::memfd_create(name, 0)) {
    if (fd_ < 0) {
      std::perror("memfd_create");
      std::abort();  // the harness cannot work without its file: stop, report no input
    }
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  // Replaces the file's contents; returns the path that opens it.
  std::string write(const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, data, size, 0) != static_cast<ssize_t>(size)) {
      std::perror("memfd write");
      std::abort();
    }
    return "/proc/self/fd/" + std::to_string(fd_);
  }

 private:
  int fd_;
};

}  // namespace heed::fuzz
