// Timed training steps on random batches, as the PyTorch reference does them.
#include "train/bench/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdio>
#include <stdexcept>

#include "autograd/cpu_kernels.h"
#include "autograd/gemm.h"
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"
#include "layers/attention.h"
#include "layers/seq2seq_model.h"
#include "train/eval/json.h"
#include "train/optim/optimizer.h"

namespace heed {

BenchConfig bench_config(const std::string& name) {
  // The Transformers of the PyTorch reference's configs.json.
  if (name == "tiny") return {"tiny", "transformer", 64, 128, 4, 512, 2, 2, 64, 32, 32, 512, 0.1, 0.1, 5e-4, 30};
  if (name == "small") return {"small", "transformer", 1000, 256, 8, 1024, 3, 3, 32, 64, 64, 512, 0.1, 0.1, 5e-4, 10};
  if (name == "long") return {"long", "transformer", 64, 128, 4, 512, 1, 1, 2, 2048, 2048, 4096, 0.0, 0.0, 5e-4, 3};
  // The RNN families at tiny's shapes (tools/torch_lstm_reference.py builds the same in PyTorch):
  // 2+2 layers of 256 hidden units, batch 64, 32 source and target tokens.
  if (name == "lstm") return {"lstm", "lstm", 64, 256, 1, 0, 2, 2, 64, 32, 32, 512, 0.1, 0.1, 5e-4, 30};
  if (name == "lstm-attention")
    return {"lstm-attention", "lstm-attention", 64, 256, 1, 0, 2, 2, 64, 32, 32, 512, 0.1, 0.1, 5e-4, 30};
  // The decoder-only language model at nanoGPT's shakespeare_char size for a CPU (4 layers, 4 heads,
  // 128 wide, context 64, batch 12, dropout 0, vocabulary 65); tools/bench_lm_torch.py builds the same.
  if (name == "lm") return {"lm", "lm", 65, 128, 4, 512, 0, 4, 12, 0, 64, 64, 0.0, 0.0, 1e-3, 30};
  throw std::invalid_argument("'" + name + "' is not one of " + kBenchConfigNames);
}

namespace {

// The benchmark's model: the config's shapes, the reference's init (nn.Embedding's N(0, 1)).
ModelConfig model_config(const BenchConfig& c, unsigned seed) {
  return ModelConfig{.arch = parse_arch(c.arch), .src_vocab_size = c.vocab, .tgt_vocab_size = c.vocab,
                     .d_model = c.d_model, .num_heads = c.heads, .d_ff = c.d_ff, .enc_layers = c.enc_layers,
                     .dec_layers = c.dec_layers, .max_len = c.max_len, .dropout = Scalar(c.dropout),
                     .attention = parse_attention(c.attention == "naive" ? "full" : c.attention),
                     .window = Index(c.window), .seed = seed};
}

}  // namespace

BenchConfig with_overrides(BenchConfig c, const BenchOverrides& o) {
  if (o.src_len > 0 && c.src_len == 0) throw std::invalid_argument("--src-len: the " + c.name + " benchmark has no source");
  if (o.batch > 0) c.batch = o.batch;
  if (o.src_len > 0) c.src_len = o.src_len;
  if (o.tgt_len > 0) c.tgt_len = o.tgt_len;
  if (!o.attention.empty()) c.attention = o.attention;
  c.window = o.window;
  c.max_len = std::max({c.max_len, c.src_len + 1, c.tgt_len + 1});
  if (c.attention == "naive" && c.arch != "transformer" && c.arch != "lm")
    throw std::invalid_argument("--attention naive: " + c.arch + " has no such choice (naive is full attention from "
                                "separate ops, for the transformer and lm benchmarks)");
  if (c.attention == "naive" && c.window != 0)
    throw std::invalid_argument("--window: only --attention local takes a window (attention is naive)");
  validate(model_config(c, 1));  // the model table's own checks and messages
  return c;
}

std::string BenchResult::json() const {
  JsonObject o;
  o.text("config", config).text("impl", "heed-" HEED_VERSION).text("device", "cpu").integer("threads", threads);
  o.text("attention", attention).integer("batch", batch).integer("src_len", src_len).integer("tgt_len", tgt_len);
  if (window > 0) o.integer("window", window);
  o.number("tokens_per_s", tokens_per_s, 1).number("step_ms", step_ms, 3).number("peak_rss_mb", peak_rss_mb, 1);
  o.integer("params", params).number("final_loss", final_loss, 4).number("gflop_per_step", gflop_per_step, 2);
  o.number("gflops", gflops, 1).number("page_faults_per_step", page_faults_per_step, 1).number("cpu_ms", cpu_ms, 3);
  if (product_gflops > 0) o.number("product_gflops", product_gflops, 1);
  if (product_time_share > 0)
    o.number("product_time_share", product_time_share, 3).number("in_product_gflops", in_product_gflops, 1);
  o.text("kernels", kernels).text("blas", blas);
  // the 2048^3 reference is the library's: a share then compares unlike instruction sets
  if (product_gflops > 0) o.value("kernels_wider_than_reference", Json(kernels_wider_than_blas(kernels, blas)));
  return o.str();
}

namespace {

// LSTM: per token and layer, the input and recurrent products of the four gates; with attention
// and input feeding, the first decoder layer reads 2H inputs, and each target token scores and
// weighs all source states and combines context and state.
double lstm_flop_per_step(const BenchConfig& c) {
  const double b = double(c.batch), s = double(c.src_len), t = double(c.tgt_len), h = double(c.d_model);
  const double v = double(c.vocab);
  const bool attention = c.arch == "lstm-attention";
  const double layer = 2 * 4 * h * h * 2;  // input (H) and recurrent (H) products per token
  const double encoder = b * s * double(c.enc_layers) * layer;
  double decoder = b * t * double(c.dec_layers) * layer;
  if (attention)
    decoder += b * t * 2 * 4 * h * h           // the fed h̃ into the first layer's gates
               + b * s * 2 * h * h             // keys W_a·h̄_s
               + b * t * 2 * 2 * s * h         // scores and context
               + b * t * 2 * 2 * h * h;        // W_c [c; h]
  return 3 * (encoder + decoder + 2 * b * t * h * v);
}

}  // namespace

double model_flop_per_step(const BenchConfig& c) {
  if (c.arch != "transformer" && c.arch != "lm") return lstm_flop_per_step(c);
  const double b = double(c.batch), s = double(c.src_len), t = double(c.tgt_len), d = double(c.d_model);
  const double ff = double(c.d_ff), v = double(c.vocab);
  const double src_tokens = b * s, tgt_tokens = b * t;
  // The keys each query is counted against: all of them, the band, or (linear) the head width,
  // which the sums' products cost per token instead.
  auto keys_seen = [&](double len, bool self) {
    if (c.attention == "linear") return d / double(c.heads);
    if (c.attention == "local" && self) return std::min(len, 2 * double(c.window) + 1);
    return len;
  };
  auto attention = [&](double q_tokens, double kv_tokens, double k_len) {
    return 2 * q_tokens * d * d            // query projection
           + 2 * kv_tokens * d * 2 * d     // key and value projections
           + 2 * 2 * q_tokens * k_len * d  // scores Q·Kᵀ and weights·V, all heads
           + 2 * q_tokens * d * d;         // output projection
  };
  auto feed_forward = [&](double tokens) { return 2 * 2 * tokens * d * ff; };
  const double encoder_layer = attention(src_tokens, src_tokens, keys_seen(s, true)) + feed_forward(src_tokens);
  const double cross_attention = c.arch == "lm" ? 0 : attention(tgt_tokens, src_tokens, keys_seen(s, false));  // lm: none
  const double decoder_layer = attention(tgt_tokens, tgt_tokens, keys_seen(t, true)) + cross_attention + feed_forward(tgt_tokens);
  const double forward = double(c.enc_layers) * encoder_layer + double(c.dec_layers) * decoder_layer +
                         2 * tgt_tokens * d * v;  // generator
  return 3 * forward;
}

double matrix_product_gflops(int threads) {
  set_parallel_threads(threads);
  const Index n = 2048;
  const Matrix a = Matrix::Random(n, n), b = Matrix::Random(n, n);
  Matrix c(n, n);
  std::vector<double> rates;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    parallel_for(n, n / std::max(1, parallel_threads()), [&](Index begin, Index end) {
      c.middleRows(begin, end - begin).noalias() = a.middleRows(begin, end - begin) * b;
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(2.0 * double(n) * double(n) * double(n) / seconds / 1e9);
  }
  std::sort(rates.begin(), rates.end());
  return rates[2];
}

BenchResult run_benchmark(const BenchConfig& c, long long steps, int warmup, int threads, unsigned seed,
                          bool tally_products) {
  set_parallel_threads(threads);
  const std::unique_ptr<Seq2SeqModel> built = make_model(model_config(c, seed));
  Seq2SeqModel& model = *built;
  model.train();
  if (c.attention == "naive")  // full attention from separate ops: scores and weights materialised
    model.for_each_module([](Module& m) {
      if (auto* attention = dynamic_cast<MultiHeadAttention*>(&m)) attention->set_unfused(true);
    });
  const std::vector<Parameter> params = model.parameters();
  Optimizer adam(params, OptimizerConfig{.kind = OptimizerKind::Adam, .lr = c.lr, .beta1 = 0.9, .beta2 = 0.98, .eps = 1e-9});
  // Four random batches of ids in [4, vocab), no padding, as the reference.
  Rng rng(seed);
  std::vector<Seq2SeqBatch> batches;
  for (int i = 0; i < 4; ++i) {
    Seq2SeqBatch b{.batch = c.batch, .src = {}, .tgt_in = {}, .tgt_out = {}};
    for (long long j = 0; j < c.batch * c.src_len; ++j) b.src.push_back(std::int32_t(4 + rng.below(std::uint64_t(c.vocab - 4))));
    for (long long s = 0; s < c.batch; ++s) {
      std::vector<std::int32_t> seq;
      for (long long t = 0; t <= c.tgt_len; ++t) seq.push_back(std::int32_t(4 + rng.below(std::uint64_t(c.vocab - 4))));
      b.tgt_in.insert(b.tgt_in.end(), seq.begin(), seq.end() - 1);
      b.tgt_out.insert(b.tgt_out.end(), seq.begin() + 1, seq.end());
    }
    batches.push_back(std::move(b));
  }
  Tape& tape = Tape::current();
  auto step = [&](long long i) {
    const Seq2SeqBatch& b = batches[std::size_t(i % 4)];
    const Tensor loss = cross_entropy(model.forward(b), b.tgt_out, {.label_smoothing = Scalar(c.label_smoothing)});
    model.zero_grad();
    tape.backward(loss);
    tape.clear();
    clip_grad_norm(params, 1.0);
    adam.step(c.lr);
    return double(loss.item());
  };
  for (int i = 0; i < warmup; ++i) step(i);
  const long long n = steps > 0 ? steps : c.steps;
  double last = 0;
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  gemm_tally.nanoseconds = 0;
  gemm_tally.flops = 0;
  struct TallyOn {  // on for the timed steps only, off again even when a step throws
    explicit TallyOn(bool on) { gemm_tally.on = on; }
    ~TallyOn() { gemm_tally.on = false; }
  };
  std::optional<TallyOn> tally(std::in_place, tally_products);
  const auto start = std::chrono::steady_clock::now();
  for (long long i = 0; i < n; ++i) last = step(i);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  tally.reset();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  // Pages the kernel had to hand out during the timed steps: 0 once freed activations are
  // reused from the heap instead of being returned to the system and faulted in again.
  const double faults_per_step = double(usage.ru_minflt - before.ru_minflt) / double(n);
  // CPU time of the timed steps, every thread's: on a machine shared with other work the step's
  // wall time includes waiting for a core, its CPU time does not.
  auto cpu_seconds = [](const rusage& u) {
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  };
  const double cpu_ms_per_step = 1000 * (cpu_seconds(usage) - cpu_seconds(before)) / double(n);
  BenchResult r;
  r.config = c.name;
  r.attention = c.attention;
  r.batch = c.batch, r.src_len = c.src_len, r.tgt_len = c.tgt_len, r.window = c.window;
  r.threads = parallel_threads();  // the count in effect (0 asked for all cores)
  r.steps = n;
  r.tokens_per_s = double(c.batch * c.tgt_len * n) / seconds;
  r.step_ms = 1000 * seconds / double(n);
  r.peak_rss_mb = double(usage.ru_maxrss) / 1024.0;
  r.params = model.parameter_count();
  r.final_loss = last;
  r.gflop_per_step = model_flop_per_step(c) / 1e9;
  r.gflops = r.gflop_per_step * double(n) / seconds;
  r.page_faults_per_step = faults_per_step;
  if (tally_products && gemm_tally.nanoseconds > 0) {
    const double in_products = 1e-9 * double(gemm_tally.nanoseconds.load());  // summed over the threads
    r.product_time_share = in_products / (seconds * double(r.threads));
    r.in_product_gflops = double(gemm_tally.flops.load()) / 1e9 / in_products * double(r.threads);
  }
  r.cpu_ms = cpu_ms_per_step;
  r.kernels = cpu_kernels().name;
  r.blas = blas_kernels();
  return r;
}

}  // namespace heed
