"""Record TensorFlow's ``tf.data.Dataset.shuffle`` orders for tests/test_seeded_dataset_shuffle.py.

Run with a Python that has TensorFlow:
    /work/peers/bin/python tools/make_seeded_dataset_shuffle.py
writes tests/fixtures/seeded_dataset_shuffle.npz: each case is a small program (its text under
``<case>/program``, run by the test with glassnet as ``tf``) and what it printed, as arrays
``<case>/<k>`` (the k-th list of elements it collected).
"""
import os
import pathlib
import textwrap

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures"
out = {}

# each program leaves its lists in `got`; the first runs before any global seed is set
PROGRAMS = {
    "op_seed_only": """
        ds = tf.data.Dataset.range(40).shuffle(16, seed=3)
        got = [list(ds.as_numpy_iterator()), list(ds.as_numpy_iterator())]
    """,
    "global_seed": """
        tf.random.set_seed(7)
        ds = tf.data.Dataset.range(20).shuffle(5)
        got = [list(ds.as_numpy_iterator()), list(ds.as_numpy_iterator()), list(ds.as_numpy_iterator())]
    """,
    "global_and_op_seed": """
        tf.random.set_seed(1234)
        ds = tf.data.Dataset.range(30).shuffle(10, seed=99)
        got = [list(ds.as_numpy_iterator()), list(ds.as_numpy_iterator())]
    """,
    "no_reshuffle": """
        tf.random.set_seed(5)
        ds = tf.data.Dataset.range(25).shuffle(8, reshuffle_each_iteration=False)
        got = [list(ds.as_numpy_iterator()), list(ds.as_numpy_iterator())]
    """,
    "two_datasets_then_uniform": """
        tf.random.set_seed(0)
        a = tf.data.Dataset.range(12).shuffle(12)
        b = tf.data.Dataset.range(12).shuffle(12)
        u = tf.random.uniform([3])
        got = [list(a.as_numpy_iterator()), list(b.as_numpy_iterator()), (u.numpy() * 1e6).astype("int64").tolist()]
    """,
    "zero_seeds": """
        tf.random.set_seed(0)
        ds = tf.data.Dataset.range(15).shuffle(15, seed=0)
        got = [list(ds.as_numpy_iterator())]
    """,
    "full_buffer_big": """
        tf.random.set_seed(42)
        ds = tf.data.Dataset.range(2000).shuffle(2000, seed=11)
        got = [list(ds.as_numpy_iterator())]
    """,
    "small_buffer_big": """
        tf.random.set_seed(42)
        ds = tf.data.Dataset.range(500).shuffle(3, seed=12)
        got = [list(ds.as_numpy_iterator())]
    """,
    "buffer_one": """
        tf.random.set_seed(42)
        ds = tf.data.Dataset.range(10).shuffle(1)
        got = [list(ds.as_numpy_iterator())]
    """,
    "tensor_slices_batch": """
        tf.random.set_seed(3)
        x = np.arange(26).reshape(13, 2)
        ds = tf.data.Dataset.from_tensor_slices((x, x[:, 0] * 10)).shuffle(6).batch(4)
        got = [np.concatenate([b[1] for b in ds.as_numpy_iterator()]).tolist()]
    """,
    "shuffle_repeat": """
        tf.random.set_seed(8)
        ds = tf.data.Dataset.range(10).shuffle(4, seed=1).repeat(3)
        got = [list(ds.as_numpy_iterator())]
    """,
    "repeat_shuffle": """
        tf.random.set_seed(8)
        ds = tf.data.Dataset.range(10).repeat(3).shuffle(4, seed=1)
        got = [list(ds.as_numpy_iterator())]
    """,
    "large_seed": """
        tf.random.set_seed(2 ** 40 + 17)
        ds = tf.data.Dataset.range(50).shuffle(20)
        got = [list(ds.as_numpy_iterator())]
    """,
}

for name, program in PROGRAMS.items():
    text = textwrap.dedent(program).strip()
    scope = {"tf": tf, "np": np}
    exec(text, scope)                                  # noqa: S102 - our own programs above
    out[f"{name}/program"] = np.array(text)
    for k, values in enumerate(scope["got"]):
        out[f"{name}/{k}"] = np.asarray(values, dtype=np.int64)
out["tf_version"] = np.array(tf.__version__)
np.savez_compressed(FIXTURES / "seeded_dataset_shuffle.npz", **out)
print("wrote", FIXTURES / "seeded_dataset_shuffle.npz", len(out), "arrays")
