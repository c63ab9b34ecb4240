#!/usr/bin/env python3
"""PyTorch's reference step (../shared/bench/torch_reference.py, imported, not copied) at other
batch and lengths: the same model and step as `heed bench --bench CONFIG --batch N --src-len S
--tgt-len T`, printing the same JSON line, or {"error": ...} when PyTorch fails (out of memory).
Usage: /usr/bin/python3 tools/torch_long_reference.py [--config long] --batch 1 --src-len 4096 --tgt-len 4096
       [--threads 2] [--steps 1] [--warmup 1] [--reference ../shared/bench]"""
import argparse, json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--config", default="long")
ap.add_argument("--batch", type=int, required=True)
ap.add_argument("--src-len", type=int, required=True)
ap.add_argument("--tgt-len", type=int, required=True)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=1)
ap.add_argument("--warmup", type=int, default=1)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--reference", default=os.path.join(here, "..", "..", "shared", "bench"))
a = ap.parse_args()
sys.path.insert(0, a.reference)
import torch_reference  # noqa: E402

with open(os.path.join(a.reference, "configs.json")) as f:
    c = dict(json.load(f)[a.config])
c.update(batch=a.batch, src_len=a.src_len, tgt_len=a.tgt_len, max_len=max(c["max_len"], a.src_len + 1, a.tgt_len + 1))
try:
    r = torch_reference.run(a.config, c, a.steps, a.warmup, a.threads, a.seed)
except (RuntimeError, MemoryError) as e:  # PyTorch reports an allocation it cannot make as RuntimeError
    r = {"config": a.config, "impl": "pytorch", "error": str(e).splitlines()[0][:200]}
r.update(batch=a.batch, src_len=a.src_len, tgt_len=a.tgt_len)
print(json.dumps(r), flush=True)
