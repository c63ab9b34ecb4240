// Tokenizers turn a sentence into string tokens and back: Tokenizer is the interface,
// CharTokenizer and WordTokenizer live here, BpeTokenizer in data/bpe.h, SpmTokenizer in data/spm.h.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace heed {

// Stands for a space in char and BPE tokens, so every token is visible (U+2581).
inline constexpr const char* kSpaceMarker = "\xE2\x96\x81";

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // Throws std::invalid_argument on invalid UTF-8.
  virtual std::vector<std::string> tokenize(const std::string& text) const = 0;
  virtual std::string detokenize(const std::vector<std::string>& tokens) const = 0;
  virtual std::string type() const = 0;  // "char", "word", "bpe" or "spm", as in checkpoints
};

// One token per UTF-8 code point; a space becomes kSpaceMarker. detokenize(tokenize(s)) == s
// for every valid UTF-8 s that does not itself contain U+2581.
class CharTokenizer final : public Tokenizer {
 public:
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
  std::string type() const override { return "char"; }
};

// Splits on whitespace and splits punctuation off words. Kept inside a word: punctuation
// between two word characters ("3.14", "well-known", "and/or"). An apostrophe between
// letters ends its token, as French clitics do: "qu'il" -> "qu'" "il", "s'est" -> "s'" "est".
// detokenize puts single spaces back except before closing and after opening punctuation
// and after clitics, so typical sentences round-trip; runs of whitespace do not.
class WordTokenizer final : public Tokenizer {
 public:
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
  std::string type() const override { return "word"; }
};

// "char", "word" or "bpe" (BPE takes its ordered merges; none means single characters); "spm"
// needs its model, so SpmTokenizer (data/spm.h) is made directly. Throws std::invalid_argument
// naming the valid types.
std::unique_ptr<Tokenizer> make_tokenizer(const std::string& type,
                                          std::vector<std::pair<std::string, std::string>> bpe_merges = {});
std::vector<std::string> tokenizer_types();  // {"char", "word", "bpe", "spm"}

}  // namespace heed
