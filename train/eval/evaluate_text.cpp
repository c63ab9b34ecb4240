// Loss, perplexity and bits per character of a language model on a token stream.
#include "train/eval/evaluate_text.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "autograd/ops.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

std::size_t text_windows(const TokenStream& text, Index context) {
  return (text.predicted() + std::size_t(context) - 1) / std::size_t(context);
}

EvalResult evaluate_text(Seq2SeqModel& model, const TokenStream& text, Index context, std::size_t batch_size,
                         std::size_t windows) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  const std::size_t all = text_windows(text, context), used = windows == 0 ? all : std::min(windows, all);
  const std::size_t n = std::size_t(context);
  double total = 0;
  EvalResult r;
  r.language_model = true;
  // Full windows go in batches; a last, shorter window goes alone.
  for (std::size_t first = 0; first < used;) {
    const std::size_t len = std::min(n, text.predicted() - first * n);
    std::size_t count = 1;
    if (len == n)
      while (count < batch_size && first + count < used && text.predicted() - (first + count) * n >= n) ++count;
    Seq2SeqBatch batch{.batch = Index(count), .src = {}, .tgt_in = {}, .tgt_out = {}};
    for (std::size_t w = first; w < first + count; ++w) {
      const auto begin = text.ids.begin() + long(w * n);
      batch.tgt_in.insert(batch.tgt_in.end(), begin, begin + long(len));
      batch.tgt_out.insert(batch.tgt_out.end(), begin + 1, begin + 1 + long(len));
    }
    total += double(cross_entropy(model.forward(batch), batch.tgt_out, {.sum = true}).item());
    r.tokens += batch.tgt_out.size();
    first += count;
  }
  model.train(was_training);
  r.sentences = used;
  r.loss = r.tokens ? total / double(r.tokens) : 0;
  r.perplexity = std::exp(r.loss);
  if (used == all) {
    r.characters = text.characters;
    r.bits_per_char = text.characters ? total / std::numbers::ln2 / double(text.characters) : 0;
  }
  return r;
}

HEED_NAMESPACE_END
