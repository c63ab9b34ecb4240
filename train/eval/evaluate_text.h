// Evaluating a language model on a text: the mean cross-entropy of every token and line end of
// the stream (data/token_stream.h), perplexity, and bits per character.
#pragma once

#include "data/token_stream.h"
#include "train/eval/evaluate.h"

HEED_NAMESPACE_BEGIN

// The stream is cut into consecutive windows of `context` predictions: window k reads ids
// [k·context, (k+1)·context) and predicts the ids one further, so each id but the first is
// predicted exactly once, with the earlier ids of its window as context. `windows` limits the
// evaluation to the first N windows (0 = all); bits per character is reported only for the whole
// text (-1 otherwise). The model is put in eval mode for the duration.
EvalResult evaluate_text(Seq2SeqModel& model, const TokenStream& text, Index context, std::size_t batch_size,
                         std::size_t windows = 0);

// How many windows evaluate_text cuts the stream into.
std::size_t text_windows(const TokenStream& text, Index context);

HEED_NAMESPACE_END
