"""heed's decoder-only language model (--arch lm) written with PyTorch modules, parameter for
parameter: an nn.Embedding scaled by sqrt(d_model) plus the sinusoidal table of
../shared/bench/torch_reference.py, dropout, an nn.TransformerEncoder of pre-LN
nn.TransformerEncoderLayer under a causal mask with a final LayerNorm (named `decoder`: a decoder
without cross-attention), and a `generator` Linear, optionally tied to the embedding.
Its state_dict names are heed's. Used by tools/make_lm_fixture.py and tools/bench_lm_torch.py.
"""
import math

import torch
import torch.nn as nn


class LanguageModel(nn.Module):
    def __init__(self, vocab, d_model, heads, d_ff, layers, context, dropout=0.1, tie=False):
        super().__init__()
        self.d = d_model
        self.embed = nn.Embedding(vocab, d_model)
        pe = torch.zeros(context, d_model)
        pos = torch.arange(context).unsqueeze(1).float()
        div = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)
        self.drop = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout, activation="relu", batch_first=True,
                                           norm_first=True)
        self.decoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d_model), enable_nested_tensor=False)
        self.generator = nn.Linear(d_model, vocab)
        if tie:
            self.generator.weight = self.embed.weight

    def forward(self, tokens):
        """tokens (B, T) -> logits (B, T, V); position t sees positions 0..t."""
        t = tokens.shape[1]
        causal = nn.Transformer.generate_square_subsequent_mask(t)
        x = self.drop(self.embed(tokens) * math.sqrt(self.d) + self.pe[:t])
        return self.generator(self.decoder(x, mask=causal))
