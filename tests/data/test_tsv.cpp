// TSV corpora: good files parse; each bad input gets its one-line error; skips are counted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "data/tsv.h"

namespace heed {
namespace {

namespace fs = std::filesystem;

// Writes files into a fresh directory that the test removes.
class TsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("heed_tsv_" + std::string(info->name()) + "_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }
  // The message read_tsv throws for the file's contents, with the directory stripped.
  std::string error_for(const std::string& bytes, TsvOptions options = {}) {
    const std::string path = write("train.tsv", bytes);
    try {
      read_tsv(path, options);
    } catch (const std::runtime_error& e) {
      std::string message = e.what();
      return message.starts_with(path) ? "train.tsv" + message.substr(path.size()) : message;
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(TsvTest, ReadsPairs) {
  const TsvCorpus corpus = read_tsv(write("a.tsv", "the cat\tle chat\nthe dog\tle chien\n"));
  ASSERT_EQ(corpus.pairs.size(), 2u);
  EXPECT_EQ(corpus.pairs[0].source, "the cat");
  EXPECT_EQ(corpus.pairs[1].target, "le chien");
  EXPECT_EQ(corpus.lines_read, 2u);
  EXPECT_EQ(corpus.skipped_empty, 0u);
  EXPECT_EQ(corpus.skipped_long, 0u);
}

TEST_F(TsvTest, HandlesBomCrlfMissingFinalNewlineAndTrims) {
  const TsvCorpus corpus = read_tsv(write("a.tsv", "\xEF\xBB\xBF" "été\t summer \r\nü 日本\tx"));
  ASSERT_EQ(corpus.pairs.size(), 2u);
  EXPECT_EQ(corpus.pairs[0].source, "été");
  EXPECT_EQ(corpus.pairs[0].target, "summer");
  EXPECT_EQ(corpus.pairs[1].source, "ü 日本");
  EXPECT_EQ(corpus.pairs[1].target, "x");
}

TEST_F(TsvTest, SkipsAndCountsEmptyLines) {
  const TsvCorpus corpus = read_tsv(write("a.tsv", "\na\tb\n  \r\n\nc\td\n"));
  EXPECT_EQ(corpus.pairs.size(), 2u);
  EXPECT_EQ(corpus.lines_read, 5u);
  EXPECT_EQ(corpus.skipped_empty, 3u);
}

TEST_F(TsvTest, SkipsAndCountsOverlongLines) {
  const std::string long_line = std::string(30, 'x') + "\t" + std::string(30, 'y');
  const TsvCorpus corpus = read_tsv(write("a.tsv", "a\tb\n" + long_line + "\nc\td\n"), TsvOptions{.max_line_bytes = 40});
  EXPECT_EQ(corpus.pairs.size(), 2u);
  EXPECT_EQ(corpus.skipped_long, 1u);
  EXPECT_EQ(corpus.pairs[1].source, "c");
}

TEST_F(TsvTest, WrongFieldCountNamesFileAndLine) {
  EXPECT_EQ(error_for("a\tb\na\tb\tc\n"), "train.tsv:2: expected 2 tab-separated fields, got 3");
  EXPECT_EQ(error_for("just one field\n"), "train.tsv:1: expected 2 tab-separated fields, got 1");
}

TEST_F(TsvTest, EmptyFieldIsAnError) {
  EXPECT_EQ(error_for("a\tb\n\tb\n"), "train.tsv:2: empty source field (before the tab)");
  EXPECT_EQ(error_for("a\t  \r\n"), "train.tsv:1: empty target field (after the tab)");
}

TEST_F(TsvTest, InvalidUtf8NamesTheByte) {
  EXPECT_EQ(error_for("a\tb\nc\td\ne\tf\nhello\tw\xFFrld\n"), "train.tsv:4: invalid UTF-8 at byte 8");
  EXPECT_EQ(error_for("caf\xC3\tcafe\n"), "train.tsv:1: invalid UTF-8 at byte 4");
}

// A NUL would end a token early once the checkpoint stores it as a C string (issue 15).
TEST_F(TsvTest, NulByteIsRefusedNamingFileLineAndByte) {
  EXPECT_EQ(error_for("a\tb\nc\td\ne " + std::string(1, '\0') + "\tf\n"), "train.tsv:3: NUL byte in text at byte 3");
  EXPECT_EQ(error_for("a\tb" + std::string(1, '\0') + "\n"), "train.tsv:1: NUL byte in text at byte 4");
  EXPECT_EQ(error_for("\xEF\xBB\xBF" "a\tb" + std::string(1, '\0') + "\n"), "train.tsv:1: NUL byte in text at byte 7");
}

TEST_F(TsvTest, MissingFileAndEmptyCorpus) {
  EXPECT_EQ(error_for(""), "train.tsv: no sentence pairs");
  EXPECT_EQ(error_for("\n\n"), "train.tsv: no sentence pairs (2 lines: 2 empty, 0 longer than 4096 bytes)");
  const std::string missing = (dir_ / "missing.tsv").string();
  try {
    read_tsv(missing);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": no such file");
  }
  EXPECT_THROW(read_tsv(dir_.string()), std::runtime_error);
}

TEST(TsvStream, ReadsFromAStreamUnderAName) {
  std::istringstream in("x\ty\nbad line\n");
  try {
    read_tsv(in, "<stdin>");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "<stdin>:2: expected 2 tab-separated fields, got 1");
  }
}

// The message read_text_lines throws for `bytes` read as "stdin".
std::string text_lines_error(const std::string& bytes) {
  std::istringstream in(bytes);
  try {
    read_text_lines(in, "stdin");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(TextLines, KeepsEveryLineWithoutBomOrCr) {
  std::istringstream in("\xEF\xBB\xBF" "the cat\r\n\nthe dog\n\xEF\xBB\xBF" "x");
  EXPECT_EQ(read_text_lines(in, "stdin"), (std::vector<std::string>{"the cat", "", "the dog", "\xEF\xBB\xBF" "x"}));
}

TEST(TextLines, NulAndInvalidUtf8NameLineAndByte) {
  EXPECT_EQ(text_lines_error("ok\nab" + std::string(1, '\0') + "c\n"), "stdin:2: NUL byte in text at byte 3");
  EXPECT_EQ(text_lines_error("\xEF\xBB\xBF" "a\xFF\n"), "stdin:1: invalid UTF-8 at byte 5");
  EXPECT_EQ(text_lines_error("fine\r\n"), "no error");
}

}  // namespace
}  // namespace heed
