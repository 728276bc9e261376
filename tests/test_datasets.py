"""The data loaders: shipped digits, MNIST from generated files and a served download, CSV."""
from __future__ import annotations

import doctest
import gzip
import hashlib
import io
import os
import subprocess
import sys

import numpy as np
import pytest

from glassnet.datasets import digits, load_csv, mnist
from glassnet.datasets import csv as gcsv


# --- shipped digits ----------------------------------------------------------------------

def test_digits_all_ten():
    (x, y), (xt, yt) = digits.load_data()
    assert x.shape == (1438, 64) and y.shape == (1438,)
    assert xt.shape == (359, 64) and yt.shape == (359,)
    assert x.dtype == np.float32 and xt.dtype == np.float32
    assert y.dtype == np.int64
    assert sorted(np.unique(y).tolist()) == list(range(10))
    assert sorted(np.unique(yt).tolist()) == list(range(10))
    for a in (x, xt):
        assert a.min() == 0.0 and a.max() == 1.0
        # the raw pixels are counts 0..16, so x * 16 is whole
        np.testing.assert_array_equal(a * 16, np.round(a * 16))


def test_digits_split_is_stratified_and_fixed():
    (_, y), (_, yt) = digits.load_data()
    # 20% of each digit, rounded; the counts of the UCI test file are 178, 182, 177, ...
    test_counts = np.bincount(yt, minlength=10).tolist()
    train_counts = np.bincount(y, minlength=10).tolist()
    assert test_counts == [36, 36, 35, 37, 36, 36, 36, 36, 35, 36]
    assert train_counts == [142, 146, 142, 146, 145, 146, 145, 143, 139, 144]
    totals = np.array(test_counts) + np.array(train_counts)
    assert np.all(np.abs(np.array(test_counts) - digits.TEST_FRACTION * totals) <= 0.5)


def test_digits_train_and_test_are_disjoint_and_traceable():
    with np.load(digits._PATH, allow_pickle=False) as f:
        itr, ite = f["idx_train"], f["idx_test"]
        assert f["x_train"].dtype == np.uint8 and f["y_train"].dtype == np.uint8
        assert f["x_train"].max() == 16
    assert len(np.intersect1d(itr, ite)) == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([itr, ite])), np.arange(1797))


def test_digits_zero_vs_one():
    (x, y), (xt, yt) = digits.load_data(classes=2)
    assert x.shape == (288, 64) and xt.shape == (72, 64)
    assert np.bincount(y).tolist() == [142, 146]
    assert np.bincount(yt).tolist() == [36, 36]
    # the same images as in the ten-class data, in the same order
    (x10, y10), _ = digits.load_data()
    np.testing.assert_array_equal(x, x10[y10 < 2])


def test_digits_unflattened_and_fresh_copies():
    (x, _), _ = digits.load_data(classes=3, flatten=False)
    assert x.shape[1:] == (8, 8)
    x[:] = 5.0
    (x2, y2), _ = digits.load_data(classes=3, flatten=False)
    assert x2.max() == 1.0 and set(np.unique(y2).tolist()) == {0, 1, 2}


@pytest.mark.parametrize("bad", [1, 11, 0])
def test_digits_bad_classes(bad):
    with pytest.raises(ValueError, match="classes must be from 2 to 10"):
        digits.load_data(classes=bad)


def test_digits_classes_type():
    with pytest.raises(TypeError, match="classes"):
        digits.load_data(classes="2")


def test_import_reads_no_data():
    code = ("import numpy as np\n"
            "calls = []\n"
            "orig = np.load\n"
            "np.load = lambda *a, **k: calls.append(a) or orig(*a, **k)\n"
            "import glassnet.datasets\n"
            "from glassnet.datasets import digits, mnist\n"
            "assert calls == [], calls\n"
            "import sys\n"
            "assert 'matplotlib' not in sys.modules and 'urllib.request' not in sys.modules\n"
            "digits.load_data()\n"
            "assert len(calls) == 1\n")
    src = os.path.join(os.path.dirname(__file__), os.pardir, "src")
    env = dict(os.environ, PYTHONPATH=os.path.abspath(src) + os.pathsep
               + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --- MNIST from generated files -------------------------------------------------------------

def _small_mnist(n_train=5, n_test=3, size=28):
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (n_train, size, size), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, size, size), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def _idx_bytes(arr: np.ndarray) -> bytes:
    head = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return head + arr.astype(np.uint8).tobytes()


def _write_idx_folder(folder, data, gz=False, dotted=False):
    names = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
             "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}
    for key, name in names.items():
        if dotted:
            name = name.replace("-idx", ".idx")
        raw = _idx_bytes(data[key])
        if gz:
            with gzip.open(os.path.join(folder, name + ".gz"), "wb") as fh:
                fh.write(raw)
        else:
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(raw)
    return names


def _assert_same(loaded, data):
    (x, y), (xt, yt) = loaded
    for got, key in ((x, "x_train"), (y, "y_train"), (xt, "x_test"), (yt, "y_test")):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, data[key])


def test_mnist_npz(tmp_path):
    data = _small_mnist()
    np.savez_compressed(tmp_path / "mnist.npz", **data)
    _assert_same(mnist.load_data(tmp_path / "mnist.npz"), data)
    _assert_same(mnist.load_data(str(tmp_path)), data)  # a folder holding mnist.npz


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dotted", [False, True])
def test_mnist_idx(tmp_path, gz, dotted):
    data = _small_mnist()
    _write_idx_folder(tmp_path, data, gz=gz, dotted=dotted)
    _assert_same(mnist.load_data(tmp_path), data)


def test_mnist_npz_missing_keys(tmp_path):
    np.savez(tmp_path / "m.npz", x_train=np.zeros((1, 2, 2), np.uint8))
    with pytest.raises(ValueError, match=r"lacks the arrays \['y_train', 'x_test', 'y_test'\]"):
        mnist.load_data(tmp_path / "m.npz")


def test_mnist_npz_refuses_pickles(tmp_path):
    data = _small_mnist()
    data["y_train"] = np.array([{"evil": 1}] * 5, dtype=object)
    np.savez(tmp_path / "m.npz", **data)
    with pytest.raises(ValueError, match="pickle"):
        mnist.load_data(tmp_path / "m.npz")


def test_mnist_npz_mismatched_lengths(tmp_path):
    data = _small_mnist()
    data["y_test"] = data["y_test"][:2]
    np.savez(tmp_path / "m.npz", **data)
    with pytest.raises(ValueError, match="x_test has 3 images but y_test has 2 labels"):
        mnist.load_data(tmp_path / "m.npz")


def test_mnist_not_an_npz(tmp_path):
    (tmp_path / "m.npz").write_text("hello")
    with pytest.raises(ValueError, match="cannot read"):
        mnist.load_data(tmp_path / "m.npz")


def test_mnist_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mnist.load_data(tmp_path / "nope.npz")
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte|train-images-idx3-ubyte"):
        mnist.load_data(tmp_path)  # an empty folder


def test_idx_bad_magic(tmp_path):
    data = _small_mnist()
    _write_idx_folder(tmp_path, data)
    p = tmp_path / "train-labels-idx1-ubyte"
    raw = bytearray(p.read_bytes())
    raw[2] = 0x0D  # float data: not MNIST
    p.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="magic number 3329 .*2049 .*2051"):
        mnist.load_data(tmp_path)


def test_idx_truncated(tmp_path):
    data = _small_mnist()
    _write_idx_folder(tmp_path, data)
    p = tmp_path / "t10k-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"declares shape \(3, 28, 28\) .*2352 bytes.* holds 2342"):
        mnist.load_data(tmp_path)


def test_idx_images_and_labels_swapped(tmp_path):
    data = _small_mnist()
    _write_idx_folder(tmp_path, data)
    os.replace(tmp_path / "train-labels-idx1-ubyte", tmp_path / "tmp")
    os.replace(tmp_path / "train-images-idx3-ubyte", tmp_path / "train-labels-idx1-ubyte")
    os.replace(tmp_path / "tmp", tmp_path / "train-images-idx3-ubyte")
    with pytest.raises(ValueError, match="should hold images"):
        mnist.load_data(tmp_path)


def test_idx_count_mismatch(tmp_path):
    data = _small_mnist()
    data["y_train"] = data["y_train"][:4]
    _write_idx_folder(tmp_path, data, gz=True)
    with pytest.raises(ValueError, match="x_train has 5 images but y_train has 4 labels"):
        mnist.load_data(tmp_path)


def test_idx_corrupt_gzip(tmp_path):
    data = _small_mnist()
    _write_idx_folder(tmp_path, data, gz=True)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="cannot read"):
        mnist.load_data(tmp_path)


# --- MNIST download, without a network ---------------------------------------------------------

class _FakeResponse(io.BytesIO):
    def __init__(self, payload: bytes, length: bool = True):
        super().__init__(payload)
        self.headers = {"Content-Length": str(len(payload))} if length else {}


def _npz_bytes(data) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **data)
    return buf.getvalue()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "gn"))
    return tmp_path / "gn" / "datasets"


def test_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    assert mnist.cache_dir() == os.path.join(str(tmp_path), "datasets")
    monkeypatch.delenv("GLASSNET_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert mnist.cache_dir() == os.path.join(str(tmp_path / "h"), ".glassnet", "datasets")


def test_download_verified_and_cached(home, monkeypatch, capsys):
    data = _small_mnist()
    payload = _npz_bytes(data)
    monkeypatch.setattr(mnist, "SHA256", hashlib.sha256(payload).hexdigest())
    calls = []

    def fake_urlopen(url, timeout):
        calls.append((url, timeout))
        return _FakeResponse(payload)

    monkeypatch.setattr(mnist, "_urlopen", fake_urlopen)
    _assert_same(mnist.load_data(), data)
    assert calls == [(mnist.URL, mnist.TIMEOUT)]
    assert (home / "mnist.npz").read_bytes() == payload
    assert os.listdir(home) == ["mnist.npz"]  # no temporary file left behind
    err = capsys.readouterr().err
    assert "Downloading " + mnist.URL in err and "Downloaded" in err
    # the second call reads the cache: no network
    _assert_same(mnist.load_data(), data)
    assert len(calls) == 1


def test_download_without_content_length(home, monkeypatch):
    data = _small_mnist()
    payload = _npz_bytes(data)
    monkeypatch.setattr(mnist, "SHA256", hashlib.sha256(payload).hexdigest())
    monkeypatch.setattr(mnist, "_urlopen", lambda url, timeout: _FakeResponse(payload, False))
    _assert_same(mnist.load_data(), data)


def test_download_corrupted_is_rejected_and_not_cached(home, monkeypatch):
    payload = _npz_bytes(_small_mnist())
    good = hashlib.sha256(payload).hexdigest()
    monkeypatch.setattr(mnist, "SHA256", good)
    corrupted = payload[:100] + bytes([payload[100] ^ 0xFF]) + payload[101:]
    monkeypatch.setattr(mnist, "_urlopen", lambda url, timeout: _FakeResponse(corrupted))
    with pytest.raises(ValueError, match=f"expected {good}; it was discarded"):
        mnist.load_data()
    assert os.listdir(home) == []  # neither mnist.npz nor the temporary file


def test_download_uses_keras_hash_by_default(home, monkeypatch):
    assert mnist.SHA256 == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    assert mnist.URL == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    monkeypatch.setattr(mnist, "_urlopen",
                        lambda url, timeout: _FakeResponse(_npz_bytes(_small_mnist())))
    with pytest.raises(ValueError, match="SHA-256"):
        mnist.load_data()  # our small file is not Keras's
    assert os.listdir(home) == []


def test_offline_fails_at_once_saying_where_to_put_the_file(home, monkeypatch):
    import urllib.error

    def offline(url, timeout):
        assert timeout <= 30
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(mnist, "_urlopen", offline)
    with pytest.raises(ConnectionError) as info:
        mnist.load_data()
    msg = str(info.value)
    assert "could not download" in msg and "name resolution" in msg
    assert str(home / "mnist.npz") in msg and mnist.SHA256 in msg and "path=" in msg
    assert os.listdir(home) == []


def test_download_broken_midway(home, monkeypatch):
    class Broken(_FakeResponse):
        def read(self, n=-1):
            if self.tell() > 50:
                raise TimeoutError("timed out")
            return super().read(20)

    monkeypatch.setattr(mnist, "_urlopen",
                        lambda url, timeout: Broken(_npz_bytes(_small_mnist())))
    with pytest.raises(ConnectionError, match="timed out"):
        mnist.load_data()
    assert os.listdir(home) == []


def test_download_cut_short(home, monkeypatch):
    import http.client

    class Cut(_FakeResponse):
        def read(self, n=-1):
            raise http.client.IncompleteRead(b"partial", 1000)

    monkeypatch.setattr(mnist, "_urlopen", lambda url, timeout: Cut(b"x" * 2000))
    with pytest.raises(ConnectionError, match="IncompleteRead|bytes read"):
        mnist.load_data()
    assert os.listdir(home) == []


def test_download_written_atomically_with_ordinary_permissions(home, monkeypatch):
    payload = _npz_bytes(_small_mnist())
    monkeypatch.setattr(mnist, "SHA256", hashlib.sha256(payload).hexdigest())
    monkeypatch.setattr(mnist, "_urlopen", lambda url, timeout: _FakeResponse(payload))
    old = os.umask(0o022)
    try:
        mnist.load_data()
    finally:
        os.umask(old)
    if hasattr(os, "fchmod"):
        assert oct(os.stat(home / "mnist.npz").st_mode & 0o777) == oct(0o644)  # not mkstemp's 0600


def test_disk_full_while_saving_the_download_is_not_reported_as_offline(home, monkeypatch):
    payload = _npz_bytes(_small_mnist())
    monkeypatch.setattr(mnist, "SHA256", hashlib.sha256(payload).hexdigest())
    monkeypatch.setattr(mnist, "_urlopen", lambda url, timeout: _FakeResponse(payload))
    real_fdopen = os.fdopen

    class Full:                       # a file on a full disk: every write fails
        def __init__(self, fd, *a, **k):
            self.f = real_fdopen(fd, *a, **k)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

    monkeypatch.setattr(os, "fdopen", Full)
    with pytest.raises(OSError) as info:
        mnist.load_data()
    monkeypatch.undo()
    assert not isinstance(info.value, ConnectionError), info.value
    msg = str(info.value)
    assert "No space left" in msg and str(home / "mnist.npz") in msg and "Offline" not in msg
    assert os.listdir(home) == []     # neither a half file nor a temporary one


def test_unusable_cache_folder_is_named(tmp_path, monkeypatch):
    (tmp_path / "gn").write_text("a file, not a folder")
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "gn"))
    monkeypatch.setattr(mnist, "_urlopen", lambda *a: pytest.fail("no download expected"))
    with pytest.raises(OSError, match="cannot create the cache folder") as info:
        mnist.load_data()
    assert not isinstance(info.value, ConnectionError)
    assert str(tmp_path / "gn" / "datasets") in str(info.value)


def test_cached_file_with_wrong_hash(home, monkeypatch):
    home.mkdir(parents=True)
    np.savez(home / "mnist.npz", **_small_mnist())
    monkeypatch.setattr(mnist, "_urlopen", lambda *a: pytest.fail("no download expected"))
    with pytest.raises(ValueError, match="delete it to download it again"):
        mnist.load_data()


# --- CSV ----------------------------------------------------------------------------------------

def _write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_csv_good(tmp_path):
    p = _write(tmp_path, "a,b,label\n1,2,0\n3.5, -4e1 ,1\n\n5,6,1\n")
    x, y, names = load_csv(p, target="label")
    assert names == ["a", "b"]
    assert x.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(x, [[1, 2], [3.5, -40], [5, 6]])
    np.testing.assert_array_equal(y, [0, 1, 1])
    data = load_csv(p, target="label")
    assert data.feature_names == names and data.x.shape == (3, 2)


def test_csv_target_in_the_middle_by_position_and_none(tmp_path):
    p = _write(tmp_path, "a,t,b\n1,9,2\n3,8,4\n")
    x, y, names = load_csv(p, target=1)
    assert names == ["a", "b"] and y.tolist() == [9, 8] and x.tolist() == [[1, 2], [3, 4]]
    x, y, names = load_csv(p, target=-1)
    assert names == ["a", "t"] and y.tolist() == [2, 4]
    x, y, names = load_csv(p)
    assert y is None and x.shape == (2, 3) and names == ["a", "t", "b"]


def test_csv_no_header_semicolon_bom_float64(tmp_path):
    p = tmp_path / "d.csv"
    p.write_bytes("\ufeff1;2;3\n4;5;6\n".encode("utf-8"))
    x, y, names = load_csv(p, target=0, delimiter=";", header=False, dtype="float64")
    assert names == ["column_1", "column_2"] and y.tolist() == [1, 4]
    assert x.dtype == np.float64
    with_header = load_csv(_write(tmp_path, "\ufeffa,b\n1,2\n", "h.csv"), target="a")
    assert with_header.feature_names == ["b"]  # the BOM is not part of the first name


def test_csv_non_numeric_cell(tmp_path):
    p = _write(tmp_path, "age,height,y\n30,1.80,1\n31,tall,0\n")
    with pytest.raises(ValueError) as info:
        load_csv(p, target="y")
    msg = str(info.value)
    assert str(p) in msg and "line 3" in msg and "'height'" in msg and "'tall'" in msg


def test_csv_non_numeric_target(tmp_path):
    p = _write(tmp_path, "a,species\n1,setosa\n")
    with pytest.raises(ValueError, match=r"line 2, column 'species' \(the target\).*0, 1, 2"):
        load_csv(p, target="species")


@pytest.mark.parametrize("cell,what", [("", "empty cell"), ("nan", "not a finite"),
                                       ("inf", "not a finite")])
def test_csv_missing_and_nonfinite(tmp_path, cell, what):
    p = _write(tmp_path, f"a,b\n1,2\n{cell},3\n")
    with pytest.raises(ValueError, match=f"line 3, column 'a': .*{what}"):
        load_csv(p, target="b")


def test_csv_missing_target_lists_columns(tmp_path):
    p = _write(tmp_path, "Price,size\n1,2\n")
    with pytest.raises(ValueError, match=r"no column 'price' \(did you mean 'Price'\?\); "
                                         r"its columns are: Price, size"):
        load_csv(p, target="price")
    with pytest.raises(ValueError, match="out of range"):
        load_csv(p, target=2)
    with pytest.raises(ValueError, match="header=False"):
        load_csv(p, target="size", header=False)


def test_csv_ragged(tmp_path):
    p = _write(tmp_path, "a,b,c\n1,2,3\n4,5\n")
    with pytest.raises(ValueError, match=r"line 3 has 2 fields but the header has 3"):
        load_csv(p, target="c")
    p = _write(tmp_path, "1,2\n3,4,5\n", "n.csv")
    with pytest.raises(ValueError, match=r"line 2 has 3 fields but line 1 has 2"):
        load_csv(p, header=False)


def test_csv_empty(tmp_path):
    with pytest.raises(ValueError, match="is empty"):
        load_csv(_write(tmp_path, ""))
    with pytest.raises(ValueError, match="is empty"):
        load_csv(_write(tmp_path, "\n\n", "blank.csv"))
    with pytest.raises(ValueError, match="has a header .*a, b.* but no data rows"):
        load_csv(_write(tmp_path, "a,b\n", "h.csv"), target="a")


def test_csv_missing_file_and_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_csv(tmp_path / "nope.csv")
    p = _write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(ValueError, match="delimiter"):
        load_csv(p, delimiter=",,")
    with pytest.raises(ValueError, match="float"):
        load_csv(p, dtype="int32")
    with pytest.raises(TypeError, match="target"):
        load_csv(p, target=1.5)


def test_csv_duplicate_target_name(tmp_path):
    p = _write(tmp_path, "a,a,b\n1,2,3\n")
    with pytest.raises(ValueError, match="2 columns named 'a'"):
        load_csv(p, target="a")


def test_csv_not_utf8(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("caf\xe9,b\n1,2\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        load_csv(p)


def test_csv_too_large_for_float32_is_an_error_not_inf(tmp_path):
    p = _write(tmp_path, "a,b\n1,2\n1e39,3\n")
    with pytest.raises(ValueError, match=r"line 3, column 'a': '1e39' is too large for float32"):
        load_csv(p, target="b")
    p = _write(tmp_path, "a,b\n1,2\n3,-1e39\n", "t.csv")
    with pytest.raises(ValueError, match=r"column 'b' \(the target\): '-1e39' is too large for float32"):
        load_csv(p, target="b")
    x, y, _ = load_csv(p, target="b", dtype="float64")        # fits in float64
    assert y.tolist() == [2, -1e39] and np.isfinite(x).all()
    big = load_csv(_write(tmp_path, "a\n3.4e38\n", "big.csv")).x
    assert np.isfinite(big).all()


def test_csv_ignore_skips_columns_without_parsing_them(tmp_path):
    p = _write(tmp_path, "a,note,b,y\n1,hello,2,\n3,,4,\n")
    x, y, names = load_csv(p, ignore=("y", "note"))
    assert y is None and names == ["a", "b"] and x.tolist() == [[1, 2], [3, 4]]
    x, y, names = load_csv(p, target="b", ignore=["note", -1])          # by position too
    assert names == ["a"] and y.tolist() == [2, 4]
    x, _, names = load_csv(_write(tmp_path, "a,b\n1,2\n", "n.csv"), ignore="y")   # absent: fine
    assert names == ["a", "b"]
    with pytest.raises(ValueError, match="empty cell"):                # without ignore
        load_csv(p, ignore=("note",))
    with pytest.raises(ValueError, match="target column 'y' is also in ignore"):
        load_csv(p, target="y", ignore=("y", "note"))
    with pytest.raises(ValueError, match="ignored column 4 is out of range"):
        load_csv(p, ignore=(4,))
    with pytest.raises(TypeError, match="ignore"):
        load_csv(p, ignore=(1.5,))
    with pytest.raises(ValueError, match="line 2 has 2 fields but the header has 3"):
        load_csv(_write(tmp_path, "a,b,y\n1,2\n", "r.csv"), ignore=("y",))


# --- the docstring examples run ---------------------------------------------------------------

@pytest.mark.parametrize("module", [digits, mnist, gcsv])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
