// heed bench: training throughput on the benchmark configs, printed as torch_reference.py does.
#include <cstdio>
#include <iostream>

#include "train/bench.h"
#include "train/cli.h"

namespace heed::cli {

int run_bench(const std::vector<std::string>& args) {
  // Here --config names a benchmark (as torch_reference.py's does), so bench takes no INI file.
  po::options_description options("Bench options");
  options.add_options()("help,h", "show this help and exit")("dump-config", "print the effective configuration and exit")(
      "config", po::value<std::string>()->default_value("tiny"), "tiny, small, long or all")(
      "steps", po::value<long long>()->default_value(0), "timed steps (0 = the config's: 30, 10, 3)")(
      "warmup", po::value<int>()->default_value(3), "untimed steps first")(
      "threads", po::value<int>()->default_value(2), "threads (0 = all cores)")(
      "seed", po::value<unsigned>()->default_value(1), "seed of weights and batches")(
      "json", "print one JSON line per config (the fields of bench/torch_reference.py)");
  po::variables_map vm;
  if (!parse("bench", "--config tiny|small|long|all [--steps N] [--threads T] [--json]", options, args, vm,
             /*config_is_file=*/false))
    return 0;
  const std::string which = vm["config"].as<std::string>();
  const std::vector<std::string> names = which == "all" ? std::vector<std::string>{"tiny", "small", "long"}
                                                        : std::vector<std::string>{which};
  for (const std::string& name : names) {
    const BenchConfig config = bench_config(name);
    const BenchResult r = run_benchmark(config, vm["steps"].as<long long>(), vm["warmup"].as<int>(),
                                        vm["threads"].as<int>(), vm["seed"].as<unsigned>());
    if (vm.count("json")) {
      std::cout << r.json() << std::endl;
    } else {
      std::printf("%-6s %10.1f tokens/s  %9.1f ms/step  peak RSS %7.1f MB  %lld params  final loss %.4f  (%d threads, %lld steps)\n",
                  name.c_str(), r.tokens_per_s, r.step_ms, r.peak_rss_mb, r.params, r.final_loss, r.threads, r.steps);
    }
  }
  return 0;
}

}  // namespace heed::cli
