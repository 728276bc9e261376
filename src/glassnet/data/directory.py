"""A folder of files as a labelled ``Dataset``: Keras's ``text_dataset_from_directory`` and
``image_dataset_from_directory``.

The walk, the split and the labels follow Keras 3 exactly, so the same folder and ``seed``
give the same files, in the same order, on the same side of the split::

    main_directory/                 class_names: the sub-folders, sorted (or class_names=[...])
        class_a/  a_1.txt ...       label 0: every listed file under class_a/, sub-folders too
        class_b/  b_1.txt ...       label 1

1. each class folder is walked (``os.walk``, folders and files sorted); only files with the
   allowed extensions are listed (.txt; .bmp .gif .jpeg .jpg .png), the others skipped;
2. the list (class after class) is shuffled once with ``numpy.random.RandomState(seed)``,
   the labels with the same seed (Keras draws a seed when none is given);
3. ``validation_split``: the last ``int(validation_split * n)`` files are the validation
   set, the others the training set, so two calls with the same seed never share a file.

The returned dataset reads the files lazily, a batch at a time (any folder fits in memory),
reshuffles the files each epoch through a buffer of 8 batches (``Dataset.shuffle`` with the seed:
TensorFlow's order, pass after pass, as Keras's; ``subset="both"``'s validation set is not reshuffled, as Keras), and has ``class_names`` and
``file_paths``. Text comes as bytes (``b"..."``, an object array), images as float32
``(batch, height, width, channels)``. Labels: "int" int32 ``(batch,)``, "categorical"
float32 one-hot, "binary" float32 ``(batch, 1)``, None none.
"""
from __future__ import annotations

import math
import os
import warnings

import numpy as np

from .dataset import Dataset

__all__ = ["image_dataset_from_directory", "index_directory", "split", "text_dataset_from_directory"]

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
TEXT_FORMATS = (".txt",)


def _warn(message: str) -> None:
    """A warning pointing at the caller's line, outside glassnet (however deep the call)."""
    import sys  # noqa: PLC0415

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    level, frame = 2, sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, stacklevel=level)


def _say(verbose: bool, line: str) -> None:
    if verbose:
        print(line)


def check_arguments(who, labels, label_mode, class_names, validation_split, subset, batch_size):
    """Keras's argument checks, each naming the argument; returns (labels, label_mode)."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"{who}: labels must be 'inferred', None, or a list/tuple of integer labels (one per "
                             f"file, in the sorted order of the file paths); got {labels!r}")
        if class_names:
            raise ValueError(f"{who}: class_names can only be given with labels='inferred'")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f"{who}: label_mode must be 'int', 'categorical', 'binary' or None, got {label_mode!r}")
    if validation_split is not None and not isinstance(validation_split, (int, float)):
        raise ValueError(f"{who}: validation_split must be a number between 0 and 1, got {validation_split!r}")
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"{who}: validation_split must be between 0 and 1, got {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(f"{who}: subset and validation_split go together: give both (subset='training', "
                         f"'validation' or 'both') or neither; got validation_split={validation_split!r}, "
                         f"subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f"{who}: subset must be 'training', 'validation' or 'both', got {subset!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                                   or batch_size < 1):
        raise ValueError(f"{who}: batch_size must be an integer >= 1 or None, got {batch_size!r}")
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def _walk(folder: str, formats: tuple, follow_links: bool, skipped: list) -> list:
    """The listed files under ``folder``, as paths relative to its parent, in Keras's order."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0]):
        for name in sorted(files):
            path = os.path.join(root, name)
            if name.lower().endswith(formats):
                found.append(os.path.join(os.path.basename(folder), os.path.relpath(path, folder)))
            else:
                skipped.append(path)
    return found


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True, who="index_directory"):
    """``(file_paths, labels, class_names)`` as Keras lists them (see the module docstring);
    ``labels`` is an int32 array, or None."""
    directory = os.fspath(directory)
    if not os.path.exists(directory):
        raise FileNotFoundError(f"{who}: directory {directory!r} does not exist")
    if not os.path.isdir(directory):
        raise NotADirectoryError(f"{who}: {directory!r} is a file, not a directory")
    if labels == "inferred":
        folders = [name for name in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")]
        if class_names is not None:
            unknown = [c for c in class_names if c not in folders]
            if unknown:
                raise ValueError(f"{who}: class_names {unknown} are not sub-folders of {directory!r}, which has "
                                 f"{folders} (class_names must be these or some of them)")
            folders = list(class_names)
    else:
        if class_names is not None:
            raise ValueError(f"{who}: class_names can only be given with labels='inferred'")
        folders = [""]
    skipped, filenames, per_class = [], [], []
    for name in folders:
        found = _walk(os.path.join(directory, name), formats, follow_links, skipped)
        per_class.append(len(found))
        filenames += found
    if labels == "inferred":
        label_array = np.repeat(np.arange(len(folders), dtype=np.int32), per_class)
        empty = [name for name, n in zip(folders, per_class) if n == 0]
        if empty and filenames:
            _warn(f"{who}: the class folder(s) {empty} in {directory!r} hold no {'/'.join(formats)} files; "
                  "they stay in class_names with no examples (as Keras)")
    elif labels is None:
        label_array, folders = None, None
    else:
        if len(labels) != len(filenames):
            raise ValueError(f"{who}: labels has {len(labels)} entries but {len(filenames)} files were found in "
                             f"{directory!r} (one label per file, in the sorted order of the paths)")
        label_array = np.asarray(labels)
        if label_array.size and not np.issubdtype(label_array.dtype, np.integer):
            raise ValueError(f"{who}: labels must be integers, got {label_array.dtype} values")
        folders = [str(v) for v in sorted(set(label_array.tolist()))]
    if skipped and filenames:
        _warn(f"{who}: skipped {len(skipped)} file(s) without a {'/'.join(formats)} extension, e.g. "
              f"{skipped[0]!r}")
    if labels is None:
        _say(verbose, f"Found {len(filenames)} files.")
    else:
        _say(verbose, f"Found {len(filenames)} files belonging to {len(folders)} classes.")
    paths = [os.path.join(directory, name) for name in filenames]
    if shuffle:
        np.random.RandomState(seed).shuffle(paths)
        if label_array is not None:
            np.random.RandomState(seed).shuffle(label_array)
    return paths, label_array, folders


def split(paths, labels, validation_split, subset, directory, who="split", verbose=True):
    """The training (all but the last ``int(validation_split * n)``) or validation (those
    last) files. A split that leaves a side empty is refused (Keras would hand back none,
    or every file, for that side)."""
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    n_train = len(paths) - n_val
    if n_val == 0 or n_train == 0:
        raise ValueError(f"{who}: validation_split={validation_split} of the {len(paths)} files in {directory!r} "
                         f"leaves {n_train} for training and {n_val} for validation; both sides need at least "
                         "one file (add files or change validation_split)")
    if subset == "training":
        _say(verbose, f"Using {n_train} files for training.")
        return paths[:n_train], None if labels is None else labels[:n_train]
    _say(verbose, f"Using {n_val} files for validation.")
    return paths[n_train:], None if labels is None else labels[n_train:]


def _encode_labels(labels: np.ndarray, label_mode: str, num_classes: int) -> np.ndarray:
    if label_mode == "binary":
        return labels.astype(np.float32)[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    return labels.astype(np.int32)


def _folder_dataset(paths, labels, label_mode, num_classes, load, stack, batch_size, shuffle, seed):
    """The lazy dataset: file indices (reshuffled each epoch through a buffer of 8 batches,
    as Keras), files read by ``load`` one batch at a time."""
    from ..tf.tensor import Tensor  # noqa: PLC0415

    n = len(paths)
    encoded = None if label_mode is None else _encode_labels(np.asarray(labels), label_mode, num_classes)
    order = Dataset.range(n)
    if shuffle:
        order = order.shuffle(batch_size * 8 if batch_size is not None else 1024, seed=seed)
    step = batch_size or 1

    def element(chosen):
        x = stack([load(paths[i]) for i in chosen])
        if batch_size is None:
            x = x.reshape(x.shape[1:]) if isinstance(x, np.ndarray) else x[0]   # the one element (0-d for a text)
        x = x.view(Tensor) if isinstance(x, np.ndarray) else x                  # (or a RaggedTensor batch)
        if encoded is None:
            return x
        y = encoded[chosen] if batch_size is not None else encoded[chosen[0]]
        return x, np.asarray(y).view(Tensor)

    def run():
        chosen = []
        for i in order:
            chosen.append(int(i))
            if len(chosen) == step:
                yield element(chosen)
                chosen = []
        if chosen:
            yield element(chosen)

    folder = Dataset(run, math.ceil(n / step))
    folder._kind = "_PrefetchDataset"           # Keras's ends with .prefetch(AUTOTUNE)
    folder._unknown_batch = batch_size is not None      # batched without drop_remainder: (None, ...)
    return folder


def _from_directory(who, directory, formats, labels, label_mode, class_names, batch_size, shuffle, seed,
                    validation_split, subset, follow_links, verbose, load, stack, what):
    labels, label_mode = check_arguments(who, labels, label_mode, class_names, validation_split, subset,
                                         batch_size)
    if seed is None:
        from ..utils import rng  # noqa: PLC0415
        seed = int(rng().integers(1_000_000))
    paths, label_array, class_names = index_directory(directory, labels, formats, class_names, shuffle, seed,
                                                      follow_links, verbose, who)
    if not paths:
        raise ValueError(f"{who}: no {what} found in directory {os.fspath(directory)!r} (allowed extensions: "
                         f"{', '.join(formats)})")
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{who}: label_mode='binary' needs exactly 2 classes, got {len(class_names)}: {class_names}")
    num_classes = len(class_names) if class_names else 0
    sides = ("training", "validation") if subset == "both" else (subset,)
    datasets = []
    for side in sides:
        side_paths, side_labels = split(paths, label_array, validation_split, side, os.fspath(directory), who,
                                        verbose)
        ds = _folder_dataset(side_paths, side_labels, label_mode, num_classes, load, stack, batch_size,
                             shuffle and not (subset == "both" and side == "validation"), seed)
        ds.class_names = class_names
        ds.file_paths = list(side_paths)
        datasets.append(ds)
    return datasets if subset == "both" else datasets[0]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """A ``Dataset`` of ``(texts, labels)`` batches from ``.txt`` files in class folders
    (Keras's ``keras.utils.text_dataset_from_directory``). Each text is the file's bytes
    (``max_length``: its first ``max_length`` bytes), not decoded, as TensorFlow's.

    >>> train = text_dataset_from_directory("aclImdb/train", batch_size=32, validation_split=0.2,
    ...                                     subset="training", seed=42)  # doctest: +SKIP
    Found 25000 files belonging to 2 classes.
    Using 20000 files for training.
    """
    who = "text_dataset_from_directory"
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer))
                                   or max_length < 0):
        raise ValueError(f"{who}: max_length must be an integer >= 0 or None, got {max_length!r}")

    def load(path):
        try:
            with open(path, "rb") as f:
                data = f.read() if max_length is None else f.read(max_length + 1)
        except OSError as e:
            raise OSError(e.errno, f"{who}: cannot read {path}: {e.strerror}") from e
        truncated = max_length is not None and len(data) > max_length
        if truncated:
            data = data[:max_length]
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            cut = truncated and e.reason == "unexpected end of data"       # max_length split a character
            if not cut:
                _warn(f"{who}: {path} is not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start}); it is "
                      "passed on as bytes, as TensorFlow does, but text layers will refuse it: save it as UTF-8")
        return data

    def stack(items):
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out

    return _from_directory(who, directory, TEXT_FORMATS, labels, label_mode, class_names, batch_size, shuffle,
                           seed, validation_split, subset, follow_links, verbose, load, stack, "text files")


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, data_format=None,
                                 verbose=True):
    """A ``Dataset`` of ``(images, labels)`` batches from image files in class folders
    (Keras's ``keras.utils.image_dataset_from_directory``): each image decoded (JPEG, PNG,
    first frame of a GIF, BMP), converted to ``color_mode`` ("rgb", "rgba", "grayscale") and
    resized to ``image_size`` = (height, width) (``interpolation`` "bilinear" or "nearest";
    ``crop_to_aspect_ratio`` / ``pad_to_aspect_ratio`` keep the shape's proportions): float32
    ``(batch, height, width, channels)`` in 0..255.

    >>> train = image_dataset_from_directory("flower_photos", validation_split=0.2, subset="training",
    ...                                      seed=123, image_size=(180, 180))  # doctest: +SKIP
    Found 3670 files belonging to 5 classes.
    Using 2936 files for training.
    """
    from . import images  # noqa: PLC0415 - Pillow only when images are read

    who = "image_dataset_from_directory"
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if channels is None:
        raise ValueError(f"{who}: color_mode must be 'rgb', 'rgba' or 'grayscale', got {color_mode!r}")
    if isinstance(image_size, (int, np.integer)) and not isinstance(image_size, bool):
        image_size = (int(image_size), int(image_size))
    if (not isinstance(image_size, (list, tuple)) or len(image_size) != 2
            or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in image_size)):
        raise ValueError(f"{who}: image_size must be (height, width), two integers >= 1, got {image_size!r}")
    image_size = (int(image_size[0]), int(image_size[1]))
    interpolation = str(interpolation).lower()
    if interpolation not in images.INTERPOLATIONS:
        raise ValueError(f"{who}: interpolation must be one of {images.INTERPOLATIONS} in glassnet, got "
                         f"{interpolation!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{who}: give crop_to_aspect_ratio or pad_to_aspect_ratio, not both")
    data_format = data_format or "channels_last"     # glassnet's one image layout (keras.backend.image_data_format)
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{who}: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    images.pil()                                    # a missing Pillow is said now, not at the first batch

    def load(path):
        img = images.load_for_dataset(path, image_size, channels, interpolation, crop_to_aspect_ratio,
                                      pad_to_aspect_ratio, who)
        return img.transpose(2, 0, 1) if data_format == "channels_first" else img

    return _from_directory(who, directory, IMAGE_FORMATS, labels, label_mode, class_names, batch_size, shuffle,
                           seed, validation_split, subset, follow_links, verbose, load, np.stack, "images")
