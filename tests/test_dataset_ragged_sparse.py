"""glassnet.data.composite: RaggedTensor and SparseTensor elements in a Dataset, against
TensorFlow 2.21's own pipelines (tests/fixtures/tf_dataset_ragged_sparse.json, made by
tools/make_tf_dataset_ragged_sparse.py): element_spec as TensorFlow prints it and every element."""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import glassnet as tf
from conftest import load_tool

FIX = pathlib.Path(__file__).parent / "fixtures" / "tf_dataset_ragged_sparse.json"
TOOL = load_tool("make_tf_dataset_ragged_sparse")


@pytest.mark.parametrize("name", sorted(TOOL.PIPELINES))
def test_pipelines_give_tensorflows_specs_and_elements(name):
    want = json.loads(FIX.read_text())[name]
    ds = TOOL.PIPELINES[name](tf)
    assert repr(ds.element_spec) == want["spec"]
    assert [TOOL.plain(e) for e in ds] == want["elements"]


def test_ragged_batch_keeps_a_last_single_element_ragged_and_refuses_a_bad_size():
    ds = tf.data.Dataset.from_tensor_slices([2, 3, 1]).map(lambda n: tf.ones((n,)))
    batches = list(ds.ragged_batch(2))
    assert isinstance(batches[1], tf.RaggedTensor) and batches[1].to_list() == [[1.0]]
    assert repr(ds.ragged_batch(2)).startswith("<_BatchDataset element_spec=RaggedTensorSpec(")
    assert int(ds.ragged_batch(2).cardinality()) == 2
    with pytest.raises(ValueError, match="ragged_batch: batch_size must be an integer >= 1, got 0"):
        ds.ragged_batch(0)


def test_ragged_batch_with_two_ragged_axes():
    ds = tf.data.Dataset.from_tensor_slices([1, 2]).map(lambda n: tf.ones((n, n + 1)))
    rt = next(iter(ds.ragged_batch(2)))
    assert rt.ragged_rank == 2 and rt.shape.as_list() == [2, None, None]
    assert rt.to_list() == [[[1.0, 1.0]], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]


def test_sparse_rows_are_sparse_tensors_a_map_can_densify_and_numpy_gives_dense():
    sp = tf.sparse.SparseTensor(indices=[[0, 1], [2, 0]], values=[5.0, 7.0], dense_shape=[3, 2])
    ds = tf.data.Dataset.from_tensor_slices(sp)
    rows = list(ds)
    assert all(isinstance(r, tf.SparseTensor) for r in rows)
    assert [tf.sparse.to_dense(r).numpy().tolist() for r in rows] == [[0.0, 5.0], [0.0, 0.0], [7.0, 0.0]]
    assert [a.tolist() for a in ds.as_numpy_iterator()] == [[0.0, 5.0], [0.0, 0.0], [7.0, 0.0]]
    back = next(iter(ds.batch(3)))
    np.testing.assert_array_equal(tf.sparse.to_dense(back).numpy(), tf.sparse.to_dense(sp).numpy())
    assert repr(tf.SparseTensorSpec([None, 2], tf.float32)) == "SparseTensorSpec(TensorShape([None, 2]), tf.float32)"


def test_mismatched_rows_are_refused_naming_the_counts():
    sp = tf.sparse.SparseTensor(indices=[[0, 1]], values=[5.0], dense_shape=[3, 2])
    with pytest.raises(ValueError, match=r"same number of rows; got \[3, 2\]"):
        tf.data.Dataset.from_tensor_slices((sp, np.zeros(2)))
    with pytest.raises(ValueError, match="rank 0 has no rows"):
        tf.data.Dataset.from_tensor_slices(tf.sparse.SparseTensor(np.zeros((0, 0), np.int64), [], []))
