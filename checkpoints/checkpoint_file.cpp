// Format v1 checkpoints (and heed's other HDF5 files, laid out the same way) on the HDF5 C++ API, saved atomically.
#include "checkpoints/checkpoint_file.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

#include "checkpoints/h5_impl.h"
#include "checkpoints/replaced_file.h"
#include "checkpoints/seal.h"

namespace heed {

namespace {

long long g_fault_after_bytes = -1;
unsigned g_unsealed_parse_limit_s = 0;

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

void write_string_list_attribute(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& strings) {
  std::vector<const char*> ptrs;
  for (const std::string& s : strings) ptrs.push_back(s.c_str());
  const H5::StrType type = utf8_string_type();
  H5::Attribute attr = obj.createAttribute(name, type, space_of({strings.size()}));
  if (!ptrs.empty()) attr.write(type, ptrs.data());
}

// A 1-D string attribute (written by write_string_list_attribute); scalars are read_attribute's.
bool is_string_list_attribute(const H5::Attribute& attr) {
  return attr.getTypeClass() == H5T_STRING && attr.getSpace().getSimpleExtentType() == H5S_SIMPLE &&
         attr.getSpace().getSimpleExtentNdims() == 1;
}

std::vector<std::string> read_string_list_attribute(const H5::Attribute& attr) {
  const H5::StrType type = utf8_string_type();
  const H5::DataSpace space = attr.getSpace();
  std::vector<char*> raw(std::size_t(space.getSimpleExtentNpoints()), nullptr);
  std::vector<std::string> out;
  if (raw.empty()) return out;
  attr.read(type, raw.data());
  for (const char* s : raw) out.emplace_back(s ? s : "");
  H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, raw.data());
  return out;
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

// Every group, attribute and dataset of `data`, into an open (in-memory) file.
void write_contents(H5::H5File& file, const CheckpointData& data, const FileKind& kind) {
  H5::Group root = file.openGroup("/");
  write_attribute(root, "format", std::string(kind.format));
  write_attribute(root, "format_version", kind.version);
  for (const auto& [group, attrs] : data.attributes) {
    H5::Group g = ensure_group(file, group);
    for (const auto& [name, value] : attrs) write_attribute(g, name, value);
  }
  for (const auto& [group, lists] : data.string_list_attributes) {
    H5::Group g = ensure_group(file, group);
    for (const auto& [name, strings] : lists) write_string_list_attribute(g, name, strings);
  }
  for (const auto& [full, array] : data.floats) {
    const auto [group, name] = split_path(full);
    H5::DataSet ds = ensure_group(file, group).createDataSet(name, H5::PredType::IEEE_F32LE, space_of(array.shape));
    if (!array.values.empty()) ds.write(array.values.data(), H5::PredType::NATIVE_FLOAT);
  }
  for (const auto& [full, array] : data.words) {
    const auto [group, name] = split_path(full);
    H5::DataSet ds = ensure_group(file, group).createDataSet(name, H5::PredType::STD_U64LE, space_of(array.shape));
    if (!array.values.empty()) ds.write(array.values.data(), H5::PredType::NATIVE_UINT64);
  }
  for (const auto& [full, array] : data.bytes) {
    const auto [group, name] = split_path(full);
    H5::DataSet ds = ensure_group(file, group).createDataSet(name, H5::PredType::STD_U8LE, space_of(array.shape));
    if (!array.values.empty()) ds.write(array.values.data(), H5::PredType::NATIVE_UINT8);
  }
  for (const auto& [full, strings] : data.strings) {
    const auto [group, name] = split_path(full);
    std::vector<const char*> ptrs;
    for (const std::string& s : strings) ptrs.push_back(s.c_str());
    const H5::StrType type = utf8_string_type();
    H5::DataSet ds = ensure_group(file, group).createDataSet(name, type, space_of({strings.size()}));
    if (!ptrs.empty()) ds.write(ptrs.data(), type);
  }
}

// The whole file as bytes, built in memory: HDF5 never touches the disk, so a full disk or an
// I/O error can only happen in write_bytes, where every call is checked.
std::vector<char> build_image(const std::string& path, const CheckpointData& data, const FileKind& kind) {
  try {
    H5::FileCreatPropList create;
    create.setUserblock(kSealSize);
    H5::FileAccPropList access;
    if (H5Pset_fapl_core(access.getId(), 1 << 20, false) < 0) throw error(path, "cannot set up an in-memory HDF5 file");
    H5::H5File file("(in memory) " + path, H5F_ACC_TRUNC, create, access);  // never a real file's name
    write_contents(file, data, kind);
    file.flush(H5F_SCOPE_GLOBAL);
    const ssize_t size = H5Fget_file_image(file.getId(), nullptr, 0);
    if (size <= 0) throw error(path, std::string("cannot build the ") + kind.noun + " in memory");
    // HDF5 hands out the image without its user block (the superblock records its size): the
    // seal goes in front.
    std::vector<char> image(kSealSize + std::size_t(size), 0);
    if (H5Fget_file_image(file.getId(), image.data() + kSealSize, std::size_t(size)) != size)
      throw error(path, std::string("cannot build the ") + kind.noun + " in memory");
    file.close();
    write_seal(image);
    return image;
  } catch (const H5::Exception& e) {
    throw error(path, std::string("cannot build ") + kind.noun + " (" + e.getDetailMsg() + ")");
  }
}

std::string errno_text() { return std::strerror(errno); }

// Writes `bytes` to a new file `path`, flushed to disk. Any failure removes the file and throws
// with the system's reason ("No space left on device").
void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw error(path, "cannot create (" + errno_text() + ")");
  std::string failure;
  std::size_t done = 0;
  while (done < bytes.size() && failure.empty()) {
    std::size_t chunk = std::min<std::size_t>(bytes.size() - done, 1 << 20);
    if (g_fault_after_bytes >= 0) {  // tests: die as a power cut would, after this many bytes
      if (done >= std::size_t(g_fault_after_bytes)) std::raise(SIGKILL);
      chunk = std::min(chunk, std::size_t(g_fault_after_bytes) - done);
    }
    const ssize_t n = ::write(fd, bytes.data() + done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) failure = n < 0 ? errno_text() : "nothing written";
    else done += std::size_t(n);
  }
  if (g_fault_after_bytes >= 0 && done >= std::size_t(g_fault_after_bytes)) std::raise(SIGKILL);
  if (failure.empty() && ::fsync(fd) != 0) failure = "fsync: " + errno_text();
  if (::close(fd) != 0 && failure.empty()) failure = "close: " + errno_text();
  if (!failure.empty()) {
    ::unlink(path.c_str());
    throw error(path, "cannot write (" + failure + ")");
  }
}

// Reads a whole file. One-line errors for a missing file, a directory, an empty file.
std::vector<char> read_bytes(const std::string& path, const FileKind& kind) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw error(path, "no such file");
  if (fs::is_directory(status)) throw error(path, std::string("is a directory, not a ") + kind.noun + " file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error(path, "cannot open (" + errno_text() + ")");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw error(path, "cannot read (" + errno_text() + ")");
  if (bytes.empty()) throw error(path, "file is empty");
  return bytes;
}

// The first name whose value differs between what was saved and what was read back, or "".
std::string first_difference(const CheckpointData& saved, CheckpointData loaded) {
  auto& root = loaded.attributes["/"];  // written by this layer, not part of `saved`
  root.erase("format");
  root.erase("format_version");
  if (root.empty() && saved.attributes.count("/") == 0) loaded.attributes.erase("/");
  if (saved.attributes != loaded.attributes) return "an attribute";
  if (saved.string_list_attributes != loaded.string_list_attributes) return "a string-list attribute";
  std::string name;
  auto compare = [&name](const auto& a, const auto& b) {
    for (const auto& [key, value] : a) {
      const auto it = b.find(key);
      if (name.empty() && (it == b.end() || !(it->second == value))) name = key;
    }
    if (name.empty() && a.size() != b.size()) name = "a dataset";
  };
  compare(saved.floats, loaded.floats);
  compare(saved.words, loaded.words);
  compare(saved.bytes, loaded.bytes);
  compare(saved.strings, loaded.strings);
  return name;
}

void fsync_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw error(path, "cannot open to flush to disk (" + errno_text() + ")");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw error(path, "fsync failed (" + errno_text() + ")");
}

}  // namespace

void set_checkpoint_fault_after_bytes(long long count) { g_fault_after_bytes = count; }
void set_unsealed_parse_limit_seconds(unsigned seconds) { g_unsealed_parse_limit_s = seconds; }

void save_heed_file(const std::string& named, const CheckpointData& data, const FileKind& kind) {
  namespace fs = std::filesystem;
  H5::Exception::dontPrint();
  // Through a symlink, the file it names is replaced and the link kept; a device or a FIFO is
  // never replaced by a file renamed over it.
  const std::string path = replaced_file(named);
  if (const std::string why = not_replaceable(path); !why.empty())
    throw error(named, why + ", not a regular file: the " + std::string(kind.noun) + " was not written");
  const std::string tmp = path + ".tmp", prev = path + ".prev";
  const std::vector<char> image = build_image(path, data, kind);
  try {
    write_bytes(tmp, image);
    // Read back and decode what was written, as a load would (from the page cache: this checks
    // that the file decodes to exactly `data`, not the medium): nothing is renamed into place
    // unless it loads and holds `data`.
    const std::string difference = first_difference(data, load_heed_file(tmp, kind));
    if (!difference.empty()) throw error(path, "cannot save: " + difference + " would not read back as written");
    std::error_code ec;
    if (fs::exists(path, ec)) {  // keep the last good file as PATH.prev; PATH itself stays in place
      fs::remove(prev, ec);
      fs::create_hard_link(path, prev, ec);
      if (ec) fs::copy_file(path, prev, fs::copy_options::overwrite_existing, ec);
      if (ec) fs::remove(prev, ec);  // a partial copy (a full disk) is no previous file
    }
    fs::rename(tmp, path, ec);  // atomic replace
    if (ec) throw error(path, "cannot rename " + tmp + " into place (" + ec.message() + ")");
  } catch (...) {  // whatever failed, no half-made .tmp stays behind
    ::unlink(tmp.c_str());
    throw;
  }
  std::error_code ec;
  const fs::path dir = fs::absolute(path, ec).parent_path();
  try {
    fsync_directory(dir.string());
  } catch (const std::runtime_error& e) {
    throw error(path, std::string("saved, but the directory could not be flushed to disk: ") + e.what());
  }
}

namespace {

CheckpointData parse_image(const std::string& path, const std::vector<char>& bytes, const FileKind& kind);

// libhdf5 1.10 can crash on a damaged file (fuzz/findings/checkpoint). An unsealed file, which
// nothing has checked, is therefore parsed first in a child process: if HDF5 crashes there,
// the load is a one-line error instead of a crash of heed.
void parse_in_child_first(const std::string& path, const std::vector<char>& bytes, const FileKind& kind) {
  const unsigned limit_s =
      g_unsealed_parse_limit_s > 0 ? g_unsealed_parse_limit_s : unsigned(10 + bytes.size() / 10'000'000);
  const pid_t child = ::fork();
  if (child < 0) return;  // no process to spare: parse in this one, as before
  if (child == 0) {
    // Die by the signal itself, even where a sanitizer's handler would report and exit(1).
    for (int fatal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM}) std::signal(fatal, SIG_DFL);
    ::alarm(limit_s);  // a hang in libhdf5 (fuzz/corpus/checkpoint/unsealed_hdf5_hang.h5) ends the child too
    try {
      parse_image(path, bytes, kind);
    } catch (...) {  // an error the parent will meet and report itself
    }
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    throw error(path, "damaged " + std::string(kind.noun) + " (libhdf5 did not finish reading it in " + std::to_string(limit_s) +
                          " s; the file has no seal to check it first)");
  if (WIFSIGNALED(status))
    throw error(path, "damaged " + std::string(kind.noun) + " (libhdf5 crashed reading it, signal " + std::to_string(WTERMSIG(status)) +
                          "; the file has no seal to check it first)");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)  // the child parses or throws, then exits 0
    throw error(path, "damaged " + std::string(kind.noun) + " (libhdf5 failed reading it; the file has no seal to check it first)");
}

}  // namespace

CheckpointData load_heed_file(const std::string& path, const FileKind& kind) {
  H5::Exception::dontPrint();
  const std::vector<char> bytes = read_bytes(path, kind);
  // A damaged sealed file stops here, before HDF5 parses a byte of it.
  if (check_seal(path, bytes) == SealState::Unsealed) parse_in_child_first(path, bytes, kind);
  return parse_image(path, bytes, kind);
}

namespace {

CheckpointData parse_image(const std::string& path, const std::vector<char>& bytes, const FileKind& kind) {
  const H5Reader probe(path, bytes);
  CheckpointData data;
  try {
    H5::Group root = probe.impl().file.openGroup("/");
    if (!root.attrExists("format") ||
        std::get_if<std::string>(&(data.attributes["/"]["format"] = read_attribute(root.openAttribute("format")))) ==
            nullptr ||
        std::get<std::string>(data.attributes["/"]["format"]) != kind.format)
      throw error(path, "not a heed " + std::string(kind.noun) + " (no format = \"" + kind.format + "\" attribute)");
    const AttrValue version = read_attribute(root.openAttribute("format_version"));
    if (!std::holds_alternative<std::int64_t>(version) || std::get<std::int64_t>(version) != kind.version)
      throw error(path, kind.noun + std::string(" format_version is not ") + std::to_string(kind.version) +
                            "; this heed reads version " + std::to_string(kind.version) + " only");
    data.attributes["/"]["format_version"] = version;
    // Walk every group: attributes, and datasets by type.
    std::function<void(const H5::Group&, const std::string&)> walk = [&](const H5::Group& g, const std::string& at) {
      for (int i = 0; i < g.getNumAttrs(); ++i) {
        const H5::Attribute a = g.openAttribute(unsigned(i));
        if (is_string_list_attribute(a))
          data.string_list_attributes[at][a.getName()] = read_string_list_attribute(a);
        else if (at != "/" || (a.getName() != "format" && a.getName() != "format_version"))
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
        const H5T_class_t type_class = ds.getTypeClass();
        if (type_class == H5T_FLOAT) {
          data.floats[child] = probe.read_floats(child);
        } else if (type_class == H5T_INTEGER && ds.getIntType().getSize() == 1 && ds.getIntType().getSign() == H5T_SGN_NONE) {
          data.bytes[child] = probe.read_bytes(child);
        } else if (type_class == H5T_INTEGER) {
          data.words[child] = probe.read_words(child);
        } else if (type_class == H5T_STRING) {
          data.strings[child] = probe.read_strings(child);
        }
      }
    };
    walk(root, "/");
  } catch (const H5::Exception& e) {
    throw error(path, "damaged " + std::string(kind.noun) + " (" + e.getDetailMsg() + ")");
  }
  return data;
}

}  // namespace

}  // namespace heed
