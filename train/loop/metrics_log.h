// DIR/metrics.csv: one row per optimizer step; the validation columns are filled at every
// validation (each one printed, the run's last step's included). train_loss_smoothed is the
// loss minimised, with --label-smoothing; valid_loss is plain cross-entropy. Columns added later
// (valid_chrf, valid_token_acc) come after elapsed_s, so that older files keep their columns.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace heed {

struct MetricsRow {
  long long step = 0, epoch = 0;
  double lr = 0, train_loss = 0, tokens_per_s = 0, elapsed_s = 0;
  bool validated = false;  // the validation columns below hold values
  bool translation_metrics = true;  // false (a language model): only valid_loss is filled
  double valid_loss = 0, valid_exact_match = 0, valid_bleu = 0, valid_chrf = 0, valid_token_acc = 0;
};

class MetricsLog {
 public:
  // Opens DIR/metrics.csv for a run at `step`: keeps the rows up to that step (rows after it
  // came after the last save and will be written again by the resumed run); a new run
  // (step 0) starts the file with its header.
  MetricsLog(const std::string& path, long long step);
  // Throws std::runtime_error "PATH: cannot write (REASON)" when the row does not reach the file.
  void append(const MetricsRow& row) const;

  static const char* header();

 private:
  void check_written(std::ofstream& out) const;
  std::string path_;
};

// A metrics.csv read back (heed plot): each column by its header name, one value per row, NaN
// where a row leaves it empty (steps without validation). Columns this heed does not write are
// kept too. One-line std::runtime_error naming the file (and line) for a missing file, a file
// without a step column, a row with another number of fields, a field that is not a number, or
// an empty, infinite or NaN step (an empty value elsewhere is a gap: not measured then); a
// last line cut short (a run killed while writing it) is skipped.
struct MetricsTable {
  std::vector<std::string> columns;                        // in the file's order
  std::map<std::string, std::vector<double>> values;       // column -> one value per row
  std::size_t rows() const { return values.empty() ? 0 : values.begin()->second.size(); }
};
MetricsTable read_metrics_csv(const std::string& path);

}  // namespace heed
