"""TensorFlow functions on a functional model's symbolic tensors, as Keras 3 has them: refused with
Keras's ValueError ("A KerasTensor cannot be used as input to a TensorFlow function ...", one
message for every function), while ``keras.ops``, ``keras.activations``, layers and a ``Lambda``
(which get data) work. The fixture, tests/fixtures/tf_ops_on_keras_tensors.json, is what TF 2.21 /
Keras 3.15 did with each of glassnet's TensorFlow functions on ``keras.Input((3,))``, and what Keras gives for a list of ``keras.ops`` calls on it (tools/make_tf_ops_on_keras_tensors.py,
run with /work/peers/bin/python)."""
import json
import pathlib
import warnings

import numpy as np
import pytest

import glassnet
from conftest import load_tool
from glassnet import keras

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "tf_ops_on_keras_tensors.json").read_text())
TOOL = load_tool("make_tf_ops_on_keras_tensors")
TF = FIXTURE["tf_functions"]
OPS = FIXTURE["keras_ops"]


def _function(qualified):
    ns, _, name = qualified.rpartition(".")
    return getattr(getattr(glassnet, ns) if ns else glassnet, name)


def test_the_message_is_keras_own():
    assert glassnet.tf.tensor.KERAS_TENSOR_IN_TF_FUNCTION == FIXTURE["message"]
    with pytest.raises(ValueError) as caught:
        glassnet.nn.l2_normalize(keras.Input((3,)))
    assert str(caught.value) == FIXTURE["message"]


def test_every_tensorflow_function_is_tried():
    """The fixture covers glassnet's TensorFlow functions (a new one: run the tool again)."""
    assert set(TOOL.glassnet_functions(glassnet)) <= set(TF)


@pytest.mark.parametrize("qualified", sorted(q for q, e in TF.items() if e["verdict"] == "refused"))
def test_refused_as_keras_refuses(qualified):
    x = keras.Input((3,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # no Keras 2 note either
        with pytest.raises(ValueError) as caught:
            TOOL.FORMS[TF[qualified]["form"]](_function(qualified), x)
    assert str(caught.value) == FIXTURE["message"]


@pytest.mark.parametrize("call", sorted(OPS))
def test_keras_ops_stay_symbolic(call):
    """keras.ops on a KerasTensor, as Keras 3 programs write them: a node of the graph here too, of
    Keras's shape and dtype, and no refusal."""
    out = eval(call, {"ops": keras.ops, "x": keras.Input((3,))})
    assert out.shape.as_list() == OPS[call]["shape"]
    assert np.dtype(out.dtype).name == OPS[call]["dtype"]


def test_what_keras_3_programs_write_instead_works():
    """A Lambda, a layer of one's own, keras.ops and keras.activations on symbolic tensors: a model
    whose numbers are the TensorFlow function's on data."""

    class Normalize(keras.layers.Layer):
        def call(self, x):
            return glassnet.linalg.l2_normalize(x, axis=1)

    x = keras.Input((3,))
    a = keras.layers.Lambda(lambda t: glassnet.linalg.l2_normalize(t, axis=1))(x)
    b = Normalize()(x)
    c = keras.ops.exp(keras.activations.relu(x))
    model = keras.Model(x, [a, b, c])
    data = np.array([[3.0, 4.0, 0.0], [1.0, -2.0, 2.0]], np.float32)
    got = model.predict(data, verbose=0)
    unit = data / np.linalg.norm(data, axis=1, keepdims=True)
    np.testing.assert_allclose(got[0], unit, rtol=1e-6)
    np.testing.assert_allclose(got[1], unit, rtol=1e-6)
    np.testing.assert_allclose(got[2], np.exp(np.maximum(data, 0)), rtol=1e-6)


def test_data_and_ragged_tensors_still_run_the_function():
    np.testing.assert_allclose(glassnet.concat([np.ones((1, 2)), np.zeros((1, 1))], axis=1).numpy(), [[1, 1, 0]])
    ragged = glassnet.ragged.constant([[1.0, 2.0], [3.0]])
    assert glassnet.reduce_sum(ragged, axis=1).numpy().tolist() == [3.0, 3.0]
