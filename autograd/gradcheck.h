// gradcheck: compares the tape's gradients with central differences, input by input and
// element by element, and reports the worst element by input name and index.
// Meant for the double-precision build; in float the differences are too noisy.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "autograd/tensor.h"

HEED_NAMESPACE_BEGIN

struct GradcheckOptions {
  double eps = 1e-6;   // central-difference step
  double atol = 1e-6;  // an element passes when |analytic - numeric| <= atol + rtol·|numeric|
  double rtol = 1e-4;
  std::uint64_t seed = 7;  // for the random projection of a non-scalar output
};

struct GradcheckResult {
  bool ok = true;
  std::string input;  // the input with the worst element
  Index row = 0, col = 0;
  double analytic = 0, numeric = 0;
  double score = 0;  // |analytic - numeric| / (atol + rtol·|numeric|); > 1 fails
  std::size_t elements_checked = 0;
  // One line: "ok" or "gradient of W at (1,2): analytic 0.31 vs numeric 0.29 (...)".
  std::string message() const;
};

using NamedTensor = std::pair<std::string, Tensor>;

// f builds the computation from the inputs and returns any-shaped output; a non-scalar
// output is projected to a scalar with fixed random weights, so every element counts.
// Each input is set to require grad. The calling thread's tape is cleared before and after.
GradcheckResult gradcheck(const std::function<Tensor()>& f, const std::vector<NamedTensor>& inputs,
                          GradcheckOptions options = {});

HEED_NAMESPACE_END
