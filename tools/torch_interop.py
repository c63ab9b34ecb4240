#!/usr/bin/env python3
"""heed checkpoints <-> PyTorch, with Debian's python3-torch and python3-h5py.

  export CKPT.h5 OUT.pt        heed checkpoint -> {"config", "state_dict", "src_vocab", "tgt_vocab", "tokenizer"}
  import IN.pt OUT.h5          the same dict (from export, or built by hand) -> heed checkpoint (format v1)
  loss CKPT.h5 DATA.tsv        PyTorch's token-weighted mean cross-entropy of a heed checkpoint on a TSV
                               (a language model: on a plain text, cut into windows as heed eval --text does)
  make-fixture DIR [ARCH]      trains a small PyTorch model of family ARCH (transformer, the default,
                               lstm or lstm-attention) on `copy`, imports it, and writes what
                               tests/cli/torch_interop_test.sh checks: PyTorch's loss and greedy output
                               (DIR/torch_copy.* for transformer, DIR/torch_copy_ARCH.* for the others)

Every model family, read from the checkpoint's /config attribute `arch` (absent = transformer, as
in checkpoints from before the families) and carried through export and import:
  transformer     the reference encoder-decoder of ../shared/bench/torch_reference.py (pre-LN by
                  default, sinusoidal positions, embeddings scaled by sqrt(d_model), untied generator)
  lstm, lstm-attention
                  LstmSeq2Seq of tools/torch_lstm_reference.py, heed's layers/lstm_seq2seq.h: packed
                  sequences in the encoder (each row's final state is the one after its last non-PAD
                  token), PAD source positions masked in attention
  lm              the decoder-only language model of tools/torch_lm.py (heed's layers/language_model.h)
with separate source and target vocabulary sizes. Parameter names are their state_dict's and heed's.
The char and word tokenizers are reimplemented here (as heed tokenizes); BPE checkpoints are refused.
"""
import json
import math
import os
import subprocess
import string
import sys
import zlib

import h5py
import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_lm import LanguageModel  # noqa: E402
from torch_lstm_reference import LstmSeq2Seq  # noqa: E402  (beside this file)

ARCHS = ("transformer", "lstm", "lstm-attention", "lm")
PAD, BOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]


class Seq2Seq(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.d = d
        self.src_embed = nn.Embedding(c["src_vocab_size"], d)
        self.tgt_embed = nn.Embedding(c["tgt_vocab_size"], d)
        pe = torch.zeros(c["max_len"], d)
        pos = torch.arange(c["max_len"]).unsqueeze(1).float()
        div = torch.exp(torch.arange(0, d, 2).float() * (-math.log(10000.0) / d))
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)
        self.drop = nn.Dropout(c["dropout"])
        act = c.get("activation", "relu")
        first = bool(c.get("norm_first", 1))
        enc = nn.TransformerEncoderLayer(d, c["heads"], c["d_ff"], c["dropout"], activation=act, batch_first=True,
                                         norm_first=first)
        dec = nn.TransformerDecoderLayer(d, c["heads"], c["d_ff"], c["dropout"], activation=act, batch_first=True,
                                         norm_first=first)
        self.encoder = nn.TransformerEncoder(enc, c["enc_layers"], norm=nn.LayerNorm(d), enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(dec, c["dec_layers"], norm=nn.LayerNorm(d))
        self.generator = nn.Linear(d, c["tgt_vocab_size"])

    def embed(self, table, x):
        return self.drop(table(x) * math.sqrt(self.d) + self.pe[: x.shape[1]])

    def encode(self, src):
        return self.encoder(self.embed(self.src_embed, src), src_key_padding_mask=(src == PAD))

    def decode(self, tgt_in, memory, src):
        causal = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
        h = self.decoder(self.embed(self.tgt_embed, tgt_in), memory, tgt_mask=causal,
                         tgt_key_padding_mask=(tgt_in == PAD), memory_key_padding_mask=(src == PAD))
        return self.generator(h)


CONFIG_KEYS = ["arch", "d_model", "heads", "d_ff", "enc_layers", "dec_layers", "max_len", "dropout", "norm_first",
               "activation", "positions", "src_vocab_size", "tgt_vocab_size", "seed", "tokenizer"]


def read_heed(path):
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") not in (b"heed-checkpoint", "heed-checkpoint") or f.attrs.get("format_version") != 1:
            sys.exit(f"{path}: not a heed checkpoint of format version 1")
        config = {k: (v.decode() if isinstance(v, bytes) else v.item() if hasattr(v, "item") else v)
                  for k, v in f["config"].attrs.items()}
        state = {}
        f["model"].visititems(lambda name, obj: state.__setitem__(name.replace("/", "."), torch.from_numpy(obj[()]))
                              if isinstance(obj, h5py.Dataset) else None)
        config.setdefault("arch", "transformer")  # written before the model families
        if config.get("tie_embeddings", "none") != "none":
            sys.exit(f"{path}: tied embeddings (tie_embeddings = {config['tie_embeddings']}) are not supported here yet")
        if config.get("attention", "full") != "full":  # PyTorch's modules have softmax attention over every key only
            sys.exit(f"{path}: {config['attention']} attention has no nn.Transformer equivalent; only full attention converts")
        vocab = lambda name: [s.decode() if isinstance(s, bytes) else s for s in f[name][()]]
        return {"config": config, "state_dict": state, "src_vocab": vocab("vocab/src"), "tgt_vocab": vocab("vocab/tgt"),
                "tokenizer": config.get("tokenizer", "word")}


def write_heed(bundle, path):
    c = dict(bundle["config"])
    c.setdefault("arch", "transformer")
    if c["arch"] not in ARCHS:
        sys.exit(f"config arch '{c['arch']}' is not one of {', '.join(ARCHS)}")
    # heed stores every setting for every family; the Transformer-only ones are heed train's defaults
    c.setdefault("heads", 4)
    c.setdefault("d_ff", 512)
    c.setdefault("max_len", 128)
    c.setdefault("positions", "sinusoidal")
    c.setdefault("activation", "relu")
    c.setdefault("norm_first", 1)
    c.setdefault("seed", 1)
    c["tokenizer"] = bundle.get("tokenizer", "word")
    c["src_vocab_size"], c["tgt_vocab_size"] = len(bundle["src_vocab"]), len(bundle["tgt_vocab"])
    text = h5py.string_dtype(encoding="utf-8")
    tmp = path + ".tmp"
    with h5py.File(tmp, "w", userblock_size=SEAL_SIZE) as f:
        f.attrs["format"] = np.bytes_("heed-checkpoint")
        f.attrs["format_version"] = np.int64(1)
        g = f.create_group("config")
        # heed's settings in its order, then any others the bundle carries (from a newer heed), as they came
        for k in CONFIG_KEYS + sorted(set(c) - set(CONFIG_KEYS)):
            v = c[k]
            g.attrs[k] = (np.bytes_(v) if isinstance(v, str) else
                          np.float64(v) if k == "dropout" or isinstance(v, float) else np.int64(v))
        for name, t in bundle["state_dict"].items():
            if name == "pe":
                continue
            f.create_dataset("model/" + name.replace(".", "/"), data=t.detach().float().numpy())
        f.create_dataset("vocab/src", data=bundle["src_vocab"], dtype=text)
        f.create_dataset("vocab/tgt", data=bundle["tgt_vocab"], dtype=text)
        f.create_group("tokenizer").attrs["type"] = np.bytes_(c["tokenizer"])
        t = f.create_group("train")
        for k, v in {"step": 0, "epoch": 0, "evals_without_improvement": 0}.items():
            t.attrs[k] = np.int64(v)
        t.attrs["best_metric"] = np.float64(0)
        t.attrs["task"] = np.bytes_("imported from PyTorch")
        t.create_dataset("rng_state", data=np.zeros(4, dtype=np.uint64))
    seal(tmp)
    os.replace(tmp, path)


SEAL_SIZE = 512


def seal(path):
    """Writes heed's seal into the file's user block (README "Checkpoints"): its size and the
    CRC-32 of every byte after the block, so that heed finds any later damage."""
    with open(path, "r+b") as f:
        body = f.read()[SEAL_SIZE:]
        block = f"heed-checkpoint-seal 1\nbytes {SEAL_SIZE + len(body)}\ncrc32 {zlib.crc32(body):08x}\n".encode()
        f.seek(0)
        f.write(block.ljust(SEAL_SIZE, b"\0"))


def build_model(config):
    arch = config.get("arch", "transformer")
    if arch == "transformer":
        return Seq2Seq(config)
    if arch in ("lstm", "lstm-attention"):
        return LstmSeq2Seq(config)
    if arch == "lm":  # the context is max_len
        return LanguageModel(config["tgt_vocab_size"], config["d_model"], config["heads"], config["d_ff"],
                             config["dec_layers"], config["max_len"], config["dropout"])
    sys.exit(f"config arch '{arch}' is not one of {', '.join(ARCHS)}")


def load_model(bundle):
    model = build_model(bundle["config"])
    missing, unexpected = model.load_state_dict(bundle["state_dict"], strict=False)
    missing = [m for m in missing if m != "pe"]
    if missing or unexpected:
        sys.exit(f"state_dict does not fit: missing {missing}, unexpected {unexpected}")
    return model.eval()


SPACE_MARKER = "\u2581"  # a space in char tokens
UNICODE_PUNCTUATION = set("«»“”‘’„…–—¿¡")


def is_punctuation(c):
    return c in string.punctuation or c in UNICODE_PUNCTUATION


def word_tokens(text):
    """heed's word tokenizer, step for step (data/tokenizer.cpp): whitespace splits; punctuation is
    its own token except between two word characters ("3.14"); an apostrophe after letters ends a
    clitic ("qu'" "il")."""
    spaces, apostrophes = " \t\n\r\v\f", "'\u2019"
    is_word = lambda c: c not in spaces and not is_punctuation(c)
    tokens, word = [], []

    def flush():
        if word:
            tokens.append("".join(word))
            word.clear()

    for i, c in enumerate(text):
        next_is_word = i + 1 < len(text) and is_word(text[i + 1])
        if c in spaces:
            flush()
        elif is_word(c):
            word.append(c)
        elif c in apostrophes and word and next_is_word:
            word.append(c)
            flush()
        elif c not in apostrophes and word and next_is_word:
            word.append(c)
        else:
            flush()
            tokens.append(c)
    flush()
    return tokens


def tokenize(tokenizer, text):
    if tokenizer == "char":
        return [SPACE_MARKER if c == " " else c for c in text]
    if tokenizer == "word":
        return word_tokens(text)
    sys.exit(f"the {tokenizer} tokenizer is not implemented here (char and word are); use heed eval for this checkpoint")


def encode(vocab, text, tokenizer="word"):
    ids = {t: i for i, t in enumerate(vocab)}
    return [ids.get(t, UNK) for t in tokenize(tokenizer, text)]


def pad(rows):
    width = max(len(r) for r in rows)
    return torch.tensor([r + [PAD] * (width - len(r)) for r in rows])


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def torch_loss(model, bundle, pairs, batch=64):
    total, tokens = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(pairs), batch):
            chunk = pairs[i:i + batch]
            kind = bundle["tokenizer"]
            src = pad([encode(bundle["src_vocab"], s, kind) + [EOS] for s, _ in chunk])
            tgt = [encode(bundle["tgt_vocab"], t, kind) for _, t in chunk]
            tgt_in, tgt_out = pad([[BOS] + t for t in tgt]), pad([t + [EOS] for t in tgt])
            logits = model.decode(tgt_in, model.encode(src), src)
            loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1),
                                               ignore_index=PAD, reduction="sum")
            total += loss.item()
            tokens += int((tgt_out != PAD).sum())
    return total / tokens


def torch_text_loss(model, bundle, path):
    """A language model's loss on a text as heed eval --text computes it: one stream of every line's
    tokens and </s> after a leading </s>, cut into consecutive windows of max_len predictions."""
    stream = [EOS]
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            stream += encode(bundle["tgt_vocab"], line, bundle["tokenizer"]) + [EOS]
    n, total = bundle["config"]["max_len"], 0.0
    with torch.no_grad():
        for start in range(0, len(stream) - 1, n):
            window = torch.tensor([stream[start:start + n + 1]])
            logits = model(window[:, :-1])
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), window[0, 1:],
                                                 reduction="sum").item()
    return total / (len(stream) - 1)


def torch_greedy(model, bundle, source):
    src = torch.tensor([encode(bundle["src_vocab"], source, bundle["tokenizer"]) + [EOS]])
    limit = min(2 * src.shape[1] + 10, bundle["config"]["max_len"] - 1)
    out = [BOS]
    with torch.no_grad():
        memory = model.encode(src)
        for _ in range(limit):
            token = int(model.decode(torch.tensor([out]), memory, src)[0, -1].argmax())
            if token == EOS:
                break
            out.append(token)
    return " ".join(bundle["tgt_vocab"][t] for t in out[1:])


def make_fixture(out_dir, arch="transformer"):
    """A PyTorch model of family `arch` trained briefly on `copy` (letters a-p, lengths 1-8), saved for heed."""
    if arch not in ARCHS:
        sys.exit(f"make-fixture: '{arch}' is not one of {', '.join(ARCHS)}")
    torch.manual_seed(0)
    letters = [chr(ord("a") + i) for i in range(16)]
    vocab = SPECIALS + letters
    config = {"arch": arch, "d_model": 32, "heads": 4, "d_ff": 64, "enc_layers": 2, "dec_layers": 2, "max_len": 64,
              "dropout": 0.0, "norm_first": 1, "activation": "relu", "positions": "sinusoidal",
              "src_vocab_size": len(vocab), "tgt_vocab_size": len(vocab), "seed": 1, "tokenizer": "word"}
    model = build_model(config)
    rng = np.random.default_rng(0)
    sample = lambda: " ".join(rng.choice(letters, size=rng.integers(1, 9)))
    bundle = {"config": config, "src_vocab": vocab, "tgt_vocab": vocab, "tokenizer": "word"}
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    # lstm-attention learns copy fastest: fewer steps keep its loss well above heed's printed precision (6 decimals)
    for _ in range(400 if arch == "lstm-attention" else 1200):
        pairs = [(s, s) for s in (sample() for _ in range(32))]
        src = pad([encode(vocab, s) + [EOS] for s, _ in pairs])
        tgt = [encode(vocab, t) for _, t in pairs]
        tgt_in, tgt_out = pad([[BOS] + t for t in tgt]), pad([t + [EOS] for t in tgt])
        logits = model.decode(tgt_in, model.encode(src), src)
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), tgt_out.reshape(-1), ignore_index=PAD)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    bundle["state_dict"] = model.state_dict()
    os.makedirs(out_dir, exist_ok=True)
    pairs = [(s, s) for s in (sample() for _ in range(40))]
    stem = os.path.join(out_dir, "torch_copy" if arch == "transformer" else "torch_copy_" + arch)
    with open(stem + ".tsv", "w", encoding="utf-8") as f:
        f.writelines(f"{s}\t{t}\n" for s, t in pairs)
    write_heed(bundle, stem + ".h5")
    expected = {"loss": torch_loss(model, bundle, pairs), "translations": [torch_greedy(model, bundle, s) for s, _ in pairs],
                "torch_version": str(torch.__version__)}
    if arch != "transformer":
        expected["arch"] = arch
    with open(stem + "_expected.json", "w") as f:
        json.dump(expected, f, indent=1)
    exact = sum(h == t for h, (_, t) in zip(expected["translations"], pairs)) / len(pairs)
    print(f"fixture {stem}.*: {arch}, {sum(p.numel() for p in model.parameters())} parameters, "
          f"PyTorch loss {expected['loss']:.6f}, greedy exact match {exact:.2f}")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("export", "import", "loss", "make-fixture"):
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "export":
        torch.save(read_heed(sys.argv[2]), sys.argv[3])
    elif cmd == "import":
        write_heed(torch.load(sys.argv[2]), sys.argv[3])
    elif cmd == "loss":
        bundle = read_heed(sys.argv[2])
        model = load_model(bundle)
        if bundle["config"]["arch"] == "lm":
            print(f"{torch_text_loss(model, bundle, sys.argv[3]):.8f}")
        else:
            print(f"{torch_loss(model, bundle, read_tsv(sys.argv[3])):.8f}")
    else:
        make_fixture(sys.argv[2], *sys.argv[3:4])


if __name__ == "__main__":
    main()
