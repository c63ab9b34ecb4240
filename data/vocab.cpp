// Vocabulary: counting, ordering and lookups.
#include "data/vocab.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace heed {

const std::vector<std::string>& Vocabulary::special_tokens() {
  static const std::vector<std::string> specials = {"<pad>", "<s>", "</s>", "<unk>"};
  return specials;
}

Vocabulary::Vocabulary() : Vocabulary(special_tokens()) {}

Vocabulary Vocabulary::build(const std::vector<std::vector<std::string>>& sentences, std::size_t min_freq,
                             std::size_t max_size) {
  if (max_size != 0 && max_size < static_cast<std::size_t>(kNumSpecials)) {
    throw std::invalid_argument("vocabulary: max_size must be 0 (no limit) or at least 4 (the specials), got " +
                                std::to_string(max_size));
  }
  std::map<std::string, std::size_t> counts;
  for (const auto& sentence : sentences) {
    for (const auto& token : sentence) ++counts[token];
  }
  const auto& specials = special_tokens();
  std::vector<std::pair<std::string, std::size_t>> ranked;
  for (auto& [token, count] : counts) {
    const bool special = std::find(specials.begin(), specials.end(), token) != specials.end();
    if (!special && !token.empty() && count >= std::max<std::size_t>(min_freq, 1)) ranked.emplace_back(token, count);
  }
  std::stable_sort(ranked.begin(), ranked.end(),  // counts is sorted by token, so ties stay in token order
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> tokens = specials;
  for (auto& entry : ranked) {
    if (max_size != 0 && tokens.size() >= max_size) break;
    tokens.push_back(std::move(entry.first));
  }
  return from_tokens(std::move(tokens));
}

Vocabulary Vocabulary::from_tokens(std::vector<std::string> tokens) { return Vocabulary(std::move(tokens)); }

Vocabulary::Vocabulary(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
  const auto& specials = special_tokens();
  for (std::size_t i = 0; i < specials.size(); ++i) {
    if (i >= tokens_.size()) {
      throw std::invalid_argument("vocabulary: expected the 4 specials <pad> <s> </s> <unk> first, got only " +
                                  std::to_string(tokens_.size()) + " tokens");
    }
    if (tokens_[i] != specials[i]) {
      throw std::invalid_argument("vocabulary: id " + std::to_string(i) + " must be \"" + specials[i] + "\", got \"" +
                                  tokens_[i] + "\"");
    }
  }
  ids_.reserve(tokens_.size());
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    const std::string& token = tokens_[i];
    if (token.empty()) throw std::invalid_argument("vocabulary: id " + std::to_string(i) + " is an empty token");
    const auto [it, inserted] = ids_.emplace(token, static_cast<std::int32_t>(i));
    if (!inserted) {
      throw std::invalid_argument("vocabulary: token \"" + token + "\" appears twice, at ids " +
                                  std::to_string(it->second) + " and " + std::to_string(i));
    }
  }
}

std::int32_t Vocabulary::id(const std::string& token) const {
  const auto it = ids_.find(token);
  return it == ids_.end() ? kUnk : it->second;
}

const std::string& Vocabulary::token(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size()) {
    throw std::out_of_range("vocabulary: id " + std::to_string(id) + " is outside [0, " +
                            std::to_string(tokens_.size()) + ")");
  }
  return tokens_[static_cast<std::size_t>(id)];
}

std::vector<std::int32_t> Vocabulary::encode(const std::vector<std::string>& tokens) const {
  std::vector<std::int32_t> ids;
  ids.reserve(tokens.size());
  for (const auto& token : tokens) ids.push_back(id(token));
  return ids;
}

std::vector<std::string> Vocabulary::decode(const std::vector<std::int32_t>& ids) const {
  std::vector<std::string> tokens;
  for (const std::int32_t id : ids) {
    if (id == kEos) break;
    if (id == kPad || id == kBos) continue;
    tokens.push_back(token(id));
  }
  return tokens;
}

}  // namespace heed
