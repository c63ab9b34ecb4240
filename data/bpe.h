// Byte-pair encoding over UTF-8 code points (Sennrich et al.), learned from training text.
// Words carry a start-of-word marker (U+2581 for the space before them), merges never
// cross words, and detokenize is exact: it concatenates tokens and turns markers into spaces.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "data/tokenizer.h"

namespace heed {

using BpeMerge = std::pair<std::string, std::string>;  // (left, right) -> left + right

class BpeTokenizer final : public Tokenizer {
 public:
  // From an ordered merge list (earlier merges apply first), e.g. one loaded from a
  // checkpoint. Throws std::invalid_argument on an empty side or a side holding a space.
  explicit BpeTokenizer(std::vector<BpeMerge> merges = {});

  // Learns up to num_merges merges: each step merges the most frequent adjacent pair
  // (ties: the byte-wise smallest (left, right)); stops early once no pair occurs twice.
  // Deterministic: depends only on the multiset of sentences.
  static BpeTokenizer learn(const std::vector<std::string>& sentences, int num_merges);

  const std::vector<BpeMerge>& merges() const { return merges_; }

  // Exact for valid UTF-8 that does not contain U+2581 itself.
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
  std::string type() const override { return "bpe"; }

 private:
  std::vector<std::string> encode_word(std::vector<std::string> symbols) const;

  std::vector<BpeMerge> merges_;
  std::unordered_map<std::string, int> ranks_;  // "left right" -> merge index
};

// A merge as one line "left right" (neither side holds a space), and back; parse_merge
// throws std::invalid_argument on anything else. For checkpoints and text files.
std::string format_merge(const BpeMerge& merge);
BpeMerge parse_merge(const std::string& line);

// The words BPE works on, each as its code points: a space becomes U+2581 and starts a new
// word; punctuation and other whitespace stand alone (after a U+2581, if a space preceded).
std::vector<std::vector<std::string>> bpe_words(const std::string& text);

}  // namespace heed
