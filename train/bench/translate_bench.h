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
  bool int8 = false;       // 8-bit weights (layers/quantize.h), as translate --int8
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
  double gflop_per_batch = 0, gflops = 0;  // model FLOPs (below) and their rate
  double product_gflops = 0;               // matrix_product_gflops, when measured (0 = not)
  std::string kernels, blas;               // as BenchResult's
  std::string precision;                   // "float32" or "int8 (<its product>)"
  std::string json() const;
};

// Model FLOPs of decoding one batch: 2·m·k·n for every product of the encoder, of the
// cross-attention keys and values (once per source), and of each decoder step (projections,
// attention over the positions so far and over the source, feed-forward, generator) for the rows
// it runs: the batch at the first step, batch × beam after it (EOS never ends a hypothesis here).
double translate_flop_per_batch(const TranslateBenchConfig& config);

TranslateBenchResult run_translate_benchmark(const TranslateBenchConfig& config, int warmup, int threads,
                                             unsigned seed);

}  // namespace heed
