// Attention masks as a matrix or as a pattern of padding and band.
#include "autograd/attention_mask.h"

#include <algorithm>

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

AttentionMask::AttentionMask(Mask matrix) {
  if (matrix.size() > 0) matrix_ = std::make_shared<const Mask>(std::move(matrix));
}

AttentionMask AttentionMask::pattern(Mask keys, Index before, Index after) {
  AttentionMask m;
  if (keys.size() > 0) m.keys_ = std::make_shared<const Mask>(std::move(keys));
  m.before_ = before < 0 ? -1 : before;
  m.after_ = after < 0 ? -1 : after;
  return m;
}

void AttentionMask::check(Index batch, Index q_len, Index k_len, const char* who) const {
  if (matrix_)
    HEED_CHECK(matrix_->rows() == batch * q_len && matrix_->cols() == k_len,
               who << ": mask is " << shape_str(*matrix_) << ", expected (" << batch * q_len << "," << k_len << ")");
  if (keys_)
    HEED_CHECK(keys_->rows() == batch && keys_->cols() == k_len,
               who << ": key mask is " << shape_str(*keys_) << ", expected (" << batch << "," << k_len << ")");
}

const bool* AttentionMask::row(Index b, Index q_len, Index t, Index c0, Index width, bool* scratch) const {
  if (matrix_) return matrix_->row(b * q_len + t).data() + c0;
  const bool* keys = keys_ ? keys_->row(b).data() : nullptr;
  for (Index c = 0; c < width; ++c) {
    const Index j = c0 + c;
    scratch[c] = (!keys || keys[j]) && (before_ < 0 || j >= t - before_) && (after_ < 0 || j <= t + after_);
  }
  return scratch;
}

void AttentionMask::hide(Index b, Index q_len, Index t, Index c0, Index width, Scalar* scores, Scalar value) const {
  if (matrix_) {
    const bool* allowed = matrix_->row(b * q_len + t).data() + c0;
    for (Index c = 0; c < width; ++c)
      if (!allowed[c]) scores[c] = value;
    return;
  }
  // The band's visible columns [lo, hi) of this row, clamped to [0, width].
  const Index lo = before_ < 0 ? 0 : std::clamp<Index>(t - before_ - c0, 0, width);
  const Index hi = after_ < 0 ? width : std::clamp<Index>(t + after_ + 1 - c0, lo, width);
  std::fill(scores, scores + lo, value);
  std::fill(scores + hi, scores + width, value);
  if (!keys_) return;
  const bool* keys = keys_->row(b).data() + c0;
  for (Index c = lo; c < hi; ++c)
    if (!keys[c]) scores[c] = value;
}

std::pair<Index, Index> AttentionMask::key_range(Index b, Index q_len, Index k_len, Index r0, Index rows) const {
  Index first = k_len, last = -1;
  if (matrix_) {
    for (Index r = 0; r < rows; ++r) {
      const bool* allowed = matrix_->row(b * q_len + r0 + r).data();
      const bool* f = std::find(allowed, allowed + k_len, true);
      if (f == allowed + k_len) continue;
      first = std::min(first, Index(f - allowed));
      Index l = k_len - 1;
      while (!allowed[l]) --l;
      last = std::max(last, l);
    }
  } else {  // the band's ends, then past padding at either end
    first = before_ < 0 ? 0 : std::max<Index>(0, r0 - before_);
    last = after_ < 0 ? k_len - 1 : std::min(k_len - 1, r0 + rows - 1 + after_);
    if (keys_) {
      const bool* keys = keys_->row(b).data();
      while (first <= last && !keys[first]) ++first;
      while (last >= first && !keys[last]) --last;
    }
  }
  return last < first ? std::pair<Index, Index>{0, 0} : std::pair<Index, Index>{first, last + 1 - first};
}

Mask AttentionMask::to_matrix(Index batch, Index q_len, Index k_len) const {
  check(batch, q_len, k_len, "attention mask");
  if (matrix_) return *matrix_;
  Mask m(batch * q_len, k_len);
  for (Index b = 0; b < batch; ++b)
    for (Index t = 0; t < q_len; ++t) row(b, q_len, t, 0, k_len, m.row(b * q_len + t).data());
  return m;
}

HEED_NAMESPACE_END
