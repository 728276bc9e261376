"""Keras's guide "Transfer learning & fine-tuning" (keras.io / tensorflow.org, Keras 3): its
mechanics run renamed (``from glassnet import keras``), with a small convolutional base made
here in place of Xception/ImageNet and random images in place of cats and dogs.

Counts, summaries (``show_trainable=True``) and the BatchNormalization statistics were
recorded from the same program under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python);
names count from a cleared session (each Sequential built takes a "functional" name, as in Keras).
"""
import numpy as np

from glassnet import keras
from glassnet.keras import layers

FROZEN = """\
Model: "functional_3"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ input_layer_4 (InputLayer)  │ (None, 32, 32, 3)     │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ base (Functional)           │ (None, 14, 14, 8)     │        840 │   N   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ global_average_pooling2d    │ (None, 8)             │          0 │   -   │
│ (GlobalAveragePooling2D)    │                       │            │       │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ dropout (Dropout)           │ (None, 8)             │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ dense_7 (Dense)             │ (None, 1)             │          9 │   Y   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 849 (3.32 KB)
 Trainable params: 9 (36.00 B)
 Non-trainable params: 840 (3.28 KB)"""

UNFROZEN = """\
Model: "functional_3"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ input_layer_4 (InputLayer)  │ (None, 32, 32, 3)     │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ base (Functional)           │ (None, 14, 14, 8)     │        840 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ global_average_pooling2d    │ (None, 8)             │          0 │   -   │
│ (GlobalAveragePooling2D)    │                       │            │       │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ dropout (Dropout)           │ (None, 8)             │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ dense_7 (Dense)             │ (None, 1)             │          9 │   Y   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 869 (3.40 KB)
 Trainable params: 833 (3.25 KB)
 Non-trainable params: 16 (64.00 B)
 Optimizer params: 20 (84.00 B)"""


def test_transfer_learning_and_fine_tuning(capsys):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    assert (len(layer.weights), len(layer.trainable_weights), len(layer.non_trainable_weights)) == (2, 2, 0)
    layer = keras.layers.BatchNormalization()
    layer.build((None, 4))
    assert (len(layer.weights), len(layer.trainable_weights), len(layer.non_trainable_weights)) == (4, 2, 2)
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    layer.trainable = False
    assert (len(layer.weights), len(layer.trainable_weights), len(layer.non_trainable_weights)) == (2, 0, 2)

    layer1 = keras.layers.Dense(3, activation="relu")
    layer2 = keras.layers.Dense(3, activation="sigmoid")
    model = keras.Sequential([keras.Input(shape=(3,)), layer1, layer2])
    layer1.trainable = False
    initial_layer1_weights_values = layer1.get_weights()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.random.random((2, 3)), np.random.random((2, 3)), verbose=0)
    final_layer1_weights_values = layer1.get_weights()
    np.testing.assert_allclose(initial_layer1_weights_values[0], final_layer1_weights_values[0])
    np.testing.assert_allclose(initial_layer1_weights_values[1], final_layer1_weights_values[1])

    # trainable is recursive: setting it on a model sets it on every layer inside
    inner_model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(3, activation="relu"),
                                    keras.layers.Dense(3, activation="relu")])
    model = keras.Sequential([keras.Input(shape=(3,)), inner_model, keras.layers.Dense(3, activation="sigmoid")])
    model.trainable = False
    assert inner_model.trainable is False and inner_model.layers[0].trainable is False
    assert (len(model.trainable_weights), len(model.non_trainable_weights)) == (0, 6)      # TF 2.21: 0 6

    # the typical workflow: a frozen base (its BatchNormalization in inference mode), a new head
    base_in = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(8, 3, padding="same")(base_in)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(8, 3)(x)
    base_model = keras.Model(base_in, x, name="base")
    base_model.trainable = False
    inputs = keras.Input(shape=(32, 32, 3))
    x = base_model(inputs, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.2)(x)
    outputs = keras.layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    capsys.readouterr()
    model.summary(show_trainable=True)
    assert capsys.readouterr().out.strip("\n") == FROZEN
    assert (len(model.trainable_weights), len(model.non_trainable_weights)) == (2, 8)
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    rng = np.random.default_rng(0)
    xs = rng.random((32, 32, 32, 3)).astype("float32")
    ys = rng.integers(0, 2, (32, 1)).astype("float32")
    bn = base_model.layers[2]
    mm_before = bn.moving_mean.numpy().copy()
    base_kernel = base_model.layers[1].kernel.numpy().copy()
    history = model.fit(xs, ys, epochs=1, batch_size=16, verbose=0)
    assert sorted(history.history) == ["binary_accuracy", "loss"]
    np.testing.assert_array_equal(bn.moving_mean.numpy(), mm_before)          # frozen: statistics kept
    np.testing.assert_array_equal(base_model.layers[1].kernel.numpy(), base_kernel)

    # fine-tuning: unfreeze, recompile, train with a small learning rate
    base_model.trainable = True
    model.summary(show_trainable=True)
    assert capsys.readouterr().out.strip("\n") == UNFROZEN
    assert (len(model.trainable_weights), len(model.non_trainable_weights)) == (8, 2)
    model.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    model.fit(xs, ys, epochs=1, batch_size=16, verbose=0)
    # TF 2.21 (Keras 3.15): the moving mean moves here, the call's training=False notwithstanding
    assert not np.allclose(bn.moving_mean.numpy(), mm_before)
    assert not np.array_equal(base_model.layers[1].kernel.numpy(), base_kernel)
