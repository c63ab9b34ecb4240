// Fused gradient buckets.
#include "train/loop/gradient_sync.h"

#include <algorithm>
#include <chrono>
#include <cstring>

HEED_NAMESPACE_BEGIN

GradientSync::GradientSync(Communicator& comm, std::size_t bucket_values)
    : comm_(comm), bucket_values_(std::max<std::size_t>(1, bucket_values)) {}

void GradientSync::sum(const std::vector<Parameter>& params) {
  if (comm_.size() == 1) return;
  const auto began = std::chrono::steady_clock::now();
  // Which parameters have a gradient anywhere (a rank whose share of the batch was empty has none).
  std::vector<double> present(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) present[i] = params[i].tensor.has_grad() ? 1 : 0;
  comm_.sum(present.data(), present.size());
  std::size_t total = 0;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (present[i] > 0) total += std::size_t(params[i].tensor.size());
  buffer_.resize(total);
  std::size_t at = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (present[i] == 0) continue;
    const Matrix& g = params[i].tensor.grad();  // zeros where this rank had none
    std::memcpy(buffer_.data() + at, g.data(), sizeof(Scalar) * std::size_t(g.size()));
    at += std::size_t(g.size());
  }
  for (std::size_t begin = 0; begin < total; begin += bucket_values_)
    comm_.sum(buffer_.data() + begin, std::min(bucket_values_, total - begin));
  at = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (present[i] == 0) continue;
    Matrix& g = params[i].tensor.grad();
    std::memcpy(g.data(), buffer_.data() + at, sizeof(Scalar) * std::size_t(g.size()));
    at += std::size_t(g.size());
  }
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
}

HEED_NAMESPACE_END
