// metrics.csv rows.
#include "train/loop/metrics_log.h"

#include <cerrno>
#include <cstring>
#include <fstream>
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

}  // namespace heed
