// A checkpoint as plain named data, and its HDF5 file (format v1, see README "Checkpoints").
// This layer knows groups, attributes and arrays; train/ decides what goes where.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "checkpoints/h5_reader.h"

namespace heed {

using AttrValue = std::variant<std::int64_t, double, std::string>;

inline constexpr const char* kCheckpointFormat = "heed-checkpoint";
inline constexpr std::int64_t kCheckpointVersion = 1;

struct CheckpointData {
  // group path ("/config", "/train", …) -> attribute name -> value. The root's format and
  // format_version attributes are written and checked by this layer.
  std::map<std::string, std::map<std::string, AttrValue>> attributes;
  std::map<std::string, Array<float>> floats;           // "/model/encoder/norm/weight" -> float32 data
  std::map<std::string, Array<std::uint64_t>> words;    // "/train/rng_state" -> uint64 data
  std::map<std::string, Array<std::uint8_t>> bytes;     // "/tokenizer/spm_model" -> opaque bytes (uint8)
  std::map<std::string, std::vector<std::string>> strings;  // "/vocab/src" -> UTF-8 strings
  // group path -> attribute name -> UTF-8 strings, stored as a 1-D string attribute of the group
  // (h5py reads it as str, where a string dataset reads as bytes without .asstr()).
  std::map<std::string, std::map<std::string, std::vector<std::string>>> string_list_attributes;
};

// Which kind of heed file: the root's `format` and `format_version` attributes (checked on
// load), and what messages call it.
struct FileKind {
  const char* format;
  std::int64_t version;
  const char* noun;
};
inline constexpr FileKind kCheckpointKind{kCheckpointFormat, kCheckpointVersion, "checkpoint"};

// Writes `data` to `path` so that a crash, a full disk or an I/O error at any moment leaves
// either the previous file or the new one, never a mix: the file is built in memory and sealed
// (checkpoints/seal.h), written to PATH.tmp with every write checked, fsynced and read back; only
// then is the previous file kept as PATH.prev (hard link), PATH.tmp renamed over PATH and the
// directory fsynced. Throws std::runtime_error naming the path and the system's reason ("No space
// left on device") on failure; PATH.tmp is then removed and the previous file untouched.
// A symlink PATH is followed: the file it names is replaced (its .tmp and .prev beside it), the
// link stays. A PATH that is a directory, device, FIFO or socket is refused, never replaced.
void save_heed_file(const std::string& path, const CheckpointData& data, const FileKind& kind);
inline void save_checkpoint_file(const std::string& path, const CheckpointData& data) {
  save_heed_file(path, data, kCheckpointKind);
}

// Reads a whole checkpoint. One-line std::runtime_error for a missing, empty, truncated, damaged
// (seal mismatch), non-HDF5 or foreign file, or another format_version. Unsealed HDF5 files
// (heed's before seals, or written by other programs) are read unchecked.
CheckpointData load_heed_file(const std::string& path, const FileKind& kind);
inline CheckpointData load_checkpoint_file(const std::string& path) { return load_heed_file(path, kCheckpointKind); }

// How long libhdf5 may take to parse an unsealed file (in a child process, see
// load_checkpoint_file) before the file is called damaged: 0 (the default) means 10 s plus 1 s
// per 10 MB, far above a real parse (well under a second per megabyte). Tests and the fuzzer set
// a few seconds, so that a file on which libhdf5 hangs does not stop them for long.
void set_unsealed_parse_limit_seconds(unsigned seconds);

// For tests of crash safety: when set >= 0, save_checkpoint_file raises SIGKILL on its own
// process once it has written that many bytes of PATH.tmp (as a power cut would stop it).
void set_checkpoint_fault_after_bytes(long long count);

}  // namespace heed
