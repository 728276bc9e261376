"""text_dataset_from_directory and image_dataset_from_directory (glassnet.data.directory):
file order, splits, labels, printed lines and pixels as real Keras 3.15 gives them
(tests/fixtures/keras_directory.json, made by tools/make_keras_directory.py), bad folders
refused by name, and small models trained with fit on both kinds of folder."""
from __future__ import annotations

import base64
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PIL")          # the image half needs Pillow (the "images" extra; in the test extra)

import glassnet as tf  # noqa: E402
from glassnet.data import directory  # noqa: E402

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "keras_directory.json").read_text())


def _write(root: Path, files: dict) -> Path:
    for name, data in files.items():
        path = root.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
    return root


@pytest.fixture
def text_root(tmp_path):
    return _write(tmp_path / "text", FIXTURE["text_files"])


@pytest.fixture
def image_root(tmp_path):
    return _write(tmp_path / "images", FIXTURE["image_files"])


def _rel(root, paths):
    return [os.path.relpath(p, root).replace(os.sep, "/") for p in paths]


def _kwargs(kwargs):
    return {k: tuple(v) if k == "image_size" else v for k, v in kwargs.items()}


@pytest.mark.parametrize("entry", FIXTURE["order"], ids=lambda e: f"{e['kind']}-seed{e['seed']}")
def test_file_order_labels_and_splits_match_keras(entry, text_root, image_root, capsys):
    root = text_root if entry["kind"] == "text" else image_root
    formats = directory.TEXT_FORMATS if entry["kind"] == "text" else directory.IMAGE_FORMATS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        paths, labels, names = directory.index_directory(str(root), "inferred", formats, seed=entry["seed"])
    assert capsys.readouterr().out.splitlines() == entry["printed"]
    assert names == entry["class_names"]
    assert _rel(root, paths) == entry["paths"]
    assert labels.dtype == np.int32 and labels.tolist() == entry["labels"]
    for split in (0.2, 0.35):
        for subset in ("training", "validation"):
            p, lab = directory.split(paths, labels, split, subset, str(root))
            want = entry[f"{subset}_{split}"]
            assert _rel(root, p) == want["paths"] and lab.tolist() == want["labels"]
            assert capsys.readouterr().out.splitlines() == want["printed"]


@pytest.mark.parametrize("call", FIXTURE["text_calls"], ids=lambda c: str(c["kwargs"]))
def test_text_batches_match_keras(call, text_root, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = tf.keras.utils.text_dataset_from_directory(str(text_root), shuffle=False, **call["kwargs"])
    assert capsys.readouterr().out.splitlines() == call["printed"]
    assert ds.class_names == call["class_names"]
    batches = list(ds)
    assert len(batches) == len(call["batches"]) == len(ds)
    for got, want in zip(batches, call["batches"]):
        x, y = got if isinstance(got, tuple) else (got, None)
        assert list(x.shape) == want["x_shape"] and x.dtype == object
        assert [bytes(t) for t in np.atleast_1d(x.numpy())] == [base64.b64decode(t) for t in want["x"]]
        if "y" in want:
            assert y.numpy().tolist() == want["y"] and str(y.numpy().dtype) == want["y_dtype"]
        else:
            assert y is None


@pytest.mark.parametrize("call", FIXTURE["image_calls"], ids=lambda c: str(c["kwargs"]))
def test_image_datasets_match_keras(call, image_root, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tf.keras.utils.image_dataset_from_directory(str(image_root), **_kwargs(call["kwargs"]))
    assert capsys.readouterr().out.splitlines() == call["printed"]
    sides = result if isinstance(result, list) else [result]
    assert len(sides) == len(call["sides"])
    for ds, want in zip(sides, call["sides"]):
        assert ds.class_names == want["class_names"]
        assert _rel(image_root, ds.file_paths) == want["file_paths"]
        assert int(ds.cardinality()) == want["cardinality"]
        if "x" not in want:
            continue
        elements = list(ds)
        xs = [e[0] if isinstance(e, tuple) else e for e in elements]
        x = np.concatenate(xs) if call["kwargs"].get("batch_size", 32) is not None else np.stack(xs)
        assert str(x.dtype) == want["x_dtype"] and list(xs[0].shape) == want["x_shape"]
        expected = np.array(want["x"])
        # JPEG and PNG decoded as TensorFlow's; the resize's float32 to the fixture's 4 decimals
        np.testing.assert_allclose(x, expected, atol=2e-3)
        if "y" in want:
            y = np.concatenate([e[1] for e in elements])
            assert y.tolist() == want["y"] and str(y.dtype) == want["y_dtype"]


def test_channels_first(image_root):
    kw = dict(shuffle=False, image_size=(5, 6), verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        last = np.concatenate([x for x, _ in tf.keras.utils.image_dataset_from_directory(str(image_root), **kw)])
        first = np.concatenate([x for x, _ in tf.keras.utils.image_dataset_from_directory(
            str(image_root), data_format="channels_first", **kw)])
    assert first.shape == (17, 3, 5, 6) and np.array_equal(first, last.transpose(0, 3, 1, 2))
    with pytest.raises(ValueError, match="data_format must be"):
        tf.keras.utils.image_dataset_from_directory(str(image_root), data_format="NCHW")


def test_training_and_validation_are_disjoint_and_reshuffled_each_epoch(image_root):
    kw = dict(validation_split=0.3, seed=11, image_size=(4, 4), batch_size=2, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train = tf.keras.utils.image_dataset_from_directory(str(image_root), subset="training", **kw)
        val = tf.keras.utils.image_dataset_from_directory(str(image_root), subset="validation", **kw)
    assert not set(train.file_paths) & set(val.file_paths)
    assert len(train.file_paths) + len(val.file_paths) == 17
    epochs = [np.concatenate([y for _, y in train]).tolist() for _ in range(4)]
    assert all(sorted(e) == sorted(epochs[0]) for e in epochs)
    assert len({tuple(e) for e in epochs}) > 1                 # a new order each epoch
    # subset="validation" alone is reshuffled too (Keras); subset="both" keeps validation's order
    paths = [p for p in val.file_paths]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both_train, both_val = tf.keras.utils.image_dataset_from_directory(str(image_root), subset="both", **kw)
    assert both_val.file_paths == paths and both_train.file_paths == train.file_paths
    orders = {np.concatenate([x for x, _ in both_val]).tobytes() for _ in range(4)}
    assert len(orders) == 1
    assert len({np.concatenate([x for x, _ in val]).tobytes() for _ in range(6)}) > 1


def test_files_are_read_batch_by_batch(tmp_path, monkeypatch):
    for i in range(10):
        (tmp_path / "c" / f"{i}.txt").parent.mkdir(exist_ok=True)
        (tmp_path / "c" / f"{i}.txt").write_text(f"text {i}")
    ds = tf.keras.utils.text_dataset_from_directory(str(tmp_path), batch_size=3, shuffle=False, verbose=False)
    opened = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    first = next(iter(ds))
    assert len(opened) == 3 and [bytes(t) for t in first[0].numpy()] == [b"text 0", b"text 1", b"text 2"]


def test_undecodable_text_is_named_and_passed_on_as_bytes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "latin1.txt").write_bytes("caf\u00e9".encode("latin-1"))
    (tmp_path / "a" / "utf8.txt").write_bytes("caf\u00e9 \u00e9t\u00e9".encode())
    ds = tf.keras.utils.text_dataset_from_directory(str(tmp_path), shuffle=False, verbose=False)
    with pytest.warns(UserWarning, match=r"latin1\.txt is not UTF-8 text \(byte 0xe9 at offset 3\)") as record:
        texts, _ = next(iter(ds))
    assert len(record) == 1                                     # the UTF-8 file is not named
    assert [bytes(t) for t in texts.numpy()] == [b"caf\xe9", "caf\u00e9 \u00e9t\u00e9".encode()]
    short = tf.keras.utils.text_dataset_from_directory(str(tmp_path / "a"), labels=None, max_length=4,
                                                       shuffle=False, verbose=False)
    with pytest.warns(UserWarning) as record:                   # the cut inside "\u00e9" is not an error
        assert [bytes(t) for t in next(iter(short)).numpy()] == [b"caf\xe9", b"caf\xc3"]
    assert [str(r.message).split(": ")[1].split(" is")[0][-10:] for r in record] == ["latin1.txt"]


def test_labels_as_a_list_and_batch_size_none(tmp_path):
    for name in ("b.txt", "a.txt", "c.txt"):
        (tmp_path / name).write_text(name)
    ds = tf.keras.utils.text_dataset_from_directory(str(tmp_path), labels=[1, 0, 1], batch_size=None,
                                                    shuffle=False, verbose=False)
    assert ds.class_names == ["0", "1"]
    got = [(bytes(x.numpy()), int(y.numpy())) for x, y in ds]
    assert got == [(b"a.txt", 1), (b"b.txt", 0), (b"c.txt", 1)]         # labels follow the sorted paths


# -- bad folders and arguments --------------------------------------------------------------
def test_missing_folder_and_file_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="directory .*nowhere.* does not exist"):
        tf.keras.utils.image_dataset_from_directory(str(tmp_path / "nowhere"))
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(NotADirectoryError, match="f.txt.* is a file"):
        tf.keras.utils.text_dataset_from_directory(str(tmp_path / "f.txt"))


def test_argument_errors(tmp_path, image_root):
    f = tf.keras.utils.image_dataset_from_directory
    with pytest.raises(ValueError, match="subset and validation_split go together"):
        f(str(image_root), subset="training")
    with pytest.raises(ValueError, match="subset and validation_split go together"):
        f(str(image_root), validation_split=0.2)
    with pytest.raises(ValueError, match="validation_split must be between 0 and 1"):
        f(str(image_root), validation_split=1.5, subset="training")
    with pytest.raises(ValueError, match="subset must be 'training', 'validation' or 'both'"):
        f(str(image_root), validation_split=0.2, subset="train")
    with pytest.raises(ValueError, match="label_mode must be"):
        f(str(image_root), label_mode="sparse")
    with pytest.raises(ValueError, match="color_mode must be"):
        f(str(image_root), color_mode="cmyk")
    with pytest.raises(ValueError, match="image_size must be"):
        f(str(image_root), image_size=(0, 5))
    with pytest.raises(ValueError, match="not sub-folders"):
        f(str(image_root), class_names=["cats", "birds"], verbose=False)
    with pytest.raises(ValueError, match="label_mode='binary' needs exactly 2 classes, got 3"):
        f(str(image_root), label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="labels has 2 entries but 17 files"):
        f(str(image_root), labels=[0, 1], verbose=False)
    with pytest.raises(ValueError, match="batch_size must be"):
        f(str(image_root), batch_size=0)


def test_a_split_that_leaves_a_side_empty_is_refused(tmp_path):
    for i in range(3):
        (tmp_path / "a").mkdir(exist_ok=True)
        (tmp_path / "a" / f"{i}.txt").write_text("x")
    for subset in ("training", "validation", "both"):
        with pytest.raises(ValueError, match=r"validation_split=0.2 of the 3 files .* leaves 3 for training and 0"):
            tf.keras.utils.text_dataset_from_directory(str(tmp_path), validation_split=0.2, subset=subset, seed=1,
                                                       verbose=False)


def test_empty_folder_and_empty_class(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "notes.md").write_text("not an image")
    with pytest.raises(ValueError, match=r"no images found in directory .* \(allowed extensions: .bmp"):
        tf.keras.utils.image_dataset_from_directory(str(tmp_path), verbose=False)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.txt").write_text("text")
    with pytest.warns(UserWarning, match=r"class folder\(s\) \['a'\] .* hold no .txt files") as record:
        ds = tf.keras.utils.text_dataset_from_directory(str(tmp_path), verbose=False)
    assert record[0].filename == __file__                      # the warning points at the caller's line
    assert ds.class_names == ["a", "b"] and [y.tolist() for _, y in ds] == [[1]]


def test_corrupt_and_text_images_are_named_at_their_batch(tmp_path):
    from PIL import Image
    (tmp_path / "a").mkdir()
    Image.new("RGB", (4, 4), "red").save(tmp_path / "a" / "good.png")
    (tmp_path / "a" / "story.jpg").write_text("Once upon a time, this was not a JPEG.")
    ds = tf.keras.utils.image_dataset_from_directory(str(tmp_path), shuffle=False, image_size=(4, 4),
                                                     batch_size=1, verbose=False)
    it = iter(ds)
    x, _ = next(it)
    assert np.all(x.numpy()[0, :, :, 0] == 255)
    with pytest.raises(ValueError, match=r"story\.jpg is not an image .*looks like text: 'Once upon a time"):
        next(it)
    good = (tmp_path / "a" / "good.png").read_bytes()
    (tmp_path / "a" / "story.jpg").write_bytes(good[: len(good) // 2])        # a truncated PNG
    with pytest.raises(ValueError, match=r"story\.jpg"):
        list(ds)


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path):
    import struct
    import zlib
    # a valid PNG header declaring 40,000 x 40,000 pixels, with almost no data
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data  # noqa: E731
                                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "bomb.png").write_bytes(png)
    ds = tf.keras.utils.image_dataset_from_directory(str(tmp_path), verbose=False)
    with pytest.raises(ValueError, match=r"bomb\.png declares .*1600000000 pixels.*refused before decoding"):
        list(ds)
    with pytest.raises(ValueError, match="refused before decoding"):
        tf.keras.utils.load_img(str(tmp_path / "a" / "bomb.png"))
    with pytest.raises(ValueError, match="refused before decoding"):
        tf.io.decode_png(png)
    ihdr = struct.pack(">IIBBBBB", 10000, 10000, 8, 2, 0, 0, 0)           # under Pillow's own hard limit
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")
    with pytest.raises(ValueError, match=r"declares 10000 x 10000 pixels, more than MAX_IMAGE_PIXELS=89478485"):
        tf.io.decode_image(png)


# -- training on folders ---------------------------------------------------------------------
def test_fit_on_an_image_folder(tmp_path):
    from PIL import Image
    rng = np.random.default_rng(0)
    for cls, colour in (("dark", 40), ("light", 210)):
        (tmp_path / cls).mkdir()
        for i in range(12):
            a = np.clip(colour + rng.normal(0, 20, size=(10, 12, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(a).save(tmp_path / cls / f"{i}.png")
    kw = dict(validation_split=0.25, seed=3, image_size=(8, 8), batch_size=6, verbose=False)
    train = tf.keras.utils.image_dataset_from_directory(str(tmp_path), subset="training", **kw)
    val = tf.keras.utils.image_dataset_from_directory(str(tmp_path), subset="validation", **kw)
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((8, 8, 3)), tf.keras.layers.Rescaling(1 / 255),
                                 tf.keras.layers.Flatten(), tf.keras.layers.Dense(2)])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(train.cache().shuffle(100).prefetch(tf.data.AUTOTUNE), validation_data=val, epochs=8,
                        verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    # the shuffles are TF's under the seeds (Keras 3.15 itself reaches 1.0 at epochs 2 and 8 here,
    # 0.33 between): some epoch classifies the held-out images
    assert max(history.history["val_accuracy"]) == 1.0


def test_fit_on_a_text_folder(tmp_path):
    """The "Basic text classification" tutorial's pipeline on a small folder: TextVectorization
    adapted on the texts (bytes), the dataset mapped to ids, Embedding -> pooling -> Dense."""
    rng = np.random.default_rng(1)
    vocab = {"pos": ["great", "fun", "superb", "love"], "neg": ["awful", "dull", "bad", "hate"]}
    for cls, words in vocab.items():
        (tmp_path / cls).mkdir()
        for i in range(15):
            (tmp_path / cls / f"{i}.txt").write_text(" ".join(rng.choice(words + ["film", "plot<br />"], size=6)))
    raw = tf.keras.utils.text_dataset_from_directory(str(tmp_path), batch_size=8, seed=42, validation_split=0.2,
                                                     subset="training", verbose=False)
    assert raw.class_names == ["neg", "pos"]
    vectorize = tf.keras.layers.TextVectorization(max_tokens=20, output_mode="int", output_sequence_length=8)
    vectorize.adapt(raw.map(lambda x, y: x))
    assert {"great", "awful", "film"} <= set(vectorize.get_vocabulary())

    def to_ids(text, label):
        return vectorize(tf.expand_dims(text, -1)), label

    train = raw.map(to_ids).cache().prefetch(buffer_size=tf.data.AUTOTUNE)
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Embedding(20, 8), tf.keras.layers.GlobalAveragePooling1D(),
                                 tf.keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train, epochs=15, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0


def test_follow_links(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linked.txt").write_text("through a link")
    (tmp_path / "data" / "a").mkdir(parents=True)
    (tmp_path / "data" / "a" / "own.txt").write_text("own")
    os.symlink(tmp_path / "elsewhere", tmp_path / "data" / "a" / "more")
    plain = tf.keras.utils.text_dataset_from_directory(str(tmp_path / "data"), shuffle=False, verbose=False)
    followed = tf.keras.utils.text_dataset_from_directory(str(tmp_path / "data"), shuffle=False, verbose=False,
                                                          follow_links=True)
    assert _rel(tmp_path / "data", plain.file_paths) == ["a/own.txt"]
    assert _rel(tmp_path / "data", followed.file_paths) == ["a/own.txt", "a/more/linked.txt"]
