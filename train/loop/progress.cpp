// The progress bar and log lines.
#include "train/loop/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace heed {

std::string format_duration(double seconds) {
  const long long s = (long long)(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

namespace {

int terminal_columns() {
  winsize w{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  return 80;
}

}  // namespace

Progress::Progress(long long total_steps, long long first_step, bool quiet, bool silent)
    : total_(total_steps),
      first_(first_step),
      quiet_(quiet || silent),
      silent_(silent),
      terminal_(!quiet_ && isatty(STDERR_FILENO)) {}

void Progress::step(long long step, double loss, double lr, double tokens_per_s, double elapsed_s) {
  if (quiet_) return;
  const double eta = elapsed_s / double(std::max(1LL, step - first_)) * double(total_ - step);
  char stats[160];
  if (terminal_) {
    if (step % 5 != 0 && step != total_) return;
    std::snprintf(stats, sizeof stats, " %lld/%lld loss %.4f lr %.3g %.0f tok/s ETA %s", step, total_, loss, lr,
                  tokens_per_s, format_duration(eta).c_str());
    // The bar takes what the numbers leave of the line, minus one column so the cursor never
    // wraps (a wrapped line would leave a copy behind at every redraw).
    const int room = terminal_columns() - 1 - int(std::string(stats).size()) - 2;
    std::string text = stats;
    if (room >= 10) {
      const int width = std::min(room, 30), filled = int(width * step / std::max(1LL, total_));
      std::string bar = "[";  // appended, not a chain of +: GCC 12 warns falsely (-Wrestrict) on that chain here
      bar.append(std::size_t(filled), '#').append(std::size_t(width - filled), '.').append("]").append(text);
      text = std::move(bar);
    }
    text.resize(std::min<std::size_t>(text.size(), std::size_t(std::max(1, terminal_columns() - 1))));
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    bar_shown_ = true;
  } else if (step % 100 == 0 || step == total_) {
    std::fprintf(stderr, "step %lld/%lld  loss %.4f  lr %.3g  %.0f tok/s  elapsed %s  ETA %s\n", step, total_, loss, lr,
                 tokens_per_s, format_duration(elapsed_s).c_str(), format_duration(eta).c_str());
  }
}

void Progress::line(const std::string& text) {
  if (silent_) return;
  if (bar_shown_) std::fprintf(stderr, "\r\033[K");  // the bar's line takes the text; the next step redraws it
  bar_shown_ = false;
  std::fprintf(stderr, "%s\n", text.c_str());
}

void Progress::finish() {
  if (bar_shown_) std::fprintf(stderr, "\n");
  bar_shown_ = false;
}

}  // namespace heed
