// The char, word and BPE tokenizers (BPE with merges learned once from a few sentences) on
// arbitrary text: invalid UTF-8 gives std::invalid_argument; anything else gives non-empty
// tokens, and char and BPE give the text back exactly (tokenizer.h, bpe.h).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/bpe.h"
#include "data/tokenizer.h"
#include "data/utf8.h"
#include "fuzz/fuzz_support.h"

namespace {

using heed::fuzz::check;

const heed::BpeTokenizer& bpe() {
  static const heed::BpeTokenizer tokenizer = heed::BpeTokenizer::learn(
      {"the cat sat on the mat because it was soft", "le chat s'est assis sur le tapis parce qu'il était doux",
       "the small dog ate the old carrot.", "« Fichier non trouvé » — l'élève, qu'il…", "3.14 well-known and/or"},
      200);
  return tokenizer;
}

void check_tokens(const std::vector<std::string>& tokens, const char* tokenizer) {
  for (const std::string& token : tokens) {
    if (token.empty()) heed::fuzz::finding(std::string(tokenizer) + " tokenizer made an empty token");
  }
}

// The tokens of `text` after checking the promises every tokenizer keeps (empty for invalid
// UTF-8); `exact`: detokenize gives the text back.
std::vector<std::string> fuzz_tokenizer(const heed::Tokenizer& tokenizer, const std::string& text, bool valid,
                                        bool exact) {
  std::vector<std::string> tokens;
  try {
    tokens = tokenizer.tokenize(text);
  } catch (const std::invalid_argument& e) {
    check(!valid, "valid UTF-8 refused");
    heed::fuzz::check_one_line(e.what());
    return {};
  }
  check(valid, "invalid UTF-8 tokenized");
  check_tokens(tokens, tokenizer.type().c_str());
  const std::string back = tokenizer.detokenize(tokens);
  // U+2581 stands for a space in char and BPE tokens, so text holding it cannot come back.
  if (exact && text.find(heed::kSpaceMarker) == std::string::npos && back != text) {
    heed::fuzz::finding(tokenizer.type() + " tokenizer does not give the text back");
  }
  return tokens;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const bool valid = heed::utf8_error_offset(text) == std::string::npos;
  fuzz_tokenizer(heed::CharTokenizer(), text, valid, true);
  for (const std::string& token : fuzz_tokenizer(heed::WordTokenizer(), text, valid, false)) {
    for (const std::string& c : heed::utf8_code_points(token)) check(!heed::is_space_char(c), "word token holds a space");
  }
  for (const std::string& token : fuzz_tokenizer(bpe(), text, valid, true)) {
    check(token.find(' ') == std::string::npos, "BPE token holds a space (merges are stored space-separated)");
  }
  return 0;
}
