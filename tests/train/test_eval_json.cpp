// --json output always parses with a strict reader (nlohmann's, which refuses NaN): strings
// escaped, non-finite numbers null with their reason in "null_reasons".
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "train/bench/bench.h"
#include "train/eval/evaluate.h"
#include "train/eval/json.h"

namespace heed {
namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN(), kInf = std::numeric_limits<double>::infinity();

// Parses strictly: throws on anything that is not exactly one JSON value.
Json parsed(const std::string& text) { return Json::parse(text); }

TEST(Json, NonFiniteNumbersAreNullWithAReason) {
  const std::string json = JsonObject().number("loss", -kNan).number("perplexity", kInf).number("bleu", 12.5, 2).str();
  EXPECT_EQ(json, R"({"loss": null, "perplexity": null, "bleu": 12.5, "null_reasons": {"loss": "nan", "perplexity": "inf"}})");
  EXPECT_NO_THROW(parsed(json));
}

TEST(Json, NumbersAreRoundedThenShortest) {
  EXPECT_EQ(JsonObject().number("a", 0.1234567).number("b", 2.0 / 3, 4).number("c", 1e300, 2).str(),
            R"({"a": 0.123457, "b": 0.6667, "c": 1e+300})");
}

TEST(Json, EvalResultWithNanLossParses) {
  EvalResult r;
  r.loss = -kNan;
  r.perplexity = std::exp(r.loss);
  r.sentences = 3;
  const Json j = parsed(r.json().str());
  EXPECT_TRUE(j["loss"].is_null());
  EXPECT_TRUE(j["perplexity"].is_null());
  EXPECT_EQ(j["null_reasons"], Json::parse(R"({"loss": "nan", "perplexity": "nan"})"));
  EXPECT_EQ(j["sentences"], 3);
}

// NaN weights (from a diverged step, say) reach evaluate() without any file: its JSON must parse.
TEST(Json, EvaluatingNanWeightsGivesNullsNotNan) {
  const std::vector<Example> examples = {{"a b", "b a", ""}, {"c a", "a c", ""}};
  const Preprocessor pre = Preprocessor::build(examples, TokenizerOptions{.type = "word", .bpe_merges = 0, .spm = {}}, 1);
  const std::unique_ptr<Seq2SeqModel> model = make_model(
      ModelConfig{.src_vocab_size = Index(pre.src_vocab().size()), .tgt_vocab_size = Index(pre.tgt_vocab().size()),
                  .d_model = 8, .num_heads = 2, .d_ff = 8, .enc_layers = 1, .dec_layers = 1, .max_len = 16});
  model->parameters().front().tensor.mutable_value().setConstant(std::numeric_limits<Scalar>::quiet_NaN());
  const std::string json = evaluate(*model, pre, examples, {.decode = {.max_len = 4}}).json().str();
  const Json j = parsed(json);
  EXPECT_TRUE(j["loss"].is_null()) << json;
  EXPECT_EQ(j["null_reasons"]["loss"], "nan") << json;
}

TEST(Json, BenchResultWithNanLossParses) {
  BenchResult r;
  r.config = "tiny";
  r.final_loss = kNan;
  const Json j = parsed(r.json());
  EXPECT_TRUE(j["final_loss"].is_null());
  EXPECT_EQ(j["null_reasons"]["final_loss"], "nan");
  EXPECT_FALSE(j.contains("product_gflops"));  // only when measured
}

TEST(Json, StringsAreEscapedAndInvalidUtf8Replaced) {
  EXPECT_EQ(JsonObject().text("s", "a \"b\"\\\n\t\x01 é").str(), R"({"s": "a \"b\"\\\n\t\u0001 é"})");
  const std::string bad = JsonObject().text("s", "a\xff").str();
  EXPECT_EQ(parsed(bad)["s"], "a\xEF\xBF\xBD");
}

TEST(Json, NestedValuesKeepTheLayout) {
  const Json list = Json::array({JsonObject().integer("n", 1).json(), JsonObject().number("x", kInf).json()});
  EXPECT_EQ(JsonObject().value("items", list).str(),
            R"({"items": [{"n": 1}, {"x": null, "null_reasons": {"x": "inf"}}]})");
}

}  // namespace
}  // namespace heed
