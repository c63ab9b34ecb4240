// heed plot: training and validation curves of one or more runs (their metrics.csv), one panel
// per quantity, drawn as PNG or SVG.
#include <filesystem>
#include <iostream>

#include "pictures/line_chart.h"
#include "train/cli/cli.h"
#include "train/cli/metric_panels.h"
#include "train/cli/option_checks.h"
#include "train/cli/picture_files.h"
#include "train/loop/metrics_log.h"

namespace heed::cli {

namespace {

constexpr const char* kUsage = R"(--metrics DIR/metrics.csv [--metrics DIR2/metrics.csv ...] (--png OUT.png | --svg OUT.svg) [options]

Draws the curves of training runs from the metrics.csv files heed train writes: the training
loss at every step (faint) with its running mean (bold), and each validation quantity the runs
recorded (valid loss, exact match, BLEU, chrF, token accuracy), one panel each, against the
step. Several --metrics files put several runs on the same panels, one colour per run, named
by --label or else by the run's directory.)";

int run_plot(const po::variables_map& vm);

}  // namespace

Command parse_plot(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("metrics", po::value<std::vector<std::string>>()->required(),
                        "a run's metrics.csv; repeat it to compare runs on one plot")(
      "label", po::value<std::vector<std::string>>(), "the runs' names in the legend, one per --metrics, in order "
                                                      "(default: each file's directory name)")(
      "title", po::value<std::string>()->default_value("training curves"), "the plot's title")(
      "smooth", po::value<long long>()->default_value(0),
      "the train loss's running mean over this many steps (0 = a fortieth of the longest run; 1 = none)")(
      "log-loss", flag(), "logarithmic y axis for the losses");
  options.add(picture_options());
  po::variables_map vm;
  if (!parse("plot", kUsage, options, args, vm)) return {};
  return Command{.process = {}, .run = [vm] { return run_plot(vm); }};
}

namespace {

// The default label: the file's directory ("runs/toy-fr/metrics.csv" -> "toy-fr").
std::string run_name(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return dir.empty() ? std::filesystem::current_path().filename().string() : dir.filename().string();
}

int run_plot(const po::variables_map& vm) {
  const auto paths = vm["metrics"].as<std::vector<std::string>>();
  std::vector<NamedFile> inputs;
  for (const std::string& path : paths) inputs.push_back({"--metrics", path});
  const PictureFiles files(vm, inputs);
  std::vector<std::string> labels = vm.count("label") ? vm["label"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (!labels.empty() && labels.size() != paths.size())
    throw UsageError("--label: " + std::to_string(labels.size()) + " labels for " + std::to_string(paths.size()) +
                     " --metrics files (give one per file, or none)");
  const long long smooth = checked_int(vm, "smooth", 0, 1'000'000);
  require_pictures();
  std::vector<MetricsTable> tables;
  for (const std::string& path : paths) {
    try {
      tables.push_back(read_metrics_csv(path));
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
    if (labels.size() < paths.size() && !vm.count("label")) labels.push_back(run_name(path));
  }
  std::size_t longest = 0;
  for (const MetricsTable& t : tables) longest = std::max(longest, t.rows());
  const std::size_t window = smooth > 0 ? std::size_t(smooth) : std::max<std::size_t>(1, longest / 40);

  const std::vector<pictures::ChartPanel> panels = metric_panels(tables, window, vm["log-loss"].as<bool>());
  if (panels.empty()) throw UsageError("--metrics: " + paths.front() + (paths.size() > 1 ? " and the others hold" : " holds") +
                                       " no rows to plot yet");
  pictures::ChartPage page;
  page.title = vm["title"].as<std::string>();
  if (window > 1)
    page.notes.push_back("train loss: faint at each step, bold the mean of the last " + std::to_string(window) +
                         " steps (label smoothing included when the run used it)");
  for (std::size_t run = 0; run < labels.size(); ++run) page.legend.emplace_back(labels[run], run);
  page.columns = 2;
  files.write([&](const std::vector<pictures::ImageFile>& into) { pictures::draw_charts(panels, page, into); });
  report_written(files, panels.size());
  return 0;
}

}  // namespace

}  // namespace heed::cli
