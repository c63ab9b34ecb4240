// heed bench: training throughput on the benchmark configs, printed as torch_reference.py does.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>
#include <iostream>

#include "train/bench/bench.h"
#include "train/cli/cli.h"

namespace heed::cli {

namespace {

int run_bench(const po::variables_map& vm) {
  const std::string which = vm["config"].as<std::string>();
  const std::vector<std::string> names = which == "all" ? std::vector<std::string>{"tiny", "small", "long", "lstm", "lstm-attention"}
                                                        : std::vector<std::string>{which};
  for (const std::string& name : names) {
    const BenchConfig config = bench_config(name);
    // Peak RSS is a process-wide maximum: with several configs, each runs in a fresh heed
    // process of its own (the same options, one config), so that its figure is its own.
    if (names.size() > 1) {
      std::vector<std::string> argv_strings = {"heed",      "bench",
                                               "--config",  name,
                                               "--steps",   std::to_string(vm["steps"].as<long long>()),
                                               "--warmup",  std::to_string(vm["warmup"].as<int>()),
                                               "--threads", std::to_string(vm["threads"].as<int>()),
                                               "--seed",    std::to_string(vm["seed"].as<unsigned>())};
      for (const char* flag : {"json", "product-rate"})
        if (vm.count(flag)) argv_strings.push_back(std::string("--") + flag);
      std::vector<char*> argv;
      for (std::string& a : argv_strings) argv.push_back(a.data());
      argv.push_back(nullptr);
      std::cout.flush();
      const pid_t child = fork();
      if (child < 0) throw std::runtime_error("bench: fork failed");
      if (child == 0) {
        execv("/proc/self/exe", argv.data());
        _exit(127);
      }
      int status = 0;
      waitpid(child, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
      continue;
    }
    BenchResult r = run_benchmark(config, vm["steps"].as<long long>(), vm["warmup"].as<int>(),
                                  vm["threads"].as<int>(), vm["seed"].as<unsigned>());
    if (vm.count("product-rate")) r.product_gflops = matrix_product_gflops(vm["threads"].as<int>());
    if (vm.count("json")) {
      std::cout << r.json() << std::endl;
    } else {
      std::printf("%-6s %10.1f tokens/s  %9.1f ms/step  peak RSS %7.1f MB  %lld params  final loss %.4f  (%d threads, %lld steps)\n",
                  name.c_str(), r.tokens_per_s, r.step_ms, r.peak_rss_mb, r.params, r.final_loss, r.threads, r.steps);
      std::printf("       %.1f model GFLOP/step, %.1f GFLOP/s, %.1f page faults/step", r.gflop_per_step, r.gflops,
                  r.page_faults_per_step);
      if (r.product_gflops > 0)
        std::printf(" = %.0f%% of a 2048^3 product's %.1f GFLOP/s (same threads, measured now)",
                    100 * r.gflops / r.product_gflops, r.product_gflops);
      std::printf("\n");
    }
  }
  return 0;
}

}  // namespace

Command parse_bench(const std::vector<std::string>& args) {
  // Here --config names a benchmark (as torch_reference.py's does), so bench takes no INI file.
  po::options_description options("Bench options");
  options.add_options()("help,h", "show this help and exit")("dump-config", "print the effective configuration and exit")(
      "config", po::value<std::string>()->default_value("tiny"), "tiny, small, long, lstm, lstm-attention or all")(
      "steps", po::value<long long>()->default_value(0), "timed steps (0 = the config's: tiny 30, small 10, long 3, lstm 30, lstm-attention 30)")(
      "warmup", po::value<int>()->default_value(3), "untimed steps first")(
      "threads", po::value<int>()->default_value(2), "threads (0 = all cores)")(
      "seed", po::value<unsigned>()->default_value(1), "seed of weights and batches")(
      "json", "print one JSON line per config (the PyTorch reference script's fields, then heed's)")(
      "product-rate", "also measure the machine's 2048^3 float product rate with the same threads (after the "
                      "timed steps, so the peak RSS is the training's) and report the share of it reached");
  po::variables_map vm;
  if (!parse("bench", "--config NAME|all [--steps N] [--threads T] [--json]", options, args, vm,
             /*config_is_file=*/false))
    return {};
  if (const std::string name = vm["config"].as<std::string>(); name != "all") {
    try {
      bench_config(name);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string(e.what()) + " or all");
    }
  }
  return Command{.process = {.threads = vm["threads"].as<int>()}, .run = [vm] { return run_bench(vm); }};
}

}  // namespace heed::cli
