// What a heed checkpoint holds and where (format v1, README "Checkpoints"): the model's config
// (every setting of layers/model_config.h's table, by its attribute name), its parameters by
// name, vocabularies and tokenizer, optimizer state and training position. Saving is atomic
// (checkpoints/checkpoint_file.h); a file is read once into a Checkpoint, from which the model,
// the optimizer and the trainer take what they need; loading weights is strict and reports every
// mismatch at once.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "checkpoints/checkpoint_file.h"
#include "data/fingerprint.h"
#include "data/preprocessor.h"
#include "layers/seq2seq_model.h"
#include "train/optim/optimizer.h"

HEED_NAMESPACE_BEGIN

struct TrainingState {
  long long step = 0;   // optimizer steps taken
  long long epoch = 0;
  std::vector<std::uint64_t> data_position;  // the batch sampler's position
  std::array<std::uint64_t, 4> dropout_rng{};
  double best_metric = 0;  // the best validation metric so far (CheckpointPolicy::metric)
  std::string valid_metric = "bleu";  // the metric best_metric holds (files without it were BLEU)
  double elapsed_s = 0;    // wall time of the run so far, continued by a resume (absent: 0)
  long long evals_without_improvement = 0;
  std::string task;        // the built-in task or training file the run uses
  DataFingerprint data{};  // of the training pairs or text (files without it: empty hash)
  // The options of the command that wrote the file, as it took them (--lr, --batch-size, ...):
  // saved as attributes of /train/options, for people and tools; heed reads no setting from them.
  std::map<std::string, AttrValue> run_options;
};

// A checkpoint file, read and checked once.
struct Checkpoint {
  std::string path;
  ModelConfig config;
  VocabularyState vocab;
  TrainingState train;
  bool has_optimizer = false;
  std::string optimizer;  // the optimizer whose state it holds ("adam", ...), empty when none
  CheckpointData data;  // the arrays, for load_weights and load_optimizer_state
};

// Writes model, vocabularies, optimizer (if given) and training state to `path` atomically.
void save_checkpoint(const std::string& path, const Seq2SeqModel& model, const VocabularyState& vocab,
                     const Optimizer* optimizer, const TrainingState& train);

// Reads a checkpoint: one-line std::runtime_error naming the file for a missing, foreign or
// damaged file or a missing or malformed setting. A file without /config/arch is a Transformer.
Checkpoint read_checkpoint(const std::string& path);

// Copies the weights into `model`. Strict: every missing, unexpected or wrongly shaped tensor is
// reported together in one std::runtime_error, by name, with expected and actual shapes; the
// model is unchanged then.
void load_weights(const Checkpoint& checkpoint, const Module& model);
// Restores the optimizer's moments (of the parameters it updates) and step count. Throws when the
// file has another optimizer's state, or none.
void load_optimizer_state(const Checkpoint& checkpoint, Optimizer& optimizer);

// A model built from the checkpoint's config, with its weights, in eval mode.
std::unique_ptr<Seq2SeqModel> load_model(const Checkpoint& checkpoint);

HEED_NAMESPACE_END
