// What the trainer draws batches from and validates on, whatever the data: sentence pairs
// (length-bucketed, shuffled batches) or a text's token stream (windows at seeded offsets, for
// a language model). Both keep a resumable position that checkpoints store as [epoch, batch].
//
// Data parallelism: with N ranks each draws the same global batches of N x batch_size units (the
// batches one process with batch N x batch_size would draw) and trains on its own share: rank r
// the r-th of N near-equal consecutive slices. The position counts global batches, so a run can
// resume with another N as long as N x batch_size stays the same.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/token_stream.h"
#include "layers/seq2seq_model.h"
#include "train/eval/evaluate.h"

HEED_NAMESPACE_BEGIN

// Which share of each global batch this process trains on.
struct Shard {
  int rank = 0, ranks = 1;
};

class TrainingData {
 public:
  virtual ~TrainingData() = default;
  // This rank's share of the next global batch: may hold no unit at all (batch 0) when the last
  // batch of an epoch has fewer units than there are ranks.
  virtual Seq2SeqBatch next_batch() = 0;
  virtual SamplerPosition position() const = 0;
  virtual void set_position(SamplerPosition position) = 0;

  // The validation set: how many units (pairs, windows) it holds, and the evaluation of its
  // first `limit` units (0 = all).
  virtual std::size_t valid_size() const = 0;
  virtual std::string valid_unit() const = 0;
  virtual std::string valid_option() const = 0;  // the option that gives validation data
  virtual EvalResult validate(Seq2SeqModel& model, std::size_t limit) const = 0;
};

// Sentence pairs: batches of `batch_size` pairs (data/batching.h's BatchSampler); validation
// decodes and scores the pairs.
std::unique_ptr<TrainingData> pair_data(const Preprocessor& pre, const std::vector<Example>& train,
                                        std::vector<Example> valid, std::size_t batch_size, std::uint64_t seed,
                                        Shard shard = {});
// A text: batches of `batch_size` windows of `context` tokens (data/window_sampler.h);
// validation is the loss over the validation text's windows. Throws std::invalid_argument when
// the training text is shorter than context + 1 tokens.
std::unique_ptr<TrainingData> text_data(TokenStream train, TokenStream valid, Index context, std::size_t batch_size,
                                        std::uint64_t seed, Shard shard = {});

HEED_NAMESPACE_END
