"""Keras's other beginner datasets (Fashion-MNIST, CIFAR-10/100, Boston housing): read from
generated files in each of Keras's cache layouts, downloaded through a fake network, and
refused with a clear message when a file is wrong. No network, no real data."""
import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

import glassnet
from glassnet.datasets import boston_housing, cifar10, cifar100, fashion_mnist


@pytest.fixture
def homes(tmp_path, monkeypatch):
    """glassnet's and Keras's caches in a temporary folder: (ours, keras's) datasets folders."""
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "gn"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    for module in (fashion_mnist, boston_housing, cifar10, cifar100):
        monkeypatch.setattr(module, "_urlopen", lambda *a: pytest.fail("no download expected"))
    return tmp_path / "gn" / "datasets", tmp_path / "keras" / "datasets"


class _Response(io.BytesIO):
    def __init__(self, payload):
        super().__init__(payload)
        self.headers = {"Content-Length": str(len(payload))}


def _serve(monkeypatch, module, files):
    """``module`` downloads from ``files`` (url -> bytes); returns the list of urls asked for."""
    asked = []

    def urlopen(url, timeout):
        asked.append(url)
        if url not in files:
            raise OSError(f"no such url {url}")
        return _Response(files[url])
    monkeypatch.setattr(module, "_urlopen", urlopen)
    return asked


# --- Fashion-MNIST ---------------------------------------------------------------------------

def _idx(arr):
    return bytes([0, 0, 8, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape) + arr.tobytes()


def _fashion(seed=0, n=(6, 4)):
    rng = np.random.default_rng(seed)
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (n[0], 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n[0], dtype=np.uint8),
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n[1], 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n[1], dtype=np.uint8)}
    return arrays, {name: gzip.compress(_idx(arr)) for name, arr in arrays.items()}


def _write_files(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, raw in files.items():
        (folder / name).write_bytes(raw)


def _assert_fashion(loaded, arrays):
    (x, y), (xt, yt) = loaded
    assert x.dtype == y.dtype == np.uint8 and x.shape[1:] == (28, 28)
    np.testing.assert_array_equal(x, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(xt, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(yt, arrays["t10k-labels-idx1-ubyte.gz"])


def test_fashion_mnist_found_in_kerass_cache_under_the_keras_name(homes):
    ours, keras = homes
    arrays, files = _fashion()
    _write_files(keras / "fashion-mnist", files)
    _assert_fashion(glassnet.keras.datasets.fashion_mnist.load_data(), arrays)
    assert not ours.exists()                 # read where it was, nothing copied


def test_fashion_mnist_prefers_glassnets_cache_and_takes_a_folder(homes, tmp_path):
    ours, keras = homes
    mine, theirs = _fashion(1), _fashion(2)
    _write_files(ours / "fashion-mnist", mine[1])
    _write_files(keras / "fashion-mnist", theirs[1])
    _assert_fashion(fashion_mnist.load_data(), mine[0])
    _assert_fashion(fashion_mnist.load_data(path=keras / "fashion-mnist"), theirs[0])
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        fashion_mnist.load_data(path=tmp_path / "nowhere")


def test_fashion_mnist_downloads_what_is_missing_checks_it_then_keeps_it(homes, monkeypatch):
    ours, _ = homes
    arrays, files = _fashion()
    _write_files(ours / "fashion-mnist", {"train-labels-idx1-ubyte.gz": files["train-labels-idx1-ubyte.gz"]})
    asked = _serve(monkeypatch, fashion_mnist, {fashion_mnist.URL + name: raw for name, raw in files.items()})
    _assert_fashion(fashion_mnist.load_data(), arrays)
    assert sorted(asked) == sorted(fashion_mnist.URL + n for n in files if n != "train-labels-idx1-ubyte.gz")
    assert sorted(os.listdir(ours / "fashion-mnist")) == sorted(files)      # no temporary file left
    monkeypatch.setattr(fashion_mnist, "_urlopen", lambda *a: pytest.fail("read from the cache"))
    _assert_fashion(fashion_mnist.load_data(), arrays)


def test_fashion_mnist_download_that_is_not_fashion_mnist_is_discarded(homes, monkeypatch):
    ours, _ = homes
    _, files = _fashion()
    files["t10k-labels-idx1-ubyte.gz"] = gzip.compress(_idx(np.array([3, 12, 1, 0], np.uint8)))
    _serve(monkeypatch, fashion_mnist, {fashion_mnist.URL + name: raw for name, raw in files.items()})
    with pytest.raises(ValueError, match=r"a test label is 12, outside 0\.\.9; the download was discarded"):
        fashion_mnist.load_data()
    assert os.listdir(ours / "fashion-mnist") == []


def test_fashion_mnist_offline_says_where_to_put_the_files(homes, monkeypatch):
    ours, _ = homes
    _serve(monkeypatch, fashion_mnist, {})
    with pytest.raises(ConnectionError) as info:
        fashion_mnist.load_data()
    msg = str(info.value)
    assert "could not download" in msg and str(ours / "fashion-mnist") in msg and "path=" in msg


@pytest.mark.parametrize("damage, message", [
    (lambda raw: raw[:-7], "cannot read"),                                   # a cut gzip stream
    (lambda raw: gzip.compress(_idx(np.zeros((6, 27, 28), np.uint8))), "not 28x28"),
    (lambda raw: b"plain text, not gzip", "not a gzip file"),
])
def test_fashion_mnist_bad_file_is_named(homes, damage, message):
    _, keras = homes
    _, files = _fashion()
    files["train-images-idx3-ubyte.gz"] = damage(files["train-images-idx3-ubyte.gz"])
    _write_files(keras / "fashion-mnist", files)
    with pytest.raises(ValueError, match=message) as info:
        fashion_mnist.load_data()
    assert "fashion_mnist.load_data" in str(info.value)


# --- Boston housing --------------------------------------------------------------------------

def _boston(rows=21):
    rng = np.random.default_rng(0)
    return rng.random((rows, 13)) * 100, rng.random(rows) * 50


def _npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_boston_housing_split_as_keras_splits_it(homes):
    _, keras = homes
    x, y = _boston()
    keras.mkdir(parents=True)
    (keras / "boston_housing.npz").write_bytes(_npz(x=x, y=y))
    order = np.arange(len(x))
    np.random.RandomState(113).shuffle(order)          # Keras's shuffle and cut, written out
    cut = int(len(x) * 0.8)
    (xt, yt), (xv, yv) = boston_housing.load_data(path=keras / "boston_housing.npz")
    np.testing.assert_array_equal(xt, x[order][:cut])
    np.testing.assert_array_equal(yv, y[order][cut:])
    assert xt.dtype == np.float64 and xv.shape == (len(x) - cut, 13)
    (xt2, _), (xv2, _) = boston_housing.load_data(path=keras / "boston_housing.npz", test_split=0.5, seed=1)
    assert len(xt2) == 10 and not np.array_equal(xt2, xt[:10])


def test_boston_housing_uses_kerass_copy_only_when_it_is_kerass_file(homes, monkeypatch):
    ours, keras = homes
    keras.mkdir(parents=True)
    x, y = _boston()
    payload = _npz(x=x, y=y)
    (keras / "boston_housing.npz").write_bytes(payload)
    monkeypatch.setattr(boston_housing, "SHA256", hashlib.sha256(payload).hexdigest())
    (_, _), (xv, _) = boston_housing.load_data()
    assert len(xv) == 5
    monkeypatch.setattr(boston_housing, "SHA256", "0" * 64)      # not Keras's: download ours
    asked = _serve(monkeypatch, boston_housing, {boston_housing.URL: payload})
    with pytest.raises(ValueError, match="SHA-256"):
        boston_housing.load_data()
    assert asked == [boston_housing.URL] and not (ours / "boston_housing.npz").exists()
    monkeypatch.setattr(boston_housing, "SHA256", hashlib.sha256(payload).hexdigest())
    (keras / "boston_housing.npz").unlink()
    boston_housing.load_data()
    assert (ours / "boston_housing.npz").read_bytes() == payload


@pytest.mark.parametrize("kwargs, message", [
    ({"test_split": 1.0}, "test_split must be a number in"),
    ({"test_split": "0.2"}, "test_split must be a number in"),
])
def test_boston_housing_bad_arguments(homes, kwargs, message):
    with pytest.raises(ValueError, match=message):
        boston_housing.load_data(**kwargs)


def test_boston_housing_bad_files(homes, tmp_path):
    (tmp_path / "a.npz").write_bytes(_npz(x=np.zeros((3, 13))))
    with pytest.raises(ValueError, match="lacks the array 'y'"):
        boston_housing.load_data(path=tmp_path / "a.npz")
    (tmp_path / "b.npz").write_bytes(_npz(x=np.zeros((3, 13)), y=np.zeros(4)))
    with pytest.raises(ValueError, match=r"x must be \(N, features\) and y \(N,\)"):
        boston_housing.load_data(path=tmp_path / "b.npz")
    (tmp_path / "c.npz").write_bytes(_npz(x=np.array([object()] * 3), y=np.zeros(3)))
    with pytest.raises(ValueError, match="cannot read"):
        boston_housing.load_data(path=tmp_path / "c.npz")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        boston_housing.load_data(path=tmp_path / "missing.npz")


# --- CIFAR-10 and CIFAR-100 ------------------------------------------------------------------

def _batch(rng, n, keys=("labels",), classes=(10,)):
    d = {b"batch_label": b"training batch", b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
         b"filenames": [b"x.png"] * n}
    for key, k in zip(keys, classes):
        d[key.encode()] = [int(v) for v in rng.integers(0, k, n)]
    return pickle.dumps(d, protocol=4)


def _cifar10_files(seed=0, n=3):
    rng = np.random.default_rng(seed)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    return {name: _batch(rng, n) for name in names}


def _expected(files, names, key):
    batches = [pickle.loads(files[n]) for n in names]
    x = np.concatenate([b[b"data"] for b in batches]).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    y = np.array([v for b in batches for v in b[key.encode()]]).reshape(-1, 1)
    return x, y


def _tar(folder, files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, raw in {**files, "readme.html": b"<html>"}.items():
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


def _assert_cifar10(loaded, files):
    (x, y), (xt, yt) = loaded
    ex, ey = _expected(files, [f"data_batch_{i}" for i in range(1, 6)], "labels")
    tx, ty = _expected(files, ["test_batch"], "labels")
    assert x.dtype == y.dtype == np.uint8 and x.shape == (15, 32, 32, 3) and y.shape == (15, 1)
    np.testing.assert_array_equal(x, ex)
    np.testing.assert_array_equal(y, ey)
    np.testing.assert_array_equal(xt, tx)
    np.testing.assert_array_equal(yt, ty)


@pytest.mark.parametrize("layout", ["cifar-10-batches-py-target/cifar-10-batches-py",   # Keras 3
                                    "cifar-10-batches-py"])                              # tf.keras 2
def test_cifar10_found_in_each_of_kerass_cache_layouts(homes, layout):
    _, keras = homes
    files = _cifar10_files()
    _write_files(keras / layout, files)
    _assert_cifar10(glassnet.keras.datasets.cifar10.load_data(), files)


def test_cifar10_from_a_folder_or_the_archive(homes, tmp_path):
    files = _cifar10_files()
    _write_files(tmp_path / "mine" / "cifar-10-batches-py", files)
    _assert_cifar10(cifar10.load_data(path=tmp_path / "mine"), files)
    _assert_cifar10(cifar10.load_data(path=tmp_path / "mine" / "cifar-10-batches-py"), files)
    (tmp_path / "c.tar.gz").write_bytes(_tar("cifar-10-batches-py", files))
    _assert_cifar10(cifar10.load_data(path=tmp_path / "c.tar.gz"), files)
    with pytest.raises(FileNotFoundError, match="neither the archive"):
        cifar10.load_data(path=tmp_path)


def test_cifar10_download_checked_unpacked_and_kept(homes, monkeypatch):
    ours, _ = homes
    files = _cifar10_files()
    archive = _tar("cifar-10-batches-py", files)
    monkeypatch.setattr(cifar10._cifar, "CIFAR10", cifar10._cifar.replace(
        cifar10._cifar.CIFAR10, sha256=hashlib.sha256(archive).hexdigest()))
    asked = _serve(monkeypatch, cifar10, {cifar10.URL: archive})
    _assert_cifar10(cifar10.load_data(), files)
    assert asked == [cifar10.URL]
    assert sorted(os.listdir(ours / "cifar-10-batches-py")) == sorted(files)   # the batches, not the html
    monkeypatch.setattr(cifar10, "_urlopen", lambda *a: pytest.fail("read from the cache"))
    _assert_cifar10(cifar10.load_data(), files)


@pytest.mark.parametrize("name", ["cifar-10-batches-py-target_archive", "cifar-10-batches-py.tar.gz"])
def test_cifar10_archive_left_in_kerass_cache_is_used_when_it_is_kerass(homes, monkeypatch, name):
    ours, keras = homes
    files = _cifar10_files()
    archive = _tar("cifar-10-batches-py", files)
    keras.mkdir(parents=True)
    (keras / name).write_bytes(archive)
    _serve(monkeypatch, cifar10, {})                    # offline
    with pytest.raises(ConnectionError):                # not Keras's file (its hash): not used, a download
        cifar10.load_data()
    monkeypatch.setattr(cifar10._cifar, "CIFAR10", cifar10._cifar.replace(
        cifar10._cifar.CIFAR10, sha256=hashlib.sha256(archive).hexdigest()))
    _assert_cifar10(cifar10.load_data(), files)
    assert sorted(os.listdir(ours / "cifar-10-batches-py")) == sorted(files)   # unpacked once, into ours


def test_cifar10_download_with_the_wrong_hash_is_discarded(homes, monkeypatch):
    ours, _ = homes
    _serve(monkeypatch, cifar10, {cifar10.URL: _tar("cifar-10-batches-py", _cifar10_files())})
    with pytest.raises(ValueError, match="SHA-256 .* expected 6d958be0"):
        cifar10.load_data()
    assert not (ours / "cifar-10-batches-py").exists() or os.listdir(ours / "cifar-10-batches-py") == []


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo owned > /dev/null",))


@pytest.mark.parametrize("payload, message", [
    (pickle.dumps({b"data": _Exploit(), b"labels": []}), "refused to build"),
    (pickle.dumps([1, 2, 3]), "holds a list"),
    (pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}), r"uint8 \(N, 3072\)"),
    (pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}), "a list of 2 labels"),
    (pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]}), "not an integer in 0..9"),
    (b"not a pickle", "cannot read test_batch"),
])
def test_cifar10_bad_or_hostile_batch_is_refused_without_running_it(homes, tmp_path, payload, message):
    files = _cifar10_files()
    files["test_batch"] = payload
    _write_files(tmp_path / "c", files)
    with pytest.raises(ValueError, match=message) as info:
        cifar10.load_data(path=tmp_path / "c")
    assert "cifar10.load_data" in str(info.value)


def test_cifar100_fine_and_coarse_labels(homes):
    _, keras = homes
    rng = np.random.default_rng(3)
    files = {name: _batch(rng, 4, ("fine_labels", "coarse_labels"), (100, 20)) for name in ("train", "test")}
    _write_files(keras / "cifar-100-python-target" / "cifar-100-python", files)
    (x, y), (xt, yt) = glassnet.keras.datasets.cifar100.load_data()
    ex, ey = _expected(files, ["train"], "fine_labels")
    np.testing.assert_array_equal(x, ex)
    np.testing.assert_array_equal(y, ey)
    assert y.dtype == np.int64 and y.shape == (4, 1) and xt.shape == (4, 32, 32, 3)
    (_, yc), _ = cifar100.load_data(label_mode="coarse")
    np.testing.assert_array_equal(yc, _expected(files, ["train"], "coarse_labels")[1])
    with pytest.raises(ValueError, match='label_mode must be "fine" or "coarse"'):
        cifar100.load_data("medium")


def test_cnn_tutorial_data_trains(homes):
    """The shapes TensorFlow's CNN tutorial feeds: (N, 32, 32, 3) / 255 and (N, 1) uint8 labels."""
    _, keras = homes
    _write_files(keras / "cifar-10-batches-py", _cifar10_files(n=4))
    (train_images, train_labels), (test_images, test_labels) = glassnet.keras.datasets.cifar10.load_data()
    train_images, test_images = train_images / 255.0, test_images / 255.0
    layers = glassnet.keras.layers
    model = glassnet.keras.models.Sequential([
        layers.Conv2D(4, (3, 3), activation="relu", input_shape=(32, 32, 3)),
        layers.MaxPooling2D((2, 2)), layers.Flatten(), layers.Dense(10)])
    model.compile(optimizer="adam", metrics=["accuracy"],
                  loss=glassnet.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(train_images, train_labels, epochs=2, verbose=0,
                        validation_data=(test_images, test_labels))
    assert set(history.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert np.isfinite(history.history["val_loss"]).all()


def test_boston_housing_cached_copy_that_is_not_kerass_is_refused(homes):
    ours, _ = homes
    ours.mkdir(parents=True)
    x, y = _boston()
    (ours / "boston_housing.npz").write_bytes(_npz(x=x, y=y))
    with pytest.raises(ValueError, match="not Keras's .*delete it to download it again"):
        boston_housing.load_data()
