"""Merge layers (glassnet.layers.merging): values against NumPy, every backward by central
differences in float64, Keras's errors, and a replay of what real Keras and TensorFlow compute
(tests/fixtures/keras_merging.npz, written by tools/make_keras_merging.py)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.layers import merging
from conftest import central_difference_in_place

FIXTURE = Path(__file__).parent / "fixtures" / "keras_merging.npz"
RNG = np.random.default_rng(24)


def _normal(*shapes):
    return [RNG.normal(size=s) for s in shapes]


def _call(layer, xs):
    return np.asarray(layer(xs))


# -- forward values against NumPy ---------------------------------------------------------------
def test_elementwise_layers_compute_what_numpy_does_with_two_and_three_inputs():
    a, b, c = _normal((4, 3), (4, 3), (4, 3))
    np.testing.assert_allclose(_call(layers.Add(), [a, b, c]), a + b + c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_call(layers.Subtract(), [a, b]), a - b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_call(layers.Multiply(), [a, b, c]), a * b * c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_call(layers.Average(), [a, b]), (a + b) / 2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_call(layers.Average(), [a, b, c]), (a + b + c) / 3, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_call(layers.Maximum(), [a, b, c]), np.maximum(np.maximum(a, b), c), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_call(layers.Minimum(), [a, b, c]), np.minimum(np.minimum(a, b), c), rtol=1e-5, atol=1e-6)


def test_lower_rank_inputs_get_axes_after_the_batch_axis_as_keras_expands_them():
    a, b, c = _normal((4, 2, 3), (4, 3), (4, 1))
    out = _call(layers.Add(), [a, b, c])
    np.testing.assert_allclose(out, a + b[:, None, :] + c[:, None, :], rtol=1e-5, atol=1e-6)
    assert layers.Add().compute_output_shape([(None, 2, 3), (None, 3), (None, 1)]) == (None, 2, 3)


def test_concatenate_joins_along_its_axis():
    a, b, c = _normal((2, 2, 5), (2, 1, 5), (2, 3, 5))
    np.testing.assert_allclose(_call(layers.Concatenate(axis=1), [a, b, c]), np.concatenate([a, b, c], 1), rtol=1e-5, atol=1e-6)
    x, y = _normal((3, 4), (3, 2))
    np.testing.assert_allclose(_call(layers.Concatenate(), [x, y]), np.concatenate([x, y], -1), rtol=1e-5, atol=1e-6)
    assert layers.Concatenate(axis=1).compute_output_shape([(None, 2, 5), (None, None, 5)]) == (None, None, 5)


def test_dot_over_axes_1_and_1_2_on_3d_inputs_and_the_2d_case():
    x1, x2 = _normal((3, 4, 5), (3, 4, 2))
    np.testing.assert_allclose(_call(layers.Dot(axes=1), [x1, x2]), np.einsum("bkp,bkq->bpq", x1, x2), rtol=1e-5, atol=1e-6)
    y1, y2 = _normal((3, 4, 5), (3, 2, 4))
    np.testing.assert_allclose(_call(layers.Dot(axes=(1, 2)), [y1, y2]), np.einsum("bkp,bqk->bpq", y1, y2), rtol=1e-5, atol=1e-6)
    v1, v2 = _normal((3, 4), (3, 4))
    out = _call(layers.Dot(axes=1), [v1, v2])
    assert out.shape == (3, 1)                      # Keras keeps a last axis of 1 for two vectors
    np.testing.assert_allclose(out[:, 0], (v1 * v2).sum(1), rtol=1e-5, atol=1e-6)


def test_dot_with_normalize_gives_the_cosine_similarity():
    v1, v2 = _normal((5, 4), (5, 4))
    cosine = (v1 * v2).sum(1) / np.linalg.norm(v1, axis=1) / np.linalg.norm(v2, axis=1)
    np.testing.assert_allclose(_call(layers.Dot(axes=-1, normalize=True), [v1, v2])[:, 0], cosine, rtol=1e-5, atol=1e-6)


def test_dot_normalize_one_step_worked_by_hand():
    layer = layers.Dot(axes=1, normalize=True, dtype="float64")
    x1, x2 = np.array([[3.0, 4.0]]), np.array([[4.0, 3.0]])
    # |x1| = |x2| = 5: xhat1 = [.6, .8], xhat2 = [.8, .6]; y = .6*.8 + .8*.6 = .96
    assert _call(layer, [x1, x2]) == pytest.approx(np.array([[0.96]]))
    dx1, dx2 = layer.backward(np.array([[1.0]]))
    # dxhat1 = dy * xhat2 = [.8, .6];  sum(dxhat1 * xhat1) = .48 + .48 = .96
    # dx1 = (1/5) * ([.8, .6] - .96 * [.6, .8]) = (1/5) * [.224, -.168] = [.0448, -.0336]
    np.testing.assert_allclose(dx1, [[0.0448, -0.0336]], atol=1e-12)
    np.testing.assert_allclose(dx2, [[-0.0336, 0.0448]], atol=1e-12)   # the same, mirrored


def test_one_input_is_allowed_as_in_keras_3_and_the_output_is_a_new_array():
    x = RNG.normal(size=(2, 3)).astype("float32")
    for layer in (layers.Add(), layers.Multiply(), layers.Average(), layers.Maximum(), layers.Concatenate()):
        out = layer.forward([x])
        np.testing.assert_array_equal(out, x)
        out[0, 0] = 99.0
        assert x[0, 0] != 99.0, type(layer).__name__


def test_inputs_take_the_layers_dtype_and_lists_of_numbers_are_accepted():
    out = layers.Add()([[[1, 2]], [[3, 4]]])
    assert np.asarray(out).dtype == np.float32 and np.asarray(out).tolist() == [[4.0, 6.0]]
    assert np.asarray(layers.Add(dtype="float64")([np.ones((1, 2)), np.ones((1, 2))])).dtype == np.float64


def test_functional_spellings_build_the_layer_and_call_it():
    a, b = _normal((3, 4), (3, 4))
    pairs = [(merging.add, layers.Add()), (merging.subtract, layers.Subtract()),
             (merging.multiply, layers.Multiply()), (merging.average, layers.Average()),
             (merging.maximum, layers.Maximum()), (merging.minimum, layers.Minimum())]
    for fn, layer in pairs:
        np.testing.assert_array_equal(np.asarray(fn([a, b])), _call(layer, [a, b]))
    np.testing.assert_array_equal(np.asarray(layers.concatenate([a, b], axis=0)), np.concatenate([a, b], 0).astype("float32"))
    np.testing.assert_allclose(np.asarray(layers.dot([a, b])), _call(layers.Dot(axes=-1), [a, b]))
    np.testing.assert_allclose(np.asarray(layers.dot([a, b], axes=1, normalize=True)),
                               _call(layers.Dot(axes=1, normalize=True), [a, b]))
    assert glassnet.keras.layers.concatenate is layers.concatenate


# -- every backward by central differences, float64 ---------------------------------------------
GRADCHECK_CASES = {
    "add_2": (lambda: layers.Add(), [(4, 3), (4, 3)]),
    "add_3_broadcast": (lambda: layers.Add(), [(4, 3), (4, 1), (4, 2, 3)]),
    "subtract": (lambda: layers.Subtract(), [(4, 3), (4, 3)]),
    "subtract_broadcast": (lambda: layers.Subtract(), [(4, 1, 3), (4, 2, 1)]),
    "multiply_2": (lambda: layers.Multiply(), [(4, 3), (4, 3)]),
    "multiply_3_broadcast": (lambda: layers.Multiply(), [(4, 3), (4, 1), (4, 2, 3)]),
    "average_2": (lambda: layers.Average(), [(4, 3), (4, 3)]),
    "average_3_broadcast": (lambda: layers.Average(), [(4, 2, 3), (4, 3), (4, 2, 1)]),
    "maximum_2": (lambda: layers.Maximum(), [(4, 3), (4, 3)]),
    "maximum_3_broadcast": (lambda: layers.Maximum(), [(4, 3), (4, 1), (4, 2, 3)]),
    "minimum_2": (lambda: layers.Minimum(), [(4, 3), (4, 3)]),
    "minimum_3": (lambda: layers.Minimum(), [(4, 3), (4, 3), (4, 3)]),
    "concatenate_2": (lambda: layers.Concatenate(), [(4, 3), (4, 2)]),
    "concatenate_3_axis1": (lambda: layers.Concatenate(axis=1), [(4, 2, 3), (4, 1, 3), (4, 3, 3)]),
    "concatenate_axis_minus2": (lambda: layers.Concatenate(axis=-2), [(4, 2, 3), (4, 1, 3)]),
    "dot_2d": (lambda: layers.Dot(axes=1), [(4, 3), (4, 3)]),
    "dot_axes1_3d": (lambda: layers.Dot(axes=1), [(4, 3, 5), (4, 3, 2)]),
    "dot_axes12_3d": (lambda: layers.Dot(axes=(1, 2)), [(4, 3, 5), (4, 2, 3)]),
    "dot_mixed_ranks": (lambda: layers.Dot(axes=-1), [(4, 3), (4, 2, 3)]),
    "dot_4d": (lambda: layers.Dot(axes=(2, 1)), [(2, 3, 4, 2), (2, 4, 2, 3)]),
    "dot_normalize_2d": (lambda: layers.Dot(axes=1, normalize=True), [(4, 3), (4, 3)]),
    "dot_normalize_axes1_3d": (lambda: layers.Dot(axes=1, normalize=True), [(4, 3, 5), (4, 3, 2)]),
    "dot_normalize_axes12_3d": (lambda: layers.Dot(axes=(1, 2), normalize=True), [(4, 3, 5), (4, 2, 3)]),
}


@pytest.mark.parametrize("case", sorted(GRADCHECK_CASES))
def test_backward_agrees_with_central_differences(case):
    make, shapes = GRADCHECK_CASES[case]
    xs = _normal(*shapes)
    report = glassnet.gradcheck(make(), xs, max_entries=None)
    assert report.passed, str(report)
    assert len(report.rows) == len(shapes)          # one row per input: every input's dX was checked


@pytest.mark.parametrize("case", sorted(GRADCHECK_CASES))
def test_each_input_gradient_has_its_inputs_shape(case):
    make, shapes = GRADCHECK_CASES[case]
    layer = make()
    xs = _normal(*shapes)
    out = layer.forward(xs)
    grads = layer.backward(np.ones_like(out))
    assert isinstance(grads, list) and [g.shape for g in grads] == [x.shape for x in xs]
    assert layer.backward(np.ones_like(out), need_input_grad=False) is None


def test_a_wrong_backward_fails_the_check():
    class WrongAdd(layers.Add):                     # forgets the second input's gradient
        def backward(self, grad, need_input_grad=True):
            return [grad, np.zeros_like(grad)]
    assert not glassnet.gradcheck(WrongAdd(), _normal((3, 2), (3, 2))).passed


def test_maximum_and_minimum_send_a_ties_gradient_to_the_first_input_as_tensorflow():
    x1, x2, x3 = np.array([[1.0, 2.0, 5.0]]), np.array([[1.0, 3.0, 5.0]]), np.array([[0.0, 3.0, 5.0]])
    g = np.array([[10.0, 20.0, 30.0]])
    layer = layers.Maximum(dtype="float64")
    layer([x1, x2, x3])
    d1, d2, d3 = layer.backward(g)
    np.testing.assert_array_equal(d1, [[10.0, 0.0, 30.0]])    # the tie at 1 and the tie at 5: the first
    np.testing.assert_array_equal(d2, [[0.0, 20.0, 0.0]])     # the tie at 3 between x2 and x3: x2
    np.testing.assert_array_equal(d3, [[0.0, 0.0, 0.0]])
    layer = layers.Minimum(dtype="float64")
    layer([x2, x1])
    d2, d1 = layer.backward(g)
    np.testing.assert_array_equal(d2, [[10.0, 0.0, 30.0]])
    np.testing.assert_array_equal(d1, [[0.0, 20.0, 0.0]])


def test_dot_normalize_of_an_all_zero_sample_passes_the_gradient_through_the_clamped_norm():
    layer = layers.Dot(axes=1, normalize=True, dtype="float64")
    x1, x2 = np.array([[0.0, 0.0], [1.0, 2.0]]), np.array([[3.0, 4.0], [2.0, 1.0]])
    assert np.isfinite(_call(layer, [x1, x2])).all()
    dx1, _ = layer.backward(np.ones((2, 1)))
    # norm 0 < eps: xhat1 = x1 / eps, so dx1 = dy * xhat2 / eps = [.6, .8] / 1e-7
    np.testing.assert_allclose(dx1[0], np.array([0.6, 0.8]) / glassnet.config.epsilon(), rtol=1e-12)


# -- bad input: Keras's errors, naming the layer and the shapes -------------------------------------
def _raises(layer, xs, *fragments, kind=ValueError):
    with pytest.raises(kind) as info:
        layer(xs)
    text = str(info.value)
    for fragment in (layer.name, *fragments):
        assert fragment in text, (fragment, text)


def test_mismatched_shapes_are_refused_with_kerass_message():
    _raises(layers.Add(), [np.ones((2, 3)), np.ones((2, 4))],
            "Inputs have incompatible shapes. Received shapes (3,) and (4,)")
    _raises(layers.Multiply(), [np.ones((2, 3, 4)), np.ones((2, 3))], "incompatible shapes", "(3, 4)", "(3,)")
    _raises(layers.Maximum(), [np.ones((3, 3)), np.ones((2, 3))],
            "Cannot merge tensors with different batch sizes", "(3, 3)", "(2, 3)")


def test_a_merge_layer_needs_a_list():
    _raises(layers.Add(), np.ones((2, 3)), "should be called on a list of inputs", "(2, 3)")
    with pytest.raises(ValueError, match="list of at least 1 input"):
        layers.Average().build_from_shape([])
    with pytest.raises(ValueError, match="not a list of shapes"):
        layers.Concatenate().compute_output_shape((None, 3))


def test_subtract_takes_exactly_two_inputs():
    _raises(layers.Subtract(), [np.ones((2, 3))] * 3, "A `Subtract` layer should be called on exactly 2 inputs",
            "[(None, 3), (None, 3), (None, 3)]")
    _raises(layers.Subtract(), [np.ones((2, 3))], "exactly 2 inputs")


def test_concatenate_needs_matching_shapes_but_on_its_axis():
    _raises(layers.Concatenate(), [np.ones((2, 3, 4)), np.ones((2, 5, 6))],
            "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis",
            "(None, 3, 4)", "(None, 5, 6)")
    _raises(layers.Concatenate(), [np.ones((2, 3, 4)), np.ones((2, 3))], "matching shapes")
    _raises(layers.Concatenate(axis=3), [np.ones((2, 3)), np.ones((2, 3))], "out of range")
    with pytest.raises(ValueError, match="axis must be an integer"):
        layers.Concatenate(axis="1")


def test_dot_checks_its_axes_and_inputs_as_keras():
    _raises(layers.Dot(axes=1), [np.ones((2, 3)), np.ones((2, 4))],
            "Incompatible input shapes: axis values 3 (at axis 1) != 4 (at axis 1)", "(None, 3), (None, 4)")
    _raises(layers.Dot(axes=1), [np.ones((2, 3))] * 3, "A `Dot` layer should be called on a list of 2 inputs")
    _raises(layers.Dot(axes=0), [np.ones((2, 3))] * 2, "Cannot perform batch_dot over axis 0")
    _raises(layers.Dot(axes=1), [np.ones((2,)), np.ones((2,))], "rank < 2")
    with pytest.raises(TypeError, match="Invalid type for argument `axes`"):
        layers.Dot(axes="a")
    with pytest.raises(ValueError, match="it should contain two elements"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="list elements should be integers"):
        layers.Dot(axes=(1.0, 2))
    with pytest.raises(TypeError):
        layers.Dot()                                # axes has no default in Keras 3


def test_a_later_call_with_other_shapes_is_checked_again():
    layer = layers.Add()
    layer([np.ones((2, 3)), np.ones((2, 3))])
    _raises(layer, [np.ones((2, 3)), np.ones((2, 5))], "incompatible shapes")


def test_symbolic_inputs_with_mismatched_shapes_fail_when_the_model_is_written():
    a, b = glassnet.Input(shape=(3,)), glassnet.Input(shape=(4,))
    with pytest.raises(ValueError, match=r"add.*incompatible shapes.*\(3,\) and \(4,\)"):
        layers.Add()([a, b])
    with pytest.raises(ValueError, match=r"Subtract.*exactly 2 inputs.*\(None, 3\), \(None, 3\), \(None, 3\)"):
        layers.Subtract()([a, a, a])


# -- configs as Keras writes them -------------------------------------------------------------------
def test_configs_are_kerass_and_round_trip():
    assert set(layers.Add().get_config()) == {"name", "trainable", "dtype"}
    assert layers.Concatenate(axis=1).get_config()["axis"] == 1
    cfg = layers.Dot(axes=(1, 2), normalize=True).get_config()
    assert cfg["axes"] == (1, 2) and cfg["normalize"] is True
    again = layers.Dot.from_config(json.loads(json.dumps(cfg)))
    assert again.axes == [1, 2] and again.normalize is True and again.name == cfg["name"]
    assert layers.get_class("Concatenate") is layers.Concatenate and layers.Concatenate.takes_list


# -- real Keras and TensorFlow: outputs and input gradients ----------------------------------------
def _fixture_cases():
    with np.load(FIXTURE) as data:
        return json.loads(str(data["cases"]))


@pytest.mark.parametrize("case", _fixture_cases(), ids=lambda c: c["name"])
def test_outputs_and_gradients_match_keras_and_tensorflow(case):
    with np.load(FIXTURE) as data:
        name = case["name"]
        xs = [data[f"{name}/x{i}"] for i in range(case["n"])]
        g, y = data[f"{name}/g"], data[f"{name}/y"]
        expected = [data[f"{name}/dx{i}"] for i in range(case["n"])]
    layer = getattr(layers, case["class"])(dtype="float64", **case["kwargs"])
    out = _call(layer, xs)
    np.testing.assert_allclose(out, y, rtol=1e-6, atol=1e-12)
    for got, want in zip(layer.backward(g.copy()), expected):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-12)
    config = {k: v for k, v in layer.get_config().items() if k != "name"}
    assert json.loads(json.dumps(config)) == case["config"]


def test_the_fixture_pins_ties_and_the_clamped_norm():
    cases = {c["name"] for c in _fixture_cases()}
    assert {"maximum_3_ties", "minimum_3_ties", "dot_normalize_zero_sample", "dot_axes12_3d"} <= cases
    with np.load(FIXTURE) as data:
        x = np.stack([data[f"maximum_3_ties/x{i}"] for i in range(3)])
    assert (np.sum(x == x.max(axis=0), axis=0) > 1).any()     # there are ties to settle


# -- in a functional model ------------------------------------------------------------------------
def test_a_two_input_model_with_dot_normalize_trains_through_fit():
    glassnet.utils.set_random_seed(5)
    a, b = glassnet.Input(shape=(3,)), glassnet.Input(shape=(3,))
    cosine = layers.Dot(axes=1, normalize=True)([layers.Dense(4)(a), layers.Dense(4)(b)])
    out = layers.Dense(1)(layers.concatenate([cosine, layers.subtract([a, b])]))
    model = glassnet.Model(inputs=[a, b], outputs=out)
    model.compile(optimizer=glassnet.optimizers.Adam(0.05), loss="mse")
    x1, x2 = _normal((64, 3), (64, 3))
    y = (x1 * x2).sum(1, keepdims=True)
    seen = model.fit([x1, x2], y, epochs=15, verbose=0).history["loss"]
    assert seen[-1] < seen[0]
    assert model.predict([x1, x2], verbose=0).shape == (64, 1)


@pytest.fixture
def float64_everywhere():
    before = glassnet.config.floatx()
    glassnet.config.set_floatx("float64")            # the step casts x to floatx
    yield
    glassnet.config.set_floatx(before)


def test_merge_layers_shared_in_a_graph_get_central_difference_gradients(float64_everywhere):
    from glassnet.engine.step import train_step

    a, b = glassnet.Input(shape=(3,), dtype="float64"), glassnet.Input(shape=(3,), dtype="float64")
    dense = layers.Dense(3, activation="tanh", dtype="float64")
    mul, dot, big = layers.Multiply(dtype="float64"), layers.Dot(axes=1, normalize=True, dtype="float64"), \
        layers.Maximum(dtype="float64")
    h1, h2 = mul([dense(a), b]), mul([dense(b), a])             # each merge layer called twice
    merged = layers.Concatenate(dtype="float64")([dot([h1, h2]), dot([h2, a]), big([h1, h2]), big([a, b])])
    model = glassnet.Model(inputs=[a, b], outputs=layers.Dense(1, dtype="float64")(merged))
    model.compile(optimizer="sgd", loss="mse")
    x1, x2, y = _normal((6, 3), (6, 3), (6, 1))
    train_step(model, [x1, x2], y, None, training=False, update=False)
    analytic = {v.path: v.grad.copy() for v in model.trainable_weights}     # before the steps below overwrite them
    for v in model.trainable_weights:
        numeric = central_difference_in_place(
            lambda: float(train_step(model, [x1, x2], y, None, training=False, update=False)[0]), v.value)
        np.testing.assert_allclose(analytic[v.path], numeric, rtol=1e-5, atol=1e-8, err_msg=v.path)


# -- ONNX: each layer's to_onnx(g, [names]) computes what forward does ------------------------------
def _onnx_outputs(layer, xs, opset, expected_shape):
    """Run ``layer.to_onnx`` in ONNX Runtime, as a graph with one input per array."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import helper, numpy_helper

    from glassnet.saving.onnx import Graph

    g = Graph(dtype="float32", opset=opset)
    names = [f"x{i}" for i in range(len(xs))]
    with g.scope(layer.name):
        out = layer.to_onnx(g, names)
    elem = helper.np_dtype_to_tensor_dtype(np.dtype("float32"))
    graph = helper.make_graph(
        [helper.make_node(n.op_type, n.inputs, [n.output], name=n.name, **n.attrs) for n in g.nodes], "merge",
        [helper.make_tensor_value_info(n, elem, ["batch", *x.shape[1:]]) for n, x in zip(names, xs)],
        [helper.make_tensor_value_info(out, elem, ["batch", *expected_shape[1:]])],
        [numpy_helper.from_array(a, name) for name, a in g.initializers.items()])
    opsets = [helper.make_opsetid("", opset)]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets))
    onnx.checker.check_model(model)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {n: x for n, x in zip(names, xs)})[0]


ONNX_CASES = ["add_3_broadcast", "subtract_broadcast", "multiply_3_broadcast", "average_3_broadcast",
              "maximum_3_broadcast", "minimum_3", "concatenate_3_axis1", "dot_2d", "dot_axes12_3d",
              "dot_mixed_ranks", "dot_4d", "dot_normalize_2d", "dot_normalize_axes12_3d"]


@pytest.mark.parametrize("opset", [13, 18])
@pytest.mark.parametrize("case", ONNX_CASES)
def test_to_onnx_computes_what_forward_does(case, opset):
    make, shapes = GRADCHECK_CASES[case]
    xs = [x.astype("float32") for x in _normal(*shapes)]
    layer = make()
    expected = _call(layer, xs)
    got = _onnx_outputs(layer, xs, opset, expected.shape)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_each_merge_layer_owns_its_onnx_recipe_as_the_exporter_requires():
    from glassnet.saving.onnx import _recipe

    for name in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"):
        layer = getattr(layers, name)()
        assert _recipe(layer, 0) == layer.to_onnx, name
    layer = layers.Dot(axes=1)
    assert _recipe(layer, 0) == layer.to_onnx
