"""Keras 3 details TensorFlow's tutorials print, checked against TF 2.21 / Keras 3.15's own output
(the literals below; made with /work/peers/bin/python running the same code on Keras):

1. ``summary()`` shows the batch size a layer was built with by a real call (``model(x)``,
   ``predict``, ``train_on_batch``; ``fit``/``evaluate`` when every batch is full), None when
   built from a shape (``build((None, 4))``, an ``Input``, a functional graph, fit's short last
   batch) - the "custom layers" tutorial's ``block(tf.zeros([1, 2, 3, 3])); block.summary()``
   and the autoencoder tutorial's Denoise decoder (fit with batch 32) print them;
2. ``name=''`` stays '' (``super().__init__(name='')`` prints ``Model: ""``);
3. ``input_shape=``/``input_dim=`` on a layer: Keras's UserWarning, once per layer class.
"""
import json
import warnings

import numpy as np

import glassnet
from glassnet.keras import Input, Model, Sequential, layers


def table(model) -> str:
    """What ``model.summary()`` prints."""
    printed = []
    model.summary(print_fn=printed.append)
    return "\n".join(printed)


def stack(*first):
    return Sequential([*first, layers.Dense(3, name="d"), layers.Dropout(0.1, name="drop")], name="seq")


def compiled():
    model = stack()
    model.compile("sgd", "mse")
    return model


class Block(Model):
    """TensorFlow's "custom layers" tutorial's ResnetIdentityBlock, cut to one conv."""

    def __init__(self):
        super().__init__(name='')
        self.conv = layers.Conv2D(1, (1, 1), name="conv")
        self.bn = layers.BatchNormalization(name="bn")

    def call(self, x, training=False):
        return self.bn(self.conv(x), training=training)


class Denoise(Model):
    """The "Intro to autoencoders" tutorial's Denoise, on 8x8 images."""

    def __init__(self):
        super().__init__(name="denoise")
        self.encoder = Sequential([Input(shape=(8, 8, 1)),
                                   layers.Conv2D(4, (3, 3), activation='relu', padding='same', strides=2, name="e1"),
                                   layers.Conv2D(2, (3, 3), activation='relu', padding='same', strides=2, name="e2")],
                                  name="encoder")
        self.decoder = Sequential([
            layers.Conv2DTranspose(2, kernel_size=3, strides=2, activation='relu', padding='same', name="d1"),
            layers.Conv2DTranspose(4, kernel_size=3, strides=2, activation='relu', padding='same', name="d2"),
            layers.Conv2D(1, kernel_size=(3, 3), activation='sigmoid', padding='same', name="d3")], name="decoder")

    def call(self, x):
        return self.decoder(self.encoder(x))


# -- 1. the batch a layer was built with ---------------------------------------------------------------
def test_sequential_built_by_predict_shows_its_first_batch():
    model = stack()
    model.predict(np.ones((7, 4)), verbose=0)
    assert table(model) == PREDICT_7
    assert model.layers[0].output_shape == (None, 3)        # output_shape itself keeps None


def test_sequential_built_by_a_call_shows_that_batch():
    model = stack()
    model(np.ones((5, 4)))
    assert table(model) == CALL_5
    model.predict(np.ones((9, 4)), verbose=0)               # built once: later batches change nothing
    assert table(model) == CALL_5


def test_fit_shows_the_batch_size_when_every_batch_is_full_else_none():
    model = compiled()
    model.fit(np.ones((8, 4)), np.ones((8, 3)), batch_size=4, verbose=0)
    assert table(model) == FIT_8_BY_4
    model = compiled()
    model.fit(np.ones((10, 4)), np.ones((10, 3)), batch_size=4, verbose=0)      # 4, 4, 2: not one size
    assert table(model) == FIT_10_BY_4


def test_evaluate_and_train_on_batch_show_their_batch():
    model = compiled()
    model.evaluate(np.ones((10, 4)), np.ones((10, 3)), batch_size=5, verbose=0)
    assert table(model) == EVALUATE_10_BY_5
    model = compiled()
    model.train_on_batch(np.ones((6, 4)), np.ones((6, 3)))
    assert table(model) == TRAIN_ON_BATCH_6


def test_build_keeps_the_batch_it_is_given():
    model = stack()
    model.build((None, 4))
    assert table(model) == BUILD_NONE
    model = stack()
    model.build((7, 4))
    assert table(model) == BUILD_7


def test_a_stack_started_with_input_shows_none():
    model = stack(Input((4,)))
    model.predict(np.ones((7, 4)), verbose=0)
    assert table(model) == WITH_INPUT


def test_a_subclass_called_on_one_sample_shows_batch_one_and_keeps_an_empty_name():
    block = Block()
    block(np.zeros((1, 2, 3, 3), "float32"))
    assert block.name == ""
    assert table(block) == BLOCK_CALLED


def test_a_subclass_built_from_a_shape_records_no_batch_of_one():
    """glassnet builds a subclass by calling it on one row of zeros; Keras builds symbolically, so
    that row must not show as a batch of 1."""
    block = Block()
    block.build((None, 2, 3, 3))
    assert [layer.__dict__.get("_built_batch") for layer in block.layers] == [None, None]
    assert "(1, " not in table(block) and "(None, 2, 3, 1)" in table(block)


def test_the_autoencoders_inner_sequentials_show_fits_batch():
    model = Denoise()
    model.compile("adam", "mse")
    x = np.random.default_rng(0).random((64, 8, 8, 1)).astype("float32")
    model.fit(x, x, epochs=1, batch_size=32, verbose=0)
    assert table(model.encoder) == DENOISE_ENCODER          # its Input: None
    assert table(model.decoder) == DENOISE_DECODER          # built inside fit's build: 32
    assert table(model) == DENOISE


def test_a_functional_model_shows_none():
    x = Input((4,), name="x")
    model = Model(x, layers.Dense(3, name="d")(x), name="f")
    model.predict(np.ones((7, 4)), verbose=0)
    assert table(model) == FUNCTIONAL


# -- 2. name='' -----------------------------------------------------------------------------------------
def test_an_empty_name_stays_empty_and_none_is_automatic():
    assert table(Sequential([layers.Dense(3, name="d")], name="")) == EMPTY_SEQUENTIAL
    assert layers.Dense(3, name="").name == ""
    assert Model(name="").name == ""
    assert Sequential().name.startswith("sequential") and layers.Dense(3).name.startswith("dense")


# -- 3. input_shape= on a layer ----------------------------------------------------------------------------
WARNING = ("Do not pass an `input_shape`/`input_dim` argument to a layer. When using Sequential models, prefer "
           "using an `Input(shape)` object as the first layer in the model instead.")


def test_input_shape_or_input_dim_warns_once_per_layer_class_at_its_init():
    class Mine(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)                  # the line the warning names

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")                # Python's default: once per place
        Mine(input_shape=(4,))
        Mine(input_dim=4)
        Mine(input_shape=(3,))
        Mine()
    assert [str(w.message) for w in caught] == [WARNING]
    assert caught[0].category is UserWarning and caught[0].filename == __file__
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layers.Dense(3, input_dim=4)
        layers.Conv2D(1, 1, input_shape=(2, 2, 1))
        layers.Dense(3)
    assert [str(w.message) for w in caught] == [WARNING, WARNING]
    assert all(w.filename.endswith(".py") and "glassnet" in w.filename for w in caught)   # their classes' lines
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = Sequential([layers.Dense(3, input_shape=(4,))])
    assert model.built and model.input_shape == (None, 4)       # still honoured


def test_glassnets_own_loading_does_not_warn(tmp_path):
    """A Keras 2 config's batch_input_shape, and a file saved from a model made with input_shape,
    load without the warning (glassnet passes no input_shape to a layer itself)."""
    cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 3, "batch_input_shape": [None, 4],
                                           "input_dim": 4}}]}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        saved = Sequential([layers.Dense(3, input_shape=(4,), name="d")])
    saved.save(tmp_path / "m.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        from_json = glassnet.keras.models.model_from_json(json.dumps(cfg))
        loaded = glassnet.keras.models.load_model(tmp_path / "m.keras")
    assert from_json.layers[0].units == 3
    np.testing.assert_array_equal(loaded.predict(np.ones((2, 4)), verbose=0), saved.predict(np.ones((2, 4)), verbose=0))


PREDICT_7 = '''\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ (7, 3)                 │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ drop (Dropout)                  │ (7, 3)                 │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 15 (60.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)'''

CALL_5 = '''\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ (5, 3)                 │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ drop (Dropout)                  │ (5, 3)                 │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 15 (60.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)'''

FIT_8_BY_4 = '''\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ (4, 3)                 │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ drop (Dropout)                  │ (4, 3)                 │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 17 (72.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 2 (12.00 B)'''

FIT_10_BY_4 = '''\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ (None, 3)              │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ drop (Dropout)                  │ (None, 3)              │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 17 (72.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 2 (12.00 B)'''

EVALUATE_10_BY_5 = '''\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ (5, 3)                 │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ drop (Dropout)                  │ (5, 3)                 │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 15 (60.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)'''

TRAIN_ON_BATCH_6 = '''\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ (6, 3)                 │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ drop (Dropout)                  │ (6, 3)                 │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 17 (72.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 2 (12.00 B)'''

BUILD_NONE = '''\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ (None, 3)              │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ drop (Dropout)                  │ (None, 3)              │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 15 (60.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)'''

BUILD_7 = '''\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ (7, 3)                 │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ drop (Dropout)                  │ (7, 3)                 │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 15 (60.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)'''

WITH_INPUT = '''\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ (None, 3)              │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ drop (Dropout)                  │ (None, 3)              │             0 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 15 (60.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)'''

BLOCK_CALLED = '''\
Model: ""
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ conv (Conv2D)                   │ (1, 2, 3, 1)           │             4 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ bn (BatchNormalization)         │ (1, 2, 3, 1)           │             4 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 8 (32.00 B)
 Trainable params: 6 (24.00 B)
 Non-trainable params: 2 (8.00 B)'''

DENOISE_ENCODER = '''\
Model: "encoder"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ e1 (Conv2D)                     │ (None, 4, 4, 4)        │            40 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ e2 (Conv2D)                     │ (None, 2, 2, 2)        │            74 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 114 (456.00 B)
 Trainable params: 114 (456.00 B)
 Non-trainable params: 0 (0.00 B)'''

DENOISE_DECODER = '''\
Model: "decoder"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d1 (Conv2DTranspose)            │ (32, 4, 4, 2)          │            38 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ d2 (Conv2DTranspose)            │ (32, 8, 8, 4)          │            76 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ d3 (Conv2D)                     │ (32, 8, 8, 1)          │            37 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 151 (604.00 B)
 Trainable params: 151 (604.00 B)
 Non-trainable params: 0 (0.00 B)'''

DENOISE = '''\
Model: "denoise"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ encoder (Sequential)            │ (None, 2, 2, 2)        │           114 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ decoder (Sequential)            │ (32, 8, 8, 1)          │           151 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 797 (3.12 KB)
 Trainable params: 265 (1.04 KB)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 532 (2.08 KB)'''

FUNCTIONAL = '''\
Model: "f"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ x (InputLayer)                  │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ d (Dense)                       │ (None, 3)              │            15 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 15 (60.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)'''

EMPTY_SEQUENTIAL = '''\
Model: ""
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d (Dense)                       │ ?                      │   0 (unbuilt) │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)'''
