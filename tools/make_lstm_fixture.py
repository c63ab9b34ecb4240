#!/usr/bin/env python3
"""Writes tests/fixtures/lstm_small.h5: a seeded 2-layer nn.LSTM (input 5, hidden 6, batch_first,
dropout 0), a padded batch (lengths 2, 4, 1 of T = 4, deliberately not sorted) run through
pack_padded_sequence with initial h0/c0 given, the outputs, h_n and c_n, a scalar loss and the
gradient of every parameter, of the input and of h0/c0.

loss = sum(outputs · w_out) + sum(h_n · w_h) + sum(c_n · w_c), fixed random weights; w_out is
zero at padded positions (where pad_packed_sequence gives zeros and heed repeats the last h).

The C++ test tests/layers/test_lstm_torch.cpp loads it, so CI needs no PyTorch.
Run with Debian's PyTorch and h5py:  /usr/bin/python3 tools/make_lstm_fixture.py
"""
import os

import h5py
import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.abspath(__file__)) + "/.."
CONFIG = {"input_size": 5, "hidden_size": 6, "num_layers": 2}
LENGTHS = [2, 4, 1]
T = 4


def main():
    torch.manual_seed(5)
    lstm = nn.LSTM(CONFIG["input_size"], CONFIG["hidden_size"], CONFIG["num_layers"], batch_first=True,
                   dropout=0.0)
    lstm.train()
    B, H, L = len(LENGTHS), CONFIG["hidden_size"], CONFIG["num_layers"]
    x = torch.randn(B, T, CONFIG["input_size"], requires_grad=True)
    h0 = torch.randn(L, B, H, requires_grad=True)
    c0 = torch.randn(L, B, H, requires_grad=True)
    valid = (torch.arange(T)[None, :] < torch.tensor(LENGTHS)[:, None]).float()  # (B, T)
    w_out = torch.randn(B, T, H) * valid[:, :, None]
    w_h, w_c = torch.randn(L, B, H), torch.randn(L, B, H)

    packed = nn.utils.rnn.pack_padded_sequence(x, torch.tensor(LENGTHS), batch_first=True, enforce_sorted=False)
    out_packed, (h_n, c_n) = lstm(packed, (h0, c0))
    out, _ = nn.utils.rnn.pad_packed_sequence(out_packed, batch_first=True, total_length=T)
    loss = (out * w_out).sum() + (h_n * w_h).sum() + (c_n * w_c).sum()
    loss.backward()

    def f32(t):
        return t.detach().numpy().astype(np.float32)

    path = os.path.normpath(os.path.join(ROOT, "tests", "fixtures", "lstm_small.h5"))
    # Compact datasets (values inside the object header) in the newest format keep 30 small
    # arrays in a few KB.
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    with h5py.File(path, "w", libver="latest") as f:
        def put(name, value):
            f.create_dataset(name, data=value, dcpl=dcpl)

        for key, value in CONFIG.items():
            f.attrs[key] = value
        f.attrs["torch_version"] = np.bytes_(str(torch.__version__))
        for name, p in lstm.named_parameters():  # weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._l1
            put("model/" + name, f32(p))
            put("grad/" + name, f32(p.grad))
        put("lengths", np.array(LENGTHS, dtype=np.int32))
        put("x", f32(x))  # (B, T, in)
        put("grad/x", f32(x.grad))
        for name, t in (("h0", h0), ("c0", c0)):  # (L, B, H)
            put(name, f32(t))
            put("grad/" + name, f32(t.grad))
        for name, t in (("outputs", out), ("h_n", h_n), ("c_n", c_n), ("w_out", w_out), ("w_h", w_h), ("w_c", w_c)):
            put(name, f32(t))
        put("loss", np.float32(loss.item()))
    print(f"wrote {path} ({os.path.getsize(path)} bytes): loss {loss.item():.6f}")


if __name__ == "__main__":
    main()
