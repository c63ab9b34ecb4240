// Learning BPE merges, applying them and building vocabularies, on arbitrary sentences. The
// first byte picks the number of merges, the second the vocabulary's limits; the rest is the
// sentences, one per line. Promises checked: merges are storable ("left right", parse_merge gives them
// back) and load again, the learned tokenizer gives each sentence back exactly, and the
// vocabulary saved as a token list loads again and encodes every token it was built from.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/bpe.h"
#include "data/utf8.h"
#include "data/vocab.h"
#include "fuzz/fuzz_support.h"

namespace {

using heed::fuzz::check;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  lines.push_back(text.substr(start));
  return lines;
}

bool is_special(const std::string& token) {
  for (const std::string& special : heed::Vocabulary::special_tokens())
    if (token == special) return true;
  return false;
}

void check_merges(const std::vector<heed::BpeMerge>& merges) {
  for (const heed::BpeMerge& merge : merges) {
    check(heed::parse_merge(heed::format_merge(merge)) == merge, "a merge does not survive its text form");
  }
  const heed::BpeTokenizer reloaded(merges);  // throws on a merge a checkpoint could not hold
  check(reloaded.merges() == merges, "reloaded merges differ");
}

void check_vocabulary(const std::vector<std::vector<std::string>>& tokenized, std::uint8_t knobs) {
  const std::size_t min_freq = knobs & 3u;
  const std::size_t max_size = (knobs & 4u) ? 4 + ((knobs >> 3) & 7u) : 0;
  const heed::Vocabulary vocab = heed::Vocabulary::build(tokenized, min_freq, max_size);
  const heed::Vocabulary reloaded = heed::Vocabulary::from_tokens(vocab.tokens());
  check(reloaded.tokens() == vocab.tokens(), "reloaded vocabulary differs");
  check(max_size == 0 || vocab.size() <= max_size, "vocabulary over its max_size");
  for (const auto& sentence : tokenized) {
    const std::vector<std::int32_t> ids = vocab.encode(sentence);
    for (std::size_t i = 0; i < sentence.size(); ++i) {
      const std::int32_t id = ids[i];
      check(id == heed::Vocabulary::kUnk || vocab.token(id) == sentence[i], "a token encodes to another token's id");
      if (max_size == 0 && min_freq <= 1 && !is_special(sentence[i])) check(id != heed::Vocabulary::kUnk, "a seen token is unknown");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const int num_merges = data[0] & 63;
  const std::vector<std::string> sentences = split_lines(std::string(reinterpret_cast<const char*>(data) + 2, size - 2));
  bool valid = true;
  for (const std::string& s : sentences) valid = valid && heed::utf8_error_offset(s) == std::string::npos;
  heed::BpeTokenizer bpe;
  try {
    bpe = heed::BpeTokenizer::learn(sentences, num_merges);
  } catch (const std::invalid_argument& e) {
    check(!valid, "valid UTF-8 refused");
    heed::fuzz::check_one_line(e.what());
    return 0;
  }
  check(valid, "invalid UTF-8 learned from");
  check(bpe.merges().size() <= static_cast<std::size_t>(num_merges), "more merges than asked for");
  check_merges(bpe.merges());
  std::vector<std::vector<std::string>> tokenized;
  for (const std::string& s : sentences) {
    tokenized.push_back(bpe.tokenize(s));
    for (const std::string& token : tokenized.back()) check(!token.empty(), "empty BPE token");
    if (s.find(heed::kSpaceMarker) == std::string::npos) check(bpe.detokenize(tokenized.back()) == s, "BPE round trip");
  }
  check_vocabulary(tokenized, data[1]);
  return 0;
}
