// The HDF5 handle behind H5Reader, shared by the files of checkpoints/ only (HDF5's headers
// stay out of every public header).
#pragma once

#include <H5Cpp.h>

#include <string>
#include <vector>

#include "checkpoints/h5_reader.h"

namespace heed {

struct H5Reader::Impl {
  std::string path;
  H5::H5File file;
};

// An HDF5 file held in memory (the core driver without a backing file): `image` is copied in.
// `name` identifies it in messages only.
H5::H5File open_image(const std::string& name, const std::vector<char>& image);

}  // namespace heed
