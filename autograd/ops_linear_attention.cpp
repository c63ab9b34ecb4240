// Linear attention (Katharopoulos et al., 2020, "Transformers are RNNs"): softmax(q·k) is replaced
// by the kernel φ(q)·φ(k) with φ(x) = elu(x) + 1 > 0, so that a query's output is
//   O_i = φ(q_i)·S / φ(q_i)·z,   S = Σ_j φ(k_j)ᵀ v_j (D×Dv),   z = Σ_j φ(k_j)ᵀ (D),
// over the visible keys j (not padding; j <= i when causal), in time and memory linear in length.
// The causal form keeps S and z as running sums; its backward runs a forward sweep (dQ needs S_i)
// and a reverse sweep (dK and dV need the sums of later queries' gradients), never a state per step.
#include <cmath>
#include <memory>

#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

Matrix linear_attention_features(const Matrix& x) {
  return x.unaryExpr([](Scalar v) { return v > 0 ? v + 1 : std::exp(v); });
}

namespace {

// φ'(x) = 1 for x > 0, e^x otherwise: min(1, φ(x)).
Matrix feature_slope(const Matrix& features) { return features.cwiseMin(Scalar(1)); }

struct LinearGeometry {
  Index heads, q_len, k_len;
  bool causal;
};

// Whether key j of sequence b counts (not padding).
inline bool counts(const Mask& keys, Index b, Index j) { return keys.size() == 0 || keys(b, j); }

}  // namespace

// linear_attention(Q, K, V) -> O_i = φ(q_i)·S_i / φ(q_i)·z_i; 0 for a query that sees no key
//   with dnum_i = dO_i / den_i, dden_i = -(dO_i·O_i) / den_i:
//   dφ(q_i) = dnum_i·S_iᵀ + dden_i·z_iᵀ
//   dφ(k_j) = V_j·R_jᵀ + r_j,  dV_j = φ(k_j)·R_j,  R_j = Σ_{i sees j} φ(q_i)ᵀ·dnum_i,  r_j = Σ_{i sees j} dden_i·φ(q_i)
//   dQ = dφ(q) ⊙ φ'(q),  dK = dφ(k) ⊙ φ'(k)
Tensor linear_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Mask& keys, LinearAttentionOptions o) {
  const Index blocks = o.batch * o.heads;
  HEED_CHECK(blocks > 0 && q.rows() % blocks == 0 && k.rows() % blocks == 0 && k.rows() == v.rows() && q.cols() == k.cols(),
             "linear_attention: Q " << shape_str(q.value()) << ", K " << shape_str(k.value()) << ", V "
                                    << shape_str(v.value()) << " for " << o.batch << " sequences of " << o.heads << " heads");
  const LinearGeometry g{o.heads, q.rows() / blocks, k.rows() / blocks, o.causal};
  HEED_CHECK(!g.causal || g.q_len == g.k_len,
             "linear_attention: causal needs as many queries as keys, got " << g.q_len << " and " << g.k_len);
  HEED_CHECK(keys.size() == 0 || (keys.rows() == o.batch && keys.cols() == g.k_len),
             "linear_attention: key mask is " << shape_str(keys) << ", expected (" << o.batch << "," << g.k_len << ")");
  const Index d = q.cols(), dv = v.cols();
  Matrix result = Matrix::Zero(q.rows(), dv);
  auto den = std::make_shared<Matrix>(Matrix::Zero(q.rows(), 1));  // 0 marks a query that sees no key
  // Per block: features, then the sums (all at once, or running when causal).
  parallel_for(blocks, 1, [&](Index begin, Index end) {
    Matrix s(d, dv), z(1, d);
    for (Index blk = begin; blk < end; ++blk) {
      const Index b = blk / g.heads, q0 = blk * g.q_len, k0 = blk * g.k_len;
      const Matrix fq = linear_attention_features(q.value().middleRows(q0, g.q_len));
      const Matrix fk = linear_attention_features(k.value().middleRows(k0, g.k_len));
      s.setZero();
      z.setZero();
      Index seen = 0;
      auto add_key = [&](Index j) {
        if (!counts(keys, b, j)) return;
        s.noalias() += fk.row(j).transpose() * v.value().row(k0 + j);
        z += fk.row(j);
        ++seen;
      };
      auto emit = [&](Index i) {
        if (seen == 0) return;  // no visible key: zero output
        const Scalar total = fq.row(i).dot(z.row(0));
        (*den)(q0 + i, 0) = total;
        result.row(q0 + i).noalias() = (fq.row(i) * s) / total;
      };
      if (g.causal) {
        for (Index i = 0; i < g.q_len; ++i) add_key(i), emit(i);
      } else {
        for (Index j = 0; j < g.k_len; ++j) add_key(j);
        for (Index i = 0; i < g.q_len; ++i) emit(i);
      }
    }
  });
  return record("linear_attention", std::move(result), {q, k, v},
                [q, k, v, keys, g, den, d, dv](const Matrix& d_o, const Matrix& out) {
    Matrix* d_q = q.requires_grad() ? &q.grad() : nullptr;
    Matrix* d_k = k.requires_grad() ? &k.grad() : nullptr;
    Matrix* d_v = v.requires_grad() ? &v.grad() : nullptr;
    parallel_for(q.rows() / g.q_len, 1, [&](Index begin, Index end) {
      Matrix s(d, dv), z(1, d), r_sum(d, dv), r_den(1, d), dnum(1, dv);
      for (Index blk = begin; blk < end; ++blk) {
        const Index b = blk / g.heads, q0 = blk * g.q_len, k0 = blk * g.k_len;
        const Matrix fq = linear_attention_features(q.value().middleRows(q0, g.q_len));
        const Matrix fk = linear_attention_features(k.value().middleRows(k0, g.k_len));
        Matrix dfq = Matrix::Zero(g.q_len, d), dfk = Matrix::Zero(g.k_len, d);
        // dnum_i and dden_i of query i (zero for a query that sees no key)
        Matrix dnums = Matrix::Zero(g.q_len, dv), ddens = Matrix::Zero(g.q_len, 1);
        for (Index i = 0; i < g.q_len; ++i) {
          const Scalar total = (*den)(q0 + i, 0);
          if (total == 0) continue;
          dnums.row(i) = d_o.row(q0 + i) / total;
          ddens(i, 0) = -d_o.row(q0 + i).dot(out.row(q0 + i)) / total;
        }
        // Forward sweep: dφ(q_i) from S_i and z_i.
        s.setZero();
        z.setZero();
        auto add_key = [&](Index j) {
          if (!counts(keys, b, j)) return;
          s.noalias() += fk.row(j).transpose() * v.value().row(k0 + j);
          z += fk.row(j);
        };
        auto query_grad = [&](Index i) {
          dfq.row(i).noalias() = dnums.row(i) * s.transpose();
          dfq.row(i) += ddens(i, 0) * z;
        };
        if (g.causal) {
          for (Index i = 0; i < g.q_len; ++i) add_key(i), query_grad(i);
        } else {
          for (Index j = 0; j < g.k_len; ++j) add_key(j);
          for (Index i = 0; i < g.q_len; ++i) query_grad(i);
        }
        // Reverse sweep: R_j and r_j sum over the queries that see key j.
        r_sum.setZero();
        r_den.setZero();
        auto add_query = [&](Index i) {
          r_sum.noalias() += fq.row(i).transpose() * dnums.row(i);
          r_den += ddens(i, 0) * fq.row(i);
        };
        auto key_grad = [&](Index j) {
          if (!counts(keys, b, j)) return;
          dfk.row(j).noalias() = v.value().row(k0 + j) * r_sum.transpose();
          dfk.row(j) += r_den;
          if (d_v) d_v->row(k0 + j).noalias() += fk.row(j) * r_sum;
        };
        if (g.causal) {
          for (Index j = g.k_len - 1; j >= 0; --j) add_query(j), key_grad(j);
        } else {
          for (Index i = 0; i < g.q_len; ++i) add_query(i);
          for (Index j = 0; j < g.k_len; ++j) key_grad(j);
        }
        if (d_q) d_q->middleRows(q0, g.q_len).array() += dfq.array() * feature_slope(fq).array();
        if (d_k) d_k->middleRows(k0, g.k_len).array() += dfk.array() * feature_slope(fk).array();
      }
    });
  });
}

HEED_NAMESPACE_END
