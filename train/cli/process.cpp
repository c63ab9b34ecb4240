// Threads, allocator, signals.
#include "train/cli/process.h"

#include <malloc.h>

#include <csignal>
#include <stdexcept>
#include <string>

#include "autograd/parallel.h"
#include "train/loop/stop.h"

namespace heed::cli {

namespace {

extern "C" void on_stop_signal(int signal) { request_stop(signal); }

}  // namespace

void setup_process(const ProcessSetup& setup) {
  if (setup.threads < 0) throw std::invalid_argument("--threads: " + std::to_string(setup.threads) + " must be >= 0");
  set_parallel_threads(setup.threads);
  // Activations are allocated and freed every step: keep freed memory in the heap instead of
  // returning it to the OS, which costs a page fault per page at the next step.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  if (setup.graceful_stop) {
    // A scheduler's or `docker stop`'s SIGTERM is treated as Ctrl-C: finish the step, save, exit 128+signal.
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
  }
}

}  // namespace heed::cli
