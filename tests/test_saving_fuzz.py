"""Seeded mutation fuzzing of a valid ``.keras`` file: 2,000 mutants by default (GLASSNET_FUZZ_N for more) (byte flips,
truncations, insertions, member swaps, JSON-level edits of config.json and byte flips
inside the HDF5 weights, the last two repacked with valid CRCs so they reach the parsers).
The only acceptable outcomes: a model that loads and predicts, or a ModelFileError.
"""
from __future__ import annotations

import collections
import copy
import json
import random
import time

import numpy as np
import pytest

import glassnet
from glassnet.saving import ModelFileError, safe_zip
from glassnet.keras import layers as L

N_MUTANTS = int(__import__("os").environ.get("GLASSNET_FUZZ_N", "2000"))
_VALUES = [None, True, False, 0, -1, 1, 3, 2 ** 31, 2 ** 64, 1e308, -0.5, float("nan"), "", "x", "relu",
           "Dense", "Lambda", "os.system", "__lambda__", "float64", [], {}, [None, 4], [[[]]],
           {"class_name": "Dense"}, {"module": "os", "class_name": "system"}, {"class_name": "function"}]


@pytest.fixture(scope="module")
def valid(tmp_path_factory):
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(5, activation="relu", kernel_regularizer="l2"),
                                 L.Dropout(0.1), L.Dense(2), L.Activation("softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(np.random.default_rng(0).random((8, 4)), np.arange(8) % 2, verbose=0)
    path = tmp_path_factory.mktemp("fuzz") / "valid.keras"
    model.save(path)
    return path.read_bytes()


def _mutate_json(cfg, rnd):
    cfg = copy.deepcopy(cfg)
    nodes = []                         # (container, key) pairs
    stack = [cfg]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
        for k, v in items:
            nodes.append((node, k))
            stack.append(v)
    for _ in range(rnd.randint(1, 3)):
        container, key = rnd.choice(nodes)
        if isinstance(container, dict) and rnd.random() < 0.2:
            container.pop(key, None)
        else:
            try:
                container[key] = copy.deepcopy(rnd.choice(_VALUES))
            except (IndexError, KeyError):
                pass
    return json.dumps(cfg).encode()


def _mutant(valid, members, cfg, rnd, kind):
    if kind == "flip":
        blob = bytearray(valid)
        for _ in range(rnd.randint(1, 8)):
            blob[rnd.randrange(len(blob))] ^= 1 << rnd.randrange(8)
        return bytes(blob)
    if kind == "truncate":
        return valid[: rnd.randrange(len(valid))]
    if kind == "splice":
        at = rnd.randrange(len(valid))
        if rnd.random() < 0.5:
            return valid[:at] + rnd.randbytes(rnd.randint(1, 64)) + valid[at:]
        return valid[:at] + valid[at + rnd.randint(1, 256):]
    if kind == "members":
        names = list(members)
        contents = [members[n] for n in names]
        op = rnd.randrange(4)
        if op == 0:
            rnd.shuffle(contents)                         # contents swapped between names
        elif op == 1:
            names.pop(rnd.randrange(len(names)))          # a member dropped
            contents = [members[n] for n in names]
        elif op == 2:
            rnd.shuffle(names)                            # order changed (must still load)
            contents = [members[n] for n in names]
        else:
            i = rnd.randrange(len(names))
            names[i] = rnd.choice(["model.weights.npz", "assets/x", "config.json ", "CONFIG.JSON"])
        return safe_zip.pack(dict(zip(names, contents)))
    if kind == "config":
        return safe_zip.pack({**members, "config.json": _mutate_json(cfg, rnd)})
    h5 = bytearray(members["model.weights.h5"])           # kind == "h5"
    for _ in range(rnd.randint(1, 6)):
        h5[rnd.randrange(len(h5))] = rnd.randrange(256)
    return safe_zip.pack({**members, "model.weights.h5": bytes(h5)})


KINDS = ["flip"] * 40 + ["truncate"] * 12 + ["splice"] * 8 + ["members"] * 8 + ["config"] * 22 + ["h5"] * 10


def test_mutants_load_cleanly_or_raise_a_glassnet_error(valid):
    members = safe_zip.unpack(valid, "valid")
    cfg = json.loads(members["config.json"])
    x = np.random.default_rng(1).random((3, 4)).astype("float32")
    outcomes = collections.Counter()
    start = time.perf_counter()
    for seed in range(N_MUTANTS):
        rnd = random.Random(seed)
        kind = rnd.choice(KINDS)
        blob = _mutant(valid, members, cfg, rnd, kind)
        try:
            model = glassnet.models.load_model(blob)
        except ModelFileError:
            outcomes[kind, "refused"] += 1
            continue
        except Exception as e:          # anything else is a bug: say which mutant
            pytest.fail(f"mutant {seed} ({kind}) raised {type(e).__name__}: {e}")
        out = model.predict(x, verbose=0)
        assert out.shape[0] == 3
        outcomes[kind, "loaded"] += 1
    elapsed = time.perf_counter() - start
    print(f"\n{N_MUTANTS} mutants in {elapsed:.1f} s: {dict(sorted(outcomes.items()))}")
    assert sum(outcomes.values()) == N_MUTANTS
    assert sum(v for (k, o), v in outcomes.items() if o == "refused") > N_MUTANTS // 2
