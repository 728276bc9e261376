"""TensorFlow's "Save and load models" tutorial, renamed (``import glassnet as tf``), on small
stand-in arrays in place of MNIST. Printed lines, files and numbers are those TF 2.21 gives
for the same program (checked side by side with /work/peers/bin/python)."""
import math
import os
import re

import numpy as np
import pytest

import glassnet as tf


def create_model():
    model = tf.keras.models.Sequential([
        tf.keras.layers.Dense(512, activation='relu', input_shape=(784,)),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10)
    ])
    model.compile(optimizer='adam',
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    train_images = rng.random((100, 784), dtype=np.float32)
    test_images = rng.random((50, 784), dtype=np.float32)
    return train_images, rng.integers(0, 10, 100), test_images, rng.integers(0, 10, 50)


def test_checkpoint_callback_section(data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    train_images, train_labels, test_images, test_labels = data
    model = create_model()
    checkpoint_path = "training_1/cp.weights.h5"
    checkpoint_dir = os.path.dirname(checkpoint_path)
    cp_callback = tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, save_weights_only=True, verbose=1)
    model.fit(train_images, train_labels, epochs=2, validation_data=(test_images, test_labels),
              callbacks=[cp_callback])
    out = capsys.readouterr().out
    assert "Epoch 1: saving model to training_1/cp.weights.h5" in out
    assert "Epoch 2: finished saving model to training_1/cp.weights.h5" in out
    assert os.listdir(checkpoint_dir) == ['cp.weights.h5']
    trained = model.predict(test_images, verbose=0)

    model = create_model()
    loss, acc = model.evaluate(test_images, test_labels, verbose=2)
    line = capsys.readouterr().out.strip()
    # verbose=2: TF's "32/32 - 0s - 11ms/step - loss: 2.3843 - sparse_categorical_accuracy: 0.1000", no bar
    assert re.fullmatch(r"2/2 - \d+s - \d+(us|ms|s)/step - loss: \d\.\d{4} - sparse_categorical_accuracy: \d\.\d{4}",
                        line), line
    model.load_weights(checkpoint_path)
    np.testing.assert_array_equal(model.predict(test_images, verbose=0), trained)
    loss2, acc2 = model.evaluate(test_images, test_labels, verbose=2)
    assert "Restored model, accuracy: {:5.2f}%".format(100 * acc2).startswith("Restored model, accuracy: ")


def test_checkpoint_every_five_epochs_and_latest(data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    train_images, train_labels, test_images, test_labels = data
    checkpoint_path = "training_2/cp-{epoch:04d}.weights.h5"
    checkpoint_dir = os.path.dirname(checkpoint_path)
    batch_size = 32
    n_batches = math.ceil(len(train_images) / batch_size)
    cp_callback = tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, verbose=1, save_weights_only=True,
                                                     save_freq=5 * n_batches)
    model = create_model()
    os.makedirs(checkpoint_dir)             # Keras 3 writes no folder for save_weights either
    model.save_weights(checkpoint_path.format(epoch=0))
    model.fit(train_images, train_labels, epochs=10, batch_size=batch_size, callbacks=[cp_callback],
              validation_data=(test_images, test_labels), verbose=0)
    out = capsys.readouterr().out
    assert "Epoch 5: saving model to training_2/cp-0005.weights.h5" in out
    assert "Epoch 10: saving model to training_2/cp-0010.weights.h5" in out
    assert sorted(os.listdir(checkpoint_dir)) == ['cp-0000.weights.h5', 'cp-0005.weights.h5', 'cp-0010.weights.h5']
    latest = os.path.join(checkpoint_dir, sorted(os.listdir(checkpoint_dir))[-1])
    assert latest == "training_2/cp-0010.weights.h5"
    # the tutorial's Keras 3 text: the highest epoch number in the names
    newest = max(os.listdir(checkpoint_dir), key=lambda f: int(f.split('-')[1].split('.')[0]))
    assert newest == "cp-0010.weights.h5"
    assert tf.train.latest_checkpoint(checkpoint_dir) is None      # no TF "checkpoint" index file, as TF 2.21
    fresh = create_model()
    fresh.load_weights(latest)
    np.testing.assert_array_equal(fresh.predict(test_images, verbose=0), model.predict(test_images, verbose=0))


def test_float_save_freq_is_refused_as_keras_does():
    with pytest.raises(ValueError, match="save_freq"):
        tf.keras.callbacks.ModelCheckpoint("x.weights.h5", save_freq=5 * np.ceil(100 / 32))


def test_whole_model_keras_and_h5(data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    train_images, train_labels, test_images, test_labels = data
    model = create_model()
    model.fit(train_images, train_labels, epochs=2, verbose=0)
    model.save('my_model.keras')
    new_model = tf.keras.models.load_model('my_model.keras')
    capsys.readouterr()
    new_model.summary()
    text = capsys.readouterr().out
    # as TF 2.21 prints it after the load: the optimizer's state counts in the total
    assert " Total params: 1,221,152 (4.66 MB)" in text and " Trainable params: 407,050 (1.55 MB)" in text
    assert " Optimizer params: 814,102 (3.11 MB)" in text
    new_model.evaluate(test_images, test_labels, verbose=2)
    assert new_model.predict(test_images).shape == (50, 10)
    np.testing.assert_array_equal(new_model.predict(test_images, verbose=0), model.predict(test_images, verbose=0))

    model.save('my_model.h5')
    err = capsys.readouterr().err
    assert "WARNING:absl:You are saving your model as an HDF5 file via `model.save()`" in err
    new_model = tf.keras.models.load_model('my_model.h5')
    new_model.summary()
    assert "(None, 512)" in capsys.readouterr().out
    loss, acc = new_model.evaluate(test_images, test_labels, verbose=2)
    np.testing.assert_array_equal(new_model.predict(test_images, verbose=0), model.predict(test_images, verbose=0))
    assert sorted(os.listdir(".")) == ['my_model.h5', 'my_model.keras']


def test_custom_objects_section(tmp_path):
    @tf.keras.utils.register_keras_serializable("tutorial_save_and_load")
    class CustomLayer(tf.keras.layers.Layer):
        def __init__(self, sublayer, **kwargs):
            super().__init__(**kwargs)
            self.sublayer = sublayer

        def call(self, x):
            return self.sublayer(x)

        def get_config(self):
            base_config = super().get_config()
            config = {"sublayer": tf.keras.saving.serialize_keras_object(self.sublayer)}
            return {**base_config, **config}

        @classmethod
        def from_config(cls, config):
            sublayer_config = config.pop("sublayer")
            sublayer = tf.keras.saving.deserialize_keras_object(sublayer_config)
            return cls(sublayer, **config)
    layer = CustomLayer(tf.keras.layers.Dense(3))
    model = tf.keras.Sequential([tf.keras.Input((4,)), layer])
    x = np.random.default_rng(1).normal(size=(2, 4)).astype("float32")
    model.save(tmp_path / "custom.keras")
    again = tf.keras.models.load_model(tmp_path / "custom.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    again = tf.keras.models.load_model(tmp_path / "custom.keras", custom_objects={"CustomLayer": CustomLayer})
    assert type(again.layers[0]) is CustomLayer
