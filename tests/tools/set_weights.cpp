// set_weights IN.h5 OUT.h5 DATASET VALUE: a copy of a checkpoint with every element of one float
// dataset set to VALUE, sealed as heed seals, for CLI tests that need a model heed would not train
// (weights so large that the loss overflows). heed's checks still apply: a non-finite VALUE is
// refused when the copy is read back.
#include <cstdlib>
#include <iostream>
#include <string>

#include "checkpoints/checkpoint_file.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: set_weights IN.h5 OUT.h5 DATASET VALUE\n";
    return 2;
  }
  try {
    heed::CheckpointData data = heed::load_checkpoint_file(argv[1]);
    data.attributes["/"].erase("format");  // written again by save_checkpoint_file
    data.attributes["/"].erase("format_version");
    const auto it = data.floats.find(argv[3]);
    if (it == data.floats.end()) throw std::runtime_error(std::string(argv[1]) + ": no float dataset " + argv[3]);
    for (float& v : it->second.values) v = std::strtof(argv[4], nullptr);
    heed::save_checkpoint_file(argv[2], data);
  } catch (const std::exception& e) {
    std::cerr << "set_weights: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
