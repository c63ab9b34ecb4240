#!/usr/bin/env python3
"""Writes tests/fixtures/lm_small.h5: heed's decoder-only language model built from PyTorch
modules (tools/torch_lm.py) in a small configuration, a batch of three windows (line ends </s> = 2
inside, no padding), its logits, its loss and every parameter's gradient.

The C++ test tests/layers/test_lm_torch.cpp loads it, so CI needs no PyTorch.
Run with Debian's PyTorch and h5py:  /usr/bin/python3 tools/make_lm_fixture.py
"""
import os
import sys

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from fixture_h5 import write_model_fixture  # noqa: E402
from torch_lm import LanguageModel  # noqa: E402

CONFIG = {"vocab": 11, "d_model": 16, "heads": 2, "d_ff": 24, "layers": 2, "context": 6}


def main():
    torch.manual_seed(5)
    model = LanguageModel(CONFIG["vocab"], CONFIG["d_model"], CONFIG["heads"], CONFIG["d_ff"], CONFIG["layers"],
                          CONFIG["context"], dropout=0.0)
    model.train()  # dropout is 0; train mode keeps PyTorch on its plain (non fast-path) kernels
    # Windows of a token stream: inputs, and the same shifted by one as targets.
    stream = torch.tensor([[2, 5, 6, 7, 2, 8, 9],
                           [4, 4, 10, 2, 2, 3, 5],
                           [9, 8, 7, 6, 5, 4, 2]])
    tokens_in, tokens_out = stream[:, :-1], stream[:, 1:]
    logits = model(tokens_in).reshape(-1, CONFIG["vocab"])
    loss = nn.CrossEntropyLoss(ignore_index=0)(logits, tokens_out.reshape(-1))
    loss.backward()

    out = os.path.join(ROOT, "tests", "fixtures", "lm_small.h5")
    write_model_fixture(out, CONFIG, model, {"batch/tgt_in": tokens_in, "batch/tgt_out": tokens_out, "logits": logits,
                                             "loss": loss.item()})
    print(f"wrote {out}: loss {loss.item():.6f}, {sum(p.numel() for p in model.parameters())} parameters")


if __name__ == "__main__":
    main()
