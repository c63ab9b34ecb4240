// Text lines to one token stream.
#include "data/token_stream.h"

#include "data/utf8.h"
#include "data/vocab.h"

namespace heed {

TokenStream encode_text(const Preprocessor& pre, const std::vector<std::string>& lines) {
  TokenStream s;
  s.ids.push_back(Vocabulary::kEos);
  for (const std::string& line : lines) {
    const std::vector<std::int32_t> ids = pre.encode_target(line, &s.unknown);
    s.ids.insert(s.ids.end(), ids.begin(), ids.end());
    s.ids.push_back(Vocabulary::kEos);
    s.characters += utf8_code_points(line).size() + 1;
  }
  return s;
}

Preprocessor build_text_preprocessor(const std::vector<std::string>& lines, const TokenizerOptions& tokenizer,
                                     std::size_t min_freq) {
  // As target sides of pairs without sources, with one shared vocabulary: the source side adds
  // nothing to it, and both sides of the checkpoint hold the same tokens.
  std::vector<Example> examples;
  examples.reserve(lines.size());
  for (const std::string& line : lines) examples.push_back(Example{"", line, ""});
  return Preprocessor::build(examples, tokenizer, min_freq, /*shared_vocab=*/true);
}

}  // namespace heed
