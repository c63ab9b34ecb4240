#!/usr/bin/env python3
"""PyTorch reference for `heed bench --bench lm`: the decoder-only language model of
tools/torch_lm.py at nanoGPT's shakespeare_char size for a CPU (4 layers, 4 heads, 128 wide,
d_ff 512, context 64, batch 12, vocabulary 65, dropout 0), trained with the step of
../shared/bench/torch_reference.py: forward, cross-entropy, backward, clipping at 1.0, Adam
(0.9, 0.98, 1e-9), on four random batches of windows. Prints one JSON line with that script's fields.

  /usr/bin/python3 tools/bench_lm_torch.py --config lm --threads 2
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_lm import LanguageModel  # noqa: E402

CONFIGS = {"lm": {"vocab": 65, "d_model": 128, "heads": 4, "d_ff": 512, "layers": 4, "context": 64, "batch": 12,
                  "dropout": 0.0, "lr": 1e-3, "steps": 30}}


def run(name, c, steps, warmup, threads, seed):
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    model = LanguageModel(c["vocab"], c["d_model"], c["heads"], c["d_ff"], c["layers"], c["context"], c["dropout"])
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"], betas=(0.9, 0.98), eps=1e-9)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)
    B, T = c["batch"], c["context"]
    g = torch.Generator().manual_seed(seed)
    batches = [torch.randint(4, c["vocab"], (B, T + 1), generator=g) for _ in range(4)]

    def step(i):
        window = batches[i % len(batches)]
        logits = model(window[:, :-1])
        loss = loss_fn(logits.reshape(-1, c["vocab"]), window[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    model.train()
    for i in range(warmup):
        step(i)
    t0 = time.perf_counter()
    for i in range(steps):
        last = step(i)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"config": name, "impl": "pytorch-" + torch.__version__, "device": "cpu", "threads": threads,
            "tokens_per_s": round(B * T * steps / dt, 1), "step_ms": round(1000 * dt / steps, 3),
            "peak_rss_mb": round(rss, 1), "params": sum(p.numel() for p in model.parameters()),
            "final_loss": round(last, 4)}


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
