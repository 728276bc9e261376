"""tf.saved_model.save / load: a Keras model comes back as a Keras model computing the same;
a tf.Module saved by this process comes back as a copy whose functions run, its variables read
from the folder; in another process as its variables, and calling it is refused naming how to
restore them into the class (glassnet runs no code from files);
TensorFlow's own SavedModel folders and damaged descriptions are refused clearly."""
import os

import numpy as np
import pytest

import glassnet as tf


class Dense(tf.Module):
    def __init__(self, i, o, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.random.normal([i, o]), name="w")
        self.b = tf.Variable(tf.zeros([o]), name="b")

    def __call__(self, x):
        return tf.nn.relu(tf.matmul(x, self.w) + self.b)


class SequentialModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = Dense(3, 3)
        self.dense_2 = Dense(3, 2)

    def __call__(self, x):
        return self.dense_2(self.dense_1(x))


def test_keras_model_round_trip(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(4, activation="relu"),
                                 tf.keras.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    folder = str(tmp_path / "saved")
    tf.saved_model.save(model, folder)
    assert tf.saved_model.contains_saved_model(folder)
    assert sorted(os.listdir(folder)) == ["glassnet_saved_model.json", "model.keras", "variables"]
    assert sorted(os.listdir(os.path.join(folder, "variables"))) == ["variables.data-00000-of-00001",
                                                                     "variables.index"]
    back = tf.saved_model.load(folder)
    assert isinstance(back, tf.keras.Sequential)
    x = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_array_equal(back.predict(x, verbose=0), model.predict(x, verbose=0))
    # the variables are named as a SavedModel's: the root's attributes at the top level
    assert ("layer_with_weights-0/_kernel/.ATTRIBUTES/VARIABLE_VALUE", [3, 4]) in \
        tf.train.list_variables(os.path.join(folder, "variables", "variables"))


def test_module_saved_here_comes_back_running_with_the_folders_variables(tmp_path):
    module = SequentialModule()
    folder = str(tmp_path / "the_saved_model")
    tf.saved_model.save(module, folder)
    x = tf.constant([[2.0, 2.0, 2.0]])
    want = module(x).numpy()
    module.dense_1.w.assign(tf.zeros([3, 3]))               # after saving: not what load gives
    loaded = tf.saved_model.load(folder)
    np.testing.assert_array_equal(loaded(x).numpy(), want)
    assert loaded.dense_1.w is not module.dense_1.w and len(loaded.trainable_variables) == 4
    path = os.path.join(folder, "variables", "variables")
    tf.train.Checkpoint(module).read(path)                  # the folder's values, changed on disk ...
    module.dense_2.b.assign([7.0, 8.0])
    tf.train.Checkpoint(module).write(path)
    np.testing.assert_array_equal(tf.saved_model.load(folder).dense_2.b.numpy(), [7.0, 8.0])   # ... are read


def test_module_from_another_process_comes_back_as_its_variables_and_refuses_to_run(tmp_path, monkeypatch):
    from glassnet.tf import saved_model
    module = SequentialModule()
    module.dense_2.b = tf.Variable(tf.ones([2]), trainable=False)
    module.extra = [tf.Variable(1.0), tf.Variable(2.0)]
    folder = str(tmp_path / "the_saved_model")
    tf.saved_model.save(module, folder)
    monkeypatch.setattr(saved_model, "_SAVED_HERE", {})     # load finds no copy kept by this process
    loaded = tf.saved_model.load(folder)
    assert not isinstance(loaded, SequentialModule)                 # as TensorFlow's loaded object
    np.testing.assert_array_equal(loaded.dense_1.w.numpy(), module.dense_1.w.numpy())
    assert [v.numpy() for v in loaded.extra] == [1.0, 2.0]
    assert len(loaded.variables) == 6 and len(loaded.trainable_variables) == 5 and len(loaded.submodules) == 2
    with pytest.raises(TypeError, match=r"(?s)cannot be called.*SequentialModule.*no code.*Checkpoint\(obj\).read") \
            as err:
        loaded(tf.constant([[2.0, 2.0, 2.0]]))
    assert os.path.join(folder, "variables", "variables") in str(err.value)
    with pytest.raises(AttributeError, match="holds variables only"):
        loaded.some_method
    again = SequentialModule()
    again.dense_2.b = tf.Variable(tf.zeros([2]), trainable=False)
    again.extra = [tf.Variable(0.0), tf.Variable(0.0)]
    tf.train.Checkpoint(again).read(os.path.join(folder, "variables", "variables")).assert_consumed()
    x = tf.constant([[2.0, 2.0, 2.0]])
    np.testing.assert_array_equal(again(x).numpy(), module(x).numpy())


def test_refusals(tmp_path):
    with pytest.raises(OSError, match="SavedModel file does not exist"):
        tf.saved_model.load(str(tmp_path))
    (tmp_path / "tfsm").mkdir()
    (tmp_path / "tfsm" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(ValueError, match="TensorFlow's SavedModel.*does not run"):
        tf.saved_model.load(str(tmp_path / "tfsm"))
    folder = str(tmp_path / "m")
    tf.saved_model.save(SequentialModule(), folder)
    with open(os.path.join(folder, "glassnet_saved_model.json"), "w") as f:  # damaged description
        f.write("{not json")
    with pytest.raises(ValueError, match="is damaged"):
        tf.saved_model.load(folder)
    with pytest.raises(ValueError, match="tf.Module or a Keras model"):
        tf.saved_model.save(object(), str(tmp_path / "x"))
    assert not os.path.exists(tmp_path / "x")
