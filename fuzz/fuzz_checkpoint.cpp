// The checkpoint loader on damaged files: libFuzzer mutates the bytes of small valid
// checkpoints (fuzz/corpus/checkpoint), each is written to a file in memory, then read
// and, if that succeeds, turned into a model as eval and translate do. A one-line error is the
// expected outcome; a crash, leak, hang, undefined behaviour or std::bad_alloc (an absurd
// size believed) is a finding.
#include <cstdint>
#include <exception>
#include <new>
#include <string>

#include "fuzz/fuzz_support.h"
#include "train/checkpoint/checkpoint_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static heed::fuzz::MemoryFile file("checkpoint.h5");
  // A file on which libhdf5 hangs is reported as damaged after this long, within libFuzzer's
  // -timeout (scripts/fuzz.sh: 10 s), so the hang's handling is what is fuzzed.
  static const bool limited = (heed::set_unsealed_parse_limit_seconds(3), true);
  (void)limited;
  const std::string path = file.write(data, size);
  try {
    const heed::Checkpoint checkpoint = heed::read_checkpoint(path);
    const std::unique_ptr<heed::Seq2SeqModel> model = heed::load_model(checkpoint);
    heed::fuzz::check(model != nullptr, "load_model returned no model");
  } catch (const std::bad_alloc&) {
    heed::fuzz::finding("std::bad_alloc loading a damaged checkpoint");
  } catch (const std::exception& e) {
    heed::fuzz::check_one_line(e.what());
  }
  return 0;
}
