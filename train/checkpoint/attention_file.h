// translate --dump-attention: the attention behind each translated sentence, in one HDF5 file
// laid out as README "Attention dumps" says, written atomically as checkpoints are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checkpoints/checkpoint_file.h"
#include "train/eval/sentence_attention.h"

HEED_NAMESPACE_BEGIN

inline constexpr FileKind kAttentionDumpKind{"heed-attention", 2, "attention dump"};  // 2: tokens as attributes

// What the file says about where its sentences came from.
struct AttentionDumpInfo {
  std::string checkpoint;  // the model's path
  std::string arch;        // its family
  std::string attention;   // its attention: "full", "local", "linear" (transformer) or "luong" (lstm-attention)
  std::int64_t window = 0;  // local attention's window; 0 otherwise
};

// One translated sentence: its source line, its translation, and the attention behind it.
struct DumpedSentence {
  std::string source, translation;
  SentenceAttention attention;
};

// The file's contents: /sentences/N for the N-th sentence (0-based, the input's line).
CheckpointData attention_dump(const std::vector<DumpedSentence>& sentences, const AttentionDumpInfo& info);

inline void save_attention_dump(const std::string& path, const std::vector<DumpedSentence>& sentences,
                                const AttentionDumpInfo& info) {
  save_heed_file(path, attention_dump(sentences, info), kAttentionDumpKind);
}

HEED_NAMESPACE_END
