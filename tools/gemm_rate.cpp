// The single-precision matrix-product rate heed's kernels can reach on this machine: one
// 2048x2048x2048 product with Eigen (single-threaded, as heed calls it), median of 5.
// Build and run: g++ -O3 -march=native -I/usr/include/eigen3 tools/gemm_rate.cpp -o /tmp/gemm_rate && /tmp/gemm_rate
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

int main() {
  using M = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const int n = 2048;
  const M a = M::Random(n, n), b = M::Random(n, n);
  M c(n, n);
  std::vector<double> rates;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    c.noalias() = a * b;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(2.0 * n * n * double(n) / s / 1e9);
  }
  std::sort(rates.begin(), rates.end());
  std::printf("2048^3 float product, 1 thread: median %.1f GFLOP/s (checksum %.3f)\n", rates[2], double(c(7, 11)));
}
