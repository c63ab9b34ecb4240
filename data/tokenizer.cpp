// Character and word tokenizers, and the factory.
#include "data/tokenizer.h"

#include <algorithm>
#include <stdexcept>

#include "data/bpe.h"
#include "data/utf8.h"

namespace heed {

std::vector<std::string> CharTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens = utf8_code_points(text, "char tokenizer");
  for (auto& token : tokens) {
    if (token == " ") token = kSpaceMarker;
  }
  return tokens;
}

std::string CharTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  std::string text;
  for (const auto& token : tokens) text += token == kSpaceMarker ? std::string(" ") : token;
  return text;
}

namespace {

bool is_apostrophe(const std::string& c) { return c == "'" || c == "\xE2\x80\x99"; }  // ' or ’

bool is_word_char(const std::string& c) { return !is_space_char(c) && !is_punctuation_char(c); }

bool in(const std::string& token, std::initializer_list<const char*> set) {
  return std::any_of(set.begin(), set.end(), [&](const char* s) { return token == s; });
}

}  // namespace

std::vector<std::string> WordTokenizer::tokenize(const std::string& text) const {
  const std::vector<std::string> chars = utf8_code_points(text, "word tokenizer");
  std::vector<std::string> tokens;
  std::string word;  // the token being built; when non-empty it ends with a word character
  const auto flush = [&] {
    if (!word.empty()) tokens.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const std::string& c = chars[i];
    const bool next_is_word = i + 1 < chars.size() && is_word_char(chars[i + 1]);
    if (is_space_char(c)) {
      flush();
    } else if (is_word_char(c)) {
      word += c;
    } else if (is_apostrophe(c) && !word.empty() && next_is_word) {
      word += c;  // a clitic: "qu'" ends here, "il" starts the next token
      flush();
    } else if (!is_apostrophe(c) && !word.empty() && next_is_word) {
      word += c;  // "3.14", "well-known"
    } else {
      flush();
      tokens.push_back(c);
    }
  }
  flush();
  return tokens;
}

std::string WordTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  std::string text;
  bool open_double = false, open_single = false;  // inside "..." or '...'
  bool glue_next = true;                           // no space before the next token
  for (const auto& token : tokens) {
    // French spaces its guillemets, « ainsi », so « and » take spaces on both sides.
    bool glue_before = in(token, {".", ",", "!", "?", ";", ":", ")", "]", "}", "%", "…", "”", "’"});
    bool glue_after = in(token, {"(", "[", "{", "“", "‘", "„", "¿", "¡", "$"});
    if (token == "\"" || token == "'") {
      bool& open = token == "\"" ? open_double : open_single;
      glue_before = open;  // a closing quote hugs the word before, an opening one the word after
      glue_after = !open;
      open = !open;
    } else if (token.size() > 1 && (token.back() == '\'' || token.ends_with("\xE2\x80\x99"))) {
      glue_after = true;  // a clitic: qu' + il
    }
    if (!glue_next && !glue_before) text += ' ';
    text += token;
    glue_next = glue_after;
  }
  return text;
}

std::vector<std::string> tokenizer_types() { return {"char", "word", "bpe", "spm"}; }

std::unique_ptr<Tokenizer> make_tokenizer(const std::string& type,
                                          std::vector<std::pair<std::string, std::string>> bpe_merges) {
  if (type == "char") return std::make_unique<CharTokenizer>();
  if (type == "word") return std::make_unique<WordTokenizer>();
  if (type == "bpe") return std::make_unique<BpeTokenizer>(std::move(bpe_merges));
  if (type == "spm") throw std::invalid_argument("tokenizer spm: needs its SentencePiece model (data/spm.h)");
  throw std::invalid_argument("unknown tokenizer '" + type + "'; valid tokenizers: char, word, bpe, spm");
}

}  // namespace heed
