// Cached keys and values, and attention of one query per sequence over them.
#include "layers/kv_cache.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/check.h"
#include "autograd/cpu_kernels.h"
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

Matrix attend_cached(const Matrix& q, const Matrix& k, const Matrix& v, Index heads, Index stride, Index len,
                     const Mask& keys, const std::vector<Index>& sequence_of_row) {
  const Index d = q.cols() / heads;
  const Scalar scale = Scalar(1) / std::sqrt(Scalar(d));
  Matrix context = Matrix::Zero(q.rows(), q.cols());
  // Rows are independent; a few per chunk (each is heads small products over len keys).
  parallel_for(q.rows(), 4, [&](Index begin, Index end) {
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> scores(len);
    for (Index b = begin; b < end; ++b) {
      const Index seq = sequence_of_row.empty() ? b : sequence_of_row[std::size_t(b)];
      for (Index h = 0; h < heads; ++h) {
        const auto k_bh = k.block(seq * stride, h * d, len, d);
        const auto v_bh = v.block(seq * stride, h * d, len, d);
        scores.noalias() = k_bh * (q.row(b).segment(h * d, d).transpose() * scale);
        Scalar max = -std::numeric_limits<Scalar>::infinity();
        for (Index j = 0; j < len; ++j)
          if (keys.size() == 0 || keys(seq, j)) max = std::max(max, scores(j));
        if (max == -std::numeric_limits<Scalar>::infinity()) continue;  // no visible key: zero context
        if (keys.size() > 0)
          for (Index j = 0; j < len; ++j)
            if (!keys(seq, j)) scores(j) = -std::numeric_limits<Scalar>::infinity();  // its exp is exactly 0
        const Scalar total = exp_sum(scores.data(), len, max);
        scores /= total;
        context.row(b).segment(h * d, d).noalias() = scores.transpose() * v_bh;
      }
    }
  });
  return context;
}

Matrix gather_sequences(const Matrix& m, Index stride, const std::vector<Index>& rows) {
  Matrix out(Index(rows.size()) * stride, m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.middleRows(Index(i) * stride, stride) = m.middleRows(rows[i] * stride, stride);
  return out;
}

void gather_sequences_into(const Matrix& m, Index stride, Index used, const std::vector<Index>& rows, Matrix& out) {
  const Index needed = Index(rows.size()) * stride;
  if (out.rows() < needed || out.cols() != m.cols()) out.resize(std::max(needed, out.rows()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.middleRows(Index(i) * stride, used) = m.middleRows(rows[i] * stride, used);
}

SelfAttentionCache::SelfAttentionCache(const ModelConfig& config, Index batch, Index max_steps)
    : max_steps_(max_steps), capacity_(max_steps), batch_(batch) {
  const Index c = config.d_model;
  if (config.attention == AttentionKind::Linear) {
    sums_.emplace(batch, config.num_heads, c);
    capacity_ = 0;
  } else if (config.attention == AttentionKind::Local) {
    capacity_ = std::min(max_steps, config.window + 1);
  }
  k_ = Matrix::Zero(batch * capacity_, c);
  v_ = Matrix::Zero(batch * capacity_, c);
}

Tensor SelfAttentionCache::step(const MultiHeadAttention& attn, const Tensor& x, Index position) {
  HEED_CHECK(position >= 0 && position < max_steps_, "key/value cache: position " << position << " of " << max_steps_);
  HEED_CHECK(x.rows() == batch_, "key/value cache: " << x.rows() << " rows for " << batch_ << " sequences");
  NoGradGuard no_grad;
  const Index c = x.cols(), batch = x.rows();
  const Matrix qkv = attn.project(x, 0, 3 * c).value();  // (B, 3C)
  if (sums_) {
    sums_->add(qkv.middleCols(c, c), qkv.rightCols(c), Mask());
    return attn.out_proj.forward(Tensor(sums_->read(qkv.leftCols(c))));
  }
  // The ring's order differs from the positions' once it wraps; softmax attention does not care.
  const Index slot = position % capacity_;
  for (Index b = 0; b < batch; ++b) {
    k_.row(b * capacity_ + slot) = qkv.row(b).segment(c, c);
    v_.row(b * capacity_ + slot) = qkv.row(b).segment(2 * c, c);
  }
  const Index seen = std::min(position + 1, capacity_);
  filled_ = std::max(filled_, seen);
  const Matrix context = attend_cached(qkv.leftCols(c), k_, v_, attn.num_heads(), capacity_, seen, Mask());
  return attn.out_proj.forward(Tensor(context));
}

void SelfAttentionCache::select(const std::vector<Index>& rows) {
  for (Index r : rows) HEED_CHECK(r >= 0 && r < batch_, "key/value cache select: row " << r << " of " << batch_);
  batch_ = Index(rows.size());
  if (sums_) return sums_->select(rows);
  // Only the slots written so far are copied: early in decoding, a small part of max_steps.
  gather_sequences_into(k_, capacity_, filled_, rows, spare_k_);
  gather_sequences_into(v_, capacity_, filled_, rows, spare_v_);
  k_.swap(spare_k_);
  v_.swap(spare_v_);
}

HEED_NAMESPACE_END
