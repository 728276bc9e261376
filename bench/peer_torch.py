"""PyTorch's version of each workload, written the fast way a PyTorch user would.

A plain training loop over contiguous slices of one permuted copy of the data per
epoch (no DataLoader: it would only slow PyTorch down), ``zero_grad(set_to_none=True)``,
``loss.item()`` per batch to report the epoch's loss as ``model.fit`` does.

Differences from the Keras program, none of which changes the cost materially:
- the 0/1 task uses ``BCEWithLogitsLoss`` on the last layer's logits (the fused, stable
  form; the Keras program has a sigmoid layer and ``BinaryCrossentropy``);
- ``torch.optim.RMSprop(alpha=0.9, eps=1e-7)`` puts eps OUTSIDE the sqrt
  (``g / (sqrt(v) + eps)``), Keras inside (``g / sqrt(v + eps)``);
- PyTorch's default thread count is kept (printed in the results).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn


def build(spec, n_features, seed=0):
    torch.manual_seed(seed)
    mods = []
    width = n_features
    for i, (units, act) in enumerate(spec.layers):
        lin = nn.Linear(width, units)
        nn.init.xavier_uniform_(lin.weight)  # Keras's glorot_uniform, zero bias
        nn.init.zeros_(lin.bias)
        mods.append(lin)
        last = i == len(spec.layers) - 1
        if act == "relu":
            mods.append(nn.ReLU())
        elif act == "sigmoid" and not last:
            mods.append(nn.Sigmoid())
        width = units
    model = nn.Sequential(*mods)
    if spec.optimizer == "rmsprop":
        opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss() if spec.loss == "bce" else nn.CrossEntropyLoss()
    return model, opt, loss_fn


def fit(model, opt, loss_fn, x, y, batch_size, epochs, seed=0):
    """Train; return the last epoch's loss (batch-size-weighted mean)."""
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y)  # float32 (n, 1) for BCE, int64 (n,) for cross-entropy
    n = xt.shape[0]
    gen = torch.Generator().manual_seed(seed)
    model.train()
    epoch_loss = float("nan")
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        xs, ys = xt[perm], yt[perm]
        total = 0.0
        for s in range(0, n, batch_size):
            xb, yb = xs[s:s + batch_size], ys[s:s + batch_size]
            loss = loss_fn(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        epoch_loss = total / n
    return epoch_loss


def predict(model, x, batch_size):
    xt = torch.from_numpy(x)
    out = np.empty((x.shape[0], model[-1].out_features), np.float32)
    model.eval()
    with torch.inference_mode():
        for s in range(0, x.shape[0], batch_size):
            out[s:s + batch_size] = model(xt[s:s + batch_size]).numpy()
    return out


def info():
    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}
