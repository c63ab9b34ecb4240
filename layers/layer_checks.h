// The gradient checks of every layer, as a library: the tests run them and so does
// `heed gradcheck`. Each check builds a small layer (dropout off), a small input with padding or
// causal masks where they apply, and compares backward with central differences against the
// inputs and every named parameter. Meaningful in the double-precision build.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"

HEED_NAMESPACE_BEGIN

struct LayerCheck {
  std::string name;
  std::string what;  // one line: the shapes and masks it covers
  std::function<GradcheckResult()> run;
};

const std::vector<LayerCheck>& layer_checks();

HEED_NAMESPACE_END
