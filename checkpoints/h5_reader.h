// Reading named arrays from an HDF5 file. The HDF5 headers stay inside checkpoints/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace heed {

template <class T>
struct Array {
  std::vector<std::size_t> shape;  // as stored: [] for a scalar, [C] for a vector, [R, C], …
  std::vector<T> values;           // row-major
  bool operator==(const Array&) const = default;
};

class H5Reader {
 public:
  // Throws std::runtime_error "PATH: ..." for a missing, unreadable or non-HDF5 file.
  explicit H5Reader(const std::string& path);
  // The same for an HDF5 file's bytes held in memory; `name` is how messages name it.
  H5Reader(const std::string& name, const std::vector<char>& image);
  ~H5Reader();
  H5Reader(H5Reader&&) noexcept;

  bool has(const std::string& object_path) const;
  // Reads a dataset converted to the asked type; throws naming the file and dataset.
  Array<float> read_floats(const std::string& dataset) const;
  Array<std::int32_t> read_ints(const std::string& dataset) const;
  Array<std::uint64_t> read_words(const std::string& dataset) const;
  Array<std::uint8_t> read_bytes(const std::string& dataset) const;
  // A 1-D dataset of variable-length strings.
  std::vector<std::string> read_strings(const std::string& dataset) const;
  // The datasets below a group, as paths relative to it ("layers/0/norm1/bias"), sorted.
  std::vector<std::string> datasets_under(const std::string& group) const;

  struct Impl;  // holds the HDF5 handle; defined in checkpoints/h5_impl.h
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace heed
