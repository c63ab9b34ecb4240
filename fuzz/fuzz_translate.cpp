// translate's input as `heed translate` takes it: stdin's bytes read as source lines
// (data/tsv.h read_text_lines), tokenized, encoded and greedily decoded by a tiny committed
// model (fuzz/models/translate_tiny.h5, its command beside it). Bad input gives a one-line
// error; good input one line of valid UTF-8 out for every line in.
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
#include "train/eval/evaluate.h"

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
  const std::vector<std::string> out = heed::translate(*m.model, *m.pre, lines, heed::DecodeOptions{}, 64);
  heed::fuzz::check(out.size() == lines.size(), "not one translation per line");
  for (const std::string& line : out) {
    heed::fuzz::check(heed::text_error(line).empty(), "translation is not valid UTF-8 text");
    heed::fuzz::check(line.find('\n') == std::string::npos, "translation spans lines");
  }
  return 0;
}
