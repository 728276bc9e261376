"""``tf.train``: ``Checkpoint``, ``CheckpointManager``, ``latest_checkpoint``, ``list_variables``,
``load_variable`` — TensorFlow's training checkpoints, in a safe format of glassnet's own.

What is saved: every variable reachable from the objects given to ``Checkpoint(**objects)``,
each under the path of attributes that leads to it, as TensorFlow's object graph names it:
``model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE`` for ``ckpt = Checkpoint(model=m)`` where
``m.dense_1.w`` is a ``tf.Variable``. A ``tf.Module``'s attributes (its ``_private`` ones too),
lists (``l/0``), tuples and dicts (``d/key``) are walked; so are a Keras layer's or model's public
attributes (a subclassed model's ``self.dense_1``: ``model/dense_1/w``, as TensorFlow names
it), then a model's other layers that have weights as ``layer_with_weights-N`` (TensorFlow 2's
names for Keras 2 models: Sequential, functional), then a layer's own weights by their short
names (``bias``; ``_kernel`` for Dense, EinsumDense and Conv1D/2D/3D, ``_embeddings`` for Embedding,
as TensorFlow 2.21 names Keras 3's private attributes); an optimizer gives Keras 3's
``optimizer/_iterations``, ``optimizer/_learning_rate`` and ``optimizer/_variables/N`` (N counting
``optimizer.variables``: the slots in the order Keras makes them, from 2). ``Checkpoint.save``
also keeps ``save_counter``. Files written with the older names (``kernel``, ``iter``,
``<slot>/<i>``) are still read. A Checkpoint may hold Checkpoints (``Checkpoint(l1=Checkpoint(bias=v))``).

The files: ``write("dir/ckpt")`` (``save`` adds ``-N``) writes ``dir/ckpt.data-00000-of-00001``
(NumPy's ``.npz``: arrays only, read back with ``allow_pickle=False``, so a checkpoint never
runs code) and then ``dir/ckpt.index`` (JSON: each variable's path, shape and dtype, and the
SHA-256 of the data file). Each is written to a temporary file and renamed into place (a crash
leaves the previous checkpoint as it was); the index comes last, so a checkpoint whose index
exists is whole. ``save`` and ``CheckpointManager`` keep TensorFlow's ``checkpoint`` state file
(``model_checkpoint_path: "ckpt-3"``...) so ``tf.train.latest_checkpoint(dir)`` finds the newest.
A damaged index, a data file that does not match its index, or a missing file is refused
naming the file, and restores nothing.

``restore(path)`` assigns each saved value to the variable at the same path, at once (after
checking every shape: a mismatch changes nothing). A ``tf.Module`` that makes its variables on
its first call gets them as TensorFlow gives them, deferred: a saved ``model/dense_1/w`` whose
``model.dense_1`` exists without ``w`` is assigned when ``dense_1.w`` is set (and leaves the
status's unused list then). Deeper deferral (objects not made yet) and Keras layers not yet built
are built to the saved kernel's shape where that says the input's last dimension (Dense,
Conv1D/2D/3D, Embedding); others are not deferred: build the model first (``model.build(shape)`` or
one call), then restore. An optimizer not yet built is built over the model in the same Checkpoint
(``model``, else the first Keras model or layer: its ``trainable_weights``) when the file has its
slots. A variable set later on a Checkpoint (``ckpt.kernel = v``) gets its saved value then.
The status it returns has TensorFlow's ``assert_consumed()`` (every saved value used and every
variable found), ``assert_existing_objects_matched()``, ``assert_nontrivial_match()`` and
``expect_partial()``. TensorFlow's ``.index``/``.data`` files are not read (their format is
TensorFlow's own); glassnet's are not TensorFlow's.

>>> import glassnet as tf, tempfile, os
>>> class Box(tf.Module):
...     def __init__(self):
...         super().__init__()
...         self.w = tf.Variable([1.0, 2.0])
>>> box = Box()
>>> folder = tempfile.mkdtemp()
>>> path = tf.train.Checkpoint(model=box).write(os.path.join(folder, "ckpt"))
>>> tf.train.list_variables(path)
[('_CHECKPOINTABLE_OBJECT_GRAPH', []), ('model/w/.ATTRIBUTES/VARIABLE_VALUE', [2])]
>>> _ = box.w.assign([0.0, 0.0])
>>> tf.train.Checkpoint(model=box).restore(path).assert_consumed().__class__.__name__
'CheckpointLoadStatus'
>>> box.w.numpy()
array([1., 2.], dtype=float32)
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import time

import numpy as np

from .example import (BytesList, Example, Feature, FeatureList, FeatureLists, Features, FloatList, Int64List,
                      SequenceExample)
from .variable import Variable

__all__ = ["BytesList", "Checkpoint", "CheckpointLoadStatus", "CheckpointManager", "CheckpointReader", "Example",
           "Feature", "FeatureList", "FeatureLists", "Features", "FloatList", "Int64List", "SequenceExample",
           "latest_checkpoint", "list_variables", "load_checkpoint", "load_variable"]

_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_DATA = ".data-00000-of-00001"
_FORMAT = "glassnet-checkpoint"
_MAX_INDEX_BYTES = 64 << 20


# -- where each variable is: TensorFlow's object-graph paths ---------------------------------------
class _Slot:
    """One saved array: read it, write it (a Variable, or an optimizer's state)."""

    def __init__(self, get, set_, shape, trainable=None):
        self.get, self.set, self.shape, self.trainable = get, set_, tuple(shape), trainable


def _var_slot(v: Variable) -> _Slot:
    return _Slot(lambda: np.array(v.value), lambda a: v.assign(np.asarray(a).astype(v.value.dtype)), v.value.shape,
                 bool(v.trainable))


def _short(v: Variable) -> str:
    return str(getattr(v, "path", None) or v.name).split(":")[0].rsplit("/", 1)[-1]


def _walk(obj, prefix: str, out: dict, seen: set, context: dict) -> None:
    from ..layers.base import Layer                   # noqa: PLC0415 - layers build on the tf package
    from ..optimizers.base import Optimizer           # noqa: PLC0415
    from .module import Module                        # noqa: PLC0415
    if obj is None or isinstance(obj, (str, bytes, int, float, bool, np.generic)):
        return
    if id(obj) in seen:
        first = context.get("paths", {}).get(id(obj))
        if first is not None and first != prefix + _SUFFIX:    # one variable reached twice: saved once, as TF
            context.setdefault("aliases", {})[prefix + _SUFFIX] = first
        return
    if isinstance(obj, Variable):
        seen.add(id(obj))
        out[prefix + _SUFFIX] = _var_slot(obj)
        context.setdefault("paths", {})[id(obj)] = prefix + _SUFFIX
    elif isinstance(obj, Layer):
        seen.add(id(obj))
        _walk_layer(obj, prefix, out, seen, context)
    elif isinstance(obj, Module):
        seen.add(id(obj))
        for key in sorted(vars(obj)):
            if key != "_name":
                _walk(vars(obj)[key], f"{prefix}/{key}", out, seen, context)
    elif isinstance(obj, Optimizer):
        seen.add(id(obj))
        context.setdefault("optimizers", []).append((prefix, obj))
        _walk_optimizer(obj, prefix, out)
    elif isinstance(obj, Checkpoint):                 # a Checkpoint inside another: its objects, by their names
        seen.add(id(obj))
        if obj._root is not None:
            _walk(obj._root, prefix, out, seen, context)
        for key in sorted(obj._objects):
            _walk(obj._objects[key], f"{prefix}/{key}", out, seen, context)
    elif hasattr(obj, "_checkpoint_state"):          # a dataset's iterator: how far it has gone
        seen.add(id(obj))
        out[prefix + "/.ATTRIBUTES/ITERATOR_STATE"] = _Slot(*obj._checkpoint_state())
    elif isinstance(obj, dict):
        for key in sorted(obj, key=str):
            _walk(obj[key], f"{prefix}/{key}", out, seen, context)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            _walk(item, f"{prefix}/{i}", out, seen, context)


# Keras 3 keeps these weights behind a property, so TensorFlow 2.21's object graph names the private
# attribute: a Dense layer's kernel is saved as ``l1/_kernel`` (Conv*Transpose, DepthwiseConv2D ... keep ``kernel``)
_PRIVATE_WEIGHTS = {"Dense": {"kernel": "_kernel"}, "EinsumDense": {"kernel": "_kernel"},
                    "Conv1D": {"kernel": "_kernel"}, "Conv2D": {"kernel": "_kernel"}, "Conv3D": {"kernel": "_kernel"},
                    "Embedding": {"embeddings": "_embeddings"}}


def _walk_layer(layer, prefix: str, out: dict, seen: set, context: dict | None = None) -> None:
    """A Keras layer or model: as TensorFlow's object graph, its public attributes first (a
    subclassed model's ``self.dense_1``: ``dense_1/w``), then the layers of a model not reached
    so (Sequential, functional) as ``layer_with_weights-N``, then its own weights by short name
    (``bias``; ``_kernel`` where Keras 3 keeps the kernel private: Dense, EinsumDense, Conv1D/2D/3D).
    A layer with no weights yet is noted in ``context["unbuilt"]`` (restore may build it)."""
    from ..layers.base import Layer                   # noqa: PLC0415
    context = {} if context is None else context
    private = _PRIVATE_WEIGHTS.get(type(layer).__name__, {})
    if not getattr(layer, "built", True) or (not layer.weights and private):
        context.setdefault("unbuilt", []).append((prefix, layer))
    for key in sorted(vars(layer), key=lambda k: private.get(k, k)):
        if key.startswith("_"):
            continue
        value = vars(layer)[key]
        if isinstance(value, (Variable, Layer)) or (isinstance(value, (list, tuple, dict)) and _holds_weights(value)):
            _walk(value, f"{prefix}/{private.get(key, key)}", out, seen, context)
    sub = getattr(type(layer), "layers", None)
    sub = layer.layers if isinstance(sub, property) else None
    if isinstance(sub, (list, tuple)):
        n = 0
        for inner in sub:
            if id(inner) in seen or not [v for v in inner.weights if id(v) not in seen]:
                continue
            seen.add(id(inner))
            _walk_layer(inner, f"{prefix}/layer_with_weights-{n}", out, seen, context)
            n += 1
    names: dict = {}
    for v in layer.weights:
        if id(v) in seen:
            continue
        seen.add(id(v))
        name = private.get(_short(v), _short(v))
        k = names.get(name, 0)
        names[name] = k + 1
        out[f"{prefix}/{name if k == 0 else f'{name}_{k}'}{_SUFFIX}"] = _var_slot(v)


def _holds_weights(value) -> bool:
    from ..layers.base import Layer                   # noqa: PLC0415
    items = value.values() if isinstance(value, dict) else value
    return any(isinstance(v, (Variable, Layer)) or (isinstance(v, (list, tuple, dict)) and _holds_weights(v))
               for v in items)


def _walk_optimizer(opt, prefix: str, out: dict) -> None:
    """A Keras 3 optimizer as TensorFlow 2.21 names it: ``_iterations``, ``_learning_rate`` (a
    number's, not a schedule's) and ``_variables/N``, N counting Keras's ``optimizer.variables``
    (iterations, the learning rate, then the slots in the order Keras makes them)."""
    def set_iter(a):
        opt.iterations = int(np.asarray(a))

    def set_rate(a):
        opt.learning_rate = float(np.asarray(a))
    out[f"{prefix}/_iterations{_SUFFIX}"] = _Slot(lambda: np.array(int(opt._iterations), dtype=np.int64),   # the calls
                                                  set_iter, ())
    base = 1
    if not callable(getattr(opt, "_learning_rate", None)):
        out[f"{prefix}/_learning_rate{_SUFFIX}"] = _Slot(lambda: np.array(float(opt.learning_rate), dtype=np.float32),
                                                         set_rate, ())
        base = 2
    if not getattr(opt, "built", False):
        return
    for k, arr in enumerate(opt.slots_in_file_order()):
        out[f"{prefix}/_variables/{base + k}{_SUFFIX}"] = _Slot(lambda a=arr: a.copy(),
                                                                 lambda v, a=arr: a.__setitem__(Ellipsis, v), arr.shape)


def _slots_of(objects: dict, root=None) -> tuple[dict, dict]:
    """Every saved array of ``objects`` by its path; ``root``'s own attributes (TensorFlow's
    ``Checkpoint(root)``, and a SavedModel's variables) sit at the top level, unprefixed."""
    out, context, seen = {}, {}, set()
    if root is not None:
        top: dict = {}
        _walk(root, "", top, seen, context)
        out.update({k.lstrip("/"): v for k, v in top.items()})
        context["optimizers"] = [(p.lstrip("/"), o) for p, o in context.get("optimizers", [])]
    for name in sorted(objects):
        _walk(objects[name], name, out, seen, context)
    return out, context


# -- the files ----------------------------------------------------------------------------------
def _prefix(path) -> str:
    path = os.fspath(path)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    if not path:
        raise ValueError("checkpoint path must not be empty (give a prefix such as 'training_checkpoints/ckpt')")
    return path


def write_bytes(path: str, data: bytes) -> None:
    """``data`` to ``path`` atomically: a temporary file in the same folder, flushed, fsynced,
    then renamed over ``path`` (a failure removes it and leaves ``path`` as it was)."""
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".glassnet-tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(prefix: str, arrays: dict, trainable: dict | None = None, aliases: dict | None = None) -> str:
    folder = os.path.dirname(prefix)
    if folder:
        os.makedirs(folder, exist_ok=True)
    if os.path.isdir(prefix):
        raise IsADirectoryError(f"Checkpoint.write: {prefix!r} is a folder; give a file prefix inside it, such as "
                                f"{os.path.join(prefix, 'ckpt')!r}")
    buf = io.BytesIO()
    names = sorted(arrays)
    for key in names:
        if arrays[key].dtype.kind not in "biufc":
            raise TypeError(f"Checkpoint: {key} has dtype {arrays[key].dtype}; only numeric variables are saved")
    np.savez(buf, **{f"a{i}": np.array(arrays[k], order="C") for i, k in enumerate(names)})
    data = buf.getvalue()
    index = {"format": _FORMAT, "version": 1, "data": os.path.basename(prefix) + _DATA,
             "sha256": hashlib.sha256(data).hexdigest(),
             "variables": [{"key": k, "array": f"a{i}", "shape": list(arrays[k].shape),
                            "dtype": arrays[k].dtype.str} for i, k in enumerate(names)]}
    for entry in index["variables"]:
        if trainable and trainable.get(entry["key"]) is not None:
            entry["trainable"] = bool(trainable[entry["key"]])
    if aliases:                 # the other paths to a variable saved once (TF's object graph keeps every edge)
        index["aliases"] = {a: t for a, t in sorted(aliases.items()) if t in arrays and a not in arrays}
    write_bytes(prefix + _DATA, data)
    write_bytes(prefix + ".index", json.dumps(index, indent=1).encode("utf-8"))
    return prefix


def _read_index(prefix: str) -> dict:
    from .errors import DataLossError, NotFoundError  # noqa: PLC0415
    prefix = _prefix(prefix)
    path = prefix + ".index"
    if not os.path.isfile(path):
        hint = ""
        if os.path.isdir(prefix):
            found = latest_checkpoint(prefix)
            hint = (f" ({prefix!r} is a folder: its newest checkpoint is {found!r}, from tf.train.latest_checkpoint)"
                    if found else f" ({prefix!r} is a folder; give a checkpoint prefix such as 'folder/ckpt-1')")
        raise NotFoundError(None, None, f"no glassnet checkpoint at {prefix!r}: {path!r} does not exist{hint}")
    with open(path, "rb") as f:
        raw = f.read(_MAX_INDEX_BYTES + 1)
    try:
        if len(raw) > _MAX_INDEX_BYTES:
            raise ValueError("it is larger than any checkpoint index")
        index = json.loads(raw.decode("utf-8"))
        if not isinstance(index, dict) or index.get("format") != _FORMAT:
            raise ValueError("it is not a glassnet checkpoint index (TensorFlow's own checkpoints are not read)")
        if index.get("version") != 1:
            raise ValueError(f"its version {index.get('version')!r} is not 1")
        entries = index["variables"]
        if not isinstance(entries, list) or not all(
                isinstance(e, dict) and isinstance(e.get("key"), str) and isinstance(e.get("array"), str)
                and isinstance(e.get("shape"), list) and all(isinstance(s, int) and s >= 0 for s in e["shape"])
                for e in entries):
            raise ValueError("its variable list is malformed")
        if not isinstance(index.get("data"), str) or os.path.basename(index["data"]) != index["data"]:
            raise ValueError("its data file name is malformed")
    except (ValueError, KeyError, UnicodeDecodeError) as e:
        raise DataLossError(None, None, f"checkpoint index {path!r} is damaged: {e}") from None
    return index


def _read(prefix: str) -> dict:
    """``{key: array}`` of the checkpoint at ``prefix``, checked against its index."""
    from .errors import DataLossError, NotFoundError  # noqa: PLC0415
    index = _read_index(prefix)
    data_path = os.path.join(os.path.dirname(_prefix(prefix)), index["data"])
    if not os.path.isfile(data_path):
        raise NotFoundError(None, None, f"checkpoint {prefix!r}: its data file {data_path!r} is missing")
    with open(data_path, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != index.get("sha256"):
        raise DataLossError(None, None, f"checkpoint data {data_path!r} is damaged: it does not match its index "
                                        f"(SHA-256 differs; truncated or changed since it was written)")
    out = {}
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            for e in index["variables"]:
                arr = z[e["array"]]
                if list(arr.shape) != e["shape"]:
                    raise ValueError(f"{e['key']} has shape {list(arr.shape)} where the index says {e['shape']}")
                out[e["key"]] = arr
    except (ValueError, KeyError, OSError) as e:
        raise DataLossError(None, None, f"checkpoint data {data_path!r} is damaged: {e}") from None
    return out


def list_variables(ckpt_dir_or_file) -> list:
    """``[(name, shape), ...]`` of a checkpoint (a prefix, or a folder: its newest), sorted by
    name, with TensorFlow's ``_CHECKPOINTABLE_OBJECT_GRAPH`` entry first."""
    prefix = _resolve(ckpt_dir_or_file)
    index = _read_index(prefix)
    items = [(e["key"], list(e["shape"])) for e in index["variables"]]
    return sorted([(_GRAPH_KEY, [])] + items)


def load_variable(ckpt_dir_or_file, name: str) -> np.ndarray:
    """The array saved under ``name`` (``list_variables``'s names; ``.ATTRIBUTES/VARIABLE_VALUE``
    may be left off)."""
    prefix = _resolve(ckpt_dir_or_file)
    arrays = _read(prefix)
    for key in (name, name + _SUFFIX):
        if key in arrays:
            return arrays[key]
    raise KeyError(f"load_variable: {name!r} is not in checkpoint {prefix!r}; it holds {sorted(arrays)[:10]}")


def load_checkpoint(ckpt_pattern) -> "CheckpointReader":
    """A :class:`CheckpointReader` of a checkpoint (a prefix, or a folder: its newest)."""
    return CheckpointReader(_resolve(ckpt_pattern))


class CheckpointReader:
    """``tf.train.load_checkpoint``'s reader: the saved arrays by name (``list_variables``'s names)."""

    def __init__(self, prefix: str):
        self._prefix = prefix
        self._arrays = _read(prefix)                  # read (and checked) once, whole

    def get_variable_to_shape_map(self) -> dict:
        return {_GRAPH_KEY: [], **{k: list(a.shape) for k, a in self._arrays.items()}}

    def get_variable_to_dtype_map(self) -> dict:
        from .dtypes import as_dtype, string          # noqa: PLC0415
        return {_GRAPH_KEY: string, **{k: as_dtype(a.dtype) for k, a in self._arrays.items()}}

    def has_tensor(self, name: str) -> bool:
        return name == _GRAPH_KEY or name in self._arrays

    def get_tensor(self, name: str) -> np.ndarray:
        """The array saved under ``name`` (a NumPy array, or a NumPy scalar for a 0-d one, as TF's)."""
        if name not in self._arrays:
            raise KeyError(f"get_tensor: {name!r} is not in checkpoint {self._prefix!r}")
        a = np.array(self._arrays[name])
        return a[()] if a.ndim == 0 else a


def _resolve(path) -> str:
    path = _prefix(path)
    if os.path.isdir(path):
        found = latest_checkpoint(path)
        if found is None:
            from .errors import NotFoundError  # noqa: PLC0415
            raise NotFoundError(None, None, f"no checkpoint in folder {path!r} (no 'checkpoint' state file naming one)")
        return found
    return path


# -- the state file: TensorFlow's 'checkpoint' ------------------------------------------------------
_STATE_LINE = re.compile(r'(model_checkpoint_path|all_model_checkpoint_paths): "((?:[^"\\]|\\.)*)"')


def _read_state(folder: str) -> tuple:
    path = os.path.join(folder, "checkpoint")
    if not os.path.isfile(path):
        return None, []
    latest, every = None, []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f.read(1 << 20).splitlines():
            m = _STATE_LINE.fullmatch(line.strip())
            if not m:
                continue
            value = m.group(2).replace('\\"', '"').replace("\\\\", "\\")
            value = value if os.path.isabs(value) else os.path.join(folder, value)
            if m.group(1) == "model_checkpoint_path":
                latest = value
            else:
                every.append(value)
    return latest, every


def _write_state(folder: str, latest: str, every: list, timestamps: list) -> None:
    def rel(p):
        r = os.path.relpath(p, folder) if folder else p
        return r.replace("\\", "\\\\").replace('"', '\\"')
    lines = [f'model_checkpoint_path: "{rel(latest)}"'] + [f'all_model_checkpoint_paths: "{rel(p)}"' for p in every]
    lines += [f"all_model_checkpoint_timestamps: {t}" for t in timestamps]
    lines.append(f"last_preserved_timestamp: {time.time()}")
    write_bytes(os.path.join(folder or ".", "checkpoint"), ("\n".join(lines) + "\n").encode("utf-8"))


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint in ``checkpoint_dir`` (from its ``checkpoint`` state
    file), or None when there is none (or its files are gone)."""
    folder = os.fspath(checkpoint_dir)
    latest, _ = _read_state(folder) if latest_filename is None else _read_state_named(folder, latest_filename)
    if latest is not None and os.path.isfile(latest + ".index"):
        return latest
    return None


def _read_state_named(folder, name):
    if name == "checkpoint":
        return _read_state(folder)
    raise ValueError(f"latest_checkpoint: latest_filename {name!r}: glassnet keeps its state in 'checkpoint'")


# -- Checkpoint -------------------------------------------------------------------------------------
class CheckpointLoadStatus:
    """What ``restore`` / ``read`` matched, with TensorFlow's assertions (TensorFlow's class name)."""

    def __init__(self, path, unused_values: list, unmatched_variables: list, matched: int):
        self.path, self._unused, self._unmatched, self._matched = path, unused_values, unmatched_variables, matched

    def assert_consumed(self):
        """Every saved value went to a variable, and every variable got a value."""
        if self._unused:
            where = ".".join(["(root)"] + self._unused[0].split("/.ATTRIBUTES/")[0].split("/"))
            raise AssertionError(f"Unresolved object in checkpoint {where}: checkpoint {self.path!r}: "
                                 f"{len(self._unused)} saved values were not restored (no object at their path): "
                                 f"{self._unused[:10]}")
        return self.assert_existing_objects_matched()

    def assert_existing_objects_matched(self):
        if self._unmatched:
            raise AssertionError(f"checkpoint {self.path!r}: {len(self._unmatched)} variables got no saved value: "
                                 f"{self._unmatched[:10]} (built after the save? renamed?)")
        return self

    def assert_nontrivial_match(self):
        if self._matched == 0:
            raise AssertionError(f"checkpoint {self.path!r}: nothing was restored (no saved path matched an object)")
        return self

    def expect_partial(self):
        """Silences nothing here (glassnet warns at no point); returns the status, as TensorFlow's."""
        return self

    def run_restore_ops(self, session=None):
        """Nothing to run: the values were assigned by ``restore``."""

    def initialize_or_restore(self, session=None):
        """Nothing to run: the values were assigned by ``restore``."""


LoadStatus = CheckpointLoadStatus                # the name glassnet used before


class InitializationOnlyStatus(CheckpointLoadStatus):
    """``restore(None)``: TensorFlow's status for "no checkpoint yet" — its assertions raise."""

    def __init__(self):
        super().__init__(None, [], [], 0)

    def assert_consumed(self):
        raise AssertionError("no checkpoint was restored (restore(None): no checkpoint was found)")

    assert_existing_objects_matched = assert_nontrivial_match = assert_consumed


class Checkpoint:
    """``tf.train.Checkpoint(root=None, **objects)``: the variables of ``objects`` (models,
    layers, optimizers, ``tf.Module``s, Variables, lists and dicts of them) saved and restored
    by the path of attributes that reaches each; ``root``'s own attributes are at the top level
    (``w/.ATTRIBUTES/VARIABLE_VALUE``), as in a SavedModel's ``variables/variables``."""

    def __init__(self, root=None, **kwargs):
        objects = dict(kwargs)
        for name, value in objects.items():
            _check_object(name, value)
        if root is not None:
            _check_object("root", root)
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_objects", objects)
        object.__setattr__(self, "_save_counter", None)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        _check_object(name, value)
        if type(value) is list:
            value = ListWrapper(value, self, name)
        self._objects[name] = value
        self._restore_pending((name,), value)

    def _restore_pending(self, path: tuple, value) -> None:
        """A restore queued before ``value`` existed at ``path`` (TF's deferred restoration)."""
        pending = self.__dict__.get("_pending", {})
        if isinstance(value, Variable) and path in pending:
            pending.pop(path)(value)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._restore_pending(path + (str(i),), item)

    def __getattr__(self, name):
        objects = self.__dict__.get("_objects", {})
        if name == "root" and self.__dict__.get("_root") is not None:
            return self.__dict__["_root"]
        if name in objects:
            return objects[name]
        raise AttributeError(f"'Checkpoint' object has no attribute {name!r}")

    @property
    def save_counter(self) -> Variable:
        """How many times ``save`` has run (an int64 Variable, made on first use)."""
        if self._save_counter is None:
            object.__setattr__(self, "_save_counter",
                               Variable(np.array(0, dtype=np.int64), trainable=False, name="save_counter"))
        return self._save_counter

    def _slots(self, with_counter: bool) -> tuple[dict, dict]:
        objects = dict(self._objects)
        if with_counter:
            objects["save_counter"] = self.save_counter
        return _slots_of(objects, self._root)

    def write(self, file_prefix, options=None) -> str:
        """Write the variables to ``file_prefix`` (``.index`` and ``.data-00000-of-00001`` beside
        it); the save counter is not touched. Returns ``file_prefix``."""
        prefix = _prefix(file_prefix)
        slots, context = self._slots(with_counter=self._save_counter is not None)
        return _write(prefix, {k: np.asarray(s.get()) for k, s in slots.items()},
                      {k: s.trainable for k, s in slots.items()}, context.get("aliases"))

    def save(self, file_prefix, options=None) -> str:
        """Count one more save, write to ``f"{file_prefix}-{count}"`` and record it in the folder's
        ``checkpoint`` state file (what ``latest_checkpoint`` reads). Returns that prefix."""
        prefix = _prefix(file_prefix)
        counter = self.save_counter
        counter.assign(counter.value + 1)
        try:
            path = self.write(f"{prefix}-{int(counter.value)}")
        except BaseException:
            counter.assign(counter.value - 1)
            raise
        folder = os.path.dirname(path)
        _, every = _read_state(folder or ".")
        every = [p for p in every if os.path.normpath(p) != os.path.normpath(path)] + [path]
        _write_state(folder, path, every, [])
        return path

    def read(self, save_path, options=None) -> LoadStatus:
        """``restore`` without the save counter's bookkeeping (for files from ``write``)."""
        return self._restore(save_path, with_counter=False)

    def restore(self, save_path, options=None) -> LoadStatus:
        """Assign the values saved at ``save_path`` (a prefix such as ``"ckpt-3"``, or what
        ``latest_checkpoint`` gives) to the variables at the same paths. ``None`` restores
        nothing (TensorFlow's "start fresh" when there is no checkpoint yet)."""
        if save_path is None:
            return InitializationOnlyStatus()
        return self._restore(save_path, with_counter=True)

    def _restore(self, save_path, with_counter: bool) -> LoadStatus:
        prefix = _prefix(save_path)
        arrays = _read(prefix)
        counted = with_counter and any(k.startswith("save_counter/") for k in arrays)
        slots, context = self._slots(with_counter=counted)
        if self._build_from_file(arrays, context):   # layers not built yet, built to the saved kernels' shapes
            slots, context = self._slots(with_counter=counted)
        arrays = _renamed(arrays, context, slots)
        plan = self._plan_optimizers(arrays, slots, context)
        for key, slot in slots.items():
            if key in arrays and tuple(arrays[key].shape) != slot.shape:
                raise ValueError(f"restore {prefix!r}: {key} was saved with shape {list(arrays[key].shape)}, the "
                                 f"variable has shape {list(slot.shape)}; nothing was restored")
        for build in plan:
            build()
        if plan:
            slots, context = self._slots(with_counter=counted)
            arrays = _renamed(arrays, context, slots)
        aliases = _aliases(prefix, arrays)
        via = {a: t for a, t in aliases.items() if a in slots and a not in arrays}
        for key, slot in slots.items():
            if key in arrays:
                slot.set(arrays[key])
            elif key in via:                          # reached here by another path than the one saved
                slot.set(arrays[via[key]])
        unused = [k for k in sorted(arrays) if k not in slots and k not in via.values()]
        unmatched = sorted(k for k in slots if k not in arrays and k not in via)
        self._defer(arrays, unused)
        return LoadStatus(prefix, unused, unmatched, sum(k in arrays for k in slots))

    def _defer(self, arrays: dict, unused: list) -> None:
        """TensorFlow's deferred restoration, for a tf.Module that makes its variables on its
        first call: a saved ``a/b/w`` whose ``a/b`` exists but has no ``w`` yet is assigned when
        ``w`` is set. ``unused`` (the status's list) loses each key restored so."""
        from .module import _DEFERRED, Module         # noqa: PLC0415
        for key in list(unused):
            if not key.endswith(_SUFFIX):
                continue
            parts = key[:-len(_SUFFIX)].split("/")
            if self._root is None and parts[0] not in self._objects:     # an attribute set later, or a list's item
                self.__dict__.setdefault("_pending", {})[tuple(parts)] = self._deferred_restore(key, arrays[key],
                                                                                                unused)
                continue
            owner = self._root if self._root is not None and parts[0] not in self._objects else None
            rest = parts if owner is not None else parts[1:]
            owner = owner if owner is not None else self._objects.get(parts[0])
            for part in rest[:-1]:
                owner = getattr(owner, part, None) if isinstance(owner, (Module, Checkpoint)) else None
            if not isinstance(owner, (Module, Checkpoint)) or not rest or hasattr(owner, rest[-1]):
                continue

            restore = self._deferred_restore(key, arrays[key], unused)
            if isinstance(owner, Checkpoint):
                owner.__dict__.setdefault("_pending", {})[(rest[-1],)] = restore
                continue
            try:
                _DEFERRED.setdefault(owner, {})[rest[-1]] = restore
            except TypeError:                         # not hashable: its values stay in the unused list
                continue

    @staticmethod
    def _deferred_restore(key: str, value, unused: list):
        def restore(variable):
            if tuple(variable.value.shape) != tuple(value.shape):
                raise ValueError(f"restore: {key} was saved with shape {list(value.shape)}, the variable made "
                                 f"now has shape {list(variable.value.shape)}")
            variable.assign(np.asarray(value).astype(variable.value.dtype))
            if key in unused:
                unused.remove(key)
        return restore

    def _build_from_file(self, arrays: dict, context: dict) -> bool:
        """TensorFlow restores a layer's weights when the layer makes them, on its first call; here a
        layer not built yet whose kernel is in the file (Dense, Conv1D/2D/3D, Embedding) is built now
        to that kernel's shape, so the values go in at once. True if any was built."""
        built = False
        for prefix, layer in _stack_layers(context.get("unbuilt", []), arrays):
            kind = type(layer).__name__
            name = "embeddings" if kind == "Embedding" else "kernel"
            saved = arrays.get(f"{prefix}/_{name}{_SUFFIX}", arrays.get(f"{prefix}/{name}{_SUFFIX}"))
            if saved is None or getattr(layer, "built", False) and layer.weights:
                continue
            if kind == "Dense" and saved.ndim == 2:
                shape = (None, saved.shape[0])
            elif kind in ("Conv1D", "Conv2D", "Conv3D") and saved.ndim >= 3 and \
                    getattr(layer, "data_format", "channels_last") == "channels_last" and getattr(layer, "groups", 1) == 1:
                shape = (None,) * (saved.ndim - 1) + (saved.shape[-2],)
            elif kind == "Embedding":
                shape = (None,)
            else:
                continue
            layer.build(shape)
            layer.built = True
            built = True
        return built

    def _plan_optimizers(self, arrays: dict, slots: dict, context: dict) -> list:
        """For an optimizer not yet built whose slots are in the file: build it over the trainable
        weights of the model in this Checkpoint (``model``, else the first Keras model or layer
        given), checked first, so a mismatch changes nothing."""
        from ..layers.base import Layer                   # noqa: PLC0415
        plan = []
        for prefix, opt in context.get("optimizers", []):
            if getattr(opt, "built", False) or not any(k.startswith(prefix + "/_variables/") for k in arrays):
                continue
            model = self._objects.get("model", self._root)
            if not isinstance(model, Layer):
                model = next((o for o in self._objects.values() if isinstance(o, Layer)), model)
            weights = getattr(model, "trainable_weights", None)
            if not weights:
                raise ValueError(f"restore: the checkpoint holds {prefix!r}'s state but the optimizer is not built "
                                 "and there is no built Keras model in the Checkpoint to build it over; build it "
                                 "(optimizer.build(model.trainable_weights)) first")
            base = 1 if callable(getattr(opt, "_learning_rate", None)) else 2
            shapes = [tuple(v.value.shape) for v in weights]
            wanted = _file_order_shapes(opt, shapes)
            for k, shape in enumerate(wanted):
                key = f"{prefix}/_variables/{base + k}{_SUFFIX}"
                if key in arrays and tuple(arrays[key].shape) != shape:
                    raise ValueError(f"restore: {key} has shape {list(arrays[key].shape)}, the optimizer built over "
                                     f"the model's trainable weights would have {list(shape)}; nothing was restored")
            plan.append(lambda opt=opt, weights=weights: opt.build(weights))
        return plan


_KERNEL_KINDS = ("Dense", "Conv1D", "Conv2D", "Conv3D", "Embedding")
_WEIGHTLESS = re.compile(r"(Flatten|Dropout|SpatialDropout\dD|Activation|ReLU|LeakyReLU|Softmax|Reshape|Permute|"
                         r"RepeatVector|Identity|InputLayer|Rescaling|GaussianNoise|GaussianDropout|"
                         r"(Max|Average|GlobalMax|GlobalAverage)Pooling\dD|ZeroPadding\dD|Cropping\dD|UpSampling\dD)$")


def _stack_layers(unbuilt, arrays: dict) -> list:
    """The unbuilt objects, with an unbuilt Sequential (no input shape yet) opened into its layers
    as the file names them (``prefix/layer_with_weights-N``, the N-th layer that has weights), where
    that order is certain: every layer is a Dense/Conv/Embedding (each makes weights) or a layer
    that makes none (Flatten, pooling, Dropout...), as many of the first as the file names. (TF
    restores such a model's weights when its first call makes them.)"""
    out = []
    for prefix, obj in unbuilt:
        layers = getattr(obj, "layers", None)
        if type(obj).__name__ != "Sequential" or not layers:
            out.append((prefix, obj))
            continue
        kinds = [type(layer).__name__ for layer in layers]
        weighted = [layer for layer, kind in zip(layers, kinds) if kind in _KERNEL_KINDS]
        named = {k[len(prefix) + 1:].split("/")[0] for k in arrays if k.startswith(prefix + "/layer_with_weights-")}
        if all(kind in _KERNEL_KINDS or _WEIGHTLESS.match(kind) for kind in kinds) and \
                named == {f"layer_with_weights-{i}" for i in range(len(weighted))}:
            out.extend((f"{prefix}/layer_with_weights-{i}", layer) for i, layer in enumerate(weighted))
        else:
            out.append((prefix, obj))
    return out


def _aliases(prefix: str, arrays: dict) -> dict:
    """The index's other paths to variables saved once (``{alias: saved key}``), those that name one."""
    found = _read_index(prefix).get("aliases", {})
    if not isinstance(found, dict):
        return {}
    return {a: t for a, t in found.items() if isinstance(a, str) and isinstance(t, str) and t in arrays}


def _file_order_shapes(opt, shapes: list) -> list:
    """The shapes of the slots ``opt`` would make over weights of ``shapes``, in Keras's order."""
    probe = type(opt).__new__(type(opt))
    probe.__dict__.update({k: v for k, v in vars(opt).items() if k != "slots"})
    probe.slots = {name: [np.zeros(s) for s in shapes] for name in opt.slot_names()}
    return [a.shape for a in probe.slots_in_file_order()]


def _renamed(arrays: dict, context: dict, slots: dict) -> dict:
    """A file written before glassnet named things as TensorFlow 2.21 does, read with today's names:
    ``kernel`` of Dense/Conv/EinsumDense (now ``_kernel``), an optimizer's ``iter`` (``_iterations``)
    and its ``<slot>/<i>`` (``_variables/N``)."""
    old = [k for k in arrays if re.search(r"/(kernel|embeddings)/\.ATTRIBUTES/|/iter/\.ATTRIBUTES/|"
                                          r"/[a-z_]+/\d+/\.ATTRIBUTES/", k)]
    if not old:
        return arrays
    out = dict(arrays)
    names = {}
    for prefix, opt in context.get("optimizers", []):
        names[f"{prefix}/iter{_SUFFIX}"] = f"{prefix}/_iterations{_SUFFIX}"
        if getattr(opt, "built", False):
            base = 1 if callable(getattr(opt, "_learning_rate", None)) else 2
            order = {id(a): k for k, a in enumerate(opt.slots_in_file_order())}
            for name in opt.slot_names():
                for i, arr in enumerate(opt.slots[name]):
                    names[f"{prefix}/{name}/{i}{_SUFFIX}"] = f"{prefix}/_variables/{base + order[id(arr)]}{_SUFFIX}"
    for key in old:
        new = names.get(key) or re.sub(r"/(kernel|embeddings)/(\.ATTRIBUTES/)", r"/_\1/\2", key)
        if new != key and new not in out and (new in slots or key in names):
            out[new] = out.pop(key)
    return out


class ListWrapper(list):
    """A list set on a Checkpoint (TensorFlow's ``ListWrapper``): a variable appended later gets its
    saved value, if a restore queued one for that position."""

    def __init__(self, items, checkpoint, name):
        super().__init__(items)
        self._checkpoint, self._name = checkpoint, name

    def append(self, item) -> None:
        super().append(item)
        self._checkpoint._restore_pending((self._name, str(len(self) - 1)), item)

    def __repr__(self):
        return f"ListWrapper({list.__repr__(self)})"


def _check_object(name: str, value) -> None:
    from ..layers.base import Layer                   # noqa: PLC0415
    from ..optimizers.base import Optimizer           # noqa: PLC0415
    from .module import Module                        # noqa: PLC0415
    if isinstance(value, (Variable, Layer, Module, Optimizer, Checkpoint, list, tuple, dict)) or \
            hasattr(value, "_checkpoint_state"):
        return
    raise ValueError(f"Checkpoint: {name}= must be a trackable object (a Keras model, layer or optimizer, a "
                     f"tf.Module, a tf.Variable, a dataset's iterator, or a list/dict of them), got {type(value).__name__}")


class CheckpointManager:
    """``tf.train.CheckpointManager(checkpoint, directory, max_to_keep)``: numbered saves
    ``directory/ckpt-N``, keeping the newest ``max_to_keep`` (None: all), recorded in the folder's
    ``checkpoint`` state file (read back when a manager opens the folder again)."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None, init_fn=None):
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"CheckpointManager: checkpoint must be a tf.train.Checkpoint, got "
                            f"{type(checkpoint).__name__}")
        if max_to_keep is not None and (not isinstance(max_to_keep, int) or max_to_keep < 1):
            raise ValueError(f"CheckpointManager: max_to_keep must be a positive int or None, got {max_to_keep!r}")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._name = checkpoint_name
        self._step_counter, self._interval, self._init_fn = step_counter, checkpoint_interval, init_fn
        self._last_step = None
        self._stamps: dict = {}                       # prefix -> when this manager saved it (the state file's)
        latest, every = _read_state(self._directory)
        self._checkpoints = [p for p in every if os.path.isfile(p + ".index")]
        self._latest = latest if latest and os.path.isfile(latest + ".index") else None

    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoint(self) -> Checkpoint:
        return self._checkpoint

    @property
    def checkpoints(self) -> list:
        """The prefixes kept, oldest first."""
        return list(self._checkpoints)

    @property
    def latest_checkpoint(self):
        return self._checkpoints[-1] if self._checkpoints else None

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Save ``directory/ckpt-N`` (N: ``checkpoint_number``, or the checkpoint's save counter),
        drop the oldest beyond ``max_to_keep`` and return the prefix."""
        if self._interval is not None and check_interval and self._step_counter is not None:
            step = int(np.asarray(getattr(self._step_counter, "value", self._step_counter)))
            if self._last_step is not None and step - self._last_step < self._interval:
                return None
            self._last_step = step
        os.makedirs(self._directory, exist_ok=True)
        ckpt = self._checkpoint
        counter = ckpt.save_counter
        counter.assign(counter.value + 1)
        number = int(counter.value) if checkpoint_number is None else int(np.asarray(
            getattr(checkpoint_number, "value", checkpoint_number)))
        path = os.path.join(self._directory, f"{self._name}-{number}")
        try:
            ckpt.write(path)
        except BaseException:
            counter.assign(counter.value - 1)
            raise
        self._checkpoints = [p for p in self._checkpoints if os.path.normpath(p) != os.path.normpath(path)] + [path]
        dropped = []
        if self._max_to_keep is not None:
            while len(self._checkpoints) > self._max_to_keep:
                dropped.append(self._checkpoints.pop(0))
        self._stamps[path] = time.time()
        stamps = [self._stamps.get(p) for p in self._checkpoints]
        _write_state(self._directory, path, self._checkpoints, stamps if None not in stamps else [])
        for old in dropped:
            for suffix in (".index", _DATA):
                if os.path.isfile(old + suffix):
                    os.remove(old + suffix)
        return path

    def restore_or_initialize(self):
        """Restore the newest checkpoint and return its prefix; with none, run ``init_fn`` (if
        given) and return None."""
        if self.latest_checkpoint is not None:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None
