"""Small helpers: the one random generator, layer naming, label encoding, ``get_file``, and the
addresses of the image and folder-dataset helpers (``load_img``, ``image_dataset_from_directory``...).

``set_random_seed(s)`` makes two runs bit-identical: initial weights and Dropout masks draw
as Keras 3 does (seeds from Python's ``random``, numbers from TensorFlow's Philox), so they are
Keras's own under the same seed; the other draws (fit's shuffling, augmentation...) go through
:func:`rng`, one seeded ``numpy.random.Generator``.

>>> import glassnet
>>> glassnet.utils.set_random_seed(0)
>>> glassnet.utils.to_categorical([0, 2], num_classes=3)
array([[1., 0., 0.],
       [0., 0., 1.]])
"""
from __future__ import annotations

import random
import re
import sys

import numpy as np

_GENERATOR = np.random.default_rng()
GLOBAL_SEED: int | None = None         # the last set_random_seed's (TensorFlow's global seed)
_SEED_OF: dict = {}                    # id(generator) -> (generator, the seed set_random_seed made it from)
_NAME_COUNTS: dict[str, int] = {}


def set_random_seed(seed: int) -> None:
    """Seed glassnet's generator, plus Python's ``random``, ``numpy.random`` and TensorFlow's
    global seed (``tf.random``'s op streams start again), and forget ``keras.random``'s global
    SeedGenerator (made again at its next use), as Keras's ``keras.utils.set_random_seed``. Python's
    ``random`` is what gives Keras's initial weights and Dropout masks their seeds (see
    :func:`default_seed`), so this makes a run start from Keras's very weights."""
    global _GENERATOR, GLOBAL_SEED
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_random_seed: seed must be a non-negative integer, got {seed!r}")
    _GENERATOR = np.random.default_rng(int(seed))
    _SEED_OF[id(_GENERATOR)] = (_GENERATOR, int(seed))
    while len(_SEED_OF) > 256:                  # a sweep seeds once a variant: keep the recent ones
        del _SEED_OF[next(iter(_SEED_OF))]
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    GLOBAL_SEED = int(seed)
    for name, reset in (("glassnet.tf.random", "_reset_op_seeds"), ("glassnet.keras.random", "_reset_global")):
        module = sys.modules.get(name)          # loaded ones only: a later import reads GLOBAL_SEED
        if module is not None:
            getattr(module, reset)(int(seed))


def default_seed() -> int:
    """Keras 3's ``make_default_seed``: ``random.randint(1, 10**9)`` from Python's ``random``, the
    seed an initializer, a Dropout or a SeedGenerator made without one takes at construction."""
    return random.randint(1, int(1e9))


def seed_of(generator) -> int | None:
    """The seed ``set_random_seed`` made ``generator`` from (TensorFlow's global seed while it was
    glassnet's generator), or None for a generator it did not make."""
    found = _SEED_OF.get(id(generator))
    return found[1] if found is not None and found[0] is generator else None


def rng() -> np.random.Generator:
    """The generator every random draw uses."""
    return _GENERATOR


def clear_session() -> None:
    """Reset layer-name counters (``dense``, ``dense_1``, ...), as ``keras.backend.clear_session``."""
    _NAME_COUNTS.clear()


def snake_case(name: str) -> str:
    """Keras's naming rule: ``"BatchNormalization"`` -> ``"batch_normalization"``,
    ``"Conv2D"`` -> ``"conv2d"``, ``"LeakyReLU"`` -> ``"leaky_re_lu"``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``, ... (Keras's auto-naming)."""
    count = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels: ``(N,)`` -> ``(N, num_classes)``: float64 for NumPy or
    Python labels (Keras 3's ``np.zeros``), floatx for a Tensor."""
    from .config import floatx

    y = np.asarray(x)
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError("to_categorical: x must hold integer class labels")
        y = y.astype(np.int64)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, found {int(y.min())}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and y.max() >= num_classes:
        raise ValueError(
            f"to_categorical: label {int(y.max())} is out of range for num_classes={num_classes}"
        )
    out = np.zeros(y.shape + (num_classes,), dtype=floatx() if hasattr(x, "numpy") else np.float64)
    np.put_along_axis(out, y[..., None].astype(np.int64), 1, axis=-1)
    return out


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Lists of ids of different lengths to one ``(samples, maxlen)`` array (Keras's
    ``keras.utils.pad_sequences``): each sequence filled with ``value`` before it
    (``padding="pre"``, the default) or after it (``"post"``); a longer one cut, keeping its end
    (``truncating="pre"``) or its start (``"post"``). ``maxlen`` None: the longest's length.

    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
    [[2, 3], [0, 4]]
    >>> pad_sequences([[1, 2, 3], [4]], padding="post").tolist()
    [[1, 2, 3], [4, 0, 0]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: sequences must be a list of sequences, got "
                         f"{type(sequences).__name__}")
    for name, given in (("padding", padding), ("truncating", truncating)):
        if given not in ("pre", "post"):
            raise ValueError(f"pad_sequences: {name} must be 'pre' or 'post', got {given!r}")
    lengths, sample_shape = [], ()
    for i, s in enumerate(sequences):
        if not hasattr(s, "__len__"):
            raise ValueError(f"pad_sequences: sequences[{i}] is not a sequence: {s!r}")
        lengths.append(len(s))
        if not sample_shape and len(s):
            sample_shape = np.asarray(s).shape[1:]        # each step's own shape (() for ids)
    if maxlen is None:
        maxlen = max(lengths, default=0)
    if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be a whole number >= 0 or None, got {maxlen!r}")
    text = dtype in (str, object) or np.dtype(dtype).kind in "OUS"
    if isinstance(value, str) and not text:
        raise ValueError(f"pad_sequences: value {value!r} is text but dtype {dtype!r} is not; "
                         "pass dtype=object (or str) to pad with text")
    out = np.full((len(lengths), int(maxlen)) + tuple(sample_shape), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != tuple(sample_shape):
            raise ValueError(f"pad_sequences: sequences[{i}]'s steps have shape {kept.shape[1:]}, the first "
                             f"sequence's have {tuple(sample_shape)}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None, force_download=False):
    """Keras's ``get_file``: the path of ``fname`` in the cache, downloading it from
    ``origin`` (``https://``, ``http://`` or ``file://``) the first time.

    Where: with ``cache_dir`` given, in ``cache_dir/cache_subdir`` (Keras's place). Without
    it, looked for in Keras's cache (``$KERAS_HOME`` or ``~/.keras``, so a file TensorFlow
    already downloaded is used), then glassnet's (``$GLASSNET_HOME`` or ``~/.glassnet``),
    where a download goes. ``file_hash`` (SHA-256, or MD5 when 32 hex digits) is checked.

    ``extract=True`` (or ``untar=True``, tar only) unpacks the archive (zip, tar, tar.gz,
    tar.bz2, tar.xz; ``archive_format`` "auto", "tar", "zip") safely (see
    :mod:`glassnet.data.archive`) and returns the folder, named as Keras 3 names it:
    ``fname="flower_photos"`` keeps the archive as ``flower_photos_archive`` and unpacks into
    ``flower_photos/``; a name with a dot, ``"data.tar.gz"``, unpacks into
    ``data_extracted/``; no fname: the URL's file name is the folder. An existing
    extraction is reused unless the archive was downloaded anew (Keras unpacks again on
    every call).

    >>> path = get_file("flower_photos", origin="file:///tmp/flower_photos.tgz", extract=True)  # doctest: +SKIP
    """
    import hashlib  # noqa: PLC0415 - only when a file is asked for
    import os  # noqa: PLC0415
    import urllib.parse  # noqa: PLC0415

    from .datasets import _fetch  # noqa: PLC0415

    provided = fname is not None and fname != ""
    if provided:
        fname = os.fspath(fname)
    else:
        fname = os.path.basename(urllib.parse.urlsplit(origin or "").path)
    if not fname or os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(f"get_file: fname must be a file name without folders, got {fname!r}")
    unpack = bool(extract or untar)
    if untar:
        archive_format = "tar"
    if file_hash is None and md5_hash is not None:
        expected, algorithm = md5_hash, "md5"
    else:                               # Keras's "auto": SHA-256 for 64 hex digits, else MD5
        expected = file_hash
        algorithm = hash_algorithm if hash_algorithm in ("md5", "sha256") else (
            "sha256" if expected is None or len(expected) == 64 else "md5")

    def matches(path):
        if not expected:
            return True
        h = hashlib.new(algorithm)
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest() == expected

    def names(folder):                  # Keras 3's (archive, extraction folder) in one cache folder
        if not unpack:
            return os.path.join(folder, fname), None
        if provided and "." in fname:
            return os.path.join(folder, fname), os.path.join(folder, fname[:fname.find(".")] + "_extracted")
        return os.path.join(folder, fname + "_archive"), os.path.join(folder, fname)

    if cache_dir is not None:
        folders = [os.path.join(os.path.expanduser(os.fspath(cache_dir)), cache_subdir)]
    else:
        folders = [os.path.join(os.path.dirname(_fetch.keras_dir()), cache_subdir),
                   os.path.join(os.path.dirname(_fetch.cache_dir()), cache_subdir)]
    found = None
    if not force_download:
        for folder in folders:
            archive, _ = names(folder)
            if os.path.isfile(archive) and matches(archive):
                found = archive
                break
    if found is None:
        if origin is None:
            raise ValueError(f"get_file: {fname!r} is not in the cache and no origin was given to download it from")
        found, _ = names(folders[-1])
        who = "get_file"
        payload = _fetch.fetch(origin, None, who, found, "pass the file's path to your code instead")
        if expected:
            h = hashlib.new(algorithm, payload).hexdigest()
            if h != expected:
                raise ValueError(f"get_file: the file downloaded from {origin} has {algorithm} {h}, expected "
                                 f"{expected}; it was discarded")
        _fetch.make_folder(os.path.dirname(found), who)
        _fetch.write(found, payload, who, f"downloaded {origin}")
        downloaded = True
    else:
        downloaded = False
    if not unpack:
        return found
    from .data import archive as archives  # noqa: PLC0415

    folder = names(os.path.dirname(found))[1]
    if os.path.isdir(folder) and not downloaded:
        return folder
    if not archives.extract(found, folder, archive_format):
        raise ValueError(f"get_file: {found} is not a {archive_format if archive_format != 'auto' else 'tar or zip'} "
                         "archive, so it cannot be extracted; pass extract=False to get the file itself")
    return folder


def plot_model(model, to_file="model.png", **kwargs):
    """``keras.utils.plot_model``: a picture of the model's graph (matplotlib, no Graphviz):
    see :func:`glassnet.glassbox.model_plot.plot_model`."""
    from .glassbox.model_plot import plot_model as draw  # noqa: PLC0415 - matplotlib only when drawing
    return draw(model, to_file, **kwargs)


# keras.utils' image and folder helpers: here so that keras.utils.X finds them; their code (and
# Pillow) loads on first use, in glassnet.data.images and glassnet.data.directory.
def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """``keras.utils.load_img``: a Pillow image from a file; see :func:`glassnet.data.images.load_img`."""
    from .data import images  # noqa: PLC0415
    return images.load_img(path, color_mode, target_size, interpolation, keep_aspect_ratio)


def img_to_array(img, data_format=None, dtype=None):
    """``keras.utils.img_to_array``: a Pillow image as a float32 ``(h, w, c)`` array."""
    from .data import images  # noqa: PLC0415
    return images.img_to_array(img, data_format, dtype)


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """``keras.utils.array_to_img``: an ``(h, w, c)`` array as a Pillow image."""
    from .data import images  # noqa: PLC0415
    return images.array_to_img(x, data_format, scale, dtype)


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """``keras.utils.save_img``: an ``(h, w, c)`` array written as an image file (atomically)."""
    from .data import images  # noqa: PLC0415
    return images.save_img(path, x, data_format, file_format, scale, **kwargs)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """``keras.utils.text_dataset_from_directory``: see :mod:`glassnet.data.directory`."""
    from .data import directory as folders  # noqa: PLC0415
    return folders.text_dataset_from_directory(directory, labels, label_mode, class_names, batch_size, max_length,
                                               shuffle, seed, validation_split, subset, follow_links, verbose)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, data_format=None,
                                 verbose=True):
    """``keras.utils.image_dataset_from_directory``: see :mod:`glassnet.data.directory`."""
    from .data import directory as folders  # noqa: PLC0415
    return folders.image_dataset_from_directory(
        directory, labels, label_mode, class_names, color_mode, batch_size, image_size, shuffle, seed,
        validation_split, subset, interpolation, follow_links, crop_to_aspect_ratio, pad_to_aspect_ratio,
        data_format, verbose)


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None, follow_links=False, verbose=True):
    """``keras.utils.audio_dataset_from_directory``: see :mod:`glassnet.data.audio`."""
    from .data import audio  # noqa: PLC0415
    return audio.audio_dataset_from_directory(directory, labels, label_mode, class_names, batch_size, sampling_rate,
                                              output_sequence_length, ragged, shuffle, seed, validation_split, subset,
                                              follow_links, verbose)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """``keras.utils.timeseries_dataset_from_array``: see :mod:`glassnet.data.timeseries`."""
    from .data import timeseries  # noqa: PLC0415
    return timeseries.timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride, sampling_rate,
                                                     batch_size, shuffle, seed, start_index, end_index)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """``keras.utils.split_dataset``: see :mod:`glassnet.data.split`."""
    from .data import split  # noqa: PLC0415
    return split.split_dataset(dataset, left_size, right_size, shuffle, seed)


def normalize(x, axis=-1, order=2):
    """``keras.utils.normalize``: ``x`` divided by its ``order``-norm along ``axis`` (a zero
    norm divides by 1)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def get_custom_objects() -> dict:
    """``keras.utils.get_custom_objects``: the dict of the user's named objects that files may
    refer to (``get_custom_objects()["my_loss"] = my_loss``), the one
    ``register_keras_serializable`` fills."""
    from .registry import _CUSTOM  # noqa: PLC0415 - the registry builds on this module
    return _CUSTOM


class PyDataset:
    """``keras.utils.PyDataset``: batches by index. A subclass writes ``__len__`` (the number of
    batches) and ``__getitem__(i)`` (batch ``i``: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``),
    and may write ``on_epoch_end``; ``fit``, ``evaluate`` and ``predict`` take it as ``x``.
    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are kept as Keras's; glassnet reads
    the batches in order, in this process."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers, self._use_multiprocessing, self._max_queue_size = workers, use_multiprocessing, max_queue_size

    workers = property(lambda self: self._workers)
    use_multiprocessing = property(lambda self: self._use_multiprocessing)
    max_queue_size = property(lambda self: self._max_queue_size)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index), giving batch index")

    @property
    def num_batches(self):
        return len(self) if type(self).__len__ is not PyDataset.__len__ else None

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__, the number of batches")

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


Sequence = PyDataset        # Keras 2's name


_FROM_REGISTRY = ("register_keras_serializable", "get_registered_name", "get_registered_object",
                  "custom_object_scope", "CustomObjectScope")
_FROM_CUSTOM_STEP = {"pack_x_y_sample_weight": "pack", "unpack_x_y_sample_weight": "unpack"}


def __getattr__(name):
    """``keras.utils.register_keras_serializable`` (as the Save-and-load tutorial writes it) and
    its two look-ups: the very functions of :mod:`glassnet.registry` (which imports this module)."""
    if name in _FROM_REGISTRY:
        from . import registry  # noqa: PLC0415
        return getattr(registry, name)
    if name == "FeatureSpace":          # keras.utils.FeatureSpace: glassnet/feature_space.py, loaded on first use
        from .feature_space import FeatureSpace  # noqa: PLC0415
        return FeatureSpace
    if name in _FROM_CUSTOM_STEP:       # keras.utils.(un)pack_x_y_sample_weight: a train_step's helpers
        from .engine import custom_step  # noqa: PLC0415
        return getattr(custom_step, _FROM_CUSTOM_STEP[name])
    raise AttributeError(f"module 'glassnet.utils' has no attribute {name!r}")
