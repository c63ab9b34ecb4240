// Format v1 checkpoints on the HDF5 C++ API, saved atomically.
#include "checkpoints/checkpoint_file.h"

#include <H5Cpp.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <functional>
#include <stdexcept>

namespace heed {

namespace {

int g_fault_after = 0;

std::runtime_error error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

// Opens every group along "/a/b/c"'s parent path, creating those that are missing.
H5::Group ensure_group(H5::H5File& file, const std::string& group_path) {
  H5::Group g = file.openGroup("/");
  std::size_t start = 1;
  while (start < group_path.size()) {
    const std::size_t end = std::min(group_path.find('/', start), group_path.size());
    const std::string name = group_path.substr(start, end - start);
    g = H5Lexists(g.getId(), name.c_str(), H5P_DEFAULT) > 0 ? g.openGroup(name) : g.createGroup(name);
    start = end + 1;
  }
  return g;
}

std::pair<std::string, std::string> split_path(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

H5::StrType utf8_string_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

H5::DataSpace space_of(const std::vector<std::size_t>& shape) {
  if (shape.empty()) return H5::DataSpace(H5S_SCALAR);
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  return H5::DataSpace(int(dims.size()), dims.data());
}

void write_attribute(H5::H5Object& obj, const std::string& name, const AttrValue& value) {
  H5::DataSpace scalar(H5S_SCALAR);
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    obj.createAttribute(name, H5::PredType::NATIVE_INT64, scalar).write(H5::PredType::NATIVE_INT64, i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    obj.createAttribute(name, H5::PredType::NATIVE_DOUBLE, scalar).write(H5::PredType::NATIVE_DOUBLE, d);
  } else {
    const H5::StrType type = utf8_string_type();
    const char* s = std::get<std::string>(value).c_str();
    obj.createAttribute(name, type, scalar).write(type, &s);
  }
}

AttrValue read_attribute(const H5::Attribute& attr) {
  const H5T_class_t kind = attr.getTypeClass();
  if (kind == H5T_INTEGER) {
    std::int64_t v = 0;
    attr.read(H5::PredType::NATIVE_INT64, &v);
    return v;
  }
  if (kind == H5T_FLOAT) {
    double v = 0;
    attr.read(H5::PredType::NATIVE_DOUBLE, &v);
    return v;
  }
  if (kind == H5T_STRING) {
    std::string v;
    attr.read(attr.getStrType(), v);
    return v;
  }
  throw std::runtime_error("attribute '" + attr.getName() + "' has an unsupported type");
}

class FaultCounter {
 public:
  void tick() {
    if (g_fault_after > 0 && ++written_ >= g_fault_after) std::raise(SIGKILL);
  }

 private:
  int written_ = 0;
};

void write_file(const std::string& path, const CheckpointData& data) {
  H5::H5File file(path, H5F_ACC_TRUNC);
  FaultCounter fault;
  H5::Group root = file.openGroup("/");
  write_attribute(root, "format", std::string(kCheckpointFormat));
  write_attribute(root, "format_version", kCheckpointVersion);
  for (const auto& [group, attrs] : data.attributes) {
    H5::Group g = ensure_group(file, group);
    for (const auto& [name, value] : attrs) write_attribute(g, name, value);
  }
  for (const auto& [full, array] : data.floats) {
    const auto [group, name] = split_path(full);
    H5::DataSet ds = ensure_group(file, group).createDataSet(name, H5::PredType::IEEE_F32LE, space_of(array.shape));
    if (!array.values.empty()) ds.write(array.values.data(), H5::PredType::NATIVE_FLOAT);
    fault.tick();
  }
  for (const auto& [full, array] : data.words) {
    const auto [group, name] = split_path(full);
    H5::DataSet ds = ensure_group(file, group).createDataSet(name, H5::PredType::STD_U64LE, space_of(array.shape));
    if (!array.values.empty()) ds.write(array.values.data(), H5::PredType::NATIVE_UINT64);
    fault.tick();
  }
  for (const auto& [full, strings] : data.strings) {
    const auto [group, name] = split_path(full);
    std::vector<const char*> ptrs;
    for (const std::string& s : strings) ptrs.push_back(s.c_str());
    const H5::StrType type = utf8_string_type();
    H5::DataSet ds = ensure_group(file, group).createDataSet(name, type, space_of({strings.size()}));
    if (!ptrs.empty()) ds.write(ptrs.data(), type);
    fault.tick();
  }
  file.close();
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw error(path, "cannot open to flush to disk");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw error(path, "fsync failed");
}

}  // namespace

void set_checkpoint_fault_after_datasets(int count) { g_fault_after = count; }

void save_checkpoint_file(const std::string& path, const CheckpointData& data) {
  namespace fs = std::filesystem;
  H5::Exception::dontPrint();
  const std::string tmp = path + ".tmp", prev = path + ".prev";
  try {
    write_file(tmp, data);
  } catch (const H5::Exception& e) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw error(path, "cannot write checkpoint (" + e.getDetailMsg() + ")");
  }
  fsync_path(tmp, O_RDONLY);
  std::error_code ec;
  if (fs::exists(path)) {  // keep the last good file as PATH.prev; PATH itself stays in place
    fs::remove(prev, ec);
    fs::create_hard_link(path, prev, ec);
    if (ec) fs::copy_file(path, prev, fs::copy_options::overwrite_existing, ec);
  }
  fs::rename(tmp, path, ec);  // atomic replace
  if (ec) throw error(path, "cannot rename " + tmp + " into place (" + ec.message() + ")");
  const fs::path dir = fs::absolute(path).parent_path();
  fsync_path(dir.string(), O_RDONLY | O_DIRECTORY);
}

CheckpointData load_checkpoint_file(const std::string& path) {
  H5Reader probe(path);  // one-line errors for missing, empty, non-HDF5 files
  CheckpointData data;
  try {
    H5::H5File file(path, H5F_ACC_RDONLY);
    H5::Group root = file.openGroup("/");
    if (!root.attrExists("format") ||
        std::get_if<std::string>(&(data.attributes["/"]["format"] = read_attribute(root.openAttribute("format")))) ==
            nullptr ||
        std::get<std::string>(data.attributes["/"]["format"]) != kCheckpointFormat)
      throw error(path, "not a heed checkpoint (no format = \"heed-checkpoint\" attribute)");
    const AttrValue version = read_attribute(root.openAttribute("format_version"));
    if (!std::holds_alternative<std::int64_t>(version) || std::get<std::int64_t>(version) != kCheckpointVersion)
      throw error(path, "checkpoint format_version is not " + std::to_string(kCheckpointVersion) +
                            "; this heed reads version 1 only");
    data.attributes["/"]["format_version"] = version;
    // Walk every group: attributes, and datasets by type.
    std::function<void(const H5::Group&, const std::string&)> walk = [&](const H5::Group& g, const std::string& at) {
      for (int i = 0; i < g.getNumAttrs(); ++i) {
        const H5::Attribute a = g.openAttribute(unsigned(i));
        if (at != "/" || (a.getName() != "format" && a.getName() != "format_version"))
          data.attributes[at][a.getName()] = read_attribute(a);
      }
      for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
        const std::string name = g.getObjnameByIdx(i);
        const std::string child = (at == "/" ? "" : at) + "/" + name;
        if (g.getObjTypeByIdx(i) == H5G_GROUP) {
          walk(g.openGroup(name), child);
          continue;
        }
        const H5::DataSet ds = g.openDataSet(name);
        const H5T_class_t kind = ds.getTypeClass();
        if (kind == H5T_FLOAT) {
          data.floats[child] = probe.read_floats(child);
        } else if (kind == H5T_INTEGER) {
          data.words[child] = probe.read_words(child);
        } else if (kind == H5T_STRING) {
          data.strings[child] = probe.read_strings(child);
        }
      }
    };
    walk(root, "/");
  } catch (const H5::Exception& e) {
    throw error(path, "damaged checkpoint (" + e.getDetailMsg() + ")");
  }
  return data;
}

}  // namespace heed
