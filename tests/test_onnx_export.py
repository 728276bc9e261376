"""ONNX export: every layer and activation, checked by onnx's checker and run by ONNX Runtime,
which must give what ``model.predict`` gives; the graph's names; refusals before writing;
atomic writes; the ``glassnet export`` command."""
import csv
import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet
from glassnet import activations
from glassnet.cli import main
from glassnet.layers import Activation, Dense, Dropout, Flatten, Input, Layer, Normalization

onnx = pytest.importorskip("onnx")      # the test extra has both; this names what is missing
ort = pytest.importorskip("onnxruntime")

ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu",
               "swish", "softplus", "softsign", "hard_sigmoid", "exponential", "softmax", "log_softmax"]
BATCHES = (1, 3, 17)
# float32: 1e-6 relative, and 1e-6 absolute for outputs near 0, where both sides round
# (a sum of products, 1 + erf(x) for x << 0) at float32's resolution near 1 (6e-8).
TOLERANCE = {np.float32: dict(rtol=1e-6, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-14)}


def randomize(model, seed=0, scale=0.5):
    """Random weights, biases included (zero biases would hide a missing BiasAdd)."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape) * scale if w.dtype.kind == "f" else w
                       for w in model.get_weights()])
    return model


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def assert_same_as_predict(model, path, x, tolerance=None):
    """Checker passes; ONNX Runtime's output equals predict's at every batch size."""
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    s = session(path)
    dtype = x.dtype.type
    for n in BATCHES:
        ref = model.predict(x[:n], verbose=0)
        out = s.run(None, {"inputs": x[:n]})[0]
        assert out.dtype == ref.dtype == dtype and out.shape == ref.shape == (n,) + model.output_shape[1:]
        np.testing.assert_allclose(out, ref, **(tolerance or TOLERANCE[dtype]))


def exported(model, tmp_path, name="model.onnx", **kwargs):
    path = tmp_path / name
    model.export(path, **kwargs)
    return path


# -- every activation, in Dense and alone, float32 and float64 --------------------------------

@pytest.mark.parametrize("floatx", ["float32", "float64"])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_each_activation_in_dense_and_as_a_layer(tmp_path, name, floatx):
    glassnet.config.set_floatx(floatx)
    x = (np.random.default_rng(1).standard_normal((17, 8)) * 2).astype(floatx)
    dense = randomize(glassnet.Sequential([Input(shape=(8,)), Dense(6, activation=name)]))
    assert_same_as_predict(dense, exported(dense, tmp_path, "dense.onnx"), x)
    alone = glassnet.Sequential([Input(shape=(8,)), Activation(name)])
    assert_same_as_predict(alone, exported(alone, tmp_path, "alone.onnx"), x)


@pytest.mark.parametrize("floatx", ["float32", "float64"])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_each_activation_far_from_zero(tmp_path, name, floatx):
    """Saturation and overflow behave as in glassnet: sigmoid(-60) = 0, softplus(60) = 60,
    gelu(-40) = 0, exp(100) = inf in float32 (allclose counts equal infinities as equal)."""
    glassnet.config.set_floatx(floatx)
    x = np.linspace(-100, 100, 16 * 17).reshape(17, 16).astype(floatx)
    model = glassnet.Sequential([Input(shape=(16,)), Activation(name)])
    # near gelu's and selu's tails both sides compute 1 + erf(x) or exp(x) - 1 at x << 0: the
    # absolute error is float64's resolution near 1 times |x|
    tolerance = dict(rtol=1e-12, atol=1e-12) if floatx == "float64" else None
    with np.errstate(over="ignore"):
        assert_same_as_predict(model, exported(model, tmp_path), x, tolerance)


def test_float64_erf_series_matches_math_erf(tmp_path, float64):
    """ONNX Runtime has no float64 Erf: the exported series must be exact to ~1e-14."""
    import math
    model = glassnet.Sequential([Input(shape=(1,)), Activation("gelu")])
    path = exported(model, tmp_path)
    x = np.linspace(-9, 9, 3600).reshape(-1, 1)          # 0 is not among them
    out = session(path).run(None, {"inputs": x})[0][:, 0]
    erf = 2 * out / x[:, 0] - 1                         # gelu(x) = x (1 + erf(x / sqrt 2)) / 2
    want = np.array([math.erf(v / math.sqrt(2)) for v in x[:, 0]])
    np.testing.assert_allclose(erf, want, rtol=0, atol=5e-14)


# -- whole networks -------------------------------------------------------------------------

def seed_network():
    return glassnet.Sequential([Input(shape=(400,)), Dense(25, activation="sigmoid"),
                                Dense(15, activation="sigmoid"), Dense(1, activation="sigmoid")])


def digits_network(last):
    return glassnet.Sequential([Input(shape=(64,)), Dense(25, activation="relu"),
                                Dense(15, activation="relu"), Dense(10, activation=last)])


@pytest.mark.parametrize("floatx", ["float32", "float64"])
def test_seed_network(tmp_path, floatx):
    glassnet.config.set_floatx(floatx)
    model = randomize(seed_network(), scale=0.1)
    x = np.random.default_rng(2).random((17, 400)).astype(floatx)
    assert_same_as_predict(model, exported(model, tmp_path), x)


@pytest.mark.parametrize("last", ["softmax", "linear"])
def test_ten_digit_network_trained_on_the_digits(tmp_path, last):
    (x, y), _ = glassnet.datasets.digits.load_data(classes=10)
    x = x.astype(np.float32)
    model = digits_network(last)
    loss = glassnet.losses.SparseCategoricalCrossentropy(from_logits=last == "linear")
    model.compile(optimizer="adam", loss=loss)
    model.fit(x[:200], y[:200], epochs=2, verbose=0)
    assert_same_as_predict(model, exported(model, tmp_path), x[200:217])
    classes = session(tmp_path / "model.onnx").run(None, {"inputs": x[200:217]})[0].argmax(axis=1)
    np.testing.assert_array_equal(classes, model.predict(x[200:217], verbose=0).argmax(axis=1))


@pytest.mark.parametrize("floatx", ["float32", "float64"])
def test_normalization_first_network(tmp_path, floatx):
    glassnet.config.set_floatx(floatx)
    rng = np.random.default_rng(3)
    data = (rng.normal(size=(50, 5)) * [1, 10, 100, 0.01, 1000] + [0, 50, 1000, 3, -7]).astype(floatx)
    data[:, 4] = 2.5                                    # a constant column: variance 0, s = epsilon
    norm = Normalization()
    norm.adapt(data)
    model = randomize(glassnet.Sequential([Input(shape=(5,)), norm, Dense(4, activation="tanh"),
                                           Dense(1, activation="sigmoid")]))
    model.layers[0].set_weights([np.mean(data, 0), np.var(data, 0), np.array(0)])   # randomize touched them
    assert_same_as_predict(model, exported(model, tmp_path), data[:17])


def test_normalization_given_inverted_and_over_all_axes(tmp_path):
    x = np.random.default_rng(4).normal(size=(17, 3)).astype(np.float32)
    given = glassnet.Sequential([Input(shape=(3,)), Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.25, 9.0])])
    invert = glassnet.Sequential([Input(shape=(3,)), Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.25, 9.0],
                                                                   invert=True)])
    whole = Normalization(axis=None)
    whole.adapt(x * 7 + 2)
    overall = glassnet.Sequential([Input(shape=(3,)), whole])
    for i, model in enumerate([given, invert, overall]):
        assert_same_as_predict(model, exported(model, tmp_path, f"n{i}.onnx"), x)


def test_flatten_dropout_and_images(tmp_path):
    x = np.random.default_rng(5).random((17, 8, 8)).astype(np.float32)
    norm = Normalization(axis=-1)
    norm.adapt(x)
    model = randomize(glassnet.Sequential([Input(shape=(8, 8)), norm, Flatten(), Dropout(0.5),
                                           Dense(10, activation="softmax")]))
    norm.set_weights([x.mean(axis=(0, 1)), x.var(axis=(0, 1)), np.array(0)])
    assert_same_as_predict(model, exported(model, tmp_path), x)
    assert [n.op_type for n in onnx.load(str(tmp_path / "model.onnx")).graph.node][:4] == \
        ["Sub", "Div", "Flatten", "Identity"]


def test_dense_on_three_dimensional_inputs_and_without_bias(tmp_path):
    x = np.random.default_rng(6).random((17, 4, 3)).astype(np.float32)
    model = randomize(glassnet.Sequential([Input(shape=(4, 3)), Dense(5, activation="elu", use_bias=False)]))
    path = exported(model, tmp_path)
    assert_same_as_predict(model, path, x)
    assert "BiasAdd" not in {n.name.split("/")[1] for n in onnx.load(str(path)).graph.node}


# -- the graph's names and metadata -------------------------------------------------------------

def test_names_producer_and_dynamic_batch(tmp_path):
    model = randomize(seed_network())
    proto = onnx.load(str(exported(model, tmp_path)))
    names = [n.name for n in proto.graph.node]
    assert names == [f"{layer}/{op}" for layer in ("dense", "dense_1", "dense_2")
                     for op in ("MatMul", "BiasAdd", "Sigmoid")]
    assert [n.op_type for n in proto.graph.node][:3] == ["MatMul", "Add", "Sigmoid"]
    assert proto.graph.node[1].output == ["dense/BiasAdd"] and proto.graph.node[2].input == ["dense/BiasAdd"]
    assert proto.graph.node[-1].output == ["output_0"]
    assert sorted(i.name for i in proto.graph.initializer) == sorted(f"{layer.name}/{v.name}" for layer in model.layers
                                                                     for v in layer.weights)
    assert proto.producer_name == "glassnet" and proto.producer_version == glassnet.__glassnet_version__ == "0.1.0"
    assert proto.opset_import[0].version == glassnet.onnx_export.DEFAULT_OPSET
    (inp,), (out,) = proto.graph.input, proto.graph.output
    assert inp.name == "inputs" and out.name == "output_0"
    assert [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim] == ["batch", 400]
    assert [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim] == ["batch", 1]
    assert inp.type.tensor_type.elem_type == out.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    kernel = next(i for i in proto.graph.initializer if i.name == "dense/kernel")
    np.testing.assert_array_equal(onnx.numpy_helper.to_array(kernel), model.layers[0].kernel.value)


def test_float64_model_is_a_float64_graph(tmp_path, float64):
    proto = onnx.load(str(exported(seed_network(), tmp_path)))
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    assert {i.data_type for i in proto.graph.initializer} == {onnx.TensorProto.DOUBLE}


def test_multi_node_recipes_are_scoped_by_layer_and_activation(tmp_path):
    model = glassnet.Sequential([Input(shape=(3,)), Dense(2, activation="gelu"), Activation("gelu")])
    names = [n.name for n in onnx.load(str(exported(model, tmp_path))).graph.node]
    assert names[:3] == ["dense/MatMul", "dense/BiasAdd", "dense/gelu/erf/Div"]
    assert "dense/gelu/erf/Erf" in names and "activation/gelu/erf/Erf" in names
    assert len(names) == len(set(names))


@pytest.mark.parametrize("opset", [13, 17, 19])     # 19: ONNX Runtime 1.16, the oldest the test extra allows
def test_opset(tmp_path, opset):
    model = randomize(digits_network("softmax"))
    path = exported(model, tmp_path, opset=opset)
    assert onnx.load(str(path)).opset_import[0].version == opset
    assert_same_as_predict(model, path, np.random.default_rng(7).random((17, 64)).astype(np.float32))


# -- layers and activations of one's own: the to_onnx contract ----------------------------------------

class Double(Layer):
    def forward(self, x, training=False):
        return 2 * x

    def backward(self, grad, need_input_grad=True):
        return 2 * grad

    def to_onnx(self, g, x):
        return g.node("Mul", [x, g.constant(2.0, "two")])


def cube(x):
    return x ** 3


cube.backward = lambda x, a, grad: grad * 3 * x ** 2
cube.to_onnx = lambda g, x: g.node("Mul", [g.node("Mul", [x, x]), x])


def test_a_layer_with_to_onnx_is_exported_through_it(tmp_path):
    model = randomize(glassnet.Sequential([Input(shape=(4,)), Dense(3, activation=cube), Double(name="double")]))
    path = exported(model, tmp_path)
    assert_same_as_predict(model, path, np.random.default_rng(8).normal(size=(17, 4)).astype(np.float32))
    proto = onnx.load(str(path))
    names = [n.name for n in proto.graph.node]
    assert names == ["dense/MatMul", "dense/BiasAdd", "dense/cube/Mul", "dense/cube/Mul_1", "double/Mul"]
    assert "double/two" in {i.name for i in proto.graph.initializer}


# -- refusals: before anything is written ----------------------------------------------------------

class Plain(Layer):
    def forward(self, x, training=False):
        return x + 1

    def backward(self, grad, need_input_grad=True):
        return grad


class MyDense(Dense):                       # computes something else than Dense: never guessed
    def forward(self, x, training=False):
        return super().forward(x, training) * 2


def no_recipe(x):
    return x * 2


no_recipe.backward = lambda x, a, grad: 2 * grad


def unadapted_normalization():
    return glassnet.Sequential([Input(shape=(2,)), Normalization()])


REFUSED = {
    "layer": (lambda: glassnet.Sequential([Input(shape=(2,)), Dense(2), Plain(name="plus_one")]),
              {}, ValueError, ["layer 1", "'plus_one'", "Plain", "to_onnx"]),
    "subclass": (lambda: glassnet.Sequential([Input(shape=(2,)), MyDense(2, name="mine")]),
                 {}, ValueError, ["'mine'", "MyDense", "to_onnx"]),
    "activation": (lambda: glassnet.Sequential([Input(shape=(2,)), Dense(2, activation=no_recipe, name="odd")]),
                   {}, ValueError, ["'odd'", "'no_recipe'", "to_onnx"]),
    "format": (lambda: glassnet.Sequential([Input(shape=(2,)), Dense(2)]),
               {"format": "tf"}, ValueError, ["'tf'", "format='onnx'"]),
    "saved_model": (lambda: glassnet.Sequential([Input(shape=(2,)), Dense(2)]),
                    {"format": "tf_saved_model"}, ValueError, ["'tf_saved_model'", "'onnx'"]),
    "opset": (lambda: glassnet.Sequential([Input(shape=(2,)), Dense(2)]),
              {"opset": 9}, ValueError, ["opset", "13", "9"]),
    "opset_type": (lambda: glassnet.Sequential([Input(shape=(2,)), Dense(2)]),
                   {"opset": "17"}, ValueError, ["opset", "'17'"]),
    "not_built": (lambda: glassnet.Sequential([Dense(2)]), {}, ValueError, ["not built", "build"]),
    "unadapted": (unadapted_normalization, {}, ValueError, ["adapt", "normalization"]),
    "float16": (lambda: glassnet.Sequential([Input(shape=(2,)), Dense(2, dtype="float16")]),
                {}, ValueError, ["float16", "float32 and float64"]),
    "mixed": (lambda: glassnet.Sequential([Input(shape=(2,)), Dense(2, dtype="float64", name="wide"),
                                           Dense(2, name="narrow")]),
              {}, ValueError, ["layer 1", "'narrow'", "float32", "'wide'", "float64"]),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_before_writing(tmp_path, case):
    make, kwargs, error, words = REFUSED[case]
    model = make()
    for path in (tmp_path / "new.onnx", tmp_path / "old.onnx"):
        if path.name == "old.onnx":
            path.write_bytes(b"the previous export")
        with pytest.raises(error) as info:
            model.export(path, **kwargs)
        for word in words:
            assert word in str(info.value), (word, str(info.value))
    assert not (tmp_path / "new.onnx").exists()
    assert (tmp_path / "old.onnx").read_bytes() == b"the previous export"
    assert sorted(os.listdir(tmp_path)) == ["old.onnx"]            # no temporary file either


def test_file_name_and_folder_are_checked(tmp_path):
    model = glassnet.Sequential([Input(shape=(2,)), Dense(2)])
    with pytest.raises(ValueError, match=r"\.onnx"):
        model.export(tmp_path / "model.keras")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.export(tmp_path / "missing" / "model.onnx")
    assert os.listdir(tmp_path) == []


def test_without_onnx_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)          # import onnx raises ImportError
    with pytest.raises(ImportError, match=r"glassnet\[onnx\]"):
        glassnet.Sequential([Input(shape=(2,)), Dense(2)]).export(tmp_path / "m.onnx")
    assert os.listdir(tmp_path) == []


def test_onnx_is_imported_only_by_export():
    code = ("import sys, numpy as np, glassnet\n"
            "import glassnet.onnx_export\n"
            "m = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(1)])\n"
            "m.predict(np.ones((1, 2)), verbose=0)\n"
            "assert 'onnx' not in sys.modules and 'onnxruntime' not in sys.modules, 'imported'\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_a_failing_write_leaves_the_old_file(tmp_path, monkeypatch):
    from glassnet.saving import atomic
    path = tmp_path / "model.onnx"
    path.write_bytes(b"the previous export")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError, match="No space left"):
        randomize(seed_network()).export(path)
    assert path.read_bytes() == b"the previous export"
    assert os.listdir(tmp_path) == ["model.onnx"]
    monkeypatch.undo()
    model = randomize(seed_network())
    model.export(path)                                      # and a working write replaces it
    assert_same_as_predict(model, path, np.random.default_rng(9).random((17, 400)).astype(np.float32))


# -- each layer class owns its recipe -------------------------------------------------------------

def test_a_layer_of_ones_own_without_to_onnx_gets_a_clear_refusal():
    from glassnet.saving.onnx import Graph
    with pytest.raises(ValueError) as info:
        Plain(name="plus_one").to_onnx(Graph(), "inputs")
    assert str(info.value).startswith("glassnet cannot export Plain to ONNX: the class has no `to_onnx(self, g, x)`")
    model = glassnet.Sequential([Input(shape=(2,)), Dense(2), Plain(name="plus_one")])
    with pytest.raises(ValueError) as info:
        glassnet.onnx_export.build_graph(model)
    assert str(info.value).startswith("export: layer 1 ('plus_one'): glassnet cannot export Plain to ONNX")


def test_a_subclass_that_changes_forward_is_not_exported_as_its_parent(tmp_path):
    model = glassnet.Sequential([Input(shape=(2,)), MyDense(2, name="mine")])
    with pytest.raises(ValueError, match=r"export: layer 0 \('mine'\): glassnet cannot export MyDense to ONNX: "
                                         r"MyDense changes what Dense computes"):
        glassnet.onnx_export.build_graph(model)

    class Renamed(Dense):                   # the same computation: Dense's recipe is its own
        pass

    assert_same_as_predict(*_exported_alone(Renamed(3), (4,), tmp_path))


# the arguments the built-in layers that have required ones need, and the input each takes
_ARGS = {"Dense": (3,), "Activation": ("tanh",), "Dropout": (0.5,), "Conv1D": (2, 3), "Conv2D": (2, 3),
         "AveragePooling1D": (2,), "AveragePooling2D": (2,), "Rescaling": (0.5, 0.1), "Reshape": ((-1,),),
         "SimpleRNN": (3,), "LSTM": (3,), "GRU": (3,), "Resizing": (4, 5), "CenterCrop": (4, 3),
         "RandomFlip": (), "RandomRotation": (0.2,), "RandomZoom": (0.2,), "RandomTranslation": (0.1, 0.2),
         "RandomCrop": (6, 6), "RandomContrast": (0.3,), "RandomBrightness": (0.2,),
         "Conv1DTranspose": (2, 3), "Conv2DTranspose": (2, 3), "DepthwiseConv2D": (3,), "SeparableConv2D": (2, 3),
         "DepthwiseConv1D": (3,), "SeparableConv1D": (2, 3),
         "RepeatVector": (3,), "Permute": ((1,),), "TimeDistributed": (Dense(3, activation="tanh"),),
         "GaussianNoise": (0.2,), "GaussianDropout": (0.2,), "AlphaDropout": (0.2,), "SpatialDropout1D": (0.2,),
         "SpatialDropout2D": (0.2,), "ActivityRegularization": (0.01, 0.01), "Conv3D": (2, 3),
         "AveragePooling3D": (2,), "Conv3DTranspose": (2, 3)}
_SEQUENCES = {"SimpleRNN", "LSTM", "GRU", "TimeDistributed"}       # recurrent layers (and TimeDistributed): (timesteps, features)
_IMAGES = {"Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomCrop",
           "RandomContrast", "RandomBrightness"}                      # image layers: (height, width, channels)


def _input_shape(name):
    if "3D" in name:
        return (4, 5, 4, 2)
    return (6, 6, 2) if "2D" in name or name in _IMAGES else (6, 2) if "1D" in name or name in _SEQUENCES else (4,)


def _exported_alone(layer, shape, tmp):
    """A model of ``Input(shape)`` and ``layer``, randomized, exported; returns (model, path, x)."""
    x = np.random.default_rng(3).normal(size=(17,) + tuple(shape)).astype(np.float32)
    if hasattr(layer, "adapt"):
        layer.adapt(x)
    model = randomize(glassnet.Sequential([Input(shape=shape), layer]))
    model.set_weights([np.abs(w) if "variance" in v.name else w            # variances stay >= 0
                       for v, w in zip(model.weights, model.get_weights())])
    path = tmp / f"{layer.name}.onnx"
    model.export(path)
    return model, path, x


def test_every_built_in_layer_class_exports_or_refuses_clearly(tmp_path):
    from glassnet.saving.onnx import _recipe
    for name, cls in sorted(glassnet.layers.registered_classes().items()):
        owner = next(c for c in cls.__mro__ if "to_onnx" in vars(c))
        if owner is Layer:                  # no recipe: the base class's refusal, naming the class
            with pytest.raises(ValueError, match=f"glassnet cannot export {name} to ONNX"):
                Layer.to_onnx(cls.__new__(cls), None, "inputs")
            continue
        if name == "InputLayer" or cls.takes_list or not cls.differentiable_input:
            continue        # Input starts a model; a merge layer takes several inputs (tests/test_merging.py);
                            # an Embedding takes ids (tests/test_embedding.py)
        layer = cls(*_ARGS.get(name, ()))
        assert _recipe(layer, 0) == layer.to_onnx, name
        model, path, x = _exported_alone(layer, _input_shape(name), tmp_path)
        assert_same_as_predict(model, path, x)


def test_nothing_in_layers_imports_saving():
    """Layers are the core: I/O imports them, never the other way round (their to_onnx uses
    the graph it is given, and the activations' recipes in glassnet.layers.activation_onnx)."""
    import ast
    import pathlib
    folder = pathlib.Path(glassnet.layers.__file__).parent
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")] + [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            assert not any("saving" in n for n in names), (path.name, node.lineno, names)


# -- glassnet export ------------------------------------------------------------------------------

def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exports_a_train_run(tmp_path, capsys):
    rng = np.random.default_rng(10)
    x = rng.normal(size=(60, 3)) * [1, 10, 100]
    table = tmp_path / "t.csv"
    with open(table, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b", "c", "kind"])
        w.writerows([[f"{v:.4f}" for v in r] + [k] for r, k in zip(x, np.digitize(x[:, 0], [-0.5, 0.5]))])
    run_dir = tmp_path / "run"
    code, out, err = run(capsys, "train", table, "--target", "kind", "--epochs", "3", "--verbose", "0",
                         "--no-plots", "--out", run_dir)
    assert code == 0, err
    code, out, err = run(capsys, "export", run_dir)
    assert code == 0, err
    assert f"saved {run_dir / 'model.onnx'}" in out and "preprocessing.json" in out
    assert "'inputs': [batch, 3] float32" in out
    model = glassnet.models.load_model(run_dir / "model.keras")
    features = rng.normal(size=(17, 3)).astype(np.float32)
    assert_same_as_predict(model, run_dir / "model.onnx", features)
    # a .keras file, with --out and --format
    code, out, err = run(capsys, "export", run_dir / "model.keras", "--format", "onnx", "--out", tmp_path / "m.onnx")
    assert code == 0, err
    assert (tmp_path / "m.onnx").read_bytes() == (run_dir / "model.onnx").read_bytes()


def test_cli_exports_a_saved_model_and_reports_mistakes(tmp_path, capsys):
    pytest.importorskip("h5py")
    model = randomize(digits_network("softmax"))
    model.save(tmp_path / "digits.keras")
    code, out, err = run(capsys, "export", tmp_path / "digits.keras")
    assert code == 0, err
    assert "preprocessing" not in out
    assert_same_as_predict(model, tmp_path / "digits.onnx", np.random.default_rng(11).random((17, 64)).astype(np.float32))
    for argv, words in [(["export", tmp_path / "nothing"], "no such file"),
                        (["export", tmp_path / "digits.keras", "--format", "tf"], "invalid choice: 'tf'"),
                        (["export", tmp_path / "digits.keras", "--out", tmp_path / "x.txt"], ".onnx"),
                        (["export", tmp_path / "digits.keras", "--out", tmp_path / "no" / "x.onnx"], "does not exist")]:
        code, out, err = run(capsys, *argv)
        assert code == 2 and err.startswith("glassnet: error:") and err.count("\n") == 1, err
        assert words in err, err
    assert not (tmp_path / "x.txt").exists()


def test_a_functional_graph_exports_with_an_input_per_input_and_an_output_each(tmp_path):
    """Two inputs, a layer shared by two calls, merges, two outputs: ONNX Runtime gives predict's numbers."""
    ort = pytest.importorskip("onnxruntime")
    keras = glassnet.keras
    glassnet.utils.set_random_seed(5)
    a, b = keras.Input(shape=(3,), name="left"), keras.Input(shape=(2,), name="right")
    shared = keras.layers.Dense(4, activation="tanh", name="shared")
    cat = keras.layers.Concatenate(name="cat")([shared(a), keras.layers.Dense(4, name="hb")(b)])
    cosine = keras.layers.Dot(axes=1, normalize=True, name="cos")([shared(keras.layers.Dense(3, name="back")(cat)),
                                                                   shared(a)])
    model = keras.Model([a, b], [keras.layers.Dense(2, activation="softmax", name="p")(cat), cosine])
    path = tmp_path / "graph.onnx"
    model.export(path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["left", "right"]
    assert [o.name for o in session.get_outputs()] == ["output_0", "output_1"]
    rng = np.random.default_rng(6)
    x = [rng.random((5, 3)).astype(np.float32), rng.random((5, 2)).astype(np.float32)]
    for got, want in zip(session.run(None, {"left": x[0], "right": x[1]}), model.predict(x, verbose=0)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
