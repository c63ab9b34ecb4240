// Process-wide setup, done once by main() before a command runs: the threads of heed's kernels
// (OpenBLAS itself stays single-threaded under them, see autograd/parallel.cpp), the allocator,
// and, for commands that can stop gracefully, SIGINT/SIGTERM/SIGPIPE handling.
#pragma once

namespace heed::cli {

struct ProcessSetup {
  int threads = 0;             // 0 = all cores
  bool graceful_stop = false;  // SIGINT, SIGTERM and SIGPIPE ask the training loop to save and stop
};

// Threads beyond this many per core only wait for each other (and thousands take seconds to start).
inline constexpr int kMaxThreadsPerCore = 4;

// `requested` threads, or at most kMaxThreadsPerCore per core, saying so on stderr when it caps.
int capped_threads(int requested, int cores);

// Throws std::invalid_argument naming --threads for a negative count; caps a huge one.
void setup_process(const ProcessSetup& setup);

}  // namespace heed::cli
