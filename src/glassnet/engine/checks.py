"""Input checks for fit, evaluate, predict and train_on_batch.

Each failure is one ValueError or TypeError that names the argument, the first offending
position (``row 4, column 1``), and what to do. All checks run before anything in the
model changes: a model that was not built stays unbuilt, weights and the optimizer's
step counter are untouched (``Sequential._data`` calls these first, then builds).

What is accepted, as Keras accepts it: NumPy arrays, nested lists and tuples, and
anything with a ``to_numpy()`` method (pandas DataFrame and Series). Integer arrays and
object arrays that hold only numbers are converted to ``floatx``.

What is refused, and why:

* text, complex numbers, ``None`` and other non-numbers (TypeError); a boolean array
  is accepted as 0/1, as Keras accepts it;
* NaN, +Inf, -Inf anywhere in ``x``, ``y`` or ``sample_weight``, and finite values
  too large for ``floatx`` (they would become Inf);
* ``x`` with no samples or no features; a 1-D ``x`` (ambiguous: one sample or one
  feature?); ``x`` with more than 2 dimensions when the first layer that changes shapes
  is a ``Dense`` and the model has no declared input shape. (Keras would apply that Dense
  to the last axis and then fail on the labels' shape; a ``Flatten()`` first, or an
  ``Input(shape=(a, b))``, says that several dimensions per sample are meant);
* ``x`` whose sample shape does not match the model's input shape once it is known;
* labels that do not fit the loss (its ``check_labels``): outside [0, 1] for binary cross-entropy, not integers
  in ``0..C-1`` for sparse categorical cross-entropy, negative or of the wrong width for
  categorical cross-entropy, any shape other than the output's for the others.
"""
from __future__ import annotations

import numpy as np

from .. import config

# ---------------------------------------------------------------------------------------
# Positions
# ---------------------------------------------------------------------------------------
def where(index, columns=None) -> str:
    """``(4, 1)`` -> ``"row 4, column 1"`` (with the column's name when known)."""
    index = tuple(int(i) for i in np.atleast_1d(index))
    text = f"row {index[0]}"
    if len(index) > 1:
        col = index[1]
        named = f" ({columns[col]!r})" if columns is not None and col < len(columns) else ""
        text += f", column {col}{named}"
    if len(index) > 2:
        text += f", index {index[2]}" if len(index) == 3 else f", index {index[2:]}"
    return text


def column_names(data):
    """The column labels of a DataFrame-like object, else None."""
    cols = getattr(data, "columns", None)
    if cols is None or isinstance(data, np.ndarray):
        return None
    try:
        return [c for c in cols]
    except TypeError:
        return None


# ---------------------------------------------------------------------------------------
# Anything -> a numeric NumPy array
# ---------------------------------------------------------------------------------------
def to_array(data, name: str, columns=None) -> np.ndarray:
    """Accept arrays, nested lists/tuples and pandas objects; refuse what cannot be numbers."""
    if data is None:
        raise ValueError(f"{name} is None: pass a NumPy array (or a list) of numbers")
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{name} is a string ({data[:40]!r}); pass an array of numbers, e.g. np.array([[0.5, 1.2], ...])")
    if isinstance(data, dict):
        raise TypeError(f"{name} is a dict; glassnet's models take one array, e.g. np.column_stack(list({name}.values()))")
    if hasattr(data, "to_numpy") and not isinstance(data, np.ndarray):    # pandas DataFrame/Series
        columns = column_names(data) if columns is None else columns
        data = data.to_numpy()
    try:
        arr = np.asarray(data)
    except ValueError:      # ragged nested lists
        raise ValueError(f"{name} is ragged: {_ragged_where(data)}. Every row needs the same "
                         "number of values: pad or drop the short rows") from None
    kind = arr.dtype.kind
    if kind == "O":
        arr = _numbers_from_objects(arr, name, columns)
        kind = arr.dtype.kind
    if kind in "US":
        bad = _first_non_number(arr)
        if bad is None:
            raise TypeError(
                f"{name} holds numbers written as text (dtype {arr.dtype}); convert them with "
                f"{name} = np.asarray({name}, dtype='float32')"
            )
        raise TypeError(
            f"{name} must hold numbers, but has text (dtype {arr.dtype}): {where(bad[0], columns)} "
            f"is {str(bad[1])!r}. Convert text columns to numbers first (e.g. a label encoding, "
            "or one-hot columns for categories)."
        )
    if kind == "c":
        raise TypeError(f"{name} is complex ({arr.dtype}); glassnet trains on real numbers only: "
                        f"pass {name}.real, or its real and imaginary parts as separate columns")
    if kind == "b":                          # Keras takes a boolean array as 0/1
        arr = arr.astype(np.uint8)
        kind = "u"
    if kind not in "iuf":
        raise TypeError(f"{name} has dtype {arr.dtype}, which is not numeric; convert it to numbers first")
    return arr


def _ragged_where(data) -> str:
    rows = list(data)
    try:
        first = len(rows[0])
    except TypeError:
        first = None
    for i, row in enumerate(rows):
        try:
            n = len(row)
        except TypeError:
            n = None
        if n != first:
            say = lambda k: "a single number" if k is None else f"{k} values"   # noqa: E731
            return f"row 0 has {say(first)} but row {i} has {say(n)}"
    return "its rows have different lengths"


def _numbers_from_objects(arr, name, columns):
    """An object array that holds only real numbers (booleans count as 0/1, as a boolean
    array does: pandas' one-hot columns beside numbers) becomes float64; anything else is
    refused."""
    flat = arr.reshape(-1)
    for i, v in enumerate(flat):
        if v is None or isinstance(v, (str, bytes, complex)) \
                or not isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating)):
            pos = np.unravel_index(i, arr.shape) if arr.ndim else (0,)
            if v is None:
                what = "a missing value (None): fill it in (e.g. with the column mean) or drop the row"
            elif isinstance(v, (str, bytes)):
                what = (f"the text {v!r}: convert text columns to numbers first "
                        "(e.g. a label encoding, or one-hot columns for categories)")
            else:
                what = f"{v!r} of type {type(v).__name__}, which is not a real number"
            raise TypeError(f"{name} must hold numbers, but {where(pos, columns)} is {what}")
    return arr.astype(np.float64)


def _first_non_number(arr):
    flat = arr.reshape(-1)
    for i, v in enumerate(flat[:100000]):
        try:
            float(v)
        except (TypeError, ValueError):
            return (np.unravel_index(i, arr.shape) if arr.ndim > 1 else (i,), v)
    return None


def _all_finite(arr: np.ndarray) -> bool:
    """Whether every entry is finite, without a boolean array the size of the data: NaN and
    Inf survive a sum (accumulated in float64, so finite float32 data cannot overflow it).
    A float64 sum can overflow on huge finite values; the exact search then finds nothing."""
    with np.errstate(all="ignore"):          # inf + -inf, or an overflow, is the answer here
        return bool(np.isfinite(np.add.reduce(arr, axis=None, dtype=np.float64)))


def check_finite(arr: np.ndarray, name: str, columns=None, original=None) -> None:
    """Refuse NaN and +/-Inf, naming the first one; ``original`` is the array before the cast
    to ``floatx``, to tell a huge value that overflowed from an Inf that was there."""
    if arr.dtype.kind != "f" or _all_finite(arr):
        return
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        bad = tuple(bad[0])
        if original is not None and original.dtype.kind in "iuf" and np.isfinite(original[bad]):
            raise ValueError(
                f"{name} has {original[bad]} at {where(bad, columns)}, too large for {arr.dtype} "
                f"(largest {np.finfo(arr.dtype).max:.3g}): scale {name} first, e.g. standardise "
                "each column to mean 0 and standard deviation 1"
            )
        value = arr[bad]
        good = f"np.isfinite({name}).all(axis=1)" if arr.ndim == 2 else f"np.isfinite({name})"
        raise ValueError(
            f"{name} contains {value} at {where(bad, columns)}: remove or impute non-finite values "
            f"(e.g. with the column mean) first; {good} marks the good rows"
        )


# ---------------------------------------------------------------------------------------
# x
# ---------------------------------------------------------------------------------------
def _needs_flat_samples(model) -> bool:
    """Whether the first layer that decides needs each sample to be a vector (each layer
    says: ``Layer.needs_flat_samples``; elementwise ones leave it to the next)."""
    from .model import Model  # noqa: PLC0415 - the model module builds on this one
    for layer in model._layers if isinstance(model, Model) else []:
        if isinstance(layer, Model):                # a nested model: its first layers decide
            return _needs_flat_samples(layer)
        needs = layer.needs_flat_samples()
        if needs is not None:
            return needs
    return False


def takes_any_image_size(model) -> bool:
    """Whether the model takes images of any height and width, as Keras's Sequential runs a
    differently sized image layer by layer: its first layers are image layers (Resizing,
    CenterCrop, the augmentation layers: one image or a batch, ``layers/image_preprocessing.py``)
    or keep the shape without weights (Rescaling, Dropout), up to one that fixes the size
    (``resizes``), or to the end. A model that starts with Dense, Conv2D, ... keeps its input
    shape, and a wrong one is named (``_match_sample_shape``)."""
    from .model import Model  # noqa: PLC0415 - the model module builds on this one
    seen = False
    for layer in model._layers if isinstance(model, Model) and model._is_stack() else []:
        if isinstance(layer, Model):
            return takes_any_image_size(layer)
        if hasattr(layer, "resizes"):                   # an image layer
            if layer.resizes:
                return True
            seen = True
            continue
        if not _keeps_shape(layer):
            return False
    return seen


def _keeps_shape(layer) -> bool:
    """A layer without weights whose output has its input's shape, whatever the image size."""
    try:
        return all(layer.count_params_for(s) == 0 and tuple(layer.compute_output_shape(s)) == s
                   for s in ((None, 7, 11, 3), (None, 13, 5, 3)))
    except Exception:  # noqa: BLE001 - a layer built for one shape refuses another: it keeps its size
        return False


def _takes_strings(model) -> bool:
    """Whether the model's first layer declares that it takes text (``Layer.takes_strings``:
    TextVectorization, StringLookup); a nested model's first layer decides for it."""
    from .model import Model  # noqa: PLC0415 - the model module builds on this one
    first = next((layer for layer in (model._layers if isinstance(model, Model) else [])
                  if type(layer).__name__ != "InputLayer"), None)
    if isinstance(first, Model):
        return _takes_strings(first)
    return bool(getattr(first, "takes_strings", False))


def _text(x, name: str):
    """An array of strings as (samples, 1) (Keras's Input(shape=(1,), dtype="string")), or None."""
    if isinstance(x, (list, tuple)):        # Python strings: an object array, not NumPy's fixed width
        arr = np.empty(len(x), dtype=object)  # ('U' of 25k reviews is as wide as the longest: ~1 GB)
        arr[:] = x if all(isinstance(v, (str, bytes)) for v in x) else [None] * len(x)
        if arr.size and arr[0] is None:
            arr = np.asarray(x)
    else:
        arr = np.asarray(x) if isinstance(x, np.ndarray) else None     # (a Tensor: its plain array)
    if arr is None or arr.dtype.kind not in "USO" or (arr.dtype.kind == "O" and not all(
            isinstance(v, (str, bytes)) for v in arr.reshape(-1))):
        return None
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one string, as an array of shape (samples,); "
                         f"got shape {arr.shape}")
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


def column(x):
    """A pandas Series as the column ``(n, 1)`` Keras 3's data adapter makes of it (a DataFrame,
    an array: as they are)."""
    if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray) and getattr(x, "ndim", None) == 1 \
            and not hasattr(x, "columns"):
        return x.to_numpy().reshape(-1, 1)
    return x


def named_features(x, name: str) -> dict:
    """A dict of inputs for a subclassed model's own ``call`` (Keras hands it the dict): each
    entry an array with as many rows as the others; a pandas Series a column ``(n, 1)``,
    numbers as they are (floats as ``floatx``), text as an object array of ``str``."""
    if not x:
        raise ValueError(f"{name} is an empty dict")
    out = {}
    for key, value in x.items():
        where = f"{name}[{key!r}]"
        value = column(value)
        text = _text(value, where) if not isinstance(value, np.ndarray) or value.dtype.kind in "USO" else None
        if text is not None:
            out[key] = text.reshape(np.shape(value)) if np.ndim(value) else text
            continue
        arr = to_array(value, where)
        if arr.ndim == 0:
            raise ValueError(f"{where} is a single number; pass one value (or row) per sample")
        if arr.dtype.kind == "f":
            arr = np.ascontiguousarray(arr, dtype=config.floatx())
            check_finite(arr, where)
        out[key] = arr
    rows = {len(a) for a in out.values()}
    if len(rows) > 1:
        raise ValueError(f"{name}: the entries have different numbers of samples: "
                         f"{', '.join(f'{k!r}: {len(a)}' for k, a in out.items())}")
    return out


def is_input_list(x) -> bool:
    """A list or tuple of two or more arrays (NumPy or Tensors, not rows of plain lists): a
    subclassed model's several inputs, as Keras hands them to ``call``."""
    return isinstance(x, (list, tuple)) and len(x) > 1 and all(np.ndim(a) >= 1 and hasattr(a, "shape") for a in x)


def listed_features(x, name: str) -> list:
    """A subclassed model's several inputs (``is_input_list``): each checked as an entry of a
    dict of inputs (:func:`named_features`), all with as many rows."""
    checked = named_features({i: a for i, a in enumerate(x)}, name)
    return [checked[i] for i in range(len(x))]


def features(x, name: str, model=None, expected=None, dtype=None, steps=False) -> np.ndarray:
    """``x`` as a float array of shape (samples, ...) that the model accepts; for a model
    whose first layer takes text (``takes_strings``), an array of strings stays strings; for an
    integer ``dtype`` (an ``Input(dtype="int64")`` of ids), whole numbers in that dtype.

    ``expected`` is the shape of one sample when known from elsewhere (the training data,
    for ``validation_data``); otherwise it comes from the model's input shape, if any.
    """
    if isinstance(x, list) and x and all(isinstance(v, (int, float, np.number)) for v in x):
        # Keras 3 takes arrays (and structures of them), not a list of Python numbers: model.predict([60, 25, 2])
        # (TensorBoard's scalars tutorial) is its ValueError; np.array([60, 25, 2]) is what it wants
        raise ValueError(f"Unrecognized data type: {name}={x} (of type {type(x)})")
    if model is not None and _takes_strings(model):
        text = _text(x, name)
        if text is not None:
            return text
    columns = column_names(x)
    arr = to_array(column(x), name, columns)
    if arr.ndim == 0:
        raise ValueError(f"{name} is a single number; pass an array of shape (samples, features), "
                         f"e.g. np.array([[{arr.item()}]])")
    own_call = model is not None and not model._is_stack() and model._graph is None
    if expected is None and model is not None and model._input_shape is not None:
        expected = tuple(model._input_shape[1:])
    if expected is not None:
        arr = match_rank(arr, tuple(expected))
    # a subclass's call takes what it is given, as Keras's; Input(shape=()) takes a batch of scalars
    if arr.ndim == 1 and not own_call and expected != ():
        raise ValueError(
            f"{name} has shape {arr.shape}, but the model needs 2 dimensions (samples, features). "
            f"For one feature use {name}.reshape(-1, 1); for one sample use {name}.reshape(1, -1)."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no samples (shape {arr.shape}): pass at least one row; "
                         "check that loading or filtering the data kept some rows")
    if any(d == 0 for d in arr.shape[1:]):
        raise ValueError(f"{name} has no features (shape {arr.shape}): each sample needs at least "
                         "one value; check which columns were selected")
    if expected is not None and not (model is not None and arr.ndim == len(expected) + 1
                                     and (takes_any_image_size(model) or _weights_fit(model, arr, expected))):
        _match_sample_shape(arr, name, tuple(expected))
    elif model is not None and arr.ndim > 2 and not steps and _needs_flat_samples(model):
        raise ValueError(
            f"{name} has shape {arr.shape}: {arr.ndim} dimensions, but the model starts with a Dense "
            f"layer, which takes 2 (samples, features). Flatten each sample with "
            f"{name}.reshape(len({name}), -1), or put Flatten() first in the model."
        )
    if dtype is not None and np.dtype(dtype).kind in "iu":
        return _whole_numbers(arr, name, np.dtype(dtype), columns)
    floatx = config.floatx()
    original = arr
    with np.errstate(over="ignore", invalid="ignore"):    # an overflow is reported just below
        arr = np.ascontiguousarray(arr, dtype=floatx)
    check_finite(arr, name, columns, original if original.dtype != arr.dtype else None)
    return arr


def _whole_numbers(arr, name, dtype, columns=None) -> np.ndarray:
    """``arr`` in the integer ``dtype`` of the Input it feeds (ids beyond 2**24 stay exact, as
    they would not in float32); a fraction, NaN or Inf is refused, naming where."""
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            raise ValueError(f"{name} feeds an Input of dtype {dtype.name} but has {arr[i]} at {where(i, columns)}; "
                             "pass whole numbers (ids)")
    return np.ascontiguousarray(arr, dtype=dtype)


def match_rank(arr, expected):
    """``arr`` with one axis more or less to fit samples of shape ``expected``, as Keras adjusts a
    functional model's inputs: a batch of scalars ``(n,)`` for ``Input(shape=(1,))`` gains the
    last axis (a pandas column, make_csv_dataset's batched column), and ``(n, ..., 1)`` for one
    axis fewer loses it. Any other shape is left for the shape check to name."""
    if arr.ndim == len(expected) and expected and expected[-1] == 1:
        return arr.reshape(arr.shape + (1,))
    if arr.ndim == len(expected) + 2 and arr.shape[-1] == 1:
        return arr.reshape(arr.shape[:-1])
    return arr


def _weights_fit(model, arr, expected) -> bool:
    """A built stack takes samples of another length when its weights are the same for them
    (Embedding, Conv1D, pooling on padded batches: Keras builds it for the data's (None, None))."""
    got = arr.shape[1:]
    if len(got) == len(expected) and all(e is None or e == g for e, g in zip(expected, got)):
        return False                # the expected shape takes it already (None: any length)
    return hasattr(model, "_weights_fit") and model._weights_fit((None,) + got)


def _match_sample_shape(arr, name, expected):
    got = arr.shape[1:]
    if len(expected) == len(got) and all(e is None or e == g for e, g in zip(expected, got)):
        return
    want = "(samples, " + ", ".join("any" if e is None else str(e) for e in expected) + ")"
    if len(expected) != len(got):
        size = int(np.prod([e for e in expected if e is not None]))
        fix = (f" Reshape it with {name}.reshape(len({name}), -1)" if len(expected) == 1 and
               None not in expected and int(np.prod(got)) == size else
               " Pass data shaped like the training data")
        raise ValueError(
            f"{name} has shape {arr.shape}: {arr.ndim} dimensions, but the model takes {want}, "
            f"{len(expected) + 1} dimensions.{fix}."
        )
    axis = next(i for i, (e, g) in enumerate(zip(expected, got)) if e is not None and e != g)
    if len(expected) == 1:
        raise ValueError(
            f"{name} has {got[0]} features (columns), but the model was built for {expected[0]}: "
            f"{name} has shape {arr.shape}, expected {want}. Pass the same columns, in the same "
            "order, as when the model was built."
        )
    raise ValueError(
        f"{name} has shape {arr.shape}, but the model takes {want}: dimension {axis + 1} is "
        f"{got[axis]}, expected {expected[axis]}"
    )


# ---------------------------------------------------------------------------------------
# The model's side
# ---------------------------------------------------------------------------------------
def compiled(model, what: str) -> None:
    """Refuse fit/evaluate on a model that has no loss yet (nothing changes)."""
    if not model.compiled:
        raise ValueError(f"You must call compile() before {what}: e.g. model.compile(loss='binary_crossentropy')")
    from .outputs import may_add_losses, no_loss  # noqa: PLC0415 - outputs builds on the checks' users
    if model.loss is None or (no_loss(model.loss) and not may_add_losses(model)):   # (Keras 3.15's words)
        raise ValueError(f"{what}: No loss to compute. Provide a `loss` argument in `compile()`.")
    # a subclass may hold Variables alone, or nothing (the time-series tutorial's Baseline)
    if model._is_stack() and not model.layers and not model.weights:
        raise ValueError(f"{what}: the model has no layers; add some first, e.g. model.add(Dense(1))")


def output_shape(model, x_shape):
    """The model's output shape for inputs of ``x_shape``, without building it (None if a
    layer cannot tell before it is built)."""
    if model.built:
        shape = model.output_shape
        if isinstance(shape, tuple) and None in shape[1:]:      # a length the data decides (Input(shape=(None, 4)))
            try:
                known = tuple(model.compute_output_shape((None,) + tuple(x_shape[1:])))
            except Exception:   # noqa: BLE001 - a model that cannot tell: the loss takes None as any size
                return shape
            if len(known) == len(shape) and all(k is None or isinstance(k, int) for k in known):
                return known
        return shape
    if not model._is_stack():           # a subclass: its call() tells, once built
        return None
    shape = (None,) + tuple(x_shape[1:])
    for layer in model._layers:
        try:
            shape = tuple(layer.compute_output_shape(shape))
        except ValueError:
            if type(layer).__module__.startswith("glassnet.layers."):
                raise           # glassnet's own layers say what is wrong before anything is built
            return None
        except Exception:   # a custom layer that needs its weights to know: build first
            return None
    return shape


# ---------------------------------------------------------------------------------------
# y and sample_weight
# ---------------------------------------------------------------------------------------
def same_length(x, y, xname="x", yname="y"):
    if len(x) != len(y):
        raise ValueError(
            f"{xname} and {yname} have different numbers of samples: {len(x)} and {len(y)}. "
            f"Each row of {xname} needs one label in {yname}; row {min(len(x), len(y))} is the "
            "first without a partner."
        )


def sample_weights(sw, n, name="sample_weight"):
    """One weight per sample, each finite and >= 0 (see :func:`weight_values`); or, as Keras
    takes them, one per entry of a sample's loss values (``(n, h, w)`` or ``(n, h, w, 1)``: the
    segmentation tutorial's weight per pixel), lined up with the loss values when used."""
    if sw is None:
        return None
    arr = to_array(sw, name).astype(config.floatx())
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 0 or arr.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), one weight per sample (or ({n}, ...), one "
                         f"per loss value); got {arr.shape}")
    return weight_values(arr, name)


def weight_values(arr, name, original=None):
    """The one rule for every weight-like argument (``sample_weight``, ``class_weight``, a
    loss's or a metric's weights): finite and >= 0. A NaN weight makes the loss NaN and a
    negative one turns gradient descent into ascent for that sample; both are refused here,
    naming the row (and column), instead of surfacing later as a diverging loss."""
    arr = np.asarray(arr)
    check_finite(arr, name, original=original)
    negative = arr < 0
    if negative.any():
        i = tuple(np.argwhere(negative)[0])
        raise ValueError(f"{name} has a negative weight {arr[i]:g} at {where(i)}; weights must be >= 0 "
                         "(0 leaves a sample out)")
    return arr


def loss_weights(sw, values_shape, name="sample_weight"):
    """``sample_weight`` given to a loss or metric called directly: numbers, finite, >= 0,
    and of a shape that lines up with the per-sample values (``(n,)``, ``(n, 1)``, or a
    single number for all). Returns a float64 array (None stays None)."""
    if sw is None:
        return None
    original = to_array(sw, name)
    with np.errstate(over="ignore", invalid="ignore"):
        arr = original.astype(np.float64)
    weight_values(arr, name, original if original.dtype.kind == "f" and original.dtype != arr.dtype else None)
    squeezed = arr
    while squeezed.ndim > len(values_shape) and squeezed.shape[-1] == 1:
        squeezed = squeezed.reshape(squeezed.shape[:-1])
    try:
        np.broadcast_shapes(squeezed.shape, tuple(values_shape))
    except ValueError:
        raise ValueError(f"{name} has shape {arr.shape}, which does not line up with the "
                         f"{tuple(values_shape)} per-sample values; pass one weight per sample") from None
    return arr


def class_weights(class_weight, y, sw, width=None, out_ndim=None):
    """Per-sample weights from ``class_weight`` (times ``sw`` when given), after checking it.

    ``{class: weight}`` with integer classes (Keras's form); every class present in ``y``
    needs a weight, each weight is a finite number >= 0, and a class that cannot exist
    (negative, or beyond the model's classes when they are known from ``y``'s width or
    ``width``) is refused rather than silently ignored. Labels of 3 or more axes give a weight
    per entry (``out_ndim``, the output's: labels of fewer axes are class ids).

    >>> import numpy as np
    >>> class_weights({0: 1.0, 1: 3.0}, np.array([0, 1, 1]), None).tolist()
    [1.0, 3.0, 3.0]
    """
    if not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be a dict {{class: weight}}, got {type(class_weight).__name__}")
    y = np.asarray(y)
    if y.ndim >= 3:                          # a label per entry (a mask per pixel): a weight per entry, as
        if out_ndim is not None and y.ndim < out_ndim:                  # Keras's dataset path
            classes = np.round(y)            # class ids, the output's last axis left out (sparse labels)
        else:
            classes = np.argmax(y, axis=-1) if y.shape[-1] > 1 else np.round(y[..., 0])
    elif y.ndim == 1 or (y.ndim >= 2 and y.shape[-1] == 1 and width is not None and width > 1):
        classes = y.reshape(len(y), -1)[:, 0] if y.ndim > 1 else y
    elif y.shape[-1] > 1:                    # one-hot (or probabilities): the largest column
        classes, width = np.argmax(y, axis=-1), y.shape[-1]
    else:                                    # one sigmoid unit: 0/1 (probabilities rounded)
        classes, width = np.round(y.reshape(len(y), -1)[:, 0]), 2
    classes = np.asarray(classes).astype(np.int64)
    table = {}
    for key, value in class_weight.items():
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer, float, np.floating)) \
                or not float(key).is_integer():
            raise TypeError(f"class_weight has the key {key!r}: keys must be integer class indices "
                            "(0, 1, ...), as the labels are numbered")
        key = int(key)
        if key < 0 or (width is not None and key >= width):
            span = f"0..{width - 1}" if width is not None else "0, 1, ..."
            raise ValueError(f"class_weight has a weight for class {key}, which does not exist: the "
                             f"classes are {span}")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"class_weight[{key}] is {value!r}: each weight must be a number")
        if not np.isfinite(value):
            raise ValueError(f"class_weight[{key}] is {value}: each weight must be a finite number >= 0")
        if value < 0:
            raise ValueError(f"class_weight[{key}] is {value}: each weight must be >= 0 "
                             "(0 leaves the class out)")
        table[key] = float(value)
    present = np.unique(classes).tolist()
    missing = [c for c in present if c not in table]
    if missing:
        raise ValueError(f"class_weight has no weight for class(es) {missing}, which the labels hold "
                         f"(first at {where(np.argwhere(np.isin(classes, missing))[0])}); give every class a weight")
    dtype = y.dtype if y.dtype.kind == "f" else np.dtype(config.floatx())
    lookup = np.zeros(max(table) + 1, dtype=np.float64)
    for key, value in table.items():
        lookup[key] = value
    w = lookup[classes].astype(dtype)
    return w if sw is None else (sw * w).astype(dtype, copy=False)


def labels(y, name: str, loss, output_shape) -> np.ndarray:
    """``y`` checked against the loss and the model's output, in the form the loss uses.

    The rules every loss shares are here (numbers, one label per sample, finite); the rules
    of each loss are its own (``Loss.check_labels``: 0/1 for binary cross-entropy, integer
    classes for the sparse one, the output's shape for the others).
    """
    arr = to_array(column(y), name)             # a pandas Series: (n, 1), as Keras 3's adapter makes it
    if arr.ndim == 0:
        raise ValueError(f"{name} is a single number; pass one label per sample")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no samples (shape {arr.shape}): pass one label per sample of x")
    if arr.dtype.kind == "f":
        check_finite(arr, name)
    return loss.check_labels(arr, name, output_shape)
