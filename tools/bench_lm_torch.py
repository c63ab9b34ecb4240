#!/usr/bin/env python3
"""PyTorch reference for `heed bench --bench lm`: the decoder-only language model of
tools/torch_lm.py at nanoGPT's shakespeare_char size for a CPU (4 layers, 4 heads, 128 wide,
d_ff 512, context 64, batch 12, vocabulary 65, dropout 0), trained with the step of
../shared/bench/torch_reference.py: forward, cross-entropy, backward, clipping at 1.0, Adam
(0.9, 0.98, 1e-9), on four random batches of windows (tools/torch_timing.py). Prints one JSON line with that script's fields.

  /usr/bin/python3 tools/bench_lm_torch.py --config lm --threads 2
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_lm import LanguageModel  # noqa: E402
from torch_timing import timed_training  # noqa: E402

CONFIGS = {"lm": {"vocab": 65, "d_model": 128, "heads": 4, "d_ff": 512, "layers": 4, "context": 64, "batch": 12,
                  "dropout": 0.0, "lr": 1e-3, "steps": 30}}


def run(name, c, steps, warmup, threads, seed):
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    model = LanguageModel(c["vocab"], c["d_model"], c["heads"], c["d_ff"], c["layers"], c["context"], c["dropout"])
    g = torch.Generator().manual_seed(seed)
    windows = [torch.randint(4, c["vocab"], (c["batch"], c["context"] + 1), generator=g) for _ in range(4)]
    return timed_training(name, model, [((w[:, :-1],), w[:, 1:]) for w in windows], c, steps, warmup, threads)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="lm", choices=list(CONFIGS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    c = CONFIGS[a.config]
    print(json.dumps(run(a.config, c, a.steps or c["steps"], a.warmup, a.threads, a.seed)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
