"""The epoch loop of a stack (``glassnet/sweeps/stacked.py``): ``fit``'s loop, for many
variants at once.

    (subnormal numbers flushed to zero meanwhile, as fit has them: glassnet.fast.denormals)
    for each epoch:
        each variant draws its permutation from its own generator (fit's draw)
        for each batch:  forward, loss, backward, penalties (stacked); J_v not finite: that
                         variant stops as fit stops it (no update; weights gone non-finite go
                         back to the latest finite epoch start); the others are updated
        each variant's logs: the mean loss over the epoch, metrics, validation (evaluate's)

Ctrl-C (``interrupted()``) stops every variant after its step, as fit does.
"""
from __future__ import annotations

import math

import numpy as np

from ..callbacks import History
from ..engine.training import _as_keras_float as as_keras_float
from ..layers.core import Dropout
from ..seeding import fit_order
from .stacked import Blocks, Stack, labels_for


def train(models, generators, x, y, *, epochs, batch_size, shuffle, validation=None,
          validation_batch_size=None, interrupted=lambda: False, on_epoch=None, threads=1, errors=None):
    """Train ``models`` (one signature, built and compiled) together on ``x, y`` as each one's
    ``fit`` would; returns one outcome per model: ``(history dict, status, message)`` where
    status is "ok", "diverged" or "interrupted". ``generators[v]`` is the generator fit would
    draw from for variant ``v`` (the one its seed left after building it). NumPy's overflow
    warnings are off meanwhile, as in fit: a blow-up shows as a non-finite loss.

    ``threads`` > 1 splits the stack into that many stacks (of 8 variants at least), each
    trained in a thread of its own: NumPy lets go of the interpreter while it computes, so
    they run side by side on free cores. Each variant's arithmetic is the same either way.

    ``errors``, a dict, gets ``{v: (J_train, J_cv)}`` for the variants that finished in the
    stack: ``curves.error`` of each on ``x, y`` and on ``validation`` (NaN without), worked
    out for the whole stack at once with predict's operations (the same numbers)."""
    # variants whose generators are in the same state (the same seed) will draw the same
    # shuffles: side by side, they share their batches (Blocks)
    states = {}
    keys = [states.setdefault(repr(g.bit_generator.state), len(states)) for g in generators]
    order = sorted(range(len(models)), key=lambda i: keys[i])
    count = max(1, min(int(threads), len(models) // 8))
    cuts = [round(k * len(order) / count) for k in range(count + 1)]
    parts = [order[a:b] for a, b in zip(cuts[:-1], cuts[1:])]

    from ..fast import denormals  # noqa: PLC0415 - as fit: subnormal numbers flushed to zero

    def run(part, tell):
        # NumPy's error state and the processor's flush-to-zero flags are per thread
        with np.errstate(all="ignore"):
            with denormals.flushed():
                outcomes, stack = _train([models[i] for i in part], [generators[i] for i in part], x, y, epochs,
                                         batch_size, shuffle, validation, validation_batch_size, interrupted, tell)
            if errors is not None and stack.rows:           # (as predict: subnormals kept)
                for row, found in zip(stack.rows, _errors(stack, x, y, validation)):
                    errors[part[row]] = found
            return outcomes
    if count == 1:
        outcomes = run(order, on_epoch)
    else:
        import concurrent.futures  # noqa: PLC0415
        with concurrent.futures.ThreadPoolExecutor(count) as pool:
            futures = [pool.submit(run, part, on_epoch if k == 0 else None) for k, part in enumerate(parts)]
            outcomes = [o for f in futures for o in f.result()]
    back = [None] * len(models)
    for position, i in enumerate(order):
        back[i] = outcomes[position]
    return back


def _train(models, generators, x, y, epochs, batch_size, shuffle, validation, validation_batch_size,
           interrupted, on_epoch):
    V = len(models)
    n = len(x)
    stack = Stack(models, generators, steps=epochs * -(-n // batch_size))
    metrics = [list(model.metrics) for model in models]    # (asked once: a property that looks around)
    names = ["loss"] + [m.name for m in metrics[0]]
    keys = sorted(names + (["val_" + k for k in names] if validation is not None else []))
    histories = [{k: [] for k in keys} for _ in range(V)]
    outcome = [None] * V
    iterations = 0
    snapshot = (stack.w.flat.copy(), {k: s.flat.copy() for k, s in stack.slots.items()}, np.zeros(V, int))
    draws = _Draws(stack, shuffle)
    for epoch in range(epochs):
        rows = stack.rows
        # the epoch's start: the weights to go back to (variants still finite), the permutations
        finite = np.flatnonzero(np.isfinite(stack.w.flat).all(axis=1))
        at = np.asarray(rows)[finite]                  # (the snapshot is kept by model index)
        snapshot[0][at] = stack.w.flat[finite]
        for k, s in stack.slots.items():
            snapshot[1][k][at] = s.flat[finite]
        snapshot[2][at] = iterations
        xs, ys = _epoch_data(stack, x, y, shuffle, n, draws)
        own = ys.ndim == y.ndim + 1                    # labels per variant (their own shuffles)
        totals = np.zeros(len(rows))
        seen = 0
        for row in rows:
            for met in metrics[row]:
                met.reset_state()
        stopped = False
        for start in range(0, n, batch_size):
            rows = slice(start, start + batch_size)
            xb, yb = (xs[rows] if isinstance(xs, Blocks) or xs.ndim == 2 else xs[:, rows]), \
                (ys[:, rows] if own else ys[rows])
            a = stack.forward(xb, True)
            value, grad, m = stack.loss_and_grad(yb, a)
            stack.backward(grad)
            if stack.penalties:                         # (their gradients: added by stack.update)
                value = value + stack.penalty_values()
            if not np.isfinite(value).all():                 # as fit: no update for these; they stop
                bad = ~np.isfinite(value)
                for pos in np.flatnonzero(bad):
                    row = stack.rows[pos]
                    message = _diverged(stack, pos, row, epoch, start // batch_size, value[pos], iterations,
                                        snapshot)
                    outcome[row] = (histories[row], "diverged", message)
                    draws.catch_up(row)
                keep = list(np.flatnonzero(~bad))
                a, yb_kept = a[keep], (yb[keep] if own else yb)
                value, totals = value[keep], totals[keep]
                if not keep:
                    stopped = True
                    break
                stack.drop(keep)
                if isinstance(xs, Blocks):
                    xs = xs.keep(keep)
                elif xs.ndim == 3:
                    xs = xs[keep]
                if own:
                    ys = ys[keep]
            else:
                yb_kept = yb
            iterations += 1
            stack.update(iterations - 1)
            totals += value * m
            seen += m
            if metrics[0]:
                for pos, row in enumerate(stack.rows):
                    yv = yb_kept[pos] if own else yb_kept
                    for met in metrics[row]:
                        met.update_state(yv, a[pos])
            if interrupted():
                stopped = True
                break
        if not stack.rows:
            break
        trained = [{"loss": totals[pos] / max(seen, 1), **{met.name: float(met.result()) for met in metrics[row]}}
                   for pos, row in enumerate(stack.rows)]           # (before validation reuses the metrics)
        checked = None
        if validation is not None and not interrupted():
            checked = _validate(stack, validation, validation_batch_size or batch_size)
        for pos, row in enumerate(stack.rows):
            logs = trained[pos]
            if checked is not None:
                logs.update({"val_" + k: v for k, v in checked[pos].items()})
            for k, v in logs.items():
                histories[row][k].append(as_keras_float(float(v)))      # fit's logs: float32 values
        if on_epoch is not None:
            on_epoch(epoch + 1, epochs)
        if stopped or interrupted():
            for pos, row in enumerate(stack.rows):
                stack.write_back(pos, iterations)
                draws.catch_up(row)
                outcome[row] = (histories[row], "interrupted",
                                f"interrupted (Ctrl-C) at epoch {epoch + 1} of {epochs}")
            return [_with_history(models[r], o, epochs) for r, o in enumerate(outcome)], stack
    for pos, row in enumerate(stack.rows):
        stack.write_back(pos, iterations)
        draws.catch_up(row)
        outcome[row] = (histories[row], "ok", "")
    return [_with_history(models[r], o, epochs) for r, o in enumerate(outcome)], stack


class _Draws:
    """Each variant's permutations, drawn from its own generator as fit draws them. Variants
    whose generators start in one state (the same seed) draw the same ones, when nothing else
    draws from those generators (no Dropout): one of them draws for all, and each of the
    others takes that generator's state when it would draw itself or leaves the stack, so
    every generator ends where its own fit leaves it."""

    def __init__(self, stack, shuffle):
        self.generators = stack.generators
        self.group, self.drawer = {}, {}            # model index -> its group; group -> who drew last
        if shuffle and not stack.dropout:
            states = {}
            for row in stack.rows:
                self.group[row] = states.setdefault(repr(self.generators[row].bit_generator.state), row)

    def permutation(self, row, n, drawn):
        key = self.group.get(row, row)
        order = drawn.get(key)
        if order is None:
            self.catch_up(row)
            order = drawn[key] = fit_order(n, self.generators[row])       # fit's order for its generator
            self.drawer[key] = row
        return order

    def catch_up(self, row):
        """Variant ``row``'s generator as if it had drawn its own permutations."""
        last = self.drawer.get(self.group.get(row, row))
        if last is not None and last != row:
            self.generators[row].bit_generator.state = self.generators[last].bit_generator.state
            self.drawer[self.group[row]] = row


def _epoch_data(stack, x, y, shuffle, n, draws):
    """The epoch's rows in each variant's order (fit's draw, from each one's generator): ``x``
    as :class:`Blocks` and ``y`` as (V, n, ...); or ``x, y`` themselves when not shuffling,
    or one permuted copy when every variant drew the same order."""
    if not shuffle:
        return x, y
    drawn = {}
    orders = np.stack([draws.permutation(row, n, drawn) for row in stack.rows])
    new = np.flatnonzero(np.any(orders[1:] != orders[:-1], axis=1)) + 1    # where an order differs from the last
    cuts = [0, *new.tolist(), len(orders)]
    parts = [(start, stop, x[orders[start]]) for start, stop in zip(cuts[:-1], cuts[1:])]
    if len(parts) == 1:
        return parts[0][2], y[orders[0]]
    return Blocks(parts), y[orders]


def _inference(stack, xb):
    """Every variant's ``Z`` and ``A`` of the last layer for the batch ``xb`` in inference mode:
    each layer's ``X W``, ``+ b`` and activation, as the layer's own forward makes them."""
    a, z = xb, None
    for i, layer in enumerate(stack.layers):
        if type(layer) is Dropout:
            continue
        k, b = stack.where[i]
        z = np.matmul(a, stack.w.views[k])                      # each variant's X W, its own product
        if b is not None:
            z += stack.w.views[b][:, None, :]
        a = layer.activation(z)
    return z, a


def _errors(stack, x, y, validation, batch_size=32):
    """``curves.error`` (the loss without penalties, on predict's outputs: batches of 32) of
    each variant still in the stack, on ``x, y`` and on ``validation``: [(J_train, J_cv)]."""
    count = len(stack.rows)
    found = []
    for data in ((x, y), validation):
        if data is None:
            found.append([math.nan] * count)
            continue
        vx, vy = data
        parts = [_inference(stack, vx[start:start + batch_size])[1] for start in range(0, len(vx), batch_size)]
        try:
            p = np.concatenate(parts, axis=1)
            labels = stack.loss.check_labels(vy, "y", (None,) + p.shape[2:])
        except Exception:  # noqa: BLE001 - data the loss cannot take: as run.errors, NaN
            found.append([math.nan] * count)
            continue
        values = []
        for pos in range(count):
            try:
                values.append(float(np.mean(stack.loss.call(labels, p[pos]))))
            except Exception:  # noqa: BLE001 - as run.errors
                values.append(math.nan)
        found.append(values)
    return list(zip(*found))


def _validate(stack, validation, batch_size):
    """``evaluate``'s loss (with penalties) and metrics for every variant of the stack, as
    fit's validation computes them: batch by batch, the readable forward (inference mode)."""
    vx, vy = validation
    models = [stack.models[row] for row in stack.rows]
    for model in models:
        for met in model.metrics:
            met.reset_state()
    count = len(models)
    penalties = stack.penalty_values() if stack.penalties else np.zeros(count)
    total, seen = np.zeros(count), 0
    for start in range(0, len(vx), batch_size):
        xb, yb = vx[start:start + batch_size], vy[start:start + batch_size]
        z, a = _inference(stack, xb)
        labels = labels_for(yb, a)
        values = stack.loss.call_from_logits(labels, z) if stack.shortcut else stack.loss.call(labels, a)
        sums = np.add.reduce(values.reshape(count, -1), axis=1).astype(np.float64)
        total += (sums / values[0].size + penalties) * len(yb)
        seen += len(yb)
        for pos, model in enumerate(models):
            for met in model.metrics:
                met.update_state(yb, a[pos])
    logs = []
    for pos, model in enumerate(models):
        logs.append({"loss": total[pos] / max(seen, 1), **{met.name: float(met.result()) for met in model.metrics}})
    return logs


def _diverged(stack, pos, row, epoch, step, value, iterations, snapshot):
    """A variant's loss is not finite: as fit, no update; weights that had already gone
    non-finite go back to the latest epoch start where they were finite."""
    restored = "the weights are those from before this batch"
    if np.isfinite(stack.w.flat[pos]).all():
        stack.write_back(pos, iterations)
    else:
        stack.write_back(pos, int(snapshot[2][row]), snapshot[0][row], {k: s[row] for k, s in snapshot[1].items()})
        restored = "the weights went back to the latest epoch start where they were finite"
    return f"loss became {value} at epoch {epoch + 1}, batch {step + 1}; {restored}"


def _with_history(model, outcome, epochs):
    history_dict, status, message = outcome
    history = History()
    history.history = history_dict
    history.epoch = list(range(len(history_dict.get("loss", []))))
    history.params = {"verbose": 0, "epochs": epochs}
    history.model = model
    model.history = history
    return history, status, message


__all__ = ["train"]
