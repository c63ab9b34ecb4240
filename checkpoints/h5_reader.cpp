// H5Reader on the HDF5 C++ API.
#include "checkpoints/h5_reader.h"

#include "checkpoints/h5_impl.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <stdexcept>

namespace heed {

namespace {

std::runtime_error error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

template <class T>
Array<T> read_dataset(const H5Reader::Impl& impl, const std::string& name, const H5::PredType& type) {
  try {
    H5::DataSet ds = impl.file.openDataSet(name);
    H5::DataSpace space = ds.getSpace();
    const int rank = space.getSimpleExtentNdims();
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    space.getSimpleExtentDims(dims.data());
    Array<T> out;
    // heed's datasets are stored whole and uncompressed, so a shape claiming more values than
    // the file has bytes for is damage: refuse it before allocating (fuzzing found 2^49 floats).
    const std::size_t most = std::filesystem::file_size(impl.path) / sizeof(T);
    std::size_t count = 1;
    for (hsize_t d : dims) {
      out.shape.push_back(static_cast<std::size_t>(d));
      if (d != 0 && count > most / static_cast<std::size_t>(d))
        throw error(impl.path, "dataset '" + name + "' claims more values than the file holds (damaged file)");
      count *= static_cast<std::size_t>(d);
    }
    out.values.resize(count);
    if (count > 0) ds.read(out.values.data(), type);
    return out;
  } catch (const H5::Exception& e) {
    throw error(impl.path, "cannot read dataset '" + name + "' (" + e.getDetailMsg() + ")");
  }
}

}  // namespace

H5Reader::H5Reader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw error(path, "no such file");
  if (std::filesystem::file_size(path) == 0) throw error(path, "file is empty");
  try {
    if (!H5::H5File::isHdf5(path)) throw error(path, "not an HDF5 file");
    impl_->file.openFile(path, H5F_ACC_RDONLY);
  } catch (const H5::Exception& e) {
    throw error(path, "cannot open as HDF5 (" + e.getDetailMsg() + "); truncated or damaged?");
  }
}

H5Reader::H5Reader(const std::string& name, const std::vector<char>& image) : impl_(std::make_unique<Impl>()) {
  impl_->path = name;
  impl_->file = open_image(name, image);
}

H5::H5File open_image(const std::string& name, const std::vector<char>& image) {
  H5::Exception::dontPrint();
  try {
    H5::FileAccPropList access;
    // in memory, never written back; HDF5 copies the image
    if (H5Pset_fapl_core(access.getId(), 1 << 20, false) < 0 ||
        H5Pset_file_image(access.getId(), const_cast<char*>(image.data()), image.size()) < 0)
      throw error(name, "cannot set up an in-memory HDF5 file");
    // The core driver refuses a name that exists on disk; this one never names a real file.
    return H5::H5File("(in memory) " + name, H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, access);
  } catch (const H5::Exception& e) {
    throw error(name, "cannot open as HDF5 (" + e.getDetailMsg() + "); truncated or damaged?");
  }
}

H5Reader::~H5Reader() = default;
H5Reader::H5Reader(H5Reader&&) noexcept = default;

bool H5Reader::has(const std::string& object_path) const {
  // walk the path one link at a time: H5Lexists needs every parent to exist
  std::string prefix;
  std::size_t start = object_path.front() == '/' ? 1 : 0;
  while (start <= object_path.size()) {
    const std::size_t end = std::min(object_path.find('/', start), object_path.size());
    prefix.append("/").append(object_path, start, end - start);
    if (H5Lexists(impl_->file.getId(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    start = end + 1;
  }
  return true;
}

Array<float> H5Reader::read_floats(const std::string& dataset) const {
  return read_dataset<float>(*impl_, dataset, H5::PredType::NATIVE_FLOAT);
}

Array<std::int32_t> H5Reader::read_ints(const std::string& dataset) const {
  return read_dataset<std::int32_t>(*impl_, dataset, H5::PredType::NATIVE_INT32);
}

Array<std::uint64_t> H5Reader::read_words(const std::string& dataset) const {
  return read_dataset<std::uint64_t>(*impl_, dataset, H5::PredType::NATIVE_UINT64);
}

Array<std::uint8_t> H5Reader::read_bytes(const std::string& dataset) const {
  return read_dataset<std::uint8_t>(*impl_, dataset, H5::PredType::NATIVE_UINT8);
}

std::vector<std::string> H5Reader::read_strings(const std::string& dataset) const {
  try {
    H5::DataSet ds = impl_->file.openDataSet(dataset);
    const H5::StrType type = ds.getStrType();
    if (!type.isVariableStr()) throw error(impl_->path, "dataset '" + dataset + "' is not variable-length strings");
    H5::DataSpace space = ds.getSpace();
    std::vector<char*> raw(static_cast<std::size_t>(space.getSimpleExtentNpoints()), nullptr);
    if (!raw.empty()) ds.read(raw.data(), type);
    std::vector<std::string> out;
    for (char* s : raw) out.emplace_back(s ? s : "");
    if (!raw.empty()) H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, raw.data());
    return out;
  } catch (const H5::Exception& e) {
    throw error(impl_->path, "cannot read strings '" + dataset + "' (" + e.getDetailMsg() + ")");
  }
}

std::vector<std::string> H5Reader::datasets_under(const std::string& group) const {
  std::vector<std::string> out;
  std::function<void(const H5::Group&, const std::string&)> walk = [&](const H5::Group& g, const std::string& rel) {
    for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
      const std::string name = g.getObjnameByIdx(i);
      const std::string child = rel.empty() ? name : rel + "/" + name;
      const H5G_obj_t kind = g.getObjTypeByIdx(i);
      if (kind == H5G_GROUP) walk(g.openGroup(name), child);
      else if (kind == H5G_DATASET) out.push_back(child);
    }
  };
  try {
    walk(impl_->file.openGroup(group), "");
  } catch (const H5::Exception& e) {
    throw error(impl_->path, "cannot list group '" + group + "' (" + e.getDetailMsg() + ")");
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace heed
