// Fused scaled dot-product attention over heads folded into rows, with boolean masks and
// dropout on the weights. The mask is a matrix or a pattern of padding and band (local and causal
// attention): each tile of queries multiplies only the key range its queries see, so a band of W
// keys costs T·(W + tile) products, never T². Two ways to keep what backward needs:
//  - recomputed (the default): only each query row's log-sum-exp is kept, and backward
//    recomputes P tile by tile, so memory grows linearly with the sequence, not quadratically;
//  - stored (AttentionOptions::store_weights): the weights P (B·H·Tq, Tk) are kept, as the
//    unfused ops would keep them.
// Dropout masks come from a counter-based hash of (seed, element), so backward regenerates them
// instead of storing them. Fully masked query rows give zero output and zero gradients.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "autograd/check.h"
#include "autograd/cpu_kernels.h"
#include "autograd/dropout_mask.h"
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/small_gemm.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

struct Geometry {
  Index blocks, q_len, k_len, heads, dim;
  Scalar scale;
  Scalar p;                  // dropout probability
  DropoutMask drop;
};

// Where rows [r0, r0+rows) of block blk = b·H + h of an operand (Q, K, V or the output) are.
// Heads layout, (B·H·T, D): rows blk·T + r, all columns. Merged layout, (B·T, ·) as linear
// layers produce and consume it: rows b·T + r, columns col0 + h·D (one head of a packed
// q/k/v product), so no copies are needed to split or merge the heads.
struct Layout {
  bool merged = false;
  Index col0 = 0;

  template <class M>
  auto rows(M& m, const Geometry& g, Index len, Index blk, Index r0, Index count) const {
    if (!merged) return m.block(blk * len + r0, 0, count, g.dim);
    return m.block((blk / g.heads) * len + r0, col0 + (blk % g.heads) * g.dim, count, g.dim);
  }
};

// The four operands' layouts.
struct Layouts {
  Layout q, k, v, out;
};

// The keys [c0, c0 + width) that some query of rows [r0, r0+rows) of sequence b may see: the
// tile's products skip the rest (half the keys, on average, under a causal mask; all but a band
// of W + tile keys under a local one).
struct KeyRange {
  Index c0 = 0, width = 0;
};
KeyRange key_range(const Geometry& g, const AttentionMask& mask, Index b, Index r0, Index rows) {
  const auto [c0, width] = mask.key_range(b, g.q_len, g.k_len, r0, rows);
  return {c0, width};
}

// Rows [r0, r0+rows) of block `blk`, keys kr: S = scale·Q·Kᵀ, masked, turned into P (softmax)
// in place. kt is Kᵀ of the tile's keys (dim × kr.width). lse receives each row's log-sum-exp (-inf for a
// fully masked row, whose P row is 0).
template <class KT, class Out>
void softmax_tile(const Geometry& g, const Layouts& at, const Matrix& q, const KT& kt, const AttentionMask& mask,
                  Index blk, Index r0, Index rows, KeyRange kr, Out&& p, Scalar* lse) {
  const Index b = blk / g.heads;
  const bool masked = !mask.empty();
  tile_gemm(at.q.rows(q, g, g.q_len, blk, r0, rows), false, kt, false, p, false, g.scale);
  const Scalar neg_inf = -std::numeric_limits<Scalar>::infinity();
  for (Index r = 0; r < rows; ++r) {
    auto row = p.row(r);
    if (masked) mask.hide(b, g.q_len, r0 + r, kr.c0, kr.width, row.data(), neg_inf);
    const Scalar max = row.maxCoeff();
    if (max == neg_inf) {  // no key visible
      row.setZero();
      if (lse) lse[r] = neg_inf;
      continue;
    }
    const Scalar total = exp_sum(row.data(), row.size(), max);  // masked keys' exp(-inf) is exactly 0
    row /= total;
    if (lse) lse[r] = max + std::log(total);
  }
}

// Applies the dropout mask (and 1/(1-p)) in place to a tile: rows [r0, r0+rows) of block blk,
// keys from c0 on.
template <class Tile>
void dropout_tile(const Geometry& g, Index blk, Index r0, Index c0, Tile&& t) {
  if (g.p == 0) return;
  const Scalar scale = Scalar(1) / (1 - g.p);
  for (Index r = 0; r < t.rows(); ++r)
    g.drop.apply(t.row(r).data(), t.row(r).data(), t.cols(), std::uint64_t((blk * g.q_len + r0 + r) * g.k_len + c0), scale);
}

constexpr Index kTileRows = 64;  // query rows per tile

}  // namespace

namespace {

// attention(Q, K, V) -> O = dropout(softmax_masked(scale·Q·Kᵀ))·V, per block of B·H
//   dV = Pdᵀ·dO    dPd = dO·Vᵀ    dP = dropout(dPd)    dS = P ⊙ (dP - Σ_row dP ⊙ P)
//   dQ = scale·dS·K    dK = scale·dSᵀ·Q
// g gives the sizes; at says where each operand's blocks are; the output is out_rows × out_cols.
Tensor attention_op(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionMask& mask, AttentionOptions o,
                    Geometry g, Layouts at, Index out_rows, Index out_cols) {
  HEED_CHECK(o.dropout >= 0 && o.dropout < 1, "attention: dropout " << o.dropout << ", expected [0, 1)");
  mask.check(o.batch, g.q_len, g.k_len, "attention");
  if (g.p > 0) {
    HEED_CHECK(o.rng != nullptr, "attention: dropout needs an rng");
    g.drop = DropoutMask(double(o.dropout), o.rng->next());
  }
  const bool store = o.store_weights;
  const Index q_rows = g.blocks * g.q_len;  // probs and lse rows: blk·Tq + r, whatever the layout
  Matrix out(out_rows, out_cols);
  auto probs = std::make_shared<Matrix>(store ? Matrix(q_rows, g.k_len) : Matrix());
  auto lse = std::make_shared<Matrix>(store ? Matrix() : Matrix(q_rows, 1));
  // Each tile's key range depends on its sequence, not its head: found once per (sequence,
  // tile) of queries and kept for backward.
  const Index tiles = (g.q_len + kTileRows - 1) / kTileRows;
  auto ranges = std::make_shared<std::vector<KeyRange>>(std::size_t(o.batch * tiles));
  parallel_for(o.batch * tiles, 1, [&](Index begin, Index end) {
    for (Index i = begin; i < end; ++i) {
      const Index r0 = (i % tiles) * kTileRows;
      (*ranges)[std::size_t(i)] = key_range(g, mask, i / tiles, r0, std::min(kTileRows, g.q_len - r0));
    }
  });
  auto range_of = [ranges, tiles, heads = g.heads](Index blk, Index r0) {
    return (*ranges)[std::size_t((blk / heads) * tiles + r0 / kTileRows)];
  };
  // A thread takes a block's tiles together when there are blocks enough to share out, and
  // transposes the block's K once for them all; else one tile at a time, with the tile's keys only.
  const bool whole_blocks = g.blocks >= 4 * parallel_threads();
  parallel_for(g.blocks * tiles, whole_blocks ? tiles : 1, [&](Index begin, Index end) {
    Matrix buf, kt_buf;
    Index kt_blk = -1;  // the block whose keys kt_buf holds, all of them (whole_blocks)
    for (Index t = begin; t < end; ++t) {
      const Index blk = t / tiles, r0 = (t % tiles) * kTileRows, rows = std::min(kTileRows, g.q_len - r0);
      const Index row0 = blk * g.q_len + r0;
      const KeyRange kr = range_of(blk, r0);
      if (store) probs->middleRows(row0, rows).setZero();
      if (kr.width == 0) {  // no query of the tile sees any key
        at.out.rows(out, g, g.q_len, blk, r0, rows).setZero();
        if (!store) lse->middleRows(row0, rows).setConstant(-std::numeric_limits<Scalar>::infinity());
        continue;
      }
      if (!whole_blocks) transposed_copy(at.k.rows(k.value(), g, g.k_len, blk, kr.c0, kr.width), kt_buf);
      else if (blk != kt_blk) transposed_copy(at.k.rows(k.value(), g, g.k_len, blk, 0, g.k_len), kt_buf), kt_blk = blk;
      const auto kt = kt_buf.middleCols(whole_blocks ? kr.c0 : 0, kr.width);
      auto tile = padded_block(buf, rows, kr.width);
      if (store) {
        auto p = probs->block(row0, kr.c0, rows, kr.width);
        softmax_tile(g, at, q.value(), kt, mask, blk, r0, rows, kr, p, nullptr);
        tile = p;
      } else {
        softmax_tile(g, at, q.value(), kt, mask, blk, r0, rows, kr, tile, lse->data() + row0);
      }
      dropout_tile(g, blk, r0, kr.c0, tile);
      tile_gemm(tile, false, at.v.rows(v.value(), g, g.k_len, blk, kr.c0, kr.width), false,
                at.out.rows(out, g, g.q_len, blk, r0, rows), false);
    }
  });
  return record("attention", std::move(out), {q, k, v}, [q, k, v, mask, g, at, store, probs, lse, range_of](const Matrix& d_o) {
    Matrix* d_q = q.requires_grad() ? &q.grad() : nullptr;
    Matrix* d_k = k.requires_grad() ? &k.grad() : nullptr;
    Matrix* d_v = v.requires_grad() ? &v.grad() : nullptr;
    // Parallel over blocks: a block's rows of dQ, dK and dV are written by its thread only.
    // (In the merged layout q, k and v may be one tensor: its blocks are disjoint columns.)
    parallel_for(g.blocks, 1, [&](Index begin, Index end) {
      Matrix p_buf, pd_buf, dp_buf, kt_buf, vt_buf;
      for (Index blk = begin; blk < end; ++blk) {
        // Kᵀ and Vᵀ of the block's keys, once for all its tiles (Kᵀ only to recompute P)
        if (!store) transposed_copy(at.k.rows(k.value(), g, g.k_len, blk, 0, g.k_len), kt_buf);
        const auto vt = transposed_copy(at.v.rows(v.value(), g, g.k_len, blk, 0, g.k_len), vt_buf);
        for (Index r0 = 0; r0 < g.q_len; r0 += kTileRows) {
          const Index rows = std::min(kTileRows, g.q_len - r0), row0 = blk * g.q_len + r0;
          const KeyRange kr = range_of(blk, r0);
          if (kr.width == 0) continue;  // P and the gradients are 0
          const auto k_blk = at.k.rows(k.value(), g, g.k_len, blk, kr.c0, kr.width);
          const auto q_tile = at.q.rows(q.value(), g, g.q_len, blk, r0, rows);
          // tiles in padded rows: dV = Pdᵀ·dO reads them down their columns (autograd/small_gemm.h)
          auto p = padded_block(p_buf, rows, kr.width);
          if (store) {
            p = probs->block(row0, kr.c0, rows, kr.width);
          } else {  // recompute P from the saved log-sum-exp
            tile_gemm(q_tile, false, kt_buf.middleCols(kr.c0, kr.width), false, p, false, g.scale);
            for (Index r = 0; r < rows; ++r) {
              const Scalar l = (*lse)(row0 + r, 0);
              if (std::isinf(l)) {
                p.row(r).setZero();
                continue;
              }
              // masked keys' scores may exceed lse: -inf, whose exp is exactly 0
              if (!mask.empty())
                mask.hide(blk / g.heads, g.q_len, r0 + r, kr.c0, kr.width, p.row(r).data(),
                          -std::numeric_limits<Scalar>::infinity());
              exp_sum(p.row(r).data(), kr.width, l);
            }
          }
          const auto d_o_tile = at.out.rows(d_o, g, g.q_len, blk, r0, rows);
          if (d_v) {
            auto pd = padded_block(pd_buf, rows, kr.width);
            pd = p;
            dropout_tile(g, blk, r0, kr.c0, pd);
            tile_gemm(pd, true, d_o_tile, false, at.v.rows(*d_v, g, g.k_len, blk, kr.c0, kr.width), true);
          }
          auto dp = padded_block(dp_buf, rows, kr.width);
          tile_gemm(d_o_tile, false, vt.middleCols(kr.c0, kr.width), false, dp, false);
          dropout_tile(g, blk, r0, kr.c0, dp);
          // dS = P ⊙ (dP - rowsum(dP ⊙ P)), in place in dp
          for (Index r = 0; r < rows; ++r) {
            const Scalar dot = dp.row(r).dot(p.row(r));
            dp.row(r) = (p.row(r).array() * (dp.row(r).array() - dot)).matrix();
          }
          if (d_q) tile_gemm(dp, false, k_blk, false, at.q.rows(*d_q, g, g.q_len, blk, r0, rows), true, g.scale);
          if (d_k) tile_gemm(dp, true, q_tile, false, at.k.rows(*d_k, g, g.k_len, blk, kr.c0, kr.width), true, g.scale);
        }
      }
    });
  });
}

}  // namespace

Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionMask& mask, AttentionOptions o) {
  const Index blocks = o.batch * o.heads;
  HEED_CHECK(blocks > 0 && q.rows() % blocks == 0 && k.rows() % blocks == 0 && k.rows() == v.rows() &&
                 q.cols() == k.cols() && k.cols() == v.cols(),
             "attention: Q " << shape_str(q.value()) << ", K " << shape_str(k.value()) << ", V "
                             << shape_str(v.value()) << " for " << o.batch << " sequences of " << o.heads << " heads");
  const Geometry g{blocks, q.rows() / blocks, k.rows() / blocks, o.heads, q.cols(), o.scale, o.dropout, DropoutMask()};
  return attention_op(q, k, v, mask, o, g, Layouts{}, q.rows(), q.cols());
}

Tensor attention_merged(const Tensor& q_src, Index q_col, const Tensor& kv_src, Index k_col, Index v_col, Index width,
                        const AttentionMask& mask, AttentionOptions o) {
  HEED_CHECK(o.batch > 0 && o.heads > 0 && width % o.heads == 0 && q_src.rows() % o.batch == 0 &&
                 kv_src.rows() % o.batch == 0 && q_col >= 0 && q_col + width <= q_src.cols() && k_col >= 0 &&
                 k_col + width <= kv_src.cols() && v_col >= 0 && v_col + width <= kv_src.cols(),
             "attention: columns " << q_col << ", " << k_col << ", " << v_col << " (+" << width << ") of "
                                   << shape_str(q_src.value()) << " and " << shape_str(kv_src.value()) << " for "
                                   << o.batch << " sequences of " << o.heads << " heads");
  // Threads write the gradients of K and V (and of Q, when it shares the tensor) in their
  // columns: the ranges must not overlap.
  auto apart = [width](Index a, Index b) { return a + width <= b || b + width <= a; };
  HEED_CHECK(apart(k_col, v_col) && (!q_src.same_as(kv_src) || (apart(q_col, k_col) && apart(q_col, v_col))),
             "attention: the q, k and v column ranges " << q_col << ", " << k_col << ", " << v_col << " (+" << width
                                                        << ") of one tensor overlap");
  const Geometry g{o.batch * o.heads, q_src.rows() / o.batch, kv_src.rows() / o.batch, o.heads, width / o.heads,
                   o.scale, o.dropout, DropoutMask()};
  const Layouts at{{true, q_col}, {true, k_col}, {true, v_col}, {true, 0}};
  return attention_op(q_src, kv_src, kv_src, mask, o, g, at, q_src.rows(), width);
}

HEED_NAMESPACE_END
