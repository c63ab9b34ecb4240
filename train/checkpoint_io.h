// What a heed checkpoint holds and where (format v1, README "Checkpoints"): the model's config
// and parameters, vocabularies and tokenizer, optimizer state and training position. Saving is
// atomic (checkpoints/checkpoint_file.h); loading is strict and reports every mismatch at once.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "layers/transformer.h"
#include "train/optimizer.h"

HEED_NAMESPACE_BEGIN

struct VocabularyState {
  std::vector<std::string> src, tgt;  // index = id, specials first
  std::string tokenizer = "word";     // char | word | bpe
  std::vector<std::string> bpe_merges;  // "left right", in merge order
};

struct TrainingState {
  long long step = 0;   // optimizer steps taken
  long long epoch = 0;
  std::vector<std::uint64_t> data_position;  // the batch sampler's position
  std::array<std::uint64_t, 4> dropout_rng{};
  double best_metric = 0;  // best validation exact match so far
  long long evals_without_improvement = 0;
  std::string task;        // the built-in task or training file the run uses
};

struct LoadedCheckpoint {
  TransformerConfig config;
  VocabularyState vocab;
  TrainingState train;
  bool has_optimizer = false;
};

// Writes model, vocabularies, optimizer (if given) and training state to `path` atomically.
void save_checkpoint(const std::string& path, const Transformer& model, const VocabularyState& vocab,
                     const Optimizer* optimizer, const TrainingState& train);

// Reads config, vocabularies and training state (not the weights): enough to build the model.
LoadedCheckpoint read_checkpoint_header(const std::string& path);

// Loads the weights into `model` (and the optimizer state, if `optimizer` is given and the file
// has it). Strict: every missing, unexpected or wrongly shaped tensor is reported together in
// one std::runtime_error, by name, with expected and actual shapes. The model is unchanged then.
void load_checkpoint_weights(const std::string& path, Transformer& model, Optimizer* optimizer);

HEED_NAMESPACE_END
