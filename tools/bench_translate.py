#!/usr/bin/env python3
"""Greedy-decoding speed, heed against PyTorch, on the same weights and sentences.

  /usr/bin/python3 tools/bench_translate.py CKPT.h5 SOURCES.txt [THREADS=2]

Runs `heed translate` (greedy, key/value cache) and PyTorch greedy decoding of the reference
module (tools/torch_interop.py, one sentence at a time, the whole prefix recomputed each step as
nn.TransformerDecoder does) on the same lines, prints sentences/s of each, their ratio, and how
many outputs agree. Word tokenizer checkpoints only (as torch_interop.py).
"""
import os
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_interop  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ckpt, sources = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    heed = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "train", "heed")
    lines = [l.rstrip("\n") for l in open(sources, encoding="utf-8")]
    start = time.perf_counter()
    out = subprocess.run([heed, "translate", "--checkpoint", ckpt, "--threads", str(threads)], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, check=True).stdout.splitlines()
    heed_s = time.perf_counter() - start
    torch.set_num_threads(threads)
    bundle = torch_interop.read_heed(ckpt)
    model = torch_interop.load_model(bundle)
    start = time.perf_counter()
    ref = [torch_interop.torch_greedy(model, bundle, s) for s in lines]
    torch_s = time.perf_counter() - start
    # the word tokenizer joins clitics ("qu' " "il" -> "qu'il"); the reference joins with spaces
    same = sum(a == b.replace("' ", "'") for a, b in zip(out, ref))
    print(f"{len(lines)} sentences: heed {len(lines) / heed_s:.1f}/s (process start and load included), "
          f"PyTorch {len(lines) / torch_s:.1f}/s, ratio {torch_s / heed_s:.2f}x; {same} outputs identical")


if __name__ == "__main__":
    main()
