// Padding batches and the bucketed batch sampler.
#include "data/batching.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "data/prng.h"
#include "data/vocab.h"

namespace heed {

namespace {

void check_no_specials(const std::vector<std::int32_t>& ids, std::size_t example, const char* side) {
  for (std::size_t t = 0; t < ids.size(); ++t) {
    if (ids[t] < Vocabulary::kUnk) {
      throw std::invalid_argument("make_batch: example " + std::to_string(example) + " " + side + " position " +
                                  std::to_string(t) + " holds id " + std::to_string(ids[t]) +
                                  "; expected ids >= 3 (pairs hold tokens without PAD/BOS/EOS)");
    }
  }
}

}  // namespace

PaddedBatch make_batch(const std::vector<EncodedPair>& pairs, const std::vector<std::size_t>& indices) {
  if (indices.empty()) throw std::invalid_argument("make_batch: no examples given");
  PaddedBatch b;
  b.batch = indices.size();
  b.indices = indices;
  for (const std::size_t i : indices) {
    if (i >= pairs.size()) {
      throw std::out_of_range("make_batch: example index " + std::to_string(i) + " is outside [0, " +
                              std::to_string(pairs.size()) + ")");
    }
    check_no_specials(pairs[i].src, i, "source");
    check_no_specials(pairs[i].tgt, i, "target");
    b.src_len = std::max(b.src_len, pairs[i].src.size() + 1);
    b.tgt_len = std::max(b.tgt_len, pairs[i].tgt.size() + 1);
  }
  b.src.assign(b.batch * b.src_len, Vocabulary::kPad);
  b.tgt_in.assign(b.batch * b.tgt_len, Vocabulary::kPad);
  b.tgt_out.assign(b.batch * b.tgt_len, Vocabulary::kPad);
  for (std::size_t row = 0; row < b.batch; ++row) {
    const EncodedPair& pair = pairs[indices[row]];
    std::int32_t* src = &b.src[row * b.src_len];
    std::int32_t* tgt_in = &b.tgt_in[row * b.tgt_len];
    std::int32_t* tgt_out = &b.tgt_out[row * b.tgt_len];
    std::copy(pair.src.begin(), pair.src.end(), src);
    src[pair.src.size()] = Vocabulary::kEos;
    tgt_in[0] = Vocabulary::kBos;
    std::copy(pair.tgt.begin(), pair.tgt.end(), tgt_in + 1);
    std::copy(pair.tgt.begin(), pair.tgt.end(), tgt_out);
    tgt_out[pair.tgt.size()] = Vocabulary::kEos;
  }
  return b;
}

BatchSampler::BatchSampler(std::vector<std::size_t> lengths, std::size_t batch_size, std::uint64_t seed,
                           std::size_t bucket_batches)
    : lengths_(std::move(lengths)), batch_size_(batch_size), seed_(seed), bucket_batches_(bucket_batches) {
  if (lengths_.empty()) throw std::invalid_argument("batch sampler: no examples");
  if (batch_size_ == 0) throw std::invalid_argument("batch sampler: batch_size must be at least 1, got 0");
  if (bucket_batches_ == 0) throw std::invalid_argument("batch sampler: bucket_batches must be at least 1, got 0");
}

static std::vector<std::size_t> pair_lengths(const std::vector<EncodedPair>& pairs) {
  std::vector<std::size_t> lengths;
  lengths.reserve(pairs.size());
  for (const auto& pair : pairs) lengths.push_back(std::max(pair.src.size(), pair.tgt.size()));
  return lengths;
}

BatchSampler::BatchSampler(const std::vector<EncodedPair>& pairs, std::size_t batch_size, std::uint64_t seed,
                           std::size_t bucket_batches)
    : BatchSampler(pair_lengths(pairs), batch_size, seed, bucket_batches) {}

std::size_t BatchSampler::batches_per_epoch() const {
  const std::size_t n = lengths_.size(), chunk = batch_size_ * bucket_batches_;
  const std::size_t full_chunks = n / chunk, rest = n % chunk;
  return full_chunks * bucket_batches_ + (rest + batch_size_ - 1) / batch_size_;
}

std::vector<std::vector<std::size_t>> BatchSampler::epoch_batches(std::uint64_t epoch) const {
  SplitMix64 rng(mix64(seed_) ^ mix64(epoch + 0x5EED));
  std::vector<std::size_t> order(lengths_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  shuffle(order, rng);
  std::vector<std::vector<std::size_t>> batches;
  const std::size_t chunk = batch_size_ * bucket_batches_;
  const auto at = [&](std::size_t i) { return order.begin() + static_cast<std::ptrdiff_t>(i); };
  for (std::size_t begin = 0; begin < order.size(); begin += chunk) {
    const std::size_t end = std::min(begin + chunk, order.size());
    std::stable_sort(at(begin), at(end), [&](std::size_t a, std::size_t b) { return lengths_[a] < lengths_[b]; });
    for (std::size_t b = begin; b < end; b += batch_size_) batches.emplace_back(at(b), at(std::min(b + batch_size_, end)));
  }
  shuffle(batches, rng);
  return batches;
}

std::vector<std::size_t> BatchSampler::next() {
  if (!cached_ || cached_epoch_ != position_.epoch) {
    batches_ = epoch_batches(position_.epoch);
    cached_epoch_ = position_.epoch;
    cached_ = true;
  }
  std::vector<std::size_t> batch = batches_[position_.batch];
  set_position({position_.epoch, position_.batch + 1});
  return batch;
}

void BatchSampler::set_position(SamplerPosition position) {
  const std::size_t count = batches_per_epoch();
  if (position.batch > count) {
    throw std::out_of_range("batch sampler: position batch " + std::to_string(position.batch) + " is past the " +
                            std::to_string(count) + " batches of an epoch");
  }
  position_ = position.batch == count ? SamplerPosition{position.epoch + 1, 0} : position;
}

}  // namespace heed
