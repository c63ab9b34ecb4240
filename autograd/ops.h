// Every differentiable op heed has. Shapes use the legend in the README:
//   N rows (batch × time folded), C features, V vocabulary, B batch, H heads, T time, D head size.
// Each op's forward and backward sit side by side in the .cpp named in its section.
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/attention_mask.h"
#include "autograd/random.h"
#include "autograd/tensor.h"

HEED_NAMESPACE_BEGIN

// ---- ops_elementwise.cpp: binary ops broadcast a dimension of size 1 (rows or cols) -------
Tensor add(const Tensor& a, const Tensor& b);  // (r,c) + (r|1, c|1) -> (r,c)
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add_scalar(const Tensor& x, Scalar s);
Tensor mul_scalar(const Tensor& x, Scalar s);
Tensor pow_scalar(const Tensor& x, Scalar p);  // x^p, elementwise
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator+(const Tensor& x, Scalar s) { return add_scalar(x, s); }
inline Tensor operator-(const Tensor& x, Scalar s) { return add_scalar(x, -s); }
inline Tensor operator*(const Tensor& x, Scalar s) { return mul_scalar(x, s); }
inline Tensor operator/(const Tensor& x, Scalar s) { return mul_scalar(x, Scalar(1) / s); }
inline Tensor operator-(const Tensor& x) { return mul_scalar(x, Scalar(-1)); }

// ---- ops_unary.cpp --------------------------------------------------------------------------
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor gelu(const Tensor& x);  // exact form x·Φ(x), as PyTorch's default

// ---- ops_matmul.cpp -------------------------------------------------------------------------
struct MatmulOptions {
  bool transpose_a = false;
  bool transpose_b = false;
};
// op(A)[m,k] · op(B)[k,n] -> [m,n], op = transpose where asked.
Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions options = {});
// `batches` independent products stacked in rows: A is (batches·rows_a, cols_a), likewise B;
// block i of the result is op(A_i)·op(B_i). Used for attention heads (batches = B·H).
Tensor batched_matmul(const Tensor& a, const Tensor& b, Index batches, MatmulOptions options = {});
// x[N,in] · weightᵀ[in,out] + bias[1,out] -> [N,out]; weight is (out,in) as PyTorch stores it.
// bias may be undefined (no bias).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

// ---- ops_reduce.cpp -------------------------------------------------------------------------
Tensor sum(const Tensor& x);             // -> (1,1)
Tensor mean(const Tensor& x);            // -> (1,1)
Tensor sum_over_rows(const Tensor& x);   // (r,c) -> (1,c)
Tensor mean_over_rows(const Tensor& x);  // (r,c) -> (1,c)
Tensor sum_over_cols(const Tensor& x);   // (r,c) -> (r,1)
Tensor mean_over_cols(const Tensor& x);  // (r,c) -> (r,1)

// ---- ops_softmax.cpp: over the last axis (each row) -----------------------------------------
Tensor softmax(const Tensor& x);
Tensor log_softmax(const Tensor& x);
// How mask rows map to score rows. Scores are (B·H·Tq, Tk) with row (b·H + h)·Tq + t; the
// mask is (B·Tq, Tk) with row b·Tq + t, shared by the heads. heads = 1 means one mask row
// per score row.
struct MaskBroadcast {
  Index heads = 1;
  Index q_len = 0;  // required when heads > 1
};
// Softmax over the keys a row may attend to (mask true). Masked keys get weight 0; a row
// with every key masked gives all zeros and zero gradient, never NaN.
Tensor masked_softmax(const Tensor& scores, const Mask& mask, MaskBroadcast broadcast = {});

// ---- ops_attention.cpp: fused scaled dot-product attention -------------------------------
struct AttentionOptions {
  Index batch = 1;         // B
  Index heads = 1;         // H: Q is (B·H·Tq, D), K and V are (B·H·Tk, D), row (b·H + h)·T + t
  Scalar scale = 1;        // usually 1/sqrt(D)
  Scalar dropout = 0;      // on the attention weights
  Rng* rng = nullptr;      // draws the dropout seed; needed when dropout > 0
  // Keep the weights P for backward instead of recomputing them from a log-sum-exp per query.
  // Recomputing costs one more Q·Kᵀ per tile (1-2% of a training step at sequence length 32)
  // and saves B·H·Tq·Tk numbers per attention, so it is the default.
  bool store_weights = false;
};
// softmax over the keys each query may see (mask: a (B·Tq, Tk) matrix, true = attend, or a pattern
// of padding and band, shared by heads; empty = all), dropout, times V -> (B·H·Tq, D). Equal to
// batched_matmul + masked_softmax + dropout + batched_matmul, in memory linear in sequence length:
// backward keeps a log-sum-exp per query. Under a band of W keys (local attention) time is T·W too.
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionMask& mask, AttentionOptions options);
// The same on the merged layout linear layers use, without copies to split or merge heads:
// Q is columns [q_col, q_col + width) of q_src (B·Tq, ·), K and V are columns from k_col and
// v_col of kv_src (B·Tk, ·), head h being the h-th D = width/H of those columns; the result
// is (B·Tq, width), heads side by side. q_src and kv_src may be one packed q/k/v product.
Tensor attention_merged(const Tensor& q_src, Index q_col, const Tensor& kv_src, Index k_col, Index v_col, Index width,
                        const AttentionMask& mask, AttentionOptions options);

// ---- ops_linear_attention.cpp: kernelised attention, linear in sequence length -----------------
struct LinearAttentionOptions {
  Index batch = 1;      // B
  Index heads = 1;      // H: Q is (B·H·Tq, D), K (B·H·Tk, D), V (B·H·Tk, Dv), row (b·H + h)·T + t
  bool causal = false;  // query t sees keys 0..t (Tq = Tk)
};
// φ(x) = elu(x) + 1, elementwise: the feature map of linear attention.
Matrix linear_attention_features(const Matrix& x);
// O_i = φ(q_i)·Σ_j φ(k_j)ᵀv_j / φ(q_i)·Σ_j φ(k_j) over the keys query i sees: keys (B, Tk) true =
// not padding (empty = all), and j <= i when causal -> (B·H·Tq, Dv). A query that sees no key gives
// zeros and zero gradients. No weights to drop: attention dropout does not apply.
Tensor linear_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Mask& keys,
                        LinearAttentionOptions options);

// ---- ops_norm.cpp ---------------------------------------------------------------------------
// Layer norm over each row: (x - mean) / sqrt(var + eps) · gamma + beta; gamma, beta are (1,C).
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, Scalar eps = Scalar(1e-5));
// Zeroes each element with probability p and scales the rest by 1/(1-p). The mask is a hash
// of one seed drawn from rng (regenerated in backward, not stored), so a seeded rng gives the
// same mask. p = 0 returns x itself.
Tensor dropout(const Tensor& x, Scalar p, Rng& rng);

// ---- ops_fused.cpp: the Transformer's hot paths in less memory ------------------------------
// dropout(relu(x·Wᵀ + b)) -> (N,out); keeps only its output for backward.
Tensor linear_relu_dropout(const Tensor& x, const Tensor& weight, const Tensor& bias, Scalar p, Rng* rng);
// x + dropout(y), the residual connection; the dropout mask is regenerated in backward.
Tensor add_dropout(const Tensor& x, const Tensor& y, Scalar p, Rng* rng);

// ---- ops_lstm.cpp: the LSTM recurrence, forward and backpropagation through time ----------
// x_proj (B·T, 4H): every step's input projection x·W_ihᵀ + b_ih + b_hh, computed by the caller in
// one product, row b·T + t; w_hh (4H, H) as nn.LSTM stores it, gates in PyTorch's order i, f, g, o;
// state0 (B, 2H): [h0 | c0]; lengths (B): steps of each sequence (1..T), padding at the end; empty
// = all T.
// -> (B·T, 2H): [h_t | c_t] for every step; at a padded step (t >= length) the state is carried over
//    unchanged, so row b·T + T-1 holds sequence b's final state (as nn.LSTM with packed sequences gives h_n, c_n).
// With T = 1 it is one LSTM cell step: x_proj (B, 4H), state0 (B, 2H) -> (B, 2H).
Tensor lstm(const Tensor& x_proj, const Tensor& w_hh, const Tensor& state0, const std::vector<Index>& lengths, Index batch);

// ---- ops_shape.cpp --------------------------------------------------------------------------
Tensor reshape(const Tensor& x, Index rows, Index cols);  // same row-major element order
Tensor transpose(const Tensor& x);
Tensor slice_rows(const Tensor& x, Index start, Index count);
Tensor slice_cols(const Tensor& x, Index start, Index count);
Tensor concat_rows(const std::vector<Tensor>& parts);
Tensor concat_cols(const std::vector<Tensor>& parts);
// (B·T, H·D) -> (B·H·T, D): row b·T + t, column block h moves to row (b·H + h)·T + t.
// col0/cols pick a column range of x to split (default all), e.g. q, k or v of a packed product.
Tensor split_heads(const Tensor& x, Index batch, Index heads, Index col0 = 0, Index cols = -1);
// (B·H·T, D) -> (B·T, H·D): the inverse of split_heads.
Tensor merge_heads(const Tensor& x, Index batch, Index heads);
// table[V,C] gathered at ids -> (ids.size(), C); backward scatter-adds into the rows used.
Tensor embedding(const Tensor& table, const std::vector<std::int32_t>& ids);

// ---- ops_loss.cpp ---------------------------------------------------------------------------
struct CrossEntropyOptions {
  Scalar label_smoothing = 0;
  std::int32_t ignore_index = 0;  // rows whose target is this contribute nothing (PAD)
  bool sum = false;               // sum over counted rows instead of their mean
};
// Fused log-softmax + cross-entropy: logits (N,V), one target per row -> (1,1).
// With smoothing ε the target distribution is (1-ε)·onehot + ε/V, as in PyTorch.
// Mean over the rows not ignored; 0 when every row is ignored.
Tensor cross_entropy(const Tensor& logits, const std::vector<std::int32_t>& targets,
                     CrossEntropyOptions options = {});

HEED_NAMESPACE_END
