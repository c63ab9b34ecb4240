// Threads, allocator, signals.
#include "train/cli/process.h"

#include <malloc.h>

#include <signal.h>

#include <csignal>
#include <stdexcept>
#include <string>

#include "autograd/parallel.h"
#include "train/loop/stop.h"

namespace heed::cli {

namespace {

// The first SIGINT/SIGTERM asks the loop to save and stop; a second one is not ignored: it
// restores the default action and re-raises, so pressing Ctrl-C twice ends heed at once.
extern "C" void on_stop_signal(int signal) {
  if (stop_requested()) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  request_stop(signal);
}

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
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
  }
}

}  // namespace heed::cli
