// Threads, allocator, signals.
#include "train/cli/process.h"

#include <unistd.h>
#include <malloc.h>

#include <signal.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "autograd/parallel.h"
#include "train/distributed/launch.h"
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
  static const char note[] =
      "\nheed: stopping after the current step (a validation under way finishes first), then saving; "
      "signal again to quit at once without saving\n";
  [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, note, sizeof note - 1);
}

// The reader of heed's output went away (`heed train 2>&1 | head`): the run saves and stops as
// for SIGTERM, instead of dying unsaved. Later writes fail with EPIPE and are dropped, and this
// handler stays (a second SIGPIPE comes from the next line, not from a person insisting).
extern "C" void on_broken_pipe(int signal) {
  if (!stop_requested()) request_stop(signal);
}

}  // namespace

int capped_threads(int requested, int cores) {
  const int cap = kMaxThreadsPerCore * std::max(1, cores);
  if (requested <= cap) return requested;
  std::cerr << "--threads " << requested << ": using " << cap << " (" << kMaxThreadsPerCore << " per core, "
            << std::max(1, cores) << (cores == 1 ? " core" : " cores") << "); more only wait for each other\n";
  return cap;
}

void setup_process(const ProcessSetup& setup) {
  if (setup.threads < 0)
    throw std::invalid_argument("--threads " + std::to_string(setup.threads) + " is out of range: must be >= 0");
  const int cores = int(std::thread::hardware_concurrency());
  int threads = setup.threads;
  // "All cores" under mpirun: the ranks on this machine share them, or their threads would only
  // take turns on the same cores.
  if (const int local = launch_info().local_size; threads == 0 && local > 1) threads = std::max(1, cores / local);
  set_parallel_threads(capped_threads(threads, cores));
  // Activations are allocated and freed every step: keep freed memory in the heap instead of
  // returning it to the OS, which costs a page fault per page at the next step. Trimming is off
  // altogether (-1): a threshold of 1 GiB let a step whose activations pass 1 GiB (a 65,536-token
  // step of the lm benchmark: 1.9 GB) give it back at the end and fault it all in again at the next
  // step (271,000 page faults a step).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, -1);
  if (setup.graceful_stop) {
    // A scheduler's or `docker stop`'s SIGTERM is treated as Ctrl-C: finish the step, save, exit 128+signal.
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    struct sigaction pipe_action {};
    pipe_action.sa_handler = on_broken_pipe;
    sigemptyset(&pipe_action.sa_mask);
    sigaction(SIGPIPE, &pipe_action, nullptr);
  }
}

}  // namespace heed::cli
