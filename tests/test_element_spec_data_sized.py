"""Dataset.map's element_spec where the data sizes an axis, as TensorFlow 2.21 traces it: None for
``tf.range(n)``/``tf.fill([n], v)`` of a tensor ``n`` (and what is computed from them elementwise),
a ``tf.cond`` whose branches differ, ``tf.concat`` of such parts, decoded images, ragged
``to_tensor()``; ``<unknown>`` for ``tf.py_function``/``tf.numpy_function`` and ``decode_image``;
and the specs of ``padded_batch``, ``batch``, ``unbatch`` and the element-keeping transformations
after such maps (glassnet.tf.data_sized, glassnet.data.dataset).

Every expected string below was printed by TensorFlow 2.21 (``/work/peers/bin/python
tools/probe_tf_element_spec_strings.py element_specs``), for the same pipeline.
"""
import io

import numpy as np
import pytest

import glassnet as tf


def nums():
    return tf.data.Dataset.from_tensor_slices(np.array([3, 1, 2], np.int32))


def same():
    return tf.data.Dataset.from_tensor_slices(np.array([2, 2, 2], np.int32))


def texts():
    return tf.data.Dataset.from_tensor_slices(["a b c", "d e", "f"])


def image_bytes(fmt):
    pil = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    pil.fromarray(np.random.default_rng(0).integers(0, 255, (5, 7, 3), dtype=np.uint8)).save(buffer, format=fmt)
    return tf.data.Dataset.from_tensors(buffer.getvalue())


def spec(shape, dtype="int32"):
    return f"TensorSpec(shape={shape}, dtype=tf.{dtype}, name=None)"


# (pipeline, what TensorFlow 2.21 printed for its element_spec)
MAPS = {
    "range_n": (lambda: nums().map(lambda n: tf.range(n)), spec("(None,)")),
    "range_1_n_int64": (lambda: nums().map(lambda n: tf.range(1, tf.cast(n, tf.int64))), spec("(None,)", "int64")),
    "range_3": (lambda: nums().map(lambda n: tf.range(3)), spec("(3,)")),
    "range_n_times_2": (lambda: nums().map(lambda n: tf.range(n) * 2), spec("(None,)")),
    "range_n_same": (lambda: same().map(lambda n: tf.range(n)), spec("(None,)")),
    "fill_n": (lambda: nums().map(lambda n: tf.fill([n], 1.5)), spec("(None,)", "float32")),
    "fill_2_n": (lambda: nums().map(lambda n: tf.fill([2, n], 0)), spec("(2, None)")),
    "fill_2_value_n": (lambda: nums().map(lambda n: tf.fill([2], n)), spec("(2,)")),
    "fill_n_3_str": (lambda: nums().map(lambda n: tf.fill([n, 3], "x")), spec("(None, 3)", "string")),
    "cond_3_4": (lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.zeros([3]), lambda: tf.zeros([4]))),
                 spec("(None,)", "float32")),
    "cond_3_3": (lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.zeros([3]), lambda: tf.ones([3]))),
                 spec("(3,)", "float32")),
    "cond_2x3_2x4": (lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.zeros([2, 3]), lambda: tf.zeros([2, 4]))),
                     spec("(2, None)", "float32")),
    "cond_rank": (lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.zeros([3]), lambda: tf.zeros([2, 2]))),
                  spec("<unknown>", "float32")),
    "cond_range": (lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.range(n), lambda: tf.range(2))),
                   spec("(None,)")),
    "cond_pair": (lambda: nums().map(lambda n: tf.cond(n > 1, lambda: (tf.zeros([3]), n),
                                                       lambda: (tf.zeros([4]), n + 1))),
                  f"({spec('(None,)', 'float32')}, {spec('()')})"),
    "concat_range": (lambda: nums().map(lambda n: tf.concat([tf.range(n), [7]], 0)), spec("(None,)")),
    "concat_fixed": (lambda: nums().map(lambda n: tf.concat([tf.zeros([2]), tf.ones([3])], 0)),
                     spec("(5,)", "float32")),
    "concat_rows": (lambda: nums().map(lambda n: tf.concat([tf.fill([n, 2], 0), tf.zeros([1, 2], tf.int32)], 0)),
                    spec("(None, 2)")),
    "concat_cols": (lambda: nums().map(lambda n: tf.concat([tf.fill([2, n], 0), tf.zeros([2, 1], tf.int32)], -1)),
                    spec("(2, None)")),
    "concat_other_axis": (lambda: nums().map(lambda n: tf.concat([tf.fill([n, 2], 0), tf.fill([n, 1], 1)], 1)),
                          spec("(None, 3)")),
    "py_function": (lambda: nums().map(lambda n: tf.py_function(lambda v: np.arange(v.numpy()), [n], tf.int64)),
                    spec("<unknown>", "int64")),
    "py_function_list": (lambda: nums().map(lambda n: tf.py_function(lambda v: (v, v * 2.0), [n],
                                                                     [tf.int32, tf.float32])),
                         f"({spec('<unknown>')}, {spec('<unknown>', 'float32')})"),
    "numpy_function": (lambda: nums().map(lambda n: tf.numpy_function(lambda v: np.arange(v), [n], tf.int64)),
                       spec("<unknown>", "int64")),
    "py_function_batch": (lambda: same().map(lambda n: tf.py_function(lambda v: np.arange(v.numpy()), [n], tf.int64))
                          .batch(2), spec("<unknown>", "int64")),
    "decode_jpeg": (lambda: image_bytes("JPEG").map(tf.io.decode_jpeg), spec("(None, None, None)", "uint8")),
    "decode_jpeg_3": (lambda: image_bytes("JPEG").map(lambda b: tf.io.decode_jpeg(b, channels=3)),
                      spec("(None, None, 3)", "uint8")),
    "decode_jpeg_1": (lambda: image_bytes("JPEG").map(lambda b: tf.io.decode_jpeg(b, channels=1)),
                      spec("(None, None, 1)", "uint8")),
    "decode_png": (lambda: image_bytes("PNG").map(tf.io.decode_png), spec("(None, None, None)", "uint8")),
    "decode_png_4": (lambda: image_bytes("PNG").map(lambda b: tf.io.decode_png(b, channels=4)),
                     spec("(None, None, 4)", "uint8")),
    "decode_image": (lambda: image_bytes("PNG").map(tf.io.decode_image), spec("<unknown>", "uint8")),
    "decode_image_3": (lambda: image_bytes("PNG").map(lambda b: tf.io.decode_image(b, channels=3)),
                       spec("<unknown>", "uint8")),
    "decode_image_flat": (lambda: image_bytes("PNG").map(lambda b: tf.io.decode_image(b, expand_animations=False)),
                          spec("(None, None, None)", "uint8")),
    "decode_image_flat_3": (lambda: image_bytes("PNG").map(
        lambda b: tf.io.decode_image(b, channels=3, expand_animations=False)), spec("(None, None, 3)", "uint8")),
    "split_batch_to_tensor": (lambda: texts().batch(2).map(lambda s: tf.strings.split(s).to_tensor()),
                              spec("(None, None)", "string")),
    "ragged_rows_to_tensor": (lambda: nums().map(
        lambda n: tf.RaggedTensor.from_row_lengths(tf.range(2 * n), tf.stack([n, n])).to_tensor()), spec("(2, None)")),
    "ragged_const_to_tensor": (lambda: nums().map(lambda n: tf.ragged.constant([[1, 2], [3]]).to_tensor()),
                               spec("(2, None)")),
    "ragged_to_tensor_shape": (lambda: texts().batch(2).map(lambda s: tf.strings.split(s).to_tensor(shape=[None, 4])),
                               spec("(None, 4)", "string")),
    "decode_cast_scale": (lambda: image_bytes("PNG").map(lambda b: tf.cast(tf.io.decode_png(b, channels=3), tf.float32)
                                                         / 255.0), spec("(None, None, 3)", "float32")),
    "decode_convert": (lambda: image_bytes("PNG").map(lambda b: tf.image.convert_image_dtype(tf.io.decode_png(b),
                                                                                             tf.float32)),
                       spec("(None, None, None)", "float32")),
    "decode_resize": (lambda: image_bytes("PNG").map(lambda b: tf.image.resize(tf.io.decode_png(b), [4, 4])),
                      spec("(4, 4, None)", "float32")),
    "decode_resize_3": (lambda: image_bytes("PNG").map(
        lambda b: tf.image.resize(tf.io.decode_png(b, channels=3), [4, 4])), spec("(4, 4, 3)", "float32")),
    "range_cast": (lambda: nums().map(lambda n: tf.cast(tf.range(n), tf.float32)), spec("(None,)", "float32")),
    "zeros_n": (lambda: nums().map(lambda n: tf.zeros([n, 2])), spec("(None, 2)", "float32")),
    "ones_n": (lambda: nums().map(lambda n: tf.ones([n])), spec("(None,)", "float32")),
    "stack_range": (lambda: nums().map(lambda n: tf.stack([tf.range(n), tf.range(n)])), spec("(2, None)")),
    "split_batch": (lambda: texts().batch(2).map(tf.strings.split),
                    "RaggedTensorSpec(TensorShape([None, None]), tf.string, 1, tf.int64)"),
    "split_scalar_padded": (lambda: texts().map(tf.strings.split).padded_batch(2), spec("(None, None)", "string")),
    "slice_range": (lambda: nums().map(lambda n: tf.range(n)[:2]), spec("(None,)")),
    "slice_rows_cols": (lambda: nums().map(lambda n: tf.fill([n, 3], 0)[:, :2]), spec("(None, 2)")),
    "index_row": (lambda: nums().map(lambda n: tf.fill([n, 3], 0)[0]), spec("(3,)")),
    "index_ellipsis": (lambda: nums().map(lambda n: tf.fill([n, 3], 0)[..., 1]), spec("(None,)")),
    "index_newaxis": (lambda: nums().map(lambda n: tf.fill([n, 3], 0)[:, None, 1:]), spec("(None, 1, 2)")),
    "index_tensor": (lambda: nums().map(lambda n: tf.fill([n, 3], 0)[tf.constant(1)]), spec("(3,)")),
    "index_middle": (lambda: nums().map(lambda n: tf.fill([2, n, 3], 0)[..., :1]), spec("(2, None, 1)")),
    "split_first_words": (lambda: texts().map(lambda s: tf.strings.split(s)[:2]), spec("(None,)", "string")),
    "dict_range": (lambda: nums().map(lambda n: {"ids": tf.range(n), "n": n}),
                   f"{{'ids': {spec('(None,)')}, 'n': {spec('()')}}}"),
}

AFTER = {
    "padded_range": (lambda: nums().map(lambda n: tf.range(n)).padded_batch(2), spec("(None, None)")),
    "padded_range_shape5": (lambda: nums().map(lambda n: tf.range(n)).padded_batch(2, padded_shapes=[5]),
                            spec("(None, 5)")),
    "padded_range_drop": (lambda: nums().map(lambda n: tf.range(n)).padded_batch(2, drop_remainder=True),
                          spec("(2, None)")),
    "padded_fill_rows": (lambda: nums().map(lambda n: tf.fill([n, 2], 0)).padded_batch(2), spec("(None, None, 2)")),
    "padded_fixed": (lambda: nums().map(lambda n: tf.zeros([3])).padded_batch(2), spec("(None, 3)", "float32")),
    "padded_fixed_none": (lambda: nums().map(lambda n: tf.zeros([3])).padded_batch(2, padded_shapes=[None]),
                          spec("(None, None)", "float32")),
    "padded_fixed_5": (lambda: nums().map(lambda n: tf.zeros([3])).padded_batch(2, padded_shapes=[5]),
                       spec("(None, 5)", "float32")),
    "padded_pair": (lambda: nums().map(lambda n: (tf.range(n), n)).padded_batch(2),
                    f"({spec('(None, None)')}, {spec('(None,)')})"),
    "padded_dict": (lambda: nums().map(lambda n: {"a": tf.fill([n], "x"), "b": n}).padded_batch(
        2, padded_shapes={"a": [None], "b": []}, padding_values={"a": "pad", "b": 0}),
        f"{{'a': {spec('(None, None)', 'string')}, 'b': {spec('(None,)')}}}"),
    "padded_unbatch": (lambda: nums().map(lambda n: tf.range(n)).padded_batch(2).unbatch(), spec("(None,)")),
    "batch_fill2": (lambda: nums().map(lambda n: tf.fill([2], n)).batch(2), spec("(None, 2)")),
    "batch_same_range": (lambda: same().map(lambda n: tf.range(n)).batch(2), spec("(None, None)")),
    "batch_same_range_drop": (lambda: same().map(lambda n: tf.range(n)).batch(2, drop_remainder=True),
                              spec("(2, None)")),
    "zip": (lambda: tf.data.Dataset.zip((nums().map(lambda n: tf.range(n)), nums())),
            f"({spec('(None,)')}, {spec('()')})"),
    "enumerate": (lambda: nums().map(lambda n: tf.range(n)).enumerate(), f"({spec('()', 'int64')}, {spec('(None,)')})"),
    "concatenate": (lambda: nums().map(lambda n: tf.range(n)).concatenate(nums().map(lambda n: tf.range(3))),
                    spec("(None,)")),
    "concatenate_ranks": (lambda: nums().map(lambda n: tf.zeros([3])).concatenate(
        nums().map(lambda n: tf.zeros([2, 2]))), spec("<unknown>", "float32")),
    "concatenate_arrays": (lambda: tf.data.Dataset.from_tensor_slices(np.zeros((2, 3), np.float32)).concatenate(
        tf.data.Dataset.from_tensor_slices(np.zeros((2, 4), np.float32))), spec("(None,)", "float32")),
    "scan": (lambda: nums().scan(0, lambda s, n: (s + n, tf.range(n))), spec("(None,)")),
    "window_of_batches": (lambda: nums().map(lambda n: tf.range(n)).batch(2, drop_remainder=True).unbatch(),
                          spec("(None,)")),
    "interleave_from_tensors": (lambda: nums().interleave(lambda n: tf.data.Dataset.from_tensors((tf.range(n), n)),
                                                          cycle_length=2), f"({spec('(None,)')}, {spec('()')})"),
    "flat_map_slices": (lambda: nums().flat_map(lambda n: tf.data.Dataset.from_tensor_slices(tf.fill([2, n], n))),
                        spec("(None,)")),
    "flat_map_fixed_slices": (lambda: nums().flat_map(
        lambda n: tf.data.Dataset.from_tensor_slices(tf.fill([n, 2], n))), spec("(2,)")),
    "map_of_a_map": (lambda: nums().map(lambda n: tf.range(n)).map(lambda r: r * 2), spec("(None,)")),
    "map_of_a_map_pair": (lambda: nums().map(lambda n: tf.range(n)).map(lambda r: (r, tf.size(r))),
                          f"({spec('(None,)')}, {spec('()')})"),
    "map_of_batches": (lambda: nums().batch(2).map(lambda r: r * 2), spec("(None,)")),
    "map_of_py_function": (lambda: nums().map(lambda n: tf.py_function(lambda v: np.arange(v.numpy()), [n], tf.int64))
                           .map(lambda r: r + 1), spec("<unknown>", "int64")),
    "prefetch_range": (lambda: nums().map(lambda n: tf.range(n)).prefetch(1), spec("(None,)")),
    "shuffle_take_range": (lambda: nums().map(lambda n: tf.range(n)).shuffle(3, seed=1).take(2), spec("(None,)")),
    "cache_repeat_range": (lambda: nums().map(lambda n: tf.range(n)).cache().repeat(2), spec("(None,)")),
    "filter_range": (lambda: nums().map(lambda n: tf.range(n)).filter(lambda r: tf.size(r) > 0), spec("(None,)")),
}


@pytest.mark.parametrize("case", sorted(MAPS))
def test_a_map_leaves_the_axes_its_data_sized_unknown_as_tensorflow(case):
    make, printed = MAPS[case]
    assert repr(make().element_spec) == printed


@pytest.mark.parametrize("case", sorted(AFTER))
def test_padded_batch_batch_and_element_keeping_steps_follow_the_maps_spec(case):
    make, printed = AFTER[case]
    assert repr(make().element_spec) == printed


def test_the_datasets_print_as_tensorflow_and_padded_batches_hold_the_padded_values():
    # TensorFlow 2.21: repr and the batches of the same pipelines
    ranges = nums().map(lambda n: tf.range(n))
    assert repr(ranges) == "<_MapDataset element_spec=TensorSpec(shape=(None,), dtype=tf.int32, name=None)>"
    padded = ranges.padded_batch(2)
    assert repr(padded) == \
        "<_PaddedBatchDataset element_spec=TensorSpec(shape=(None, None), dtype=tf.int32, name=None)>"
    assert [b.tolist() for b in padded.as_numpy_iterator()] == [[[0, 1, 2], [0, 0, 0]], [[0, 1]]]


def test_set_shape_after_py_function_makes_the_given_sizes_known():
    def load(n):
        out = tf.py_function(lambda v: np.arange(v.numpy()), [n], tf.int64)
        out.set_shape([None])
        return out
    assert repr(nums().map(load).element_spec) == spec("(None,)", "int64")

    def fixed(n):
        out = tf.py_function(lambda v: np.zeros((2, 3), np.float32), [n], tf.float32)
        out.set_shape([2, None])
        return out
    assert repr(nums().map(fixed).element_spec) == spec("(2, None)", "float32")
    # tf.ensure_shape refines as set_shape does (TensorFlow 2.21's specs)
    ensured = nums().map(lambda n: tf.ensure_shape(tf.py_function(lambda v: np.arange(v.numpy()), [n], tf.int64),
                                                   [None]))
    assert repr(ensured.element_spec) == spec("(None,)", "int64")
    assert repr(nums().map(lambda n: tf.ensure_shape(tf.fill([2, n], 0), [2, 3])).element_spec) == spec("(2, 3)")


def test_the_branch_not_taken_runs_only_while_the_first_element_is_traced():
    calls = []

    def branch(name, size):
        def run():
            calls.append(name)
            return tf.zeros([size])
        return run
    ds = nums().map(lambda n: tf.cond(n > 1, branch("big", 3), branch("small", 4)))
    assert [len(v) for v in ds.as_numpy_iterator()] == [3, 4, 3]
    assert calls == ["big", "small", "small", "big"]          # both for 3, then only the taken ones
    assert repr(ds.element_spec) == spec("(None,)", "float32")


def test_an_error_in_the_branch_not_taken_does_not_stop_the_map():
    def fails():
        raise ValueError("this branch cannot run on these values")
    ds = nums().map(lambda n: tf.cond(n > 0, lambda: tf.range(n), fails))
    assert [v.tolist() for v in ds.as_numpy_iterator()] == [[0, 1, 2], [0], [0, 1]]
    assert repr(ds.element_spec) == spec("(None,)")


def test_a_tensor_made_outside_a_map_keeps_its_sizes():
    # TensorFlow 2.21: an eager tensor's shape is known, in from_tensors and inside a map alike
    outside = tf.range(tf.constant(5))
    assert repr(tf.data.Dataset.from_tensors(outside).element_spec) == spec("(5,)")
    assert repr(nums().map(lambda n: outside + n).element_spec) == spec("(5,)")


def test_outside_a_map_the_ops_give_their_values_unchanged():
    assert tf.range(tf.constant(3)).numpy().tolist() == [0, 1, 2]
    assert tf.concat([tf.range(tf.constant(2)), [7]], 0).numpy().tolist() == [0, 1, 7]
    assert tf.cond(tf.constant(True), lambda: tf.zeros([2]), lambda: tf.zeros([3])).shape == (2,)
    assert tf.fill([tf.constant(2)], 5).numpy().tolist() == [5, 5]
