// Timed batches of beam search or greedy decoding on random weights and random sources.
#include "train/bench/translate_bench.h"

#include <sys/resource.h>

#include <chrono>
#include <stdexcept>

#include "autograd/cpu_kernels.h"
#include "autograd/int8_linear.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"
#include "data/special_tokens.h"
#include "layers/quantize.h"
#include "layers/seq2seq_model.h"
#include "train/eval/decode.h"
#include "train/eval/json.h"

namespace heed {

std::string TranslateBenchResult::json() const {
  const TranslateBenchConfig& c = config;
  JsonObject o;
  o.text("config", "translate").text("impl", "heed-" HEED_VERSION).text("device", "cpu").integer("threads", threads);
  o.integer("beam", c.beam).integer("batch", c.batch).integer("src_len", c.src_len).integer("tgt_len", c.tgt_len);
  o.integer("batches", c.batches).number("tokens_per_s", tokens_per_s, 1).number("batch_ms", batch_ms, 1);
  o.number("cpu_tokens_per_s", cpu_tokens_per_s, 1);
  o.number("peak_rss_mb", peak_rss_mb, 1).integer("params", params);
  o.number("gflop_per_batch", gflop_per_batch, 2).number("gflops", gflops, 1);
  if (product_gflops > 0) o.number("product_gflops", product_gflops, 1);
  o.text("kernels", kernels).text("blas", blas).text("precision", precision);
  if (product_gflops > 0) o.value("kernels_wider_than_reference", Json(kernels_wider_than_blas(kernels, blas)));
  return o.str();
}

double translate_flop_per_batch(const TranslateBenchConfig& c) {
  const double d = double(c.d_model), ff = double(c.d_ff), s = double(c.src_len), b = double(c.batch);
  const double encoder_token = double(c.enc_layers) * (2 * 4 * d * d + 2 * 2 * d * ff + 2 * 2 * s * d);
  const double cross_kv = double(c.dec_layers) * 2 * 2 * d * d;  // per source token
  double decoder = 0;
  for (long long t = 0; t < c.tgt_len; ++t) {
    const double rows = t == 0 ? b : b * double(c.beam);
    const double row = double(c.dec_layers) * (2 * 6 * d * d + 2 * 2 * d * ff + 2 * 2 * double(t + 1) * d + 2 * 2 * s * d) +
                       2 * d * double(c.vocab);
    decoder += rows * row;
  }
  return b * s * (encoder_token + cross_kv) + decoder;
}

TranslateBenchResult run_translate_benchmark(const TranslateBenchConfig& c, int warmup, int threads, unsigned seed) {
  if (c.batch < 1 || c.src_len < 1 || c.tgt_len < 1 || c.beam < 1 || c.batches < 1)
    throw std::invalid_argument("translate benchmark: batch, lengths, beam and batches must be positive");
  set_parallel_threads(threads);
  // Sinusoidal positions, no dropout: the shapes of Transformer-base (Vaswani et al. 2017).
  const ModelConfig mc{.arch = Arch::Transformer, .src_vocab_size = c.vocab, .tgt_vocab_size = c.vocab,
                       .d_model = c.d_model, .num_heads = c.heads, .d_ff = c.d_ff, .enc_layers = c.enc_layers,
                       .dec_layers = c.dec_layers, .max_len = std::max(c.src_len, c.tgt_len + 1) + 1,
                       .dropout = 0, .seed = seed};
  const std::unique_ptr<Seq2SeqModel> model = make_model(mc);
  model->eval();
  if (c.int8) quantize_int8(*model);
  // One batch of random sources without padding: tokens in [4, vocab), then EOS.
  Rng rng(seed);
  std::vector<std::int32_t> src;
  for (long long b = 0; b < c.batch; ++b) {
    for (long long t = 0; t + 1 < c.src_len; ++t) src.push_back(std::int32_t(4 + rng.below(std::uint64_t(c.vocab - 4))));
    src.push_back(kEos);
  }
  const DecodeOptions options{.beam = c.beam, .max_len = Index(c.tgt_len), .ignore_eos = true};
  auto translate = [&] {
    const auto out = decode(*model, src, Index(c.batch), options);
    for (const auto& sentence : out)
      if (Index(sentence.size()) != c.tgt_len) throw std::logic_error("translate benchmark: an output of another length");
  };
  for (int i = 0; i < warmup; ++i) translate();
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  const auto start = std::chrono::steady_clock::now();
  for (long long i = 0; i < c.batches; ++i) translate();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto cpu_seconds = [](const rusage& u) {
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  };
  TranslateBenchResult r;
  r.config = c;
  r.threads = parallel_threads();
  r.tokens_per_s = double(c.batch * c.tgt_len * c.batches) / seconds;
  r.batch_ms = 1000 * seconds / double(c.batches);
  r.cpu_tokens_per_s = double(c.batch * c.tgt_len * c.batches) / (cpu_seconds(usage) - cpu_seconds(before));
  r.peak_rss_mb = double(usage.ru_maxrss) / 1024.0;
  r.params = model->parameter_count();
  r.gflop_per_batch = translate_flop_per_batch(c) / 1e9;
  r.gflops = r.gflop_per_batch * double(c.batches) / seconds;
  r.kernels = cpu_kernels().name;
  r.blas = blas_kernels();
  r.precision = c.int8 ? std::string("int8 (") + int8_product_name() + ")" : "float32";
  return r;
}

}  // namespace heed
