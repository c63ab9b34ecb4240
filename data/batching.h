// Batching: padding encoded pairs into (B, S) / (B, T) id matrices, and BatchSampler, which
// draws length-bucketed, shuffled batches from a resumable, deterministic position.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace heed {

// One sentence pair as token ids, without specials (no BOS/EOS/PAD).
struct EncodedPair {
  std::vector<std::int32_t> src;
  std::vector<std::int32_t> tgt;
};

// Row-major id matrices; row b is example indices[b]. PAD (0) fills each row's tail.
struct PaddedBatch {
  std::size_t batch = 0;
  std::size_t src_len = 0;  // S = longest source + 1
  std::size_t tgt_len = 0;  // T = longest target + 1
  std::vector<std::int32_t> src;      // (B, S): tokens + EOS
  std::vector<std::int32_t> tgt_in;   // (B, T): BOS + tokens
  std::vector<std::int32_t> tgt_out;  // (B, T): tokens + EOS
  std::vector<std::size_t> indices;   // which examples, in row order
};

// Throws std::invalid_argument for no indices or for a special id inside a pair, and
// std::out_of_range for an index past the end.
PaddedBatch make_batch(const std::vector<EncodedPair>& pairs, const std::vector<std::size_t>& indices);

// Where a sampler stands: `batch` is the index of the next batch in epoch `epoch`'s order
// (always < batches_per_epoch(): after an epoch's last batch the position is {epoch + 1, 0}).
struct SamplerPosition {
  std::uint64_t epoch = 0;
  std::size_t batch = 0;
  bool operator==(const SamplerPosition&) const = default;
};

// Each epoch visits every example exactly once. Its order is a function of (seed, epoch)
// only: shuffle all examples, cut them into chunks of bucket_batches * batch_size, sort each
// chunk by length (stable), cut chunks into batches of at most batch_size, shuffle the
// batches. Similar lengths share a batch (little padding), and a run restored with
// set_position(position()) sees exactly the batches it would have seen.
class BatchSampler {
 public:
  // lengths[i]: the length to bucket example i by. Throws std::invalid_argument when there
  // are no examples or batch_size / bucket_batches is 0.
  BatchSampler(std::vector<std::size_t> lengths, std::size_t batch_size, std::uint64_t seed,
               std::size_t bucket_batches = 100);
  // Buckets by max(source, target) length.
  BatchSampler(const std::vector<EncodedPair>& pairs, std::size_t batch_size, std::uint64_t seed,
               std::size_t bucket_batches = 100);

  // The next batch's example indices (at most batch_size of them).
  std::vector<std::size_t> next();

  SamplerPosition position() const { return position_; }
  // Throws std::out_of_range when batch > batches_per_epoch(); batch == batches_per_epoch()
  // is taken as {epoch + 1, 0}.
  void set_position(SamplerPosition position);

  std::size_t batches_per_epoch() const;
  std::size_t num_examples() const { return lengths_.size(); }
  std::size_t batch_size() const { return batch_size_; }
  // The batches of an epoch, in order.
  std::vector<std::vector<std::size_t>> epoch_batches(std::uint64_t epoch) const;

 private:
  std::vector<std::size_t> lengths_;
  std::size_t batch_size_;
  std::uint64_t seed_;
  std::size_t bucket_batches_;
  SamplerPosition position_;
  std::vector<std::vector<std::size_t>> batches_;  // cached order of epoch cached_epoch_
  std::uint64_t cached_epoch_ = 0;
  bool cached_ = false;
};

}  // namespace heed
