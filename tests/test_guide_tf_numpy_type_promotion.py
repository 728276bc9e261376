"""TensorFlow's guide "TF-NumPy Type Promotion" (tf_numpy_type_promotion.ipynb) run with ``import glassnet
as tf``: ``tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="all" / "safe")`` switch to TF's
lattice with weak types (glassnet/tf/promotion.py). What the guide's cells show (their values printed
with ``repr``) must be what TensorFlow 2.21 printed, and the whole binary promotion table, both modes,
must be TF 2.21's (recorded with ``/work/peers/bin/python``, bfloat16 left out: glassnet has none).

Left out where glassnet differs: the ``"legacy"`` cells whose TF answers depend on TF's own refusal
of mixed dtypes (``tf.add(int8 array, int32 tensor)`` is InvalidArgumentError there, a NumPy array
operand promoted NumPy's way); ``assign_add``'s repr (TF: ``'UnreadVariable'``), bool + bool (TF:
InvalidArgumentError)."""
import numpy as np
import pytest

import glassnet
import glassnet.experimental.numpy as gtnp
from conftest import assert_guide_prints


@pytest.fixture(autouse=True)
def _legacy_after():
    yield
    gtnp.experimental_enable_numpy_behavior(dtype_conversion_mode="legacy")


GUIDE = r'''import numpy as np
import tensorflow as tf
import tensorflow.experimental.numpy as tnp

tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="all")
a = tf.constant(10, dtype = tf.int32)
b = tf.constant(5.0, dtype = tf.float32)
print(repr(a + b))  # <tf.Tensor: shape=(), dtype=float32, numpy=15.0>

tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="safe")
try:
  a + b
except TypeError as e:
   print(f'{type(e)}: {e}')

tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="all")
a = tf.constant(10, dtype = tf.int8)
b = tf.constant(5, dtype = tf.uint32)
print(repr(a + b))
tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="safe")
try:
  a + b
except TypeError as e:
   print(f'{type(e)}: {e}')

tnp.experimental_enable_numpy_behavior(dtype_conversion_mode="all")
print(repr(tf.constant(1, tf.int64) + tf.constant(3.2, tf.float16)))
print(repr(tf.constant(1.2) + tf.constant(3.1, tf.float16)))
print(repr(tf.constant(5)))
print(repr(tf.constant([5.0, 10.0, 3])))
print(repr(tf.constant(5, tf.int32)))
print(repr(tf.math.abs([100.0, 4.0])))
print(tf.constant(5))

a = np.array(1, dtype=np.int8)
b = tf.constant(1)
c = np.array(1, dtype=np.float16)
print(repr(tf.add(tf.add(a, b), c)))
print(repr(tf.add(tf.add(b, a), c)))
print(repr(np.array(3.2, np.float16) + tf.constant(1, tf.int8) + tf.constant(50)))
print(repr(-tf.constant(5)))
print(repr(tf.constant(5, tf.int16) - tf.constant(1, tf.float32)))

a = tf.Variable(10, tf.int32)
a.assign_add(tf.constant(5, tf.int16))
print(repr(a))
a = tf.constant(10, tf.int16)
print(repr(tf.constant(a, tf.float32)))
print(repr(tnp.array(1)))
print(repr(tnp.array(1.0)))
'''.replace("import tensorflow.experimental.numpy as tnp", "import glassnet.experimental.numpy as tnp")

SAFE_MESSAGE = ("In promotion mode PromoMode.SAFE, implicit dtype promotion between (<dtype: '{}'>, weak=False) and "
                "(<dtype: '{}'>, weak=False) is disallowed. You need to explicitly specify the dtype in your op, or "
                "relax your dtype promotion rules (such as from SAFE mode to ALL mode).")
TF_OUTPUT = [                           # TF 2.21
    "<tf.Tensor: shape=(), dtype=float32, numpy=15.0>",
    "<class 'TypeError'>: " + SAFE_MESSAGE.format("int32", "float32"),
    "<tf.Tensor: shape=(), dtype=int64, numpy=15>",
    "<class 'TypeError'>: " + SAFE_MESSAGE.format("int8", "uint32"),
    "<tf.Tensor: shape=(), dtype=float16, numpy=4.19921875>",
    "<tf.Tensor: shape=(), dtype=float16, numpy=4.30078125>",
    "<tf.Tensor: shape=(), dtype=int32, numpy=5, weak=True>",
    "<tf.Tensor: shape=(3,), dtype=float32, numpy=array([ 5., 10.,  3.], dtype=float32), weak=True>",
    "<tf.Tensor: shape=(), dtype=int32, numpy=5>",
    "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([100.,   4.], dtype=float32), weak=True>",
    "tf.Tensor(5, shape=(), dtype=int32, weak=True)",
    "<tf.Tensor: shape=(), dtype=float16, numpy=3.0>",
    "<tf.Tensor: shape=(), dtype=float16, numpy=3.0>",
    "<tf.Tensor: shape=(), dtype=float16, numpy=54.1875>",
    "<tf.Tensor: shape=(), dtype=int32, numpy=-5, weak=True>",
    "<tf.Tensor: shape=(), dtype=float32, numpy=4.0>",
    "<tf.Variable 'Variable:0' shape=() dtype=int32, numpy=15>",
    "<tf.Tensor: shape=(), dtype=float32, numpy=10.0>",
    "<tf.Tensor: shape=(), dtype=int32, numpy=1, weak=True>",
    "<tf.Tensor: shape=(), dtype=float32, numpy=1.0, weak=True>",
    "",
]


def test_the_guide_prints_what_tensorflow_printed():
    assert_guide_prints(GUIDE, "tf_numpy_type_promotion", TF_OUTPUT)


# TF 2.21's a + b, row a, column b ("*": weak; "TE": TypeError in "safe" mode). Columns: the dtypes
# below, then tf.constant(1), tf.constant(1.0), tf.constant(1j) (weak); rows the same, then 1, 1.0, 1j.
NAMES = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float16", "float32",
         "float64", "complex64", "complex128", "i*", "f*", "c*"]
TF_TABLE = [
    "all bool - uint8 uint16 uint32 uint64 int8 int16 int32 int64 float16 float32 float64 complex64 complex128 int32* float32* complex128*",
    "all uint8 uint8 uint8 uint16 uint32 uint64 int16 int16 int32 int64 float16 float32 float64 complex64 complex128 uint8 float64* complex128*",
    "all uint16 uint16 uint16 uint16 uint32 uint64 int32 int32 int32 int64 float16 float32 float64 complex64 complex128 uint16 float64* complex128*",
    "all uint32 uint32 uint32 uint32 uint32 uint64 int64 int64 int64 int64 float16 float32 float64 complex64 complex128 uint32 float64* complex128*",
    "all uint64 uint64 uint64 uint64 uint64 uint64 float64* float64* float64* float64* float16 float32 float64 complex64 complex128 uint64 float64* complex128*",
    "all int8 int8 int16 int32 int64 float64* int8 int16 int32 int64 float16 float32 float64 complex64 complex128 int8 float64* complex128*",
    "all int16 int16 int16 int32 int64 float64* int16 int16 int32 int64 float16 float32 float64 complex64 complex128 int16 float64* complex128*",
    "all int32 int32 int32 int32 int64 float64* int32 int32 int32 int64 float16 float32 float64 complex64 complex128 int32 float64* complex128*",
    "all int64 int64 int64 int64 int64 float64* int64 int64 int64 int64 float16 float32 float64 complex64 complex128 int64 float64* complex128*",
    "all float16 float16 float16 float16 float16 float16 float16 float16 float16 float16 float16 float32 float64 complex64 complex128 float16 float16 complex64",
    "all float32 float32 float32 float32 float32 float32 float32 float32 float32 float32 float32 float32 float64 complex64 complex128 float32 float32 complex64",
    "all float64 float64 float64 float64 float64 float64 float64 float64 float64 float64 float64 float64 float64 complex128 complex128 float64 float64 complex128",
    "all complex64 complex64 complex64 complex64 complex64 complex64 complex64 complex64 complex64 complex64 complex64 complex64 complex128 complex64 complex128 complex64 complex64 complex64",
    "all complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128",
    "all i* int32* uint8 uint16 uint32 uint64 int8 int16 int32 int64 float16 float32 float64 complex64 complex128 int32* float32* complex128*",
    "all f* float32* float64* float64* float64* float64* float64* float64* float64* float64* float16 float32 float64 complex64 complex128 float32* float32* complex128*",
    "all c* complex128* complex128* complex128* complex128* complex128* complex128* complex128* complex128* complex128* complex64 complex64 complex128 complex64 complex128 complex128* complex128* complex128*",
    "all int int32* uint8 uint16 uint32 uint64 int8 int16 int32 int64 float16 float32 float64 complex64 complex128 int32* float32* complex128*",
    "all float float32* float64* float64* float64* float64* float64* float64* float64* float64* float16 float32 float64 complex64 complex128 float32* float32* complex128*",
    "all complex complex128* complex128* complex128* complex128* complex128* complex128* complex128* complex128* complex128* complex64 complex64 complex128 complex64 complex128 complex128* complex128* complex128*",
    "safe bool - uint8 uint16 uint32 uint64 int8 int16 int32 int64 float16 float32 float64 complex64 complex128 int32* float32* complex128*",
    "safe uint8 uint8 uint8 uint16 uint32 uint64 TE int16 int32 int64 float16 float32 float64 complex64 complex128 uint8 TE complex128*",
    "safe uint16 uint16 uint16 uint16 uint32 uint64 TE TE int32 int64 TE float32 float64 complex64 complex128 uint16 TE complex128*",
    "safe uint32 uint32 uint32 uint32 uint32 uint64 TE TE TE int64 TE TE float64 TE complex128 uint32 TE complex128*",
    "safe uint64 uint64 uint64 uint64 uint64 uint64 TE TE TE TE TE TE TE TE TE uint64 TE TE",
    "safe int8 int8 TE TE TE TE int8 int16 int32 int64 float16 float32 float64 complex64 complex128 int8 TE complex128*",
    "safe int16 int16 int16 TE TE TE int16 int16 int32 int64 TE float32 float64 complex64 complex128 int16 TE complex128*",
    "safe int32 int32 int32 int32 TE TE int32 int32 int32 int64 TE TE float64 TE complex128 int32 TE complex128*",
    "safe int64 int64 int64 int64 int64 TE int64 int64 int64 int64 TE TE TE TE TE int64 TE TE",
    "safe float16 float16 float16 TE TE TE float16 TE TE TE float16 float32 float64 complex64 complex128 float16 float16 TE",
    "safe float32 float32 float32 float32 TE TE float32 float32 TE TE float32 float32 float64 complex64 complex128 float32 float32 TE",
    "safe float64 float64 float64 float64 float64 TE float64 float64 float64 TE float64 float64 float64 TE complex128 float64 float64 complex128",
    "safe complex64 complex64 complex64 complex64 TE TE complex64 complex64 TE TE complex64 complex64 TE complex64 complex128 complex64 complex64 complex64",
    "safe complex128 complex128 complex128 complex128 complex128 TE complex128 complex128 complex128 TE complex128 complex128 complex128 complex128 complex128 complex128 complex128 complex128",
    "safe i* int32* uint8 uint16 uint32 uint64 int8 int16 int32 int64 float16 float32 float64 complex64 complex128 int32* float32* complex128*",
    "safe f* float32* TE TE TE TE TE TE TE TE float16 float32 float64 complex64 complex128 float32* float32* complex128*",
    "safe c* complex128* complex128* complex128* complex128* TE complex128* complex128* complex128* TE TE TE complex128 complex64 complex128 complex128* complex128* complex128*",
    "safe int int32* uint8 uint16 uint32 uint64 int8 int16 int32 int64 float16 float32 float64 complex64 complex128 int32* float32* complex128*",
    "safe float float32* TE TE TE TE TE TE TE TE float16 float32 float64 complex64 complex128 float32* float32* complex128*",
    "safe complex complex128* complex128* complex128* complex128* TE complex128* complex128* complex128* TE TE TE complex128 complex64 complex128 complex128* complex128* complex128*",
]


def _value(name):
    tf = glassnet
    weak = {"i*": 1, "f*": 1.0, "c*": 1j}
    python = {"int": 1, "float": 1.0, "complex": 1j}
    if name in weak:
        return tf.constant(weak[name])
    if name in python:
        return python[name]
    return tf.constant(True if name == "bool" else 1, getattr(tf, name))


def _answer(r, c):
    try:
        out = _value(r) + _value(c)
    except TypeError:
        return "TE"
    return out.dtype.name + ("*" if "weak=True" in repr(out) else "")


@pytest.mark.parametrize("mode", ["all", "safe"])
def test_the_promotion_table_is_tensorflows(mode):
    gtnp.experimental_enable_numpy_behavior(dtype_conversion_mode=mode)
    for line in TF_TABLE:
        got_mode, row, *want = line.split()
        if got_mode != mode:
            continue
        got = ["-" if (row, c) == ("bool", "bool") else _answer(row, c) for c in NAMES]
        assert got == want, (mode, row, got, want)


def test_weak_values_and_what_stays_strong():
    tf = glassnet
    gtnp.experimental_enable_numpy_behavior(dtype_conversion_mode="all")
    w = tf.constant([1.0, 2.0])
    # TF 2.21: weak * 2, weak + weak, sqrt of weak stay weak; 3 / 2 of weak ints is a weak float64;
    # a NumPy scalar, a Variable and tf.cast are strong
    assert repr(w * 2) == "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 4.], dtype=float32), weak=True>"
    assert repr(tf.sqrt(w)).endswith("weak=True>")
    assert repr(tf.constant(3) / tf.constant(2)) == "<tf.Tensor: shape=(), dtype=float64, numpy=1.5, weak=True>"
    assert repr(tf.constant(3, tf.int8) / 2) == "<tf.Tensor: shape=(), dtype=float32, numpy=1.5>"
    assert repr(tf.math.add(1, 2.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=3.0, weak=True>"
    assert repr(np.float64(1) + tf.constant(1.0)) == "<tf.Tensor: shape=(), dtype=float64, numpy=2.0>"
    assert repr(tf.constant(1, tf.int8) + 300) == "<tf.Tensor: shape=(), dtype=int8, numpy=45>"
    assert repr(tf.Variable(2) * 2) == "<tf.Tensor: shape=(), dtype=int32, numpy=4>"
    assert repr(tf.constant(1) + tf.Variable(1.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=2.0>"
    assert repr(tf.cast(tf.constant(1), tf.float32)) == "<tf.Tensor: shape=(), dtype=float32, numpy=1.0>"
    assert repr(tf.constant(1.0) == 1.0) == "<tf.Tensor: shape=(), dtype=bool, numpy=True>"
    with pytest.raises(TypeError, match="PromoMode.SAFE"):
        gtnp.experimental_enable_numpy_behavior(dtype_conversion_mode="safe")
        tf.constant([1, 2], tf.int32) + 1.5


def test_legacy_is_numpys_promotion_and_a_bad_mode_is_refused():
    tf = glassnet
    gtnp.experimental_enable_numpy_behavior(dtype_conversion_mode="legacy")
    assert repr(tf.constant(5)) == "<tf.Tensor: shape=(), dtype=int32, numpy=5>"          # TF 2.21: no weak
    assert repr(tf.constant(1, tf.int32) + tf.constant(1.0, tf.float32)) == \
        "<tf.Tensor: shape=(), dtype=float64, numpy=2.0>"
    with pytest.raises(ValueError, match="dtype_conversion_mode"):
        gtnp.experimental_enable_numpy_behavior(dtype_conversion_mode="strict")
    assert repr(tf.constant(5)) == "<tf.Tensor: shape=(), dtype=int32, numpy=5>"          # (still legacy)
