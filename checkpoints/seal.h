// The seal of a checkpoint: heed writes its checkpoints with a 512-byte HDF5 user block (the
// bytes before the HDF5 superblock, which HDF5 and h5py skip) holding, as ASCII lines,
//   heed-checkpoint-seal 1
//   bytes <size of the whole file>
//   crc32 <zlib CRC-32 of every byte after the user block, 8 hex digits>
// so that truncation or any damage is found before a byte of the file reaches HDF5's parser.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace heed {

inline constexpr std::size_t kSealSize = 512;  // HDF5 user blocks are 512 bytes or a power of two above

// Writes the seal into the first kSealSize bytes of `image` (an HDF5 image made with a user block
// of kSealSize; those bytes must be zero).
void write_seal(std::vector<char>& image);

enum class SealState { Sealed, Unsealed };

// Checks a file's bytes. Sealed: size and checksum agree. Unsealed: a plain HDF5 file (written
// by heed before seals existed, or by another program such as h5py), which is read unchecked.
// Throws std::runtime_error "PATH: ..." for a damaged, truncated or foreign file.
SealState check_seal(const std::string& path, const std::vector<char>& bytes);

}  // namespace heed
