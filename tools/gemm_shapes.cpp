// Single-thread GFLOP/s of heed's own matrix products at the `tiny` bench config (d_model 128,
// d_ff 512, 4 heads of 32, batch 64 x 32 tokens = 2048 rows, vocabulary 64; 2 threads, so linear
// splits 2048 rows into chunks of 256 and the weight gradient into one block of outputs per
// thread), and a few of `small`'s, through
//   OpenBLAS   cblas_sgemm, as heed calls it (autograd/gemm.h);
//   BLIS       its typed API, bli_sgemm, row-major strides given directly (0.9, Debian's build);
//   libxsmm    libxsmm_sgemm (1.17): a JIT kernel for products up to 64^3 multiply-adds, the BLAS
//              it is linked with (OpenBLAS here) above that;
//   xsmm-jit   a libxsmm JIT kernel for the whole shape (libxsmm_smmdispatch); its AVX2 kernels
//              take no transposed first operand, so a row-major x·yᵀ copies yᵀ first (counted);
//   Eigen      Eigen's own product kernel (no EIGEN_USE_BLAS in this file).
// Every result is checked against OpenBLAS. Rates are per second of the thread's CPU time,
// medians of 15 rounds in which the libraries take turns; above 64^3 the libxsmm column is
// OpenBLAS again, so its distance from the OpenBLAS column shows the noise left.
// Build (Debian: libopenblas-dev, libblis-dev, libxsmm-dev, libeigen3-dev) with one command line,
//   g++ -O2 -march=native tools/gemm_shapes.cpp -I/usr/include/x86_64-linux-gnu -I/usr/include/eigen3
//       -lxsmm -lopenblas -lblis -lpthread -ldl -lm -o /tmp/gemm_shapes
// then run /tmp/gemm_shapes (about 3 minutes).
// (-lopenblas before -lblis: BLIS exports cblas_sgemm and sgemm_ too, and the first library named
// wins.) A measurement outside heed's build: heed needs none of BLIS and libxsmm.
#include <Eigen/Core>
#include <blis.h>
#include <cblas.h>
#include <libxsmm.h>

#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace {

struct Shape {
  const char* what;
  int m, n, k;
  bool ta, tb;     // row-major C[m,n] (+)= op(A)·op(B)
  int lda, ldb, ldc;
  double weight;   // share of a tiny step's product FLOPs (forward + backward), for the summary
};

// The thread's CPU time in seconds: on a shared machine, wall time would count other jobs' turns.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// GFLOP/s (per second of this thread's CPU time) of one sample of ~15 ms. The clock is read once
// per batch of ~20 MFLOP (~0.2 ms) of products: reading a thread's CPU time is a system call
// (1.4 µs on the AMD EPYC), longer than one of attention's 32³ products (~0.7 µs), and read after
// every call it made those look 3x slower than they are.
template <class F>
double sample(const Shape& s, F&& f) {
  const double flops = 2.0 * s.m * s.n * s.k;
  const int batch = std::max(1, int(2e7 / flops));
  long reps = 0;
  const double start = cpu_seconds();
  double t = 0;
  do {
    for (int i = 0; i < batch; ++i) f();
    reps += batch;
    t = cpu_seconds() - start;
  } while (t < 0.015);
  return flops * double(reps) / t / 1e9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<float> random_vector(std::size_t n, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = u(g);
  return v;
}

double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, double(std::fabs(a[i] - b[i])));
  return d;
}

}  // namespace

int main() {
  openblas_set_num_threads(1);
  bli_thread_set_num_threads(1);
  libxsmm_init();
  const int N = 2048, C = 128, F = 512, V = 64;
  // Weights (share of a tiny step's product FLOPs): per 2048 rows the linear products have
  // out x in = 2 encoder layers x (384+128+512+512)x128 + 2 decoder layers x (384+128+128+256+512+512)x128
  // + 64x128 = 7232x128 forward, and the same twice backward (dX, dW): 11.4 GFLOP a step. The
  // attention tiles (6 attentions x 256 blocks x 32x32x32 products, 2 forward and ~5 backward)
  // add ~0.7 GFLOP, ~6%, shared here among the four tile products.
  const double unit = 1.0 / 7232 / 3 * 0.94;
  std::vector<Shape> shapes = {
      // forward y[256 rows, out] = x·Wᵀ (+ bias already in y)
      {"fwd qkv", 256, 3 * C, C, false, true, C, C, 3 * C, 4 * 384 * unit},
      {"fwd out/cross q", 256, C, C, false, true, C, C, C, 6 * 128 * unit},
      {"fwd cross kv", 256, 2 * C, C, false, true, C, C, 2 * C, 2 * 256 * unit},
      {"fwd ffn1", 256, F, C, false, true, C, C, F, 4 * 512 * unit},
      {"fwd ffn2", 256, C, F, false, true, F, F, C, 4 * 512 * unit},
      {"fwd generator", 256, V, C, false, true, C, C, V, 64 * unit},
      // backward dX[256, in] = dY·W
      {"dX qkv", 256, C, 3 * C, false, false, 3 * C, C, C, 4 * 384 * unit},
      {"dX out/cross q", 256, C, C, false, false, C, C, C, 6 * 128 * unit},
      {"dX cross kv", 256, C, 2 * C, false, false, 2 * C, C, C, 2 * 256 * unit},
      {"dX ffn1", 256, C, F, false, false, F, C, C, 4 * 512 * unit},
      {"dX ffn2", 256, F, C, false, false, C, F, F, 4 * 512 * unit},
      // backward dW[out/2, in] = dYᵀ·X over all 2048 rows (one block of outputs per thread)
      {"dW qkv", 3 * C / 2, C, N, true, false, 3 * C, C, C, 4 * 384 * unit},
      {"dW out/cross q", C / 2, C, N, true, false, C, C, C, 6 * 128 * unit},
      {"dW cross kv", C, C, N, true, false, 2 * C, C, C, 2 * 256 * unit},
      {"dW ffn1", F / 2, C, N, true, false, F, C, C, 4 * 512 * unit},
      {"dW ffn2", C / 2, F, N, true, false, C, F, F, 4 * 512 * unit},
      // attention tiles, one (sequence, head) block: 32 queries x 32 keys x 32 per head, reading
      // q, k, v in place from the (rows, 3C) projection
      {"att scores q·kᵀ", 32, 32, 32, false, true, 3 * C, 3 * C, 32, 0.015},
      {"att p·v", 32, 32, 32, false, false, 32, 3 * C, C, 0.015},
      {"att dv += pᵀ·do", 32, 32, 32, true, false, 32, C, 3 * C, 0.015},
      {"att dq += dp·k", 32, 32, 32, false, false, 32, 3 * C, 3 * C, 0.015},
      // the `small` config's tiles (64 queries x 64 keys, heads of 32; weight 0: not tiny's)
      {"small att q·kᵀ", 64, 64, 32, false, true, 3 * 256, 3 * 256, 64, 0},
      {"small att p·v", 64, 32, 64, false, false, 64, 3 * 256, 256, 0},
      {"small att dk+=dsᵀq", 64, 32, 64, true, false, 64, 3 * 256, 3 * 256, 0},
      // the weight gradient split across threads by rows of x instead (all outputs, 1024 rows each):
      // each thread packs half of x, not all of it, and the two halves' sums are added after
      {"dW qkv k/2", 3 * C, C, N / 2, true, false, 3 * C, C, C, 0},
      {"dW out k/2", C, C, N / 2, true, false, C, C, C, 0},
      {"dW ffn1 k/2", F, C, N / 2, true, false, F, C, C, 0},
      {"dW ffn2 k/2", C, F, N / 2, true, false, C, F, F, 0},
      // the same at the `small` config (d_model 256, d_ff 1024, 32 x 64 = 2048 rows; weight 0)
      {"small dW qkv", 384, 256, N, true, false, 768, 256, 256, 0},
      {"small dW qkv k/2", 768, 256, N / 2, true, false, 768, 256, 256, 0},
      {"small dW ffn1", 512, 256, N, true, false, 1024, 256, 256, 0},
      {"small dW ffn1 k/2", 1024, 256, N / 2, true, false, 1024, 256, 256, 0},
      {"small dW ffn2", 128, 1024, N, true, false, 256, 1024, 1024, 0},
      {"small dW ffn2 k/2", 256, 1024, N / 2, true, false, 256, 1024, 1024, 0},
      // fewer, larger products: the same FFN forward over 1024 rows at once
      {"fwd ffn1 x1024", 1024, F, C, false, true, C, C, F, 0},
      {"fwd ffn2 x1024", 1024, C, F, false, true, F, F, C, 0},
      {"dX ffn2 x1024", 1024, F, C, false, false, C, F, F, 0},
  };
  std::printf("%-18s %5s %5s %5s %2s %9s %9s %9s %9s %9s  (GFLOP/s of CPU time, 1 thread; xsmm-jit: NT after a copy of yᵀ)\n",
              "product", "m", "n", "k", "op", "OpenBLAS", "BLIS", "libxsmm", "xsmm-jit", "Eigen");
  double total[5] = {0, 0, 0, 0, 0}, weight_sum = 0;
  for (const Shape& s : shapes) {
    const int a_rows = s.ta ? s.k : s.m, b_rows = s.tb ? s.n : s.k;
    const auto a = random_vector(std::size_t(a_rows) * s.lda, 1), b = random_vector(std::size_t(b_rows) * s.ldb, 2);
    const auto c0 = random_vector(std::size_t(s.m) * s.ldc, 3);
    std::vector<float> c = c0, ref = c0;
    const float one = 1;
    auto openblas = [&](std::vector<float>& out) {
      cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, s.m, s.n, s.k, 1.0f,
                  a.data(), s.lda, b.data(), s.ldb, 1.0f, out.data(), s.ldc);
    };
    auto blis = [&](std::vector<float>& out) {
      float alpha = 1, beta = 1;
      bli_sgemm(s.ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, s.tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, s.m, s.n, s.k,
                &alpha, const_cast<float*>(a.data()), s.lda, 1, const_cast<float*>(b.data()), s.ldb, 1, &beta,
                out.data(), s.ldc, 1);
    };
    using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using CMap = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
    using MMap = Eigen::Map<RowMat, 0, Eigen::OuterStride<>>;
    const CMap am(a.data(), a_rows, s.ta ? s.m : s.k, Eigen::OuterStride<>(s.lda));
    const CMap bm(b.data(), b_rows, s.tb ? s.k : s.n, Eigen::OuterStride<>(s.ldb));
    auto eigen = [&](std::vector<float>& out) {
      MMap cm(out.data(), s.m, s.n, Eigen::OuterStride<>(s.ldc));
      if (!s.ta && !s.tb) cm.noalias() += am * bm;
      else if (s.ta && !s.tb) cm.noalias() += am.transpose() * bm;
      else if (!s.ta && s.tb) cm.noalias() += am * bm.transpose();
      else cm.noalias() += am.transpose() * bm.transpose();
    };
    // Column-major view: Cᵀ[n,m] = op(B)ᵀ·op(A)ᵀ, B's storage as the first operand.
    const libxsmm_blasint M = s.n, Nn = s.m, K = s.k, lda = s.ldb, ldb = s.lda, ldc = s.ldc;
    const char transa = s.tb ? 'T' : 'N', transb = s.ta ? 'T' : 'N';
    auto xsmm = [&](std::vector<float>& out) {
      libxsmm_sgemm(&transa, &transb, &M, &Nn, &K, &one, b.data(), &lda, a.data(), &ldb, &one, out.data(), &ldc);
    };
    const int flags = (s.tb ? LIBXSMM_GEMM_FLAG_TRANS_A : 0) | (s.ta ? LIBXSMM_GEMM_FLAG_TRANS_B : 0);
    if (s.ta && s.tb) std::abort();  // heed has no such product
    const int prefetch = LIBXSMM_PREFETCH_NONE;
    // libxsmm's AVX2 kernels take no TRANS_A: for row-major x·yᵀ (NT) the column is a kernel for
    // x·(yᵀ copied first), the copy included, as heed's gemm_small.cpp does it.
    const bool copy_b = s.tb && !s.ta;
    const libxsmm_blasint lda_copy = s.n;
    const int flags_copy = 0;
    std::vector<float> b_t(std::size_t(s.k) * s.n);
    const libxsmm_smmfunction kernel =
        copy_b ? libxsmm_smmdispatch(M, Nn, K, &lda_copy, &ldb, &ldc, &one, &one, &flags_copy, &prefetch)
               : libxsmm_smmdispatch(M, Nn, K, &lda, &ldb, &ldc, &one, &one, &flags, &prefetch);
    auto jit = [&](std::vector<float>& out) {
      if (copy_b) {
        for (int j = 0; j < s.n; ++j)
          for (int i = 0; i < s.k; ++i) b_t[std::size_t(i) * s.n + j] = b[std::size_t(j) * s.ldb + i];
        kernel(b_t.data(), a.data(), out.data());
      } else {
        kernel(b.data(), a.data(), out.data());
      }
    };

    openblas(ref);
    double r[5] = {0, 0, 0, -1, 0}, err[5] = {0, 0, 0, 0, 0};
    c = c0; eigen(c); err[4] = max_diff(c, ref);
    c = c0; blis(c); err[1] = max_diff(c, ref);
    c = c0; xsmm(c); err[2] = max_diff(c, ref);
    if (kernel) { c = c0; jit(c); err[3] = max_diff(c, ref); }
    // The libraries take turns, sample by sample (15 rounds, medians): on a shared machine the
    // load changes within seconds, and it then changes all of them alike.
    std::vector<double> samples[5];
    for (int i = 0; i < 3; ++i) { openblas(c); blis(c); xsmm(c); if (kernel) jit(c); }
    for (int round = 0; round < 15; ++round) {
      samples[0].push_back(sample(s, [&] { openblas(c); }));
      samples[1].push_back(sample(s, [&] { blis(c); }));
      samples[2].push_back(sample(s, [&] { xsmm(c); }));
      if (kernel) samples[3].push_back(sample(s, [&] { jit(c); }));
      samples[4].push_back(sample(s, [&] { eigen(c); }));
    }
    for (int i = 0; i < 5; ++i) if (!samples[i].empty()) r[i] = median(samples[i]);
    char jit_text[32];
    if (kernel) std::snprintf(jit_text, sizeof jit_text, "%9.1f", r[3]);
    else std::snprintf(jit_text, sizeof jit_text, "%9s", "-");
    std::printf("%-18s %5d %5d %5d %c%c %9.1f %9.1f %9.1f %s %9.1f", s.what, s.m, s.n, s.k, s.ta ? 'T' : 'N',
                s.tb ? 'T' : 'N', r[0], r[1], r[2], jit_text, r[4]);
    const double worst = std::max({err[1], err[2], err[3], err[4]});
    if (worst > 1e-3 * s.k) std::printf("   MISMATCH blis %.2g xsmm %.2g jit %.2g eigen %.2g", err[1], err[2], err[3], err[4]);
    std::printf("\n");
    if (s.weight > 0) {
      weight_sum += s.weight;
      for (int i = 0; i < 3; ++i) total[i] += s.weight / r[i];  // time per FLOP, weighted
      total[3] += s.weight / (kernel ? std::max(r[3], r[2]) : r[2]);
      total[4] += s.weight / r[4];
    }
  }
  std::printf("FLOP-weighted over tiny's linear and attention products: OpenBLAS %.1f, BLIS %.1f, libxsmm %.1f, "
              "best of libxsmm/jit %.1f, Eigen %.1f GFLOP/s\n",
              weight_sum / total[0], weight_sum / total[1], weight_sum / total[2], weight_sum / total[3],
              weight_sum / total[4]);
}
