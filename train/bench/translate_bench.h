// The translation-speed benchmark (issue 17, README "Translation speed"): a Transformer-base-sized
// model with random weights translates random sources, every output held to the same length (EOS
// is never chosen) so that runs and settings compare. Reports target tokens per second.
#pragma once

#include <string>

namespace heed {

struct TranslateBenchConfig {
  long long vocab = 32000, d_model = 512, heads = 8, d_ff = 2048, enc_layers = 6, dec_layers = 6;
  long long batch = 32;    // sentences decoded together
  long long src_len = 32;  // source tokens per sentence, EOS included
  long long tgt_len = 32;  // output tokens per sentence, every sentence
  int beam = 4;            // 1 = greedy
  long long batches = 2;   // timed batches, after one untimed
};

struct TranslateBenchResult {
  TranslateBenchConfig config;
  int threads = 1;
  double tokens_per_s = 0;  // target tokens per second, encoding included
  double batch_ms = 0;      // per batch of `batch` sentences
  // Target tokens per second of the process's CPU time (all threads): on a shared machine, where
  // the wall clock counts other programs' time too, ×threads bounds what idle cores would give.
  double cpu_tokens_per_s = 0;
  double peak_rss_mb = 0;
  long long params = 0;
  std::string json() const;
};

TranslateBenchResult run_translate_benchmark(const TranslateBenchConfig& config, int warmup, int threads,
                                             unsigned seed);

}  // namespace heed
