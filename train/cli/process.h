// Process-wide setup, done once by main() before a command runs: the threads of heed's kernels
// (OpenBLAS itself stays single-threaded under them, see autograd/parallel.cpp), the allocator,
// and, for commands that can stop gracefully, SIGINT/SIGTERM handling.
#pragma once

namespace heed::cli {

struct ProcessSetup {
  int threads = 0;             // 0 = all cores
  bool graceful_stop = false;  // SIGINT and SIGTERM ask the training loop to save and stop
};

// Throws std::invalid_argument naming --threads for a negative count.
void setup_process(const ProcessSetup& setup);

}  // namespace heed::cli
