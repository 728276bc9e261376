"""The floor: the same arithmetic as the Keras program, written by hand in NumPy.

What a careful NumPy programmer writes for one network, no framework around it:
float32 throughout, one permuted copy of the data per epoch with contiguous batch
slices, forward, the fused output gradient ``dZ = (A - Y) / m`` (sigmoid + binary
cross-entropy, softmax + cross-entropy), backward, the optimizer update in place.
It also computes each batch's loss, because ``model.fit`` has to report the epoch's
loss in ``History`` (the batch-size-weighted mean, as Keras does).

It is deliberately plain NumPy (no ``out=`` buffer juggling): a library that matches it
has no framework overhead worth speaking of.
"""
from __future__ import annotations

import numpy as np

EPS_CLIP = 1e-7  # Keras clips probabilities to [eps, 1 - eps] in BinaryCrossentropy


class FloorMLP:
    """A Dense network with Keras's defaults: Glorot-uniform kernels, zero biases."""

    def __init__(self, n_features, spec, seed=0):
        rng = np.random.default_rng(seed)
        self.spec = spec
        self.acts = [act for _, act in spec.layers]
        widths = [n_features] + [u for u, _ in spec.layers]
        self.W, self.b = [], []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            self.W.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32))
            self.b.append(np.zeros(fan_out, np.float32))
        self.params = [p for pair in zip(self.W, self.b) for p in pair]
        self.s1 = [np.zeros_like(p) for p in self.params]  # RMSprop v / Adam m
        self.s2 = [np.zeros_like(p) for p in self.params]  # Adam v
        self.t = 0

    # ------------------------------------------------------------ forward / backward
    def forward(self, x):
        """Activations of every layer, x first (backward needs them all)."""
        outs = [x]
        for W, b, act in zip(self.W, self.b, self.acts):
            z = outs[-1] @ W + b
            if act == "sigmoid":
                z = 1.0 / (1.0 + np.exp(-z))
            elif act == "relu":
                z = np.maximum(z, 0.0)
            elif act is not None:
                raise ValueError(f"floor has no activation {act!r}")
            outs.append(z)
        return outs

    def loss_and_output_grad(self, out, y):
        """The batch's loss and dJ/dZ of the last layer (the fused form, exact here)."""
        m = out.shape[0]
        if self.spec.loss == "bce":  # sigmoid output, y in {0, 1} of shape (m, 1)
            p = np.clip(out, EPS_CLIP, 1.0 - EPS_CLIP)
            loss = -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
            return float(loss), (out - y) / m
        # softmax cross-entropy from logits, integer labels
        z = out - out.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(m)
        loss = np.mean(np.log(s[:, 0]) - z[rows, y])
        dz = e / s
        dz[rows, y] -= 1.0
        dz /= m
        return float(loss), dz

    def train_step(self, xb, yb):
        outs = self.forward(xb)
        loss, dz = self.loss_and_output_grad(outs[-1], yb)
        grads = [None] * len(self.params)
        for i in range(len(self.W) - 1, -1, -1):
            grads[2 * i] = outs[i].T @ dz
            grads[2 * i + 1] = dz.sum(axis=0)
            if i > 0:  # no dX for the first layer: nobody needs it
                da = dz @ self.W[i].T
                a = outs[i]
                if self.acts[i - 1] == "sigmoid":
                    dz = da * a * (1.0 - a)
                elif self.acts[i - 1] == "relu":
                    dz = da * (a > 0)
                else:
                    dz = da
        self.update(grads)
        return loss

    # ------------------------------------------------------------ optimizers
    def update(self, grads, lr=1e-3):
        if self.spec.optimizer == "rmsprop":  # Keras: eps inside the sqrt
            rho, eps = 0.9, 1e-7
            for p, g, v in zip(self.params, grads, self.s1):
                v *= rho
                v += (1.0 - rho) * g * g
                p -= lr * g / np.sqrt(v + eps)
        else:  # Adam, Keras's form
            b1, b2, eps = 0.9, 0.999, 1e-7
            self.t += 1
            a = lr * np.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
            for p, g, m, v in zip(self.params, grads, self.s1, self.s2):
                m += (g - m) * (1.0 - b1)
                v += (g * g - v) * (1.0 - b2)
                p -= a * m / (np.sqrt(v) + eps)

    # ------------------------------------------------------------ loops
    def fit(self, x, y, batch_size, epochs, seed=0):
        """Train; return the last epoch's loss (batch-size-weighted mean)."""
        rng = np.random.default_rng(seed)
        n = x.shape[0]
        epoch_loss = float("nan")
        for _ in range(epochs):
            perm = rng.permutation(n)
            xs, ys = x[perm], y[perm]  # one permuted copy per epoch, contiguous batches
            total = 0.0
            for s in range(0, n, batch_size):
                xb, yb = xs[s:s + batch_size], ys[s:s + batch_size]
                total += self.train_step(xb, yb) * xb.shape[0]
            epoch_loss = total / n
        return epoch_loss

    def predict(self, x, batch_size=32):
        out = np.empty((x.shape[0], self.W[-1].shape[1]), np.float32)
        for s in range(0, x.shape[0], batch_size):
            out[s:s + batch_size] = self.forward(x[s:s + batch_size])[-1]
        return out
