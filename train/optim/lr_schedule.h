// Learning-rate schedules: the rate of step s (1-based) as a function of the peak rate.
#pragma once

#include <string>

namespace heed {

enum class ScheduleKind { Constant, Noam, Cosine };

struct LrSchedule {
  ScheduleKind kind = ScheduleKind::Constant;
  long long warmup_steps = 0;
  long long total_steps = 0;      // cosine decays to 0 at this step
  double min_lr_ratio = 0;        // cosine floor, as a fraction of the peak

  // constant: lr (after linear warmup if warmup_steps > 0)
  // noam:     lr · min(s/warmup, sqrt(warmup/s))  (warmup then inverse square root, peak lr at s = warmup)
  // cosine:   lr · s/warmup during warmup, then lr · (floor + (1-floor)·½(1 + cos(π·progress)))
  double rate(double peak_lr, long long step) const;
};

// Throws std::invalid_argument naming --warmup-steps when it is negative.
void validate(const LrSchedule& schedule);

}  // namespace heed
