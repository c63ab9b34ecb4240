// The training-throughput benchmark (README "Training throughput against PyTorch"): the same
// model, step and shapes as the PyTorch reference scripts: forward, label-smoothed loss,
// backward, clipping at 1.0, Adam, on random batches without padding.
#pragma once

#include <string>

#include "layers/model_config.h"

namespace heed {

struct BenchConfig {
  std::string name;
  std::string arch;  // transformer | lstm | lstm-attention | lm (src_len 0, enc_layers 0)
  long long vocab, d_model, heads, d_ff, enc_layers, dec_layers, batch, src_len, tgt_len, max_len;
  double dropout, label_smoothing, lr;
  long long steps;
  // full | local | linear (transformer and lm), or naive: full attention from separate ops
  // (MultiHeadAttention::set_unfused), the (B·H·Tq, Tk) scores and weights materialised
  std::string attention = "full";
  long long window = 0;            // local: keys within this many positions
};

// `heed bench`'s overrides of a config's shapes and attention; 0 or empty = the config's own.
struct BenchOverrides {
  long long batch = 0, src_len = 0, tgt_len = 0, window = 0;
  std::string attention;
};
// The config with the overrides applied; the position table grows to hold the longer side.
// Throws std::invalid_argument naming the option when one does not fit the config (a source
// length for lm, local or naive attention for an LSTM, a window without local).
BenchConfig with_overrides(BenchConfig config, const BenchOverrides& overrides);

// tiny, small, long (Transformers, as the PyTorch reference's configs.json), lstm,
// lstm-attention and lm (README). Throws std::invalid_argument ("'x' is not one of ...") for another name.
BenchConfig bench_config(const std::string& name);
const char* const kBenchConfigNames = "tiny, small, long, lstm, lstm-attention, lm";

// Model FLOPs of one training step: 2·m·k·n for every product of the forward pass (projections,
// attention scores and weighted sums over all keys (local: over the 2W + 1 of the band; linear:
// the sums' D·C per token), feed-forward or LSTM gates, generator),
// times 3 for forward + backward. The convention of "model FLOPs": work heed skips (keys hidden by the
// causal mask) or repeats (attention weights recomputed in backward) is not counted.
double model_flop_per_step(const BenchConfig& config);

// The machine's large single-precision product rate, measured now: C = A·B with 2048x2048
// matrices, rows split across `threads` as heed splits its products. Median of 5, GFLOP/s.
double matrix_product_gflops(int threads);

struct BenchResult {
  std::string config;
  std::string attention = "full";
  long long batch = 0, src_len = 0, tgt_len = 0, window = 0;
  int threads = 1;
  double tokens_per_s = 0, step_ms = 0, peak_rss_mb = 0, final_loss = 0;
  double cpu_ms = 0;  // CPU time per timed step, all threads (user + system)
  double gflop_per_step = 0, gflops = 0;  // model FLOPs (see above) and their rate
  double product_gflops = 0;              // matrix_product_gflops, when measured (0 = not)
  double page_faults_per_step = 0;        // minor page faults per timed step
  // With products tallied (run_benchmark's tally_products): the share of the threads' time in the
  // timed steps spent inside matrix products (autograd/gemm.h), and the rate of all threads
  // while in them (comparable with product_gflops). 0 when not tallied.
  double product_time_share = 0, in_product_gflops = 0;
  long long params = 0, steps = 0;
  std::string kernels, blas;  // autograd/cpu_kernels.h: heed's own loops' variant, the products' library
  std::string json() const;  // one line: the fields of torch_reference.py, then heed's own
};

// Runs `warmup` untimed steps, then `steps` timed ones (0 = the config's count), timing every
// matrix product of the timed steps when tally_products (about 50 ns per product).
BenchResult run_benchmark(const BenchConfig& config, long long steps, int warmup, int threads, unsigned seed,
                          bool tally_products = false);

}  // namespace heed
