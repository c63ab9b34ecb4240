// Training windows for a language model: each batch holds `batch_size` windows of context + 1
// consecutive tokens of a stream (inputs are the first `context`, targets the last), at offsets
// drawn uniformly from a generator seeded by (seed, batch number) alone. A run restored with
// set_position(position()) therefore draws exactly the windows it would have drawn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/batching.h"

namespace heed {

class WindowSampler {
 public:
  // Throws std::invalid_argument when the stream is shorter than context + 1 tokens, or
  // context or batch_size is 0.
  WindowSampler(std::size_t stream_tokens, std::size_t context, std::size_t batch_size, std::uint64_t seed);

  // The next batch's window starts (batch_size of them), each in [0, stream_tokens - context - 1].
  std::vector<std::size_t> next();

  // An epoch is as many batches as cover the stream's tokens once (rounded up); `batch` counts
  // within it, as BatchSampler's position does, so checkpoints store both alike.
  SamplerPosition position() const { return position_; }
  void set_position(SamplerPosition position);
  std::size_t batches_per_epoch() const { return batches_per_epoch_; }

 private:
  std::size_t starts_, context_, batch_size_, batches_per_epoch_;
  std::uint64_t seed_;
  SamplerPosition position_;
};

}  // namespace heed
