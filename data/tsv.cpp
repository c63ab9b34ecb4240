// Reading TSV parallel corpora and plain text lines, with the checks and skips tsv.h states.
#include "data/tsv.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "data/utf8.h"

namespace heed {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string text_error(std::string_view text, std::size_t offset) {
  if (const std::size_t bad = utf8_error_offset(text); bad != std::string_view::npos)
    return "invalid UTF-8 at byte " + std::to_string(offset + bad + 1);
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos)
    return "NUL byte in text at byte " + std::to_string(offset + nul + 1);
  return "";
}

std::vector<std::string> read_text_lines(std::istream& in, const std::string& name) {
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    std::string_view text = line;
    if (lines.empty() && text.starts_with(kBom)) text.remove_prefix(kBom.size());
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (const std::string error = text_error(text, static_cast<std::size_t>(text.data() - line.data()));
        !error.empty())
      throw std::runtime_error(name + ":" + std::to_string(lines.size() + 1) + ": " + error);
    lines.emplace_back(text);
  }
  if (in.bad()) throw std::runtime_error(name + ": read error after line " + std::to_string(lines.size()));
  return lines;
}

TsvCorpus read_tsv(const std::string& path, const TsvOptions& options) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) throw std::runtime_error(path + ": no such file");
  if (std::filesystem::is_directory(path, error)) throw std::runtime_error(path + ": is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open for reading");
  return read_tsv(in, path, options);
}

TsvCorpus read_tsv(std::istream& in, const std::string& name, const TsvOptions& options) {
  TsvCorpus corpus;
  std::string line;
  while (std::getline(in, line)) {
    ++corpus.lines_read;
    const std::string where = name + ":" + std::to_string(corpus.lines_read) + ": ";
    std::string_view text = line;
    if (corpus.lines_read == 1 && text.starts_with(kBom)) text.remove_prefix(kBom.size());
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (trim(text).empty()) {
      ++corpus.skipped_empty;
      continue;
    }
    if (text.size() > options.max_line_bytes) {
      ++corpus.skipped_long;
      continue;
    }
    const std::size_t bom = static_cast<std::size_t>(text.data() - line.data());  // bytes count the BOM too
    if (const std::string error = text_error(text, bom); !error.empty()) throw std::runtime_error(where + error);
    const std::size_t tab = text.find('\t');
    std::size_t fields = 1;
    for (char c : text) fields += c == '\t';
    if (fields != 2) {
      throw std::runtime_error(where + "expected 2 tab-separated fields, got " + std::to_string(fields));
    }
    const std::string_view source = trim(text.substr(0, tab)), target = trim(text.substr(tab + 1));
    if (source.empty()) throw std::runtime_error(where + "empty source field (before the tab)");
    if (target.empty()) throw std::runtime_error(where + "empty target field (after the tab)");
    corpus.pairs.push_back({std::string(source), std::string(target)});
  }
  if (in.bad()) throw std::runtime_error(name + ": read error after line " + std::to_string(corpus.lines_read));
  if (corpus.pairs.empty()) {
    std::string detail;
    if (corpus.lines_read > 0) {
      detail = " (" + std::to_string(corpus.lines_read) + " lines: " + std::to_string(corpus.skipped_empty) +
               " empty, " + std::to_string(corpus.skipped_long) + " longer than " +
               std::to_string(options.max_line_bytes) + " bytes)";
    }
    throw std::runtime_error(name + ": no sentence pairs" + detail);
  }
  return corpus;
}

}  // namespace heed
