// The training-throughput benchmark of ../shared/bench (same model, step and shapes as
// torch_reference.py): forward, label-smoothed loss, backward, clipping at 1.0, Adam.
#pragma once

#include <string>

namespace heed {

struct BenchConfig {
  std::string name;
  long long vocab, d_model, heads, d_ff, enc_layers, dec_layers, batch, src_len, tgt_len, max_len;
  double dropout, label_smoothing, lr;
  long long steps;
};

// tiny, small, long as in bench/configs.json. Throws std::invalid_argument for another name.
BenchConfig bench_config(const std::string& name);

struct BenchResult {
  std::string config;
  int threads = 1;
  double tokens_per_s = 0, step_ms = 0, peak_rss_mb = 0, final_loss = 0;
  long long params = 0, steps = 0;
  std::string json() const;  // one line, the fields of torch_reference.py
};

// Runs `warmup` untimed steps, then `steps` timed ones (0 = the config's count).
BenchResult run_benchmark(const BenchConfig& config, long long steps, int warmup, int threads, unsigned seed);

}  // namespace heed
