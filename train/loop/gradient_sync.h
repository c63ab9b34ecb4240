// Data parallelism's one exchange of a step: the trainable parameters' gradients summed over the
// ranks, packed into fused buckets (a few large messages, not one per tensor).
#pragma once

#include <vector>

#include "layers/module.h"
#include "train/loop/communicator.h"

HEED_NAMESPACE_BEGIN

class GradientSync {
 public:
  // bucket_values: floats per message (4 MB by default: a `tiny` model in one, `small` in seven).
  explicit GradientSync(Communicator& comm, std::size_t bucket_values = std::size_t(1) << 20);
  // Every rank ends with the sum of all ranks' gradients, added in rank order. A parameter that
  // got no gradient on any rank keeps none (the optimizer then leaves it alone, as one process
  // would); one that got a gradient somewhere has one everywhere.
  void sum(const std::vector<Parameter>& params);
  // Wall time spent in sum() so far: the exchange, and the wait for slower ranks.
  double seconds() const { return seconds_; }

 private:
  Communicator& comm_;
  std::size_t bucket_values_;
  std::vector<Scalar> buffer_;
  double seconds_ = 0;
};

HEED_NAMESPACE_END
