"""glassnet.tf.vjps: every rule of the table gradchecked by central differences in float64,
over shapes drawn by hypothesis (broadcasting included); the table and this file's examples
cover each other; nested tapes give second derivatives of the elementwise rules and matmul."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as tf
from glassnet import activations as act
from glassnet.tf import vjps
from test_tf_ops_surface import VJP_EXAMPLES

SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SHAPE = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
MATRIX = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def _recorded(fn):
    """A NumPy ufunc run as glassnet's own modules run it (``vjps.apply``: recorded with its rule);
    a program's ``np.exp(t)`` gets NumPy's array and is not recorded, as in TensorFlow."""
    if isinstance(fn, np.ufunc):
        return lambda *xs: vjps.apply(fn, *xs)
    return fn


def _uniform(rng, shape, lo, hi, signed=False):
    x = np.asarray(rng.uniform(lo, hi, size=shape))
    return x * rng.choice([-1.0, 1.0], size=shape) if signed else x


def unary(fn, lo=-2.0, hi=2.0, signed=False):
    def make(draw, rng):
        return fn, [_uniform(rng, draw(SHAPE), lo, hi, signed)]
    return make


def binary(fn, lo=(-2.0, -2.0), hi=(2.0, 2.0)):
    def make(draw, rng):
        shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
        return fn, [rng.uniform(lo[i], hi[i], size=s) for i, s in enumerate(shapes)]
    return make


def reduction(fn):
    def make(draw, rng):
        shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
        axis = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
        keep = draw(st.booleans())
        return (lambda x: fn(x, axis=axis, keepdims=keep)), [rng.uniform(0.5, 2.0, size=shape)]
    return make


def matmul(draw, rng):
    case = draw(st.sampled_from(["mm", "batch", "vec_mat", "mat_vec", "vec_vec", "broadcast"]))
    m, k, n, b = (draw(st.integers(1, 3)) for _ in range(4))
    shapes = {"mm": ((m, k), (k, n)), "batch": ((b, m, k), (b, k, n)), "vec_mat": ((k,), (k, n)),
              "mat_vec": ((m, k), (k,)), "vec_vec": ((k,), (k,)), "broadcast": ((b, m, k), (k, n))}[case]
    return np.matmul, [rng.normal(size=s) for s in shapes]


def permuted(draw, rng):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    perm = tuple(draw(st.permutations(range(len(shape)))))
    return (lambda x: vjps.transpose(x, axes=perm)), [rng.normal(size=shape)]


def concatenated(draw, rng):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    axis = draw(st.integers(0, len(shape) - 1))
    other = list(shape)
    other[axis] = draw(st.integers(1, 3))
    return (lambda a, b: vjps.concatenate(a, b, axis=axis)), [rng.normal(size=shape), rng.normal(size=other)]


def stacked(draw, rng):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return (lambda a, b: vjps.stack(a, b, axis=axis)), [rng.normal(size=shape), rng.normal(size=shape)]


def indexed(draw, rng):
    n = draw(st.integers(2, 4))
    key = draw(st.sampled_from([(slice(1, None),), (np.array([0, 0, 1]),), (Ellipsis, 0), (np.array([1, 0]), 1)]))
    return (lambda x: vjps.getitem(x, key)), [rng.normal(size=(n, 2))]


def scattered(draw, rng):
    key = (np.array([0, 0, 2]),)
    return (lambda g: vjps.apply(vjps._scatter, g, shape=(4, 2), key=key)), [rng.normal(size=(3, 2))]


def chosen(draw, rng):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)).input_shapes
    cond = rng.random(shapes[0]) > 0.5
    return (lambda x, y: vjps.where(cond, x, y)), [rng.normal(size=shapes[1]), rng.normal(size=shapes[2])]


def clipped(draw, rng):
    x = np.array(_uniform(rng, draw(SHAPE), 0.1, 2.0, signed=True))
    x[np.abs(np.abs(x) - 1.0) < 0.05] = 0.5                   # away from the kinks at +-1
    return (lambda t: vjps.clip(t, -1.0, 1.0)), [x]


def xent(draw, rng):
    kind = draw(st.sampled_from(["sigmoid", "softmax", "sparse"]))
    z = rng.normal(size=(3, 4))
    if kind == "sigmoid":
        y = rng.random((3, 4))
        return (lambda t: tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=t)), [z]
    if kind == "softmax":
        y = rng.random((3, 4))
        return (lambda t: tf.nn.softmax_cross_entropy_with_logits(labels=y / y.sum(1, keepdims=True), logits=t)), [z]
    k = rng.integers(0, 4, size=3)
    return (lambda t: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=k, logits=t)), [z]


def other_activation(draw, rng):
    fn, kw = draw(st.sampled_from([(act.elu, {}), (act.gelu, {}), (act.selu, {}), (act.softsign, {}),
                                   (act.leaky_relu, {"negative_slope": 0.1}), (act.silu, {})]))
    return (lambda x: vjps.activation(x, fn, **kw)), [_uniform(rng, draw(SHAPE), 0.1, 2.0, signed=True)]


def einsummed(draw, rng):
    i, j, k, b = (draw(st.integers(1, 3)) for _ in range(4))
    subscripts, shapes = draw(st.sampled_from([
        ("ij,jk->ik", ((i, j), (j, k))), ("bij,bjk->bik", ((b, i, j), (b, j, k))), ("ij,ij", ((i, j), (i, j))),
        ("ij->j", ((i, j),)), ("i,j->ij", ((i,), (j,))), ("ij,k->ik", ((i, j), (k,)))]))
    return (lambda *xs: vjps.einsum(subscripts, *xs)), [rng.normal(size=s) for s in shapes]


EXAMPLES = {
    np.add: binary(np.add), np.subtract: binary(np.subtract), np.multiply: binary(np.multiply),
    np.true_divide: binary(np.true_divide, lo=(-2.0, 0.5)), np.negative: unary(np.negative),
    np.positive: unary(np.positive), np.power: binary(np.power, lo=(0.5, -2.0)), np.square: unary(np.square),
    np.sqrt: unary(np.sqrt, 0.5), np.exp: unary(np.exp), np.log: unary(np.log, 0.5),
    np.log1p: unary(np.log1p, -0.5), np.expm1: unary(np.expm1), np.absolute: unary(np.absolute, 0.1, signed=True),
    np.maximum: binary(np.maximum), np.minimum: binary(np.minimum), np.tanh: unary(np.tanh),
    np.sin: unary(np.sin), np.cos: unary(np.cos), np.reciprocal: unary(np.reciprocal, 0.5, signed=True),
    np.matmul: matmul,
    np.sum: reduction(vjps.sum), np.mean: reduction(vjps.mean), np.max: reduction(vjps.max),
    np.min: reduction(vjps.min), np.prod: reduction(vjps.prod),
    vjps._reshape: lambda draw, rng: ((lambda x: vjps.reshape(x, (-1,))), [rng.normal(size=draw(SHAPE))]),
    vjps._transpose: permuted,
    vjps._swapaxes: lambda draw, rng: ((lambda x: vjps.swapaxes(x, axis1=0, axis2=-1)),
                                       [rng.normal(size=draw(MATRIX))]),
    vjps._squeeze: lambda draw, rng: ((lambda x: vjps.squeeze(x, axis=1)), [rng.normal(size=(2, 1, 3))]),
    vjps._expand_dims: lambda draw, rng: ((lambda x: vjps.expand_dims(x, axis=-1)), [rng.normal(size=draw(SHAPE))]),
    vjps._broadcast_copy: lambda draw, rng: ((lambda x: vjps.broadcast_to(x, (2, 3, 4))),
                                             [rng.normal(size=draw(st.sampled_from([(4,), (1, 4), (3, 1), ()])))]),
    vjps._concatenate: concatenated, vjps._stack: stacked, vjps._getitem: indexed, vjps._scatter: scattered,
    np.where: chosen, np.clip: clipped,
    vjps._cast: lambda draw, rng: ((lambda x: vjps.cast(x, np.float64)), [rng.normal(size=draw(SHAPE))]),
    np.copy: lambda draw, rng: (vjps.identity, [rng.normal(size=draw(SHAPE))]),
    act.sigmoid: unary(vjps.sigmoid), act.relu: unary(vjps.relu, 0.1, signed=True),
    act.softmax: lambda draw, rng: ((lambda x: vjps.softmax(x, axis=-1)), [rng.normal(size=draw(MATRIX))]),
    act.log_softmax: lambda draw, rng: ((lambda x: vjps.log_softmax(x, axis=0)), [rng.normal(size=draw(MATRIX))]),
    vjps._einsum: einsummed, act.softplus: unary(vjps.softplus), vjps._activation: other_activation, vjps._xent: xent,
    act.leaky_relu: unary(lambda x: vjps.leaky_relu(x, 0.1), 0.1, signed=True),
    np.sign: unary(np.sign, 0.1, signed=True),                                       # derivative 0 (TF: zeros)
    vjps._step: unary(lambda x: vjps.step(x, np.asarray(x) > 0), 0.1, signed=True),  # derivative 0
}
EXAMPLES.update(VJP_EXAMPLES)     # the rules tf.* adds from its own modules (index maps, trig, erf, linalg)


def test_every_rule_in_the_table_has_an_example_here():
    assert set(vjps.RULES) == set(EXAMPLES), {vjps._name(k) for k in set(vjps.RULES) ^ set(EXAMPLES)}


def _gradcheck(fn, arrays, rng, eps=1e-6):
    """The tape's gradients of sum(w * fn(*x)) against central differences, in float64."""
    fn = _recorded(fn)
    consts = [tf.constant(a, dtype=np.float64) for a in arrays]
    with tf.GradientTape() as tape:
        tape.watch(consts)
        out = fn(*consts)
        w = rng.normal(size=np.shape(out))
        loss = tf.reduce_sum(out * w)
    grads = tape.gradient(loss, consts)

    def f(xs):
        return float(np.sum(np.asarray(fn(*[tf.constant(x) for x in xs])) * w))
    for i, (a, g) in enumerate(zip(arrays, grads)):
        numeric = np.zeros(np.shape(a))
        for j in np.ndindex(np.shape(a)):
            up = [np.array(x, dtype=np.float64) for x in arrays]
            down = [np.array(x, dtype=np.float64) for x in arrays]
            up[i][j] += eps
            down[i][j] -= eps
            numeric[j] = (f(up) - f(down)) / (2 * eps)
        assert g is not None and g.shape == np.shape(a), (i, None if g is None else g.shape, np.shape(a))
        np.testing.assert_allclose(np.asarray(g), numeric, rtol=1e-5, atol=1e-7, err_msg=f"argument {i}")


@pytest.mark.parametrize("rule", list(EXAMPLES), ids=[vjps._name(k) for k in EXAMPLES])
def test_each_rule_agrees_with_central_differences(rule):
    @SETTINGS
    @given(st.data(), st.integers(0, 2**31 - 1))
    def check(data, seed):
        rng = np.random.default_rng(seed)
        fn, arrays = EXAMPLES[rule](data.draw, rng)
        _gradcheck(fn, arrays, rng)
    check()


def test_unbroadcast_sums_what_broadcasting_repeated():
    g = np.ones((4, 2, 3))
    assert vjps.unbroadcast(np.zeros(3), g).shape == (3,)
    np.testing.assert_array_equal(vjps.unbroadcast(np.zeros((2, 1)), g), np.full((2, 1), 12.0))
    assert vjps.unbroadcast_to((), g).shape == () and float(vjps.unbroadcast_to((), g)) == 24.0


SECOND = {
    "multiply": lambda x: x * x * x, "divide": lambda x: 1.0 / (1.0 + x * x), "exp": np.exp, "log": np.log,
    "tanh": np.tanh, "sin": np.sin, "power": lambda x: x ** 3, "sqrt": np.sqrt, "sigmoid": vjps.sigmoid,
    "softmax": lambda x: vjps.softmax(x) * x, "square": np.square,
    "einsum": lambda x: vjps.einsum("i,i,i->", x, x, x),
    "matmul": lambda x: tf.linalg.matvec(tf.matmul(x.reshape((2, 2)), x.reshape((2, 2))), np.ones(2)),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_nested_tapes_give_second_derivatives(name):
    fn = _recorded(SECOND[name])
    x0 = np.array([0.7, 1.3, 0.4, 1.1])
    v = np.array([0.3, -0.2, 0.5, 0.1])

    def first(x_np):                                 # the inner tape's gradient of sum(fn(x))
        x = tf.constant(x_np)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(fn(x))
        return x, inner.gradient(y, x)
    x = tf.constant(x0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(fn(x))
        g = inner.gradient(y, x)
        gv = tf.reduce_sum(g * v)
    hv = outer.gradient(gv, x)                       # H v
    eps = 1e-6
    numeric = np.array([(np.sum(np.asarray(first(x0 + eps * e)[1]) * v) -
                         np.sum(np.asarray(first(x0 - eps * e)[1]) * v)) / (2 * eps) for e in np.eye(4)])
    np.testing.assert_allclose(np.asarray(hv), numeric, rtol=1e-5, atol=1e-7)
