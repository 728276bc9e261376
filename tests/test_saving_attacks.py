"""Crafted files: each one must be refused with a glassnet error naming the problem, and
its payload's side effect (creating the file ``PWNED``) must never happen.

The attacks follow what has worked against model loaders: pickle payloads (PyTorch's
``weights_only`` story), Lambda bytecode (CVE-2024-3660), importing a module named in the
file (CVE-2025-1550), a config that switches safe mode off (CVE-2025-9906), path traversal
and links in archives (zip slip), zip bombs, shape bombs, HDF5 external links/storage,
and plain damage (truncation, random bytes, duplicates, non-JSON).
"""
from __future__ import annotations

import base64
import io
import json
import marshal
import pickle
import struct
import warnings
import zipfile

import numpy as np
import pytest

import glassnet
from glassnet import saving
from glassnet.saving import FileFormatError, ModelFileError, UnsafeFileError, safe_zip
from glassnet.keras import layers as L

SENTINEL = "PWNED"


@pytest.fixture
def sentinel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / SENTINEL
    yield path
    assert not path.exists(), "the payload ran"


class _Payload:
    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):            # unpickling this opens (creates) the sentinel file
        return (open, (self.path, "w"))


def _members():
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(3, activation="relu"), L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 4)), np.ones(4), verbose=0)
    return safe_zip.unpack(_save_bytes(model), "valid")


def _save_bytes(model):
    import tempfile, os
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "m.keras")
        model.save(p)
        with open(p, "rb") as f:
            return f.read()


def _with_config(members, edit):
    cfg = json.loads(members["config.json"])
    edit(cfg)
    return safe_zip.pack({**members, "config.json": json.dumps(cfg).encode()})


def _raw_zip(entries):
    """A zip from (ZipInfo-or-name, bytes) pairs, duplicates and odd names allowed."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buf, "w") as zf:
            for info, data in entries:
                zf.writestr(info, data)
    return buf.getvalue()


def _h5(builder):
    import h5py
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        builder(f, h5py)
    return buf.getvalue()


def _load(blob, tmp_path, name="evil.keras"):
    path = tmp_path / name
    path.write_bytes(blob)
    return glassnet.models.load_model(path)


def _layer(cfg, index=1):
    return cfg["config"]["layers"][index]


def _lambda_layer(sentinel):
    code = compile(f"open({str(sentinel)!r}, 'w')", "<evil>", "exec")
    return {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "lambda", "function": {"class_name": "__lambda__", "config": {
                "code": base64.b64encode(marshal.dumps(code)).decode(), "defaults": None, "closure": None}}}}


# -- each attack: (builder(members, sentinel) -> bytes, expected error class, message fragment)
def _pickle_as_weights(m, s):
    return safe_zip.pack({**m, "model.weights.h5": pickle.dumps(_Payload(s))})


def _pickle_as_config(m, s):
    return safe_zip.pack({**m, "config.json": pickle.dumps(_Payload(s))})


def _pickle_extra_member(m, s):
    return safe_zip.pack({**m, "payload.pkl": pickle.dumps(_Payload(s))})


def _lambda(m, s):
    return _with_config(m, lambda c: c["config"]["layers"].insert(1, _lambda_layer(s)))


def _lambda_activation(m, s):
    def edit(c):
        _layer(c)["config"]["activation"] = _lambda_layer(s)["config"]["function"]
    return _with_config(m, edit)


def _foreign_module(m, s):
    def edit(c):
        c["config"]["layers"][1] = {"module": "os", "class_name": "system",
                                    "config": {"command": f"touch {s}"}, "registered_name": None}
    return _with_config(m, edit)


def _unknown_class(m, s):
    def edit(c):
        _layer(c)["class_name"] = "Conv4D"
    return _with_config(m, edit)


def _function_reference(m, s):
    def edit(c):
        _layer(c)["config"]["activation"] = {"module": "builtins", "class_name": "function",
                                             "config": "exec", "registered_name": "function"}
    return _with_config(m, edit)


def _module_path_string(m, s):
    def edit(c):
        _layer(c)["config"]["activation"] = "os.system"
    return _with_config(m, edit)


def _initializer_from_os(m, s):
    def edit(c):
        _layer(c)["config"]["kernel_initializer"] = {"module": "subprocess", "class_name": "Popen",
                                                     "config": {"args": ["touch", str(s)]}, "registered_name": None}
    return _with_config(m, edit)


def _unsafe_mode_switch(m, s):          # CVE-2025-9906: call enable_unsafe_deserialization
    def edit(c):
        _layer(c)["config"]["activation"] = {"module": "keras.config", "class_name": "function",
                                             "config": "enable_unsafe_deserialization",
                                             "registered_name": "function"}
    return _with_config(m, edit)


def _safe_mode_key(m, s):
    return _with_config(m, lambda c: c["config"].update({"safe_mode": False}))


def _registered_custom(m, s):
    def edit(c):
        _layer(c)["registered_name"] = "evil>Backdoor"
    return _with_config(m, edit)


def _traversal_member(m, s):
    return _raw_zip(list(m.items()) + [("../" + SENTINEL, b"x")])


def _absolute_member(m, s):
    return _raw_zip(list(m.items()) + [("/tmp/" + SENTINEL, b"x")])


def _symlink_member(m, s):
    info = zipfile.ZipInfo("config.json")
    info.external_attr = (0o120777 << 16)
    return _raw_zip([(info, b"/etc/passwd")] + [(k, v) for k, v in m.items() if k != "config.json"])


def _duplicate_members(m, s):
    evil = json.dumps({"module": "os", "class_name": "system"}).encode()
    return _raw_zip(list(m.items()) + [("config.json", evil)])


def _zip_bomb_ratio(m, s):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for k, v in m.items():
            zf.writestr(k, v if k != "model.weights.h5" else v + b"\0" * (64 << 20))
    return buf.getvalue()


def _zip_bomb_declared(m, s):
    blob = bytearray(safe_zip.pack(m))
    at = blob.find(b"PK\x01\x02")                      # the central directory's entries
    while at != -1:
        name_len = struct.unpack("<H", blob[at + 28:at + 30])[0]
        if blob[at + 46:at + 46 + name_len] == b"config.json":
            blob[at + 24:at + 28] = struct.pack("<I", 0xFFFFFFF0)       # declared size: 4 GiB
        at = blob.find(b"PK\x01\x02", at + 4)
    return bytes(blob)


def _huge_config(m, s):
    return safe_zip.pack({**m, "config.json": b" " * (5 << 20) + m["config.json"]})


def _shape_bomb_config(m, s):
    def edit(c):
        c["config"]["layers"][0]["config"]["batch_shape"] = [None, 1 << 20]
        _layer(c)["config"]["units"] = 1 << 20
    return _with_config(m, edit)


def _shape_bomb_h5(m, s):
    def build(f, h5py):
        f.create_dataset("layers/dense/vars/0", shape=(4, 1 << 28), dtype="f4", compression="gzip",
                         chunks=(1, 1 << 16))
        f.create_dataset("layers/dense/vars/1", data=np.zeros(3, "f4"))
    return safe_zip.pack({**m, "model.weights.h5": _h5(build)})


def _external_link_h5(m, s):
    def build(f, h5py):
        f["layers/dense/vars/0"] = h5py.ExternalLink("/etc/passwd", "/x")
        f.create_dataset("layers/dense/vars/1", data=np.zeros(3, "f4"))
    return safe_zip.pack({**m, "model.weights.h5": _h5(build)})


def _external_storage_h5(m, s):
    target = s.parent / "secret.bin"
    target.write_bytes(b"\0" * 48)
    def build(f, h5py):
        f.create_dataset("layers/dense/vars/0", shape=(4, 3), dtype="f4", external=[(str(target), 0, 48)])
        f.create_dataset("layers/dense/vars/1", data=np.zeros(3, "f4"))
    return safe_zip.pack({**m, "model.weights.h5": _h5(build)})


def _object_dtype_h5(m, s):
    def build(f, h5py):
        f.create_dataset("layers/dense/vars/0", data=np.array([[b"x"] * 3] * 4))
        f.create_dataset("layers/dense/vars/1", data=np.zeros(3, "f4"))
    return safe_zip.pack({**m, "model.weights.h5": _h5(build)})


def _truncated(m, s):
    blob = safe_zip.pack(m)
    return blob[: len(blob) * 2 // 3]


def _random_bytes(m, s):
    return np.random.default_rng(0).bytes(5000)


def _empty(m, s):
    return b""


def _not_json(m, s):
    return safe_zip.pack({**m, "config.json": b"{'module': 'keras', class_name: Sequential"})


def _deep_json(m, s):
    return safe_zip.pack({**m, "config.json": b"[" * 100000 + b"]" * 100000})


def _deeply_nested_wrappers(m, s):
    """TimeDistributed(TimeDistributed(...(Dense))) six levels down (each level a valid config,
    the whole under the JSON depth cap): refused by the loader's nesting cap, not built."""
    def edit(cfg):
        entry = next(e for e in cfg["config"]["layers"] if e["class_name"] == "Dense")
        for i in range(6):
            entry = {"module": "keras.layers", "class_name": "TimeDistributed",
                     "config": {"name": f"td_{i}", "trainable": True, "layer": entry}, "registered_name": None}
        cfg["config"]["layers"][1] = entry
    return _with_config(m, edit)


def _duplicate_json_keys(m, s):
    text = m["config.json"].decode().replace('"class_name": "Sequential"',
                                             '"class_name": "Sequential", "class_name": "Functional"', 1)
    return safe_zip.pack({**m, "config.json": text.encode()})


def _duplicate_metadata_keys(m, s):
    return safe_zip.pack({**m, "metadata.json": b'{"keras_version": "3.15.1", "keras_version": "2.0.0"}'})


def _functional(m, s):
    return _with_config(m, lambda c: c.update({"class_name": "Functional"}))


def _encrypted(m, s):
    blob = bytearray(safe_zip.pack(m))
    at = blob.find(b"PK\x01\x02")
    blob[at + 8] |= 1
    return bytes(blob)


ATTACKS = {
    "pickle_as_weights": (_pickle_as_weights, FileFormatError, "HDF5"),
    "pickle_as_config": (_pickle_as_config, FileFormatError, "config.json"),
    "pickle_extra_member": (_pickle_extra_member, UnsafeFileError, "payload.pkl"),
    "lambda_layer": (_lambda, UnsafeFileError, "'Lambda'"),
    "lambda_activation": (_lambda_activation, UnsafeFileError, "__lambda__"),
    "foreign_module": (_foreign_module, UnsafeFileError, "'os'"),
    "unknown_class": (_unknown_class, UnsafeFileError, "Conv4D"),
    # a function written by name (Keras's layout for your own standardize) is only a name:
    # looked up in glassnet's tables, custom_objects and the registry, never imported
    "function_reference": (_function_reference, UnsafeFileError, "unknown activation 'exec'"),
    "module_path_string": (_module_path_string, UnsafeFileError, "os.system"),
    "initializer_from_subprocess": (_initializer_from_os, UnsafeFileError, "subprocess"),
    "unsafe_mode_switch": (_unsafe_mode_switch, UnsafeFileError, "function"),
    "safe_mode_key": (_safe_mode_key, UnsafeFileError, "safe_mode"),
    "registered_custom_object": (_registered_custom, UnsafeFileError, "evil>Backdoor"),
    "path_traversal": (_traversal_member, UnsafeFileError, "traversal"),
    "absolute_path": (_absolute_member, UnsafeFileError, "absolute"),
    "symlink_member": (_symlink_member, UnsafeFileError, "link"),
    "duplicate_members": (_duplicate_members, UnsafeFileError, "duplicate"),
    "zip_bomb_ratio": (_zip_bomb_ratio, UnsafeFileError, "bomb"),
    "zip_bomb_declared_size": (_zip_bomb_declared, UnsafeFileError, "cap"),
    "oversized_config": (_huge_config, UnsafeFileError, "cap"),
    "shape_bomb_config": (_shape_bomb_config, UnsafeFileError, "shape bomb"),
    "shape_bomb_h5": (_shape_bomb_h5, UnsafeFileError, "expects (4, 3)"),
    "h5_external_link": (_external_link_h5, UnsafeFileError, "ExternalLink"),
    "h5_external_storage": (_external_storage_h5, UnsafeFileError, "outside the file"),
    "h5_non_numeric": (_object_dtype_h5, FileFormatError, "expected numbers"),
    "truncated": (_truncated, FileFormatError, "truncated"),
    "random_bytes": (_random_bytes, FileFormatError, "not a .keras file"),
    "empty_file": (_empty, FileFormatError, "not a .keras file"),
    "non_json_config": (_not_json, FileFormatError, "not valid JSON"),
    "deeply_nested_json": (_deep_json, UnsafeFileError, "deeper"),
    "deeply_nested_wrappers": (_deeply_nested_wrappers, UnsafeFileError, "levels deep inside other layers' configs"),
    "duplicate_json_keys": (_duplicate_json_keys, UnsafeFileError, "repeats the key"),
    "duplicate_metadata_keys": (_duplicate_metadata_keys, UnsafeFileError, "metadata.json repeats the key"),
    "functional_model": (_functional, FileFormatError, "inbound_nodes"),   # a Functional config without its calls
    "encrypted_member": (_encrypted, UnsafeFileError, "encrypted"),
}


@pytest.fixture(scope="module")
def members():
    return _members()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_is_refused_and_payload_never_runs(attack, members, sentinel, tmp_path):
    build, error, fragment = ATTACKS[attack]
    blob = build(dict(members), sentinel)
    with pytest.raises(error) as info:
        _load(blob, tmp_path)
    message = str(info.value)
    assert "evil.keras" in message, message            # names the file
    assert fragment in message, message                # and what is wrong
    assert isinstance(info.value, ModelFileError) and isinstance(info.value, ValueError)


def test_pickle_as_weights_file(sentinel, tmp_path):
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(3)])
    (tmp_path / "w.weights.h5").write_bytes(pickle.dumps(_Payload(sentinel)))
    (tmp_path / "w.safetensors").write_bytes(pickle.dumps(_Payload(sentinel)))
    for name in ("w.weights.h5", "w.safetensors"):
        with pytest.raises(FileFormatError, match=name):
            model.load_weights(tmp_path / name)


def test_safetensors_header_lies(tmp_path):
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(3)])
    model.save_weights(tmp_path / "w.safetensors")
    good = (tmp_path / "w.safetensors").read_bytes()
    bad_len = struct.pack("<Q", 1 << 60) + good[8:]
    header = json.dumps({"dense/kernel": {"dtype": "F32", "shape": [1 << 20, 1 << 20], "data_offsets": [0, 48]},
                         "dense/bias": {"dtype": "F32", "shape": [3], "data_offsets": [48, 60]}}).encode()
    bomb = struct.pack("<Q", len(header)) + header + b"\0" * 60
    for blob, fragment in ((bad_len, "header length"), (bomb, "shape")):
        (tmp_path / "x.safetensors").write_bytes(blob)
        with pytest.raises(ModelFileError, match=fragment):
            model.load_weights(tmp_path / "x.safetensors")


def test_safetensors_header_with_a_repeated_key_is_refused(tmp_path):
    # two "dense/kernel" entries: json.loads would keep the last, another parser the first
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(3)])
    before = model.get_weights()
    first = '"dense/kernel": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 48]}'
    second = '"dense/kernel": {"dtype": "F32", "shape": [4, 3], "data_offsets": [48, 96]}'
    bias = '"dense/bias": {"dtype": "F32", "shape": [3], "data_offsets": [96, 108]}'
    header = ("{" + ", ".join((first, second, bias)) + "}").encode()
    body = np.concatenate([np.zeros(12), np.ones(12), np.zeros(3)]).astype("<f4").tobytes()
    (tmp_path / "x.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + body)
    with pytest.raises(UnsafeFileError, match="x.safetensors.*repeats the key.*dense/kernel"):
        model.load_weights(tmp_path / "x.safetensors")
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_at_least_ten_attack_kinds():
    assert len(ATTACKS) >= 10
