// What a training run prints while it runs: on a terminal, one progress bar redrawn in place
// and fitted to the terminal's width; otherwise (a pipe, a log file) a plain line every 100
// steps. Evaluations and warnings print as whole lines above the bar.
#pragma once

#include <string>

namespace heed {

class Progress {
 public:
  // silent: prints nothing at all, not even lines (a rank other than 0 of a data-parallel run,
  // whose lines rank 0 prints).
  Progress(long long total_steps, long long first_step, bool quiet, bool silent = false);

  // After each optimizer step: the mean training loss and tokens/s of the current window.
  void step(long long step, double loss, double lr, double tokens_per_s, double elapsed_s);
  // A whole line (an evaluation, a warning), printed above the bar.
  void line(const std::string& text);
  // Leaves the bar's line (call before the run's closing messages).
  void finish();

 private:
  long long total_, first_;
  bool quiet_, silent_, terminal_;
  bool bar_shown_ = false;
};

// "1:05" or "1:02:03".
std::string format_duration(double seconds);

}  // namespace heed
