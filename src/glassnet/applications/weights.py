"""Where an application's weights come from, and how Keras's weight files are read.

``weights="imagenet"``: the file Keras downloads (``~/.keras/models/<name>``, or
``$KERAS_HOME/models``), found there or fetched with :func:`glassnet.utils.get_file` from the
same URL; when Keras gives the file's MD5 the file is checked and one that does not match is
refused, named (Keras would download it again over the old one; glassnet leaves your file alone).

Keras's application files are legacy HDF5 weight files (Keras 2's ``save_weights``)::

    attrs: layer_names            one entry per layer, weights or none
    <layer>/ attrs: weight_names  e.g. "Conv1/kernel:0", in the layer's weight order
    <layer>/<weight name>         the array

Layers are matched as Keras matches them: the i-th layer of the model that has weights takes
the i-th layer of the file that lists any (InceptionV3's layers keep automatic names, which
differ between sessions, so names cannot be the key); each array's shape is checked against the model before it is read, only numbers are
read, and nothing is assigned until every array has been read: a refused file changes nothing.
A ``.weights.h5`` file (Keras 3's format) goes to :meth:`Model.load_weights`.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np

BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def check_weights_argument(weights, include_top: bool, classes: int, name: str) -> None:
    """Keras's checks on ``weights`` / ``classes``, made before anything is built."""
    if not (weights in ("imagenet", None) or isinstance(weights, (str, os.PathLike))):
        raise ValueError(f"{name}: weights must be None, 'imagenet' or the path to a weights file; "
                         f"got {weights!r}")
    if isinstance(weights, (str, os.PathLike)) and weights != "imagenet" and not os.path.exists(weights):
        raise ValueError(f"{name}: the `weights` argument should be either `None` (random initialization), "
                         f"'imagenet' (pre-training on ImageNet), or the path to the weights file to be "
                         f"loaded. Received: weights={weights!r} (no such file)")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(f"{name}: if using `weights='imagenet'` with `include_top=True`, `classes` should "
                         f"be 1000. Received classes={classes}")


def imagenet_file(fname: str, origin: str, md5: str | None) -> str:
    """The path of Keras's cached weight file ``fname`` (downloaded from ``origin`` when absent).

    A cached file whose MD5 is not ``md5`` is refused, naming it, before anything is read."""
    from .. import utils  # noqa: PLC0415
    from ..datasets import _fetch  # noqa: PLC0415
    cached = os.path.join(os.path.dirname(_fetch.keras_dir()), "models", fname)
    if md5 and os.path.isfile(cached):
        h = hashlib.md5()
        with open(cached, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != md5:
            raise ValueError(f"{cached}: this cached weights file has md5 {h.hexdigest()}, but Keras's "
                             f"{fname} has md5 {md5}; refused (incomplete or another file). Delete it to "
                             f"download the file again from {origin}")
    return utils.get_file(fname, origin, cache_subdir="models", file_hash=md5)


def load(model, path) -> None:
    """Load ``path`` into ``model``: a Keras legacy ``.h5`` weights file by layer name, or a
    ``.weights.h5`` / ``.safetensors`` file through ``model.load_weights``."""
    path = os.fspath(path)
    if path.endswith((".weights.h5", ".safetensors")):
        model.load_weights(path)
        return
    from ..saving import h5, stream  # noqa: PLC0415
    from ..saving.errors import FileFormatError, ModelFileError  # noqa: PLC0415
    from ..saving.legacy_h5 import _attribute, _plain  # noqa: PLC0415
    holders = [layer for layer in model.layers if layer.weights]
    arrays: list[tuple[object, list]] = []        # (layer, its arrays in weight order)
    with stream.open_source(path, "load_weights") as (window, label):
        try:
            with h5.Reader(window, label) as reader:
                root = "model_weights" if reader.group("model_weights") is not None else ""
                names = _attribute(reader.group(root), "layer_names", label, root or "/") or []
                if isinstance(names, str):
                    names = [names]
                saved = []
                for name in names:
                    where = f"{root}/{name}".lstrip("/")
                    group = reader.group(where) if _plain(name) and "/" not in name else None
                    if group is None:
                        raise FileFormatError(f"{label}: layer_names lists {name!r} but the file has no group for it")
                    paths = _attribute(group, "weight_names", label, where) or []
                    paths = [paths] if isinstance(paths, str) else paths
                    if paths:
                        saved.append((name, paths))
                if len(saved) != len(holders):
                    raise FileFormatError(f"{label}: the file has weights for {len(saved)} layers, the model "
                                          f"{model.name!r} has {len(holders)} layers with weights")
                for layer, (name, paths) in zip(holders, saved):
                    if len(paths) != len(layer.weights):
                        raise FileFormatError(f"{label}: layer {layer.name!r} ({name!r} in the file) has "
                                              f"{len(paths)} weight arrays in the file, the model expects "
                                              f"{len(layer.weights)}")
                    mine = []
                    for p, v in zip(paths, layer.weights):
                        where = f"{root}/{name}/{p}".lstrip("/")
                        if not _plain(p):
                            raise FileFormatError(f"{label}: the weight name {p!r} of layer {name!r} is not a plain path")
                        mine.append(h5.cast(reader.array(where, v.shape), v.dtype, label, where))
                    arrays.append((layer, mine))
        except ModelFileError:
            raise
        except Exception as e:
            raise FileFormatError(f"{label}: malformed weights file ({type(e).__name__}: {e})") from e
    for layer, values in arrays:       # set_weights: a layer's own hook runs (Normalization: adapted)
        layer.set_weights(values)


def apply(model, weights, fname: str | None, origin: str | None, md5: str | None) -> None:
    """After building: ``weights`` None (keep the initializers' draw), "imagenet" or a path."""
    if weights is None:
        return
    load(model, imagenet_file(fname, origin, md5) if weights == "imagenet" else weights)
