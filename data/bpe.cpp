// BPE: pre-splitting into words, learning merges by pair counts, applying them by rank.
#include "data/bpe.h"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <tuple>

#include "data/utf8.h"

namespace heed {

namespace {

std::string key(const std::string& left, const std::string& right) { return left + " " + right; }

// Replaces each occurrence of (left, right) in `word`, left to right, by `merged`.
template <typename Symbol>
std::vector<Symbol> merge_pair(const std::vector<Symbol>& word, const Symbol& left, const Symbol& right,
                               const Symbol& merged) {
  std::vector<Symbol> out;
  out.reserve(word.size());
  for (std::size_t i = 0; i < word.size(); ++i) {
    const bool match = i + 1 < word.size() && word[i] == left && word[i + 1] == right;
    out.push_back(match ? merged : word[i]);
    i += match;
  }
  return out;
}

}  // namespace

std::vector<std::vector<std::string>> bpe_words(const std::string& text) {
  std::vector<std::vector<std::string>> words;
  std::vector<std::string> word;
  const auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (auto& c : utf8_code_points(text, "bpe tokenizer")) {
    if (c == " ") {
      flush();
      word.push_back(kSpaceMarker);
    } else if (!is_space_char(c) && !is_punctuation_char(c)) {
      word.push_back(std::move(c));
    } else {
      if (!(word.size() == 1 && word[0] == kSpaceMarker)) flush();
      word.push_back(std::move(c));
      flush();
    }
  }
  flush();
  return words;
}

BpeTokenizer::BpeTokenizer(std::vector<BpeMerge> merges) : merges_(std::move(merges)) {
  for (std::size_t i = 0; i < merges_.size(); ++i) {
    const auto& [left, right] = merges_[i];
    if (left.empty() || right.empty() || left.find(' ') != std::string::npos ||
        right.find(' ') != std::string::npos) {
      throw std::invalid_argument("bpe merge " + std::to_string(i) + ": expected two non-empty symbols without "
                                  "spaces, got \"" + left + "\" + \"" + right + "\"");
    }
    ranks_.emplace(key(left, right), static_cast<int>(i));  // a repeated merge keeps its first rank
  }
}

BpeTokenizer BpeTokenizer::learn(const std::vector<std::string>& sentences, int num_merges) {
  std::map<std::string, std::int64_t> word_counts;  // ordered, so symbol ids are deterministic
  for (const auto& sentence : sentences) {
    for (const auto& word : bpe_words(sentence)) {
      std::string joined;
      for (const auto& c : word) joined += c + " ";  // code points never hold a plain space
      ++word_counts[joined];
    }
  }
  std::vector<std::string> symbols;               // id -> symbol
  std::unordered_map<std::string, int> symbol_id;  // symbol -> id
  const auto intern = [&](const std::string& s) {
    const auto [it, inserted] = symbol_id.emplace(s, static_cast<int>(symbols.size()));
    if (inserted) symbols.push_back(s);
    return it->second;
  };
  std::vector<std::vector<int>> words;
  std::vector<std::int64_t> counts;
  for (const auto& [joined, count] : word_counts) {
    std::vector<int> word;
    for (std::size_t start = 0, end; (end = joined.find(' ', start)) != std::string::npos; start = end + 1) {
      word.push_back(intern(joined.substr(start, end - start)));
    }
    words.push_back(std::move(word));
    counts.push_back(count);
  }
  const auto pair_key = [](int a, int b) { return (static_cast<std::uint64_t>(a) << 32) | static_cast<std::uint32_t>(b); };
  std::unordered_map<std::uint64_t, std::int64_t> pair_counts;
  const auto add_pairs = [&](const std::vector<int>& word, std::int64_t sign_count) {
    for (std::size_t i = 0; i + 1 < word.size(); ++i) pair_counts[pair_key(word[i], word[i + 1])] += sign_count;
  };
  for (std::size_t w = 0; w < words.size(); ++w) add_pairs(words[w], counts[w]);

  std::vector<BpeMerge> merges;
  for (int step = 0; step < num_merges; ++step) {
    const auto as_strings = [&](std::uint64_t p) { return std::tie(symbols[p >> 32], symbols[p & 0xFFFFFFFFu]); };
    std::uint64_t best = 0;
    std::int64_t best_count = 1;  // a merge must cover at least two occurrences
    for (const auto& [pair, count] : pair_counts) {
      if (count > best_count || (count == best_count && count > 1 && as_strings(pair) < as_strings(best))) {
        best = pair;
        best_count = count;
      }
    }
    if (best_count < 2) break;
    const int left = static_cast<int>(best >> 32), right = static_cast<int>(best & 0xFFFFFFFFu);
    merges.emplace_back(symbols[left], symbols[right]);
    const int merged = intern(symbols[left] + symbols[right]);
    for (std::size_t w = 0; w < words.size(); ++w) {
      std::vector<int>& word = words[w];
      bool found = false;
      for (std::size_t i = 0; i + 1 < word.size() && !found; ++i) found = word[i] == left && word[i + 1] == right;
      if (!found) continue;
      add_pairs(word, -counts[w]);
      word = merge_pair(word, left, right, merged);
      add_pairs(word, counts[w]);
    }
  }
  return BpeTokenizer(std::move(merges));
}

std::vector<std::string> BpeTokenizer::encode_word(std::vector<std::string> symbols) const {
  while (symbols.size() > 1) {
    int best_rank = -1;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      const auto it = ranks_.find(key(symbols[i], symbols[i + 1]));
      if (it != ranks_.end() && (best_rank < 0 || it->second < best_rank)) best_rank = it->second;
    }
    if (best_rank < 0) break;
    const auto& [left, right] = merges_[static_cast<std::size_t>(best_rank)];
    symbols = merge_pair(symbols, left, right, left + right);
  }
  return symbols;
}

std::vector<std::string> BpeTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  for (auto& word : bpe_words(text)) {
    for (auto& token : encode_word(std::move(word))) tokens.push_back(std::move(token));
  }
  return tokens;
}

std::string BpeTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  const std::string marker = kSpaceMarker;
  std::string text;
  for (const auto& token : tokens) {
    for (std::size_t start = 0;;) {
      const std::size_t at = token.find(marker, start);
      text.append(token, start, at == std::string::npos ? std::string::npos : at - start);
      if (at == std::string::npos) break;
      text += ' ';
      start = at + marker.size();
    }
  }
  return text;
}

std::string format_merge(const BpeMerge& merge) { return merge.first + " " + merge.second; }

BpeMerge parse_merge(const std::string& line) {
  const std::size_t space = line.find(' ');
  if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
      line.find(' ', space + 1) != std::string::npos) {
    throw std::invalid_argument("bpe merge: expected \"left right\" (one space between two symbols), got \"" +
                                line + "\"");
  }
  return {line.substr(0, space), line.substr(space + 1)};
}

}  // namespace heed
