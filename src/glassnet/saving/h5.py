"""Weights in Keras 3's HDF5 layout, read with every dataset checked against the model.

The layout (``model.weights.h5`` inside a ``.keras`` file, and ``.weights.h5`` files)::

    layers/dense/vars/0       kernel       (a layer's group is its class name, snake_case,
    layers/dense/vars/1       bias          deduplicated: dense, dense_1, ...; not its name)
    layers/dropout/vars       (empty)
    layers/string_lookup/vars/idf_weights    a tf_idf lookup's idf weights, by name as Keras
                              (TextVectorization: also .../_lookup_layer/vars/idf_weights)
    optimizer/vars/0          iterations (int64 scalar)
    optimizer/vars/1          learning rate (float32 scalar)
    optimizer/vars/2...       slots, in Keras's order (Adam: m and v per weight, interleaved)
    vars                      the model's own (none)

Reading follows only hard links, never external or virtual storage, accepts numeric
dtypes only, and compares each dataset's shape with the one the model expects before
reading its data, so a file cannot make glassnet allocate more than the model needs.
"""
from __future__ import annotations

import copy
import io
import sys

import numpy as np

from ..engine.model import Model
from ..utils import snake_case
from .errors import FileFormatError, UnsafeFileError, need

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_SAFE_FILTERS = {"gzip", "shuffle", "fletcher32"}


def layer_keys(model) -> list[str]:
    """Keras's group name for each layer: snake_case class name, ``_1``, ``_2`` for repeats."""
    used, keys = {}, []
    for layer in model.layers:
        graph = getattr(layer, "_graph", None) is not None      # a nested functional model: Keras's Functional
        base = "functional" if graph else snake_case(type(layer).__name__)
        if base in used:
            used[base] += 1
            keys.append(f"{base}_{used[base]}")
        else:
            used[base] = 0
            keys.append(base)
    return keys


def optimizer_slots(opt) -> list[np.ndarray]:
    """The optimizer's slot arrays in Keras's order (iterations and learning rate excluded)."""
    return opt.slots_in_file_order() if opt.built else []


def _write_layers(group, model) -> None:
    """``<key>/vars/<i>`` per layer; a nested Sequential's layers under ``<key>/layers/``, as Keras."""
    for key, layer in zip(layer_keys(model), model.layers):
        holder = group.create_group(key)
        vars_ = holder.create_group("vars")
        vars_.attrs["name"] = layer.name
        if isinstance(layer, Model):
            _write_layers(holder.create_group("layers"), layer)
            continue
        for rel, variables in weight_groups(layer):
            if rel != "vars":                                 # an RNN's cell/vars, Bidirectional's two
                vars_ = holder.require_group(rel)
                vars_.attrs["name"] = f"{layer.name}_{rel.split('/')[0]}"
            for i, v in enumerate(variables):
                vars_.create_dataset(str(i), data=v.value)
        for rel, value in getattr(layer, "h5_named_arrays", dict)().items():   # Keras's named ones: idf_weights
            holder.create_dataset(rel, data=value)


def write(model, include_optimizer=True) -> bytes:
    h5py = need("h5py")
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        own = f.create_group("vars")                 # the model's own tf.Variables (a subclass's), as Keras
        own.attrs["name"] = model.name
        for i, v in enumerate(_own_variables(model)):
            own.create_dataset(str(i), data=v.value)
        _write_layers(f.create_group("layers"), model)
        opt = model.optimizer if (include_optimizer and model.compiled) else None
        if opt is not None:
            vars_ = f.create_group("optimizer").create_group("vars")
            vars_.attrs["name"] = opt.name
            state = [np.array(opt._iterations, dtype=np.int64)]     # the calls (Keras's variable)
            if not opt.has_schedule:     # Keras keeps a number as a variable, a schedule as config only
                state.append(np.array(opt.learning_rate, dtype=np.float32))
            for i, a in enumerate(state + optimizer_slots(opt)):
                vars_.create_dataset(str(i), data=a)
    return buf.getvalue()


class Reader:
    """An HDF5 weights file opened for checked reads; use as a context manager."""

    def __init__(self, data, label: str):
        """``data``: the bytes, or a seekable binary file object (read in place, never whole)."""
        self.label = label
        if isinstance(data, (bytes, bytearray)):
            data = io.BytesIO(data)
        data.seek(0)
        if data.read(len(HDF5_SIGNATURE)) != HDF5_SIGNATURE:
            raise FileFormatError(f"{label}: the weights are not an HDF5 file (bad signature)")
        data.seek(0)
        h5py = need("h5py")
        self._h5py = h5py
        try:
            self.file = h5py.File(data, "r")
        except Exception as e:          # h5py raises OSError, ValueError, KeyError... on junk
            raise FileFormatError(f"{label}: the HDF5 weights cannot be opened ({e})") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.file.close()
        except Exception:
            pass

    def _get(self, path: str, want_group: bool):
        node = self.file
        for part in path.split("/"):
            try:
                link = node.get(part, getlink=True)
            except Exception as e:
                raise FileFormatError(f"{self.label}: cannot read {path!r} in the weights ({e})") from None
            if link is None:
                return None
            if not isinstance(link, self._h5py.HardLink):
                raise UnsafeFileError(f"{self.label}: {path!r} in the weights is a {type(link).__name__}; "
                                      "only plain HDF5 objects are read")
            try:
                node = node[part]
            except Exception as e:
                raise FileFormatError(f"{self.label}: cannot read {path!r} in the weights ({e})") from None
        kind = self._h5py.Group if want_group else self._h5py.Dataset
        if not isinstance(node, kind):
            raise FileFormatError(f"{self.label}: {path!r} in the weights should be a "
                                  f"{'group' if want_group else 'dataset'}")
        return node

    def group(self, path: str):
        """The group at ``path`` ("" for the file's root), or None when absent."""
        return self.file if path == "" else self._get(path, True)

    def group_size(self, path: str):
        """Number of entries in a ``vars`` group (None when absent)."""
        group = self._get(path, True)
        if group is None:
            return None
        try:
            return len(group)
        except Exception as e:
            raise FileFormatError(f"{self.label}: cannot list {path!r} ({e})") from None

    def array(self, path: str, shape: tuple) -> np.ndarray:
        ds = self._get(path, False)
        if ds is None:
            raise FileFormatError(f"{self.label}: the weights have no {path!r}")
        try:
            dtype, got = ds.dtype, tuple(ds.shape or ())
            external, virtual = ds.external, ds.is_virtual
            filters = set(ds._filters)
        except Exception as e:
            raise FileFormatError(f"{self.label}: cannot inspect {path!r} ({e})") from None
        if external or virtual:
            raise UnsafeFileError(f"{self.label}: {path!r} points to data outside the file; refused")
        if filters - _SAFE_FILTERS:
            raise UnsafeFileError(f"{self.label}: {path!r} needs HDF5 filter(s) {sorted(filters - _SAFE_FILTERS)}; "
                                  "refused (filter plugins are code)")
        if dtype.kind not in "fiu" or dtype.itemsize > 8 or dtype.fields or dtype.subdtype:
            raise FileFormatError(f"{self.label}: {path!r} has dtype {dtype}; expected numbers")
        if got != tuple(shape):
            raise UnsafeFileError(f"{self.label}: {path!r} has shape {got} but the model expects {tuple(shape)}; "
                                  "refused before reading it")
        try:
            return np.asarray(ds[()])
        except Exception as e:
            raise FileFormatError(f"{self.label}: cannot read {path!r} ({e})") from None


def _own_variables(model) -> list:
    """The tf.Variables a subclassed model holds itself (``self.w = tf.Variable(...)``), not
    through a layer: Keras keeps them in the file's top ``vars`` group."""
    return list(model.__dict__.get("_variables", ()))


def read_layers(reader: Reader, model, prefix: str = "layers", named: dict | None = None) -> list[np.ndarray]:
    """All layer weights, in ``model.weights`` order, checked; nothing is assigned here. A layer's
    named arrays (``h5_named_shapes``: a tf_idf lookup's ``vars/idf_weights``) are checked too and
    put in ``named`` (layer -> {path: array}) when given."""
    out = []
    for key, layer in zip(layer_keys(model), model.layers):
        if isinstance(layer, Model):           # a nested Sequential
            out += read_layers(reader, layer, f"{prefix}/{key}/layers", named)
            continue
        where = f"{prefix}/{key}"
        if prefix == "layers" and model._is_subclass() and reader.group_size(f"{where}/vars") is None:
            # Keras 3 files a subclassed model's layer under the attribute that holds it (self.d: d/vars)
            where = next((name for name, value in vars(model).items() if value is layer and not name.startswith("_")),
                         where)
        shapes = getattr(layer, "h5_named_shapes", dict)()
        arrays = {rel: reader.array(f"{where}/{rel}", shape) for rel, shape in shapes.items()}
        if arrays and named is not None:
            named[layer] = arrays
        for rel, variables in weight_groups(layer):       # an RNN's: <key>/cell/vars, as Keras
            path = f"{where}/{rel}"
            n = reader.group_size(path)
            if n is not None and rel == "vars":
                n -= sum(1 for r in shapes if r.startswith("vars/") and r.count("/") == 1)
            want = len(variables)
            if n is None and want == 0:
                continue
            if n != want:
                raise FileFormatError(f"{reader.label}: layer {layer.name!r} ({path}) has {n or 0} weight arrays "
                                      f"in the file, the model expects {want}")
            for i, v in enumerate(variables):
                a = reader.array(f"{path}/{i}", v.shape)
                out.append(cast(a, v.dtype, reader.label, f"{path}/{i}"))
    own = _own_variables(model) if prefix == "layers" else []     # last, as model.weights lists them
    if own:
        n = reader.group_size("vars")
        if n != len(own):
            raise FileFormatError(f"{reader.label}: the model holds {len(own)} variables of its own, the file's "
                                  f"top vars group has {n or 0}")
        out += [cast(reader.array(f"vars/{i}", v.shape), v.dtype, reader.label, f"vars/{i}") for i, v in enumerate(own)]
    return out


def weight_groups(layer) -> list[tuple[str, list]]:
    """Where a layer's weights sit under its group, as Keras keeps them: ``[("vars", weights)]``;
    an RNN's in ``cell/vars`` (``h5_weights_group``); a layer with ``h5_weight_groups()``
    (Bidirectional: ``forward_layer/cell/vars``, ``backward_layer/cell/vars``) says so itself."""
    groups = getattr(layer, "h5_weight_groups", None)
    if groups is not None:
        return groups()
    if getattr(layer, "by_call", False) and layer.__dict__.get("_tracked"):
        return _by_call_groups(layer)
    sub = getattr(layer, "h5_weights_group", None)
    return [(f"{sub}/vars" if sub else "vars", layer.weights)]


def _by_call_groups(layer) -> list[tuple[str, list]]:
    """A layer written with ``call`` that holds layers, as Keras 3.15 files it: its own weights
    in ``vars``; each inner layer under the attribute's name (``inner/vars``), a list's under
    ``blocks/dense``, ``blocks/dense_1`` (snake_case class, counted per list), an inner model's
    layers under ``<attr>/layers/<key>``. The groups must list the weights in ``layer.weights``
    order; a layer held otherwise (in a dict, twice) is refused by name."""
    inner = [v for t in layer._tracked for v in t.weights]
    own = [v for v in layer.weights if not any(v is w for w in inner)]
    groups, placed = [("vars", own)], []

    def place(prefix, sub):
        if any(sub is p for p in placed):
            return
        placed.append(sub)
        if isinstance(sub, Model):
            for key, child in zip(layer_keys(sub), sub.layers):
                groups.extend((f"{prefix}/layers/{key}/{rel}", vs) for rel, vs in weight_groups(child))
        else:
            groups.extend((f"{prefix}/{rel}", vs) for rel, vs in weight_groups(sub))
    for attr, value in vars(layer).items():
        if attr.startswith("_"):
            continue
        if isinstance(value, (list, tuple)):
            used = {}
            for item in value:
                if any(item is t for t in layer._tracked):
                    base = snake_case(type(item).__name__)
                    used[base] = used.get(base, -1) + 1
                    place(f"{attr}/{base}" + (f"_{used[base]}" if used[base] else ""), item)
        elif any(value is t for t in layer._tracked):
            place(attr, value)
    flat = [v for _, vs in groups for v in vs]
    if len(flat) != len(layer.weights) or any(a is not b for a, b in zip(flat, layer.weights)):
        raise ValueError(f"layer {layer.name!r}: its inner layers cannot be laid out as Keras files them "
                         "(each must be an attribute, or in a list attribute, holding weights once)")
    return groups


def read_optimizer(reader: Reader, model, strict: bool, paths=None):
    """``(iterations, learning_rate or None, slots)`` from ``optimizer/vars``, or None when
    absent or (``strict=False``) not matching this optimizer, with a warning. Only reads: the
    optimizer is neither built nor changed here (see :func:`apply_optimizer`).

    Keras's layout: the step count, the learning rate (only when it is a number: a schedule
    lives in the config), then the slots (none when the optimizer never stepped)."""
    if paths is None:                   # .keras / .weights.h5: optimizer/vars/0, 1, ...
        n = reader.group_size("optimizer/vars")
        if n is None:
            return None
        paths = [f"optimizer/vars/{i}" for i in range(n)]
    n = len(paths)
    opt = model.optimizer
    slots = optimizer_slots(opt if opt.built else _probe(opt, model))
    preferred = 1 if opt.has_schedule else 2
    layouts = [(head, with_slots) for head in (preferred, 3 - preferred) for with_slots in (True, False)
               if n == head + (len(slots) if with_slots else 0)]
    if not layouts:
        msg = (f"{reader.label}: the optimizer state has {n} arrays; "
               f"{type(opt).__name__} on this model has {preferred + len(slots)}")
        if strict:
            raise FileFormatError(msg)
        print(f"WARNING: skipping the optimizer state: {msg}", file=sys.stderr, flush=True)
        return None
    head, with_slots = layouts[0]
    it = reader.array(paths[0], ())
    if it.dtype.kind not in "iu" or not 0 <= int(it) < 1 << 62:
        raise FileFormatError(f"{reader.label}: optimizer iterations {it!r} is not a valid step count")
    lr = None
    if head == 2:
        lr = reader.array(paths[1], ())
        if not (np.isfinite(lr) and lr >= 0):
            raise FileFormatError(f"{reader.label}: optimizer learning rate {lr!r} is not a number >= 0")
        lr = float(lr)
    arrays = [] if not with_slots else [cast(reader.array(path, s.shape), s.dtype, reader.label, path)
                                        for path, s in zip(paths[head:], slots)]
    return int(it), lr, arrays


def _probe(opt, model):
    """A throwaway copy of ``opt`` built on the model's weights: its slots' count, shapes and
    dtypes are those ``opt`` will have, without building (changing) ``opt`` itself."""
    probe = copy.copy(opt)          # build() only sets attributes: the probe's, never opt's
    probe.build(model.trainable_weights)
    return probe


def apply_optimizer(model, state) -> None:
    """Assign a state :func:`read_optimizer` returned (building the optimizer if need be)."""
    it, lr, arrays = state
    opt = model.optimizer
    if arrays and not opt.built:
        opt.build(model.trainable_weights)
    opt.iterations = it
    # the file keeps the rate as float32; the config's exact value wins when they agree
    if lr is not None and not opt.has_schedule and np.float32(opt.learning_rate) != np.float32(lr):
        opt.learning_rate = lr
    for slot, a in zip(optimizer_slots(opt), arrays):
        slot[...] = a


def cast(a, dtype, label, path):
    try:
        out = a.astype(dtype, copy=False)
    except (TypeError, ValueError) as e:
        raise FileFormatError(f"{label}: {path!r} cannot be read as {dtype} ({e})") from None
    check_finite(out, label, path, original=a)
    return out


def check_finite(a, label, path, original=None) -> None:
    """Refuse NaN and +/-Inf in a weight (a model that loads them only predicts NaN), and a
    finite value that overflows the model's dtype, naming the weight's path in the file."""
    if a.dtype.kind != "f" or np.isfinite(a).all():
        return
    i = tuple(int(k) for k in np.argwhere(~np.isfinite(a))[0])
    at = f" at index {i}" if i else ""
    if original is not None and original.dtype.kind in "iuf" and np.isfinite(original[i]):
        what = f"{original[i]!r}, too large for {a.dtype}"
    else:
        what = f"{a[i]}"
    raise FileFormatError(f"{label}: the weight {path!r} holds {what}{at}: non-finite weights are "
                          "refused (the model would only predict NaN); the file is damaged, or was "
                          "saved after training diverged")
