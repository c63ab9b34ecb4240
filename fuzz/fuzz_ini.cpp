// heed's INI config files as `heed train --config FILE` or `heed finetune --config FILE` reads
// them (train/cli/options.cpp's parse() with the real option sets): any file gives either the
// effective configuration or a one-line error. Config files are read by path, so each input is
// written to a file in memory first.
#include <cstdint>
#include <exception>
#include <iostream>
#include <new>
#include <string>

#include "fuzz/fuzz_support.h"
#include "train/cli/cli.h"

namespace {

void parse_config(const std::string& path, bool finetune) {
  try {
    // --dump-config: parse everything, print the effective values (value_text), run nothing.
    const heed::cli::Command command = heed::cli::parse_train({"--config", path, "--dump-config"}, finetune);
    heed::fuzz::check(!command.run, "--dump-config returned work to run");
  } catch (const std::bad_alloc&) {
    heed::fuzz::finding("std::bad_alloc reading a config file");
  } catch (const std::exception& e) {
    heed::fuzz::check_one_line(e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::cout.rdbuf(nullptr);  // --dump-config's output: not wanted, thousands of times a second
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static heed::fuzz::MemoryFile file("config.ini");
  // One option set per input, chosen by its length so that a reproducer replays the same way:
  // finetune's adds a repeatable option (--freeze) and --from.
  parse_config(file.write(data, size), size % 2 == 1);
  return 0;
}
