#!/usr/bin/env bash
# Prints the CMake options that compile through ccache where it is installed (rebuilding an
# unchanged file in another build dir or a fresh clone is then nearly free); nothing otherwise.
# heed does not need ccache.
if command -v ccache >/dev/null; then echo "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache"; fi
