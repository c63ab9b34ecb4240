// A plain text as a language model reads it: one stream of token ids in which each line's tokens
// are followed by </s>, which stands for the line's end, after one leading </s> that stands for
// the line break before the text. So every token and every line end is predicted from what
// precedes it, with the same tokenizers and vocabularies as sentence pairs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/preprocessor.h"

namespace heed {

struct TokenStream {
  std::vector<std::int32_t> ids;  // </s>, then per line: its tokens, </s>
  // Characters of the text: every line's code points plus one for its line end (the last line's
  // too, as if the file ended in a newline). What bits per character divides by.
  std::size_t characters = 0;
  std::size_t unknown = 0;  // tokens that are not in the vocabulary (<unk>)
  std::size_t predicted() const { return ids.empty() ? 0 : ids.size() - 1; }  // all but the leading </s>
};

TokenStream encode_text(const Preprocessor& pre, const std::vector<std::string>& lines);

// The tokenizer and one vocabulary (source and target alike) learned from the lines of a text.
Preprocessor build_text_preprocessor(const std::vector<std::string>& lines, const TokenizerOptions& tokenizer,
                                     std::size_t min_freq);

}  // namespace heed
