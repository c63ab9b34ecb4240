// A padded batch of sentence pairs (data/batching.h) as the models take it.
#pragma once

#include "data/batching.h"
#include "layers/seq2seq_model.h"

HEED_NAMESPACE_BEGIN

inline Seq2SeqBatch to_model_batch(const PaddedBatch& b) {
  return Seq2SeqBatch{.batch = Index(b.batch), .src = b.src, .tgt_in = b.tgt_in, .tgt_out = b.tgt_out};
}

HEED_NAMESPACE_END
