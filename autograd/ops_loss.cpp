// Fused log-softmax + cross-entropy with label smoothing and an ignored (PAD) target.
#include <cmath>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {
constexpr Index kLossRowGrain = 64;  // rows per chunk
}  // namespace

// loss = (1/n) Σ_counted rows [ (1-ε)·(-log p[y]) + (ε/V)·Σ_j (-log p[j]) ],  p = softmax(logits)
// dlogits[i] = (p[i] - q[i]) / n,  q = (1-ε)·onehot(y) + ε/V;  ignored rows get 0.
Tensor cross_entropy(const Tensor& logits, const std::vector<std::int32_t>& targets, CrossEntropyOptions o) {
  const Index n = logits.rows(), v = logits.cols();
  HEED_CHECK(Index(targets.size()) == n, "cross_entropy: " << n << " rows of logits but " << targets.size() << " targets");
  HEED_CHECK(o.label_smoothing >= 0 && o.label_smoothing <= 1,
             "cross_entropy: label_smoothing is " << o.label_smoothing << ", expected [0, 1]");
  for (Index r = 0; r < n; ++r)
    HEED_CHECK(targets[r] == o.ignore_index || (targets[r] >= 0 && targets[r] < v),
               "cross_entropy: target " << targets[r] << " in row " << r << " outside " << v << " classes");
  // Rows are independent: threads take chunks of them. Each row's loss is kept and the rows
  // summed in order, so the total does not depend on the thread count.
  Matrix probs(n, v);
  std::vector<Scalar> row_loss(std::size_t(n), Scalar(0));
  parallel_for(n, kLossRowGrain, [&](Index begin, Index end) {
    for (Index r = begin; r < end; ++r) {
      const std::int32_t y = targets[r];
      if (y == o.ignore_index) continue;
      const auto row = logits.value().row(r);
      const Scalar max = row.maxCoeff();
      const Scalar lse = max + std::log((row.array() - max).exp().sum());
      probs.row(r) = (row.array() - lse).exp();
      const Scalar nll = lse - row(y);
      const Scalar mean_nll = lse - row.mean();  // (1/V)·Σ_j -log p[j]
      row_loss[std::size_t(r)] = (1 - o.label_smoothing) * nll + o.label_smoothing * mean_nll;
    }
  });
  Scalar total = 0;
  Index counted = 0;
  for (Index r = 0; r < n; ++r) {
    if (targets[r] == o.ignore_index) continue;
    total += row_loss[std::size_t(r)];
    ++counted;
  }
  const Scalar scale = o.sum || counted == 0 ? Scalar(1) : Scalar(1) / Scalar(counted);
  return record("cross_entropy", Matrix::Constant(1, 1, total * scale), {logits},
                [logits = GradRef(logits), targets, o, probs, scale](const Matrix& d_loss) {
                  bool first = false;
                  Matrix& d_logits = logits.grad_for_write(&first);
                  const Scalar g = d_loss(0, 0) * scale, smooth = o.label_smoothing / Scalar(probs.cols());
                  parallel_for(probs.rows(), kLossRowGrain, [&](Index begin, Index end) {
                    for (Index r = begin; r < end; ++r) {
                      if (targets[r] == o.ignore_index) {
                        if (first) d_logits.row(r).setZero();
                        continue;
                      }
                      write_or_add(first, d_logits.row(r), (g * (probs.row(r).array() - smooth)).matrix());
                      d_logits(r, targets[r]) -= g * (1 - o.label_smoothing);
                    }
                  });
                });
}

HEED_NAMESPACE_END
