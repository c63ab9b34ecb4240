// Which keys each query of an attention may see (true = may attend), in one of two forms:
//  - a matrix (B·Tq, Tk), row b·Tq + t (layers/masks.h builds one), for any pattern at all;
//  - a pattern that is never stored as a matrix: the keys that are not padding (B, Tk) and a
//    band of positions around each query (causal: none after it; local: W on either side), so
//    that causal and windowed attention over long sequences cost O(T) in mask, not O(T²).
// Empty (the default) = every key visible. Copies share the data.
#pragma once

#include <memory>
#include <utility>

#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

class AttentionMask {
 public:
  AttentionMask() = default;
  AttentionMask(Mask matrix);  // NOLINT: implicit, so a matrix is accepted wherever a mask is
  // Key t' of sequence b is visible to query t when keys(b, t') (or keys is empty) and
  // t - before <= t' <= t + after; a negative bound is no bound. Queries and keys share positions
  // (self-attention). keys (B, Tk) or empty.
  static AttentionMask pattern(Mask keys, Index before, Index after);

  bool empty() const { return !matrix_ && !keys_ && before_ < 0 && after_ < 0; }
  bool is_matrix() const { return matrix_ != nullptr; }
  const Mask* keys() const { return keys_.get(); }  // a pattern's key padding; null = none
  Index before() const { return before_; }
  Index after() const { return after_; }

  // Throws std::invalid_argument naming `who` unless the mask fits B sequences of Tq queries and Tk keys.
  void check(Index batch, Index q_len, Index k_len, const char* who) const;
  // Query t of sequence b over keys [c0, c0 + width): a pointer to `width` flags, into the matrix
  // or into `scratch` (which must hold `width`).
  const bool* row(Index b, Index q_len, Index t, Index c0, Index width, bool* scratch) const;
  // The same row applied to scores: scores[c] = value for every key c0 + c that query t of
  // sequence b may not see. A pattern's band is two runs filled at once, without flags.
  void hide(Index b, Index q_len, Index t, Index c0, Index width, Scalar* scores, Scalar value) const;
  // The smallest key range [first, first + width) holding every key that a query of rows
  // [r0, r0 + rows) of sequence b sees; width 0 when they see none.
  std::pair<Index, Index> key_range(Index b, Index q_len, Index k_len, Index r0, Index rows) const;
  // The matrix form (B·Tq, Tk), for the unfused ops (attention weights asked for, small sizes).
  Mask to_matrix(Index batch, Index q_len, Index k_len) const;

 private:
  std::shared_ptr<const Mask> matrix_, keys_;
  Index before_ = -1, after_ = -1;
};

HEED_NAMESPACE_END
