// Step-by-step attention over cached keys and values: one new query per sequence attends to the
// keys and values of the positions before it (and its own), kept from earlier steps. Shared by
// the encoder-decoder's incremental decoder and the language model's. Inference only (no tape).
#pragma once

#include <optional>
#include <vector>

#include "layers/attention.h"
#include "layers/linear_attention_sums.h"

HEED_NAMESPACE_BEGIN

// q (B, C); k and v hold `stride` rows per sequence, of which the first `len` are attended to;
// keys masks them unless empty -> context (B, C), heads split as MultiHeadAttention does.
// Query b reads block sequence_of_row[b] of k, v and keys (empty: block b), so that beam search's
// hypotheses of one sentence share its source's keys and values instead of copies of them.
Matrix attend_cached(const Matrix& q, const Matrix& k, const Matrix& v, Index heads, Index stride, Index len,
                     const Mask& keys, const std::vector<Index>& sequence_of_row = {});

// Rows of m in blocks of `stride` per sequence -> the blocks of sequences `rows`, in that order.
Matrix gather_sequences(const Matrix& m, Index stride, const std::vector<Index>& rows);
// The same into `out`, copying only the first `used` rows of each block; out keeps its storage
// when it is large enough (rows beyond the blocks' are left as they were).
void gather_sequences_into(const Matrix& m, Index stride, Index used, const std::vector<Index>& rows, Matrix& out);

// One self-attention layer's memory of the positions decoded so far, as the model's attention kind
// needs it: every key and value (full); the last W + 1 in a ring (local: a query sees its own
// position and the W before it); the running sums (linear).
class SelfAttentionCache {
 public:
  SelfAttentionCache(const ModelConfig& config, Index batch, Index max_steps);
  // x (B, C) at `position` -> out_proj(attention over the positions it sees) (B, C); keeps what
  // later positions need of x.
  Tensor step(const MultiHeadAttention& attn, const Tensor& x, Index position);
  // Keeps sequences `rows`, in that order (repeats allowed); std::invalid_argument for a row that
  // is not one of the sequences kept.
  void select(const std::vector<Index>& rows);

 private:
  Matrix k_, v_;  // (≥ B·capacity, C): position t of sequence b at row b·capacity + t mod capacity
  Matrix spare_k_, spare_v_;  // select() gathers into these and swaps: no allocation per step
  Index max_steps_, capacity_, filled_ = 0;  // filled_: slots written so far, at most capacity_
  Index batch_;                               // sequences kept now
  std::optional<LinearAttentionSums> sums_;  // linear attention instead of k_ and v_
};

HEED_NAMESPACE_END
