// The decoder-only language model: its key/value cache gives the logits of full recomputation at
// every step (and across a slide of the context), seeded sampling repeats itself, training windows
// resume where they stopped, and a text's loss counts every token once.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "autograd/ops.h"
#include "autograd/tape.h"
#include "data/special_tokens.h"
#include "data/window_sampler.h"
#include "layers/language_model.h"
#include "train/eval/evaluate_text.h"
#include "train/eval/generate.h"
#include "train/eval/sampling.h"

namespace heed {
namespace {

ModelConfig small_lm(bool norm_first = true, Index context = 8) {
  return ModelConfig{.arch = Arch::Lm, .src_vocab_size = 11, .tgt_vocab_size = 11, .d_model = 16, .num_heads = 2,
                     .d_ff = 24, .dec_layers = 2, .max_len = context, .dropout = 0.1f, .norm_first = norm_first,
                     .seed = 4};
}

// The logits after the last of `ids`, computed over the whole sequence without a cache.
Eigen::RowVectorXf recomputed(const Seq2SeqModel& model, const std::vector<std::int32_t>& ids) {
  const Matrix all = model.decode(ids, model.encode({}, 1)).value();
  return all.row(all.rows() - 1);
}

TEST(LanguageModel, CachedStepsEqualFullRecomputationAtEveryStep) {
  for (bool norm_first : {true, false}) {
    const std::unique_ptr<Seq2SeqModel> model = make_model(small_lm(norm_first));
    model->eval();
    NoGradGuard no_grad;
    const std::vector<std::int32_t> a = {2, 4, 5, 6, 2, 7, 8, 9}, b = {2, 10, 3, 4, 4, 4, 2, 5};
    const std::unique_ptr<DecoderState> state = model->start_decoding(model->encode({}, 2), 8);
    for (std::size_t t = 0; t < a.size(); ++t) {
      const Matrix step = state->step({a[t], b[t]});
      const std::vector<std::int32_t> prefix_a(a.begin(), a.begin() + long(t) + 1), prefix_b(b.begin(), b.begin() + long(t) + 1);
      EXPECT_LT((step.row(0) - recomputed(*model, prefix_a)).cwiseAbs().maxCoeff(), 1e-5f) << "t=" << t;
      EXPECT_LT((step.row(1) - recomputed(*model, prefix_b)).cwiseAbs().maxCoeff(), 1e-5f) << "t=" << t;
    }
  }
}

// Local attention (a ring of W + 1 keys, here W = 2 over 8 steps) and linear attention (running
// sums) give the logits of full recomputation at every step too, select included.
TEST(LanguageModel, EveryAttentionKindStepsAsFullRecomputation) {
  for (const auto& [kind, window] : {std::pair{AttentionKind::Local, Index(2)}, std::pair{AttentionKind::Linear, Index(0)}}) {
    ModelConfig config = small_lm();
    config.attention = kind, config.window = window;
    const std::unique_ptr<Seq2SeqModel> model = make_model(config);
    model->eval();
    NoGradGuard no_grad;
    const std::vector<std::int32_t> a = {2, 4, 5, 6, 2, 7, 8, 9}, b = {2, 10, 3, 4, 4, 4, 2, 5};
    const std::unique_ptr<DecoderState> state = model->start_decoding(model->encode({}, 2), 8);
    for (std::size_t t = 0; t + 1 < a.size(); ++t) {
      const Matrix step = state->step({a[t], b[t]});
      const std::vector<std::int32_t> prefix_a(a.begin(), a.begin() + long(t) + 1), prefix_b(b.begin(), b.begin() + long(t) + 1);
      EXPECT_LT((step.row(0) - recomputed(*model, prefix_a)).cwiseAbs().maxCoeff(), 1e-5f) << attention_name(kind) << " t=" << t;
      EXPECT_LT((step.row(1) - recomputed(*model, prefix_b)).cwiseAbs().maxCoeff(), 1e-5f) << attention_name(kind) << " t=" << t;
    }
    state->select({1, 0});  // swapped: the last step continues each other's history
    const Matrix last = state->step({a.back(), b.back()});
    std::vector<std::int32_t> b_then_a(b.begin(), b.end() - 1), a_then_b(a.begin(), a.end() - 1);
    b_then_a.push_back(a.back()), a_then_b.push_back(b.back());
    EXPECT_LT((last.row(0) - recomputed(*model, b_then_a)).cwiseAbs().maxCoeff(), 1e-5f) << attention_name(kind);
    EXPECT_LT((last.row(1) - recomputed(*model, a_then_b)).cwiseAbs().maxCoeff(), 1e-5f) << attention_name(kind);
  }
}

TEST(LanguageModel, SelectKeepsEachSequencesCache) {
  const std::unique_ptr<Seq2SeqModel> model = make_model(small_lm());
  model->eval();
  const std::unique_ptr<DecoderState> state = model->start_decoding(model->encode({}, 2), 8);
  state->step({2, 2});
  state->step({4, 7});
  state->select({1, 1, 0});
  const Matrix next = state->step({5, 6, 5});
  EXPECT_LT((next.row(0) - recomputed(*model, {2, 7, 5})).cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_LT((next.row(1) - recomputed(*model, {2, 7, 6})).cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_LT((next.row(2) - recomputed(*model, {2, 4, 5})).cwiseAbs().maxCoeff(), 1e-5f);
  // Three sequences now: a fourth is not one of them, nor are two tokens a step for three.
  auto message = [](const auto& f) -> std::string {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message([&] { state->select({0, 3}); }), "key/value cache select: row 3 of 3");
  EXPECT_EQ(message([&] { state->step({5, 6}); }), "key/value cache: 2 rows for 3 sequences");
}

// Greedy generation well past the context: every token equals the argmax of a full recomputation
// over the window the generator reads (the whole history until it fills the context, then the
// last half-context before each rebuild and what came after it).
TEST(LanguageModel, GreedyGenerationEqualsRecomputationAcrossContextSlides) {
  const Index context = 6;
  const std::unique_ptr<Seq2SeqModel> model = make_model(small_lm(true, context));
  model->eval();
  const std::vector<std::int32_t> prompt = {2, 4, 5};
  Rng unused(1);
  std::vector<Eigen::RowVectorXf> seen;
  const std::vector<std::int32_t> out = generate(*model, prompt, {.max_tokens = 20}, unused);
  ASSERT_EQ(out.size(), 20u);
  std::vector<std::int32_t> history = prompt;
  std::size_t window_start = 0;
  for (std::int32_t token : out) {
    const std::vector<std::int32_t> window(history.begin() + long(window_start), history.end());
    Eigen::RowVectorXf logits = recomputed(*model, window);
    logits(kPad) = logits(kBos) = -std::numeric_limits<float>::infinity();
    Index best = 0;
    logits.maxCoeff(&best);
    EXPECT_EQ(token, best) << "after " << history.size() << " tokens";
    history.push_back(token);
    // The next feed finds a full cache when the window already holds `context` tokens: it keeps
    // the last context/2 of them and adds the new one.
    if (Index(history.size() - 1 - window_start) == context) window_start = history.size() - 1 - std::size_t(context / 2);
  }
}

TEST(LanguageModel, SeededSamplingRepeatsAndAnotherSeedDiffers) {
  const std::unique_ptr<Seq2SeqModel> model = make_model(small_lm());
  model->eval();
  const GenerateOptions options{.max_tokens = 30, .sampling = {.enabled = true, .temperature = 1.5, .seed = 3}};
  Rng a = sequence_rng(3, 0), b = sequence_rng(3, 0), c = sequence_rng(4, 0);
  std::vector<std::int32_t> streamed;
  const std::vector<std::int32_t> first = generate(*model, {2}, options, a, [&](std::int32_t id) { streamed.push_back(id); });
  EXPECT_EQ(first, streamed);  // each token reaches the callback as it is chosen
  EXPECT_EQ(first, generate(*model, {2}, options, b));
  EXPECT_NE(first, generate(*model, {2}, options, c));
  for (std::int32_t id : first) EXPECT_TRUE(id != kPad && id != kBos);
}

TEST(WindowSampler, ResumesExactlyAndStaysInsideTheStream) {
  WindowSampler straight(100, 8, 4, 7);
  std::vector<std::vector<std::size_t>> batches;
  for (int i = 0; i < 9; ++i) batches.push_back(straight.next());
  WindowSampler resumed(100, 8, 4, 7);
  for (int i = 0; i < 5; ++i) resumed.next();
  WindowSampler restarted(100, 8, 4, 7);
  restarted.set_position(resumed.position());
  EXPECT_EQ(restarted.position().epoch, 1u);  // 4 batches of 4 x 8 tokens cover 100 tokens
  for (int i = 5; i < 9; ++i) EXPECT_EQ(restarted.next(), batches[std::size_t(i)]);
  for (const auto& batch : batches)
    for (std::size_t start : batch) EXPECT_LE(start + 8, 99u);  // inputs and the target after them
  EXPECT_NE(batches[0], WindowSampler(100, 8, 4, 8).next());
  EXPECT_THROW(WindowSampler(8, 8, 4, 7), std::invalid_argument);
}

TEST(TokenStream, EachLineEndsInEosAfterALeadingOne) {
  const Preprocessor pre = build_text_preprocessor({"ab", "", "ba c"}, TokenizerOptions{.type = "char", .bpe_merges = 0, .spm = {}}, 1);
  const TokenStream s = encode_text(pre, {"ab", "", "ba c"});
  ASSERT_EQ(s.ids.size(), 1u + 3 + 1 + 5);
  EXPECT_EQ(s.ids[0], kEos);
  EXPECT_EQ(s.ids[3], kEos);
  EXPECT_EQ(s.ids[4], kEos);  // the empty line
  EXPECT_EQ(s.ids.back(), kEos);
  EXPECT_EQ(s.characters, 3u + 1 + 5);  // code points plus one per line end
  EXPECT_EQ(pre.src_vocab().size(), pre.tgt_vocab().size());
}

TEST(EvaluateText, CountsEveryTokenOnceAndBitsPerCharacterFromTheTotal) {
  const std::unique_ptr<Seq2SeqModel> model = make_model(small_lm(true, 3));
  TokenStream text;
  text.ids = {2, 4, 5, 6, 2, 7, 8, 9, 2, 10, 2};  // 10 predictions: windows of 3, 3, 3, 1
  text.characters = 13;
  const EvalResult r = evaluate_text(*model, text, 3, 2);
  EXPECT_EQ(r.tokens, 10u);
  EXPECT_EQ(text_windows(text, 3), 4u);
  // The same windows by hand.
  double total = 0;
  for (std::size_t start = 0; start < 10; start += 3) {
    const std::size_t len = std::min<std::size_t>(3, 10 - start);
    const std::vector<std::int32_t> in(text.ids.begin() + long(start), text.ids.begin() + long(start + len));
    const std::vector<std::int32_t> out(text.ids.begin() + long(start) + 1, text.ids.begin() + long(start + len) + 1);
    model->eval();
    total += double(cross_entropy(model->decode(in, model->encode({}, 1)), out, {.sum = true}).item());
  }
  EXPECT_NEAR(r.loss, total / 10, 1e-5);
  EXPECT_NEAR(r.bits_per_char, total / std::numbers::ln2 / 13, 1e-5);
  EXPECT_LT(evaluate_text(*model, text, 3, 2, 2).bits_per_char, 0);  // part of the text: no bits per character
}

}  // namespace
}  // namespace heed
