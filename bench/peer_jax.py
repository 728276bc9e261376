"""JAX as a contestant (issue 17): the workloads' networks written in ``jax.numpy``, with
Keras's formulas, trained two ways:

- ``step``: one jitted training step, called from a Python loop over the batches of a
  NumPy permutation (how most JAX programs are written);
- ``scan``: the whole epoch in one jitted function: the permutation, ``lax.scan`` over the
  full batches, then the last, smaller batch (Keras's ``fit`` keeps it).

Compilation is done before the clock starts (``jax.jit(f).lower(...).compile()``) and
reported separately; so are the model's initialisation (``Trainer.init``) and, for the
scan, putting the data on the device once (``Trainer.put``), as bench/speed.py does. Keras's formulas: glorot-uniform kernels and zero biases; RMSprop
``v = rho v + (1 - rho) g^2; w -= lr g / sqrt(v + eps)``; Adam ``m += (g - m)(1 - b1);
v += (g^2 - v)(1 - b2); w -= m lr sqrt(1 - b2^t) / (1 - b1^t) / (sqrt(v) + eps)``;
sigmoid + binary cross-entropy and softmax cross-entropy from the logits, averaged over
the batch. JAX is never a dependency of glassnet: this file runs under a separate
interpreter (``--jax-python``, or ``GLASSNET_BENCH_JAX_PYTHON``).
"""
from __future__ import annotations

import time

import numpy as np

RMSPROP = {"learning_rate": 1e-3, "rho": 0.9, "epsilon": 1e-7}
ADAM = {"learning_rate": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}


def info() -> dict:
    import jax  # noqa: PLC0415
    return {"jax": jax.__version__, "jax_devices": str(jax.devices())}


def init_params(spec, n_features: int, seed: int = 0):
    """Glorot-uniform kernels, zero biases (float32), from NumPy's generator."""
    rng = np.random.default_rng(seed)
    widths = [n_features] + [u for u, _ in spec.layers]
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params.append((rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32),
                       np.zeros(fan_out, np.float32)))
    return params


class Trainer:
    """A spec's network, loss and optimizer as jitted functions."""

    def __init__(self, spec, n_features: int, n_rows: int):
        import jax  # noqa: PLC0415
        import jax.numpy as jnp  # noqa: PLC0415
        from jax import lax  # noqa: PLC0415

        self.spec, self.jax, self.jnp = spec, jax, jnp
        acts = [a for _, a in spec.layers]
        act_fns = {"sigmoid": jax.nn.sigmoid, "relu": jax.nn.relu, None: lambda z: z}
        batch = spec.batch_size
        self.full, self.rest = divmod(n_rows, batch)

        def logits(params, x):
            for i, (w, b) in enumerate(params):
                x = x @ w + b
                if i < len(params) - 1:
                    x = act_fns[acts[i]](x)
            return x                      # the last layer's Z: its activation is in the loss

        def loss(params, x, y):
            z = logits(params, x)
            if spec.loss == "bce":        # sigmoid + BCE from Z: max(z,0) - z y + log(1 + e^-|z|)
                return jnp.mean(jnp.maximum(z, 0) - z * y + jnp.log1p(jnp.exp(-jnp.abs(z))))
            logp = jax.nn.log_softmax(z)
            return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

        if spec.optimizer == "rmsprop":
            o = RMSPROP

            def update(params, state, grads):
                t, vs = state
                new_p, new_v = [], []
                for (w, b), (vw, vb), (gw, gb) in zip(params, vs, grads):
                    pair_p, pair_v = [], []
                    for p, v, g in ((w, vw, gw), (b, vb, gb)):
                        v = o["rho"] * v + (1 - o["rho"]) * g * g
                        pair_p.append(p - o["learning_rate"] * g / jnp.sqrt(v + o["epsilon"]))
                        pair_v.append(v)
                    new_p.append(tuple(pair_p))
                    new_v.append(tuple(pair_v))
                return new_p, (t + 1, new_v)

            def zeros_state(params):
                return (jnp.int32(0), [(jnp.zeros_like(w), jnp.zeros_like(b)) for w, b in params])
        else:
            o = ADAM

            def update(params, state, grads):
                t, ms, vs = state
                t1 = (t + 1).astype(jnp.float32)
                alpha = o["learning_rate"] * jnp.sqrt(1 - o["beta_2"] ** t1) / (1 - o["beta_1"] ** t1)
                new_p, new_m, new_v = [], [], []
                for (w, b), (mw, mb), (vw, vb), (gw, gb) in zip(params, ms, vs, grads):
                    pp, pm, pv = [], [], []
                    for p, m, v, g in ((w, mw, vw, gw), (b, mb, vb, gb)):
                        m = m + (g - m) * (1 - o["beta_1"])
                        v = v + (g * g - v) * (1 - o["beta_2"])
                        pp.append(p - m * alpha / (jnp.sqrt(v) + o["epsilon"]))
                        pm.append(m)
                        pv.append(v)
                    new_p.append(tuple(pp))
                    new_m.append(tuple(pm))
                    new_v.append(tuple(pv))
                return new_p, (t + 1, new_m, new_v)

            def zeros_state(params):
                z = [(jnp.zeros_like(w), jnp.zeros_like(b)) for w, b in params]
                return (jnp.int32(0), z, [(jnp.zeros_like(w), jnp.zeros_like(b)) for w, b in params])

        def step(params, state, x, y):
            value, grads = jax.value_and_grad(loss)(params, x, y)
            params, state = update(params, state, grads)
            return params, state, value

        def epoch(params, state, x, y, key):
            order = jax.random.permutation(key, x.shape[0])
            x, y = x[order], y[order]
            n = self.full * batch
            xs = x[:n].reshape((self.full, batch) + x.shape[1:])
            ys = y[:n].reshape((self.full, batch) + y.shape[1:])

            def body(carry, xy):
                p, s = carry
                p, s, value = step(p, s, *xy)
                return (p, s), value

            (params, state), values = lax.scan(body, (params, state), (xs, ys))
            if self.rest:
                params, state, last = step(params, state, x[n:], y[n:])
                values = jnp.concatenate([values, last[None]])
            return params, state, values

        self.zeros_state, self.step_fn, self.epoch_fn = zeros_state, step, epoch

    def compile(self, x, y, how: str) -> float:
        """Trace and compile the functions ``how`` ("step" or "scan") needs; returns seconds."""
        jax, jnp = self.jax, self.jnp
        t0 = time.perf_counter()
        params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in init_params(self.spec, x.shape[1])]
        state = self.zeros_state(params)
        batch = self.spec.batch_size
        if how == "step":
            self.step_c = jax.jit(self.step_fn).lower(params, state, x[:batch], y[:batch]).compile()
            self.step_rest = (jax.jit(self.step_fn).lower(params, state, x[:self.rest], y[:self.rest]).compile()
                              if self.rest else None)
        else:
            self.epoch_c = jax.jit(self.epoch_fn).lower(params, state, jnp.asarray(x), jnp.asarray(y),
                                                       jax.random.PRNGKey(0)).compile()
        return time.perf_counter() - t0

    def init(self, n_features: int, seed: int = 0):
        """A fresh model: its parameters and optimizer state on the device (the Keras side's
        ``build``, which bench/speed.py keeps outside the clock)."""
        jnp = self.jnp
        params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in init_params(self.spec, n_features, seed)]
        state = self.zeros_state(params)
        self.jax.block_until_ready((params, state))
        return params, state

    def put(self, x, y):
        """The data on the device, once (``jax.device_put``), before any timed fit: JAX's way
        of keeping a data set that every epoch reads (the scan's input)."""
        xd, yd = self.jax.device_put(x), self.jax.device_put(y)
        self.jax.block_until_ready((xd, yd))
        return xd, yd

    def fit(self, x, y, epochs: int, how: str, seed: int = 0, start=None) -> float:
        """Train for ``epochs`` from ``start`` (``init``'s pair; a fresh one when None);
        returns the last epoch's mean loss, after the parameters are ready. For "scan",
        ``x`` and ``y`` may be ``put``'s device arrays (NumPy arrays are copied over here,
        inside the fit: bench/README.md, "Why two harnesses disagreed")."""
        jax, jnp = self.jax, self.jnp
        params, state = start if start is not None else self.init(x.shape[1], seed)
        batch = self.spec.batch_size
        if how == "scan":
            xd, yd = jnp.asarray(x), jnp.asarray(y)
            key = jax.random.PRNGKey(seed)
            for _ in range(epochs):
                key, sub = jax.random.split(key)
                params, state, values = self.epoch_c(params, state, xd, yd, sub)
            jax.block_until_ready(params)
            return float(values.mean())
        rng = np.random.default_rng(seed)
        for _ in range(epochs):
            order = rng.permutation(len(x))
            xs, ys = x[order], y[order]
            values = []
            for at in range(0, len(x), batch):
                f = self.step_c if at + batch <= len(x) else self.step_rest
                params, state, value = f(params, state, xs[at:at + batch], ys[at:at + batch])
                values.append(value)
        jax.block_until_ready(params)
        return float(np.mean([float(v) for v in values]))
