"""glassnet.registry: every family (layers, activations, losses, metrics, optimizers,
schedules, initializers, regularizers) resolves names, aliases and configs the same way, with
the same errors, and honours custom_objects and register_keras_serializable the same way."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import glassnet
from glassnet import activations, initializers, layers, losses, metrics, optimizers, regularizers, registry
from glassnet.optimizers import schedules


# -- a class (or function) of the user's own, per family -------------------------------------
class MyInit(initializers.Initializer):
    def __init__(self, value=1.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value)

    def get_config(self):
        return {"value": self.value}


class MyLoss(losses.MeanSquaredError):
    pass


class MyOptimizer(optimizers.SGD):
    pass


class MyRegularizer(regularizers.L2):
    pass


class MyMetric(metrics.MeanSquaredError):
    pass


class MySchedule(schedules.ExponentialDecay):
    pass


class MyLayer(layers.Dense):
    pass


def my_act(x):
    return 2 * x


my_act.backward = lambda x, a, grad: 2 * grad


def _own_function():
    def doubled(x):
        return 2 * x
    doubled.backward = lambda x, a, grad: 2 * grad
    return doubled


# -- the families, through their public functions ---------------------------------------------
# name: what a name resolves to (an instance, a class or a function); example: an object to
# round-trip; custom: the user's own and the config arguments it takes; variants: spellings of
# one name in any case; aliases; typo and the suggestion expected.
FAMILIES = {
    "initializer": dict(
        name=initializers.get, serialize=initializers.serialize, deserialize=initializers.deserialize,
        example=lambda: initializers.Constant(2.5), custom=(MyInit, {"value": 3.0}),
        variants=(["Glorot_Uniform", "GlorotUniform", "glorot_uniform", "GLOROT_UNIFORM"], initializers.GlorotUniform),
        aliases={"zero": initializers.Zeros, "Uniform": initializers.RandomUniform},
        typo=("glorot_unifrom", "glorot_uniform")),
    "loss": dict(
        name=losses.get, serialize=losses.serialize, deserialize=losses.deserialize,
        example=lambda: losses.Huber(delta=2.0), custom=(MyLoss, {}),
        variants=(["MSE", "MeanSquaredError", "mean_squared_error", "Mean_Squared_Error"], losses.MeanSquaredError),
        aliases={"bce": losses.BinaryCrossentropy, "Huber_Loss": losses.Huber},
        typo=("binary_crossentropi", "binary_crossentropy")),
    "optimizer": dict(
        name=optimizers.get, serialize=optimizers.serialize, deserialize=optimizers.deserialize,
        example=lambda: optimizers.SGD(0.1, momentum=0.9), custom=(MyOptimizer, {"learning_rate": 0.5}),
        variants=(["ADAM", "Adam", "adam"], optimizers.Adam),
        aliases={"rmsprop": optimizers.RMSprop, "AdamW": optimizers.AdamW},
        typo=("adma", "adam")),
    "regularizer": dict(
        name=regularizers.get, serialize=regularizers.serialize, deserialize=regularizers.deserialize,
        example=lambda: regularizers.L1L2(l1=0.1, l2=0.2), custom=(MyRegularizer, {"l2": 0.3}),
        variants=(["L2", "l2"], regularizers.L2),
        aliases={"l1_l2": regularizers.L1L2, "L1L2": regularizers.L1L2},
        typo=("l1_l3", "l1_l2")),
    "activation": dict(
        name=activations.get, serialize=activations.serialize, deserialize=activations.deserialize,
        example=lambda: activations.tanh, custom=(my_act, None),
        variants=(["ReLU", "RELU", "relu"], activations.relu),
        aliases={"swish": activations.silu, "Hard_Sigmoid": activations.hard_sigmoid},
        typo=("rleu", "relu")),
    "metric": dict(
        name=metrics.get, serialize=metrics.serialize, deserialize=metrics.deserialize,
        example=lambda: metrics.BinaryAccuracy(threshold=0.3), custom=(MyMetric, {"name": "mine"}),
        variants=(["MSE", "mse", "MeanSquaredError", "Mean_Squared_Error"], metrics.MeanSquaredError),
        aliases={"mape": metrics.MeanAbsolutePercentageError, "Binary_Accuracy": metrics.BinaryAccuracy},
        typo=("precisoin", "precision")),
    "learning-rate schedule": dict(
        name=registry.FAMILIES["learning-rate schedule"].resolve,
        serialize=schedules.serialize, deserialize=schedules.deserialize,
        example=lambda: schedules.CosineDecay(0.1, 100, alpha=0.1),
        custom=(MySchedule, {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}),
        variants=(["ExponentialDecay", "exponential_decay", "EXPONENTIAL_DECAY"], schedules.ExponentialDecay),
        aliases={"Cosine_Decay_Restarts": schedules.CosineDecayRestarts},
        typo=("exponential_decy", "exponential_decay")),
    "layer": dict(
        name=layers.get_class, serialize=registry.FAMILIES["layer"].serialize,
        deserialize=registry.FAMILIES["layer"].deserialize,
        example=lambda: layers.Dense(3, activation="tanh", name="d"), custom=(MyLayer, {"units": 2}),
        variants=(["Dense", "dense", "DENSE"], layers.Dense),
        aliases={"batch_normalization": layers.BatchNormalization, "conv2d": layers.Conv2D},
        typo=("Dnese", "Dense")),
}


def _what(found):
    """The class (or function) a resolved object is."""
    return found if isinstance(found, type) or inspect.isfunction(found) else type(found)


def _config_of(obj):
    return obj if inspect.isfunction(obj) else obj.get_config()


@pytest.fixture
def registrations():
    saved = dict(registry._CUSTOM)
    yield
    registry._CUSTOM.clear()
    registry._CUSTOM.update(saved)


@pytest.mark.parametrize("kind", sorted(FAMILIES))
def test_every_family_resolves_names_and_configs_the_same_way(kind, registrations):
    f = FAMILIES[kind]
    assert registry.FAMILIES[kind].kind == kind

    # any case, class name or snake_case, and the aliases
    names, expected = f["variants"]
    for name in names:
        assert _what(f["name"](name)) is expected, name
    for name, target in f["aliases"].items():
        assert _what(f["name"](name)) is target, name

    # an unknown name: one error type, one message shape, a suggestion
    typo, suggestion = f["typo"]
    with pytest.raises(ValueError) as info:
        f["name"](typo)
    message = str(info.value)
    assert message.startswith(f"Unknown {kind} {typo!r}.") and f"Did you mean {suggestion!r}?" in message
    assert "Known: " in message and "register_keras_serializable" in message

    # a list where one object belongs: TypeError naming the family and the value
    for call in (f["name"], f["deserialize"]):
        with pytest.raises(TypeError, match=rf"{kind} identifier \['x'\]"):
            call(["x"])

    # Keras's layout, and back
    example = f["example"]()
    saved = f["serialize"](example)
    if kind == "activation":                    # Keras stores a built-in function by its name
        assert saved == "tanh"
        keras_entry = {"module": "keras.activations", "class_name": "function", "config": "tanh",
                       "registered_name": "tanh"}
        assert f["deserialize"](keras_entry) is example
    else:
        assert saved == {"module": registry.FAMILIES[kind].module, "class_name": type(example).__name__,
                         "config": example.get_config(), "registered_name": None}
    back = f["deserialize"](saved)
    assert _what(back) is _what(example) and _config_of(back) == _config_of(example)

    # the user's own: refused by default, built from custom_objects or once registered
    custom, arguments = f["custom"]
    name = custom.__name__
    entry = name if kind == "activation" else {"module": __name__, "class_name": name,
                                               "config": arguments, "registered_name": None}
    with pytest.raises(ValueError, match=f"Unknown {kind} '{name}'"):
        f["deserialize"](entry)
    built = f["deserialize"](entry, custom_objects={name: custom})
    assert _what(built) is custom
    with pytest.raises(ValueError, match="custom object"):     # a class of another kind is refused
        f["deserialize"](entry, custom_objects={name: int})

    mine = _own_function() if kind == "activation" else type(f"Registered{name}", (custom,), {})
    glassnet.saving.register_keras_serializable(package="TestRegistry")(mine)
    registered = f"TestRegistry>{mine.__name__}"
    assert _what(f["name"](registered)) is mine
    obj = mine if kind == "activation" else mine(**arguments)
    saved = f["serialize"](obj)
    if kind == "activation":
        assert saved == registered
    else:
        assert saved["class_name"] == mine.__name__ and saved["registered_name"] == registered
        assert saved["module"] == __name__ != registry.FAMILIES[kind].module
    assert _what(f["deserialize"](saved)) is mine             # no custom_objects needed now
    for other in set(FAMILIES) - {kind}:                        # a registered object stays in its own family
        with pytest.raises(ValueError, match=f"Unknown {other}"):
            FAMILIES[other]["name"](registered)


def test_every_initializer_and_regularizer_of_a_layer_config_is_read_through_its_family():
    from glassnet.saving import FileFormatError, UnsafeFileError, keras_config
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), layers.BatchNormalization(), layers.PReLU()])
    tree = keras_config.model_config(model)
    batchnorm, prelu = tree["config"]["layers"][-2]["config"], tree["config"]["layers"][-1]["config"]
    prelu["alpha_initializer"], batchnorm["beta_regularizer"] = "Glorot_Uniform", "L2"
    loaded, _ = keras_config.build_model(tree, "m.keras")
    assert isinstance(loaded.layers[-1].alpha_initializer, initializers.GlorotUniform)
    assert isinstance(loaded.layers[-2].beta_regularizer, regularizers.L2)

    batchnorm["gamma_initializer"] = {"module": "keras.initializers", "class_name": "Ones", "config": {"evil": 1}}
    with pytest.raises(FileFormatError, match=r"gamma_initializer: Ones setting evil=1 is not supported"):
        keras_config.build_model(tree, "m.keras")
    batchnorm["gamma_initializer"] = {"module": __name__, "class_name": "MyInit", "config": {"value": 3.0}}
    with pytest.raises(UnsafeFileError, match=r"gamma_initializer: initializer 'MyInit' from module .* is refused"):
        keras_config.build_model(tree, "m.keras")
    loaded, _ = keras_config.build_model(tree, "m.keras", custom_objects={"MyInit": MyInit})
    assert isinstance(loaded.layers[-2].gamma_initializer, MyInit) and loaded.layers[-2].gamma_initializer.value == 3.0


def test_a_loss_of_ones_own_in_a_model_file_loads_with_custom_objects(tmp_path):
    """load_model hands custom_objects to the compile config too (loss, optimizer, metrics)."""
    pytest.importorskip("h5py")
    import json
    import zipfile

    class Halved(losses.MeanSquaredError):
        def call(self, y_true, y_pred):
            return super().call(y_true, y_pred) / 2

        def gradient(self, y_true, y_pred):
            return super().gradient(y_true, y_pred) / 2

    model = glassnet.Sequential([glassnet.Input(shape=(2,)), glassnet.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    plain, custom = tmp_path / "plain.keras", tmp_path / "custom.keras"
    model.save(plain)
    with zipfile.ZipFile(plain) as z:
        files = {name: z.read(name) for name in z.namelist()}
    cfg = json.loads(files["config.json"])
    cfg["compile_config"]["loss"] = {"module": "my_losses", "class_name": "Halved",
                                     "config": {"name": "halved", "reduction": "sum_over_batch_size"},
                                     "registered_name": "Halved"}
    files["config.json"] = json.dumps(cfg).encode()
    with zipfile.ZipFile(custom, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    with pytest.raises(Exception, match="Halved"):
        glassnet.models.load_model(custom)
    loaded = glassnet.models.load_model(custom, custom_objects={"Halved": Halved})
    assert type(loaded.loss) is Halved
