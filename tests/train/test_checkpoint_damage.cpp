// Checkpoints that are damaged, edited, absurd or cannot be written: every case is a one-line
// error naming the file, never a crash, a silent change, or a lost previous checkpoint.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <H5Cpp.h>
#include <chrono>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "checkpoints/checkpoint_file.h"
#include "checkpoints/seal.h"
#include "layers/transformer.h"
#include "tests/error_message.h"
#include "train/checkpoint/checkpoint_io.h"

namespace heed {
namespace {

namespace fs = std::filesystem;

ModelConfig tiny_config() {
  return ModelConfig{.src_vocab_size = 6, .tgt_vocab_size = 6, .d_model = 4, .num_heads = 1, .d_ff = 4,
                     .enc_layers = 1, .dec_layers = 1, .max_len = 8, .seed = 3};
}

VocabularyState tiny_vocab() {
  VocabularyState v;
  v.src = {"<pad>", "<s>", "</s>", "<unk>", "a", "b"};
  v.tgt = {"<pad>", "<s>", "</s>", "<unk>", "x", "y"};
  return v;
}

TrainingState state_at(long long step) {
  TrainingState s;
  s.step = step;
  return s;
}

std::vector<char> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
}

std::string load_error(const std::string& file) {
  return testing::error_message<std::runtime_error>([&] { load_model(read_checkpoint(file)); });
}

class DamagedCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("heed_damage_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    save_checkpoint(path("good.h5"), model_, tiny_vocab(), nullptr, state_at(1));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Changes a copy of the good file with HDF5, then seals it again, as a tool that edits
  // checkpoints on purpose would: what is left to catch is the content itself.
  std::string edited(const std::string& name, const std::function<void(H5::H5File&)>& edit) const {
    fs::copy_file(path("good.h5"), path(name));
    {
      H5::H5File f(path(name), H5F_ACC_RDWR);
      edit(f);
    }
    std::vector<char> bytes = bytes_of(path(name));
    std::fill(bytes.begin(), bytes.begin() + kSealSize, 0);
    write_seal(bytes);
    write_all(path(name), bytes);
    return path(name);
  }

  Transformer model_{tiny_config()};
  fs::path dir_;
};

TEST_F(DamagedCheckpoint, EveryFlippedByteIsFoundBeforeHdf5ReadsIt) {
  const std::vector<char> good = bytes_of(path("good.h5"));
  ASSERT_GT(good.size(), 2 * kSealSize);
  const std::string bad = path("bad.h5");
  int checked = 0;
  for (std::size_t at = 0; at < good.size(); at += (at < kSealSize ? 11 : 97)) {
    std::vector<char> bytes = good;
    bytes[at] = char(bytes[at] ^ 0x5a);
    write_all(bad, bytes);
    const std::string msg = load_error(bad);
    EXPECT_EQ(msg.rfind(bad + ": ", 0), 0u) << "byte " << at << ": " << msg;
    // found by the seal, before HDF5 parsed anything
    EXPECT_TRUE(msg.find(": damaged checkpoint (") != std::string::npos || msg.find(": not an HDF5 file") != std::string::npos ||
                msg.find("user block that is not heed's seal") != std::string::npos)
        << "byte " << at << ": " << msg;
    EXPECT_EQ(msg.find("H5"), std::string::npos) << "byte " << at << ": " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    ++checked;
  }
  EXPECT_GT(checked, 50);
  for (std::size_t size : {std::size_t(1), kSealSize - 1, kSealSize, kSealSize + 8, good.size() / 2, good.size() - 1}) {
    write_all(bad, std::vector<char>(good.begin(), good.begin() + std::ptrdiff_t(size)));
    const std::string msg = load_error(bad);
    EXPECT_EQ(msg.rfind(bad + ": ", 0), 0u) << size << " bytes: " << msg;
  }
  {
    std::string seal = "heed-checkpoint-seal 1\nbytes 60\ncrc32 00000000\n";
    seal.resize(60, '\0');
    write_all(bad, std::vector<char>(seal.begin(), seal.end()));
    EXPECT_NE(load_error(bad).find("no HDF5 file after its seal"), std::string::npos) << load_error(bad);
  }
  std::vector<char> longer = good;
  longer.push_back('x');
  write_all(bad, longer);
  EXPECT_NE(load_error(bad).find("truncated or appended to"), std::string::npos);
}

// An unsealed file (written before seals, or by h5py) is not checked before HDF5 reads it, and
// libhdf5 1.10 crashes on this damaged one (a fuzzer's finding): the crash stays in a child process.
TEST_F(DamagedCheckpoint, AnUnsealedFileThatCrashesHdf5IsAOneLineError) {
  const std::string file = std::string(HEED_SOURCE_DIR) + "/fuzz/corpus/checkpoint/unsealed_attribute_segv.h5";
  const std::string msg = load_error(file);
  EXPECT_NE(msg.find(file + ": damaged checkpoint (libhdf5 crashed reading it, signal "), std::string::npos) << msg;
}

// libhdf5 never returns on this damaged unsealed file (a fuzzer's finding): the child parsing it
// is stopped after the time limit, and the load is a one-line error saying so.
TEST_F(DamagedCheckpoint, AnUnsealedFileOnWhichHdf5HangsIsAOneLineErrorAfterTheLimit) {
  const std::string file = std::string(HEED_SOURCE_DIR) + "/fuzz/corpus/checkpoint/unsealed_hdf5_hang.h5";
  set_unsealed_parse_limit_seconds(2);
  const auto start = std::chrono::steady_clock::now();
  const std::string msg = load_error(file);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  set_unsealed_parse_limit_seconds(0);
  EXPECT_NE(msg.find(file + ": damaged checkpoint (libhdf5 did not finish reading it in 2 s;"), std::string::npos) << msg;
  EXPECT_LT(seconds, 30) << "the limit, not the default, ended the parse";
}

TEST_F(DamagedCheckpoint, ADirectoryIsNamedAsOne) {
  EXPECT_EQ(load_error(dir_.string()), dir_.string() + ": is a directory, not a checkpoint file");
}

TEST_F(DamagedCheckpoint, NonFiniteWeightsAreRefusedOnSaveAndOnLoad) {
  Tensor w = model_.generator.weight;
  w.mutable_value()(1, 2) = std::nanf("");
  const std::string msg = testing::error_message<std::runtime_error>(
      [&] { save_checkpoint(path("nan.h5"), model_, tiny_vocab(), nullptr, state_at(2)); });
  EXPECT_NE(msg.find("/model/generator/weight holds nan at element"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(path("nan.h5")));
  const std::string inf = edited("inf.h5", [](H5::H5File& f) {
    H5::DataSet ds = f.openDataSet("/model/generator/bias");
    std::vector<float> values(std::size_t(ds.getSpace().getSimpleExtentNpoints()));
    ds.read(values.data(), H5::PredType::NATIVE_FLOAT);
    values[0] = INFINITY;
    ds.write(values.data(), H5::PredType::NATIVE_FLOAT);
  });
  EXPECT_NE(load_error(inf).find("/model/generator/bias holds inf at element 0"), std::string::npos);
}

void set_int(H5::H5File& f, const std::string& group, const std::string& name, std::int64_t value) {
  f.openGroup(group).openAttribute(name).write(H5::PredType::NATIVE_INT64, &value);
}

TEST_F(DamagedCheckpoint, AbsurdSettingsNameTheAttributeTheValueAndTheRange) {
  const std::vector<std::pair<std::string, std::int64_t>> cases = {
      {"max_len", 0}, {"max_len", -1}, {"max_len", 1000000000000}, {"d_model", -16}, {"d_model", std::int64_t(1) << 62}};
  for (const auto& [name, value] : cases) {
    const std::string file = edited(name + std::to_string(value) + ".h5", [&](H5::H5File& f) {
      set_int(f, "/config", name, value);
    });
    const std::string msg = load_error(file);
    EXPECT_NE(msg.find("/config/" + name + ": must be in [1, "), std::string::npos) << msg;
    EXPECT_NE(msg.find("got " + std::to_string(value)), std::string::npos) << msg;
  }
  const std::string step = edited("step.h5", [](H5::H5File& f) { set_int(f, "/train", "step", -5); });
  EXPECT_NE(load_error(step).find("/train/step is -5, must be >= 0"), std::string::npos);
  const std::string act = edited("act.h5", [](H5::H5File& f) {
    const H5::StrType text(H5::PredType::C_S1, H5T_VARIABLE);
    f.openGroup("/config").removeAttr("activation");
    const char* swish = "swish";
    f.openGroup("/config").createAttribute("activation", text, H5::DataSpace(H5S_SCALAR)).write(text, &swish);
  });
  EXPECT_NE(load_error(act).find("/config/activation: 'swish' is not one of relu, gelu"), std::string::npos)
      << load_error(act);
}

TEST_F(DamagedCheckpoint, ADatasetOfTheWrongTypeIsNamedWithItsType) {
  const std::string ints = edited("ints.h5", [](H5::H5File& f) {
    f.unlink("/model/generator/bias");
    const hsize_t n = 6;
    const std::vector<std::int32_t> zeros(n, 0);
    f.openGroup("/model/generator")
        .createDataSet("bias", H5::PredType::STD_I32LE, H5::DataSpace(1, &n))
        .write(zeros.data(), H5::PredType::NATIVE_INT32);
  });
  EXPECT_NE(load_error(ints).find("generator.bias holds integer, expected float32"), std::string::npos)
      << load_error(ints);
  const std::string vocab = edited("vocab.h5", [](H5::H5File& f) {
    f.unlink("/vocab/src");
    const hsize_t n = 6;
    const std::vector<std::int32_t> ids = {0, 1, 2, 3, 4, 5};
    f.openGroup("/vocab").createDataSet("src", H5::PredType::STD_I32LE, H5::DataSpace(1, &n))
        .write(ids.data(), H5::PredType::NATIVE_INT32);
  });
  EXPECT_NE(load_error(vocab).find("/vocab/src holds integer, expected strings"), std::string::npos)
      << load_error(vocab);
}

TEST_F(DamagedCheckpoint, AVocabularyThatCouldNotLoadBackIsNeverWritten) {
  VocabularyState v = tiny_vocab();
  v.src[5] = std::string("a\0b", 3);  // HDF5 strings end at NUL: it would load back as "a"
  const std::string msg = testing::error_message<std::runtime_error>(
      [&] { save_checkpoint(path("good.h5"), model_, v, nullptr, state_at(2)); });
  EXPECT_NE(msg.find("/vocab/src entry 5 holds a NUL byte"), std::string::npos) << msg;
  EXPECT_EQ(read_checkpoint(path("good.h5")).train.step, 1) << "the previous file stays";
}

// A full disk, as the file-size limit makes it (EFBIG instead of ENOSPC; the CLI fault test uses
// a real small tmpfs where mounting is allowed): the save fails whole, says why, and the
// previous checkpoint stays loadable.
TEST_F(DamagedCheckpoint, ASaveThatCannotBeWrittenKeepsThePreviousFile) {
  const auto size = fs::file_size(path("good.h5"));
  const std::string message_file = path("message.txt");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing
    const rlimit limit{rlim_t(size / 2), rlim_t(size / 2)};
    setrlimit(RLIMIT_FSIZE, &limit);
    try {
      save_checkpoint(path("good.h5"), model_, tiny_vocab(), nullptr, state_at(2));
      _exit(3);
    } catch (const std::runtime_error& e) {
      rlimit none{RLIM_INFINITY, RLIM_INFINITY};
      setrlimit(RLIMIT_FSIZE, &none);  // a non-root child may not raise it; the message is short
      std::ofstream(message_file) << e.what();
      _exit(0);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "the save must fail cleanly, not crash";
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the save must fail";
  std::ifstream in(message_file);
  const std::string message((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(message.find(path("good.h5.tmp") + ": cannot write (File too large)"), std::string::npos) << message;
  EXPECT_EQ(read_checkpoint(path("good.h5")).train.step, 1);
  EXPECT_FALSE(fs::exists(path("good.h5.tmp")));
}

}  // namespace
}  // namespace heed
