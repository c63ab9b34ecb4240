// heed gradcheck: runs the layer gradient checks (layers/layer_checks.h) in double precision.
// This file is compiled with HEED_DOUBLE against the double build of the layers.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "layers/layer_checks.h"
#include "train/cli/cli.h"

namespace heed::cli {

namespace {

int run_gradcheck(const po::variables_map& vm) {
  if (vm.count("list")) {
    for (const LayerCheck& c : layer_checks()) std::printf("%-34s %s\n", c.name.c_str(), c.what.c_str());
    return 0;
  }
  const std::string wanted = vm["layer"].as<std::string>();
  int failed = 0, run = 0;
  for (const LayerCheck& c : layer_checks()) {
    if (wanted != "all" && wanted != c.name) continue;
    const auto start = std::chrono::steady_clock::now();
    const GradcheckResult r = c.run();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-34s %s  (%.0f ms)\n", c.name.c_str(), r.message().c_str(), ms);
    ++run;
    failed += r.ok ? 0 : 1;
  }
  if (run == 0) throw UsageError("--layer: no check named '" + wanted + "' (heed gradcheck --list shows them)");
  std::printf("%d passed, %d failed\n", run - failed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace

Command parse_gradcheck(const std::vector<std::string>& args) {
  po::options_description options = common_options();
  options.add_options()("layer", po::value<std::string>()->default_value("all"),
                        "a layer check's name, or 'all'; --list shows them")("list", "list the checks and exit");
  po::variables_map vm;
  if (!parse("gradcheck", "[--layer NAME|all] [--list]", options, args, vm)) return {};
  return Command{.process = {.threads = 1}, .run = [vm] { return run_gradcheck(vm); }};
}

}  // namespace heed::cli
