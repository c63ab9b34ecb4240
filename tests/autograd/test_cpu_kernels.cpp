// The CPU-specific kernels (autograd/cpu_kernels.h): every variant this CPU can run, against
// std::exp and the plain formula, and against each other. On an AVX-512 machine both the AVX-512
// and the AVX2 variants run here; on an AVX2-only one, the AVX2 variant.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "autograd/cpu_kernels.h"

namespace heed {
namespace {

// Values at and around the kernels' edges, then random ones, at a length that leaves a tail past
// every vector width.
std::vector<float> exp_arguments() {
  // (Small positive ones too: attention's backward meets exp(s - lse) with a rounding above 0.)
  std::vector<float> x = {1e-6f, 0.01f, 0.3f, 0.0f, -1e-7f, -0.3465f, -0.3466f, -0.6931f, -1.0f, -10.5f, -50.0f, -87.0f, -87.4f,
                          -100.0f, -std::numeric_limits<float>::infinity()};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-40.0f, 0.0f);
  while (x.size() < 1037) x.push_back(u(rng));
  return x;
}

// Linear's choice of kernels and heed bench --product-rate's note: AVX-512 loops against an
// AVX2 (or older) library only.
TEST(CpuKernels, WiderThanTheLibraryOnlyForAvx512AgainstAnAvx2Library) {
  EXPECT_TRUE(kernels_wider_than_blas("avx512", "OpenBLAS Haswell"));
  EXPECT_TRUE(kernels_wider_than_blas("avx512", "OpenBLAS Zen"));
  EXPECT_FALSE(kernels_wider_than_blas("avx512", "OpenBLAS Cooperlake"));
  EXPECT_FALSE(kernels_wider_than_blas("avx512", "OpenBLAS SkylakeX"));
  EXPECT_FALSE(kernels_wider_than_blas("avx2", "OpenBLAS Haswell"));
  EXPECT_FALSE(kernels_wider_than_blas("avx512", "Eigen"));  // no library to compare with
}

TEST(CpuKernels, TheChosenVariantIsASupportedOne) {
  const std::vector<const CpuKernels*> supported = supported_cpu_kernels();
  ASSERT_FALSE(supported.empty());
  bool found = false;
  for (const CpuKernels* k : supported) found = found || k == &cpu_kernels();
  EXPECT_TRUE(found) << cpu_kernels().name;
}

TEST(CpuKernels, ExpSumMatchesStdExp) {
  const std::vector<float> args = exp_arguments();
  const float shift = 0.25f;
  for (const CpuKernels* k : supported_cpu_kernels()) {
    std::vector<float> x(args);
    for (float& v : x) v += shift;  // the kernel subtracts it again
    const float sum = k->exp_sum(x.data(), Index(x.size()), shift);
    double want_sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double want = std::exp(double(args[i]));
      want_sum += want;
      if (want < 1.2e-38) {  // below the smallest normal float, or -inf: exactly 0
        EXPECT_EQ(x[i], 0.0f) << k->name << " exp(" << args[i] << ")";
        continue;
      }
      // 2 ulp of the result, plus the rounding of x + shift - shift in the argument
      EXPECT_NEAR(x[i], want, want * (2.4e-7 + 6e-8 * std::fabs(double(args[i])))) << k->name << " exp(" << args[i] << ")";
    }
    EXPECT_NEAR(sum, want_sum, want_sum * 1e-6) << k->name;
  }
}

// NaN stays NaN (a NaN score must not become a weight of 0 and hide), arguments far above 0
// give a finite number, and lengths around the vector widths sum every element once.
TEST(CpuKernels, ExpSumEdges) {
  for (const CpuKernels* k : supported_cpu_kernels()) {
    std::vector<float> x = {-1.0f, std::numeric_limits<float>::quiet_NaN(), -2.0f};
    EXPECT_TRUE(std::isnan(k->exp_sum(x.data(), 3, 0.0f))) << k->name;
    EXPECT_TRUE(std::isnan(x[1])) << k->name;
    EXPECT_NEAR(x[0], std::exp(-1.0f), 1e-6f) << k->name;
    std::vector<float> big = {100.0f, 1e10f, std::numeric_limits<float>::infinity()};
    k->exp_sum(big.data(), 3, 0.0f);
    for (float v : big) EXPECT_TRUE(std::isfinite(v) && v > 1e38f) << k->name << " " << v;
    for (Index n : {0, 1, 15, 16, 17, 33}) {
      std::vector<float> zeros(std::size_t(n), 0.0f);
      EXPECT_EQ(k->exp_sum(zeros.data(), n, 0.0f), float(n)) << k->name << " n=" << n;
    }
  }
}

TEST(CpuKernels, NormalizeIsTheFormula) {
  std::mt19937 rng(3);
  std::normal_distribution<float> n(0.0f, 2.0f);
  std::vector<float> x(523), gamma(523), beta(523);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = n(rng), gamma[i] = n(rng), beta[i] = n(rng);
  for (const CpuKernels* k : supported_cpu_kernels()) {
    std::vector<float> y(x.size());
    k->normalize(x.data(), 0.5f, 1.25f, gamma.data(), beta.data(), y.data(), Index(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float want = (x[i] - 0.5f) * 1.25f * gamma[i] + beta[i];
      EXPECT_NEAR(y[i], want, 1e-5f * (1 + std::fabs(want))) << k->name << " element " << i;
    }
  }
}

// Layer norm's backward row against the formula in double, for every way of writing dx (write,
// add, none), at lengths shorter than one vector, of whole vectors only and with a tail past every
// vector width; dγ and dβ are added to what they held.
TEST(CpuKernels, NormBackwardIsTheFormula) {
  std::mt19937 rng(5);
  std::normal_distribution<float> n(0.0f, 1.5f);
  for (const std::size_t c : {std::size_t(7), std::size_t(512), std::size_t(523)}) {
    std::vector<float> x(c), dy(c), gamma(c), start(c);
    for (std::size_t i = 0; i < c; ++i) x[i] = n(rng), dy[i] = n(rng), gamma[i] = n(rng), start[i] = n(rng);
    const double mean = 0.25, rstd = double(0.8f);  // what the kernel gets
    double sum_g = 0, sum_gx = 0;
    for (std::size_t i = 0; i < c; ++i) {
      const double x_hat = (x[i] - mean) * rstd, g = double(dy[i]) * gamma[i];
      sum_g += g, sum_gx += g * x_hat;
    }
    enum class Dx { write, add, none };
    for (const CpuKernels* k : supported_cpu_kernels())
      for (Dx mode : {Dx::write, Dx::add, Dx::none}) {
        std::vector<float> d_gamma(start), d_beta(start), dx(start);
        k->norm_backward(x.data(), dy.data(), gamma.data(), float(mean), float(rstd), d_gamma.data(), d_beta.data(),
                         mode == Dx::none ? nullptr : dx.data(), mode == Dx::add, Index(c));
        for (std::size_t i = 0; i < c; ++i) {
          const double x_hat = (x[i] - mean) * rstd;
          const double d_x = rstd * (double(dy[i]) * gamma[i] - sum_g / double(c) - x_hat * sum_gx / double(c));
          const double want_dx = mode == Dx::write ? d_x : mode == Dx::add ? start[i] + d_x : start[i];
          const std::string where = std::string(k->name) + " length " + std::to_string(c) + " element " +
                                    std::to_string(i) + " mode " + std::to_string(int(mode));
          if (mode == Dx::none) {
            EXPECT_EQ(dx[i], start[i]) << where;  // untouched
          } else {
            EXPECT_NEAR(dx[i], want_dx, 1e-5 * (1 + std::fabs(want_dx))) << where;
          }
          EXPECT_NEAR(d_gamma[i], start[i] + dy[i] * x_hat, 1e-5 * (1 + std::fabs(start[i]))) << where;
          EXPECT_NEAR(d_beta[i], start[i] + dy[i], 1e-5 * (1 + std::fabs(start[i]))) << where;
        }
      }
  }
}

// The variants compute the same thing: a model's numbers must not depend on the machine beyond rounding.
TEST(CpuKernels, VariantsAgree) {
  const std::vector<const CpuKernels*> supported = supported_cpu_kernels();
  if (supported.size() < 2) GTEST_SKIP() << "one variant here (" << supported.front()->name << "): nothing to compare";
  const std::vector<float> args = exp_arguments();
  std::vector<float> first(args);
  const float first_sum = supported.front()->exp_sum(first.data(), Index(first.size()), 0.0f);
  for (const CpuKernels* k : supported) {
    std::vector<float> x(args);
    const float sum = k->exp_sum(x.data(), Index(x.size()), 0.0f);
    for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], first[i], first[i] * 1e-6f) << k->name;
    EXPECT_NEAR(sum, first_sum, first_sum * 1e-6f) << k->name;
  }
  // layer norm's backward row, each way of writing dx: the same sums in the same order, but each
  // variant's compiler may contract other products into FMAs, so they agree to rounding
  std::mt19937 rng(9);
  std::normal_distribution<float> n(0.0f, 1.0f);
  const std::size_t c = 301;
  std::vector<float> x(c), dy(c), gamma(c);
  for (std::size_t i = 0; i < c; ++i) x[i] = n(rng), dy[i] = n(rng), gamma[i] = n(rng);
  auto backward = [&](const CpuKernels* k, bool with_dx, bool accumulate) {
    std::vector<float> out(3 * c, 0.5f);  // dγ, dβ, dx
    k->norm_backward(x.data(), dy.data(), gamma.data(), 0.1f, 1.1f, out.data(), out.data() + c,
                     with_dx ? out.data() + 2 * c : nullptr, accumulate, Index(c));
    return out;
  };
  for (const auto& [with_dx, accumulate] : {std::pair{true, false}, std::pair{true, true}, std::pair{false, false}}) {
    const std::vector<float> want = backward(supported.front(), with_dx, accumulate);
    for (const CpuKernels* k : supported) {
      const std::vector<float> got = backward(k, with_dx, accumulate);
      for (std::size_t i = 0; i < got.size(); ++i)
        EXPECT_NEAR(got[i], want[i], 1e-5f * (1 + std::fabs(want[i])))
            << k->name << " output " << i << (with_dx ? accumulate ? " adding dx" : " writing dx" : " without dx");
    }
  }
}

}  // namespace
}  // namespace heed
