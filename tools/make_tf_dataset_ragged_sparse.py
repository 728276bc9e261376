"""TensorFlow's RaggedTensor and SparseTensor elements in tf.data, for tests/test_dataset_ragged_sparse.py.

    PYTHONPATH=src /work/peers/bin/python tools/make_tf_dataset_ragged_sparse.py   # TensorFlow 2.21

Each pipeline in PIPELINES is a function of the ``tf`` module (TensorFlow here, glassnet in the
test): its ``element_spec`` as TensorFlow prints it, ``repr`` of the dataset, and each element as
plain data (a RaggedTensor by ``to_list()``, a SparseTensor by its indices, values and
dense_shape, a Tensor by ``numpy().tolist()``). Written to tests/fixtures/tf_dataset_ragged_sparse.json.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "tf_dataset_ragged_sparse.json")


def _sparse(tf):
    return tf.sparse.SparseTensor(indices=[[0, 0], [1, 2], [2, 1], [2, 3]], values=[1, 2, 3, 4], dense_shape=[3, 4])


def _lengths(tf):
    return tf.data.Dataset.from_tensor_slices([0, 1, 2, 3, 4]).map(lambda n: tf.range(n))


PIPELINES = {
    "ragged_batch_of_ranges": lambda tf: _lengths(tf).ragged_batch(2),
    "ragged_batch_drop_remainder": lambda tf: _lengths(tf).ragged_batch(2, drop_remainder=True),
    "ragged_batch_of_fixed_shapes": lambda tf: tf.data.Dataset.from_tensor_slices(tf.ones((5, 2, 3))).ragged_batch(2),
    "ragged_batch_of_rows_of_pairs": lambda tf: _lengths(tf).map(
        lambda r: tf.reshape(tf.repeat(r, 2), (-1, 2))).ragged_batch(3),
    "ragged_batch_with_labels": lambda tf: tf.data.Dataset.zip(
        (_lengths(tf), tf.data.Dataset.from_tensor_slices([1.0, 2.0, 3.0, 4.0, 5.0]))).ragged_batch(2),
    "slices_of_a_ragged_tensor": lambda tf: tf.data.Dataset.from_tensor_slices(
        tf.ragged.constant([[1, 2], [3], [4, 5, 6]])),
    "slices_of_a_ragged_tensor_batched": lambda tf: tf.data.Dataset.from_tensor_slices(
        tf.ragged.constant([[1, 2], [3], [4, 5, 6]])).batch(2),
    "slices_of_ragged_with_labels": lambda tf: tf.data.Dataset.from_tensor_slices(
        (tf.ragged.constant([[1, 2], [3], [4, 5, 6]]), [0, 1, 0])),
    "ragged_rows_ragged_batch": lambda tf: tf.data.Dataset.from_tensor_slices(
        tf.ragged.constant([[[1], [2, 3]], [[4]], [[5, 6], [], [7]]])).ragged_batch(2),
    "ragged_in_a_dict_batched_and_unbatched": lambda tf: tf.data.Dataset.from_tensor_slices(
        {"lengths": tf.ragged.constant([[7], [], [1, 2, 3], [4]]), "x": [1, 2, 3, 4]}).batch(3).unbatch(),
    "dense_to_ragged_batch": lambda tf: tf.data.Dataset.from_tensor_slices([1, 5, 3, 2, 8]).map(tf.range).apply(
        tf.data.experimental.dense_to_ragged_batch(2)),
    "sparse_slices": lambda tf: tf.data.Dataset.from_tensor_slices(_sparse(tf)),
    "sparse_batched": lambda tf: tf.data.Dataset.from_tensor_slices(_sparse(tf)).batch(2),
    "sparse_batched_drop_remainder": lambda tf: tf.data.Dataset.from_tensor_slices(_sparse(tf)).batch(
        2, drop_remainder=True),
    "sparse_rank3_batched": lambda tf: tf.data.Dataset.from_tensor_slices(tf.sparse.SparseTensor(
        indices=[[0, 0, 1], [1, 2, 0], [2, 1, 1]], values=[1.5, 2.5, 3.5], dense_shape=[3, 3, 2])).batch(3),
    "sparse_in_a_dict": lambda tf: tf.data.Dataset.from_tensor_slices(
        {"ids": _sparse(tf), "y": [1.0, 2.0, 3.0]}).batch(2),
    "sparse_from_tensors": lambda tf: tf.data.Dataset.from_tensors(_sparse(tf)),
    "sparse_mapped_to_dense": lambda tf: tf.data.Dataset.from_tensor_slices(_sparse(tf)).map(tf.sparse.to_dense),
    "sparse_unbatched": lambda tf: tf.data.Dataset.from_tensor_slices(_sparse(tf)).batch(2).unbatch(),
}


def plain(value):
    """An element as JSON: structure kept, each leaf as data with its kind."""
    if isinstance(value, tuple):
        return {"tuple": [plain(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": {k: plain(v) for k, v in value.items()}}
    kind = type(value).__name__
    if kind == "RaggedTensor":
        return {"ragged": value.to_list()}
    if kind == "SparseTensor":
        return {"sparse": [value.indices.numpy().tolist(), value.values.numpy().tolist(),
                           value.dense_shape.numpy().tolist()]}
    return {"tensor": value.numpy().tolist()}


def record(tf):
    out = {}
    for name, make in PIPELINES.items():
        ds = make(tf)
        out[name] = {"spec": repr(ds.element_spec), "elements": [plain(e) for e in ds]}
    return out


def main():
    import tensorflow as tf
    with open(OUT, "w") as f:
        json.dump(record(tf), f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
