// Seal lines in the user block, a CRC-32 by zlib.
#include "checkpoints/seal.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace heed {

namespace {

constexpr char kMagic[] = "heed-checkpoint-seal 1\n";
constexpr char kHdf5Signature[] = "\x89HDF\r\n\x1a\n";

unsigned long crc_after_seal(const std::vector<char>& bytes) {
  unsigned long crc = crc32(0L, Z_NULL, 0);
  const auto* data = reinterpret_cast<const Bytef*>(bytes.data() + kSealSize);
  std::size_t left = bytes.size() - kSealSize;
  while (left > 0) {  // zlib takes uInt lengths
    const uInt chunk = uInt(std::min<std::size_t>(left, 1u << 30));
    crc = crc32(crc, data, chunk);
    data += chunk;
    left -= chunk;
  }
  return crc;
}

bool starts_with(const std::vector<char>& bytes, std::size_t offset, const char* text, std::size_t n) {
  return bytes.size() >= offset + n && std::memcmp(bytes.data() + offset, text, n) == 0;
}

// The seal's 512 bytes for a file of `size` bytes whose bytes after the seal have CRC `crc`.
std::vector<char> seal_block(std::size_t size, unsigned long crc) {
  std::vector<char> seal(kSealSize, 0);
  std::snprintf(seal.data(), seal.size(), "%sbytes %zu\ncrc32 %08lx\n", kMagic, size, crc);
  return seal;
}

}  // namespace

void write_seal(std::vector<char>& image) {
  if (image.size() < kSealSize + 8 || !starts_with(image, kSealSize, kHdf5Signature, 8))
    throw std::logic_error("write_seal: the image has no user block of the seal's size");
  const std::vector<char> seal = seal_block(image.size(), crc_after_seal(image));
  std::copy(seal.begin(), seal.end(), image.begin());
}

SealState check_seal(const std::string& path, const std::vector<char>& bytes) {
  if (starts_with(bytes, 0, kHdf5Signature, 8)) return SealState::Unsealed;
  if (!starts_with(bytes, 0, kMagic, sizeof kMagic - 1)) {
    // HDF5 may also sit behind another program's user block; that is not a heed checkpoint.
    for (std::size_t at = 512; at + 8 <= bytes.size(); at *= 2)
      if (starts_with(bytes, at, kHdf5Signature, 8))
        throw std::runtime_error(path + ": not a heed checkpoint (an HDF5 file behind a user block that is not heed's " +
                                 "seal: another program's file, or a damaged seal)");
    throw std::runtime_error(path + ": not an HDF5 file");
  }
  if (bytes.size() < kSealSize + 8 || !starts_with(bytes, kSealSize, kHdf5Signature, 8))
    throw std::runtime_error(path + ": damaged checkpoint (" + std::to_string(bytes.size()) +
                             " bytes: no HDF5 file after its seal; truncated?)");
  const std::string seal(bytes.data(), kSealSize);
  std::istringstream lines(seal.substr(sizeof kMagic - 1));
  std::string bytes_word, crc_word;
  unsigned long long size = 0;
  std::string crc_text;
  if (!(lines >> bytes_word >> size >> crc_word >> crc_text) || bytes_word != "bytes" || crc_word != "crc32")
    throw std::runtime_error(path + ": damaged checkpoint (its seal is unreadable)");
  if (size != bytes.size())
    throw std::runtime_error(path + ": damaged checkpoint (" + std::to_string(bytes.size()) + " bytes, sealed with " +
                             std::to_string(size) + "; truncated or appended to)");
  const unsigned long crc = crc_after_seal(bytes);
  char actual[9];
  std::snprintf(actual, sizeof actual, "%08lx", crc);
  if (crc_text != actual)
    throw std::runtime_error(path + ": damaged checkpoint (CRC-32 " + actual + ", sealed with " + crc_text +
                             "; changed after heed wrote it: a tool that edits it must re-seal it, see README " +
                             "\"Checkpoints\")");
  // every byte of the seal block, its zero padding included, is as heed writes it
  const std::vector<char> expected = seal_block(bytes.size(), crc);
  if (!std::equal(expected.begin(), expected.end(), bytes.begin()))
    throw std::runtime_error(path + ": damaged checkpoint (its seal block differs from the one heed writes)");
  return SealState::Sealed;
}

}  // namespace heed
