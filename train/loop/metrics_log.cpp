// metrics.csv rows.
#include "train/loop/metrics_log.h"

#include <cerrno>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <sstream>
#include <vector>

namespace heed {

const char* MetricsLog::header() {
  return "step,epoch,lr,train_loss_smoothed,tokens_per_s,valid_loss,valid_exact_match,valid_bleu,elapsed_s,valid_chrf,"
         "valid_token_acc";
}

MetricsLog::MetricsLog(const std::string& path, long long step) : path_(path) {
  std::vector<std::string> kept{header()};
  std::ifstream in(path);
  std::string line;
  bool first = true;
  while (step > 0 && std::getline(in, line)) {
    if (first) {  // the header, rewritten above
      first = false;
      continue;
    }
    try {
      if (std::stoll(line.substr(0, line.find(','))) <= step) kept.push_back(line);
    } catch (const std::exception&) {  // a row cut short by a kill: written again
    }
  }
  std::ofstream out(path, std::ios::trunc);
  for (const std::string& l : kept) out << l << "\n";
  check_written(out);
}

// A row that did not reach the file (a full disk, an I/O error) ends the run with the reason,
// as a failed checkpoint save does, instead of leaving silent gaps in metrics.csv.
void MetricsLog::check_written(std::ofstream& out) const {
  errno = 0;
  out.flush();
  if (!out) throw std::runtime_error(path_ + ": cannot write (" + (errno ? std::strerror(errno) : "I/O error") + ")");
}

void MetricsLog::append(const MetricsRow& r) const {
  std::ostringstream row;
  row << r.step << ',' << r.epoch << ',' << r.lr << ',' << r.train_loss << ',' << (long long)r.tokens_per_s << ',';
  const bool translated = r.validated && r.translation_metrics;
  if (r.validated) row << r.valid_loss;
  row << ',';
  if (translated) row << r.valid_exact_match << ',' << r.valid_bleu;
  else row << ',';
  row << ',' << r.elapsed_s << ',';
  if (translated) row << r.valid_chrf << ',' << r.valid_token_acc;
  else row << ',';
  row << "\n";
  std::ofstream out(path_, std::ios::app);
  out << row.str();
  check_written(out);
}

namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
    fields.push_back(line.substr(start, comma - start));
  fields.push_back(line.substr(start));
  return fields;
}

}  // namespace

MetricsTable read_metrics_csv(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw std::runtime_error(path + ": no such file");
  if (fs::is_directory(path, ec)) throw std::runtime_error(path + ": is a directory, not a metrics.csv file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    const bool complete = end != std::string::npos;
    if (!complete) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (complete || lines.empty()) lines.push_back(line);  // an unfinished last row is dropped
    start = end + 1;
  }
  MetricsTable table;
  if (lines.empty() || lines.front().empty()) throw std::runtime_error(path + ": empty file, not a metrics.csv");
  table.columns = split_fields(lines.front());
  if (table.columns.front() != "step")
    throw std::runtime_error(path + ":1: not a heed metrics.csv (the header starts with '" + table.columns.front() +
                             "', not 'step')");
  for (const std::string& c : table.columns) table.values[c];
  for (std::size_t n = 1; n < lines.size(); ++n) {
    if (lines[n].empty()) continue;
    const std::vector<std::string> fields = split_fields(lines[n]);
    const std::string where = path + ":" + std::to_string(n + 1) + ": ";
    if (fields.size() != table.columns.size())
      throw std::runtime_error(where + "expected " + std::to_string(table.columns.size()) + " comma-separated fields, got " +
                               std::to_string(fields.size()));
    for (std::size_t i = 0; i < fields.size(); ++i) {
      double v = std::numeric_limits<double>::quiet_NaN();
      if (!fields[i].empty()) {
        char* end = nullptr;
        v = std::strtod(fields[i].c_str(), &end);
        if (end != fields[i].c_str() + fields[i].size())
          throw std::runtime_error(where + table.columns[i] + " '" + fields[i] + "' is not a number");
      }
      // Every row is at a step: an empty or non-finite step would be drawn as a gap, silently.
      if (i == 0 && !std::isfinite(v)) throw std::runtime_error(where + "step '" + fields[i] + "' is not a number");
      table.values[table.columns[i]].push_back(v);
    }
  }
  return table;
}

}  // namespace heed
