"""The timed training step of heed's PyTorch benchmark references (tools/torch_lstm_reference.py,
tools/bench_lm_torch.py), as ../shared/bench/torch_reference.py takes it: forward, cross-entropy
(label smoothing, PAD ignored), backward, clipping at 1.0, Adam (0.9, 0.98, 1e-9); warm-up steps
untimed, then one JSON-ready dict with that script's fields.
"""
import resource
import time

import torch
import torch.nn as nn


def timed_training(name, model, batches, c, steps, warmup, threads, device="cpu"):
    """batches: (inputs, targets) pairs, model(*inputs) -> logits (B, T, V) for targets (B, T)."""
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"], betas=(0.9, 0.98), eps=1e-9)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=c.get("label_smoothing", 0.0), ignore_index=0)

    def step(i):
        inputs, targets = batches[i % len(batches)]
        logits = model(*inputs)
        loss = loss_fn(logits.reshape(-1, c["vocab"]), targets.reshape(-1))
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
    tokens = batches[0][1].numel()
    return {"config": name, "impl": "pytorch-" + torch.__version__, "device": device, "threads": threads,
            "tokens_per_s": round(tokens * steps / dt, 1), "step_ms": round(1000 * dt / steps, 3),
            "peak_rss_mb": round(rss, 1), "params": sum(p.numel() for p in model.parameters()),
            "final_loss": round(last, 4)}
