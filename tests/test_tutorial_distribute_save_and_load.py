"""TensorFlow's tutorial "Save and load a model using a distribution strategy"
(site/en/tutorials/distribute/save_and_load.ipynb), run renamed on one CPU replica with random
images in place of tfds MNIST: a .keras file saved from a MirroredStrategy scope and loaded with no
scope, under OneDeviceStrategy and under another MirroredStrategy; tf.saved_model.save/load of the
model and of a subclassed model, loaded.signatures['serving_default'] (its structured_outputs and
its dict answer, output_0), called directly and through strategy.run over a distributed dataset;
model.save to a folder name refused (Keras 3: .keras or .h5). Not run: keras.layers.TFSMLayer and
saving a subclassed model to .keras (glassnet refuses that).
TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python).
"""

from conftest import assert_guide_prints

PROGRAM = """\
import os
import tempfile
import numpy as np
import tensorflow as tf
os.chdir(tempfile.mkdtemp())
mirrored_strategy = tf.distribute.MirroredStrategy()


def get_data():
    rng = np.random.default_rng(0)            # (tfds MNIST in the tutorial)
    ds = tf.data.Dataset.from_tensor_slices((rng.integers(0, 256, (128, 28, 28, 1)).astype("uint8"),
                                             rng.integers(0, 10, 128)))

    def scale(image, label):
        image = tf.cast(image, tf.float32)
        image /= 255
        return image, label
    BATCH_SIZE = 32 * mirrored_strategy.num_replicas_in_sync
    train_dataset = ds.map(scale).cache().shuffle(10000).batch(BATCH_SIZE)
    eval_dataset = ds.take(64).map(scale).batch(BATCH_SIZE)
    return train_dataset, eval_dataset


def get_model():
    with mirrored_strategy.scope():
        model = tf.keras.Sequential([
            tf.keras.layers.Input((28, 28, 1)),
            tf.keras.layers.Conv2D(4, 3, activation='relu'),
            tf.keras.layers.MaxPooling2D(),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(16, activation='relu'),
            tf.keras.layers.Dense(10)
        ])
        model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      optimizer=tf.keras.optimizers.Adam(),
                      metrics=[tf.metrics.SparseCategoricalAccuracy()])
        return model


model = get_model()
train_dataset, eval_dataset = get_data()
model.fit(train_dataset, epochs=2, verbose=0)
keras_model_path = 'keras_save.keras'
model.save(keras_model_path)
restored_keras_model = tf.keras.models.load_model(keras_model_path)
print(len(restored_keras_model.fit(train_dataset, epochs=2, verbose=0).history['loss']))
another_strategy = tf.distribute.OneDeviceStrategy('/cpu:0')
with another_strategy.scope():
    restored_keras_model_ds = tf.keras.models.load_model(keras_model_path)
    restored_keras_model_ds.fit(train_dataset, epochs=2, verbose=0)
print(type(restored_keras_model_ds).__name__, another_strategy.num_replicas_in_sync)
model = get_model()
saved_model_path = 'tf_save'
tf.saved_model.save(model, saved_model_path)
DEFAULT_FUNCTION_KEY = 'serving_default'
print(tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY == DEFAULT_FUNCTION_KEY)
loaded = tf.saved_model.load(saved_model_path)
print(list(loaded.signatures.keys()))
inference_func = loaded.signatures[DEFAULT_FUNCTION_KEY]
print(inference_func.structured_outputs)
predict_dataset = eval_dataset.map(lambda image, label: image)
for batch in predict_dataset.take(1):
    result = inference_func(batch)
    print(type(result).__name__, list(result.keys()), [v.shape for v in result.values()])
    print(np.allclose(result['output_0'], model(batch), atol=1e-6))
another_strategy = tf.distribute.MirroredStrategy()
with another_strategy.scope():
    loaded = tf.saved_model.load(saved_model_path)
    inference_func = loaded.signatures[DEFAULT_FUNCTION_KEY]
    dist_predict_dataset = another_strategy.experimental_distribute_dataset(predict_dataset)
    for batch in dist_predict_dataset:
        result = another_strategy.run(inference_func, args=(batch,))
        print(type(result).__name__, list(result.keys()))
        break
model = get_model()
model.save(keras_model_path)
with another_strategy.scope():
    loaded = tf.keras.models.load_model(keras_model_path)
    print(type(loaded).__name__)
model = get_model()
try:
    model.save(saved_model_path)
except ValueError as e:
    print(type(e).__name__ in ("ValueError", "FileFormatError"))


class SubclassedModel(tf.keras.Model):
    # Example model defined by subclassing `tf.keras.Model`.

    output_name = 'output_layer'

    def __init__(self):
        super(SubclassedModel, self).__init__()
        self._dense_layer = tf.keras.layers.Dense(5, dtype=tf.dtypes.float32, name=self.output_name)

    def call(self, inputs):
        return self._dense_layer(inputs)


my_model = SubclassedModel()
x = np.ones((1, 5), np.float32)
my_model(x)
tf.saved_model.save(my_model, saved_model_path)
loaded = tf.saved_model.load(saved_model_path)
print(list(loaded.signatures.keys()))
print(sorted(loaded.signatures['serving_default'](tf.constant(x))))
"""

TF_OUTPUT = [
    '2',
    'Sequential 1',
    'True',
    "['serving_default']",
    "{'output_0': TensorSpec(shape=(None, 10), dtype=tf.float32, name='output_0')}",
    "dict ['output_0'] [TensorShape([32, 10])]",
    'True',
    "dict ['output_0']",
    'Sequential',
    'True',
    "['serving_default']",
    "['output_0']",
    '',
]


def test_distribute_save_and_load_prints_what_tf_printed():
    assert_guide_prints(PROGRAM, "distribute_save_and_load", TF_OUTPUT, numeric=())


def test_the_tutorials_last_cells_options_and_caveats(tmp_path):
    # TF 2.21 / Keras 3.15 for the tutorial's last cells: a .keras file is no SavedModel (OSError),
    # model.save(path, options=SaveOptions(...)) is Keras 3's ValueError, load_model takes no options
    # (TypeError), and an unbuilt subclassed model is saved by tf.saved_model.save
    import os

    import pytest

    import glassnet as tf
    model = tf.keras.Sequential([tf.keras.layers.Input((4,)), tf.keras.layers.Dense(2)])
    model.save(str(tmp_path / "keras_save.keras"))
    with tf.distribute.MirroredStrategy().scope():
        with pytest.raises(OSError, match="SavedModel file does not exist at"):
            tf.saved_model.load(str(tmp_path / "keras_save.keras"))
    save_options = tf.saved_model.SaveOptions(experimental_io_device='/job:localhost')
    assert save_options.experimental_io_device == '/job:localhost'
    with pytest.raises(ValueError, match=r"The following argument\(s\) are not supported: \['options'\]"):
        model.save(str(tmp_path / "tf_save"), options=save_options)
    load_options = tf.saved_model.LoadOptions(experimental_io_device='/job:localhost')
    with pytest.raises(TypeError, match="unexpected keyword argument 'options'"):
        tf.keras.models.load_model(str(tmp_path / "tf_save"), options=load_options)

    class SubclassedModel(tf.keras.Model):
        output_name = 'output_layer'

        def __init__(self):
            super().__init__()
            self._dense_layer = tf.keras.layers.Dense(5, dtype=tf.dtypes.float32, name=self.output_name)

        def call(self, inputs):
            return self._dense_layer(inputs)

    tf.saved_model.save(SubclassedModel(), str(tmp_path / "tf_save"))
    assert "variables" in os.listdir(tmp_path / "tf_save")
