// Attention maps and translate --dump-attention's file: every family that attends gives maps of
// the documented shapes whose rows are distributions over the keys they may see (masked keys
// exactly 0), and the file holds them with the tokens, as README "Attention dumps" lays it out.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "layers/attention.h"
#include "layers/init.h"
#include "layers/masks.h"
#include "train/checkpoint/attention_file.h"

namespace heed {
namespace {

const std::vector<Example> kPairs = {{"the cat sat", "le chat", ""}, {"a mat", "un tapis", ""}};

ModelConfig small_model(Arch arch, const Preprocessor& pre) {
  return ModelConfig{.arch = arch, .src_vocab_size = Index(pre.src_vocab().size()),
                     .tgt_vocab_size = Index(pre.tgt_vocab().size()), .d_model = 16, .num_heads = 2, .d_ff = 24,
                     .enc_layers = 2, .dec_layers = 2, .max_len = 20, .seed = 5};
}

// Each row of each head: weights in [0, 1] summing to 1, and 0 where `visible(query, key)` is false.
template <class Visible>
void expect_distributions(const Matrix& layer, Index heads, const Visible& visible, const std::string& what) {
  const Index queries = layer.rows() / heads;
  ASSERT_EQ(layer.rows(), heads * queries) << what;
  for (Index r = 0; r < layer.rows(); ++r) {
    EXPECT_NEAR(layer.row(r).sum(), 1.0, 1e-5) << what << " row " << r;
    for (Index k = 0; k < layer.cols(); ++k) {
      EXPECT_GE(layer(r, k), 0) << what;
      if (!visible(r % queries, k)) {
        EXPECT_EQ(layer(r, k), 0) << what << " row " << r << " key " << k;
      }
    }
  }
}

TEST(AttentionMaps, ShapesAndRowsOfEveryFamily) {
  const Preprocessor pre = Preprocessor::build(kPairs, {}, 1);
  const std::vector<std::int32_t> src = {4, 5, 6, 2}, tgt_in = {1, 4, 5};  // S = 4, T = 3
  const auto all = [](Index, Index) { return true; };
  const auto causal = [](Index q, Index k) { return k <= q; };
  for (Arch arch : {Arch::Transformer, Arch::LstmAttention, Arch::Lstm}) {
    const std::unique_ptr<Seq2SeqModel> model = make_model(small_model(arch, pre));
    model->eval();
    const AttentionMaps maps = model->attention_maps(src, tgt_in);
    const std::string name = arch_name(arch);
    if (arch == Arch::Lstm) {  // no attention, no maps
      EXPECT_TRUE(maps.encoder_self.empty() && maps.decoder_self.empty() && maps.cross.empty());
      continue;
    }
    const bool transformer = arch == Arch::Transformer;
    EXPECT_EQ(maps.heads, transformer ? 2 : 1) << name;
    ASSERT_EQ(maps.encoder_self.size(), transformer ? 2u : 0u) << name;
    ASSERT_EQ(maps.decoder_self.size(), transformer ? 2u : 0u) << name;
    ASSERT_EQ(maps.cross.size(), transformer ? 2u : 1u) << name;
    for (const Matrix& m : maps.encoder_self) {
      EXPECT_EQ(m.cols(), 4);
      expect_distributions(m, maps.heads, all, name + " encoder self");
    }
    for (const Matrix& m : maps.decoder_self) {
      EXPECT_EQ(m.cols(), 3);
      expect_distributions(m, maps.heads, causal, name + " decoder self");
    }
    for (const Matrix& m : maps.cross) {
      EXPECT_EQ(m.rows(), maps.heads * 3);
      EXPECT_EQ(m.cols(), 4);
      expect_distributions(m, maps.heads, all, name + " cross");
    }
  }
}

// The weights the layers hand out: a query whose keys are all masked has a row of zeros.
TEST(AttentionMaps, FullyMaskedRowsAreZero) {
  Rng rng(3);
  MultiHeadAttention attn(8, 2, 0, rng);
  attn.eval();
  const Tensor x(uniform_matrix(3, 8, 1, rng));
  Mask mask = Mask::Constant(3, 3, true);
  mask.row(1).setConstant(false);
  const Matrix w = attn.forward(x, x, mask, 1, true).weights.value();  // (2·3, 3)
  for (Index h = 0; h < 2; ++h) {
    EXPECT_EQ(w.row(h * 3 + 1).cwiseAbs().sum(), 0) << "head " << h;
    EXPECT_NEAR(w.row(h * 3).sum(), 1.0, 1e-6);
  }
}

TEST(AttentionDump, FileHoldsTokensAndMapsAsDocumented) {
  const Preprocessor pre = Preprocessor::build(kPairs, {}, 1);
  const std::unique_ptr<Seq2SeqModel> model = make_model(small_model(Arch::Transformer, pre));
  model->eval();
  const TranslationModel m{model.get(), &pre};
  const std::vector<std::int32_t> output = pre.encode_target("le chat");
  DumpedSentence sentence{"the cat sat", "le chat", sentence_attention(m, "the cat sat", output)};
  const SentenceAttention& a = sentence.attention;
  EXPECT_EQ(a.source_tokens, (std::vector<std::string>{"the", "cat", "sat", "</s>"}));
  EXPECT_EQ(a.target_inputs, (std::vector<std::string>{"<s>", "le", "chat"}));
  EXPECT_EQ(a.outputs, (std::vector<std::string>{"le", "chat", "</s>"}));

  const std::string path = (std::filesystem::temp_directory_path() / "heed_attention_dump_test.h5").string();
  save_attention_dump(path, {sentence, sentence},
                      {.checkpoint = "model.h5", .arch = "transformer", .attention = "full", .window = 0});
  const CheckpointData data = load_heed_file(path, kAttentionDumpKind);
  EXPECT_EQ(std::get<std::int64_t>(data.attributes.at("/").at("sentences")), 2);
  EXPECT_EQ(std::get<std::string>(data.attributes.at("/").at("arch")), "transformer");
  EXPECT_EQ(std::get<std::string>(data.attributes.at("/sentences/1").at("translation")), "le chat");
  // The token lists are string attributes of the sentence's group (h5py reads them as str).
  const auto& tokens = data.string_list_attributes.at("/sentences/1");
  EXPECT_EQ(tokens.at("source_tokens"), a.source_tokens);
  EXPECT_EQ(tokens.at("target_inputs"), a.target_inputs);
  EXPECT_EQ(tokens.at("outputs"), a.outputs);
  EXPECT_TRUE(data.strings.empty());
  EXPECT_EQ(std::get<std::int64_t>(data.attributes.at("/").at("format_version")), 2);
  // (layers, heads, queries, keys), values as the maps hold them
  const Array<float>& cross = data.floats.at("/sentences/0/cross");
  EXPECT_EQ(data.floats.at("/sentences/0/encoder_self").shape, (std::vector<std::size_t>{2, 2, 4, 4}));
  EXPECT_EQ(data.floats.at("/sentences/0/decoder_self").shape, (std::vector<std::size_t>{2, 2, 3, 3}));
  ASSERT_EQ(cross.shape, (std::vector<std::size_t>{2, 2, 3, 4}));
  const Matrix& layer1 = a.maps.cross[1];  // head 1, query 2, key 3 of layer 1
  EXPECT_EQ(cross.values[((1 * 2 + 1) * 3 + 2) * 4 + 3], layer1(1 * 3 + 2, 3));
  // a dump is not a checkpoint
  try {
    load_checkpoint_file(path);
    ADD_FAILURE() << "a dump loaded as a checkpoint";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a heed checkpoint"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".prev");
}

// What the model read is what the labels say: <unk> for a word its vocabulary lacks (the typed
// word kept beside it), and an output cut off before </s> ends without "</s>" and without the
// position after its last token, which decoding never ran.
TEST(AttentionDump, TokensAreWhatTheModelReadAndProduced) {
  const Preprocessor pre = Preprocessor::build(kPairs, {}, 1);
  const std::unique_ptr<Seq2SeqModel> model = make_model(small_model(Arch::Transformer, pre));
  model->eval();
  const TranslationModel m{model.get(), &pre};
  const std::vector<std::int32_t> output = pre.encode_target("le chat");
  const SentenceAttention unknown = sentence_attention(m, "the xyzzy sat", output);
  EXPECT_EQ(unknown.source_tokens, (std::vector<std::string>{"the", "<unk>", "sat", "</s>"}));
  EXPECT_EQ(unknown.source_typed, (std::vector<std::string>{"the", "xyzzy", "sat", "</s>"}));
  EXPECT_FALSE(unknown.source_cropped);

  const SentenceAttention cut = sentence_attention(m, "the cat sat", output, /*ended=*/false);
  EXPECT_FALSE(cut.output_ended);
  EXPECT_EQ(cut.outputs, (std::vector<std::string>{"le", "chat"}));
  EXPECT_EQ(cut.target_inputs, (std::vector<std::string>{"<s>", "le"}));
  ASSERT_EQ(cut.maps.cross.size(), 2u);
  EXPECT_EQ(cut.maps.cross[0].rows(), 2 * 2);  // 2 heads × 2 positions
  const CheckpointData data = attention_dump({{"the cat sat", "le chat", cut}}, {.checkpoint = "m.h5", .arch = "transformer",
                                                                              .attention = "local", .window = 3});
  EXPECT_EQ(std::get<std::int64_t>(data.attributes.at("/sentences/0").at("truncated")), 1);
  EXPECT_EQ(std::get<std::string>(data.attributes.at("/").at("attention")), "local");
  EXPECT_EQ(std::get<std::int64_t>(data.attributes.at("/").at("window")), 3);

  // a source longer than the model takes: cropped alike in both lists
  std::string words;
  for (int i = 0; i < 30; ++i) words += i ? " cat" : "cat";
  const SentenceAttention cropped = sentence_attention(m, words, output);
  EXPECT_TRUE(cropped.source_cropped);
  EXPECT_EQ(cropped.source_tokens.size(), 20u);  // max_len 20: 19 tokens, then </s>
  EXPECT_EQ(cropped.source_typed.size(), 20u);
}

// save_heed_file (checkpoints, dumps) writes through a symlink to the file it names, keeping the
// link, and never replaces a FIFO with a regular file.
TEST(AttentionDump, SavedThroughSymlinksNeverOverFifos) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("heed_dump_targets_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  CheckpointData data;
  data.attributes["/"] = {{"checkpoint", std::string("m.h5")}};
  fs::create_symlink("real.h5", dir / "link.h5");  // dangling until written
  save_heed_file((dir / "link.h5").string(), data, kAttentionDumpKind);
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir / "link.h5")));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir / "real.h5")));
  save_heed_file((dir / "link.h5").string(), data, kAttentionDumpKind);  // again: the previous kept beside the target
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir / "link.h5")));
  EXPECT_TRUE(fs::exists(dir / "real.h5.prev"));
  EXPECT_FALSE(fs::exists(dir / "link.h5.prev"));

  const std::string fifo = (dir / "fifo.h5").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    save_heed_file(fifo, data, kAttentionDumpKind);
    ADD_FAILURE() << "a FIFO was replaced";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), fifo + ": is a FIFO, not a regular file: the attention dump was not written");
  }
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace heed
