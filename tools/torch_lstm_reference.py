#!/usr/bin/env python3
"""PyTorch reference for heed's LSTM benchmark configs (`heed bench --config lstm|lstm-attention`).

The counterpart of ../shared/bench/torch_reference.py (the Transformer configs) for heed's RNN
families: the same model as layers/lstm_seq2seq.h, trained on random token batches, printing one
JSON line per config with the reference's fields:
  {"config", "impl", "device", "threads", "tokens_per_s", "step_ms", "peak_rss_mb", "params", "final_loss"}

  lstm            nn.LSTM encoder and decoder (2 + 2 layers, hidden = embedding = 256); decoder
                  layer l starts from encoder layer l's final (h, c); the decoder runs the whole
                  target in one nn.LSTM call.
  lstm-attention  the same plus Luong "general" global attention with input feeding: keys =
                  attn_score(memory), score_s = h_t·key_s over non-PAD source positions, context =
                  softmax-weighted memory, h̃_t = tanh(attn_combine([context; h_t])) (no biases);
                  h̃_t feeds the generator and, after the next step's embedding, the decoder's
                  input (first decoder layer's input size 2·d_model; zeros at the first step).
                  Input feeding makes the decoder step token by token.

Dropout (0.1) on the embeddings, between LSTM layers (nn.LSTM's `dropout`) and before the
generator. Embeddings are nn.Embedding's N(0, 1) (heed bench's init too); embeddings are not
scaled by sqrt(d_model). Parameter names are heed's (src_embed.weight, encoder.weight_ih_l0, ...,
attn_score.weight, attn_combine.weight, generator.weight/bias), and so are the counts: lstm
2,154,560, lstm-attention 2,613,312.

One training step = forward, label-smoothed (0.1) cross-entropy ignoring PAD, backward,
clip_grad_norm_ 1.0, Adam (lr 5e-4, betas 0.9/0.98, eps 1e-9); batch 64 x 32 source x 32 target
random ids in [4, 64) without padding; 3 warm-up and 30 timed steps; tokens_per_s counts target
tokens. Timing and peak RSS are measured as torch_reference.py does.

How the attention decoder steps (`--step`): the default `cell` runs each layer as
torch.lstm_cell (what nn.LSTMCell.forward calls) on nn.LSTM's own weights, with nn.Dropout
between layers; `lstm` calls the multi-layer nn.LSTM once per step on a length-1 sequence.
Both compute the same function (same weights, same names; outputs equal bit for bit in eval
mode). Timed with PyTorch 1.13 (Debian, OpenBLAS), 2 threads, 2-core AMD EPYC, idle machine,
alternating, 2 warm-up + 10 steps each: cell 894.6 / 813.0 / 856.6 tokens/s (median 857),
nn.LSTM per step 846.2 / 823.6 / 803.9 (median 824). The cell stack is the faster, by ~4%
(within this machine's noise, but never slower in the median): one step skips nn.LSTM's
per-call weight checks and its (L, B, H) state packing, so it is the default here, the fairer
comparison for heed. The plain `lstm` decoder and both encoders are single nn.LSTM calls over
the whole sequence (PyTorch's fastest CPU path).

Run with Debian's PyTorch (apt-get install python3-torch):
  /usr/bin/python3 tools/torch_lstm_reference.py --config lstm --threads 2
  /usr/bin/python3 tools/torch_lstm_reference.py --config all --threads 2
tools/torch_interop.py builds its LSTM models from LstmSeq2Seq here (with padding: packed
sequences in the encoder, PAD source positions masked in attention).
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_timing import timed_training  # noqa: E402

PAD = 0

# As ../shared/bench/configs.json describes the Transformer configs; `arch` picks the family.
CONFIGS = {
    "lstm": {"arch": "lstm", "vocab": 64, "d_model": 256, "enc_layers": 2, "dec_layers": 2, "batch": 64,
             "src_len": 32, "tgt_len": 32, "dropout": 0.1, "label_smoothing": 0.1, "lr": 0.0005, "steps": 30},
    "lstm-attention": {"arch": "lstm-attention", "vocab": 64, "d_model": 256, "enc_layers": 2, "dec_layers": 2,
                       "batch": 64, "src_len": 32, "tgt_len": 32, "dropout": 0.1, "label_smoothing": 0.1,
                       "lr": 0.0005, "steps": 30},
}


class LstmSeq2Seq(nn.Module):
    """heed's `lstm` / `lstm-attention` model (layers/lstm_seq2seq.h).

    c: arch ("lstm" | "lstm-attention"), src_vocab_size, tgt_vocab_size, d_model, enc_layers,
    dec_layers, dropout. step: how the attention decoder steps, "cell" or "lstm" (see above).
    """

    def __init__(self, c, step="cell"):
        super().__init__()
        d, layers = c["d_model"], c["enc_layers"]
        if c["dec_layers"] != layers:
            raise ValueError(f"{c['arch']}: {layers} encoder but {c['dec_layers']} decoder layers")
        if c["arch"] not in ("lstm", "lstm-attention"):
            raise ValueError(f"not an LSTM family: {c['arch']}")
        self.attends = c["arch"] == "lstm-attention"
        self.d, self.layers, self.step_impl = d, layers, step
        self.src_embed = nn.Embedding(c["src_vocab_size"], d)
        self.tgt_embed = nn.Embedding(c["tgt_vocab_size"], d)
        self.encoder = nn.LSTM(d, d, layers, dropout=c["dropout"], batch_first=True)
        # input feeding: the decoder's input is [embedding; previous h̃]
        self.decoder = nn.LSTM(2 * d if self.attends else d, d, layers, dropout=c["dropout"], batch_first=True)
        if self.attends:
            self.attn_score = nn.Linear(d, d, bias=False)
            self.attn_combine = nn.Linear(2 * d, d, bias=False)
        self.generator = nn.Linear(d, c["tgt_vocab_size"])
        self.drop = nn.Dropout(c["dropout"])

    def encode(self, src):
        """src (B, S) -> (memory (B, S, C): the top layer's h, (h_n, c_n) each (L, B, C)).

        With padding, packed sequences: each row's final state is the one after its last non-PAD
        token (lengths = non-PAD tokens, at least 1; padding at the end), as heed's encoder.
        """
        x = self.drop(self.src_embed(src))
        pads = src == PAD
        if not bool(pads.any()):
            return self.encoder(x)
        lengths = (~pads).sum(1).clamp(min=1).cpu()
        out, state = self.encoder(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
        memory, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return memory, state

    # ---- attention ----
    def attention_keys(self, memory):
        return self.attn_score(memory)  # (B, S, C) = memory·W_aᵀ

    def attend(self, h, keys, memory, pad_mask):
        """h (B, C) -> h̃ (B, C) = tanh(W_c [context; h]), context = softmax over non-PAD s of h·key_s."""
        scores = torch.bmm(keys, h.unsqueeze(2)).squeeze(2)  # (B, S)
        if pad_mask is not None:
            scores = scores.masked_fill(pad_mask, float("-inf"))
        context = torch.bmm(torch.softmax(scores, dim=1).unsqueeze(1), memory).squeeze(1)
        return torch.tanh(self.attn_combine(torch.cat([context, h], dim=1)))

    def step_decoder(self, x, state):
        """One decoder step: x (B, I), state ([h_l], [c_l]) per layer -> top h (B, C), new state."""
        hs, cs = state
        if self.step_impl == "lstm":
            out, (h, c) = self.decoder(x.unsqueeze(1), (torch.stack(hs), torch.stack(cs)))
            return out[:, 0], (list(h.unbind(0)), list(c.unbind(0)))
        new_h, new_c = [], []
        for l in range(self.layers):
            if l > 0:
                x = self.drop(x)  # nn.LSTM's dropout between layers
            h, c = torch.lstm_cell(x, (hs[l], cs[l]), getattr(self.decoder, f"weight_ih_l{l}"),
                                   getattr(self.decoder, f"weight_hh_l{l}"), getattr(self.decoder, f"bias_ih_l{l}"),
                                   getattr(self.decoder, f"bias_hh_l{l}"))
            new_h.append(h)
            new_c.append(c)
            x = h
        return x, (new_h, new_c)

    def decode(self, tgt_in, encoded, src):
        """tgt_in (B, T), encoded = encode(src) -> logits (B, T, V)."""
        memory, state = encoded
        embedded = self.drop(self.tgt_embed(tgt_in))
        if not self.attends:  # the whole target in one pass
            out, _ = self.decoder(embedded, state)
            return self.generator(self.drop(out))
        keys = self.attention_keys(memory)
        pads = src == PAD
        pad_mask = pads if bool(pads.any()) else None
        state = (list(state[0].unbind(0)), list(state[1].unbind(0)))
        fed = embedded.new_zeros(tgt_in.shape[0], self.d)
        outputs = []
        for t in range(tgt_in.shape[1]):
            h, state = self.step_decoder(torch.cat([embedded[:, t], fed], dim=1), state)
            fed = self.attend(h, keys, memory, pad_mask)
            outputs.append(fed)
        return self.generator(self.drop(torch.stack(outputs, dim=1)))

    def forward(self, src, tgt_in):
        return self.decode(tgt_in, self.encode(src), src)


def run(name, c, steps, warmup, threads, seed, device="cpu", step_impl="cell"):
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    model = LstmSeq2Seq(dict(c, src_vocab_size=c["vocab"], tgt_vocab_size=c["vocab"]), step=step_impl).to(device)
    B, S, T = c["batch"], c["src_len"], c["tgt_len"]
    g = torch.Generator().manual_seed(seed)
    batches = [(torch.randint(4, c["vocab"], (B, S), generator=g),
                torch.randint(4, c["vocab"], (B, T + 1), generator=g)) for _ in range(4)]
    batches = [((s.to(device), t[:, :-1].to(device)), t[:, 1:].to(device)) for s, t in batches]
    result = timed_training(name, model, batches, c, steps, warmup, threads, device)
    if model.attends:
        result["decoder_step"] = step_impl
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default="lstm", help="lstm, lstm-attention or all")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda where PyTorch has a GPU")
    ap.add_argument("--step", choices=("cell", "lstm"), default="cell",
                    help="attention decoder step: torch.lstm_cell per layer (default) or nn.LSTM on length 1")
    a = ap.parse_args()
    if a.config != "all" and a.config not in CONFIGS:
        sys.exit(f"--config: '{a.config}' is not one of {', '.join(CONFIGS)}, all")
    names = list(CONFIGS) if a.config == "all" else [a.config]
    for n in names:
        c = CONFIGS[n]
        print(json.dumps(run(n, c, a.steps or c["steps"], a.warmup, a.threads, a.seed, a.device, a.step)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
