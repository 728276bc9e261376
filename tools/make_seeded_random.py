"""Record Keras 3's ``keras.random`` draws on TensorFlow for tests/test_seeded_random.py.

Run with a Python that has Keras 3 (TensorFlow backend):
    /work/peers/bin/python tools/make_seeded_random.py
writes tests/fixtures/seeded_random.npz: ``<case>`` the draw, ``<case>/args`` the call (JSON text:
the function, its keyword arguments; a seed written ``{"gen": s, "calls": k}`` means the k-th draw
(0-based) of ``SeedGenerator(s)``). Big arrays of parameters are stored under ``<case>/<name>``.
"""
import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures"
rng = np.random.default_rng(11)
out = {}


def seed_of(spec):
    if isinstance(spec, dict):
        gen = keras.random.SeedGenerator(spec["gen"])
        for _ in range(spec["calls"]):
            gen.next()
        return gen
    return spec


def case(name, fn, arrays=None, **kwargs):
    arrays = arrays or {}
    call = {k: v for k, v in kwargs.items()}
    call["seed"] = seed_of(kwargs["seed"])
    for k, v in arrays.items():
        call[k] = v
        out[f"{name}/{k}"] = np.asarray(v)
    out[name] = np.asarray(getattr(keras.random, fn)(**call))
    out[f"{name}/args"] = np.array(json.dumps({"fn": fn, "kwargs": kwargs, "arrays": sorted(arrays)}))


# categorical: small batches (TensorFlow runs the rows in one piece), -inf logits, a SeedGenerator
logits = rng.normal(size=(3, 6)).astype(np.float32)
case("categorical_0", "categorical", {"logits": logits}, num_samples=20, seed=7)
case("categorical_1", "categorical", {"logits": np.array([[0.0, -np.inf, 1.0, 2.0]], np.float32)}, num_samples=50,
     seed={"gen": 3, "calls": 1}, dtype="int64")
case("categorical_2", "categorical", {"logits": rng.normal(size=(1, 300)).astype(np.float32) * 3}, num_samples=40,
     seed=123456)
case("categorical_3", "categorical", {"logits": rng.normal(size=(2, 4))}, num_samples=9, seed=2)      # float64 logits
# a large batch: TensorFlow splits its rows over threads (recorded to see whether it still matches)
case("categorical_big", "categorical", {"logits": rng.normal(size=(256, 50)).astype(np.float32)}, num_samples=8,
     seed=5)
# gamma: alpha below, at and above 1; per-column alphas; float64
for i, (alpha, seed) in enumerate([(0.5, 1), (1.0, 2), (2.5, 3), (7.0, {"gen": 9, "calls": 2}), (0.05, 4)]):
    case(f"gamma_{i}", "gamma", shape=[2000], alpha=alpha, seed=seed)
case("gamma_cols", "gamma", {"alpha": np.array([0.3, 1.0, 4.0], np.float32)}, shape=[500, 3], seed=8)
case("gamma_f64", "gamma", shape=[1000], alpha=1.7, seed=5, dtype="float64")
# binomial: inversion (n p < 10), BTRS, p > 1/2 (failures drawn), per-column parameters
for i, (n, p, seed) in enumerate([(5, 0.3, 1), (100, 0.4, 2), (20, 0.8, 3), (1000, 0.9, 4), (40, 0.05, 5),
                                  (1, 0.5, {"gen": 6, "calls": 1})]):
    case(f"binomial_{i}", "binomial", shape=[2000], counts=n, probabilities=p, seed=seed)
case("binomial_cols", "binomial", {"counts": np.array([3.0, 50.0, 200.0], np.float32),
                                   "probabilities": np.array([0.2, 0.5, 0.7], np.float32)}, shape=[400, 3], seed=9)
case("binomial_int", "binomial", shape=[100], counts=30, probabilities=0.5, seed=10, dtype="int32")
# beta: X / (X + Y), Y's seed the first plus 12
for i, (a, b, seed) in enumerate([(0.5, 2.0, 1), (3.0, 3.0, {"gen": 4, "calls": 0}), (1.0, 0.3, 2 ** 31 - 5)]):
    case(f"beta_{i}", "beta", shape=[2000], alpha=a, beta=b, seed=seed)
# and the ones glassnet had, over more of their arguments
case("randint_0", "randint", shape=[50], minval=-5, maxval=7, seed=3)
case("randint_1", "randint", shape=[50], minval=0, maxval=2 ** 40, seed=3, dtype="int64")
case("randint_2", "randint", shape=[7, 3], minval=10, maxval=300, seed={"gen": 2, "calls": 3}, dtype="int16")
case("truncated_normal_0", "truncated_normal", shape=[300], mean=1.0, stddev=0.5, seed=4)
case("truncated_normal_1", "truncated_normal", shape=[300], seed=4, dtype="float64")
case("normal_f64", "normal", shape=[64], seed=6, dtype="float64")
case("uniform_f64", "uniform", shape=[64], minval=-2.0, maxval=3.0, seed=6, dtype="float64")
case("dropout_0", "dropout", {"inputs": np.ones((4, 6), np.float32)}, rate=0.3, noise_shape=[1, 6], seed=5)
case("dropout_1", "dropout", {"inputs": np.arange(12, dtype=np.float64).reshape(3, 4)}, rate=0.5, seed=5)
case("shuffle_0", "shuffle", {"x": np.arange(20).reshape(4, 5)}, axis=1, seed=6)
case("shuffle_1", "shuffle", {"x": np.arange(50)}, seed={"gen": 1, "calls": 4})
out["keras_version"] = np.array(keras.__version__)
out["tf_version"] = np.array(tf.__version__)
np.savez_compressed(FIXTURES / "seeded_random.npz", **out)
print("wrote", FIXTURES / "seeded_random.npz", len(out), "arrays")
