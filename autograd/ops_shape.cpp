// Reshapes, transposes, slices, concatenations, head split/merge and embedding gather.
// These move values without arithmetic; each backward moves the gradient back.
#include "autograd/check.h"
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "autograd/tape.h"

HEED_NAMESPACE_BEGIN

// reshape(x[r,c]) -> y[rows,cols], same row-major order    dx = dy reshaped back
Tensor reshape(const Tensor& x, Index rows, Index cols) {
  HEED_CHECK(rows * cols == x.size(),
             "reshape: cannot view " << shape_str(x.value()) << " as (" << rows << "," << cols << ")");
  Matrix y = Eigen::Map<const Matrix>(x.value().data(), rows, cols);
  return record("reshape", std::move(y), {x}, [x = GradRef(x)](const Matrix& d_y) {
    x.grad() += Eigen::Map<const Matrix>(d_y.data(), x.rows(), x.cols());
  });
}

// transpose(x) -> y = xᵀ    dx = dyᵀ
Tensor transpose(const Tensor& x) {
  return record("transpose", x.value().transpose(), {x},
                [x = GradRef(x)](const Matrix& d_y) { x.grad() += d_y.transpose(); });
}

// slice_rows(x, start, count) -> y = x[start : start+count, :]    dx[start : start+count, :] += dy
Tensor slice_rows(const Tensor& x, Index start, Index count) {
  HEED_CHECK(start >= 0 && count >= 0 && start + count <= x.rows(),
             "slice_rows: rows [" << start << "," << start + count << ") outside " << shape_str(x.value()));
  return record("slice_rows", x.value().middleRows(start, count), {x}, [x = GradRef(x), start, count](const Matrix& d_y) {
    x.grad().middleRows(start, count) += d_y;
  });
}

// slice_cols(x, start, count) -> y = x[:, start : start+count]    dx[:, start : start+count] += dy
Tensor slice_cols(const Tensor& x, Index start, Index count) {
  HEED_CHECK(start >= 0 && count >= 0 && start + count <= x.cols(),
             "slice_cols: columns [" << start << "," << start + count << ") outside " << shape_str(x.value()));
  return record("slice_cols", x.value().middleCols(start, count), {x}, [x = GradRef(x), start, count](const Matrix& d_y) {
    x.grad().middleCols(start, count) += d_y;
  });
}

// concat_rows(x_0, x_1, …) -> y stacked vertically    dx_i = dy's block of rows
Tensor concat_rows(const std::vector<Tensor>& parts) {
  HEED_CHECK(!parts.empty(), "concat_rows: no tensors given");
  Index rows = 0;
  for (const Tensor& p : parts) {
    HEED_CHECK(p.cols() == parts[0].cols(), "concat_rows: " << shape_str(p.value()) << " does not match "
                                                            << shape_str(parts[0].value()) << " in columns");
    rows += p.rows();
  }
  Matrix y(rows, parts[0].cols());
  for (Index i = 0, at = 0; i < Index(parts.size()); at += parts[i].rows(), ++i) y.middleRows(at, parts[i].rows()) = parts[i].value();
  return record("concat_rows", std::move(y), parts, [grads = std::vector<GradRef>(parts.begin(), parts.end())](const Matrix& d_y) {
    Index at = 0;
    for (const GradRef& p : grads) {
      if (p.requires_grad()) p.grad() += d_y.middleRows(at, p.rows());
      at += p.rows();
    }
  });
}

// concat_cols(x_0, x_1, …) -> y side by side    dx_i = dy's block of columns
Tensor concat_cols(const std::vector<Tensor>& parts) {
  HEED_CHECK(!parts.empty(), "concat_cols: no tensors given");
  Index cols = 0;
  for (const Tensor& p : parts) {
    HEED_CHECK(p.rows() == parts[0].rows(), "concat_cols: " << shape_str(p.value()) << " does not match "
                                                            << shape_str(parts[0].value()) << " in rows");
    cols += p.cols();
  }
  Matrix y(parts[0].rows(), cols);
  for (Index i = 0, at = 0; i < Index(parts.size()); at += parts[i].cols(), ++i) y.middleCols(at, parts[i].cols()) = parts[i].value();
  return record("concat_cols", std::move(y), parts, [grads = std::vector<GradRef>(parts.begin(), parts.end())](const Matrix& d_y) {
    Index at = 0;
    for (const GradRef& p : grads) {
      if (p.requires_grad()) p.grad() += d_y.middleCols(at, p.cols());
      at += p.cols();
    }
  });
}

namespace {

// Copies between the (B·T, H·D) layout (columns [col0, col0 + H·D) of `merged`) and the
// (B·H·T, D) layout; `to_heads` picks the direction. The mapping is its own inverse, so split's
// backward is merge and vice versa.
void move_heads(const Matrix& from, Matrix& to, Index batch, Index heads, Index col0, bool to_heads, bool accumulate) {
  const Index seq = (to_heads ? from.rows() : to.rows()) / batch;
  const Index head_dim = to_heads ? to.cols() : from.cols();
  // Each (sequence, head) pair is a separate block of both layouts: threads take them in turn.
  parallel_for(batch * heads, std::max<Index>(1, 4096 / std::max<Index>(1, seq * head_dim)), [&](Index begin, Index end) {
    for (Index i = begin; i < end; ++i) {
      const Index b = i / heads, h = i % heads;
      const Index merged_row = b * seq, merged_col = col0 + h * head_dim, split_row = (b * heads + h) * seq;
      if (to_heads) {
        auto dst = to.middleRows(split_row, seq);
        auto src = from.block(merged_row, merged_col, seq, head_dim);
        if (accumulate) dst += src; else dst = src;
      } else {
        auto dst = to.block(merged_row, merged_col, seq, head_dim);
        auto src = from.middleRows(split_row, seq);
        if (accumulate) dst += src; else dst = src;
      }
    }
  });
}

}  // namespace

// split_heads(x[B·T, H·D]) -> y[B·H·T, D]    dx = merge_heads(dy)
// With col0/cols, only columns [col0, col0 + cols) of x are split (q, k or v of a packed product).
Tensor split_heads(const Tensor& x, Index batch, Index heads, Index col0, Index cols) {
  if (cols < 0) cols = x.cols() - col0;
  HEED_CHECK(batch > 0 && heads > 0 && x.rows() % batch == 0 && cols % heads == 0 && col0 >= 0 && col0 + cols <= x.cols(),
             "split_heads: columns [" << col0 << "," << col0 + cols << ") of " << shape_str(x.value())
                                      << " do not split into " << batch << " sequences of " << heads << " heads");
  Matrix y(x.rows() * heads, cols / heads);
  move_heads(x.value(), y, batch, heads, col0, true, false);
  return record("split_heads", std::move(y), {x}, [x = GradRef(x), batch, heads, col0](const Matrix& d_y) {
    move_heads(d_y, x.grad(), batch, heads, col0, false, true);
  });
}

// merge_heads(x[B·H·T, D]) -> y[B·T, H·D]    dx = split_heads(dy)
Tensor merge_heads(const Tensor& x, Index batch, Index heads) {
  HEED_CHECK(batch > 0 && heads > 0 && x.rows() % (batch * heads) == 0,
             "merge_heads: " << shape_str(x.value()) << " does not hold " << batch << " sequences of " << heads
                             << " heads");
  Matrix y(x.rows() / heads, x.cols() * heads);
  move_heads(x.value(), y, batch, heads, 0, false, false);
  return record("merge_heads", std::move(y), {x}, [x = GradRef(x), batch, heads](const Matrix& d_y) {
    move_heads(d_y, x.grad(), batch, heads, 0, true, true);
  });
}

// embedding(table[V,C], ids) -> y[n,C], y[i] = table[ids[i]]    dtable[ids[i]] += dy[i]
Tensor embedding(const Tensor& table, const std::vector<std::int32_t>& ids) {
  Matrix y(Index(ids.size()), table.cols());
  for (Index i = 0; i < Index(ids.size()); ++i) {
    HEED_CHECK(ids[i] >= 0 && ids[i] < table.rows(),
               "embedding: id " << ids[i] << " at position " << i << " outside a table of " << table.rows() << " rows");
    y.row(i) = table.value().row(ids[i]);
  }
  return record("embedding", std::move(y), {table}, [table = GradRef(table), ids](const Matrix& d_y) {
    Matrix& d_table = table.grad();
    for (Index i = 0; i < Index(ids.size()); ++i) d_table.row(ids[i]) += d_y.row(i);
  });
}

HEED_NAMESPACE_END
