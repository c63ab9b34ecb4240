// Parallel corpora as TSV: one "source<TAB>target" pair per line, UTF-8.
//
// Policy: a UTF-8 BOM at the start of the file is skipped; CRLF and LF endings are both
// accepted; each field is trimmed of surrounding ASCII whitespace. Empty (or whitespace-only)
// lines are SKIPPED and counted. Lines longer than max_line_bytes (excluding the line ending)
// are SKIPPED and counted, without further checks. Every other line must hold exactly two
// non-empty tab-separated fields of valid UTF-8, or reading stops with a std::runtime_error
// of one line: "train.tsv:17: expected 2 tab-separated fields, got 3",
// "train.tsv:4: invalid UTF-8 at byte 12" (1-based byte of the line), "train.tsv: no such
// file". A corpus without a single valid pair is an error: "train.tsv: no sentence pairs".
#pragma once

#include <cstddef>
#include <istream>
#include <string>
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

}  // namespace heed
