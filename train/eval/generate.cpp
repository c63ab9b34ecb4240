// Prompted generation through the key/value cache, with a sliding context.
#include "train/eval/generate.h"

#include <algorithm>
#include <limits>

#include "autograd/check.h"
#include "autograd/tape.h"
#include "data/special_tokens.h"
#include "train/eval/sampling.h"

HEED_NAMESPACE_BEGIN

std::vector<std::int32_t> generate(const Seq2SeqModel& model, const std::vector<std::int32_t>& prompt,
                                   const GenerateOptions& options, Rng& rng,
                                   const std::function<void(std::int32_t)>& on_token) {
  HEED_CHECK(!prompt.empty(), "generate: an empty prompt (a text stream starts with </s>)");
  NoGradGuard no_grad;
  const Index context = model.config().max_len;
  const EncodedSource none = model.encode({}, 1);
  std::unique_ptr<DecoderState> state;
  Index cached = context;  // positions in the cache; a full one is rebuilt before the next step
  std::vector<std::int32_t> history;
  Matrix logits;
  auto feed = [&](std::int32_t token) {
    if (cached == context) {  // slide: start again from the last half-context of tokens
      state = model.start_decoding(none, context);
      cached = 0;
      const std::size_t keep = std::min(history.size(), std::size_t(context / 2));
      for (std::size_t i = history.size() - keep; i < history.size(); ++i, ++cached) state->step({history[i]});
    }
    logits = state->step({token});
    ++cached;
    history.push_back(token);
  };
  for (std::int32_t token : prompt) feed(token);
  std::vector<std::int32_t> out;
  while (Index(out.size()) < options.max_tokens) {
    auto log_probs = log_probabilities(logits);
    // <pad> and <s> never occur in a text stream: never chosen (their probabilities are ~0 anyway).
    log_probs(0, kPad) = log_probs(0, kBos) = -std::numeric_limits<double>::infinity();
    const std::int32_t token = next_token(log_probs.row(0), options.sampling, rng);
    out.push_back(token);
    if (on_token) on_token(token);
    if (options.stop_at_line_end && token == kEos) break;
    if (Index(out.size()) < options.max_tokens) feed(token);
  }
  return out;
}

HEED_NAMESPACE_END
