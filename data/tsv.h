// Reading text: parallel corpora as TSV (one "source<TAB>target" pair per line, UTF-8), and
// plain source lines (heed translate's stdin).
//
// Policy: a UTF-8 BOM at the start of the file is skipped; CRLF and LF endings are both
// accepted; each field is trimmed of surrounding ASCII whitespace. Empty (or whitespace-only)
// lines are SKIPPED and counted. Lines longer than max_line_bytes (excluding the line ending)
// are SKIPPED and counted, without further checks. Every other line must hold exactly two
// non-empty tab-separated fields of valid UTF-8, or reading stops with a std::runtime_error
// of one line: "train.tsv:17: expected 2 tab-separated fields, got 3",
// "train.tsv:4: invalid UTF-8 at byte 12" (1-based byte of the line), "train.tsv:3: NUL byte
// in text at byte 5", "train.tsv: no such file". A corpus without a single valid pair is an
// error: "train.tsv: no sentence pairs".
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace heed {

struct SentencePair {
  std::string source;
  std::string target;
};

struct TsvOptions {
  std::size_t max_line_bytes = 4096;
};

struct TsvCorpus {
  std::vector<SentencePair> pairs;
  std::size_t lines_read = 0;     // every line of the file, skipped or not
  std::size_t skipped_empty = 0;  // empty or whitespace-only lines
  std::size_t skipped_long = 0;   // lines over max_line_bytes
};

// Reads a file; errors name it as given.
TsvCorpus read_tsv(const std::string& path, const TsvOptions& options = {});
// Reads a stream (stdin, tests); `name` stands for the file in errors.
TsvCorpus read_tsv(std::istream& in, const std::string& name, const TsvOptions& options = {});

// Why `text` cannot be used as a sentence, or "" when it can: "invalid UTF-8 at byte N" or
// "NUL byte in text at byte N", N 1-based and counted from `offset` bytes before text. NUL is
// refused because checkpoints store tokens as C strings: a token holding one would come back
// cut short or empty, and the checkpoint could not be loaded again.
std::string text_error(std::string_view text, std::size_t offset = 0);

// Every line of `in` as one sentence (an empty line too, so outputs pair with inputs): a UTF-8
// BOM on the first line is skipped, a CR before the LF dropped, and a line that text_error
// refuses stops reading with a std::runtime_error such as "stdin:3: NUL byte in text at byte 2".
std::vector<std::string> read_text_lines(std::istream& in, const std::string& name);

}  // namespace heed
