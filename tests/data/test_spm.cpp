// SentencePiece behind heed's Tokenizer: training is reproducible, text round-trips as written,
// models from bytes or files load, bad ones and impossible options are one-line errors naming
// the file or option, and the Preprocessor gives every piece an id and rebuilds from its state.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "data/preprocessor.h"
#include "data/spm.h"
#include "tests/error_message.h"

namespace heed {
namespace {

// A small two-language corpus: a few hundred sentences, enough for a model of ~100 pieces.
std::vector<std::string> corpus() {
  const std::vector<std::string> nouns = {"cat", "dog", "mat", "carrot", "chat", "chien", "tapis", "carotte"};
  const std::vector<std::string> verbs = {"sat on", "ate", "saw", "s'est assis sur", "a mangé", "a vu"};
  std::vector<std::string> out;
  for (const std::string& a : nouns)
    for (const std::string& v : verbs)
      for (const std::string& b : nouns) out.push_back("the " + a + " " + v + " the " + b + "…");
  return out;
}

const SpmOptions kSmall{.type = "unigram", .vocab_size = 80};

TEST(Spm, TrainingIsReproducible) {
  for (const std::string type : {"unigram", "bpe"}) {
    const SpmModel a = train_spm(corpus(), {.type = type, .vocab_size = 80});
    const SpmModel b = train_spm(corpus(), {.type = type, .vocab_size = 80});
    EXPECT_FALSE(a.bytes.empty());
    EXPECT_EQ(a.bytes, b.bytes) << type;
    EXPECT_TRUE(a.file.empty());
    EXPECT_EQ(a.trained.type, type);
  }
}

TEST(Spm, TextComesBackAsWritten) {
  const SpmTokenizer spm(train_spm(corpus(), kSmall));
  for (const std::string text : {"the cat s'est assis sur the tapis…", "the carrot a vu the chien", "the cat"}) {
    const std::vector<std::string> pieces = spm.tokenize(text);
    EXPECT_GT(pieces.size(), 1u);
    EXPECT_EQ(pieces.front().rfind("\xE2\x96\x81", 0), 0u) << "a word starts with ▁: " << pieces.front();
    EXPECT_EQ(spm.detokenize(pieces), text);
  }
  EXPECT_EQ(spm.type(), "spm");
}

TEST(Spm, PiecesLeaveOutControlSymbols) {
  const SpmTokenizer spm(train_spm(corpus(), kSmall));
  const std::vector<std::string> pieces = spm.pieces();
  EXPECT_GT(pieces.size(), 20u);
  EXPECT_LE(pieces.size(), 80u);
  for (const char* control : {"<unk>", "<s>", "</s>"})
    EXPECT_EQ(std::count(pieces.begin(), pieces.end(), control), 0) << control;
}

TEST(Spm, ImpossibleOptionsNameTheOption) {
  EXPECT_NE(testing::error_message<std::invalid_argument>([] { train_spm(corpus(), {.type = "unigram", .vocab_size = 5}); })
                .find("--spm-vocab-size 5: SentencePiece cannot train on this data: "),
            std::string::npos);
  EXPECT_EQ(testing::error_message<std::invalid_argument>([] { train_spm(corpus(), {.type = "word", .vocab_size = 50}); }),
            "--spm-type: 'word' is not one of unigram, bpe");
}

TEST(Spm, BadModelsAreOneLineErrorsNamingTheFile) {
  EXPECT_EQ(testing::error_message<std::invalid_argument>([] { SpmTokenizer(SpmModel{.bytes = "", .file = "", .trained = {}}); }),
            "empty SentencePiece model");
  const std::string bad = testing::error_message<std::invalid_argument>([] { SpmTokenizer(SpmModel{.bytes = "not a model", .file = "", .trained = {}}); });
  EXPECT_EQ(bad.rfind("not a SentencePiece model", 0), 0u) << bad;
  EXPECT_EQ(bad.find('\n'), std::string::npos) << bad;

  const std::string dir = ::testing::TempDir() + "heed_spm_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/m.model", junk = dir + "/junk.model";
  std::ofstream(file, std::ios::binary) << train_spm(corpus(), kSmall).bytes;
  std::ofstream(junk, std::ios::binary) << "\x0a\x05hello";
  const SpmModel loaded = read_spm_model(file);
  EXPECT_EQ(loaded.file, file);
  EXPECT_EQ(loaded.bytes, train_spm(corpus(), kSmall).bytes);
  EXPECT_EQ(testing::error_message<std::invalid_argument>([&] { read_spm_model(dir + "/none.model"); }),
            dir + "/none.model: cannot open the SentencePiece model");
  EXPECT_EQ(testing::error_message<std::invalid_argument>([&] { read_spm_model(junk); }).rfind(junk + ": not a SentencePiece model", 0), 0u);
  std::filesystem::remove_all(dir);
}

TEST(Spm, InvalidUtf8IsRefused) {
  const SpmTokenizer spm(train_spm(corpus(), kSmall));
  EXPECT_EQ(testing::error_message<std::invalid_argument>([&] { spm.tokenize("the \xff cat"); }),
            "spm tokenizer: invalid UTF-8 at byte 5");
}

TEST(Spm, PreprocessorGivesEveryPieceAnIdAndRebuildsFromItsState) {
  std::vector<Example> train;
  for (const std::string& s : corpus()) train.push_back({s, s, ""});
  const Preprocessor pre = Preprocessor::build(train, {.type = "spm", .bpe_merges = 0, .spm = {.bytes = "", .file = "", .trained = kSmall}}, 3);
  const SpmTokenizer& spm = dynamic_cast<const SpmTokenizer&>(pre.tokenizer());
  for (const std::string& piece : spm.pieces()) EXPECT_TRUE(pre.tgt_vocab().contains(piece)) << piece;  // even rare ones

  const VocabularyState state = pre.state();
  EXPECT_EQ(state.tokenizer, "spm");
  EXPECT_EQ(state.spm, spm.model());
  const Preprocessor again = Preprocessor::from_state(state);
  const std::string text = "the dog a mangé the carotte…";
  EXPECT_EQ(again.encode_source(text), pre.encode_source(text));
  EXPECT_EQ(again.decode_target(pre.encode_target(text)), text);
}

TEST(Spm, AGivenModelIsUsedAsIs) {
  const SpmModel model = train_spm(corpus(), {.type = "bpe", .vocab_size = 60});
  std::vector<Example> train = {{"le chien", "the dog", ""}};  // far too little to train on
  const Preprocessor pre = Preprocessor::build(train, {.type = "spm", .bpe_merges = 0, .spm = model}, 1);
  EXPECT_EQ(pre.state().spm.bytes, model.bytes);
  EXPECT_EQ(pre.decode_target(pre.encode_target("the carrot sat on the mat")), "the carrot sat on the mat");
}

}  // namespace
}  // namespace heed
