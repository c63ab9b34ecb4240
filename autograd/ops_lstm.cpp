// The LSTM recurrence as one op: every time step's recurrent product and gate math in forward,
// backpropagation through time in backward. The input projections of all steps come in as one
// (B·T, 4H) matrix that the caller computed with a single product.
//
// Work is split across threads by hidden unit: the thread that owns units [j0, j1) multiplies
// h_{t-1} by its rows of W_hh, then does those units' gate math for the whole batch, so a step
// needs no copies and threads meet once per step. Rows of a step are strided in the batch-major
// matrices (row b·T + t); the products read them in place through strided maps, which BLAS
// takes as leading dimensions.
#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "autograd/check.h"
#include "autograd/gemm.h"
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

namespace {

using StridedMap = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
using ConstStridedMap = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;
using ArrayMap = Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>;
using ConstArrayMap = Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>;
using Array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;

// A step's product (B·4H·H multiply-adds) below this runs on the calling thread: waking the
// pool costs more than it saves.
constexpr Index kParallelWork = Index(1) << 20;
// A thread waiting for the rest of a step's chunks checks this often before it yields its core
// (a chunk takes tens of microseconds; a thread the OS has descheduled, much longer).
constexpr int kSpinsBeforeYield = 2000;

// What forward and backward share: the shapes, each sequence's length, and how the steps split.
struct LstmPlan {
  Index B, T, H;
  std::vector<Index> lengths;
  // The products of step t cover sequences [first[t], last[t]): from the first still running to
  // one past the last (empty when none runs). With sequences sorted by length, either way, these
  // are exactly the running ones.
  std::vector<Index> first, last;
  Index chunk;  // hidden units per chunk of the per-step loops

  LstmPlan(Index batch, Index steps, Index hidden, std::vector<Index> lens)
      : B(batch), T(steps), H(hidden), lengths(std::move(lens)), first(std::size_t(steps), batch),
        last(std::size_t(steps), 0) {
    for (Index b = B - 1; b >= 0; --b)
      for (Index t = 0; t < lengths[std::size_t(b)]; ++t) first[std::size_t(t)] = b;
    for (Index b = 0; b < B; ++b)
      for (Index t = 0; t < lengths[std::size_t(b)]; ++t) last[std::size_t(t)] = b + 1;
    for (Index t = 0; t < T; ++t) first[std::size_t(t)] = std::min(first[std::size_t(t)], last[std::size_t(t)]);
    // One chunk when the product is small or there is one thread, else one per thread (a
    // multiple of 16 units: whole SIMD registers). Smaller chunks would balance a busy machine
    // better, but cost more than they save: a product split further runs less efficiently.
    const Index threads = parallel_threads();
    chunk = threads == 1 || B * 4 * H * H < kParallelWork ? H : std::min(H, ((H + threads - 1) / threads + 15) / 16 * 16);
  }
  bool padded(Index b, Index t) const { return t >= lengths[std::size_t(b)]; }

  // Runs work(step, j0, j1) for steps 0..steps-1 in order and every chunk of hidden units, each
  // step's chunks only once all of the previous step's are done. The whole loop is one region of
  // the pool, not one per step: the (step, chunk) pairs are tickets taken in order, so a thread
  // that wakes late joins at the current step, and one that never comes blocks nobody.
  template <class Work>
  void for_steps(Index steps, const Work& work) const {
    const Index chunks = (H + chunk - 1) / chunk, tickets = steps * chunks;
    if (chunks == 1) {
      for (Index s = 0; s < steps; ++s) work(s, Index(0), H);
      return;
    }
    std::atomic<Index> next{0}, done{0};
    auto take_tickets = [&] {
      for (Index ticket; (ticket = next.fetch_add(1, std::memory_order_relaxed)) < tickets;) {
        const Index step = ticket / chunks, c = ticket % chunks;
        // The previous step's chunks were taken before this one, by threads at work on them.
        for (int spins = 0; done.load(std::memory_order_acquire) < step * chunks; ++spins) {
          if (spins >= kSpinsBeforeYield) std::this_thread::yield();
#if defined(__x86_64__) || defined(__i386__)
          else __builtin_ia32_pause();
#endif
        }
        work(step, c * chunk, std::min(H, (c + 1) * chunk));
        done.fetch_add(1, std::memory_order_acq_rel);
      }
    };
    parallel_for(parallel_threads(), 1, [&](Index, Index) { take_tickets(); });
  }

  // Fills out (B·T,2H) and acts (B·T,4H): the gate activations, zero at padded steps.
  void forward(const Matrix& x, const Matrix& w, const Matrix& s0, Matrix& out, Matrix& acts) const;
  // Backpropagation through time. d_out, y: the output's gradient and value. Overwrites acts
  // with the gate pre-activations' gradients dz and leaves dh_{-1}, dc_{-1} in dh0, dc0 (when
  // with_state, else dh0 is not computed).
  void backward(const Matrix& d_out, const Matrix& y, const Matrix& w, const Matrix& s0, Matrix& acts,
                bool with_state, Matrix& dh0, Matrix& dc0) const;
};

void LstmPlan::forward(const Matrix& x, const Matrix& w, const Matrix& s0, Matrix& out, Matrix& acts) const {
  // A chunk's units of the four gates are z's columns [4·j0, 4·j1) of a step, gate by gate. Over
  // several steps, W_hh's rows are regrouped likewise, so that a chunk's recurrent product is one
  // BLAS call rather than four: with two threads calling at once, four calls per chunk took 15%
  // longer, each packing h_{t-1} again. For a single step the copy would cost as much as it saves.
  const bool regroup = chunk < H && T > 1;
  Matrix regrouped;
  if (regroup) {
    regrouped.resize(4 * H, H);
    for (Index j0 = 0; j0 < H; j0 += chunk) {
      const Index k = std::min(chunk, H - j0);
      for (Index gate = 0; gate < 4; ++gate)
        regrouped.middleRows(4 * j0 + gate * k, k) = w.middleRows(gate * H + j0, k);
    }
  }
  Matrix z(B, 4 * H);  // one step's h_{t-1}·W_hhᵀ
  for_steps(T, [&](Index t, Index j0, Index j1) {
    // h_{t-1} and c_{t-1} of sequence b: state0's row b, or the output's previous row.
    const Scalar* prev = t == 0 ? s0.data() : out.data() + (t - 1) * 2 * H;
    const Index prev_stride = t == 0 ? 2 * H : T * 2 * H;
    const Index k = j1 - j0, b0 = first[std::size_t(t)], rows = last[std::size_t(t)] - b0;
    const ConstStridedMap h_prev(prev + b0 * prev_stride, rows, H, Eigen::OuterStride<>(prev_stride));
    if (rows > 0 && regroup) {  // z = h_{t-1}·W_hhᵀ, this chunk's units of each gate
      gemm(h_prev, false, regrouped.middleRows(4 * j0, 4 * k), true, z.block(b0, 4 * j0, rows, 4 * k), false);
    } else if (rows > 0) {
      for (Index gate = 0; gate < 4; ++gate)
        gemm(h_prev, false, w.middleRows(gate * H + j0, k), true, z.block(b0, 4 * j0 + gate * k, rows, k), false);
    }
    for (Index b = 0; b < B; ++b) {
      const Index row = b * T + t;
      const Scalar* p = prev + b * prev_stride;
      Scalar* a = acts.data() + row * 4 * H;
      Scalar* o = out.data() + row * 2 * H;
      if (padded(b, t)) {  // the state carries over
        std::copy(p + j0, p + j1, o + j0);
        std::copy(p + H + j0, p + H + j1, o + H + j0);
        for (Index gate = 0; gate < 4; ++gate) std::fill(a + gate * H + j0, a + gate * H + j1, Scalar(0));
        continue;
      }
      const Scalar* xr = x.data() + row * 4 * H + j0;
      const Scalar* zr = z.data() + b * 4 * H + 4 * j0;
      ArrayMap i(a + j0, k), f(a + H + j0, k), g(a + 2 * H + j0, k), og(a + 3 * H + j0, k);
      i = (ConstArrayMap(zr, k) + ConstArrayMap(xr, k)).logistic();                  // i = σ(z_i)
      f = (ConstArrayMap(zr + k, k) + ConstArrayMap(xr + H, k)).logistic();          // f = σ(z_f)
      g = (ConstArrayMap(zr + 2 * k, k) + ConstArrayMap(xr + 2 * H, k)).tanh();      // g = tanh(z_g)
      og = (ConstArrayMap(zr + 3 * k, k) + ConstArrayMap(xr + 3 * H, k)).logistic(); // o = σ(z_o)
      ArrayMap h(o + j0, k), c(o + H + j0, k);
      c = f * ConstArrayMap(p + H + j0, k) + i * g;  // c_t = f⊙c_{t-1} + i⊙g
      h = og * c.tanh();                             // h_t = o⊙tanh(c_t)
    }
  });
}

void LstmPlan::backward(const Matrix& d_out, const Matrix& y, const Matrix& w, const Matrix& s0, Matrix& acts,
                        bool with_state, Matrix& dh0, Matrix& dc0) const {
  // dh[r % 2] in pass r: the gradient reaching h_s from later steps (d_out's share is added when
  // step s is reached), then dh_{s-1} = dz_s·W_hh; dc: the whole gradient reaching c_s.
  Matrix dh[2] = {Matrix::Zero(B, H), Matrix(B, H)};
  Matrix dc = Matrix::Zero(B, H);
  // Step s's gate gradients dz, written over its activations (each read first).
  auto gates_backward = [&](Index s, Index j0, Index j1, Matrix& dh_s) {
    const Index k = j1 - j0;
    Array tanh_c(k), dh_total(k), dc_total(k);
    for (Index b = 0; b < B; ++b) {
      const Index row = b * T + s;
      ArrayMap dh_b(dh_s.data() + b * H + j0, k), dc_b(dc.data() + b * H + j0, k);
      const ConstArrayMap dout_h(d_out.data() + row * 2 * H + j0, k), dout_c(d_out.data() + row * 2 * H + H + j0, k);
      if (padded(b, s)) {  // the gradients pass through to the previous step; dz stays 0
        dh_b += dout_h;
        dc_b += dout_c;
        continue;
      }
      Scalar* a = acts.data() + row * 4 * H;
      ArrayMap i(a + j0, k), f(a + H + j0, k), g(a + 2 * H + j0, k), o(a + 3 * H + j0, k);
      const ConstArrayMap c_prev((s == 0 ? s0.data() + b * 2 * H : y.data() + (row - 1) * 2 * H) + H + j0, k);
      tanh_c = ConstArrayMap(y.data() + row * 2 * H + H + j0, k).tanh();
      dh_total = dh_b + dout_h;
      dc_total = dc_b + dout_c + dh_total * o * (1 - tanh_c.square());  // dc += dh⊙o⊙(1 - tanh²c)
      // Each gate's activation is read for the last time as its gradient overwrites it.
      o = dh_total * tanh_c * o * (1 - o);  // dz_o = dh⊙tanh(c)⊙o(1-o)
      dc_b = dc_total * f;                  // dc_{t-1} = dc⊙f
      f = dc_total * c_prev * f * (1 - f);  // dz_f = dc⊙c_{t-1}⊙f(1-f)
      dh_total = dc_total * g;              // (dc⊙g, for dz_i)
      g = dc_total * i * (1 - g.square());  // dz_g = dc⊙i⊙(1-g²)
      i = dh_total * i * (1 - i);           // dz_i = dc⊙g⊙i(1-i)
    }
  };
  // dh_{s-1} = dz_s·W_hh for the running sequences, this chunk's units; the rest pass dh_s through.
  auto recurrent_backward = [&](Index s, Index j0, Index j1, const Matrix& dh_s, Matrix& dh_prev) {
    const Index k = j1 - j0, b0 = first[std::size_t(s)], rows = last[std::size_t(s)] - b0;
    const ConstStridedMap dz(acts.data() + (b0 * T + s) * 4 * H, rows, 4 * H, Eigen::OuterStride<>(T * 4 * H));
    if (rows > 0) gemm(dz, false, w.middleCols(j0, k), false, dh_prev.block(b0, j0, rows, k), false);
    for (Index b = 0; b < B; ++b)
      if (padded(b, s)) dh_prev.block(b, j0, 1, k) = dh_s.block(b, j0, 1, k);
  };
  // Pass 0: step T-1's gates. Pass r = 1, 2, …: s = T - r's dh_{s-1}, then step s-1's gates.
  // dh_{-1} (pass T) only feeds state0's gradient.
  const Index passes = with_state ? T + 1 : T;
  for_steps(passes, [&](Index r, Index j0, Index j1) {
    if (r == 0) return gates_backward(T - 1, j0, j1, dh[0]);
    const Index s = T - r;
    recurrent_backward(s, j0, j1, dh[(r - 1) % 2], dh[r % 2]);
    if (s > 0) gates_backward(s - 1, j0, j1, dh[r % 2]);
  });
  if (with_state) dh0.swap(dh[(passes - 1) % 2]);
  dc0.swap(dc);
}

}  // namespace

// lstm(x_proj[B·T,4H], W_hh[4H,H], state0[B,2H]) -> out[B·T,2H] = [h_t | c_t], gates i f g o:
//   z = x_proj_t + h_{t-1}·W_hhᵀ;  i = σ(z_i)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)
//   c_t = f⊙c_{t-1} + i⊙g;  h_t = o⊙tanh(c_t);  a padded step (t ≥ length) copies h, c through.
// Backward (through time, last step first), with dh, dc the gradients reaching h_t, c_t:
//   dc += dh⊙o⊙(1 - tanh²c_t);  dz_i = dc⊙g⊙i(1-i)  dz_f = dc⊙c_{t-1}⊙f(1-f)  dz_g = dc⊙i⊙(1-g²)
//   dz_o = dh⊙tanh(c_t)⊙o(1-o);  dc_{t-1} = dc⊙f;  dh_{t-1} = dz·W_hh
//   dx_proj = dz    dW_hh = Σ_t dz_tᵀ·h_{t-1}    dstate0 = [dh_{-1} | dc_{-1}]
// Keeps the gate activations (B·T,4H) and its output.
Tensor lstm(const Tensor& x_proj, const Tensor& w_hh, const Tensor& state0, const std::vector<Index>& lengths,
            Index batch) {
  const Index hidden = w_hh.cols();
  HEED_CHECK(batch > 0 && x_proj.rows() % batch == 0 && x_proj.rows() > 0,
             "lstm: " << batch << " sequences do not divide x_proj " << shape_str(x_proj.value()));
  HEED_CHECK(hidden > 0 && w_hh.rows() == 4 * hidden && x_proj.cols() == 4 * hidden,
             "lstm: w_hh is " << shape_str(w_hh.value()) << " (expected (4H,H)), x_proj "
                              << shape_str(x_proj.value()) << " (expected (B·T,4H))");
  HEED_CHECK(state0.rows() == batch && state0.cols() == 2 * hidden,
             "lstm: state0 is " << shape_str(state0.value()) << ", expected (" << batch << "," << 2 * hidden << ")");
  const Index steps = x_proj.rows() / batch;
  HEED_CHECK(lengths.empty() || Index(lengths.size()) == batch,
             "lstm: " << lengths.size() << " lengths for " << batch << " sequences");
  for (std::size_t b = 0; b < lengths.size(); ++b)
    HEED_CHECK(lengths[b] >= 1 && lengths[b] <= steps,
               "lstm: sequence " << b << " has length " << lengths[b] << ", expected 1.." << steps);
  auto plan = std::make_shared<const LstmPlan>(
      batch, steps, hidden, lengths.empty() ? std::vector<Index>(std::size_t(batch), steps) : lengths);
  Matrix out(batch * steps, 2 * hidden);
  Matrix acts(batch * steps, 4 * hidden);
  plan->forward(x_proj.value(), w_hh.value(), state0.value(), out, acts);

  return record("lstm", std::move(out), {x_proj, w_hh, state0},
                [x_grad = GradRef(x_proj), w_hh, state0, plan, acts = std::move(acts)](const Matrix& d_out,
                                                                                       const Matrix& y) mutable {
    const Index B = plan->B, T = plan->T, H = plan->H;
    const Matrix& s0 = state0.value();
    Matrix dh0, dc0;
    plan->backward(d_out, y, w_hh.value(), s0, acts, state0.requires_grad(), dh0, dc0);  // acts now holds dz
    if (state0.requires_grad()) {  // dstate0 = [dh_{-1} | dc_{-1}]
      bool first = false;
      Matrix& d_s0 = state0.grad_for_write(&first);
      write_or_add(first, d_s0.leftCols(H), dh0);
      write_or_add(first, d_s0.rightCols(H), dc0);
    }
    if (w_hh.requires_grad()) {  // dW_hh = dzᵀ·h_prev, row b·T + t of h_prev = h_{t-1}; threads split W's rows
      Matrix h_prev(B * T, H);
      for (Index b = 0; b < B; ++b) {
        h_prev.row(b * T) = s0.row(b).head(H);
        if (T > 1) h_prev.middleRows(b * T + 1, T - 1) = y.block(b * T, 0, T - 1, H);
      }
      bool first = false;
      Matrix& d_w = w_hh.grad_for_write(&first);
      parallel_for(4 * H, std::max<Index>(16, H / 2), [&](Index begin, Index end) {
        gemm(acts.middleCols(begin, end - begin), true, h_prev, false, d_w.middleRows(begin, end - begin), !first);
      });
    }
    if (x_grad.requires_grad()) {  // dx_proj = dz: a new gradient takes over the buffer
      bool first = false;
      Matrix& d_x = x_grad.grad_for_write(&first);
      if (first) d_x.swap(acts);
      else d_x += acts;
    }
  });
}

HEED_NAMESPACE_END
