// --json output always parses: strings escaped, non-finite numbers null with their reason.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "train/eval/evaluate.h"
#include "train/eval/json.h"

namespace heed {
namespace {

TEST(Json, NonFiniteNumbersAreNullWithAReason) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const std::string json = JsonObject().number("loss", -nan).number("perplexity", inf).number("bleu", 12.5, 2).str();
  EXPECT_EQ(json, R"({"loss": null, "perplexity": null, "bleu": 12.50, "null_reasons": {"loss": "nan", "perplexity": "inf"}})");
}

TEST(Json, EvalResultWithNanLossParses) {
  EvalResult r;
  r.loss = -std::numeric_limits<double>::quiet_NaN();
  r.perplexity = std::exp(r.loss);
  r.sentences = 3;
  const std::string json = r.json();
  EXPECT_EQ(json.find("nan,"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("loss": null)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("null_reasons": {"loss": "nan", "perplexity": "nan"})"), std::string::npos) << json;
}

// NaN weights (from a diverged step, say) reach evaluate() without any file: its JSON must parse.
TEST(Json, EvaluatingNanWeightsGivesNullsNotNan) {
  const std::vector<Example> examples = {{"a b", "b a", ""}, {"c a", "a c", ""}};
  const Preprocessor pre = Preprocessor::build(examples, "word", 0, 1);
  const std::unique_ptr<Seq2SeqModel> model = make_model(
      ModelConfig{.src_vocab_size = Index(pre.src_vocab().size()), .tgt_vocab_size = Index(pre.tgt_vocab().size()),
                  .d_model = 8, .num_heads = 2, .d_ff = 8, .enc_layers = 1, .dec_layers = 1, .max_len = 16});
  model->parameters().front().tensor.mutable_value().setConstant(std::numeric_limits<Scalar>::quiet_NaN());
  const std::string json = evaluate(*model, pre, examples, {.decode = {.max_len = 4}}).json();
  EXPECT_EQ(json.find("nan,"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("loss": null)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("null_reasons": {"loss": "nan")"), std::string::npos) << json;
}

TEST(Json, StringsAreEscaped) {
  EXPECT_EQ(json_string("a \"b\"\\\n\t\x01 é"), R"("a \"b\"\\\n\t\u0001 é")");
}

}  // namespace
}  // namespace heed
