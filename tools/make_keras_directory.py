"""Make tests/fixtures/keras_directory.json: what real Keras 3.15 (TensorFlow 2.21) does with a
small folder of text files and one of images, for tests/test_directory_datasets.py.

Run with the peers' Python (TensorFlow, Keras; no Pillow needed):

    /work/peers/bin/python tools/make_keras_directory.py

The folders are generated here (images encoded by TensorFlow) and stored in the fixture
byte for byte (base64), so the test rebuilds exactly the same files. Recorded, for each
call: the printed lines ("Found 17 files belonging to 3 classes."), class_names, the file
order (``file_paths`` for images; for text, Keras's own ``index_directory`` and split, as the
text dataset keeps no file_paths), the batches with shuffle=False (texts and labels;
image pixels for several resize options) and the label encodings; and tf.io.decode_jpeg's pixels
for JPEGs of several shapes, chroma samplings and progressive scans.
"""
from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import sys
import tempfile

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras.src.utils import dataset_utils  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras_directory.json")


def text_files() -> dict:
    rng = np.random.default_rng(0)
    words = ["good", "bad", "film", "plot", "great", "awful", "actor", "scene", "boring", "fun"]
    files = {}
    for cls, n in (("neg", 6), ("pos", 5)):
        for i in range(n):
            text = " ".join(rng.choice(words, size=3 + i)) + f" ({cls} {i})"
            files[f"{cls}/{cls}_{i}.txt"] = text.encode()
    files["pos/deeper/pos_nested.txt"] = "caf\u00e9 is great".encode()       # a sub-folder, UTF-8 bytes
    files["neg/readme.md"] = b"not listed"                                   # skipped: not .txt
    files[".hidden/h.txt"] = b"hidden class folder"                          # skipped: hidden folder
    files["empty_class/.keep"] = b""                                         # a class with no file
    return files


def image_files() -> dict:
    rng = np.random.default_rng(1)
    files = {}

    def png(a):
        return tf.io.encode_png(a).numpy()

    for cls, n in (("cats", 6), ("dogs", 5), ("fish", 3)):
        for i in range(n):
            h, w = 5 + i, 7 + 2 * (i % 3)
            a = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
            if i % 3 == 1:
                files[f"{cls}/{cls}_{i}.jpg"] = tf.io.encode_jpeg(a, quality=90).numpy()
            else:
                files[f"{cls}/{cls}_{i}.png"] = png(a)
    files["cats/grey.PNG"] = png(rng.integers(0, 256, size=(6, 4, 1), dtype=np.uint8))      # upper-case ext
    files["dogs/alpha.png"] = png(rng.integers(0, 256, size=(4, 9, 4), dtype=np.uint8))     # RGBA
    files["fish/deep/nested.png"] = png(rng.integers(0, 256, size=(9, 3, 3), dtype=np.uint8))
    files["fish/notes.txt"] = b"skipped: not an image extension"
    return files


def write(folder: str, files: dict) -> None:
    for name, data in files.items():
        path = os.path.join(folder, *name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def printed(fn):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        out = fn()
    return out, [line for line in buf.getvalue().splitlines() if line.strip()]


def rel(root, paths):
    return [os.path.relpath(p, root).replace(os.sep, "/") for p in paths]


def main() -> None:
    fixture = {"keras": keras.__version__, "tensorflow": tf.__version__}
    tmp = tempfile.mkdtemp()
    text_root, image_root = os.path.join(tmp, "text"), os.path.join(tmp, "images")
    texts, images = text_files(), image_files()
    write(text_root, texts)
    write(image_root, images)
    fixture["text_files"] = {k: base64.b64encode(v).decode() for k, v in texts.items()}
    fixture["image_files"] = {k: base64.b64encode(v).decode() for k, v in images.items()}

    # -- the file order and split, as Keras lists them -----------------------------------------
    order = []
    for seed in (42, 7, 1337):
        for formats, root in (((".txt",), text_root), ((".bmp", ".gif", ".jpeg", ".jpg", ".png"), image_root)):
            (paths, labels, names), lines = printed(lambda: dataset_utils.index_directory(
                root, "inferred", formats=formats, shuffle=True, seed=seed))
            entry = {"kind": "text" if formats == (".txt",) else "image", "seed": seed, "printed": lines,
                     "paths": rel(root, paths), "labels": [int(v) for v in labels], "class_names": names}
            for split in (0.2, 0.35):
                for subset in ("training", "validation"):
                    (p, lab), sl = printed(lambda: dataset_utils.get_training_or_validation_split(
                        paths, labels, split, subset))
                    entry[f"{subset}_{split}"] = {"paths": rel(root, p), "labels": [int(v) for v in lab],
                                                  "printed": sl}
            order.append(entry)
    fixture["order"] = order

    # -- text batches, shuffle=False ------------------------------------------------------------
    text_calls = []
    for kwargs in ({"label_mode": "int", "batch_size": 4}, {"label_mode": "categorical", "batch_size": 5},
                   {"label_mode": "binary", "batch_size": 3, "class_names": ["neg", "pos"]},
                   {"label_mode": None, "batch_size": 4, "max_length": 6},
                   {"labels": None, "batch_size": None},
                   {"label_mode": "int", "batch_size": 4, "validation_split": 0.25, "subset": "validation",
                    "seed": 3}):
        ds, lines = printed(lambda: keras.utils.text_dataset_from_directory(text_root, shuffle=False, **kwargs))
        batches = []
        for element in ds:
            if isinstance(element, tuple):
                x, y = element
                batches.append({"x": [base64.b64encode(t).decode() for t in np.atleast_1d(x.numpy())],
                                "y": y.numpy().tolist(), "y_dtype": str(y.numpy().dtype),
                                "x_shape": list(x.shape)})
            else:
                batches.append({"x": [base64.b64encode(t).decode() for t in np.atleast_1d(element.numpy())],
                                "x_shape": list(element.shape)})
        text_calls.append({"kwargs": kwargs, "printed": lines, "class_names": ds.class_names, "batches": batches})
    fixture["text_calls"] = text_calls

    # -- image datasets: file_paths with a seed, pixels with shuffle=False -------------------------
    image_calls = []
    for kwargs in ({"validation_split": 0.2, "subset": "training", "seed": 123, "image_size": (8, 8)},
                   {"validation_split": 0.2, "subset": "validation", "seed": 123, "image_size": (8, 8)},
                   {"validation_split": 0.3, "subset": "both", "seed": 5, "image_size": (8, 8), "batch_size": 4},
                   {"shuffle": False, "image_size": (6, 5), "batch_size": 32},
                   {"shuffle": False, "image_size": (4, 11), "interpolation": "nearest", "color_mode": "grayscale"},
                   {"shuffle": False, "image_size": (4, 6), "interpolation": "bicubic"},
                   {"shuffle": False, "image_size": (3, 4), "interpolation": "area"},
                   {"shuffle": False, "image_size": (7, 7), "crop_to_aspect_ratio": True},
                   {"shuffle": False, "image_size": (7, 9), "pad_to_aspect_ratio": True, "label_mode": "categorical"},
                   {"shuffle": False, "image_size": (5, 5), "label_mode": None, "batch_size": None}):
        result, lines = printed(lambda: keras.utils.image_dataset_from_directory(image_root, **kwargs))
        sides = result if isinstance(result, list) else [result]
        record = {"kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
                  "printed": lines, "sides": []}
        for ds in sides:
            side = {"class_names": ds.class_names, "file_paths": rel(image_root, ds.file_paths),
                    "cardinality": int(ds.cardinality())}
            if kwargs.get("shuffle", True) is False:           # pixels only where the order is Keras's own
                xs, ys = [], []
                for element in ds:
                    x, y = element if isinstance(element, tuple) else (element, None)
                    xs.append(x.numpy())
                    if y is not None:
                        ys.append(y.numpy())
                side["x_dtype"] = str(xs[0].dtype)
                side["x_shape"] = list(xs[0].shape)
                x = np.concatenate(xs) if kwargs.get("batch_size", 32) is not None else np.stack(xs)
                side["x"] = np.round(x.astype(np.float64), 4).tolist()
                if ys:
                    y = np.concatenate(ys)
                    side["y"] = y.tolist()
                    side["y_dtype"] = str(y.dtype)
            record["sides"].append(side)
        image_calls.append(record)
    fixture["image_calls"] = image_calls

    # -- tf.io.decode_jpeg on JPEGs of several shapes, chroma samplings and progressive scans -----
    rng = np.random.default_rng(2)
    jpegs = []
    for h, w in ((23, 29), (1, 1), (1, 9), (9, 1), (2, 3), (17, 16)):
        a = np.clip(rng.integers(0, 128, size=(h, w, 3)) + np.linspace(0, 120, w)[None, :, None], 0, 255)
        a = a.astype(np.uint8)
        for chroma in (True, False):
            for progressive in (False, True):
                data = tf.io.encode_jpeg(a, quality=85, chroma_downsampling=chroma, progressive=progressive).numpy()
                jpegs.append({"bytes": base64.b64encode(data).decode(),
                              **{f"channels_{c}": tf.io.decode_jpeg(data, channels=c).numpy().tolist()
                                 for c in (0, 1, 3)}})
        data = tf.io.encode_jpeg(a[..., :1], quality=85).numpy()                   # a grey JPEG
        jpegs.append({"bytes": base64.b64encode(data).decode(),
                      **{f"channels_{c}": tf.io.decode_jpeg(data, channels=c).numpy().tolist() for c in (0, 1, 3)}})
    fixture["jpeg_decodes"] = jpegs

    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {os.path.abspath(OUT)} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
