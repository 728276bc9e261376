"""The tf.* operations TensorFlow's guides call, at the top level and in tf.math/linalg/nn:
TensorFlow 2.21's answers (written here as constants, from /work/peers/bin/python), gradients
against central differences, control flow and TensorArray under a tape, nest, tf.print, and
the kinds of error TensorFlow raises."""
import collections
import io
import sys

import numpy as np
import pytest

import glassnet as tf
from conftest import central_difference, rel_error

C = tf.constant


def _same(got, want, dtype=None):
    got = np.asarray(got)
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-5, atol=1e-6)
    if dtype is not None:
        assert got.dtype == np.dtype(dtype), (got.dtype, dtype)


# -- every name the brief lists exists where TensorFlow has it ------------------------------------
TOP = """not_equal greater greater_equal less less_equal logical_and logical_or logical_not logical_xor reduce_any
reduce_all sign floor ceil sort argsort unique boolean_mask rank meshgrid cumsum truediv print pad roll repeat eye
tile reverse where map_fn vectorized_map cond while_loop case switch_case TensorArray debugging assert_equal
assert_rank assert_less assert_greater Assert random_normal_initializer random_uniform_initializer zeros_initializer
ones_initializer constant_initializer nest errors bool int8 int16 uint16 uint32 uint64 float16 complex64 DType
newaxis Graph stop_gradient hessians tensor_scatter_nd_update tensor_scatter_nd_add scatter_nd acos acosh asin
asinh atan atan2 atanh cos cosh sin sinh tan scalar_mul clip_by_norm clip_by_global_norm sequence_mask slice
searchsorted unique_with_counts dynamic_partition unravel_index reverse_sequence tensor_scatter_nd_sub
tensor_scatter_nd_max tensor_scatter_nd_min scan foldl foldr realdiv truncatediv truncatemod saturate_cast is_tensor
get_static_value identity_n shape_n ensure_shape name_scope no_op group control_dependencies tuple py_function
numpy_function broadcast_static_shape broadcast_dynamic_shape timestamp""".split()
MATH = """segment_sum unsorted_segment_sum reduce_euclidean_norm top_k in_top_k bincount count_nonzero
reduce_logsumexp is_nan is_finite is_inf floordiv floormod erf lgamma cumsum logical_xor reduce_any""".split()
LINALG = "inv det matmul diag band_part eye trace solve slogdet logdet set_diag adjoint".split()
DEBUGGING = """assert_equal assert_near assert_rank assert_rank_at_least assert_rank_in check_numerics assert_shapes
assert_less assert_greater assert_positive assert_all_finite assert_type assert_integer Assert""".split()


def test_every_name_exists_and_is_public():
    for name in TOP:
        assert hasattr(tf, name), name
        assert name in tf.__all__, name
    for module, names in ((tf.math, MATH), (tf.linalg, LINALG), (tf.debugging, DEBUGGING)):
        for name in names:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert tf.nn.top_k.__name__ == "top_k" and "top_k" in tf.nn.__all__
    for name in ("flatten", "map_structure", "pack_sequence_as", "is_nested", "assert_same_structure"):
        assert hasattr(tf.nest, name)


def test_dtypes_are_numpys():
    assert [np.dtype(d).name for d in (tf.bool, tf.int8, tf.int16, tf.uint16, tf.uint32, tf.uint64, tf.float16,
                                       tf.complex64)] == ["bool", "int8", "int16", "uint16", "uint32", "uint64",
                                                          "float16", "complex64"]
    assert C([True]).dtype == tf.bool and tf.dtypes.complex128 == np.complex128
    assert tf.DType is tf.dtypes.DType and isinstance(tf.string, tf.DType)


# -- values: TensorFlow 2.21's answers -------------------------------------------------------------
def test_comparisons_and_logic():
    _same(tf.not_equal([1, 2], [1, 3]), [False, True], bool)
    _same(tf.greater(C([1.0, 2.0]), 1.5), [False, True], bool)
    _same(tf.greater_equal([1, 2], 2), [False, True])
    _same(tf.less([1, 2], 2), [True, False])
    _same(tf.less_equal([1, 2], 1), [True, False])
    _same(tf.logical_and([True, False], [True, True]), [True, False], bool)
    _same(tf.logical_or([True, False], [False, False]), [True, False])
    _same(tf.logical_not([True, False]), [False, True])
    _same(tf.logical_xor([True, False], [True, True]), [False, True])
    _same(tf.reduce_any([[True, False], [False, False]], axis=1), [True, False], bool)
    _same(tf.reduce_all([[True, False], [True, True]]), False, bool)
    assert tf.reduce_all([[True, True]], axis=0, keepdims=True).shape == (1, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="boolean"):     # TF: InvalidArgumentError
        tf.logical_and(C([1]), C([1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="reduce_any"):
        tf.reduce_any(C([1.0, 0.0]))


def test_elementwise_values():
    _same(tf.sign(C([-2.0, 0.0, 3.0])), [-1, 0, 1], np.float32)
    _same(tf.sign(C([-2, 0, 3])), [-1, 0, 1], np.int32)
    _same(tf.floor(C([-1.5, 1.5])), [-2, 1])
    _same(tf.ceil(C([-1.5, 1.5])), [-1, 2])
    _same(tf.truediv(C([1, 2]), C([2, 4])), [0.5, 0.5], np.float64)       # int32 / int32: float64, as TF
    _same(tf.truediv(C([1.0, 2.0]), 4.0), [0.25, 0.5], np.float32)
    _same(tf.cumsum(C([1, 2, 3])), [1, 3, 6], np.int32)
    _same(tf.cumsum(C([[1.0, 2.0, 3.0]]), axis=1, exclusive=True, reverse=True), [[5, 3, 0]])
    _same(tf.scalar_mul(2.0, C([1.0, 2.0])), [2, 4])
    _same(tf.math.floordiv(C([7, -7]), C([2, 2])), [3, -4], np.int32)
    _same(tf.math.floordiv(C([7.0, -7.0]), 2.0), [3, -4], np.float32)
    _same(tf.math.floormod(C([7, -7]), C([3, 3])), [1, 2], np.int32)
    _same(tf.math.floormod(C([7.5, -7.5]), C([-2.0, 2.0])), [-0.5, 0.5])
    _same(tf.math.erf(C([-1.0, 0.0, 0.5])), [-0.8427008, 0.0, 0.5204999], np.float32)
    _same(tf.math.lgamma(C([0.5, 1.0, 4.5, -0.5])), [0.5723649, 0.0, 2.4537366, 1.2655121], np.float32)
    _same(tf.math.erf(0.5), 0.5204999, np.float32)                      # scalars too
    _same(tf.math.lgamma(3.0), 0.6931472, np.float32)
    _same(tf.tan(C([0.5])), [0.5463025])
    _same(tf.asin(C([0.5])), [0.5235988])
    _same(tf.atan2(C([1.0, -1.0]), C([-1.0, 1.0])), [2.3561945, -0.7853982])
    _same(tf.acosh(C([2.0])), [1.3169579])
    _same(tf.math.is_nan(C([1.0, np.nan, np.inf])), [False, True, False], bool)
    _same(tf.math.is_finite(C([1.0, np.nan, np.inf])), [True, False, False])
    _same(tf.math.is_inf(C([1.0, np.nan, -np.inf])), [False, False, True])
    with pytest.raises(tf.errors.InvalidArgumentError, match="float"):
        tf.math.is_nan(C([1]))


def test_reductions_and_selection():
    _same(tf.math.reduce_euclidean_norm(C([[3.0, 4.0], [5.0, 12.0]]), axis=1), [5, 13])
    _same(tf.math.reduce_euclidean_norm(C([[1, 2], [3, 4]])), 5, np.int32)
    _same(tf.math.count_nonzero(C([[0, 1, 2], [0, 0, 3]]), axis=1), [2, 1], np.int64)
    _same(tf.math.count_nonzero(C([0.0, 1.5])), 1, np.int64)
    _same(tf.math.reduce_logsumexp(C([[0.0, 0.0], [1.0, 2.0]]), axis=1), [0.6931472, 2.3132617])
    values, indices = tf.math.top_k(C([[1.0, 5.0, 3.0, 5.0]]), k=2)
    _same(values, [[5, 5]], np.float32)
    _same(indices, [[1, 3]], np.int32)                    # ties: the lower index first
    top = tf.nn.top_k(C([1, 5, 3]), k=3)
    _same(top.values, [5, 3, 1], np.int32)
    _same(top.indices, [1, 2, 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="k=3"):
        tf.math.top_k(C([1.0, 2.0]), k=3)
    _same(tf.math.in_top_k([1, 0, 2], C([[0.1, 0.9, 0.0], [0.5, 0.5, 0.1], [0.3, 0.3, 0.2]]), 1),
          [True, True, False], bool)
    _same(tf.math.bincount(C([1, 1, 3, 0])), [1, 2, 0, 1], np.int32)
    _same(tf.math.bincount(C([1, 1, 3]), weights=C([0.5, 1.0, 2.0]), minlength=5), [0, 1.5, 0, 2, 0], np.float32)
    _same(tf.math.bincount(C([1, 1, 3]), maxlength=2), [0, 2])
    _same(tf.math.segment_sum(C([[1, 2], [3, 4], [5, 6]]), [0, 0, 1]), [[4, 6], [5, 6]], np.int32)
    _same(tf.math.unsorted_segment_sum(C([1.0, 2.0, 3.0, 4.0]), [2, 0, 2, -1], 3), [2, 0, 4])
    _same(tf.math.segment_mean(C([1.0, 2.0, 3.0]), [0, 0, 2]), [1.5, 0, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="sorted"):
        tf.math.segment_sum(C([1.0, 2.0, 3.0]), [1, 0, 1])
    d = C([1.0, 5.0, 3.0, -2.0])                                          # TF 2.21's answers
    _same(tf.math.segment_max(d, [0, 0, 2, 2]), [5, 0, 3])                 # an empty segment: 0
    _same(tf.math.segment_min(d, [0, 0, 2, 2]), [1, 0, -2])
    _same(tf.math.segment_prod(d, [0, 0, 2, 2]), [5, 1, -6])
    low, high = np.finfo(np.float32).min, np.finfo(np.float32).max
    _same(tf.math.unsorted_segment_max(d, [1, 1, 3, -1], 4), [low, 5, low, 3])   # empty: the lowest float
    _same(tf.math.unsorted_segment_min(d, [1, 1, 3, -1], 4), [high, 1, high, 3])
    _same(tf.math.unsorted_segment_prod(d, [1, 1, 3, -1], 4), [1, 5, 1, 3])
    _same(tf.math.unsorted_segment_sqrt_n(d, [1, 1, 3, -1], 4), [0, 4.2426405, 0, 3])
    _same(tf.math.unsorted_segment_max(C([1, 5, 3]), [0, 0, 2], 3), [5, -2147483648, 3], np.int32)
    x = C([1.0, 5.0, 5.0, 2.0])
    for fn, want in ((tf.math.segment_max, [0, 0.5, 0.5, 10]), (tf.math.segment_prod, [25, 5, 5, 10])):
        with tf.GradientTape() as tape:                                    # ties share the gradient, as TF
            tape.watch(x)
            y = tf.reduce_sum(fn(x, [0, 0, 0, 1]) * C([1.0, 10.0]))
        _same(tape.gradient(y, x), want)


def test_sort_unique_mask_rank_meshgrid():
    _same(tf.sort(C([3, 1, 2])), [1, 2, 3], np.int32)
    _same(tf.sort(C([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]), direction="DESCENDING"), [[3, 2, 1], [5, 4, 0]])
    _same(tf.sort(C([[3.0, 1.0], [0.0, 5.0]]), axis=0), [[0, 1], [3, 5]])
    _same(tf.argsort(C([3.0, 1.0, 2.0, 1.0])), [1, 3, 2, 0], np.int32)
    _same(tf.argsort(C([3, 1, 3, 2]), direction="DESCENDING"), [0, 2, 3, 1], np.int32)
    with pytest.raises(ValueError, match="direction"):
        tf.sort(C([3.0, 1.0]), direction="UP")
    y, idx = tf.unique(C([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    _same(y, [1, 2, 4, 7, 8], np.int32)
    _same(idx, [0, 0, 1, 2, 2, 2, 3, 4, 4], np.int32)
    u = tf.unique(C([3.0, 1.0, 3.0]))                      # first appearances, not sorted
    _same(u.y, [3, 1], np.float32)
    _same(u.idx, [0, 1, 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="vector"):
        tf.unique(C([[1, 2]]))
    _same(tf.boolean_mask(C([[1, 2], [3, 4], [5, 6]]), [True, False, True]), [[1, 2], [5, 6]], np.int32)
    _same(tf.boolean_mask(C([[1.0, 2.0], [3.0, 4.0]]), [[True, False], [False, True]]), [1, 4])
    _same(tf.boolean_mask(C([[1, 2, 3], [4, 5, 6]]), [True, False, True], axis=1), [[1, 3], [4, 6]])
    with pytest.raises(ValueError, match="mask"):
        tf.boolean_mask(C([[1, 2, 3]]), [True, False])
    _same(tf.rank(C([[1, 2]])), 2, np.int32)
    _same(tf.rank(3.0), 0, np.int32)
    xs, ys = tf.meshgrid([1, 2, 3], [4, 5])
    _same(xs, [[1, 2, 3], [1, 2, 3]], np.int32)
    _same(ys, [[4, 4, 4], [5, 5, 5]])
    xs, ys = tf.meshgrid(C([1.0, 2.0, 3.0]), C([4.0, 5.0]), indexing="ij")
    _same(xs, [[1, 1], [2, 2], [3, 3]])
    _same(ys, [[4, 5], [4, 5], [4, 5]])


def test_pad_roll_repeat_tile_eye_reverse_where():
    _same(tf.pad(C([[1, 2], [3, 4]]), [[1, 0], [0, 2]]), [[0, 0, 0, 0], [1, 2, 0, 0], [3, 4, 0, 0]], np.int32)
    _same(tf.pad(C([1.0, 2.0]), [[2, 1]], constant_values=9), [9, 9, 1, 2, 9])
    _same(tf.pad(C([[1, 2, 3], [4, 5, 6]]), [[1, 1], [2, 2]], "REFLECT"),
          [[6, 5, 4, 5, 6, 5, 4], [3, 2, 1, 2, 3, 2, 1], [6, 5, 4, 5, 6, 5, 4], [3, 2, 1, 2, 3, 2, 1]])
    _same(tf.pad(C([[1, 2, 3], [4, 5, 6]]), [[1, 1], [2, 2]], "symmetric"),
          [[2, 1, 1, 2, 3, 3, 2], [2, 1, 1, 2, 3, 3, 2], [5, 4, 4, 5, 6, 6, 5], [5, 4, 4, 5, 6, 6, 5]])
    with pytest.raises(ValueError, match="mode"):
        tf.pad(C([1, 2]), [[1, 1]], "WRAP")
    with pytest.raises(tf.errors.InvalidArgumentError, match="paddings"):
        tf.pad(C([1, 2]), [[1, 1], [0, 0]])
    _same(tf.roll(C([0, 1, 2, 3, 4]), shift=2, axis=0), [3, 4, 0, 1, 2])
    _same(tf.roll(C([[0, 1, 2], [3, 4, 5]]), shift=[1, -1], axis=[0, 1]), [[4, 5, 3], [1, 2, 0]])
    _same(tf.repeat(C([[1, 2], [3, 4]]), repeats=2), [1, 1, 2, 2, 3, 3, 4, 4])
    _same(tf.repeat(C([[1, 2], [3, 4]]), repeats=[1, 3], axis=0), [[1, 2], [3, 4], [3, 4], [3, 4]])
    assert tf.repeat(["a", "b"], repeats=[2, 1], axis=0).numpy().tolist() == [b"a", b"a", b"b"]
    _same(tf.eye(2, 3), [[1, 0, 0], [0, 1, 0]], np.float32)
    _same(tf.eye(2, batch_shape=[2], dtype=tf.int32), [[[1, 0], [0, 1]]] * 2, np.int32)
    _same(tf.tile(C([[1, 2]]), [2, 3]), [[1, 2, 1, 2, 1, 2]] * 2, np.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="multiples"):
        tf.tile(C([[1, 2]]), [2])
    _same(tf.reverse(C([[1, 2], [3, 4]]), [0, 1]), [[4, 3], [2, 1]])
    _same(tf.where([[True, False], [False, True]]), [[0, 0], [1, 1]], np.int64)
    _same(tf.where([True, False], C([1.0, 2.0]), C([10.0, 20.0])), [1, 20])
    _same(tf.where(C([[True], [False]]), C([1.0, 2.0]), 0.0), [[1, 2], [0, 0]])
    with pytest.raises(ValueError):
        tf.where([True], x=C([1.0]))
    assert C([1, 2])[tf.newaxis, :, tf.newaxis].shape == (1, 2, 1)


def test_scatters():
    _same(tf.tensor_scatter_nd_update(C([1, 2, 3, 4]), [[1], [3]], [9, 10]), [1, 9, 3, 10], np.int32)
    _same(tf.tensor_scatter_nd_update(C([[1.0, 2.0], [3.0, 4.0]]), [[0]], [[7.0, 8.0]]), [[7, 8], [3, 4]])
    _same(tf.tensor_scatter_nd_add(C([1.0, 2.0, 3.0]), [[0], [0], [2]], [1.0, 2.0, 3.0]), [4, 2, 6])
    _same(tf.scatter_nd([[4], [3], [1], [7]], C([9, 10, 11, 12]), [8]), [0, 11, 0, 10, 9, 0, 0, 12], np.int32)
    _same(tf.scatter_nd([[0, 1], [1, 0]], C([5.0, 6.0]), [2, 2]), [[0, 5], [6, 0]])
    _same(tf.scatter_nd([[0], [0]], C([5.0, 6.0]), [2]), [11, 0])            # repeated indices add up
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = \[5\]"):
        tf.tensor_scatter_nd_update(C([1.0, 2.0]), [[5]], [1.0])
    with pytest.raises(ValueError, match="updates must have shape"):
        tf.scatter_nd([[0]], C([1.0, 2.0]), [3])


def test_linalg_values():
    _same(tf.linalg.inv(C([[2.0, 1.0], [1.0, 3.0]])), [[0.6, -0.2], [-0.2, 0.4]], np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tf.linalg.inv(C([[1.0, 1.0], [1.0, 1.0]]))
    _same(tf.linalg.det(C([[[2.0, 1.0], [1.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])), [5, -2])
    sign, logabs = tf.linalg.slogdet(C([[1.0, 2.0], [3.0, 4.0]]))
    _same(sign, -1)
    _same(logabs, 0.6931472)
    _same(tf.linalg.logdet(C([[2.0, 1.0], [1.0, 3.0]])), 1.6094379)
    _same(tf.linalg.solve(C([[2.0, 1.0], [1.0, 3.0]]), C([[1.0], [2.0]])), [[0.2], [0.6]])
    _same(tf.linalg.solve(C([[2.0, 1.0], [0.0, 3.0]]), C([[1.0], [2.0]]), adjoint=True), [[0.5], [0.5]])
    _same(tf.linalg.matmul(C([[1.0, 2.0]]), C([[3.0], [4.0]])), [[11]])
    _same(tf.linalg.diag(C([1, 2])), [[1, 0], [0, 2]], np.int32)
    _same(tf.linalg.diag(C([1.0, 2.0]), k=1), [[0, 1, 0], [0, 0, 2], [0, 0, 0]])
    _same(tf.linalg.diag(C([1.0, 2.0]), k=-1, num_rows=3), [[0, 0], [1, 0], [0, 2]])
    _same(tf.linalg.diag(C([1.0, 2.0]), k=1, num_cols=4), [[0, 1, 0, 0], [0, 0, 2, 0]])
    _same(tf.linalg.diag(C([[1.0, 2.0], [3.0, 4.0]])), [[[1, 0], [0, 2]], [[3, 0], [0, 4]]])
    _same(tf.linalg.band_part(C([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]), 0, -1),
          [[1, 2, 3], [0, 5, 6], [0, 0, 9]])
    _same(tf.linalg.band_part(C([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), 1, 0), [[1, 0, 0], [4, 5, 0], [0, 8, 9]], np.int32)
    _same(tf.linalg.eye(2), [[1, 0], [0, 1]])
    _same(tf.linalg.trace(C([[1.0, 2.0], [3.0, 4.0]])), 5)
    _same(tf.linalg.set_diag(C([[1.0, 2.0], [3.0, 4.0]]), C([9.0, 8.0])), [[9, 2], [3, 8]])
    _same(tf.linalg.adjoint(C([[1.0, 2.0], [3.0, 4.0]])), [[1, 3], [2, 4]])
    with pytest.raises(ValueError, match="square"):
        tf.linalg.det(C([[1.0, 2.0, 3.0]]))


def test_initializer_aliases():
    tf.random.set_seed(0)
    w = tf.random_normal_initializer(stddev=1.0)(shape=(200, 50))
    assert isinstance(w, tf.Tensor) and w.dtype == np.float32 and abs(float(np.std(w)) - 1.0) < 0.05
    _same(tf.random_normal_initializer(stddev=0.0)(shape=(2,)), [0, 0], np.float32)
    _same(tf.random_uniform_initializer(1.0, 1.0)(shape=(2, 1)), [[1], [1]], np.float32)
    _same(tf.zeros_initializer()(shape=(2,), dtype=tf.int32), [0, 0], np.int32)
    _same(tf.ones_initializer()(shape=(1, 2)), [[1, 1]], np.float32)
    _same(tf.constant_initializer([1, 2, 3, 4])(shape=(2, 2)), [[1, 2], [3, 4]], np.int32)   # the value's type
    _same(tf.constant_initializer(5)(shape=(2,)), [5, 5], np.int32)
    _same(tf.constant_initializer(2.5)(shape=(1,)), [2.5], np.float32)
    with pytest.raises(TypeError, match="3 elements"):
        tf.constant_initializer([1, 2, 3])(shape=(2, 2))
    v = tf.Variable(tf.random_normal_initializer()(shape=(3, 2), dtype="float32"))
    assert v.shape == (3, 2)
    assert isinstance(tf.random_uniform_initializer(), tf.initializers.RandomUniform)
    layer = tf.keras.layers.Dense(2, kernel_initializer=tf.constant_initializer(0.5))
    layer.build((None, 3))
    _same(layer.kernel.numpy(), np.full((3, 2), 0.5))


def test_graph_and_hessians_refuse_clearly():
    with pytest.raises(NotImplementedError, match="no graph mode"):
        tf.Graph()
    with pytest.raises(RuntimeError, match="GradientTape"):
        tf.hessians(C(1.0), C(1.0))


# -- gradients against central differences ----------------------------------------------------------
def _check_gradient(fn, *inputs, wrt=None, tol=1e-6):
    """dJ/dx_k from the tape against central differences, J = sum(fn(*xs) * w), float64."""
    xs = [np.asarray(x, np.float64) for x in inputs]
    out = np.asarray(fn(*[C(x) for x in xs]))
    w = np.random.default_rng(0).normal(size=out.shape)
    for k in (range(len(xs)) if wrt is None else wrt):
        def numeric(a, k=k):
            args = [C(a if i == k else x) for i, x in enumerate(xs)]
            return float(np.sum(np.asarray(fn(*args)) * w))
        args = [C(x) for x in xs]
        with tf.GradientTape() as tape:
            tape.watch(args[k])
            y = tf.reduce_sum(fn(*args) * C(w))
        g = tape.gradient(y, args[k])
        assert g is not None, f"no gradient for input {k}"
        assert g.shape == xs[k].shape
        assert rel_error(g, central_difference(numeric, xs[k])) < tol, (k, g)


X23 = [[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]]
GRADIENT_CASES = {
    "tile": (lambda x: tf.tile(x, [2, 2]), [X23]),
    "pad constant": (lambda x: tf.pad(x, [[1, 0], [2, 1]], constant_values=3.0), [X23]),
    "pad reflect": (lambda x: tf.pad(x, [[1, 1], [2, 2]], "REFLECT"), [X23]),
    "pad symmetric": (lambda x: tf.pad(x, [[1, 1], [3, 3]], "SYMMETRIC"), [X23]),
    "roll": (lambda x: tf.roll(x, [1, -1], [0, 1]), [X23]),
    "repeat": (lambda x: tf.repeat(x, [2, 1], axis=0), [X23]),
    "repeat flat": (lambda x: tf.repeat(x, 3), [X23]),
    "sort": (lambda x: tf.sort(x, direction="DESCENDING"), [X23]),
    "boolean_mask": (lambda x: tf.boolean_mask(x, [[True, False, True], [False, True, True]]), [X23]),
    "meshgrid": (lambda a, b: tf.stack(tf.meshgrid(a, b)), [[1.0, 2.0, 3.0], [4.0, 5.0]]),
    "tensor_scatter_nd_update": (lambda x, u: tf.tensor_scatter_nd_update(x, [[1], [0]], u), [X23, X23]),
    "tensor_scatter_nd_add": (lambda x, u: tf.tensor_scatter_nd_add(x, [[0, 1], [0, 1]], u),
                              [X23, [2.0, 3.0]]),
    "scatter_nd": (lambda u: tf.scatter_nd([[2], [0], [2]], u, [4, 3]), [[[1.0, 2, 3], [4, 5, 6], [7, 8, 9]]]),
    "segment_sum": (lambda x: tf.math.segment_sum(x, [0, 0, 1]), [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]),
    "unsorted_segment_sum": (lambda x: tf.math.unsorted_segment_sum(x, [2, -1, 0], 3), [[1.0, 2.0, 3.0]]),
    "segment_mean": (lambda x: tf.math.segment_mean(x, [0, 0, 2]), [[1.0, 2.0, 3.0]]),
    "top_k": (lambda x: tf.math.top_k(x, k=2).values, [X23]),
    "cumsum": (lambda x: tf.cumsum(x, axis=1), [X23]),
    "cumsum exclusive reverse": (lambda x: tf.cumsum(x, axis=0, exclusive=True, reverse=True), [X23]),
    "reduce_euclidean_norm": (lambda x: tf.math.reduce_euclidean_norm(x, axis=1), [X23]),
    "reduce_logsumexp": (lambda x: tf.reduce_logsumexp(x, axis=0), [X23]),
    "tan": (tf.tan, [[0.3, -0.5]]), "sinh": (tf.sinh, [[0.3, -0.5]]), "cosh": (tf.cosh, [[0.3, -0.5]]),
    "asin": (tf.asin, [[0.3, -0.5]]), "acos": (tf.acos, [[0.3, -0.5]]), "atan": (tf.atan, [[0.3, -2.5]]),
    "asinh": (tf.asinh, [[0.3, -2.5]]), "acosh": (tf.acosh, [[1.3, 2.5]]), "atanh": (tf.atanh, [[0.3, -0.5]]),
    "sin cos": (lambda x: tf.sin(x) * tf.cos(x), [[0.3, -0.5]]),
    "atan2": (tf.atan2, [[0.3, -1.5], [-0.7, 0.4]]),
    "erf": (tf.math.erf, [[-1.2, 0.1, 0.9]]),
    "lgamma": (tf.math.lgamma, [[0.4, 1.7, 6.3, -0.5]]),
    "floormod": (tf.math.floormod, [[7.5, -2.5], [2.0, 2.0]]),
    "inv": (tf.linalg.inv, [[[2.0, 1.0], [0.5, 3.0]]]),
    "det": (tf.linalg.det, [[[[2.0, 1.0], [0.5, 3.0]], [[1.0, 2.0], [3.0, 4.0]]]]),
    "logdet": (tf.linalg.logdet, [[[2.0, 0.5], [0.5, 3.0]]]),
    "slogdet": (lambda x: tf.linalg.slogdet(x).log_abs_determinant, [[[1.0, 2.0], [3.0, 4.0]]]),
    "solve": (tf.linalg.solve, [[[2.0, 1.0], [0.5, 3.0]], [[1.0, 0.0], [2.0, 1.0]]]),
    "solve adjoint": (lambda a, b: tf.linalg.solve(a, b, adjoint=True), [[[2.0, 1.0], [0.5, 3.0]], [[1.0], [2.0]]]),
    "diag": (lambda d: tf.linalg.diag(d, k=1), [[1.0, 2.0]]),
    "band_part": (lambda x: tf.linalg.band_part(x, 0, 1), [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]),
    "set_diag": (lambda x, d: tf.linalg.set_diag(x, d), [[[1.0, 2.0], [3.0, 4.0]], [9.0, 8.0]]),
    "gather reverse": (lambda x: tf.reverse(tf.gather(x, [2, 0, 2], axis=1), [0]), [X23]),
    "where": (lambda x, y: tf.where([[True, False, True], [False, False, True]], x, y), [X23, X23]),
    "clip_by_norm": (lambda x: tf.clip_by_norm(x, 1.0, axes=[1]), [X23]),
    "clip_by_global_norm": (lambda a, b: tf.concat(tf.clip_by_global_norm([a, None, b], 1.5)[0][::2], 0),
                            [[0.3, -1.2], [1.5, 0.2, -0.4]]),
    "slice": (lambda x: tf.slice(x, [0, 1], [2, -1]), [X23]),
    "dynamic_partition": (lambda x: tf.concat(tf.dynamic_partition(x, [1, 0], 2), 0) * C([[1.0], [3.0]]), [X23]),
    "reverse_sequence": (lambda x: tf.reverse_sequence(x, [2, 3], seq_axis=1), [X23]),
    "tensor_scatter_nd_sub": (lambda x, u: tf.tensor_scatter_nd_sub(x, [[1, 2]], u), [X23, [2.0]]),
    "tensor_scatter_nd_max": (lambda x, u: tf.tensor_scatter_nd_max(x, [[0, 0], [1, 1]], u), [X23, [1.0, -1.0]]),
    "tensor_scatter_nd_min": (lambda x, u: tf.tensor_scatter_nd_min(x, [[0, 0], [1, 1]], u), [X23, [1.0, -1.0]]),
    "scan": (lambda x: tf.scan(lambda a, r: a * r + 1.0, x), [X23]),
    "foldr": (lambda x, a0: tf.foldr(lambda a, r: a * r, x, initializer=a0), [X23, [1.0, 2.0, -1.0]]),
    "py_function": (lambda x: tf.py_function(lambda a: tf.sin(a) * a, [x], Tout=tf.float64), [X23]),
    "realdiv": (tf.realdiv, [[1.0, -2.0], [0.5, 4.0]]),
    "segment_max": (lambda x: tf.math.segment_max(x, [0, 0, 2]), [[[1.0, 2.0], [3.0, -4.0], [0.5, 0.1]]]),
    "unsorted_segment_min": (lambda x: tf.math.unsorted_segment_min(x, [1, -1, 1, 0], 2), [[0.3, -1.2, 0.7, 2.0]]),
    "segment_prod with a zero": (lambda x: tf.math.segment_prod(x, [0, 0, 0, 1]), [[0.0, 2.0, 3.0, 1.5]]),
    "unsorted_segment_sqrt_n": (lambda x: tf.math.unsorted_segment_sqrt_n(x, [1, 1, 0], 2), [[0.3, -1.2, 0.7]]),
    "divide_no_nan": (tf.math.divide_no_nan, [[1.0, -2.0], [0.5, 4.0]]),
    "xlogy": (tf.math.xlogy, [[1.0, -2.0], [0.5, 4.0]]),
    "cross": (tf.linalg.cross, [[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]]),
    "triangular_solve": (tf.linalg.triangular_solve, [[[2.0, 0.0], [0.5, 3.0]], [[1.0], [2.0]]]),
    "cholesky_solve": (tf.linalg.cholesky_solve, [[[2.0, 0.0], [0.5, 3.0]], [[1.0], [2.0]]]),
    "lstsq": (lambda a, b: tf.linalg.lstsq(a, b, l2_regularizer=0.1), [[[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]],
                                                                       [[1.0], [2.0], [2.0]]]),
    "global_norm": (lambda a, b: tf.linalg.global_norm([a, b]), [[1.0, -2.0], [0.5, 4.0]]),
    "tensor_diag": (tf.linalg.tensor_diag, [[1.0, 2.0]]),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradient_matches_central_differences(name):
    fn, inputs = GRADIENT_CASES[name]
    _check_gradient(fn, *inputs)


def test_second_derivative_through_an_index_map_and_cumsum():
    x = C([0.5, -1.0, 2.0], dtype=tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.cumsum(tf.tile(x, [2])) ** 2)
        g = inner.gradient(y, x)
    h = outer.jacobian(g, x)
    # y = sum_k (partial sums of [x, x])^2; its Hessian by central differences of g
    def grad_at(a):
        v = C(a)
        with tf.GradientTape() as t:
            t.watch(v)
            yy = tf.reduce_sum(tf.cumsum(tf.tile(v, [2])) ** 2)
        return np.asarray(t.gradient(yy, v))
    numeric = np.stack([central_difference(lambda a, i=i: grad_at(a)[i], np.asarray(x)) for i in range(3)])
    assert rel_error(h, numeric) < 1e-6


def test_integer_and_boolean_results_carry_no_gradient():
    x = C([3.0, 1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        order = tf.argsort(x)
        flags = tf.greater(x, 1.5)
        y = tf.reduce_sum(tf.cast(order, tf.float32)) + tf.reduce_sum(tf.cast(flags, tf.float32))
    assert order.dtype == np.int32 and flags.dtype == np.bool_
    assert tape.gradient(y, x) is None
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.stop_gradient(x) * x)
    _same(tape.gradient(y, x), [3, 1, 2])


def test_more_array_functions():
    _same(tf.clip_by_norm(C([[3.0, 4.0]]), 2.0), [[1.2, 1.6]], np.float32)
    _same(tf.clip_by_norm(C([[3.0, 4.0], [1.0, 1.0]]), 2.0, axes=[1]), [[1.2, 1.6], [1, 1]])
    clipped, norm = tf.clip_by_global_norm([C([3.0, 4.0]), C([12.0])], 6.5)
    _same(clipped[0], [1.5, 2])
    _same(clipped[1], [6])
    _same(norm, 13)
    clipped, norm = tf.clip_by_global_norm([C([3.0, 4.0]), None], 10.0)
    assert clipped[1] is None and float(norm) == 5.0
    _same(clipped[0], [3, 4])
    _same(tf.sequence_mask([1, 3, 2], 5), [[1, 0, 0, 0, 0], [1, 1, 1, 0, 0], [1, 1, 0, 0, 0]], bool)
    _same(tf.sequence_mask([[1], [2]]), [[[True, False]], [[True, True]]])
    _same(tf.sequence_mask([1, 2], dtype=tf.float32), [[1, 0], [1, 1]], np.float32)
    _same(tf.slice(C([[1, 2, 3], [4, 5, 6]]), [0, 1], [2, -1]), [[2, 3], [5, 6]], np.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected size\[0\] in \[0, 1\], but got 2"):
        tf.slice(C([1, 2]), [1], [2])
    _same(tf.searchsorted(C([[1.0, 2.0, 3.0]]), C([[2.5, 2.0]])), [[2, 1]], np.int32)
    _same(tf.searchsorted(C([1.0, 2.0, 3.0]), C([2.0]), side="right"), [2])
    y, idx, count = tf.unique_with_counts(C([1, 1, 2, 4, 4, 4]))
    _same(y, [1, 2, 4])
    _same(idx, [0, 0, 1, 2, 2, 2], np.int32)
    _same(count, [2, 1, 3], np.int32)
    parts = tf.dynamic_partition(C([10, 20, 30, 40]), [0, 1, 0, 2], 3)
    assert [p.numpy().tolist() for p in parts] == [[10, 30], [20], [40]]
    _same(tf.unravel_index([5, 7], [3, 4]), [[1, 1], [1, 3]], np.int32)
    _same(tf.reverse_sequence(C([[1, 2, 3], [4, 5, 6]]), [2, 3], seq_axis=1, batch_axis=0), [[2, 1, 3], [6, 5, 4]])
    _same(tf.realdiv(C([1.0, 2.0]), C([2.0, 4.0])), [0.5, 0.5])
    _same(tf.truncatediv(C([-7, 7]), C([2, 2])), [-3, 3], np.int32)
    _same(tf.truncatemod(C([-7, 7]), C([3, 3])), [-1, 1], np.int32)
    _same(tf.tensor_scatter_nd_sub(C([1.0, 2.0, 3.0]), [[0]], [5.0]), [-4, 2, 3])
    _same(tf.tensor_scatter_nd_max(C([1.0, 2.0, 3.0]), [[0], [1]], [5.0, 0.0]), [5, 2, 3])
    _same(tf.tensor_scatter_nd_min(C([1.0, 2.0, 3.0]), [[0], [1]], [5.0, 0.0]), [1, 0, 3])
    _same(tf.dtypes.cast(C([1.7, -1.7]), tf.int32), [1, -1], np.int32)
    _same(tf.saturate_cast(C([300.0, -5.0]), tf.uint8), [255, 0], np.uint8)
    _same(tf.scan(lambda a, x: a + x, C([1, 2, 3, 4])), [1, 3, 6, 10], np.int32)
    _same(tf.scan(lambda a, x: a * x, C([1.0, 2.0, 3.0]), initializer=C(2.0)), [2, 4, 12])
    _same(tf.scan(lambda a, x: a + x, C([1, 2, 3]), reverse=True), [6, 5, 3])
    _same(tf.foldl(lambda a, x: a + x, C([1, 2, 3])), 6)
    _same(tf.foldr(lambda a, x: a - x, C([1, 2, 3]), initializer=C(0)), -6)


def test_linspace_and_gather_as_the_guides_meet_them():
    assert tf.linspace(-2, 2, 5).dtype == np.float64             # "Basic training loops" casts it to float32
    assert tf.linspace(0.0, 250, 6).dtype == np.float32
    x = tf.constant([0.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 1 is not in \[0, 1\)"):
        tf.gather(x, [1])                                       # "Introduction to graphs" catches this
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into param shape"):
        tf.gather_nd(x, [[1]])


def test_experimental_numpy_answers_with_recorded_tensors():
    tnp = tf.experimental.numpy
    t = tnp.arange(3) * 2
    assert isinstance(t, tf.Tensor) and t.numpy().tolist() == [0, 2, 4]
    assert tnp.float32 is np.float32 and tnp.experimental_enable_numpy_behavior() is None
    x = C([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tnp.sum(tnp.exp(x) * x)
    _same(tape.gradient(y, x), np.exp([1.0, 2.0]) * [2.0, 3.0])          # (1 + x) e^x
    with pytest.raises(AttributeError, match="no attribute 'not_a_numpy_name'"):
        tnp.not_a_numpy_name


def _value_and_gradients(fn, *xs):
    xs = [C(x) for x in xs]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
    return y, tape.gradient(y, xs)


def test_no_nan_functions_and_their_gradients_at_the_excluded_points():
    # TF 2.21: values and gradients of sum(fn(x, y)), 0 where TensorFlow says 0, never NaN
    cases = [(tf.math.divide_no_nan, [1.0, 2.0, 3.0], [0.0, 4.0, -2.0], [0, 0.5, -1.5], [0, 0.25, -0.5],
              [0, -0.125, -0.75]),
             (tf.math.xlogy, [0.0, 2.0, 0.0], [0.0, 3.0, 2.0], [0, 2.1972246, 0], [0, 1.0986123, 0], [0, 2 / 3, 0]),
             (tf.math.xdivy, [0.0, 2.0], [0.0, 4.0], [0, 0.5], [0, 0.25], [0, -0.125]),
             (tf.math.xlog1py, [0.0, 2.0], [-1.0, 3.0], [0, 2.7725887], [0, 1.3862944], [0, 0.5])]
    for fn, x, y, value, dx, dy in cases:
        out, (gx, gy) = _value_and_gradients(fn, x, y)
        _same(out, value, np.float32)
        _same(gx, dx)
        _same(gy, dy)
    out, (gx, _) = _value_and_gradients(tf.math.multiply_no_nan, [np.inf, 2.0], [0.0, 4.0])
    _same(out, [0, 8])
    _same(gx, [0, 4])
    out, (g,) = _value_and_gradients(tf.math.reciprocal_no_nan, [0.0, 4.0])
    _same(out, [0, 0.25])
    _same(g, [0, -0.0625])
    out, (g,) = _value_and_gradients(tf.math.expm1, [0.0, 1.0])
    _same(out, [0, 1.7182817])
    _same(g, [1, 2.7182817])
    out, (g,) = _value_and_gradients(tf.math.softsign, [-2.0, 3.0])
    _same(out, [-2 / 3, 0.75])
    _same(g, [1 / 9, 0.0625])
    out, (g,) = _value_and_gradients(lambda x: tf.math.polyval([C(1.0), C(2.0), C(3.0)], x), [2.0, -1.0])
    _same(out, [11, 2])
    _same(g, [6, 0])
    _same(tf.math.log_softmax(C([[1.0, 2.0, 3.0]])), [[-2.4076059, -1.4076059, -0.4076059]])
    _same(tf.math.softmax(C([[1.0, 2.0, 3.0]])), [[0.09003057, 0.24472848, 0.66524094]])
    _same(tf.math.rint(C([0.5, 1.5, -2.5, 2.6])), [0, 2, -2, 3])
    _same(tf.math.cumprod(C([[1, 2, 3], [4, 5, 6]]), axis=1), [[1, 2, 6], [4, 20, 120]], np.int32)
    _same(tf.math.cumprod(C([1.0, 2.0, 3.0]), exclusive=True, reverse=True), [6, 3, 1])
    _same(tf.math.invert_permutation(C([3, 4, 0, 2, 1])), [2, 4, 3, 0, 1], np.int32)
    assert bool(tf.math.is_non_decreasing(C([1, 1, 2]))) and not bool(tf.math.is_strictly_increasing(C([1, 1, 2])))
    _same(tf.math.zero_fraction(C([0, 1, 0, 2])), 0.5, np.float32)
    x = C([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.math.cumprod(x))
    with pytest.raises(LookupError, match="tf.math.cumprod"):                   # refused by name
        tape.gradient(y, x)


def test_more_linalg():
    a = C([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    b = C([[1.0], [2.0], [3.0]])
    m = C([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    L = tf.linalg
    _same(L.global_norm([C([3.0, 4.0]), None, C([12.0])]), 13)
    unit, norm = L.normalize(C([[3.0, 4.0]]), axis=1)
    _same(unit, [[0.6, 0.8]])
    _same(norm, [[5]])
    _same(L.cross(C([1.0, 2.0, 3.0]), C([4.0, 5.0, 7.0])), [-1, 5, -3])
    _same(L.triangular_solve(a, b), [[0.25], [0.5833333], [1.3791667]])
    _same(L.triangular_solve(a, b, lower=False), [[-0.0791667], [0.5666667], [1.5]])
    _same(L.cholesky(a), [[2, 0, 0], [0.5, 1.6583124, 0], [0.25, 0.0452267, 1.3912119]])
    np.testing.assert_allclose(L.cholesky_solve(L.cholesky(a), b), [[-0.0817], [0.5965], [1.4608]], atol=1e-4)
    np.testing.assert_allclose(L.lstsq(m, C([[1.0], [2.0], [2.0]])), [[-0.2143], [0.5]], atol=1e-4)
    np.testing.assert_allclose(L.lstsq(m, C([[1.0], [2.0], [2.0]]), l2_regularizer=0.5), [[0.083], [0.2868]],
                               atol=1e-4)
    q, r = L.qr(m)
    np.testing.assert_allclose(np.abs(q), [[0.169, 0.9487], [0.5071, 0.3162], [0.8452, 0.0]], atol=1e-4)
    np.testing.assert_allclose(np.abs(r), [[5.9161, 8.2825], [0.0, 0.6325]], atol=1e-4)
    s, u, v = L.svd(m)                                                      # TensorFlow's order: s, u, v
    np.testing.assert_allclose(s, [10.1914, 0.3671], atol=1e-4)
    np.testing.assert_allclose(np.asarray(u) * np.asarray(s) @ np.asarray(v).T, m, atol=1e-5)
    np.testing.assert_allclose(L.svd(m, compute_uv=False), [10.1914, 0.3671], atol=1e-4)
    e, vectors = L.eigh(a)
    np.testing.assert_allclose(e, [1.8801, 2.3983, 4.7216], atol=1e-4)
    np.testing.assert_allclose(np.abs(vectors[:, 0]), [0.253, 0.0534, 0.966], atol=1e-4)
    np.testing.assert_allclose(L.pinv(m), [[-2.0714, 0.7857, 0.1429], [1.5, -0.5, 0.0]], atol=1e-4)
    _same(L.matrix_rank(C([[1.0, 2.0], [2.0, 4.0]])), 1, np.int32)
    d = L.tensor_diag(C([[1.0, 2.0], [3.0, 4.0]]))
    assert d.shape == (2, 2, 2, 2) and float(d[1, 0, 1, 0]) == 3.0 and float(np.sum(d)) == 10.0
    _same(L.tensor_diag_part(d), [[1, 2], [3, 4]])
    bad = L.cholesky(C([[1.0, 2.0], [2.0, 1.0]]))                          # TF 2.21: NaN, no error
    assert np.isnan(bad[0, 0]) and np.isnan(bad[1, 1]) and float(bad[0, 1]) == 0.0


def test_numpy_ufuncs_on_tensors_give_numpy_answers_and_tf_math_the_new_rules():
    import subprocess
    code = ("import numpy as np, glassnet as tf\n"
            "x = tf.constant([0.5])\n"
            "with tf.GradientTape(persistent=True) as t:\n"
            "    t.watch(x)\n"
            "    y = np.tan(x) + np.arcsin(x)\n"        # NumPy's array, recorded by no tape (as in TF)
            "    z = tf.math.tan(x) + tf.math.asin(x)\n"
            "print(type(y).__name__, t.gradient(y, x), float(t.gradient(z, x)[0]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[:2] == ["ndarray", "None"]
    assert float(out[2]) == pytest.approx(1 + np.tan(0.5) ** 2 + 1 / np.sqrt(1 - 0.25), rel=1e-5)


def test_import_glassnet_loads_the_new_modules_only_when_used():
    import subprocess
    code = ("import sys, glassnet\n"
            "lazy = ['array_ops', 'selection', 'safe_math', 'control_flow', 'tensor_array', 'debugging', 'printing',\n"
            "        'nest', 'framework', 'indexing', 'init_ops', 'graph', 'experimental']\n"
            "print([m for m in lazy if 'glassnet.tf.' + m in sys.modules])\n"
            "glassnet.sort([2, 1]); glassnet.math.erf(0.5); glassnet.cond(True, lambda: 1, lambda: 2)\n"
            "print([m for m in ('array_ops', 'control_flow') if 'glassnet.tf.' + m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "['array_ops', 'control_flow']"


def test_framework_stand_ins():
    assert (tf.is_tensor(C(1)), tf.is_tensor(1), tf.is_tensor(np.zeros(2)), tf.is_tensor(tf.Variable(1.0))) \
        == (True, False, False, True)
    assert tf.get_static_value(C([1, 2])).tolist() == [1, 2] and tf.get_static_value(tf.Variable(1.0)) is None
    a, b = tf.identity_n([C(1), C(2.0)])
    assert a.dtype == np.int32 and float(b) == 2.0
    assert [s.numpy().tolist() for s in tf.shape_n([C([1, 2]), C([[1]])])] == [[2], [1, 1]]
    _same(tf.ensure_shape(C([1, 2]), [None]), [1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Shape of tensor input \[2\] is not compatible"):
        tf.ensure_shape(C([1, 2]), [3])
    with tf.name_scope("outer") as outer:
        with tf.name_scope("inner") as inner:
            assert (outer, inner) == ("outer/", "outer/inner/")
    with tf.control_dependencies([C(1)]):
        assert tf.no_op() is None and tf.group(C(1)) is None
    assert tf.tuple([C(1)])[0] == 1
    _same(tf.py_function(lambda a: a * 2, [C(3.0)], Tout=tf.float32), 6, np.float32)
    p, q = tf.py_function(lambda a: (a, a * 2), [C(3)], Tout=[tf.int32, tf.float32])
    assert p.dtype == np.int32 and q.dtype == np.float32 and float(q) == 6.0
    _same(tf.numpy_function(lambda a: a * 2, [C(3.0)], Tout=tf.float32), 6, np.float32)
    assert tf.broadcast_static_shape(tf.TensorShape([2, 1]), tf.TensorShape([3])) == (2, 3)
    _same(tf.broadcast_dynamic_shape([2, 1], [3]), [2, 3], np.int32)
    assert tf.timestamp().dtype == np.float64


# -- control flow under a tape -----------------------------------------------------------------------
def test_cond_takes_one_branch_and_its_gradient():
    x = tf.Variable(2.0)
    calls = []
    with tf.GradientTape() as tape:
        y = tf.cond(x > 0, lambda: calls.append("t") or x * x * x, lambda: calls.append("f") or -x)
    assert calls == ["t"] and float(y) == 8.0
    assert float(tape.gradient(y, x)) == 12.0                # 3 x^2
    assert tf.cond(tf.constant(False), lambda: 1, lambda: 2) == 2
    with pytest.raises(TypeError, match="'true_fn' must be callable"):
        tf.cond(True, 1, lambda: 2)
    with pytest.raises(TypeError, match="'false_fn' argument required"):
        tf.cond(True, lambda: 1)
    with pytest.raises(ValueError, match="pred"):
        tf.cond(C([True, False]), lambda: 1, lambda: 2)


def test_case_and_switch_case():
    t, f = C(True), C(False)
    assert int(tf.case([(f, lambda: C(1)), (t, lambda: C(2))])) == 2
    assert int(tf.case([(t, lambda: C(1)), (t, lambda: C(2))], default=lambda: C(3))) == 1
    assert int(tf.case([(f, lambda: C(1))], default=lambda: C(3))) == 3
    with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions evaluated as True"):
        tf.case([(f, lambda: C(1)), (f, lambda: C(2))])
    with pytest.raises(TypeError, match="callable"):
        tf.case([(t, 5)])
    assert int(tf.switch_case(C(5), [lambda: C(1), lambda: C(2)])) == 2       # out of range: the last branch
    assert tf.switch_case(C(1), {0: lambda: 10, 1: lambda: 20}) == 20
    assert tf.switch_case(C(7), {0: lambda: 10}, default=lambda: 9) == 9
    assert tf.switch_case(C(1), [(0, lambda: 10), (1, lambda: 20)]) == 20
    with pytest.raises(TypeError, match="'branch_index' must be a Tensor"):
        tf.switch_case(1, [lambda: 1])
    with pytest.raises(ValueError, match="contiguous range"):
        tf.switch_case(C(1), {0: lambda: 10, 3: lambda: 20})
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = tf.switch_case(C(1), [lambda: x, lambda: x * x])
    assert float(tape.gradient(y, x)) == 6.0


def test_while_loop_values_structure_and_gradient():
    i, s = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * 2.0), (0, 1.0))
    assert int(i) == 3 and float(s) == 8.0 and i.dtype == np.int32 and s.dtype == np.float32
    out = tf.while_loop(lambda i: i < 3, lambda i: [i + 1], [0])
    assert isinstance(out, list) and int(out[0]) == 3
    out = tf.while_loop(lambda i: i < 10, lambda i: (i + 1,), (C(0),), maximum_iterations=4)
    assert int(out[0]) == 4
    out = tf.while_loop(lambda i: i < 3, lambda i: (i + 1,), [0])      # body's structure comes back, as TF's
    assert isinstance(out, tuple) and int(out[0]) == 3
    point = collections.namedtuple("Point", "i total")
    out = tf.while_loop(lambda i, total: i < 3, lambda i, total: point(i + 1, total + i), point(0, 0))
    assert isinstance(out, point) and (int(out.i), int(out.total)) == (3, 3)
    with pytest.raises(ValueError, match="structure"):
        tf.while_loop(lambda i: i < 10, lambda i: i + 1, [C(0)])           # TF: a list of one needs a list back
    with pytest.raises(ValueError, match="structure"):
        tf.while_loop(lambda i, j: i < 3, lambda i, j: (i + 1,), (0, 1))
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        tf.while_loop(lambda i: i < 3, lambda i: i + 1, None)
    x = tf.Variable(1.5)
    with tf.GradientTape() as tape:
        _, z = tf.while_loop(lambda k, z: k < 4, lambda k, z: (k + 1, z * x), [0, tf.constant(1.0)])
    assert float(z) == pytest.approx(1.5 ** 4)
    assert float(tape.gradient(z, x)) == pytest.approx(4 * 1.5 ** 3)
    with tf.GradientTape() as tape:                       # a Variable among loop_vars: its value, read
        (z,) = tf.while_loop(lambda z: z < 10.0, lambda z: (z * 2.0,), (x,))
    assert isinstance(z, tf.Tensor) and float(z) == 12.0 and float(x) == 1.5
    assert float(tape.gradient(z, x)) == 8.0


def test_map_fn_and_vectorized_map():
    _same(tf.map_fn(lambda x: x * 2, C([1.0, 2.0])), [2, 4], np.float32)
    _same(tf.map_fn(lambda x: tf.cast(x, tf.float32), C([1, 2]), fn_output_signature=tf.float32), [1, 2], np.float32)
    _same(tf.map_fn(lambda x: tf.cast(x, tf.float32), C([1, 2]), dtype=tf.float32), [1, 2], np.float32)
    a, b = tf.map_fn(lambda xy: (xy[0], xy[1] * 1.0), (C([1, 2]), C([3.0, 4.0])))
    _same(a, [1, 2], np.int32)
    _same(b, [3, 4], np.float32)
    _same(tf.map_fn(lambda d: d["a"] + d["b"], {"a": C([1.0, 2.0]), "b": C([3.0, 4.0])},
                    fn_output_signature=tf.float32), [4, 6])
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32 but the output signature is int32"):
        tf.map_fn(lambda x: tf.cast(x, tf.float32), C([1, 2]))
    with pytest.raises(ValueError, match="structure"):
        tf.map_fn(lambda xy: xy[0] + xy[1], (C([1, 2]), C([3, 4])))
    with pytest.raises(ValueError, match="not scalars"):
        tf.map_fn(lambda x: x, C(1.0))
    with pytest.raises(ValueError, match="not compatible"):
        tf.map_fn(lambda d: d[0], (C([1.0, 2.0]), C([3.0])), fn_output_signature=tf.float32)
    assert tf.map_fn(lambda x: x, tf.zeros((0, 2))).shape == (0,)
    _same(tf.vectorized_map(lambda x: tf.reduce_sum(x), C([[1.0, 2.0], [3.0, 4.0]])), [3, 7])
    p, q = tf.vectorized_map(lambda x: (x[0], x[1]), (C([1, 2]), C([1.0, 2.0])))
    assert p.dtype == np.int32 and q.dtype == np.float32
    w = tf.Variable([1.0, -2.0])
    xs = C([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    for mapper in (tf.map_fn, tf.vectorized_map):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(mapper(lambda row: tf.reduce_sum(row * w) ** 2, xs))
        # d/dw sum_r (row . w)^2 = sum_r 2 (row . w) row
        want = sum(2 * float(np.dot(r, [1.0, -2.0])) * r for r in np.asarray(xs))
        _same(tape.gradient(y, w), want)


# -- TensorArray ---------------------------------------------------------------------------------------
def test_tensor_array_write_read_stack_size():
    ta = tf.TensorArray(tf.float32, size=2)
    ta = ta.write(0, [1.0, 2.0]).write(1, [3.0, 4.0])
    _same(ta.stack(), [[1, 2], [3, 4]], np.float32)
    _same(ta.read(1), [3, 4])
    _same(ta.size(), 2, np.int32)
    assert ta.dtype == np.float32 and not ta.dynamic_size and ta.element_shape == (2,)
    with pytest.raises(tf.errors.InvalidArgumentError, match="twice"):       # cleared after a read, as TF's
        ta.read(1)
    _same(tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(3, 1.0).stack(), [0, 0, 0, 1])
    _same(tf.TensorArray(tf.float32, size=3).write(1, [1.0, 2.0]).stack(), [[0, 0], [1, 2], [0, 0]])
    _same(tf.TensorArray(tf.float32, size=2, element_shape=(3,)).stack(), np.zeros((2, 3)))
    _same(tf.TensorArray(tf.float32, size=0, dynamic_size=True).unstack([[1.0, 2.0], [3.0, 4.0]]).read(1), [3, 4])
    _same(tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0]).stack(), [1, 2])      # unstack replaces, as TF
    _same(tf.TensorArray(tf.float32, size=3).unstack([1.0, 2.0, 3.0]).gather([2, 0]), [3, 1])
    _same(tf.TensorArray(tf.float32, size=2).unstack([[1.0, 2.0], [3.0, 4.0]]).concat(), [1, 2, 3, 4])
    _same(tf.TensorArray(tf.float32, size=3).scatter([2, 0], [[1.0], [2.0]]).stack(), [[2], [0], [1]])
    _same(tf.TensorArray(tf.int32, size=0, dynamic_size=True).write(0, 5).stack(), [5], np.int32)
    assert tf.TensorArray(tf.float32, size=0).stack().shape == (0,)
    _same(tf.TensorArray(tf.float32, size=1).write(0, 1).stack(), [1], np.float32)        # an int into float32


def test_tensor_array_errors():
    with pytest.raises(tf.errors.OutOfRangeError, match="not resizeable and size is: 2"):
        tf.TensorArray(tf.float32, size=2).write(2, 1.0)
    with pytest.raises(tf.errors.OutOfRangeError, match="negative"):
        tf.TensorArray(tf.float32, size=2).write(-1, 1.0)
    with pytest.raises(tf.errors.OutOfRangeError, match="read from index 3"):
        tf.TensorArray(tf.float32, size=1).read(3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="dtype is float32 but Op is trying to write dtype int32"):
        tf.TensorArray(tf.float32, size=2).write(0, C(1))
    with pytest.raises(tf.errors.InvalidArgumentError, match="dtype is int32"):
        tf.TensorArray(tf.int32, size=1).write(0, 1.5)
    with pytest.raises(ValueError, match="Incompatible shape"):
        tf.TensorArray(tf.float32, size=2).write(0, [1.0, 2.0]).write(1, [1.0])
    with pytest.raises(ValueError, match="Size must be declared"):
        tf.TensorArray(tf.float32)
    with pytest.raises(ValueError, match="static size 1"):
        tf.TensorArray(tf.float32, size=1).unstack([1.0, 2.0])


def test_tensor_array_gradient_in_a_loop():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float32, size=3)
        for i in range(3):
            ta = ta.write(i, x[i] * x[i])
        y = tf.reduce_sum(ta.stack())
    _same(tape.gradient(y, x), [2, 4, 6])                              # TF's answer
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float32, size=3).unstack(x * 2.0)
        _, acc = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc + ta.read(i) ** 2),
                               (0, tf.constant(0.0)))
    _same(tape.gradient(acc, x), [8, 16, 24])                          # d/dx sum (2x)^2 = 8x
    out = tf.while_loop(lambda i, t: i < 3, lambda i, t: (i + 1, t.write(i, tf.cast(i, tf.float32))),
                        (0, tf.TensorArray(tf.float32, size=3)))[1].stack()
    _same(out, [0, 1, 2])


# -- nest ------------------------------------------------------------------------------------------------
def test_nest():
    assert tf.nest.flatten({"b": [1, (2, 3)], "a": 4, "c": None}) == [4, 1, 2, 3, None]
    assert tf.nest.flatten(5) == [5]
    assert tf.nest.flatten([[], ()]) == []
    assert tf.nest.flatten(collections.OrderedDict([("b", 1), ("a", 2)])) == [2, 1]
    assert tf.nest.map_structure(lambda a, b: a + b, {"x": [1, 2]}, {"x": [10, 20]}) == {"x": [11, 22]}
    assert tf.nest.map_structure(lambda a: a, [None, 1]) == [None, 1]
    packed = tf.nest.pack_sequence_as({"b": [0, 0], "a": 0}, [1, 2, 3])
    assert packed == {"b": [2, 3], "a": 1} and list(packed) == ["b", "a"]
    point = collections.namedtuple("P", "x y")
    assert tf.nest.map_structure(lambda a: a * 2, point(1, [2])) == point(2, [4])
    assert tf.nest.pack_sequence_as(point(0, 0), [5, 6]) == point(5, 6)
    assert (tf.nest.is_nested([1]), tf.nest.is_nested(1), tf.nest.is_nested(np.zeros(2)), tf.nest.is_nested({})) \
        == (True, False, False, True)
    t = C([1, 2])
    assert tf.nest.flatten(t)[0] is t
    with pytest.raises(ValueError, match="same nested structure"):
        tf.nest.map_structure(lambda a, b: a + b, [1, 2], [1])
    with pytest.raises(ValueError, match="Structure had 2 atoms, but flat_sequence had 3 items"):
        tf.nest.pack_sequence_as([0, 0], [1, 2, 3])
    with pytest.raises(ValueError, match="is a sequence, while 2 is not"):
        tf.nest.assert_same_structure([1, [2]], [1, 2])
    with pytest.raises(TypeError, match="sequence type"):
        tf.nest.assert_same_structure([1, 2], (1, 2))
    tf.nest.assert_same_structure([1, 2], (1, 2), check_types=False)


# -- debugging -----------------------------------------------------------------------------------------
def test_debugging_asserts_raise_tensorflows_errors():
    assert tf.debugging.assert_equal(C([1, 2]), C([1, 2])) is None
    assert tf.assert_equal(C([1, 1]), 1) is None
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.debugging.assert_equal(C([1, 2]), C([1, 3]), message="mine")
    assert str(e.value) == ("mine\nCondition x == y did not hold.\nIndices of first 1 different values:\n[[1]]\n"
                            "Corresponding x values:\n[2]\nCorresponding y values:\n[3]\nFirst 2 elements of x:\n"
                            "[1 2]\nFirst 2 elements of y:\n[1 3]")                 # TF's text
    assert isinstance(e.value, ValueError) and e.value.error_code == 3
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        tf.debugging.assert_equal(C([1, 2]), C([1, 2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x < y did not hold"):
        tf.debugging.assert_less(C([1, 2]), C([2, 2]))
    assert tf.debugging.assert_greater(C([3, 2]), 1) is None
    with pytest.raises(tf.errors.InvalidArgumentError, match="x > 0"):
        tf.debugging.assert_positive(C([0.0, 1.0]))
    assert tf.debugging.assert_near(C([1.0, 2.0]), C([1.0, 2.000001])) is None
    with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance"):
        tf.debugging.assert_near(C([1.0, 2.0]), C([1.0, 2.1]))
    assert tf.debugging.assert_rank(C([1, 2]), 1) is None
    with pytest.raises(ValueError, match=r"must have rank 2.  Received rank 1, shape \(2,\)"):
        tf.assert_rank(C([1, 2]), 2)
    with pytest.raises(ValueError, match="rank at least 2"):
        tf.debugging.assert_rank_at_least(C([1, 2]), 2)
    with pytest.raises(ValueError, match=r"rank in \(0, 2\)"):
        tf.debugging.assert_rank_in(C([1, 2]), [0, 2])
    _same(tf.debugging.check_numerics(C([1.0, 2.0]), "m"), [1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="m : Tensor had NaN values"):
        tf.debugging.check_numerics(C([1.0, np.nan]), "m")
    with pytest.raises(tf.errors.InvalidArgumentError, match="m : Tensor had Inf values"):
        tf.debugging.check_numerics(C([np.inf, 1.0]), "m")
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.debugging.check_numerics(C([1, 2]), "m")
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN"):
        tf.debugging.assert_all_finite(C([np.nan]), "msg")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Summarized data: x is\n1"):
        tf.debugging.Assert(C(False), ["x is", C(1)])
    assert tf.Assert(True, ["x"]) is None
    with pytest.raises(TypeError, match="must be of type float32; got int32"):
        tf.debugging.assert_type(C(1), tf.float32)
    with pytest.raises(TypeError, match="integer type"):
        tf.debugging.assert_integer(C(1.0))


def test_assert_shapes():
    assert tf.debugging.assert_shapes([(tf.zeros((2, 3)), ("N", "D")), (tf.zeros((2,)), ("N",))]) is None
    assert tf.debugging.assert_shapes([(tf.zeros(()), ())]) is None
    assert tf.debugging.assert_shapes([(tf.zeros((5, 2, 3)), (..., "D")), (tf.zeros((3,)), ("D",))]) is None
    with pytest.raises(ValueError, match=r"dimension 0 must have size 2.  Received size 3, shape \(3,\)"):
        tf.debugging.assert_shapes([(tf.zeros((2, 3)), ("N", "D")), (tf.zeros((3,)), ("N",))])
    with pytest.raises(ValueError, match=r"must have rank in \(0, 1\)"):
        tf.debugging.assert_shapes([(tf.zeros((2, 3)), ("N",))])
    with pytest.raises(ValueError, match="Specified explicitly.*dimension 1 must have size 4"):
        tf.debugging.assert_shapes([(tf.zeros((2, 3)), (2, 4))])


def test_errors_module():
    for name, base in (("InvalidArgumentError", ValueError), ("OutOfRangeError", IndexError),
                       ("NotFoundError", FileNotFoundError), ("UnimplementedError", NotImplementedError),
                       ("ResourceExhaustedError", MemoryError), ("FailedPreconditionError", RuntimeError)):
        cls = getattr(tf.errors, name)
        error = cls(None, None, "why")
        assert isinstance(error, tf.errors.OpError) and isinstance(error, base)
        assert error.message == "why" and str(error) == "why"
    assert tf.errors.InvalidArgumentError(None, None, "x").error_code == tf.errors.INVALID_ARGUMENT == 3
    import pickle
    again = pickle.loads(pickle.dumps(tf.errors.InvalidArgumentError(None, None, "bad")))
    assert type(again) is tf.errors.InvalidArgumentError and again.message == "bad"


# -- tf.print ------------------------------------------------------------------------------------------
def test_print_writes_as_tensorflow():
    out = io.StringIO()
    tf.print("x:", tf.range(10), [1.5, C(2.5)], {"a": C([1, 2])}, output_stream=out)
    tf.print(C([[True, False]]), C(0.1), C(np.float64(1) / 3), C(["a", "b"]), output_stream=out, sep="|")
    tf.print(tf.reshape(tf.range(100), (10, 10)), output_stream=out)
    tf.print(tf.reshape(tf.range(24), (2, 3, 4)), output_stream=out, summarize=1)
    tf.print(tf.Variable([1.0, 2.0]), output_stream=out, end="!")
    assert out.getvalue() == (                                  # TensorFlow 2.21's text, byte for byte
        "x: [0 1 2 ... 7 8 9] [1.5, 2.5] {'a': [1 2]}\n"
        '[[1 0]]|0.1|0.33333333333333331|["a" "b"]\n'
        "[[0 1 2 ... 7 8 9]\n [10 11 12 ... 17 18 19]\n [20 21 22 ... 27 28 29]\n ...\n"
        " [70 71 72 ... 77 78 79]\n [80 81 82 ... 87 88 89]\n [90 91 92 ... 97 98 99]]\n"
        "[[[0 ... 3]\n  ...\n  [8 ... 11]]\n\n [[12 ... 15]\n  ...\n  [20 ... 23]]]\n"
        "[1 2]!")
    out = io.StringIO()
    tf.print(C([0.1, 1 / 3, 1e-7, 123456.7]), C(3.0), C([1.5, 2.0]), tf.reshape(tf.range(64), (8, 8)),
             output_stream=out, summarize=-1)
    assert out.getvalue() == ("[0.1 0.333333343 1e-07 123456.703] 3 [1.5 2] [[0 1 2 3 4 5 6 7]\n"
                              " [8 9 10 11 12 13 14 15]\n [16 17 18 19 20 21 22 23]\n [24 25 26 27 28 29 30 31]\n"
                              " [32 33 34 35 36 37 38 39]\n [40 41 42 43 44 45 46 47]\n [48 49 50 51 52 53 54 55]\n"
                              " [56 57 58 59 60 61 62 63]]\n")


def test_print_more_of_tensorflows_text():
    out = io.StringIO()
    tf.print(C([[-1.25, 2.0], [3e-5, -4e8]]), output_stream=out)
    tf.print(None, (C(1), "a"), [[C([1, 2])], 3], output_stream=out)
    tf.print(C([1, 2], dtype=tf.int64), C(2 ** 40, dtype=tf.int64), C([1e-300, 2.5], dtype=tf.float64), output_stream=out)
    tf.print(C([np.nan, -np.inf], dtype=tf.float64), C(0.0), C(-0.0), output_stream=out)
    tf.print(C(1.0e10), C(123456789.0), C(0.000123), C(1.0 / 7.0, dtype=tf.float64), output_stream=out)
    assert out.getvalue() == ("[[-1.25 2]\n [3e-05 -4e+08]]\n"                      # TensorFlow 2.21's text
                              "None (1, 'a') [[[1 2]], 3]\n"
                              "[1 2] 1099511627776 [1e-300 2.5]\n"
                              "[nan -inf] 0 0\n"
                              "1e+10 123456792 0.000123 0.14285714285714285\n")


def test_print_goes_to_stderr_by_default(capsys, tmp_path):
    tf.print("loss:", C(0.5))
    captured = capsys.readouterr()
    assert captured.err == "loss: 0.5\n" and captured.out == ""
    tf.print(C([1, 2, 3]), output_stream=sys.stdout)
    assert capsys.readouterr().out == "[1 2 3]\n"
    path = tmp_path / "log.txt"
    tf.print("a", "b", sep=",", end="!\n", output_stream=f"file://{path}")
    assert path.read_text() == "a,b!\n"
    with pytest.raises(ValueError, match="output_stream"):
        tf.print("x", output_stream="stdout")
    with pytest.raises(ValueError, match="unexpected keyword argument 'stream'"):
        tf.print("x", stream=sys.stdout)


# -- the rules this surface adds to the tape's table, for tests/test_vjps.py's coverage and its
#    hypothesis gradcheck: each maps a primitive to (draw, rng) -> (fn, float64 arrays)
def _drawn_shape(draw):
    from hypothesis.extra import numpy as hnp
    return draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))


def _unary(fn, lo, hi):
    def make(draw, rng):
        return fn, [rng.uniform(lo, hi, size=_drawn_shape(draw))]
    return make


def _taken(draw, rng):
    from glassnet.tf import index_map
    shape = _drawn_shape(draw)
    size = int(np.prod(shape))
    index = rng.integers(-1, size, size=_drawn_shape(draw))          # -1: the fill
    return (lambda x: index_map.take(x, index, fill=2.0)), [rng.normal(size=shape)]


def _put(draw, rng):
    from glassnet.tf import index_map
    shape = _drawn_shape(draw)
    values = _drawn_shape(draw)
    index = rng.integers(-1, int(np.prod(shape)), size=values)       # repeats add up, -1 dropped
    return (lambda v: index_map.put(v, index, shape)), [rng.normal(size=values)]


def _cumsum(draw, rng):
    from hypothesis import strategies as st
    shape = _drawn_shape(draw)
    axis, exclusive, reverse = draw(st.integers(0, len(shape) - 1)), draw(st.booleans()), draw(st.booleans())
    return (lambda x: tf.cumsum(x, axis=axis, exclusive=exclusive, reverse=reverse)), [rng.normal(size=shape)]


def _square_matrices(draw, rng, k=None):
    from hypothesis import strategies as st
    n, batch = draw(st.integers(1, 3)), draw(st.sampled_from([(), (2,)]))
    return rng.normal(size=batch + (n, n)) + 3 * np.eye(n), batch, n      # well away from singular


def _matrix_rule(fn):
    def make(draw, rng):
        return fn, [_square_matrices(draw, rng)[0]]
    return make


def _solved(draw, rng):
    from hypothesis import strategies as st
    a, batch, n = _square_matrices(draw, rng)
    return tf.linalg.solve, [a, rng.normal(size=batch + (n, draw(st.integers(1, 2))))]


def _atan2(draw, rng):
    shape = _drawn_shape(draw)
    return np.arctan2, [rng.uniform(0.5, 2, size=shape) * rng.choice([-1, 1], size=shape),
                        rng.uniform(0.5, 2, size=shape)]


def _mod(draw, rng):
    shape = _drawn_shape(draw)          # x / y kept inside (2, 3), away from floor's jumps
    return np.mod, [rng.uniform(2.2, 2.8, size=shape), rng.uniform(1.0, 1.05, size=shape)]


def _segment_reduced(draw, rng):
    from hypothesis import strategies as st
    fn = draw(st.sampled_from([tf.math.segment_max, tf.math.segment_min, tf.math.segment_prod]))
    ids = np.sort(rng.integers(0, 3, size=draw(st.integers(1, 5))))
    shape = (len(ids),) + draw(st.sampled_from([(), (2,)]))
    return (lambda x: fn(x, ids)), [rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1, 1], size=shape)]


def _vjp_examples():
    from glassnet.tf import elementwise, index_map, linalg, selection
    return {
        selection._segment_reduce: _segment_reduced,
        index_map._take: _taken, index_map._put: _put,
        np.tan: _unary(np.tan, -1.0, 1.0), np.sinh: _unary(np.sinh, -2, 2), np.cosh: _unary(np.cosh, -2, 2),
        np.arcsin: _unary(np.arcsin, -0.8, 0.8), np.arccos: _unary(np.arccos, -0.8, 0.8),
        np.arctan: _unary(np.arctan, -3, 3), np.arcsinh: _unary(np.arcsinh, -3, 3),
        np.arccosh: _unary(np.arccosh, 1.2, 3), np.arctanh: _unary(np.arctanh, -0.8, 0.8),
        np.arctan2: _atan2, np.mod: _mod,
        elementwise._erf_forward: _unary(tf.math.erf, -2, 2), elementwise._lgamma_forward: _unary(tf.math.lgamma, 0.3, 6),
        elementwise._cumsum: _cumsum,
        linalg._inv: _matrix_rule(tf.linalg.inv), np.linalg.det: _matrix_rule(tf.linalg.det),
        linalg._logabsdet: _matrix_rule(lambda a: tf.linalg.slogdet(a).log_abs_determinant),
        linalg._solve: _solved,
    }


VJP_EXAMPLES = _vjp_examples()


def test_range_takes_the_widest_type_of_its_arguments_as_tensorflow():
    """TF 2.21: Python ints give int32, an int64 tensor anywhere gives int64, a float gives
    float32 unless a wider float is given (a dataset of ``tf.range(i)`` over int64 ids is int64)."""
    C = tf.constant
    assert tf.range(5).dtype == tf.int32
    assert tf.range(C(5, tf.int64)).dtype == tf.int64
    assert tf.range(1, C(5, tf.int64)).dtype == tf.int64
    assert tf.range(0, 5, 0.5).dtype == tf.float32
    assert tf.range(np.float64(3)).dtype == tf.float64
    assert tf.range(C(3.0, tf.float16)).dtype == tf.float16
    assert tf.range(3, dtype=tf.float32).dtype == tf.float32
    np.testing.assert_array_equal(tf.range(1, 10, 3).numpy(), [1, 4, 7])
    spec = tf.data.Dataset.range(5).map(lambda i: tf.range(i)).element_spec
    assert spec.dtype == tf.int64
