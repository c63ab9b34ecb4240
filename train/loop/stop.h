// Why a training run stopped, and the flag a signal handler raises to ask it to stop.
#pragma once

#include <string>

namespace heed {

enum class StopReason {
  Finished,     // reached --steps
  TimeLimit,    // --time-limit minutes of wall time
  EarlyStop,    // --patience evaluations without improvement
  Interrupted,  // SIGINT, SIGTERM or SIGPIPE: the step in progress was finished and saved
  Diverged,     // --max-bad-steps non-finite steps in a row; the last good checkpoint is kept
};

// One line for the log ("time limit of 2 minutes reached").
std::string describe(StopReason reason, double time_limit_minutes, int patience, int bad_steps);

// Async-signal-safe and safe from any thread (a lock-free atomic): the handler installed by the
// CLI's process setup calls request_stop(signal); the loop polls stop_requested() between steps,
// saves and stops.
void request_stop(int signal) noexcept;
bool stop_requested() noexcept;
int stop_signal() noexcept;  // the signal that asked, 0 if none

}  // namespace heed
