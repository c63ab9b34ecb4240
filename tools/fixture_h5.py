"""Writing a PyTorch fixture for heed's equivalence tests: the config as attributes, every
parameter's value under model/ and gradient under grad/ (dots as slashes, heed's names), and the
batch, logits and losses given. Used by tools/make_transformer_fixture.py and make_lm_fixture.py.
"""
import h5py
import numpy as np
import torch


def write_model_fixture(path, config, model, arrays):
    """arrays: {"batch/src": int tensor, "logits": float tensor, "loss": float, ...}."""
    with h5py.File(path, "w") as f:
        for key, value in config.items():
            f.attrs[key] = value
        f.attrs["torch_version"] = np.bytes_(str(torch.__version__))
        for name, p in model.named_parameters():
            f["model/" + name.replace(".", "/")] = p.detach().numpy().astype(np.float32)
            f["grad/" + name.replace(".", "/")] = p.grad.numpy().astype(np.float32)
        for key, value in arrays.items():
            if isinstance(value, float):
                f[key] = np.float32(value)
            elif value.dtype in (torch.int64, torch.int32):
                f[key] = value.numpy().astype(np.int32)
            else:
                f[key] = value.detach().numpy().astype(np.float32)
