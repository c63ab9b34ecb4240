#!/usr/bin/env python3
"""Writes tests/fixtures/transformer_small.h5: the reference PyTorch model of
../shared/bench/torch_reference.py in a small configuration, a padded batch, its logits,
its losses (label smoothing 0 and 0.1) and every parameter's gradient of the smoothed loss.

The C++ test tests/layers/test_torch_equivalence.cpp loads it, so CI needs no PyTorch.
Run with Debian's PyTorch and h5py:  /usr/bin/python3 tools/make_transformer_fixture.py
"""
import os
import sys

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "bench"))
from torch_reference import Seq2Seq  # noqa: E402  (the reference module itself)

sys.path.insert(0, os.path.join(ROOT, "tools"))
from fixture_h5 import write_model_fixture  # noqa: E402

CONFIG = {"vocab": 13, "d_model": 16, "heads": 2, "d_ff": 24, "enc_layers": 2, "dec_layers": 2,
          "max_len": 32, "dropout": 0.0}
PAD = 0


def main():
    torch.manual_seed(3)
    model = Seq2Seq(CONFIG)
    model.train()  # dropout is 0; train mode keeps PyTorch on its plain (non fast-path) kernels
    # A padded batch: source = tokens + EOS(2), decoder input = BOS(1) + tokens, target = tokens + EOS.
    src = torch.tensor([[5, 6, 7, 8, 2, 0],
                        [9, 10, 2, 0, 0, 0],
                        [4, 11, 12, 5, 6, 2]])
    tgt_in = torch.tensor([[1, 8, 7, 6, 5],
                           [1, 10, 9, 0, 0],
                           [1, 6, 5, 12, 11]])
    tgt_out = torch.tensor([[8, 7, 6, 5, 2],
                            [10, 9, 2, 0, 0],
                            [6, 5, 12, 11, 4]])
    causal = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
    memory = model.encoder(model.embed(model.src_embed, src), src_key_padding_mask=(src == PAD))
    hidden = model.decoder(model.embed(model.tgt_embed, tgt_in), memory, tgt_mask=causal,
                           tgt_key_padding_mask=(tgt_in == PAD), memory_key_padding_mask=(src == PAD))
    logits = model.generator(hidden).reshape(-1, CONFIG["vocab"])
    loss = nn.CrossEntropyLoss(ignore_index=PAD)(logits, tgt_out.reshape(-1))
    loss_smoothed = nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=0.1)(logits, tgt_out.reshape(-1))
    loss_smoothed.backward()

    out = os.path.join(ROOT, "tests", "fixtures", "transformer_small.h5")
    write_model_fixture(out, CONFIG, model, {"batch/src": src, "batch/tgt_in": tgt_in, "batch/tgt_out": tgt_out,
                                             "logits": logits, "loss": loss.item(),
                                             "loss_smoothed": loss_smoothed.item()})
    print(f"wrote {out}: loss {loss.item():.6f}, smoothed {loss_smoothed.item():.6f}, "
          f"{sum(p.numel() for p in model.parameters())} parameters")


if __name__ == "__main__":
    main()
