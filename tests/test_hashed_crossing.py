"""``layers/hashed_crossing.py``: HashedCrossing's bins are TF 2.21's (tf.sparse.cross_hashed: FarmHash
Fingerprint64 and FingerprintCat64), recorded with /work/peers/bin/python and written as literals."""
import numpy as np
import pytest

import glassnet as tf
from glassnet import keras

L = keras.layers.HashedCrossing


def test_bins_match_tf():
    got = L(num_bins=5)((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])))
    assert got.dtype == tf.int64 and got.numpy().tolist() == [1, 4, 1, 1, 3]
    one_hot = L(num_bins=5, output_mode="one_hot")((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])))
    assert one_hot.dtype == tf.float32 and np.argmax(one_hot.numpy(), -1).tolist() == [1, 4, 1, 1, 3]
    assert one_hot.shape == (5, 5)
    assert L(num_bins=1000)((tf.constant([["x"], ["y"]]), tf.constant([[3], [-4]], dtype="int64"))).numpy().tolist() == [[960], [947]]
    assert L(num_bins=97)((np.array(["a", "b"]), np.array(["c", "d"]), np.array([7, 8]))).numpy().tolist() == [75, 54]
    scalar = L(num_bins=10)((tf.constant("q"), tf.constant(5)))
    assert scalar.shape == () and int(scalar) == 0
    config = L(num_bins=4).get_config()
    assert {k: config[k] for k in ("num_bins", "output_mode", "sparse", "dtype")} == {
        "num_bins": 4, "output_mode": "int", "sparse": False, "dtype": "int64"}


def test_inputs_refused_in_kerass_words():
    with pytest.raises(ValueError, match="should be called on a list or tuple of inputs"):
        L(3)(np.array([1, 2]))
    with pytest.raises(ValueError, match="should be called on at least two inputs"):
        L(3)((np.array([1, 2]),))
    with pytest.raises(ValueError, match="should have an integer or string dtype"):
        L(3)((np.array([1.5]), np.array([2])))
    with pytest.raises(ValueError, match="should have equal shape"):
        L(3)((np.array([1, 2]), np.array([2])))
    with pytest.raises(ValueError, match=r"Allowed values are: \('int', 'one_hot'\). Received: output_mode=x"):
        L(3, output_mode="x")
