"""Issue 13, items 4 and 7: model files on hostile disks and tight machines.

Non-finite weights refused with their path; multi-GB sparse files of any content refused
in well under a second (nothing read whole, the zip's end record and sizes checked
first); loading under a 1 GiB address-space limit; a killed save's temporary file tidied
by the next save (and a concurrent save's kept); an unwritable folder or a file-size limit
named, with the previous file intact; a missing metric or schedule pointing at
``compile=False``.
"""
from __future__ import annotations

import io
import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zlib

import numpy as np
import pytest

import glassnet
from glassnet import saving
from glassnet.keras import layers as L
from glassnet.saving import ModelFileError, atomic, safe_zip

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
BIG = 3 * 2 ** 30                       # sparse: takes no disk, reads as zeros


def _model(compiled=True):
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(3, activation="relu"), L.Dense(1)])
    if compiled:
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        model.fit(np.ones((4, 4)), np.ones(4), verbose=0)
    return model


def _child(code, tmp_path, env_extra=None, timeout=60):
    env = dict(os.environ, PYTHONPATH=SRC, PYTHONDONTWRITEBYTECODE="1",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=timeout)


# ---------------------------------------------------------------------------------------
# Non-finite weights
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".safetensors"])
def test_non_finite_weights_are_refused_with_their_path(tmp_path, suffix, value):
    model = _model()
    model.layers[1].bias.value[0] = value
    path = tmp_path / f"m{suffix}"
    (model.save if suffix == ".keras" else model.save_weights)(path)
    target = _model()
    before = [w.copy() for w in target.get_weights()]
    with pytest.raises(ModelFileError) as info:
        if suffix == ".keras":
            saving.load_model(path)
        else:
            target.load_weights(path)
    text = str(info.value)
    key = "dense_1/bias" if suffix == ".safetensors" else "layers/dense_1/vars/1"
    assert key in text and "non-finite" in text and str(path) in text
    for a, b in zip(before, target.get_weights()):
        np.testing.assert_array_equal(a, b)           # nothing assigned


def test_non_finite_optimizer_state_is_refused(tmp_path):
    model = _model()
    model.optimizer.slots["momentum"][0][0, 0] = np.nan         # Adam's first moment of the kernel
    model.save(tmp_path / "m.keras")
    with pytest.raises(ModelFileError, match=r"optimizer/vars/\d+.*non-finite"):
        saving.load_model(tmp_path / "m.keras")
    assert saving.load_model(tmp_path / "m.keras", compile=False).built   # weights alone are fine


def test_safetensors_value_too_large_for_float32_is_named(tmp_path):
    from safetensors.numpy import save_file
    model = _model(compiled=False)
    tensors = {f"{k}/{v.name}": np.asarray(v.value, dtype=np.float64) for k, v in
               zip(["dense", "dense", "dense_1", "dense_1"], model.weights)}
    tensors["dense/kernel"][1, 2] = 1e300
    save_file(tensors, str(tmp_path / "w.safetensors"))
    with pytest.raises(ModelFileError, match=r"'dense/kernel'.*too large for float32.*\(1, 2\)"):
        model.load_weights(tmp_path / "w.safetensors")


# ---------------------------------------------------------------------------------------
# Multi-GB sparse files: refused at once, whatever they hold
# ---------------------------------------------------------------------------------------
def _valid_keras_bytes():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        _model().save(os.path.join(d, "m.keras"))
        with open(os.path.join(d, "m.keras"), "rb") as f:
            return f.read()


def _keras_with_a_huge_weights_member(path, size):
    """A well-formed zip whose model.weights.h5 declares ``size`` stored bytes (a hole)."""
    members = safe_zip.unpack(_valid_keras_bytes(), "valid")
    central = []
    with open(path, "wb") as f:
        for name, data, declared in ((safe_zip.METADATA, members[safe_zip.METADATA], None),
                                     (safe_zip.CONFIG, members[safe_zip.CONFIG], None),
                                     (safe_zip.WEIGHTS, None, size)):
            offset, raw = f.tell(), name.encode()
            n = len(data) if data is not None else declared
            crc = 0 if data is None else zlib.crc32(data)
            f.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 33, crc, n, n, len(raw), 0) + raw)
            if data is not None:
                f.write(data)
            else:
                f.seek(declared, 1)
            central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 33, crc, n, n,
                                       len(raw), 0, 0, 0, 0, 0o100644 << 16, offset) + raw)
        start = f.tell()
        f.write(b"".join(central))
        f.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 3, 3, f.tell() - start, start, 0))


def _sparse(path, head: bytes, size=BIG, tail: bytes = b""):
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size - len(tail))
        f.seek(size - len(tail))
        f.write(tail)


@pytest.mark.parametrize("case", ["zeros", "zip-then-hole", "hole-then-zip", "huge-member",
                                  "h5-signature", "safetensors-header", "safetensors-huge-header"])
def test_multi_gb_sparse_files_are_refused_in_well_under_a_second(tmp_path, case):
    valid = _valid_keras_bytes()
    if case == "zeros":
        path = tmp_path / "m.keras"
        _sparse(path, b"PK\x03\x04")
    elif case == "zip-then-hole":              # a real model, then gigabytes: no end record at the end
        path = tmp_path / "m.keras"
        _sparse(path, valid)
    elif case == "hole-then-zip":              # gigabytes hidden before a real model
        path = tmp_path / "m.keras"
        _sparse(path, b"PK\x03\x04", tail=valid)
    elif case == "huge-member":
        path = tmp_path / "m.keras"
        _keras_with_a_huge_weights_member(path, BIG)
    elif case == "h5-signature":
        path = tmp_path / "m.weights.h5"
        _sparse(path, b"\x89HDF\r\n\x1a\n")
    elif case == "safetensors-header":
        path = tmp_path / "m.safetensors"
        header = json.dumps({"dense/kernel": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 48]}}).encode()
        _sparse(path, struct.pack("<Q", len(header)) + header)
    else:
        path = tmp_path / "m.safetensors"
        _sparse(path, struct.pack("<Q", BIG - 100))
    assert os.path.getsize(path) >= BIG
    model = _model()
    start = time.perf_counter()
    with pytest.raises(ModelFileError) as info:
        if str(path).endswith(".keras"):
            saving.load_model(path)
        else:
            model.load_weights(path)
    assert time.perf_counter() - start < 0.5, "read too much before refusing"
    assert str(path) in str(info.value)
    if case == "huge-member":
        assert "model.weights.h5" in str(info.value) and "refused before reading" in str(info.value)


def test_the_huge_member_check_leaves_real_files_alone(tmp_path):
    # the same hand-built zip with an honest weights member loads: the check is the size
    model = _model()
    model.save(tmp_path / "m.keras")
    again = saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(np.ones((2, 4)), verbose=0), model.predict(np.ones((2, 4)), verbose=0))


def test_zip_directory_outside_the_file_is_refused_before_reading():
    data = bytearray(_valid_keras_bytes())
    at = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, at + 12, 2 ** 31)            # directory size: 2 GiB
    with pytest.raises(ModelFileError, match="zip directory"):
        saving.load_model(io.BytesIO(bytes(data)))


def test_file_objects_are_read_in_place_and_unseekable_ones_in_chunks(tmp_path):
    model = _model()
    model.save(tmp_path / "m.keras")
    data = (tmp_path / "m.keras").read_bytes()

    class Pipe(io.RawIOBase):                 # readable, not seekable, and counts what it gives
        def __init__(self):
            self.src, self.largest = io.BytesIO(data), 0

        def readable(self):
            return True

        def readinto(self, b):
            self.largest = max(self.largest, len(b))
            chunk = self.src.read(len(b))
            b[:len(chunk)] = chunk
            return len(chunk)

    pipe = Pipe()
    a = saving.load_model(pipe)
    assert pipe.largest <= 1 << 20          # never a request the size of the cap
    with open(tmp_path / "m.keras", "rb") as f:
        b = saving.load_model(f)
    for m in (a, b):
        np.testing.assert_allclose(m.predict(np.ones((1, 4)), verbose=0), model.predict(np.ones((1, 4)), verbose=0))


# ---------------------------------------------------------------------------------------
# A tight machine: ulimit -v 1 GiB
# ---------------------------------------------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
def test_loading_works_under_a_1_gib_address_space_limit(tmp_path):
    # Importing numpy, h5py and glassnet takes ~170 MiB of address space with one BLAS
    # thread (measured); the old reader asked for a 4 GiB buffer before reading a byte.
    model = _model()
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    model.save_weights(tmp_path / "m.safetensors")
    _sparse(tmp_path / "big.keras", b"PK\x03\x04")
    out = _child("""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        import numpy as np, glassnet
        from glassnet.saving import ModelFileError
        m = glassnet.models.load_model("m.keras")
        m.load_weights("m.weights.h5")
        m.load_weights("m.safetensors")
        try:
            glassnet.models.load_model("big.keras")
        except ModelFileError:
            print("refused")
        print("ok", m.predict(np.ones((1, 4)), verbose=0).shape)
    """, tmp_path)
    assert out.returncode == 0, out.stderr
    assert "refused" in out.stdout and "ok (1, 1)" in out.stdout


# ---------------------------------------------------------------------------------------
# Temporary files of killed saves
# ---------------------------------------------------------------------------------------
def test_a_save_killed_mid_write_leaves_a_temp_file_the_next_save_removes(tmp_path):
    _model().save(tmp_path / "m.keras")
    before = (tmp_path / "m.keras").read_bytes()
    out = _child("""
        import os, signal, glassnet
        from glassnet.keras import layers as L
        m = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(30)])
        os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)     # die before the rename
        m.save("m.keras")
    """, tmp_path)
    assert out.returncode == -signal.SIGKILL
    assert (tmp_path / "m.keras").read_bytes() == before
    left = [n for n in os.listdir(tmp_path) if n.startswith(".m.keras" + atomic.TEMP_MARKER)]
    assert len(left) == 1
    _model().save(tmp_path / "m.keras")
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


def test_only_stale_temp_files_of_the_same_name_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()                                  # reaped: its pid no longer exists
    host, me = atomic._HOST, os.getpid()
    other = "0" * 8 if host != "0" * 8 else "1" * 8
    old = time.time() - 2 * atomic.STALE_AFTER
    names = {
        f".m.keras.glassnet-tmp-{host}-{dead.pid}-ab12cd": "removed",     # killed save, this machine
        f".m.keras.glassnet-tmp-{host}-{me}-ef34gh": "kept",               # a save running right now
        f".m.keras.glassnet-tmp-{other}-{dead.pid}-ij56kl": "kept",        # another machine, fresh
        f".m.keras.glassnet-tmp-{other}-12345-mn78op": "removed-old",      # another machine, long idle
        ".m.keras.glassnet-tmp-q1w2e3r4": "kept",                          # old-style name, fresh
        ".m.keras.glassnet-tmp-t5y6u7i8": "removed-old",                   # old-style name, long idle
        f".n.keras.glassnet-tmp-{host}-{dead.pid}-zx90cv": "kept",         # another file's
        ".m.keras.glassnet-tmp-notes.txt": "kept-old",                     # not the pattern
        "m.keras.glassnet-tmp-abcdef": "kept-old",                         # not hidden: not ours
    }
    for name, fate in names.items():
        (tmp_path / name).write_bytes(b"x")
        if fate.endswith("old"):
            os.utime(tmp_path / name, (old, old))
    (tmp_path / f".m.keras.glassnet-tmp-{host}-{dead.pid}-folder").mkdir()   # not a file
    _model().save(tmp_path / "m.keras")
    left = set(os.listdir(tmp_path))
    for name, fate in names.items():
        assert (name in left) == fate.startswith("kept"), name
    assert f".m.keras.glassnet-tmp-{host}-{dead.pid}-folder" in left


def test_concurrent_saves_to_one_name_both_succeed(tmp_path):
    import threading
    errors, model = [], _model()

    def save():
        try:
            for _ in range(5):
                model.save(tmp_path / "m.keras")
        except Exception as e:                # noqa: BLE001 - collected for the assert
            errors.append(e)

    threads = [threading.Thread(target=save) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]
    saving.load_model(tmp_path / "m.keras")


# ---------------------------------------------------------------------------------------
# Unwritable folders and file-size limits
# ---------------------------------------------------------------------------------------
def test_unwritable_folder_names_the_target_not_the_temp_file(tmp_path, monkeypatch):
    import tempfile

    def refuse(*a, prefix="", dir=None, **k):
        raise PermissionError(13, "Permission denied", os.path.join(dir, prefix + "xyz"))
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    model = _model()
    for path, save in ((tmp_path / "m.keras", model.save), (tmp_path / "w.weights.h5", model.save_weights)):
        with pytest.raises(PermissionError) as info:
            save(path)
        text = str(info.value)
        assert repr(str(path)) in text and "Permission denied" in text and "not writable" in text
        assert atomic.TEMP_MARKER not in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/sys refuses new files on Linux")
def test_a_really_unwritable_folder(tmp_path):
    with pytest.raises(PermissionError) as info:
        _model().save("/sys/m.keras")
    assert "'/sys/m.keras'" in str(info.value) and atomic.TEMP_MARKER not in str(info.value)


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="RLIMIT_FSIZE is POSIX")
def test_file_size_limit_hit_mid_save_keeps_the_old_file(tmp_path):
    small = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(1)])
    small.save(tmp_path / "m.keras")
    before = (tmp_path / "m.keras").read_bytes()
    out = _child("""
        import resource, signal, glassnet
        from glassnet.keras import layers as L
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)       # then write() fails with EFBIG
        big = glassnet.Sequential([glassnet.Input(shape=(400,)), L.Dense(400)])    # ~640 KB
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))
        try:
            big.save("m.keras")
        except OSError as e:
            print("ERROR", e)
    """, tmp_path)
    assert out.returncode == 0, out.stderr
    assert "ERROR" in out.stdout and "file-size limit" in out.stdout and "m.keras" in out.stdout
    assert "previous file is unchanged" in out.stdout and atomic.TEMP_MARKER not in out.stdout
    assert (tmp_path / "m.keras").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


# ---------------------------------------------------------------------------------------
# compile=False hints
# ---------------------------------------------------------------------------------------
def _rewrite_config(src, dst, change):
    members = safe_zip.unpack(src.read_bytes(), "valid")
    cfg = json.loads(members[safe_zip.CONFIG])
    change(cfg["compile_config"])
    members[safe_zip.CONFIG] = json.dumps(cfg).encode()
    dst.write_bytes(safe_zip.pack(members))


@pytest.mark.parametrize("change", [
    lambda c: c.update(metrics=["f1_score_of_mine"]),
    lambda c: c.update(metrics=[{"module": "keras.metrics", "class_name": "KLDivergence", "config": {}}]),
    lambda c: c["optimizer"]["config"].update(learning_rate={
        "module": "keras.optimizers.schedules", "class_name": "MyDecay",      # not one of Keras's
        "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9}}),
    lambda c: c.update(loss={"module": "keras.losses", "class_name": "Poisson", "config": {}}),
], ids=["metric-name", "metric-class", "schedule", "loss"])
def test_missing_metric_or_schedule_suggests_compile_false(tmp_path, change):
    _model().save(tmp_path / "m.keras")
    _rewrite_config(tmp_path / "m.keras", tmp_path / "odd.keras", change)
    with pytest.raises(ModelFileError, match="compile=False"):
        saving.load_model(tmp_path / "odd.keras")
    assert saving.load_model(tmp_path / "odd.keras", compile=False).built
