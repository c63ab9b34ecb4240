// heed's public header: everything to write ops and layers, build and train models, and save and
// load them (link heed::heed; README "Use heed in your project" lists what each part gives).
// In a heed::testing target (double precision) the autograd and layers parts are usable; the
// training parts (data aside) are built in float only.
#pragma once

// Tensors, the tape, ops, and record() to define a new op.
#include "autograd/ops.h"
#include "autograd/random.h"
#include "autograd/tape.h"
#include "autograd/tensor.h"

// Modules with named parameters, the layers, and the model families behind Seq2SeqModel.
#include "layers/attention.h"
#include "layers/basic.h"
#include "layers/language_model.h"
#include "layers/lstm.h"
#include "layers/lstm_seq2seq.h"
#include "layers/masks.h"
#include "layers/model_config.h"
#include "layers/module.h"
#include "layers/positional.h"
#include "layers/seq2seq_model.h"
#include "layers/transformer.h"
#include "layers/transformer_layers.h"

// Built-in tasks, TSV corpora, texts for language models, tokenizers and vocabularies.
#include "data/preprocessor.h"
#include "data/tasks.h"
#include "data/token_stream.h"
#include "data/tsv.h"

// Optimizers, learning-rate schedules, the trainer, decoding, generation and evaluation.
#include "train/eval/decode.h"
#include "train/eval/evaluate.h"
#include "train/eval/evaluate_text.h"
#include "train/eval/generate.h"
#include "train/loop/trainer.h"
#include "train/optim/lr_schedule.h"
#include "train/optim/optimizer.h"

// Checkpoints: save, read, load weights into a model.
#include "train/checkpoint/checkpoint_io.h"
