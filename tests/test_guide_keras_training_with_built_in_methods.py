"""Keras's guide "Training & evaluation with the built-in methods" (keras.io / tensorflow.org,
Keras 3), run renamed (``import glassnet as tf``; ``from glassnet import keras``) on random
stand-in arrays in place of MNIST (1,000 training rows, 200 validation, 200 test) and with
fewer epochs.

Summaries, history keys, params, printed callback lines and the error Keras raises were recorded
from the same program under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python); layer names
count from a cleared session, as in a fresh Keras process.
"""
import os
import re

import numpy as np
import pytest

import glassnet as tf
from glassnet import keras
from glassnet.keras import layers, ops

ENDPOINT = """\
Model: "functional_5"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ inputs (InputLayer) │ (None, 3)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ targets             │ (None, 10)        │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 10)        │         40 │ inputs[0][0]      │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ predictions         │ (None, 10)        │          0 │ targets[0][0],    │
│ (LogisticEndpoint)  │                   │            │ dense[0][0]       │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 122 (492.00 B)
 Trainable params: 40 (160.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 82 (332.00 B)"""

TWO_IN_TWO_OUT = """\
Model: "functional_16"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ img_input           │ (None, 32, 32, 3) │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ ts_input            │ (None, None, 10)  │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ conv2d (Conv2D)     │ (None, 30, 30, 3) │         84 │ img_input[0][0]   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ conv1d (Conv1D)     │ (None, None, 3)   │         93 │ ts_input[0][0]    │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ global_max_pooling… │ (None, 3)         │          0 │ conv2d[0][0]      │
│ (GlobalMaxPooling2… │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ global_max_pooling… │ (None, 3)         │          0 │ conv1d[0][0]      │
│ (GlobalMaxPooling1… │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 6)         │          0 │ global_max_pooli… │
│ (Concatenate)       │                   │            │ global_max_pooli… │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ score_output        │ (None, 1)         │          7 │ concatenate[0][0] │
│ (Dense)             │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ class_output        │ (None, 5)         │         35 │ concatenate[0][0] │
│ (Dense)             │                   │            │                   │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 219 (876.00 B)
 Trainable params: 219 (876.00 B)
 Non-trainable params: 0 (0.00 B)"""

# before fit (Keras prints the optimizer's 82 parameters only once fit has built it)
ENDPOINT_UNFIT = ENDPOINT.replace(" Total params: 122 (492.00 B)", " Total params: 40 (160.00 B)").replace(
    "\n Optimizer params: 82 (332.00 B)", "")
LINE = r"\d+/\d+ - \d+s - \d+(us|ms|s)/step"


def get_uncompiled_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
    return model


class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        self.true_positives.assign(0.0)


class ActivityRegularizationLayer(layers.Layer):
    def call(self, inputs):
        self.add_loss(ops.sum(inputs) * 0.1)
        return inputs


class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits, sample_weights=None):
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)
        return ops.softmax(logits)


class ExamplePyDataset(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, idx):
        batch_x = self.x[idx * self.batch_size:(idx + 1) * self.batch_size]
        batch_y = self.y[idx * self.batch_size:(idx + 1) * self.batch_size]
        return batch_x, batch_y


class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs):                     # (the guide's signature: logs has no default)
        self.per_batch_losses = []

    def on_batch_end(self, batch, logs):
        self.per_batch_losses.append(logs.get("loss"))


def test_training_and_evaluation_with_the_built_in_methods(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = get_uncompiled_model()
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (1200, 28, 28)).astype("uint8").reshape(1200, 784).astype("float32") / 255
    y_train = rng.integers(0, 10, 1200).astype("float32")
    x_test = rng.integers(0, 256, (200, 28, 28)).astype("uint8").reshape(200, 784).astype("float32") / 255
    y_test = rng.integers(0, 10, 200).astype("float32")
    x_val, y_val, x_train, y_train = x_train[-200:], y_train[-200:], x_train[:-200], y_train[:-200]

    # API overview
    model.compile(optimizer=keras.optimizers.RMSprop(), loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    capsys.readouterr()
    history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_data=(x_val, y_val), verbose=2)
    lines = capsys.readouterr().out.strip().split("\n")
    # TF 2.21: "16/16 - 1s - 35ms/step - loss: 2.3591 - sparse_categorical_accuracy: 0.0870 - val_loss: 2.3214
    #           - val_sparse_categorical_accuracy: 0.1150"
    assert re.fullmatch(LINE.replace(r"\d+/\d+", "16/16") + r" - loss: \d\.\d{4} - sparse_categorical_accuracy: "
                        r"\d\.\d{4} - val_loss: \d\.\d{4} - val_sparse_categorical_accuracy: \d\.\d{4}", lines[1]), lines[1]
    assert sorted(history.history) == ["loss", "sparse_categorical_accuracy", "val_loss",
                                       "val_sparse_categorical_accuracy"]
    results = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    assert len(results) == 2 and all(isinstance(r, float) for r in results)
    predictions = model.predict(x_test[:3], verbose=0)
    assert predictions.shape == (3, 10) and predictions.dtype == np.float32

    # Custom losses: a function, and a Loss subclass writing only call (gradients from the tape)
    def custom_mean_squared_error(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    model = get_uncompiled_model()
    model.compile(optimizer=keras.optimizers.Adam(), loss=custom_mean_squared_error)
    y_train_one_hot = ops.one_hot(y_train, num_classes=10)
    assert tuple(y_train_one_hot.shape) == (1000, 10) and y_train_one_hot.dtype == np.float32
    history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=1, verbose=0)
    assert 0.07 < history.history["loss"][0] < 0.12                         # TF 2.21: 0.0906
    y, p = np.eye(3, dtype="float32"), np.random.default_rng(1).random((3, 3)).astype("float32")
    wrapped = keras.losses.get(custom_mean_squared_error)                    # its gradient: the tape's
    assert type(wrapped).__name__ == "LossFunctionWrapper" and wrapped.name == "custom_mean_squared_error"
    np.testing.assert_allclose(wrapped.gradient(y, p), keras.losses.MeanSquaredError().gradient(y, p), rtol=1e-6)
    model = get_uncompiled_model()
    model.compile(optimizer=keras.optimizers.Adam(), loss=CustomMSE())
    history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=1, verbose=0)
    assert 0.08 < history.history["loss"][0] < 0.13                         # TF 2.21: 0.1066
    cm = CustomMSE()
    # TF 2.21: custom_mse 0.235417 custom_mse sum_over_batch_size
    assert round(float(cm(np.eye(3, dtype="float32"), np.full((3, 3), 0.25, "float32"))), 6) == 0.235417
    assert (cm.name, cm.reduction) == ("custom_mse", "sum_over_batch_size")

    # Custom metrics (add_variable, assign_add, reset_state)
    model = get_uncompiled_model()
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=[CategoricalTruePositives()])
    history = model.fit(x_train, y_train, batch_size=64, epochs=2, verbose=0)
    assert sorted(history.history) == ["categorical_true_positives", "loss"]
    m = CategoricalTruePositives()
    m.update_state(np.array([[1], [2], [0]]), np.array([[0, 1, 0], [0, 1, 0], [1, 0, 0]], "float32"))
    assert float(m.result()) == 2.0
    m.reset_state()
    assert float(m.result()) == 0.0

    # add_loss in a layer
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = ActivityRegularizationLayer()(x)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
    assert history.history["loss"][0] > 1.0 and len(model.losses) == 1

    # LogisticEndpoint(name=...)(targets, logits): a layer given two tensors is one node of two inputs
    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    logits = keras.layers.Dense(10)(inputs)
    predictions = LogisticEndpoint(name="predictions")(targets, logits)
    model = keras.Model(inputs=[inputs, targets], outputs=predictions)
    model.compile(optimizer="adam")
    data = {"inputs": np.random.random((3, 3)), "targets": np.random.random((3, 10))}
    capsys.readouterr()
    model.summary()
    assert capsys.readouterr().out.strip("\n") == ENDPOINT_UNFIT
    out = model.predict(data, verbose=0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    before = model.get_weights()[0].copy()
    history = model.fit(data, verbose=0)               # compiled without a loss: add_loss's is the loss
    assert sorted(history.history) == ["loss"] and 0.5 < history.history["loss"][0] < 1.0   # TF 2.21: 0.7387
    assert not np.array_equal(before, model.get_weights()[0])
    model.summary()
    assert capsys.readouterr().out.strip("\n") == ENDPOINT

    # validation_split
    model = get_compiled_model()
    history = model.fit(x_train, y_train, batch_size=64, validation_split=0.2, epochs=1, verbose=0)
    assert history.params == {"verbose": 0, "epochs": 1, "steps": 13}    # TF 2.21 (verbose=2 there): steps 13

    # tf.data Datasets
    model = get_compiled_model()
    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(buffer_size=1024).batch(64)
    test_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(64)
    model.fit(train_dataset, epochs=2, verbose=0)
    result = model.evaluate(test_dataset, verbose=0)
    assert model.metrics_names == ["loss", "compile_metrics"]             # Keras 3.15's
    assert sorted(dict(zip(model.metrics_names, result))) == ["compile_metrics", "loss"]
    model = get_compiled_model()
    history = model.fit(train_dataset, epochs=2, steps_per_epoch=10, verbose=0)
    assert history.params["steps"] == 10 and len(history.history["loss"]) == 2
    model = get_compiled_model()
    val_dataset = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(64)
    history = model.fit(train_dataset, epochs=1, validation_data=val_dataset, verbose=0)
    assert sorted(history.history) == ["loss", "sparse_categorical_accuracy", "val_loss",
                                       "val_sparse_categorical_accuracy"]
    model = get_compiled_model()
    model.fit(train_dataset, epochs=1, validation_data=val_dataset, validation_steps=2, verbose=0)

    # PyDataset
    train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32)
    val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32)
    model = get_compiled_model()
    history = model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=1, verbose=0)
    assert history.params["steps"] == 32 and "val_loss" in history.history          # TF 2.21: steps 32
    assert len(model.evaluate(val_py_dataset, verbose=0)) == 2
    train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32, workers=4)
    assert (train_py_dataset.workers, train_py_dataset.use_multiprocessing, train_py_dataset.max_queue_size) == (
        4, False, 10)
    val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32, workers=4)
    model = get_compiled_model()
    model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=1, verbose=0)

    # class_weight and sample_weight (arrays and a Dataset of three)
    class_weight = {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 2.0, 6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0}
    get_compiled_model().fit(x_train, y_train, class_weight=class_weight, batch_size=64, epochs=1, verbose=0)
    sample_weight = np.ones(shape=(len(y_train),))
    sample_weight[y_train == 5] = 2.0
    get_compiled_model().fit(x_train, y_train, sample_weight=sample_weight, batch_size=64, epochs=1, verbose=0)
    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train, sample_weight)).shuffle(1024).batch(64)
    history = get_compiled_model().fit(train_dataset, epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "sparse_categorical_accuracy"]

    # Multi-input, multi-output
    image_input = keras.Input(shape=(32, 32, 3), name="img_input")
    timeseries_input = keras.Input(shape=(None, 10), name="ts_input")
    x1 = layers.GlobalMaxPooling2D()(layers.Conv2D(3, 3)(image_input))
    x2 = layers.GlobalMaxPooling1D()(layers.Conv1D(3, 3)(timeseries_input))
    x = layers.concatenate([x1, x2])
    score_output = layers.Dense(1, name="score_output")(x)
    class_output = layers.Dense(5, name="class_output")(x)
    model = keras.Model(inputs=[image_input, timeseries_input], outputs=[score_output, class_output])
    capsys.readouterr()
    model.summary()
    assert capsys.readouterr().out.strip("\n") == TWO_IN_TWO_OUT
    img_data = np.random.random_sample(size=(100, 32, 32, 3))
    ts_data = np.random.random_sample(size=(100, 20, 10))
    score_targets = np.random.random_sample(size=(100, 1))
    class_targets = np.random.random_sample(size=(100, 5))
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
                  loss=[keras.losses.MeanSquaredError(), keras.losses.CategoricalCrossentropy()],
                  metrics=[[keras.metrics.MeanAbsolutePercentageError(), keras.metrics.MeanAbsoluteError()],
                           [keras.metrics.CategoricalAccuracy()]])
    history = model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1, verbose=0)
    every = ["class_output_categorical_accuracy", "class_output_loss", "loss", "score_output_loss",
             "score_output_mean_absolute_error", "score_output_mean_absolute_percentage_error"]
    assert sorted(history.history) == every                                 # TF 2.21's keys
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
                  loss={"score_output": keras.losses.MeanSquaredError(),
                        "class_output": keras.losses.CategoricalCrossentropy()},
                  metrics={"score_output": [keras.metrics.MeanAbsolutePercentageError(),
                                            keras.metrics.MeanAbsoluteError()],
                           "class_output": [keras.metrics.CategoricalAccuracy()]},
                  loss_weights={"score_output": 2.0, "class_output": 1.0})
    history = model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=100, epochs=1, verbose=0)
    h = {k: v[0] for k, v in history.history.items()}
    assert sorted(h) == every
    assert h["loss"] == pytest.approx(2 * h["score_output_loss"] + h["class_output_loss"], rel=1e-5)
    # an output without a loss: only "loss" is logged (TF 2.21), its labels still given
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss=[None, keras.losses.CategoricalCrossentropy()])
    history = model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=100, epochs=1, verbose=0)
    assert sorted(history.history) == ["loss"]
    probs = model.predict([img_data, ts_data], verbose=0)[1]
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss={"class_output": keras.losses.CategoricalCrossentropy()})
    with pytest.raises(ValueError, match=re.escape("Expected keys ['score_output', 'class_output'] in loss dict, "
                                                   "but found loss.keys()=['class_output']")):
        model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1, verbose=0)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
                  loss=[keras.losses.MeanSquaredError(), keras.losses.CategoricalCrossentropy()])
    model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1, verbose=0)
    history = model.fit({"img_input": img_data, "ts_input": ts_data},
                        {"score_output": score_targets, "class_output": class_targets}, batch_size=32, epochs=1,
                        verbose=0)
    assert sorted(history.history) == ["class_output_loss", "loss", "score_output_loss"]
    train_dataset = tf.data.Dataset.from_tensor_slices((
        {"img_input": img_data, "ts_input": ts_data},
        {"score_output": score_targets, "class_output": class_targets})).shuffle(buffer_size=1024).batch(64)
    history = model.fit(train_dataset, epochs=1, verbose=0)
    assert sorted(history.history) == ["class_output_loss", "loss", "score_output_loss"]
    assert probs.shape == (100, 5)

    # Callbacks: EarlyStopping, one's own (the guide's on_train_begin(self, logs)), ModelCheckpoint
    model = get_compiled_model()
    callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=1e-2, patience=2, verbose=1)]
    capsys.readouterr()
    history = model.fit(x_train, y_train, epochs=20, batch_size=64, callbacks=callbacks, validation_split=0.2,
                        verbose=0)
    epochs = len(history.history["loss"])
    assert epochs < 20 and capsys.readouterr().out.strip() == f"Epoch {epochs}: early stopping"
    lh = LossHistory()
    get_compiled_model().fit(x_train, y_train, epochs=1, batch_size=100, callbacks=[lh], verbose=0)
    assert len(lh.per_batch_losses) == 10 and isinstance(lh.per_batch_losses[0], float)     # TF 2.21: 10 float
    model = get_compiled_model()
    callbacks = [keras.callbacks.ModelCheckpoint(filepath="mymodel_{epoch}.keras", save_best_only=True,
                                                 monitor="val_loss", verbose=1)]
    capsys.readouterr()
    model.fit(x_train, y_train, epochs=2, batch_size=64, callbacks=callbacks, validation_split=0.2, verbose=0)
    out = capsys.readouterr().out
    # TF 2.21: "\nEpoch 1: val_loss improved from None to 2.30318, saving model to mymodel_1.keras\n\n
    #           Epoch 1: finished saving model to mymodel_1.keras\n..."
    assert re.search(r"\nEpoch 1: val_loss improved from None to \d\.\d{5}, saving model to mymodel_1.keras\n\n"
                     r"Epoch 1: finished saving model to mymodel_1.keras\n", out), out
    assert "mymodel_1.keras" in os.listdir(".")
    checkpoint_dir = "./ckpt"
    os.makedirs(checkpoint_dir)

    def make_or_restore_model():
        checkpoints = [checkpoint_dir + "/" + name for name in os.listdir(checkpoint_dir)]
        if checkpoints:
            latest_checkpoint = max(checkpoints, key=os.path.getctime)
            print("Restoring from", latest_checkpoint)
            return keras.models.load_model(latest_checkpoint)
        print("Creating a new model")
        return get_compiled_model()

    capsys.readouterr()
    model = make_or_restore_model()
    callbacks = [keras.callbacks.ModelCheckpoint(filepath=checkpoint_dir + "/model-loss={loss:.2f}.keras",
                                                 save_freq=10)]
    model.fit(x_train, y_train, epochs=1, callbacks=callbacks, verbose=0)
    names = os.listdir(checkpoint_dir)
    assert names and all(re.fullmatch(r"model-loss=\d\.\d\d\.keras", n) for n in names)
    model = make_or_restore_model()
    assert capsys.readouterr().out.split("\n")[:2] == ["Creating a new model", "Restoring from " + max(
        (checkpoint_dir + "/" + n for n in names), key=os.path.getctime)]
    assert int(model.optimizer.iterations) == 30                           # TF 2.21: 30 steps restored

    # Learning-rate schedules (TF 2.21's values and config)
    lr_schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96,
                                                              staircase=True)
    keras.optimizers.RMSprop(learning_rate=lr_schedule)
    assert [float(lr_schedule(s)) for s in (0, 100000, 250000)] == [0.10000000149011612, 0.09600000083446503,
                                                                     0.09216000139713287]
    assert lr_schedule.get_config() == {"initial_learning_rate": 0.1, "decay_steps": 100000, "decay_rate": 0.96,
                                        "staircase": True, "name": "ExponentialDecay"}
    tb = keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs"), histogram_freq=0, embeddings_freq=0,
                                     update_freq="epoch")
    assert type(tb).__name__ == "TensorBoard"
    plain = get_uncompiled_model()
    plain.compile(optimizer="adam")
    with pytest.raises(ValueError, match=re.escape("No loss to compute. Provide a `loss` argument in `compile()`.")):
        plain.fit(np.ones((4, 784)), np.ones((4, 10)), verbose=0)
