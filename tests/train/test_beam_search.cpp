// Beam search against a scripted model whose probabilities are known: the search must not stop
// while the best hypothesis is still growing, just because short ones from lower beams ended.
#include <gtest/gtest.h>

#include <cmath>

#include "data/special_tokens.h"
#include "train/eval/decode.h"

namespace heed {
namespace {

constexpr std::int32_t kX = 4, kY = 5;

// After BOS: "x" six times then EOS is likely (0.9 each); a "y" anywhere makes EOS likely next,
// so hypotheses through a "y" end early with a low score.
class ScriptedModel : public Seq2SeqModel {
 public:
  ScriptedModel() : Seq2SeqModel(ModelConfig{.src_vocab_size = 6, .tgt_vocab_size = 6, .max_len = 40}) {}
  EncodedSource encode(const std::vector<std::int32_t>& src, Index batch) const override {
    return {.batch = batch, .src = src, .memory = {}, .final_states = {}};
  }
  Tensor decode(const std::vector<std::int32_t>&, const EncodedSource&) const override {
    throw std::logic_error("scripted: incremental decoding only");
  }
  std::unique_ptr<DecoderState> start_decoding(const EncodedSource& source, Index) const override {
    return std::make_unique<State>(source.batch);
  }

 private:
  class State : public DecoderState {
   public:
    explicit State(Index batch) : prefixes_(std::size_t(batch)) {}
    Matrix step(const std::vector<std::int32_t>& tokens) override {
      Matrix logits = Matrix::Constant(Index(tokens.size()), 6, -30);
      for (std::size_t b = 0; b < tokens.size(); ++b) {
        auto& p = prefixes_[b];
        if (tokens[b] != kBos) p.push_back(tokens[b]);
        const bool went_wrong = std::find(p.begin(), p.end(), kY) != p.end();
        const double eos = went_wrong || p.size() == 6 ? 0.9 : 0.05;
        const double x = went_wrong || p.size() == 6 ? 0.05 : 0.9;
        logits(Index(b), kEos) = Scalar(std::log(eos));
        logits(Index(b), kX) = Scalar(std::log(x));
        logits(Index(b), kY) = Scalar(std::log(0.05));
      }
      return logits;
    }
    void select(const std::vector<Index>& rows) override {
      std::vector<std::vector<std::int32_t>> kept;
      for (Index r : rows) kept.push_back(prefixes_[std::size_t(r)]);
      prefixes_ = std::move(kept);
    }

   private:
    std::vector<std::vector<std::int32_t>> prefixes_;
  };
};

TEST(BeamSearch, FindsTheBestHypothesisAfterShortOnesEnded) {
  ScriptedModel model;
  model.eval();
  const std::vector<std::int32_t> want(6, kX);
  for (int beam : {2, 3, 4}) {
    const auto lists = decode_ensemble({{&model, {kX, kEos}}}, 1, {.beam = beam, .n_best = 2});
    EXPECT_EQ(lists[0][0].tokens, want) << "beam " << beam;
    EXPECT_GT(lists[0][0].score, lists[0][1].score) << "beam " << beam;
    // its log-probability: six x and EOS at 0.9 each
    EXPECT_NEAR(lists[0][0].log_prob, 7 * std::log(0.9), 1e-4) << "beam " << beam;
  }
  EXPECT_EQ(greedy_decode(model, {kX, kEos}, 1)[0], want);
}

}  // namespace
}  // namespace heed
