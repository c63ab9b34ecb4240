// The TSV reader and the plain line reader (translate's stdin) on arbitrary bytes: either a
// one-line error naming the file and line, or sentences that keep every promise of tsv.h.
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "data/tsv.h"
#include "fuzz/fuzz_support.h"

namespace {

using heed::fuzz::check;

bool has_outer_space(const std::string& s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  return space(s.front()) || space(s.back());
}

void check_sentence(const std::string& s) {
  check(!s.empty(), "empty field accepted");
  check(heed::text_error(s).empty(), "field with invalid UTF-8 or NUL accepted");
  check(s.find('\t') == std::string::npos && s.find('\n') == std::string::npos, "field holds a tab or newline");
  check(!has_outer_space(s), "field not trimmed");
}

void fuzz_tsv(const std::string& bytes) {
  std::istringstream in(bytes);
  try {
    // A small line limit, so that skipping long lines is exercised too.
    const heed::TsvCorpus corpus = heed::read_tsv(in, "fuzz.tsv", heed::TsvOptions{.max_line_bytes = 64});
    check(!corpus.pairs.empty(), "a corpus without pairs accepted");
    check(corpus.pairs.size() + corpus.skipped_empty + corpus.skipped_long == corpus.lines_read,
          "lines are neither read nor counted as skipped");
    for (const heed::SentencePair& pair : corpus.pairs) {
      check_sentence(pair.source);
      check_sentence(pair.target);
    }
  } catch (const std::runtime_error& e) {
    heed::fuzz::check_one_line(e.what());
    check(std::string_view(e.what()).starts_with("fuzz.tsv:"), "TSV error does not name the file");
  }
}

void fuzz_text_lines(const std::string& bytes) {
  std::istringstream in(bytes);
  try {
    const std::vector<std::string> lines = heed::read_text_lines(in, "stdin");
    std::size_t newlines = 0;
    for (char c : bytes) newlines += c == '\n';
    const std::size_t expected = newlines + (!bytes.empty() && bytes.back() != '\n');
    check(lines.size() == expected, "line count differs from the input's");
    for (const std::string& line : lines) {
      check(heed::text_error(line).empty(), "line with invalid UTF-8 or NUL accepted");
      check(line.find('\n') == std::string::npos, "line holds a newline");
    }
  } catch (const std::runtime_error& e) {
    heed::fuzz::check_one_line(e.what());
    check(std::string_view(e.what()).starts_with("stdin:"), "line error does not name the input");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  fuzz_tsv(bytes);
  fuzz_text_lines(bytes);
  return 0;
}
