// heed bench: training throughput on the benchmark configs, printed as torch_reference.py does.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>
#include <iostream>

#include "autograd/cpu_kernels.h"
#include "autograd/parallel.h"
#include "train/bench/bench.h"
#include "train/bench/translate_bench.h"
#include "train/cli/cli.h"
#include "train/cli/option_checks.h"

namespace heed::cli {

namespace {

const std::vector<std::string> kEveryBenchmark = {"tiny", "small", "long", "lstm", "lstm-attention", "lm"};

bool is_benchmark_name(const std::string& name) {
  return name == "all" || std::find(kEveryBenchmark.begin(), kEveryBenchmark.end(), name) != kEveryBenchmark.end();
}

// `--config NAME` named the benchmark before --bench existed (torch_reference.py's spelling,
// used by tools/bench_side_by_side.sh): a benchmark name that is not a file is still read as --bench.
std::vector<std::string> with_old_config_spelling(std::vector<std::string> args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string value;
    if (args[i] == "--config" && i + 1 < args.size()) value = args[i + 1];
    else if (args[i].rfind("--config=", 0) == 0) value = args[i].substr(9);
    else continue;
    if (!is_benchmark_name(value) || std::filesystem::exists(value)) continue;
    if (args[i] == "--config") args[i] = "--bench";
    else args[i] = "--bench=" + value;
  }
  return args;
}

// "1 thread", "2 threads".
std::string count_of(long long n, const std::string& noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }

// --batch, --src-len, --tgt-len, --attention, --window as given (0 or empty = the config's).
BenchOverrides overrides_of(const po::variables_map& vm) {
  BenchOverrides o;
  o.batch = vm["batch"].as<long long>(), o.src_len = vm["src-len"].as<long long>(), o.tgt_len = vm["tgt-len"].as<long long>();
  o.window = vm["window"].as<long long>();
  if (vm.count("attention")) o.attention = vm["attention"].as<std::string>();
  return o;
}

// After a share of the 2048^3 rate: whether it compares unlike instruction sets.
void print_reference_note(const std::string& kernels, const std::string& blas) {
  if (!kernels_wider_than_blas(kernels, blas)) return;
  std::printf("       note: heed's own kernels use AVX-512, the 2048^3 reference %s's narrower ones: the share "
              "compares unlike instruction sets (like for like: HEED_KERNELS=avx2, or OpenBLAS's AVX-512 "
              "kernels, OPENBLAS_CORETYPE unset)\n",
              blas.c_str());
}

// heed bench --translate: target tokens/s of the Transformer-base-sized model (README "Translation speed").
int run_translate_bench(const po::variables_map& vm) {
  TranslateBenchConfig c;
  c.beam = vm["beam"].as<int>();
  c.int8 = vm["int8"].as<bool>();
  if (const long long n = vm["batch"].as<long long>(); n > 0) c.batch = n;
  if (const long long n = vm["src-len"].as<long long>(); n > 0) c.src_len = n;
  if (const long long n = vm["tgt-len"].as<long long>(); n > 0) c.tgt_len = n;
  if (const long long n = vm["steps"].as<long long>(); n > 0) c.batches = n;
  // A batch takes seconds: one untimed batch unless --warmup says otherwise.
  const int warmup = vm["warmup"].defaulted() ? 1 : vm["warmup"].as<int>();
  TranslateBenchResult r = run_translate_benchmark(c, warmup, parallel_threads(), vm["seed"].as<unsigned>());
  if (vm["product-rate"].as<bool>()) r.product_gflops = matrix_product_gflops(r.threads);
  if (vm["json"].as<bool>()) {
    std::cout << r.json() << std::endl;
  } else {
    std::printf("kernels: %s (heed's own loops), products: %s, weights: %s\n", r.kernels.c_str(), r.blas.c_str(),
                r.precision.c_str());
    std::printf("translate %9.1f target tokens/s  %8.1f ms/batch  %.1f per CPU-second  peak RSS %7.1f MB  %lld params  "
                "(beam %d, batch %lld, source %lld, output %lld tokens, %s, %s)\n",
                r.tokens_per_s, r.batch_ms, r.cpu_tokens_per_s, r.peak_rss_mb, r.params, c.beam, c.batch, c.src_len, c.tgt_len,
                count_of(r.threads, "thread").c_str(), (std::to_string(c.batches) + (c.batches == 1 ? " batch" : " batches")).c_str());
    std::printf("          %.1f model GFLOP/batch, %.1f GFLOP/s", r.gflop_per_batch, r.gflops);
    if (r.product_gflops > 0)
      std::printf(" = %.0f%% of a 2048^3 product's %.1f GFLOP/s (same threads, measured now)", 100 * r.gflops / r.product_gflops,
                  r.product_gflops);
    std::printf("\n");
    if (r.product_gflops > 0) print_reference_note(r.kernels, r.blas);
  }
  return 0;
}

int run_bench(const po::variables_map& vm) {
  if (vm["translate"].as<bool>()) return run_translate_bench(vm);
  const std::string which = vm["bench"].as<std::string>();
  const std::vector<std::string> names = which == "all" ? kEveryBenchmark : std::vector<std::string>{which};
  const int threads = parallel_threads();  // --threads as set up (0 = all cores, capped), the same for every config
  for (const std::string& name : names) {
    const BenchConfig config = with_overrides(bench_config(name), overrides_of(vm));
    // Peak RSS is a process-wide maximum: with several configs, each runs in a fresh heed
    // process of its own (the same options, one config), so that its figure is its own.
    if (names.size() > 1) {
      std::vector<std::string> argv_strings = {"heed",      "bench",
                                               "--bench",   name,
                                               "--steps",   std::to_string(vm["steps"].as<long long>()),
                                               "--warmup",  std::to_string(vm["warmup"].as<int>()),
                                               "--threads", std::to_string(threads),
                                               "--seed",    std::to_string(vm["seed"].as<unsigned>())};
      for (const char* flag : {"json", "product-rate"})
        if (vm[flag].as<bool>()) argv_strings.push_back(std::string("--") + flag);
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
    if (config.src_len != bench_config(name).src_len || config.tgt_len != bench_config(name).tgt_len ||
        config.batch != bench_config(name).batch || config.attention != "full")
      std::cerr << "heed bench: " << name << " with batch " << config.batch << ", source " << config.src_len
                << ", target " << config.tgt_len << " tokens, " << config.attention << " attention"
                << (config.window > 0 ? " (window " + std::to_string(config.window) + ")" : std::string()) << "\n";
    BenchResult r = run_benchmark(config, vm["steps"].as<long long>(), vm["warmup"].as<int>(), threads,
                                  vm["seed"].as<unsigned>(), vm["product-rate"].as<bool>());
    if (vm["product-rate"].as<bool>()) r.product_gflops = matrix_product_gflops(threads);
    if (vm["json"].as<bool>()) {
      std::cout << r.json() << std::endl;
    } else {
      std::printf("kernels: %s (heed's own loops), products: %s\n", r.kernels.c_str(), r.blas.c_str());
      std::printf("%-6s %10.1f tokens/s  %9.1f ms/step  peak RSS %7.1f MB  %lld params  final loss %.4f  (%s, %s)\n",
                  name.c_str(), r.tokens_per_s, r.step_ms, r.peak_rss_mb, r.params, r.final_loss,
                  count_of(r.threads, "thread").c_str(), count_of(r.steps, "step").c_str());
      std::printf("       %.1f model GFLOP/step, %.1f GFLOP/s, %.1f page faults/step", r.gflop_per_step, r.gflops,
                  r.page_faults_per_step);
      if (r.product_gflops > 0)
        std::printf(" = %.0f%% of a 2048^3 product's %.1f GFLOP/s (same threads, measured now)",
                    100 * r.gflops / r.product_gflops, r.product_gflops);
      std::printf("\n");
      if (r.product_time_share > 0 && r.product_gflops > 0)
        std::printf("       products: %.0f%% of the threads' time, at %.1f GFLOP/s there (%.0f%% of the 2048^3 rate); "
                    "other work: %.0f%%\n",
                    100 * r.product_time_share, r.in_product_gflops, 100 * r.in_product_gflops / r.product_gflops,
                    100 * (1 - r.product_time_share));
      if (r.product_gflops > 0) print_reference_note(r.kernels, r.blas);
    }
  }
  return 0;
}

}  // namespace

Command parse_bench(const std::vector<std::string>& args) {
  // --config is an INI file as in every command; the benchmark is --bench (also `bench = NAME` in the file).
  po::options_description options = common_options();
  po::options_description b("Bench");
  b.add_options()("bench", po::value<std::string>()->default_value("tiny"),
                  "tiny, small, long, lstm, lstm-attention, lm or all (--config NAME, the older spelling, also works)")(
      "steps", po::value<long long>()->default_value(0), "timed steps (0 = the config's: tiny 30, small 10, long 3, lstm 30, lstm-attention 30, lm 30)")(
      "warmup", po::value<int>()->default_value(3), "untimed steps first (--translate: untimed batches, default 1)")(
      "threads", po::value<int>()->default_value(0), "threads (0 = all cores)")(
      "seed", po::value<unsigned>()->default_value(1), "seed of weights and batches")(
      "batch", po::value<long long>()->default_value(0), "sequences per batch (0 = the config's)")(
      "src-len", po::value<long long>()->default_value(0),
      "source tokens per sequence (0 = the config's; the position table grows to fit)")(
      "tgt-len", po::value<long long>()->default_value(0), "target tokens per sequence (0 = the config's)")(
      "attention", po::value<std::string>(),
      "full | local | linear (transformer and lm configs; default the config's, full): see heed train --help; or "
      "naive: full attention from separate ops (scores, softmax, weighted sum), its T x T weights kept for backward, "
      "to measure what the fused kernel saves")(
      "window", po::value<long long>()->default_value(0), "--attention local: keys within W positions")(
      "translate", flag(), "translation speed instead of training: a Transformer-base-sized model (512 wide, 8 heads, "
                           "d_ff 2048, 6+6 layers, 32,000-token vocabularies, random weights) decodes --batch sentences "
                           "(default 32) of --src-len tokens (32), every output --tgt-len tokens (32; EOS never chosen); "
                           "--steps timed batches (0 = 2)")(
      "beam", po::value<int>()->default_value(4), "--translate: beam size (1 = greedy)")(
      "int8", flag(), "--translate: 8-bit weights, as heed translate --int8")(
      "json", flag(), "print one JSON line per config (the PyTorch reference script's fields, then heed's)")(
      "product-rate", flag(), "also measure the machine's 2048^3 float product rate with the same threads (after the "
                              "timed steps, so the peak RSS is the training's) and report the share of it reached; for the training "
                              "benchmarks, also times every product of the timed steps: their share of the threads' "
                              "time and their rate there. The reference is the products' library (OpenBLAS); a note "
                              "says when heed's own kernels use AVX-512 but the library its AVX2 kernels");
  options.add(b);
  po::variables_map vm;
  if (!parse("bench", "[--bench NAME|all] [--steps N] [--threads T] [--json] [--config FILE.ini]", options,
             with_old_config_spelling(args), vm))
    return {};
  if (const std::string name = vm["bench"].as<std::string>(); !is_benchmark_name(name))
    throw UsageError("--bench: '" + name + "' is not one of " + kBenchConfigNames + ", all");
  checked_int(vm, "steps", 0);
  checked_int(vm, "beam", 1);
  if (vm["translate"].as<bool>()) {
    if (!vm["bench"].defaulted() || vm.count("attention") || !vm["window"].defaulted())
      throw UsageError("--translate: --bench, --attention and --window are for training benchmarks");
    if (vm["int8"].as<bool>() && vm["product-rate"].as<bool>())
      throw UsageError("--product-rate: the share of a float product's rate; not with --int8");
  } else if (!vm["beam"].defaulted() || vm["int8"].as<bool>()) {
    throw UsageError(std::string(vm["int8"].as<bool>() ? "--int8" : "--beam") + ": only with --translate");
  }
  for (const char* option : {"batch", "src-len", "tgt-len", "window"}) checked_int(vm, option, 0);
  const bool overridden = vm.count("attention") || !vm["batch"].defaulted() || !vm["src-len"].defaulted() ||
                          !vm["tgt-len"].defaulted() || !vm["window"].defaulted();
  if (overridden && vm["bench"].as<std::string>() == "all")
    throw UsageError("--bench all: --batch, --src-len, --tgt-len, --attention and --window apply to one benchmark");
  if (overridden && vm["bench"].as<std::string>() != "all") {
    try {
      with_overrides(bench_config(vm["bench"].as<std::string>()), overrides_of(vm));
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  checked_int(vm, "warmup", 0);
  return Command{.process = {.threads = int(checked_int(vm, "threads", 0))}, .run = [vm] { return run_bench(vm); }};
}

}  // namespace heed::cli
