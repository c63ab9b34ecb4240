#!/usr/bin/env bash
# Shows that the tests catch real bugs: applies one deliberate bug at a time to a copy of heed
# (git archive of HEAD into WORK_DIR), rebuilds the affected tests, prints which fail, restores.
# Usage: tools/mutation_demo.sh [WORK_DIR=/tmp/heed-mutate]
set -u
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/heed-mutate}"
rm -rf "$work" && mkdir -p "$work"
git -C "$repo" archive HEAD | tar -x -C "$work"
cd "$work"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target autograd_tests torch_equivalence_tests >/dev/null 2>&1
mutate() {  # file, sed expression, test binary, description
  cp "$1" "$1.orig"
  sed -i "$2" "$1"
  if cmp -s "$1" "$1.orig"; then echo "!! mutation did not apply: $4"; rm "$1.orig"; return; fi
  cmake --build build -j2 --target "$3" >/dev/null 2>&1
  echo "== $4 ($1) =="
  ./build/tests/$3 2>&1 | grep -E "^\[  FAILED  \] [A-Za-z][^ ]*$|Failure" -A1 | grep -vE "^--$" | head -8
  mv "$1.orig" "$1"
  touch "$1"  # mv keeps the older mtime: make must still see the file as changed
}
mutate autograd/ops_unary.cpp 's/(1 - y.array().square())/(1 - y.array())/' autograd_tests "tanh backward: dx = dy(1 - y) instead of dy(1 - y²)"
mutate autograd/ops_norm.cpp 's/(g.array() - mean_g - x_hat.array() \* mean_gx)/(g.array() - mean_g)/' autograd_tests "layer_norm backward: drop the x̂·mean(g⊙x̂) term"
mutate layers/masks.cpp 's/(!causal || k <= t)/(!causal || k <= t + 1)/' torch_equivalence_tests "causal mask lets each position see the next one"
mutate layers/masks.cpp 's/keep.data()\[i\] = ids\[std::size_t(i)\] != 0;/keep.data()[i] = true;/' torch_equivalence_tests "key-padding mask ignored (PAD keys visible)"
mutate layers/transformer.cpp 's/table.forward(ids) \* std::sqrt(Scalar(config_.d_model))/table.forward(ids)/' torch_equivalence_tests "embeddings not scaled by sqrt(d_model)"
cmake --build build -j2 --target autograd_tests torch_equivalence_tests >/dev/null 2>&1
echo "(restored; rebuilt)"
