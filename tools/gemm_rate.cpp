// The single-precision matrix-product rate heed's kernels can reach on this machine: a
// 2048x2048x2048 product through Eigen, as heed calls it (single-threaded BLAS; with 2 threads
// each computes half the rows of C, as heed's parallel_for splits a product). Median of 5.
// Build as heed is built (OpenBLAS behind Eigen), then run:
//   g++ -O3 -march=native -DEIGEN_USE_BLAS -I/usr/include/eigen3 tools/gemm_rate.cpp -lopenblas -pthread -o /tmp/gemm_rate
//   /tmp/gemm_rate
// Without -DEIGEN_USE_BLAS and -lopenblas it measures Eigen's own kernel.
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#ifdef EIGEN_USE_BLAS
extern "C" void openblas_set_num_threads(int);
#endif

using M = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Median GFLOP/s of C = A·B with `threads` threads, each computing a band of C's rows.
double rate(const M& a, const M& b, M& c, int threads) {
  const Eigen::Index n = a.rows(), band = n / threads;
  std::vector<double> rates;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
      workers.emplace_back([&, t] { c.middleRows(t * band, band).noalias() = a.middleRows(t * band, band) * b; });
    for (auto& w : workers) w.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(2.0 * double(n) * double(n) * double(n) / s / 1e9);
  }
  std::sort(rates.begin(), rates.end());
  return rates[2];
}

int main() {
#ifdef EIGEN_USE_BLAS
  openblas_set_num_threads(1);
  const char* kernel = "OpenBLAS through Eigen";
#else
  const char* kernel = "Eigen";
#endif
  const int n = 2048;
  const M a = M::Random(n, n), b = M::Random(n, n);
  M c(n, n);
  for (int threads : {1, 2})
    std::printf("2048^3 float product, %s, %d thread%s: median %.1f GFLOP/s\n", kernel, threads,
                threads == 1 ? "" : "s", rate(a, b, c, threads));
  std::printf("(checksum %.3f)\n", double(c(7, 11)));
}
