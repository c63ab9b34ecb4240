// Linear attention's state for step-by-step decoding: per sequence and head, the sums
// S = Σ φ(k)ᵀv and z = Σ φ(k) over the keys seen so far (autograd/ops_linear_attention.cpp), so
// that each new query costs O(D²) whatever the length. Inference only (no tape).
#pragma once

#include <vector>

#include "autograd/scalar.h"

HEED_NAMESPACE_BEGIN

class LinearAttentionSums {
 public:
  LinearAttentionSums(Index batch, Index heads, Index d_model);
  // k and v (B·L, C): L keys per sequence, heads side by side; keys (B, L) true = not padding
  // (empty = all). Adds them to the sums.
  void add(const Matrix& k, const Matrix& v, const Mask& keys);
  // q (B, C) -> context (B, C): each head's φ(q)·S / φ(q)·z; zero for a sequence with no key yet.
  Matrix read(const Matrix& q) const;
  // Keeps sequences `rows`, in that order (repeats allowed).
  void select(const std::vector<Index>& rows);

 private:
  Index heads_, dim_;
  Matrix s_;                  // (B·H·D, D): block b·H + h is S of sequence b, head h
  Matrix z_;                  // (B·H, D)
  std::vector<Index> count_;  // keys added per sequence
};

HEED_NAMESPACE_END
