// PyTorch fixtures (tools/make_*_fixture.py): a module's weights loaded from the file strictly, by
// name and shape, and every parameter's gradient compared with PyTorch's, by name.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "checkpoints/h5_reader.h"
#include "layers/module.h"

namespace heed::testing_torch {

inline std::string dotted(std::string path) {
  std::replace(path.begin(), path.end(), '/', '.');
  return path;
}

inline Matrix to_matrix(const Array<float>& a, Index rows, Index cols) {
  return Eigen::Map<const Matrix>(a.values.data(), rows, cols);
}

// The fixture's "model/..." tensors into the module's parameters: the names and shapes must equal
// the module's, one for one.
inline void load_torch_weights(H5Reader& file, const Module& model) {
  std::map<std::string, Parameter> params;
  for (const auto& p : model.parameters()) params.emplace(p.name, p);
  const std::vector<std::string> stored = file.datasets_under("model");
  ASSERT_EQ(stored.size(), params.size());
  for (const std::string& path : stored) {
    const Array<float> a = file.read_floats("model/" + path);
    auto it = params.find(dotted(path));
    ASSERT_NE(it, params.end()) << "fixture has an unexpected tensor " << dotted(path);
    ASSERT_EQ(std::vector<Index>(a.shape.begin(), a.shape.end()), it->second.shape) << dotted(path);
    Tensor t = it->second.tensor;
    t.mutable_value() = to_matrix(a, t.rows(), t.cols());
  }
}

// The fixture's "logits" and "loss" against the model's logits (and their plain cross-entropy
// loss): the largest difference of a logit below logit_tol, the loss within loss_tol.
inline void expect_torch_logits(H5Reader& file, const Tensor& logits, float loss, float logit_tol, float loss_tol) {
  const Array<float> expected = file.read_floats("logits");
  ASSERT_EQ(logits.rows(), Index(expected.shape[0]));
  const float diff = (logits.value() - to_matrix(expected, logits.rows(), logits.cols())).cwiseAbs().maxCoeff();
  EXPECT_LT(diff, logit_tol);
  const float torch_loss = file.read_floats("loss").values.at(0);
  EXPECT_NEAR(loss, torch_loss, loss_tol);
  std::printf("max |logit diff| %.3g, loss %.7f (torch %.7f)\n", double(diff), double(loss), double(torch_loss));
}

// After backward: each parameter's gradient within abs_tol + rel_tol·|expected| of "grad/...".
inline void expect_torch_gradients(H5Reader& file, const Module& model, float abs_tol, float rel_tol) {
  float worst = 0;
  std::string worst_name;
  for (const auto& p : model.parameters()) {
    std::string path = p.name;
    std::replace(path.begin(), path.end(), '.', '/');
    const Matrix expected = to_matrix(file.read_floats("grad/" + path), p.tensor.rows(), p.tensor.cols());
    ASSERT_TRUE(p.tensor.has_grad()) << p.name << " got no gradient";
    const Matrix& got = p.tensor.grad();
    const Eigen::ArrayXXf excess = (got - expected).array().abs() - (abs_tol + rel_tol * expected.array().abs());
    EXPECT_LE(excess.maxCoeff(), 0.0f) << p.name << ": max |diff| " << (got - expected).cwiseAbs().maxCoeff();
    const float diff = (got - expected).cwiseAbs().maxCoeff();
    if (diff > worst) worst = diff, worst_name = p.name;
  }
  std::printf("worst gradient difference %.3g in %s\n", double(worst), worst_name.c_str());
}

}  // namespace heed::testing_torch
