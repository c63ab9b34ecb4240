#!/usr/bin/env python3
"""Reads a heed attention dump (heed translate --dump-attention FILE.h5) with h5py, as a user's
script would, and checks what README "Seeing attention" promises: tokens are UTF-8 string attributes
of each sentence's group, which h5py reads as str (h5py 3 hands out string datasets as bytes,
string attributes as str), each map's shape follows the tokens, rows of weights sum to 1, decoder self-attention is
zero above the diagonal. Prints one line per sentence: its tokens and where each output token's
cross-attention (mean of the last layer's heads) looks most.

  /usr/bin/python3 tools/read_attention_dump.py FILE.h5      (Debian's python3-h5py; exit 1 on a failed check)
"""
import sys

import h5py
import numpy as np


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with h5py.File(sys.argv[1], "r") as f:
        check(f.attrs["format"] == "heed-attention" and f.attrs["format_version"] == 2, "format attributes")
        window = f" (window {f.attrs['window']})" if f.attrs["attention"] == "local" else ""
        print(f"{sys.argv[1]}: {f.attrs['sentences']} sentences from {f.attrs['checkpoint']} "
              f"({f.attrs['arch']}, {f.attrs['attention']} attention{window})")
        for n in range(f.attrs["sentences"]):
            g = f[f"sentences/{n}"]
            src = list(g.attrs["source_tokens"])
            inputs = list(g.attrs["target_inputs"])
            outputs = list(g.attrs["outputs"])
            check(all(isinstance(t, str) for t in src + inputs + outputs), f"sentence {n}: tokens are str, not bytes")
            for name in ("source_tokens", "target_inputs", "outputs"):  # attributes, not datasets
                check(name not in g, f"sentence {n}: {name} is an attribute, not a dataset")
                check(h5py.check_string_dtype(g.attrs.get_id(name).dtype).encoding == "utf-8",
                      f"{name} stored as UTF-8 strings")
            s, t = len(src), len(outputs)
            # an output cut off by the length limit ends without </s> (attribute truncated = 1)
            ended = g.attrs["truncated"] == 0
            check(src[-1] == "</s>" and inputs[0] == "<s>" and (outputs[-1] == "</s>") == ended and inputs[1:] == outputs[:-1],
                  f"sentence {n}: token lists")
            keys = {"encoder_self": (s, s), "decoder_self": (t, t), "cross": (t, s)}
            for name, (queries, width) in keys.items():
                if name not in g:
                    continue
                w = g[name][()]
                check(w.dtype == np.float32 and w.ndim == 4 and w.shape[2:] == (queries, width),
                      f"sentence {n}: {name} shape {w.shape} for {queries} x {width} tokens")
                check(np.allclose(w.sum(axis=-1), 1, atol=1e-5), f"sentence {n}: {name} rows sum to 1")
                if name == "decoder_self":
                    check(np.all(np.triu(w, k=1) == 0), f"sentence {n}: decoder self-attention is causal")
            cross = g["cross"][()][-1].mean(axis=0)  # last layer, mean of its heads: (T, S)
            looks = " ".join(f"{o}->{src[int(cross[i].argmax())]}" for i, o in enumerate(outputs))
            print(f"  {n}: {g.attrs['source']!r} -> {g.attrs['translation']!r}   {looks}")
    print("all checks passed")


if __name__ == "__main__":
    main()
