// Checkpoints: round trip, strict loading, one-line errors for bad files, and crash safety
// (a save killed at any byte leaves the previous checkpoint loadable).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <H5Cpp.h>
#include <filesystem>
#include <fstream>

#include "checkpoints/checkpoint_file.h"
#include "train/checkpoint/checkpoint_io.h"
#include "train/eval/evaluate.h"
#include "layers/transformer.h"
#include "tests/error_message.h"

namespace heed {
namespace {

namespace fs = std::filesystem;

ModelConfig tiny_config(std::uint64_t seed = 3) {
  return ModelConfig{.src_vocab_size = 9, .tgt_vocab_size = 8, .d_model = 8, .num_heads = 2, .d_ff = 12,
                           .enc_layers = 1, .dec_layers = 1, .max_len = 16, .seed = seed};
}

VocabularyState tiny_vocab() {
  VocabularyState v;
  v.src = {"<pad>", "<s>", "</s>", "<unk>", "a", "b", "c", "d", "é"};
  v.tgt = {"<pad>", "<s>", "</s>", "<unk>", "x", "y", "z", "日本"};
  v.tokenizer = "word";
  return v;
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("heed_ckpt_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

// Reads `file` once and loads its weights (and optimizer state, when opt is given).
void load_weights_from(const std::string& file, const Module& model, Optimizer* opt) {
  const Checkpoint checkpoint = read_checkpoint(file);
  load_weights(checkpoint, model);
  if (opt) load_optimizer_state(checkpoint, *opt);
}

// The message for loading `file`, which must fail.
std::string load_error(const std::string& file) {
  return testing::error_message<std::runtime_error>([&] { read_checkpoint(file); });
}

// Gives every parameter a gradient and takes one Adam step, so the optimizer has state.
void one_step(const Module& model, Optimizer& opt) {
  for (const Parameter& p : model.parameters()) p.tensor.grad().setConstant(0.01f);
  opt.step(1e-3);
}

TEST_F(CheckpointTest, RoundTripIsExact) {
  Transformer model(tiny_config());
  Optimizer opt(model.parameters(), {});
  one_step(model, opt);
  // (assigned, not designated: GCC 12 warns falsely of an uninitialised string when a designated
  // initializer skips a member that holds one)
  TrainingState state;
  state.step = 7;
  state.epoch = 2;
  state.data_position = {2, 5};
  state.dropout_rng = {1, 2, 3, 4};
  state.best_metric = 12.5;
  state.evals_without_improvement = 1;
  state.task = "task toy-fr";
  state.data = fingerprint(std::vector<std::string>{"a", "b", "c"});
  state.run_options = {{"lr", 0.001}, {"batch-size", std::int64_t(32)}, {"tokenizer", std::string("char")}};
  save_checkpoint(path("a.h5"), model, tiny_vocab(), &opt, state);

  const Checkpoint loaded = read_checkpoint(path("a.h5"));
  EXPECT_EQ(loaded.config.d_model, 8);
  EXPECT_EQ(loaded.config.src_vocab_size, 9);
  EXPECT_EQ(loaded.vocab.src, tiny_vocab().src);
  EXPECT_EQ(loaded.vocab.tgt, tiny_vocab().tgt);
  EXPECT_EQ(loaded.train.step, 7);
  EXPECT_EQ(loaded.train.data_position, (std::vector<std::uint64_t>{2, 5}));
  EXPECT_EQ(loaded.train.dropout_rng, (std::array<std::uint64_t, 4>{1, 2, 3, 4}));
  EXPECT_EQ(loaded.train.best_metric, 12.5);
  EXPECT_EQ(loaded.train.task, "task toy-fr");
  EXPECT_EQ(loaded.train.run_options, state.run_options);
  EXPECT_EQ(loaded.train.data, state.data);
  EXPECT_TRUE(std::holds_alternative<std::string>(loaded.data.attributes.at("/").at("heed_version")));
  EXPECT_TRUE(loaded.has_optimizer);

  Transformer other(tiny_config(/*seed=*/99));  // different initial weights
  Optimizer other_opt(other.parameters(), {});
  load_weights_from(path("a.h5"), other, &other_opt);
  const auto a = model.parameters(), b = other.parameters();
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].tensor.value(), b[i].tensor.value()) << a[i].name;
  EXPECT_EQ(other_opt.steps(), 1);
  for (const auto& [slot, moments] : opt.state())
    for (const auto& [name, m] : moments) EXPECT_EQ(m, other_opt.state().at(slot).at(name)) << slot << " " << name;
}

TEST_F(CheckpointTest, StrictLoadReportsEveryMismatchByName) {
  Transformer model(tiny_config());
  save_checkpoint(path("a.h5"), model, tiny_vocab(), nullptr, {});
  ModelConfig wider = tiny_config();
  wider.d_ff = 16;           // linear1/linear2 shapes differ
  wider.dec_layers = 2;      // decoder.layers.1.* missing
  Transformer other(wider);
  const Matrix before = other.generator.weight.value();
  const std::string msg =
      testing::error_message<std::runtime_error>([&] { load_weights_from(path("a.h5"), other, nullptr); });
  EXPECT_NE(msg.find("encoder.layers.0.linear1.weight has shape [12, 8], expected [16, 8]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing decoder.layers.1.self_attn.in_proj_weight"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line";
  EXPECT_EQ(other.generator.weight.value(), before) << "a failed load changes nothing";

  ModelConfig smaller = tiny_config();
  smaller.enc_layers = 0;  // the file's encoder.layers.0.* are unexpected
  Transformer fewer(smaller);
  const std::string unexpected =
      testing::error_message<std::runtime_error>([&] { load_weights_from(path("a.h5"), fewer, nullptr); });
  EXPECT_NE(unexpected.find("unexpected encoder.layers.0.norm1.bias"), std::string::npos) << unexpected;
}

TEST_F(CheckpointTest, AnotherVocabularyIsAOneLineError) {
  Transformer model(tiny_config());
  save_checkpoint(path("a.h5"), model, tiny_vocab(), nullptr, {});
  ModelConfig bigger = tiny_config();
  bigger.src_vocab_size = 12;  // a model built for another source vocabulary
  Transformer other(bigger);
  const std::string msg =
      testing::error_message<std::runtime_error>([&] { load_weights_from(path("a.h5"), other, nullptr); });
  EXPECT_NE(msg.find("src_embed.weight has shape [9, 8], expected [12, 8]"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  VocabularyState wrong = tiny_vocab();
  wrong.tgt.push_back("extra");  // 9 target tokens, but the config says 8: it could not load back
  const std::string sizes = testing::error_message<std::runtime_error>(
      [&] { save_checkpoint(path("b.h5"), model, wrong, nullptr, {}); });
  EXPECT_NE(sizes.find("vocabulary sizes 9/9 disagree with /config"), std::string::npos) << sizes;
  EXPECT_FALSE(fs::exists(path("b.h5"))) << "nothing written";
}

TEST_F(CheckpointTest, BadFilesGetOneLineErrors) {
  EXPECT_EQ(load_error(path("none.h5")), path("none.h5") + ": no such file");
  std::ofstream(path("empty.h5")).close();
  EXPECT_EQ(load_error(path("empty.h5")), path("empty.h5") + ": file is empty");
  std::ofstream(path("text.h5")) << "step,loss\n1,2.0\n";
  EXPECT_EQ(load_error(path("text.h5")), path("text.h5") + ": not an HDF5 file");

  Transformer model(tiny_config());
  save_checkpoint(path("good.h5"), model, tiny_vocab(), nullptr, {});
  const auto size = fs::file_size(path("good.h5"));
  fs::copy_file(path("good.h5"), path("cut.h5"));
  fs::resize_file(path("cut.h5"), size / 2);
  const std::string cut = load_error(path("cut.h5"));
  EXPECT_EQ(cut.rfind(path("cut.h5") + ": ", 0), 0u) << cut;
  EXPECT_EQ(cut.find('\n'), std::string::npos) << cut;

  {  // an HDF5 file of someone else's
    H5::H5File foreign(path("foreign.h5"), H5F_ACC_TRUNC);
    foreign.createGroup("/weights");
  }
  EXPECT_NE(load_error(path("foreign.h5")).find("not a heed checkpoint"), std::string::npos);

  {  // format_version 2, in a file written without heed's seal (as another program would)
    H5::H5File f(path("v2.h5"), H5F_ACC_TRUNC);
    H5::Group root = f.openGroup("/");
    const H5::StrType text(H5::PredType::C_S1, H5T_VARIABLE);
    const char* format = "heed-checkpoint";
    root.createAttribute("format", text, H5::DataSpace(H5S_SCALAR)).write(text, &format);
    const std::int64_t two = 2;
    root.createAttribute("format_version", H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT64, &two);
  }
  EXPECT_NE(load_error(path("v2.h5")).find("format_version is not 1"), std::string::npos);
  {  // a sealed file changed by another program, without re-sealing it
    H5::H5File f(path("good.h5"), H5F_ACC_RDWR);
    H5::Attribute a = f.openGroup("/").openAttribute("format_version");
    const std::int64_t two = 2;
    a.write(H5::PredType::NATIVE_INT64, &two);
  }
  EXPECT_NE(load_error(path("good.h5")).find("changed after heed wrote it"), std::string::npos);
}

TrainingState state_at(long long step) {
  TrainingState s;
  s.step = step;
  return s;
}

TEST_F(CheckpointTest, KilledSaveKeepsTheLastGoodCheckpoint) {
  Transformer model(tiny_config());
  Optimizer opt(model.parameters(), {});
  save_checkpoint(path("last.h5"), model, tiny_vocab(), &opt, state_at(1));
  const Matrix saved = model.generator.weight.value();
  one_step(model, opt);  // the weights now differ from the file
  // A save that dies after k bytes of the new file, for k across the whole file.
  const long long size = static_cast<long long>(fs::file_size(path("last.h5")));
  for (long long k : {0LL, 1LL, 511LL, 512LL, 4096LL, size / 3, size / 2, size - 1, size, size + 1}) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      set_checkpoint_fault_after_bytes(k);
      save_checkpoint(path("last.h5"), model, tiny_vocab(), &opt, state_at(2));
      _exit(0);  // k beyond the file's size: the save completed
    }
    int status = 0;
    waitpid(child, &status, 0);
    const Checkpoint loaded = read_checkpoint(path("last.h5"));
    Transformer check(tiny_config(7));
    load_weights_from(path("last.h5"), check, nullptr);
    // The new file has the old one's size (same shapes): the hook kills at every k up to it.
    EXPECT_EQ(WIFSIGNALED(status), k <= size) << "k = " << k;
    if (WIFSIGNALED(status)) {
      EXPECT_EQ(WTERMSIG(status), SIGKILL);
      EXPECT_EQ(loaded.train.step, 1) << "killed after " << k << " bytes";
      EXPECT_EQ(check.generator.weight.value(), saved);
    } else {
      EXPECT_EQ(loaded.train.step, 2);  // the save finished, and is complete
      EXPECT_EQ(check.generator.weight.value(), model.generator.weight.value());
    }
  }
  // A normal save after the crashes replaces the leftover temporary file and keeps the previous one.
  save_checkpoint(path("last.h5"), model, tiny_vocab(), &opt, state_at(3));
  EXPECT_EQ(read_checkpoint(path("last.h5")).train.step, 3);
  EXPECT_FALSE(fs::exists(path("last.h5.tmp")));
  EXPECT_TRUE(fs::exists(path("last.h5.prev")));
}

// A checkpoint written before model families existed (no /config/arch) is a Transformer, and
// gives the numbers the heed that wrote it gave (tests/fixtures/checkpoint_v1_transformer.txt).
TEST(OldCheckpoint, LoadsAsATransformerWithTheSameLoss) {
  const Checkpoint checkpoint = read_checkpoint(std::string(HEED_SOURCE_DIR) + "/tests/fixtures/checkpoint_v1_transformer.h5");
  EXPECT_EQ(checkpoint.config.arch, Arch::Transformer);
  EXPECT_EQ(checkpoint.config.d_model, 16);
  EXPECT_EQ(checkpoint.train.step, 20);
  const std::unique_ptr<Seq2SeqModel> model = load_model(checkpoint);
  const Preprocessor pre = Preprocessor::from_state(checkpoint.vocab);
  TaskOptions task;
  task.max_len = 5;
  const EvalResult r = evaluate(*model, pre, make_task("reverse", "test", task), {.batch_size = 64, .decode = {}, .translate = false});
  EXPECT_EQ(r.sentences, 1000u);
  EXPECT_EQ(r.tokens, 5930u);
  EXPECT_NEAR(r.loss, 3.140165, 2e-6);
}

// Every family saves and loads exactly, its family recorded as /config/arch.
TEST_F(CheckpointTest, EachFamilyRoundTrips) {
  for (Arch arch : {Arch::Transformer, Arch::Lstm, Arch::LstmAttention}) {
    ModelConfig config = tiny_config();
    config.arch = arch;
    const std::unique_ptr<Seq2SeqModel> model = make_model(config);
    Optimizer opt(model->parameters(), {});
    one_step(*model, opt);
    save_checkpoint(path("f.h5"), *model, tiny_vocab(), &opt, {});
    const Checkpoint loaded = read_checkpoint(path("f.h5"));
    EXPECT_EQ(loaded.config.arch, arch);
    EXPECT_EQ(std::get<std::string>(loaded.data.attributes.at("/config").at("arch")), arch_name(arch));
    config.seed = 99;  // other initial weights
    const std::unique_ptr<Seq2SeqModel> other = make_model(config);
    Optimizer other_opt(other->parameters(), {});
    load_weights(loaded, *other);
    load_optimizer_state(loaded, other_opt);
    const auto a = model->parameters(), b = other->parameters();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].tensor.value(), b[i].tensor.value()) << a[i].name;
    EXPECT_EQ(other_opt.steps(), 1);
  }
}

// A checkpoint of one family does not load into another: the strict load names the parameters.
TEST_F(CheckpointTest, AnotherFamilyIsRefusedByName) {
  ModelConfig config = tiny_config();
  config.arch = Arch::Lstm;
  save_checkpoint(path("lstm.h5"), *make_model(config), tiny_vocab(), nullptr, {});
  Transformer transformer(tiny_config());
  const std::string msg =
      testing::error_message<std::runtime_error>([&] { load_weights_from(path("lstm.h5"), transformer, nullptr); });
  EXPECT_NE(msg.find("missing encoder.layers.0.self_attn.in_proj_weight"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unexpected encoder.weight_ih_l0"), std::string::npos) << msg;
}

}  // namespace
}  // namespace heed
