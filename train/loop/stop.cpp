// Stop reasons and the stop flag.
#include "train/loop/stop.h"

#include <atomic>

#include "layers/number_text.h"

namespace heed {

namespace {
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "a signal handler may only touch lock-free atomics");
}  // namespace

std::string describe(StopReason reason, double time_limit_minutes, int patience, int bad_steps) {
  switch (reason) {
    case StopReason::Finished: return "finished";
    case StopReason::TimeLimit:
      return "time limit of " + format_number(time_limit_minutes) + (time_limit_minutes == 1 ? " minute" : " minutes") +
             " reached";
    case StopReason::EarlyStop: return "early stop: " + std::to_string(patience) + " evaluations without improvement";
    case StopReason::Interrupted: return "interrupted";
    case StopReason::Diverged:
      return "diverged: " + std::to_string(bad_steps) +
             " non-finite steps in a row; try a lower --lr or --clip-norm; the last good checkpoint is kept";
  }
  return "?";
}

void request_stop(int signal) noexcept { g_stop_signal.store(signal); }
bool stop_requested() noexcept { return g_stop_signal.load() != 0; }
int stop_signal() noexcept { return g_stop_signal.load(); }

}  // namespace heed
