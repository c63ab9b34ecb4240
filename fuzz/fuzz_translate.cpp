// translate's input as `heed translate` takes it: stdin's bytes read as source lines
// (data/tsv.h read_text_lines), tokenized, encoded, cropped to the model's length and greedily
// decoded (translate_n_best) by a tiny committed model (fuzz/models/translate_tiny.h5, its
// command beside it). Bad input gives a one-line error; good input one line of valid UTF-8 out
// for every line in.
#include <cstdint>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/preprocessor.h"
#include "data/tsv.h"
#include "fuzz/fuzz_support.h"
#include "train/checkpoint/checkpoint_io.h"
#include "train/eval/translate.h"

namespace {

struct TinyModel {
  std::unique_ptr<heed::Seq2SeqModel> model;
  std::unique_ptr<heed::Preprocessor> pre;
};

TinyModel& tiny_model() {
  static TinyModel m = [] {
    const heed::Checkpoint checkpoint = heed::read_checkpoint(HEED_FUZZ_DIR "/models/translate_tiny.h5");
    return TinyModel{heed::load_model(checkpoint),
                     std::make_unique<heed::Preprocessor>(heed::Preprocessor::from_state(checkpoint.vocab))};
  }();
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tiny_model();  // load once, outside the measured inputs
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<std::string> lines;
  try {
    lines = heed::read_text_lines(in, "stdin");
  } catch (const std::runtime_error& e) {
    heed::fuzz::check_one_line(e.what());
    return 0;
  }
  TinyModel& m = tiny_model();
  const auto cropped = [&](std::size_t index, std::size_t tokens, std::size_t kept) {
    heed::fuzz::check(index < lines.size() && kept < tokens, "a crop report that crops nothing");
  };
  const auto out = heed::translate_n_best({{m.model.get(), m.pre.get()}}, lines, heed::DecodeOptions{}, 64, cropped);
  heed::fuzz::check(out.size() == lines.size(), "not one translation per line");
  for (const auto& hypotheses : out) {
    heed::fuzz::check(hypotheses.size() == 1, "greedy decoding gave other than one hypothesis");
    heed::fuzz::check(heed::text_error(hypotheses.front().text).empty(), "translation is not valid UTF-8 text");
    heed::fuzz::check(hypotheses.front().text.find('\n') == std::string::npos, "translation spans lines");
  }
  return 0;
}
