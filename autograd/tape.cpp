// Tape walk, grad mode and anomaly mode.
#include "autograd/tape.h"

#include <stdexcept>
#include <string>

#include "autograd/check.h"

HEED_NAMESPACE_BEGIN

namespace {

thread_local bool g_grad_enabled = true;
thread_local bool g_anomaly_enabled = false;

// Throws if m holds a NaN or Inf, naming the op and where in it.
void check_finite(const Matrix& m, const char* op, const std::string& what) {
  if (m.allFinite()) return;
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c)
      if (!std::isfinite(m(r, c)))
        throw std::runtime_error(std::string("anomaly: op '") + op + "' produced " +
                                 std::to_string(m(r, c)) + " in its " + what + " at (" +
                                 std::to_string(r) + "," + std::to_string(c) + ")");
}

}  // namespace

Tape& Tape::current() {
  thread_local Tape tape;
  return tape;
}

void Tape::push(const char* op, std::vector<GradRef> inputs, GradRef output, Tensor saved_output,
                BackwardWithOutputFn backward) {
  entries_.push_back(Entry{op, std::move(inputs), std::move(output), std::move(saved_output), std::move(backward)});
}

void Tape::backward(const Tensor& loss) {
  HEED_CHECK(loss.size() == 1, "backward: loss is " << shape_str(loss.value()) << ", expected (1,1)");
  HEED_CHECK(loss.requires_grad(), "backward: loss does not depend on any tensor that requires grad");
  if (loss.slot()->op_output) {
    bool on_tape = false;
    for (const Entry& e : entries_) on_tape = on_tape || e.output.slot() == loss.slot().get();
    HEED_CHECK(on_tape, "backward: the ops that made this loss are no longer on the tape (an earlier "
                        "backward() or Tape::clear() released them); run the forward pass again");
  }
  // Whatever happens below (an anomaly, a released input), the graph is consumed.
  struct ClearOnExit {
    Tape& tape;
    ~ClearOnExit() { tape.clear(); }
  } clear_on_exit{*this};
  loss.grad().array() += Scalar(1);
  const bool anomaly = anomaly_enabled();
  static const Matrix no_output;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->output.has_grad()) {  // else the output did not reach the loss
      for (std::size_t i = 0; i < it->inputs.size(); ++i)
        HEED_CHECK(!(it->inputs[i].requires_grad() && it->inputs[i].slot()->released),
                   "backward: input " << i << " of '" << it->op << "' comes from a graph that an earlier backward() "
                                      << "or Tape::clear() released, so its gradient cannot flow further; run that "
                                      << "forward pass again");
      it->backward(it->output.grad(), it->saved_output.defined() ? it->saved_output.value() : no_output);
      it->output.zero_grad();  // intermediate gradient no longer needed
      if (anomaly)
        for (std::size_t i = 0; i < it->inputs.size(); ++i)
          if (it->inputs[i].has_grad())
            check_finite(it->inputs[i].grad(), it->op, "backward (gradient of input " + std::to_string(i) + ")");
    }
    it->output.mark_released();
    *it = Entry{};  // frees the values this op saved for backward
  }
}

void Tape::clear() {
  for (Entry& e : entries_)
    if (e.output.defined()) e.output.mark_released();
  entries_.clear();
}

bool grad_enabled() { return g_grad_enabled; }
bool anomaly_enabled() { return g_anomaly_enabled; }

NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

AnomalyGuard::AnomalyGuard() : previous_(g_anomaly_enabled) { g_anomaly_enabled = true; }
AnomalyGuard::~AnomalyGuard() { g_anomaly_enabled = previous_; }

namespace {

Tensor record_op(const char* op, Matrix value, const std::vector<Tensor>& inputs, bool save_output,
                 BackwardWithOutputFn backward) {
  if (g_anomaly_enabled) check_finite(value, op, "forward output");
  bool needs_grad = false;
  if (g_grad_enabled)
    for (const Tensor& input : inputs) needs_grad = needs_grad || input.requires_grad();
  Tensor output(std::move(value), needs_grad);
  if (needs_grad) {
    output.slot()->op_output = true;
    Tape::current().push(op, std::vector<GradRef>(inputs.begin(), inputs.end()), output,
                         save_output ? output : Tensor(), std::move(backward));
  }
  return output;
}

}  // namespace

Tensor record(const char* op, Matrix value, const std::vector<Tensor>& inputs, BackwardWithOutputFn backward) {
  return record_op(op, std::move(value), inputs, true, std::move(backward));
}

Tensor record(const char* op, Matrix value, const std::vector<Tensor>& inputs, BackwardFn backward) {
  return record_op(op, std::move(value), inputs, false,
                   [fn = std::move(backward)](const Matrix& d_out, const Matrix&) { fn(d_out); });
}

HEED_NAMESPACE_END
