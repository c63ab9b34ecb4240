#!/usr/bin/env bash
# Installs heed from a built tree into a temporary prefix, then configures, builds and runs
# examples/ from a copy outside the source tree against that prefix alone, as another project
# would (README "Use heed in your project"). scripts/test.sh runs it after the Release suite.
# Usage: scripts/examples.sh [BUILD_DIR]      (default build/, already built)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
# The installed package must stand alone: no path into heed's source or build tree.
if grep -rlF -e "$PWD" -e "$(cd "$build_dir" && pwd)" "$work/prefix/lib/cmake" "$work/prefix/include"; then
  echo "examples: the installed files above name heed's source or build tree" >&2
  exit 1
fi
cp -r examples "$work/examples"
cmake -S "$work/examples" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" -j"$(nproc)"
ctest --test-dir "$work/build" --output-on-failure
