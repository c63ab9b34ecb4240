// Learning-rate schedules.
#include "train/optim/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace heed {

double LrSchedule::rate(double peak_lr, long long step) const {
  const double s = double(std::max(step, 1LL)), w = double(warmup_steps);
  if (kind == ScheduleKind::Noam) {
    if (warmup_steps <= 0) return peak_lr / std::sqrt(s);
    return peak_lr * std::min(s / w, std::sqrt(w / s));
  }
  if (warmup_steps > 0 && s < w) return peak_lr * s / w;
  if (kind == ScheduleKind::Cosine) {
    const double span = std::max(1.0, double(total_steps) - w);
    const double progress = std::clamp((s - w) / span, 0.0, 1.0);
    return peak_lr * (min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + std::cos(M_PI * progress)));
  }
  return peak_lr;
}

void validate(const LrSchedule& schedule) {
  if (schedule.warmup_steps < 0) throw std::invalid_argument("--warmup-steps: must be >= 0");
}

}  // namespace heed
