"""Input checks for fit, evaluate, predict and train_on_batch.

Each failure is one ValueError or TypeError that names the argument, the first offending
position, and what to do. Checks run before anything in the model changes.
"""
from __future__ import annotations

import numpy as np

from . import config


def to_array(data, name: str) -> np.ndarray:
    """Accept arrays, nested lists/tuples and pandas objects; refuse what cannot be numbers."""
    if data is None:
        raise ValueError(f"{name} is None: pass a NumPy array (or a list) of numbers")
    if hasattr(data, "to_numpy") and not isinstance(data, np.ndarray):    # pandas DataFrame/Series
        data = data.to_numpy()
    try:
        arr = np.asarray(data)
    except ValueError as exc:      # ragged nested lists
        raise ValueError(f"{name} is ragged: its rows have different lengths ({exc})") from None
    kind = arr.dtype.kind
    if kind in "USO":
        bad = _first_non_number(arr)
        where = f" at position {bad[0]}: {bad[1]!r}" if bad else ""
        raise TypeError(
            f"{name} must hold numbers, but has dtype {arr.dtype}{where}. "
            "Convert text columns to numbers first (e.g. with a label encoding)."
        )
    if kind == "c":
        raise TypeError(f"{name} is complex ({arr.dtype}); glassnet trains on real numbers only")
    if kind == "b":
        raise TypeError(f"{name} is boolean; convert it to numbers first, e.g. {name}.astype('float32')")
    if kind == "V" or kind == "M" or kind == "m":
        raise TypeError(f"{name} has dtype {arr.dtype}, which is not numeric")
    return arr


def _first_non_number(arr):
    flat = arr.reshape(-1)
    for i, v in enumerate(flat[:100000]):
        try:
            float(v)
        except (TypeError, ValueError):
            return (np.unravel_index(i, arr.shape) if arr.ndim > 1 else i, v)
    return None


def check_finite(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        value = arr[tuple(bad)]
        where = f"row {bad[0]}" + (f", column {bad[1]}" if len(bad) > 1 else "")
        raise ValueError(
            f"{name} contains {value} at {where}: remove or impute non-finite values "
            "(e.g. with the column mean) before training"
        )


def features(x, name: str, model=None) -> np.ndarray:
    """``x`` as a float array of shape (samples, ...) that the model accepts."""
    arr = to_array(x, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} is a single number; pass an array of shape (samples, features)")
    if arr.ndim == 1:
        raise ValueError(
            f"{name} has shape {arr.shape}, but the model needs 2 dimensions (samples, features). "
            f"For one feature use {name}.reshape(-1, 1); for one sample use {name}.reshape(1, -1)."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no samples (shape {arr.shape})")
    if any(d == 0 for d in arr.shape[1:]):
        raise ValueError(f"{name} has no features (shape {arr.shape})")
    arr = np.ascontiguousarray(arr, dtype=config.floatx())
    check_finite(arr, name)
    if model is not None and model._input_shape is not None:
        expected = tuple(model._input_shape[1:])
        got = arr.shape[1:]
        if len(expected) != len(got) or any(e is not None and e != g for e, g in zip(expected, got)):
            raise ValueError(
                f"{name} has shape {arr.shape}: each sample has shape {got}, but the model was "
                f"built for samples of shape {expected}"
            )
    return arr


def same_length(x, y, xname="x", yname="y"):
    if len(x) != len(y):
        raise ValueError(
            f"{xname} and {yname} have different numbers of samples: {len(x)} and {len(y)}. "
            "Each row of x needs one label in y."
        )


def sample_weights(sw, n, name="sample_weight"):
    if sw is None:
        return None
    arr = to_array(sw, name).astype(config.floatx())
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), one weight per sample; got {arr.shape}")
    check_finite(arr, name)
    if (arr < 0).any():
        i = int(np.argmax(arr < 0))
        raise ValueError(f"{name} has a negative weight {arr[i]} at row {i}; weights must be >= 0")
    return arr


def labels(y, name: str, loss, output_shape) -> np.ndarray:
    """``y`` checked against the loss and the model's output, in the form the loss uses."""
    from . import losses

    arr = to_array(y, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} is a single number; pass one label per sample")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no samples (shape {arr.shape})")
    if arr.dtype.kind == "f":
        check_finite(arr, name)
    width = output_shape[-1] if output_shape is not None else None
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        lab = arr.reshape(arr.shape[:-1]) if arr.ndim >= 2 and arr.shape[-1] == 1 else arr
        if lab.ndim != len(output_shape) - 1:
            raise ValueError(
                f"{name} has shape {arr.shape}: SparseCategoricalCrossentropy takes one integer "
                f"class per sample, shape ({arr.shape[0]},). For one-hot labels use CategoricalCrossentropy."
            )
        if lab.dtype.kind == "f":
            frac = lab != np.round(lab)
            if frac.any():
                i = np.argwhere(frac)[0]
                raise ValueError(f"{name} has a non-integer class label {lab[tuple(i)]} at row {i[0]}: "
                                 "SparseCategoricalCrossentropy needs integer labels 0..C-1")
        lab = lab.astype(np.int64)
        bad = (lab < 0) | (lab >= width) if width is not None else (lab < 0)
        if bad.any():
            i = np.argwhere(bad)[0]
            raise ValueError(
                f"{name} has label {lab[tuple(i)]} at row {i[0]}, outside 0..{width - 1}: the last "
                f"layer has {width} units, one per class. Give it as many units as classes."
            )
        return lab
    arr = np.ascontiguousarray(arr, dtype=config.floatx())
    if arr.ndim == len(output_shape) - 1 and width == 1:
        arr = arr.reshape(arr.shape + (1,))
    if arr.shape[1:] != tuple(output_shape[1:]):
        hint = ""
        if isinstance(loss, losses.CategoricalCrossentropy) and arr.ndim == 1:
            hint = (" CategoricalCrossentropy takes one-hot labels: use glassnet.utils.to_categorical(y), "
                    "or SparseCategoricalCrossentropy for integer labels.")
        elif isinstance(loss, losses.CategoricalCrossentropy):
            hint = f" One-hot labels need {width} columns, one per output unit."
        raise ValueError(
            f"{name} has shape {arr.shape}, but the model's output has shape "
            f"{tuple(output_shape)}: each sample's label must have shape {tuple(output_shape[1:])}.{hint}"
        )
    if isinstance(loss, losses.BinaryCrossentropy):
        bad = (arr < 0) | (arr > 1)
        if bad.any():
            i = np.argwhere(bad)[0]
            raise ValueError(
                f"{name} has {arr[tuple(i)]} at row {i[0]}: BinaryCrossentropy needs labels in [0, 1] "
                "(0/1 classes or probabilities). For more than two classes use "
                "SparseCategoricalCrossentropy with one output unit per class."
            )
    return arr
