// Vocabulary: token <-> id. Ids 0-3 are the specials <pad>, <s>, </s>, <unk> (README
// "Token ids"); the vocabulary follows, most frequent first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/special_tokens.h"

namespace heed {

class Vocabulary {
 public:
  // data/special_tokens.h, under the vocabulary's name
  static constexpr std::int32_t kPad = heed::kPad;
  static constexpr std::int32_t kBos = heed::kBos;
  static constexpr std::int32_t kEos = heed::kEos;
  static constexpr std::int32_t kUnk = heed::kUnk;
  static constexpr std::int32_t kNumSpecials = heed::kNumSpecials;
  static const std::vector<std::string>& special_tokens();  // {"<pad>", "<s>", "</s>", "<unk>"}

  // Only the four specials.
  Vocabulary();

  // Every token seen at least min_freq times, ordered by count (descending), then by token
  // (byte order), so the result does not depend on sentence order. max_size > 0 caps the
  // total size, specials included. Tokens spelled like a special are not added again.
  static Vocabulary build(const std::vector<std::vector<std::string>>& sentences, std::size_t min_freq = 1,
                          std::size_t max_size = 0);
  // From a saved list (index = id). Throws std::invalid_argument unless it starts with the
  // four specials in order and holds no empty or repeated token.
  static Vocabulary from_tokens(std::vector<std::string> tokens);

  std::int32_t id(const std::string& token) const;  // kUnk when unknown
  const std::string& token(std::int32_t id) const;  // throws std::out_of_range
  bool contains(const std::string& token) const { return ids_.count(token) > 0; }
  std::size_t size() const { return tokens_.size(); }
  const std::vector<std::string>& tokens() const { return tokens_; }  // index = id, for saving

  // Tokens to ids, no specials added (unknown tokens become kUnk).
  std::vector<std::int32_t> encode(const std::vector<std::string>& tokens) const;
  // Ids to tokens: stops at the first EOS, skips PAD and BOS; UNK decodes as "<unk>".
  std::vector<std::string> decode(const std::vector<std::int32_t>& ids) const;

 private:
  explicit Vocabulary(std::vector<std::string> tokens);  // validates, see from_tokens

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int32_t> ids_;
};

}  // namespace heed
