"""What programs print about Keras 3's objects, as TF 2.21 / Keras 3.15 print it: a functional model's
Input layer (``<InputLayer name=input_layer, built=True>``, beside the Input, a KerasTensor), the
dtype of an Input (``string``, not NumPy's ``<U0``) and of a layer's weight (Keras's name,
``'float32'``; ``tf.Variable``'s stays ``tf.float32``), a tensor's class name (``EagerTensor``), and
the paths of a recurrent layer's weights (``lstm/lstm_cell/kernel``: Keras 3 makes them in its cell).

Each ``PROGRAM`` below is run renamed (``import glassnet as tf``); its ``TF_OUTPUT`` is what the same
program printed under TensorFlow 2.21 / Keras 3.15, recorded with
``/work/peers/bin/python tools/run_program_under_tf.py tests/test_reprs_keras3.py <NAME>``.
"""
import copy
import pickle

import numpy as np

import glassnet as tf
from conftest import assert_guide_prints

INPUT_LAYER = '''import numpy as np
import tensorflow as tf
tf.keras.backend.clear_session()
inp = tf.keras.Input(shape=(3,))
out = tf.keras.layers.Dense(2)(tf.keras.layers.Dense(4, activation="relu")(inp))
model = tf.keras.Model(inp, out)
first = model.layers[0]
print(first)
print(repr(first), first.name, type(first).__name__, first.built)
print(first.output)
print(first.output is inp, model.input is inp, model.inputs[0] is inp, model.get_layer(first.name) is first)
print(first.get_config())
print(model.layers)
print(inp, [inp])
print(model.operations[0])
feature = tf.keras.Model(model.inputs, [layer.output for layer in model.layers])
print([o.shape for o in feature.outputs], feature.layers[0])
a = tf.keras.Input(shape=(2,), name="a")
b = tf.keras.Input(shape=(2,), name="b")
both = tf.keras.Model([a, b], tf.keras.layers.Concatenate()([a, b]))
print(both.layers[:2], [layer.name for layer in both.layers])
print(both.layers[0].output is a, both.layers[1].output is b, both.inputs)
seq = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(2)])
print(seq.layers, seq.inputs)
'''

DTYPES = '''import numpy as np
import tensorflow as tf
tf.keras.backend.clear_session()
for dtype in ["float32", "int32", "bool", "float16", "float64", "int64", "uint8", "string", tf.string, tf.int32,
              np.float32]:
    t = tf.keras.Input(shape=(1,), dtype=dtype)
    print(t.dtype, repr(t.dtype), t)
s = tf.keras.Input(shape=(), dtype="string")
print(s.dtype, [s.dtype], s.dtype == tf.string, s.dtype == "string", s.dtype == tf.float32)
f = tf.keras.Input(shape=(2,))
print(f.dtype, f.dtype == tf.float32, f.dtype == "float32", f.dtype == "int32", f"{f.dtype}", str(f.dtype))
y = tf.keras.layers.Dense(3)(f)
print(y.dtype, y)
n = tf.keras.layers.Dense(3, dtype="float64")(f)
print(n.dtype, tf.keras.Model(f, y).input.dtype)
'''

WEIGHTS = '''import numpy as np
import tensorflow as tf
tf.keras.backend.clear_session()
dense = tf.keras.layers.Dense(2)
dense.build((None, 3))
w = dense.kernel
print(w.dtype, [w.dtype], repr(w.dtype), f"{w.dtype}")
print(w.dtype == tf.float32, w.dtype == "float32", w.dtype != tf.float32, w.dtype == tf.float64, w.dtype == "int32")
print(tf.dtypes.as_dtype(w.dtype), tf.dtypes.as_dtype(w.dtype) == tf.float32, np.dtype(w.dtype), "float" in w.dtype)
print(tf.cast(tf.constant([1, 2]), w.dtype))
print(np.zeros(2, w.dtype).dtype, tf.zeros((2,), dtype=w.dtype).dtype)
v = tf.Variable([1.0, 2.0])
print(v.dtype, [v.dtype], v.dtype == tf.float32, v.dtype == "float32", v.dtype.name, v.dtype.as_numpy_dtype)
model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
print([w.dtype for w in model.weights], model.weights[1].dtype, model.layers[0].bias.dtype)
d64 = tf.keras.layers.Dense(1, dtype="float64")
d64.build((None, 2))
print(d64.kernel.dtype, d64.kernel.dtype == tf.float64)
print(model.weights[1])
'''

EAGER_TENSOR = '''import numpy as np
import tensorflow as tf
t = tf.constant(1.0)
print(type(t).__name__, isinstance(t, tf.Tensor))
print(type(tf.constant([1, 2]) + 1).__name__, type(tf.reduce_sum(tf.ones(3))).__name__,
      type(tf.Variable(1.0) * 2).__name__, type(tf.constant([[1.0]])[0]).__name__)
y = tf.keras.layers.Dense(2)(np.ones((1, 3), "float32"))
print(type(y).__name__, isinstance(y, tf.Tensor), type(tf.constant(["a"])).__name__)
'''

RECURRENT_PATHS = '''import numpy as np
import tensorflow as tf
tf.keras.backend.clear_session()
for kind in (tf.keras.layers.SimpleRNN, tf.keras.layers.GRU, tf.keras.layers.LSTM):
    model = tf.keras.Sequential([tf.keras.Input((5, 3)), kind(4)])
    print([w.path for w in model.weights], [w.name for w in model.weights])
inp = tf.keras.Input((5, 3))
x = tf.keras.layers.LSTM(4, return_sequences=True)(inp)
x = tf.keras.layers.Bidirectional(tf.keras.layers.GRU(2))(x)
functional = tf.keras.Model(inp, x)
print([w.path for w in functional.weights])
layer = tf.keras.layers.LSTM(3)
layer.build((None, 4, 2))
print([w.path for w in layer.weights], [w.name for w in layer.weights])
rnn = tf.keras.layers.RNN(tf.keras.layers.LSTMCell(2))
rnn.build((None, 3, 2))
print([w.path for w in rnn.weights])
both = tf.keras.layers.Bidirectional(tf.keras.layers.SimpleRNN(2, name="rnn"))
both.build((None, 3, 2))
print([w.path for w in both.weights])
'''

LOADED_AND_CUT = '''import os, tempfile
import tensorflow as tf
tf.keras.backend.clear_session()
inp = tf.keras.Input((3,), name="feat")
mid = tf.keras.layers.Dense(4, name="mid")(inp)
cut = tf.keras.Model(mid, tf.keras.layers.Dense(1)(mid))
print(cut.input, cut.layers[0])
inp = tf.keras.Input((3,), name="feat")
model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(inp))
path = os.path.join(tempfile.mkdtemp(), "m.keras")
model.save(path)
loaded = tf.keras.models.load_model(path)
print(loaded.input, loaded.layers[0], loaded.layers[0].output is loaded.input)
print(loaded.layers[0].get_config())
'''

TF_OUTPUT = {   # TF 2.21 / Keras 3.15's lines (tools/run_program_under_tf.py; the last is the final newline's)
    'INPUT_LAYER': [
        '<InputLayer name=input_layer, built=True>',
        '<InputLayer name=input_layer, built=True> input_layer InputLayer True',
        '<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=keras_tensor>',
        'True True True True',
        "{'batch_shape': (None, 3), 'dtype': 'float32', 'sparse': False, 'ragged': False, 'name': 'input_layer', 'optional': False}",
        '[<InputLayer name=input_layer, built=True>, <Dense name=dense_1, built=True>, <Dense name=dense, built=True>]',
        '<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=keras_tensor> [<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=keras_tensor>]',
        '<InputLayer name=input_layer, built=True>',
        '[(None, 3), (None, 4), (None, 2)] <InputLayer name=input_layer, built=True>',
        "[<InputLayer name=a, built=True>, <InputLayer name=b, built=True>] ['a', 'b', 'concatenate']",
        'True True [<KerasTensor shape=(None, 2), dtype=float32, sparse=False, ragged=False, name=a>, <KerasTensor shape=(None, 2), dtype=float32, sparse=False, ragged=False, name=b>]',
        '[<Dense name=dense_2, built=True>] [<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=keras_tensor_4>]',
        '',
    ],
    'DTYPES': [
        "float32 'float32' <KerasTensor shape=(None, 1), dtype=float32, sparse=False, ragged=False, name=keras_tensor>",
        "int32 'int32' <KerasTensor shape=(None, 1), dtype=int32, sparse=False, ragged=False, name=keras_tensor_1>",
        "bool 'bool' <KerasTensor shape=(None, 1), dtype=bool, sparse=False, ragged=False, name=keras_tensor_2>",
        "float16 'float16' <KerasTensor shape=(None, 1), dtype=float16, sparse=False, ragged=False, name=keras_tensor_3>",
        "float64 'float64' <KerasTensor shape=(None, 1), dtype=float64, sparse=False, ragged=False, name=keras_tensor_4>",
        "int64 'int64' <KerasTensor shape=(None, 1), dtype=int64, sparse=False, ragged=False, name=keras_tensor_5>",
        "uint8 'uint8' <KerasTensor shape=(None, 1), dtype=uint8, sparse=False, ragged=False, name=keras_tensor_6>",
        "string 'string' <KerasTensor shape=(None, 1), dtype=string, sparse=False, ragged=False, name=keras_tensor_7>",
        "string 'string' <KerasTensor shape=(None, 1), dtype=string, sparse=False, ragged=False, name=keras_tensor_8>",
        "int32 'int32' <KerasTensor shape=(None, 1), dtype=int32, sparse=False, ragged=False, name=keras_tensor_9>",
        "float32 'float32' <KerasTensor shape=(None, 1), dtype=float32, sparse=False, ragged=False, name=keras_tensor_10>",
        "string ['string'] True True False",
        'float32 True True False float32 float32',
        'float32 <KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=keras_tensor_13>',
        'float64 float32',
        '',
    ],
    'WEIGHTS': [
        "float32 ['float32'] 'float32' float32",
        'True True False False False',
        "<dtype: 'float32'> True float32 True",
        'tf.Tensor([1. 2.], shape=(2,), dtype=float32)',
        "float32 <dtype: 'float32'>",
        "<dtype: 'float32'> [tf.float32] True True float32 <class 'numpy.float32'>",
        "['float32', 'float32'] float32 float32",
        'float64 True',
        '<Variable path=sequential/dense_1/bias, shape=(2,), dtype=float32, value=[0. 0.]>',
        '',
    ],
    'EAGER_TENSOR': [
        'EagerTensor True',
        'EagerTensor EagerTensor EagerTensor EagerTensor',
        'EagerTensor True EagerTensor',
        '',
    ],
    'RECURRENT_PATHS': [
        "['sequential/simple_rnn/simple_rnn_cell/kernel', 'sequential/simple_rnn/simple_rnn_cell/recurrent_kernel', 'sequential/simple_rnn/simple_rnn_cell/bias'] ['kernel', 'recurrent_kernel', 'bias']",
        "['sequential_1/gru/gru_cell/kernel', 'sequential_1/gru/gru_cell/recurrent_kernel', 'sequential_1/gru/gru_cell/bias'] ['kernel', 'recurrent_kernel', 'bias']",
        "['sequential_2/lstm/lstm_cell/kernel', 'sequential_2/lstm/lstm_cell/recurrent_kernel', 'sequential_2/lstm/lstm_cell/bias'] ['kernel', 'recurrent_kernel', 'bias']",
        "['lstm_1/lstm_cell/kernel', 'lstm_1/lstm_cell/recurrent_kernel', 'lstm_1/lstm_cell/bias', 'bidirectional/forward_gru_1/gru_cell/kernel', 'bidirectional/forward_gru_1/gru_cell/recurrent_kernel', 'bidirectional/forward_gru_1/gru_cell/bias', 'bidirectional/backward_gru_1/gru_cell/kernel', 'bidirectional/backward_gru_1/gru_cell/recurrent_kernel', 'bidirectional/backward_gru_1/gru_cell/bias']",
        "['lstm_2/lstm_cell/kernel', 'lstm_2/lstm_cell/recurrent_kernel', 'lstm_2/lstm_cell/bias'] ['kernel', 'recurrent_kernel', 'bias']",
        "['rnn/lstm_cell/kernel', 'rnn/lstm_cell/recurrent_kernel', 'rnn/lstm_cell/bias']",
        "['bidirectional_1/forward_rnn/simple_rnn_cell/kernel', 'bidirectional_1/forward_rnn/simple_rnn_cell/recurrent_kernel', 'bidirectional_1/forward_rnn/simple_rnn_cell/bias', 'bidirectional_1/backward_rnn/simple_rnn_cell/kernel', 'bidirectional_1/backward_rnn/simple_rnn_cell/recurrent_kernel', 'bidirectional_1/backward_rnn/simple_rnn_cell/bias']",
        '',
    ],
    'LOADED_AND_CUT': [
        '<KerasTensor shape=(None, 4), dtype=float32, sparse=False, ragged=False, name=keras_tensorCLONE> <InputLayer name=keras_tensorCLONE, built=True>',
        '<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=feat> <InputLayer name=feat, built=True> True',
        "{'batch_shape': (None, 3), 'dtype': 'float32', 'sparse': False, 'ragged': False, 'name': 'feat', 'optional': False}",
        '',
    ],
}


def _check(name):
    assert_guide_prints(globals()[name], name, TF_OUTPUT[name])


def test_a_functional_models_input_layer_prints_as_keras_3s():
    _check("INPUT_LAYER")


def test_input_dtypes_print_as_keras_3s_names():
    _check("DTYPES")


def test_a_layers_weight_dtype_is_keras_3s_name_and_tf_variables_stays_a_dtype():
    _check("WEIGHTS")


def test_a_tensors_class_is_named_eager_tensor():
    _check("EAGER_TENSOR")


def test_recurrent_weights_live_in_their_cell_as_keras_3s():
    _check("RECURRENT_PATHS")


def test_a_loaded_or_cut_models_input_prints_as_a_keras_tensor_named_as_its_layer():
    _check("LOADED_AND_CUT")


# -- glassnet's own promises around them (no TensorFlow facts here) ---------------------------
def test_a_weights_keras_dtype_keeps_tensorflows_attributes_and_pickles():
    from glassnet.tf.dtypes import KerasDType, keras_dtype
    dense = tf.keras.layers.Dense(2)
    dense.build((None, 3))
    d = dense.kernel.dtype
    assert isinstance(d, KerasDType) and d.name == "float32" and d.as_numpy_dtype is np.float32
    assert d.kind == "f" and d.itemsize == 4 and d.is_floating and not d.is_integer
    assert tf.dtypes.as_dtype(d) is tf.float32 and keras_dtype(np.str_) == tf.string
    assert pickle.loads(pickle.dumps(d)) is d and copy.deepcopy(d) is d
    assert d + "!" == "float32!" and "x" + d == "xfloat32" and d.startswith("float") and {"float32": 1}[d] == 1
    assert np.zeros(2, d).dtype == np.float32 and dense.kernel.numpy().dtype == np.float32


def test_eager_tensor_is_tf_tensor_under_either_name_and_pickles():
    from glassnet.tf import tensor
    t = tf.constant([1.0, 2.0])
    assert type(t) is tf.Tensor is tensor.EagerTensor and repr(type(t)).endswith(".EagerTensor'>")
    back = pickle.loads(pickle.dumps(t))
    assert type(back) is tf.Tensor and back.numpy().tolist() == [1.0, 2.0]


def test_the_input_layer_and_the_input_stay_apart_through_copies_and_saving(tmp_path):
    inp = tf.keras.Input(shape=(3,), name="features")
    model = tf.keras.Model(inp, tf.keras.layers.Dense(2)(inp))
    layer = model.layers[0]
    assert layer is not inp and layer.output is inp and layer is model.layers[0]
    assert (layer.name, tuple(layer.shape), layer.get_config()) == (inp.name, tuple(inp.shape), inp.get_config())
    clone = copy.deepcopy(model)
    assert clone.layers[0].output is clone.input and repr(clone.layers[0]).startswith("<InputLayer name=features")
    model.save(tmp_path / "m.keras")
    again = tf.keras.models.load_model(tmp_path / "m.keras")
    assert repr(again.layers[0]) == "<InputLayer name=features, built=True>"
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_recurrent_paths_survive_keras_files(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((4, 2)), tf.keras.layers.LSTM(3, return_sequences=True),
                                 tf.keras.layers.Bidirectional(tf.keras.layers.GRU(2))])
    x = np.random.default_rng(0).normal(size=(2, 4, 2)).astype("float32")
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    again = tf.keras.models.load_model(tmp_path / "m.keras")
    assert [w.path.split("/", 1)[1] for w in again.weights] == [w.path.split("/", 1)[1] for w in model.weights]
    assert model.weights[0].path.endswith("lstm/lstm_cell/kernel")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    fresh = tf.keras.models.clone_model(model)
    fresh.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
