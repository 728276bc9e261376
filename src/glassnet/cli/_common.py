"""Helpers shared by the ``glassnet`` commands: the one-line usage error, the optimizer
options, number formatting, and the run folder with its model and figures."""
from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np

OPTIMIZERS = ("adam", "rmsprop", "sgd", "adamw")


class UsageError(Exception):
    """A mistake in what the user gave (file, column, option): one line, exit status 2."""


class user_input:
    """``with user_input():`` turns the ValueError/TypeError/OSError that glassnet raises
    about the user's files and options into a UsageError. Used only around such calls, so a
    ValueError from a bug elsewhere still shows its traceback."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if kind is not None and issubclass(kind, (ValueError, TypeError, OSError)):
            text = str(error) or kind.__name__
            if isinstance(error, OSError) and error.filename and error.strerror:
                text = f"{error.filename}: {error.strerror}"
            raise UsageError(text.removeprefix("load_csv: ")) from error
        return False


def predicted_classes(model, x):
    out = model.predict(x, verbose=0)
    return out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] >= 0.5).astype(np.int64)


def make_optimizer(name, learning_rate):
    import glassnet
    cls = {"adam": glassnet.optimizers.Adam, "rmsprop": glassnet.optimizers.RMSprop,
           "sgd": glassnet.optimizers.SGD, "adamw": glassnet.optimizers.AdamW}[name]
    return cls() if learning_rate is None else cls(learning_rate=learning_rate)


def describe_optimizer(optimizer):
    return f"{type(optimizer).__name__}(learning_rate={optimizer.learning_rate:g})"


def format_number(v):
    return str(int(v)) if float(v).is_integer() else f"{float(v):g}"


def short_list(items, most=8):
    items = [format_number(i) if isinstance(i, (int, float, np.number)) else str(i) for i in items]
    return ", ".join(items if len(items) <= most else items[:most - 1] + ["...", items[-1]])


def run_folder(out, name):
    out = out or os.path.join("runs", name)
    with user_input():
        os.makedirs(out, exist_ok=True)
    return out


def network_line(n_inputs, model):
    """``"64 -> 25 relu -> 15 relu -> 10 linear"``: the inputs, then each Dense layer."""
    return " -> ".join([str(n_inputs)] + [f"{l.units} {l.activation.__name__}" for l in model.layers])


def save_run_model(model, out) -> bool:
    """Save ``out/model.keras`` (atomically). True when saved; False, after a note on
    stderr, when h5py is missing. An OSError is a UsageError."""
    path = os.path.join(out, "model.keras")
    try:
        model.save(path)
    except ImportError as e:    # the .keras format needs h5py (glassnet[files])
        if "h5py" not in (getattr(e, "name", None) or str(e)):
            raise
        print("glassnet: note: the model was not saved: the .keras format needs h5py; "
              "pip install 'glassnet[files]'", file=sys.stderr)
        return False
    except OSError as e:
        raise UsageError(_write_error(path, e)) from e
    print(f"saved {path}")
    return True


def _write_error(path, e):
    text = e.strerror or str(e)
    return text if text.startswith("cannot save") else f"cannot write {path}: {text}"


def save_text(path, text):
    """Write ``text`` to ``path`` atomically (never half a file, never a mix of two runs)."""
    from glassnet.saving import atomic
    try:
        atomic.write_bytes(path, text.encode("utf-8"))
    except OSError as e:
        raise UsageError(_write_error(path, e)) from e
    print(f"saved {path}")


def can_plot():
    if importlib.util.find_spec("matplotlib") is None:
        print("glassnet: note: matplotlib is not installed, so no figures; "
              "pip install 'glassnet[plot]' to get them", file=sys.stderr)
        return False
    return True


def save_figure(fig, path):
    with user_input():
        fig.savefig(path, dpi=100)
    if "matplotlib.pyplot" in sys.modules:      # glassnet.plot drew it through pyplot: let it go
        import matplotlib.pyplot as plt
        plt.close(fig)
    print(f"saved {path}")
