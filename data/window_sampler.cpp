// Windows at seeded random offsets.
#include "data/window_sampler.h"

#include <stdexcept>
#include <string>

#include "data/prng.h"

namespace heed {

WindowSampler::WindowSampler(std::size_t stream_tokens, std::size_t context, std::size_t batch_size,
                             std::uint64_t seed)
    : starts_(stream_tokens > context ? stream_tokens - context : 0),
      context_(context),
      batch_size_(batch_size),
      batches_per_epoch_(0),
      seed_(seed) {
  if (context == 0 || batch_size == 0) throw std::invalid_argument("WindowSampler: context and batch size must be >= 1");
  if (starts_ == 0)
    throw std::invalid_argument("the text has " + std::to_string(stream_tokens) + " tokens (line ends included), " +
                                "fewer than --context + 1 = " + std::to_string(context + 1));
  const std::size_t per_batch = batch_size * context;
  batches_per_epoch_ = (stream_tokens + per_batch - 1) / per_batch;
}

std::vector<std::size_t> WindowSampler::next() {
  const std::uint64_t number = position_.epoch * batches_per_epoch_ + position_.batch;
  SplitMix64 rng(seed_ ^ mix64(number + 1), "lm-windows");
  std::vector<std::size_t> starts(batch_size_);
  for (std::size_t& s : starts) s = std::size_t(rng.below(starts_));
  if (++position_.batch == batches_per_epoch_) position_ = {position_.epoch + 1, 0};
  return starts;
}

void WindowSampler::set_position(SamplerPosition position) {
  if (position.batch > batches_per_epoch_)
    throw std::out_of_range("window position: batch " + std::to_string(position.batch) + " of an epoch of " +
                            std::to_string(batches_per_epoch_));
  position_ = position.batch == batches_per_epoch_ ? SamplerPosition{position.epoch + 1, 0} : position;
}

}  // namespace heed
