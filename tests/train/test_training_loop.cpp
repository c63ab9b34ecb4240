// The training loop's rules: which validation is the best by each --valid-metric, what
// metrics.csv rows hold, --freeze's errors, and numbers in stop messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "train/loop/checkpoint_policy.h"
#include "train/loop/metrics_log.h"
#include "layers/number_text.h"
#include "train/loop/stop.h"
#include "train/loop/trainer.h"

namespace heed {
namespace {

EvalResult result(double loss, double exact, double token_acc, double bleu, double chrf) {
  EvalResult r;
  r.loss = loss, r.exact_match = exact, r.token_accuracy = token_acc, r.bleu = bleu, r.chrf = chrf;
  return r;
}

TEST(CheckpointPolicy, EachMetricRanksByItsOwnValue) {
  // Outputs shorter than 4 tokens: BLEU stays 0 while every other metric rises.
  const EvalResult early = result(2.0, 0.01, 0.20, 0.0, 10.0), later = result(0.5, 0.83, 0.90, 0.0, 70.0);
  for (ValidMetric m : {ValidMetric::Chrf, ValidMetric::Exact, ValidMetric::Loss, ValidMetric::TokenAcc}) {
    const CheckpointPolicy policy{.metric = m};
    EXPECT_TRUE(policy.improves(later, policy.value(early))) << valid_metric_name(m);
    EXPECT_FALSE(policy.improves(early, policy.value(later))) << valid_metric_name(m);
  }
  const CheckpointPolicy bleu{.metric = ValidMetric::Bleu};
  EXPECT_FALSE(bleu.improves(later, bleu.value(early)));  // why BLEU is not the default
  EXPECT_EQ(CheckpointPolicy{}.metric, ValidMetric::Chrf);
}

TEST(CheckpointPolicy, LossIsBetterLowerAndTiesKeepTheEarlierCheckpoint) {
  const CheckpointPolicy loss{.metric = ValidMetric::Loss};
  EXPECT_TRUE(loss.lower_is_better());
  EXPECT_DOUBLE_EQ(loss.value(result(1.5, 0, 0, 0, 0)), 1.5);
  EXPECT_FALSE(loss.improves(result(1.5, 0, 0, 0, 0), 1.5));
  const CheckpointPolicy exact{.metric = ValidMetric::Exact};
  EXPECT_FALSE(exact.improves(result(0, 0.5, 0, 0, 0), 0.5));
}

TEST(CheckpointPolicy, EveryValidationBeatsTheWorstValue) {
  for (ValidMetric m : {ValidMetric::Bleu, ValidMetric::Chrf, ValidMetric::Exact, ValidMetric::Loss, ValidMetric::TokenAcc}) {
    const CheckpointPolicy policy{.metric = m};
    EXPECT_TRUE(policy.improves(result(80.0, 0, 0, 0, 0), policy.worst())) << valid_metric_name(m);
    EXPECT_TRUE(std::isfinite(policy.worst()));  // stored in /train/best_metric
  }
}

TEST(CheckpointPolicy, MetricNamesRoundTrip) {
  for (ValidMetric m : {ValidMetric::Bleu, ValidMetric::Chrf, ValidMetric::Exact, ValidMetric::Loss, ValidMetric::TokenAcc})
    EXPECT_EQ(parse_valid_metric(valid_metric_name(m)), m);
  EXPECT_EQ(parse_valid_metric("token-acc"), ValidMetric::TokenAcc);
  EXPECT_EQ(parse_valid_metric("BLEU"), std::nullopt);
}

TEST(MetricsLog, ValidatedRowsHoldEveryValidationColumnAndOthersLeaveThemEmpty) {
  const std::string path = std::filesystem::temp_directory_path() / ("heed_metrics_" + std::to_string(::getpid()) + ".csv");
  {
    const MetricsLog log(path, 0);
    log.append(MetricsRow{.step = 1, .lr = 0.5, .train_loss = 2.25, .elapsed_s = 0.75});
    log.append(MetricsRow{.step = 2, .lr = 0.5, .train_loss = 2, .elapsed_s = 1.5, .validated = true, .valid_loss = 1.25,
                          .valid_exact_match = 0.5, .valid_bleu = 12.5, .valid_chrf = 40, .valid_token_acc = 0.75});
  }
  std::ifstream in(path);
  std::string header, plain, validated;
  std::getline(in, header), std::getline(in, plain), std::getline(in, validated);
  std::filesystem::remove(path);
  EXPECT_EQ(header,
            "step,epoch,lr,train_loss_smoothed,tokens_per_s,valid_loss,valid_exact_match,valid_bleu,elapsed_s,valid_chrf,"
            "valid_token_acc");
  EXPECT_EQ(plain, "1,0,0.5,2.25,0,,,,0.75,,");
  EXPECT_EQ(validated, "2,0,0.5,2,0,1.25,0.5,12.5,1.5,40,0.75");
}

std::unique_ptr<Seq2SeqModel> two_layer_model() {
  return make_model(ModelConfig{.src_vocab_size = 6, .tgt_vocab_size = 6, .d_model = 4, .num_heads = 2, .d_ff = 4,
                                .enc_layers = 2, .dec_layers = 1, .max_len = 8});
}

TEST(Freeze, NamePatternsShowEachParameterOnceWithLayerNumbersAsStars) {
  const auto model = two_layer_model();
  const std::vector<std::string> patterns = parameter_name_patterns(*model);
  EXPECT_EQ(std::count(patterns.begin(), patterns.end(), "encoder.layers.*.linear1.weight"), 1);
  EXPECT_EQ(std::count(patterns.begin(), patterns.end(), "src_embed.weight"), 1);
  EXPECT_LT(patterns.size(), model->parameters().size());
}

TEST(Freeze, APatternMatchingNothingListsTheNames) {
  const auto model = two_layer_model();
  try {
    trainable_parameters(*model, {"encoder.*", "encoder.layer.*"});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("--freeze 'encoder.layer.*' matches no parameter"), std::string::npos) << message;
    EXPECT_NE(message.find("encoder.layers.*.self_attn.in_proj_weight"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST(Freeze, FreezingEverythingLeavesNothingToTrain) {
  const auto model = two_layer_model();
  try {
    trainable_parameters(*model, {"*"});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("nothing is left to train"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(trainable_parameters(*model, {"encoder.*"}).empty());
}

TEST(NumberText, ShortestTextThatReadsBack) {
  EXPECT_EQ(format_number(0.9), "0.9");
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(1e-3), "0.001");
  EXPECT_EQ(format_number(1e-5), "1e-05");
  EXPECT_EQ(format_number(4000.0), "4000");
  EXPECT_EQ(std::stod(format_number(0.59999999999999998)), 0.59999999999999998);
}

TEST(StopReason, TimeLimitMinutesAsWritten) {
  EXPECT_EQ(describe(StopReason::TimeLimit, 0.1, 0, 0), "time limit of 0.1 minutes reached");
  EXPECT_EQ(describe(StopReason::TimeLimit, 1e-9, 0, 0), "time limit of 1e-09 minutes reached");
  EXPECT_EQ(describe(StopReason::TimeLimit, 1, 0, 0), "time limit of 1 minute reached");
}

}  // namespace
}  // namespace heed
