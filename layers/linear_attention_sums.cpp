// Running sums of linear attention.
#include "layers/linear_attention_sums.h"

#include "autograd/check.h"
#include "autograd/ops.h"
#include "layers/kv_cache.h"

HEED_NAMESPACE_BEGIN

LinearAttentionSums::LinearAttentionSums(Index batch, Index heads, Index d_model)
    : heads_(heads), dim_(d_model / heads), s_(Matrix::Zero(batch * d_model, d_model / heads)),
      z_(Matrix::Zero(batch * heads, d_model / heads)), count_(std::size_t(batch), 0) {}

void LinearAttentionSums::add(const Matrix& k, const Matrix& v, const Mask& keys) {
  const Index batch = Index(count_.size()), len = k.rows() / batch;
  HEED_CHECK(k.rows() == batch * len && v.rows() == k.rows() && k.cols() == heads_ * dim_ && v.cols() == k.cols() &&
                 (keys.size() == 0 || (keys.rows() == batch && keys.cols() == len)),
             "linear attention sums: keys " << shape_str(k) << ", values " << shape_str(v) << ", mask "
                                            << shape_str(keys) << " for " << batch << " sequences");
  const Matrix features = linear_attention_features(k);
  for (Index b = 0; b < batch; ++b)
    for (Index j = 0; j < len; ++j) {
      if (keys.size() > 0 && !keys(b, j)) continue;
      const Index row = b * len + j;
      for (Index h = 0; h < heads_; ++h) {
        const auto fk = features.row(row).segment(h * dim_, dim_);
        s_.middleRows((b * heads_ + h) * dim_, dim_).noalias() += fk.transpose() * v.row(row).segment(h * dim_, dim_);
        z_.row(b * heads_ + h) += fk;
      }
      ++count_[std::size_t(b)];
    }
}

Matrix LinearAttentionSums::read(const Matrix& q) const {
  const Matrix features = linear_attention_features(q);
  Matrix context = Matrix::Zero(q.rows(), q.cols());
  for (Index b = 0; b < q.rows(); ++b) {
    if (count_[std::size_t(b)] == 0) continue;  // no visible key: zero context
    for (Index h = 0; h < heads_; ++h) {
      const auto fq = features.row(b).segment(h * dim_, dim_);
      const Scalar total = fq.dot(z_.row(b * heads_ + h));
      context.row(b).segment(h * dim_, dim_).noalias() = (fq * s_.middleRows((b * heads_ + h) * dim_, dim_)) / total;
    }
  }
  return context;
}

void LinearAttentionSums::select(const std::vector<Index>& rows) {
  for (Index r : rows)
    HEED_CHECK(r >= 0 && r < Index(count_.size()), "linear attention sums: row " << r << " of " << count_.size());
  s_ = gather_sequences(s_, heads_ * dim_, rows);
  z_ = gather_sequences(z_, heads_, rows);
  std::vector<Index> count;
  for (Index r : rows) count.push_back(count_[std::size_t(r)]);
  count_ = std::move(count);
}

HEED_NAMESPACE_END
