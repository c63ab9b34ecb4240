// 8-bit linear layers for inference: quantization and the scaled integer product.
#include "autograd/int8_linear.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

#include "autograd/check.h"
#include "autograd/ops_internal.h"
#include "autograd/parallel.h"

#ifdef HEED_DNNL
#include <cpuid.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <oneapi/dnnl/dnnl.h>  // the function's signature only: the library is loaded when first used
#endif

HEED_NAMESPACE_BEGIN

namespace {

// Each input row in [-127, 127], stored offset by 128 as unsigned (the u8 operand of u8·s8).
constexpr int kInputLimit = 127;
constexpr int kInputOffset = 128;

#ifdef HEED_DNNL
// oneDNN, loaded when the first weights are quantized (their 7- or 8-bit range depends on it) or
// at the first 8-bit product, rather than linked: linked, its 40 MB library raised
// every heed process's peak RSS by about 3 MB (heed --version: 24.3 against 21.1 MB), for a
// feature few runs use.
struct OneDnn {
  decltype(&dnnl_gemm_u8s8s32) gemm = nullptr;
  void (*set_num_threads)(int) = nullptr;  // libgomp's omp_set_num_threads: oneDNN runs on OpenMP
};

const OneDnn& onednn() {
  static const OneDnn loaded = [] {
    OneDnn d;
    if (const char* choice = std::getenv("HEED_INT8_PRODUCT")) {
      if (std::string(choice) == "eigen") return d;
      if (std::string(choice) != "onednn")
        std::fprintf(stderr, "heed: warning: HEED_INT8_PRODUCT=%s is neither eigen nor onednn: using oneDNN\n", choice);
    }
    void* library = dlopen(HEED_DNNL_SONAME, RTLD_NOW | RTLD_LOCAL);
    void* gomp = library ? dlopen("libgomp.so.1", RTLD_NOW | RTLD_LOCAL) : nullptr;
    if (library && gomp) {
      d.gemm = reinterpret_cast<decltype(d.gemm)>(dlsym(library, "dnnl_gemm_u8s8s32"));
      d.set_num_threads = reinterpret_cast<void (*)(int)>(dlsym(gomp, "omp_set_num_threads"));
    }
    if (!d.gemm || !d.set_num_threads) {
      d = OneDnn{};
      const char* why = dlerror();
      std::fprintf(stderr, "heed: warning: 8-bit products: %s could not be loaded (%s); using Eigen's integer "
                           "product, which is much slower (apt-get install libdnnl2)\n", HEED_DNNL_SONAME,
                   why ? why : "a function is missing");
    }
    return d;
  }();
  return loaded;
}
#endif

// rows of x quantized: q (rows, cols) unsigned with offset, scale per row.
struct QuantizedInput {
  std::vector<std::uint8_t> values;
  std::vector<float> scales;
};

void quantize_input_rows(const Matrix& x, Index begin, Index end, QuantizedInput& q) {
  const Index cols = x.cols();
  for (Index i = begin; i < end; ++i) {
    const float largest = float(x.row(i).cwiseAbs().maxCoeff());
    const float scale = largest > 0 && std::isfinite(largest) ? largest / kInputLimit : 1.0f;
    const float inverse = 1.0f / scale;
    q.scales[i] = scale;
    std::uint8_t* row = q.values.data() + i * cols;
    for (Index k = 0; k < cols; ++k) {
      float v = std::clamp(float(x(i, k)) * inverse, float(-kInputLimit), float(kInputLimit));
      if (std::isnan(v)) v = 0;  // no integer stands for it; the output is NaN-free but meaningless then
      row[k] = std::uint8_t(int(std::nearbyint(v)) + kInputOffset);
    }
  }
}

// c[rows begin:end][outputs first:first+count] = Σ_k (qx - 128)·qw, int32, leading dimension ldc.
// Returns 0, or oneDNN's error status (it runs on pool threads, which must not throw).
int integer_product(const QuantizedInput& qx, Index cols, Index begin, Index end, const Int8Matrix& w, Index first,
                     Index count, std::int32_t* c, Index ldc) {
  const std::uint8_t* a = qx.values.data() + begin * cols;
  const std::int8_t* b = w.values.data() + first * cols;
#ifdef HEED_DNNL
  if (const OneDnn& dnnl = onednn(); dnnl.gemm) {
    // heed's own threads split the product; oneDNN's would only compete. Per calling thread, once.
    thread_local const bool single_threaded = (dnnl.set_num_threads(1), true);
    (void)single_threaded;
    const std::int32_t no_offset = 0;
    return int(dnnl.gemm('N', 'T', 'F', end - begin, count, cols, 1.0f, a, cols, std::uint8_t(kInputOffset), b, cols, 0,
                         0.0f, c, ldc, &no_offset));
  }
#endif
  {
  using IntMatrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto xq = Eigen::Map<const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                      a, end - begin, cols).cast<std::int32_t>().array() - kInputOffset;
  const auto wq = Eigen::Map<const Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                      b, count, cols).cast<std::int32_t>();
  Eigen::Map<IntMatrix, 0, Eigen::OuterStride<>>(c, end - begin, count, Eigen::OuterStride<>(ldc)) =
      xq.matrix() * wq.transpose();
  }
  return 0;
}

// y[begin:end][j0:j1] (outputs j of the slice) from the integer sums.
void scale_back(const std::int32_t* c, Index ldc, const QuantizedInput& qx, const Int8Matrix& w, Index first,
                const Matrix& bias, Index begin, Index end, Index j0, Index j1, Matrix& y) {
  for (Index i = begin; i < end; ++i) {
    const float sx = qx.scales[i];
    const std::int32_t* ci = c + (i - begin) * ldc;
    for (Index j = j0; j < j1; ++j) {
      const float v = float(ci[j - j0]) * sx * w.scales[first + j];
      y(i, j) = Scalar(v) + (bias.size() > 0 ? bias(0, j) : Scalar(0));
    }
  }
}

}  // namespace

int int8_weight_limit() {
#ifdef HEED_DNNL
  if (onednn().gemm) {
    __builtin_cpu_init();
    // AVX-VNNI (CPUID leaf 7, subleaf 1, EAX bit 4) read directly: clang 14 has no name for it.
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    const bool avx_vnni = __builtin_cpu_supports("avx2") && __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) &&
                          (eax >> 4 & 1) != 0;
    return __builtin_cpu_supports("avx512vnni") || avx_vnni ? 127 : 63;
  }
#endif
  return 127;  // Eigen's integer product cannot saturate
}

Int8Matrix quantize_rows(const Matrix& w, int limit) {
  HEED_CHECK(limit >= 1 && limit <= 127, "quantize_rows: limit " << limit << " is not in [1, 127]");
  Int8Matrix q;
  q.rows = w.rows();
  q.cols = w.cols();
  q.values.resize(std::size_t(w.size()));
  q.scales.resize(std::size_t(w.rows()));
  for (Index r = 0; r < w.rows(); ++r) {
    HEED_CHECK(w.row(r).allFinite(), "quantize_rows: row " << r << " holds a value that is not finite");
    const float largest = float(w.row(r).cwiseAbs().maxCoeff());
    const float scale = largest > 0 ? largest / float(limit) : 1.0f;
    q.scales[std::size_t(r)] = scale;
    for (Index k = 0; k < w.cols(); ++k)
      q.values[std::size_t(r * w.cols() + k)] = std::int8_t(std::nearbyint(float(w(r, k)) / scale));
  }
  return q;
}

Matrix dequantize(const Int8Matrix& w) {
  Matrix m(w.rows, w.cols);
  for (Index r = 0; r < w.rows; ++r)
    for (Index k = 0; k < w.cols; ++k) m(r, k) = Scalar(w.scales[std::size_t(r)] * w.values[std::size_t(r * w.cols + k)]);
  return m;
}

Matrix linear_int8(const Matrix& x, const Int8Matrix& w, Index first, Index count, const Matrix& bias) {
  HEED_CHECK(x.cols() == w.cols && first >= 0 && count >= 0 && first + count <= w.rows,
             "linear_int8: input " << shape_str(x) << " against outputs [" << first << "," << first + count
                                   << ") of an 8-bit (" << w.rows << "," << w.cols << ") weight");
  HEED_CHECK(bias.size() == 0 || (bias.rows() == 1 && bias.cols() == count),
             "linear_int8: bias is " << shape_str(bias) << ", expected (1," << count << ")");
  const Index rows = x.rows(), cols = x.cols();
  Matrix y(rows, count);
  if (rows == 0 || count == 0) return y;
  QuantizedInput qx;
  qx.values.resize(std::size_t(rows * cols));
  qx.scales.resize(std::size_t(rows));
  // Every entry is written by the product before it is read: no zero-filling (16 MB for a 32k
  // vocabulary at 128 rows, at every decoder step).
  const std::unique_ptr<std::int32_t[]> sums(new std::int32_t[std::size_t(rows * count)]);
  std::atomic<int> failure{0};
  if (const LinearSplit split = linear_split(rows, count, true); split.by_outputs) {
    quantize_input_rows(x, 0, rows, qx);  // once, then each thread a share of the outputs
    parallel_for(count, split.grain, [&](Index j0, Index j1) {
      if (const int status = integer_product(qx, cols, 0, rows, w, first + j0, j1 - j0, sums.get() + j0, count)) {
        failure = status;
        return;
      }
      scale_back(sums.get() + j0, count, qx, w, first, bias, 0, rows, j0, j1, y);
    });
  } else {
    parallel_for(rows, split.grain, [&](Index begin, Index end) {
      quantize_input_rows(x, begin, end, qx);
      std::int32_t* c = sums.get() + begin * count;
      if (const int status = integer_product(qx, cols, begin, end, w, first, count, c, count)) {
        failure = status;
        return;
      }
      scale_back(c, count, qx, w, first, bias, begin, end, 0, count, y);
    });
  }
  HEED_CHECK(failure == 0, "int8 product: oneDNN returned status " << failure.load());
  return y;
}

const char* int8_product_name() {
#ifdef HEED_DNNL
  if (onednn().gemm) return "oneDNN u8s8s32";
#endif
  return "Eigen";
}

HEED_NAMESPACE_END
