// Which attention maps `heed attention` draws (--kind, --layer, --head) and how they become
// labelled heatmap panels.
#pragma once

#include <string>
#include <vector>

#include "pictures/heatmap.h"
#include "train/eval/sentence_attention.h"

namespace heed::cli {

// --kind: all | self (encoder and decoder self-attention) | encoder | decoder | cross.
// --layer: -1 = every layer. --head: -1 = every head, -2 = their mean.
struct AttentionSelection {
  std::string kind = "all";
  int layer = -1;
  int head = -1;
};
inline constexpr int kEveryHead = -1, kHeadMean = -2;

// The panels, kind by kind (encoder self, decoder self, cross), layer by layer, head by head.
// Throws UsageError naming --kind, --layer or --head when the model has no such map.
std::vector<pictures::HeatmapPanel> attention_panels(const SentenceAttention& attention, const AttentionSelection& selection);

}  // namespace heed::cli
