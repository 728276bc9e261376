"""tf.device, tf.train.Checkpoint / CheckpointManager / latest_checkpoint / list_variables /
load_variable: names as TensorFlow 2.21 gives them (constants below), round trips, and damaged
files refused clearly (never unpickled, nothing restored)."""
import json
import os

import numpy as np
import pytest

import glassnet as tf

# tf.train.list_variables of TensorFlow 2.21 for the Module below after Checkpoint(model=m).write(...)
TF_MODULE_KEYS = [("_CHECKPOINTABLE_OBJECT_GRAPH", []), ("model/_h/.ATTRIBUTES/VARIABLE_VALUE", []),
                  ("model/b/.ATTRIBUTES/VARIABLE_VALUE", [2]), ("model/d/a/.ATTRIBUTES/VARIABLE_VALUE", []),
                  ("model/l/0/.ATTRIBUTES/VARIABLE_VALUE", []), ("model/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 2])]
# TensorFlow 2.21's 'checkpoint' state file after three CheckpointManager saves, max_to_keep=2
TF_STATE_HEAD = ['model_checkpoint_path: "ckpt-3"', 'all_model_checkpoint_paths: "ckpt-2"',
                 'all_model_checkpoint_paths: "ckpt-3"']


class Box(tf.Module):
    def __init__(self, i=3, o=2):
        super().__init__()
        self.w = tf.Variable(np.arange(i * o, dtype=np.float32).reshape(i, o), name="w")
        self.b = tf.Variable(np.zeros(o, np.float32), name="b")
        self.l = [tf.Variable(1.0)]
        self._h = tf.Variable(2.0)
        self.d = {"a": tf.Variable(3.0)}


def _model():
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2), tf.keras.layers.Dense(1)])
    model.compile(tf.keras.optimizers.Adam(0.01), "mse")
    return model


def test_module_keys_and_round_trip_as_tensorflow(tmp_path):
    box = Box()
    prefix = str(tmp_path / "my_checkpoint")
    assert tf.train.Checkpoint(model=box).write(prefix) == prefix
    assert sorted(os.listdir(tmp_path)) == ["my_checkpoint.data-00000-of-00001", "my_checkpoint.index"]
    assert tf.train.list_variables(prefix) == TF_MODULE_KEYS
    assert tf.train.load_variable(prefix, "model/w/.ATTRIBUTES/VARIABLE_VALUE").tolist() == box.w.numpy().tolist()
    other = Box()
    for v in other.variables:
        v.assign(np.full(v.shape, -7.0, np.float32))
    status = tf.train.Checkpoint(model=other).restore(prefix)
    assert status.assert_consumed() is status
    for a, b in zip(box.variables, other.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_shape_mismatch_changes_nothing_and_partial_is_reported(tmp_path):
    prefix = tf.train.Checkpoint(model=Box()).write(str(tmp_path / "c"))
    wrong = Box(4, 2)
    before = [v.numpy().copy() for v in wrong.variables]
    with pytest.raises(ValueError, match=r"model/w/.*saved with shape \[3, 2\].*\[4, 2\]; nothing was restored"):
        tf.train.Checkpoint(model=wrong).restore(prefix)
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(before, wrong.variables))

    class Small(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.zeros((3, 2), np.float32))
            self.extra = tf.Variable(0.0)
    small = Small()
    status = tf.train.Checkpoint(model=small).restore(prefix)
    assert small.w.numpy()[2, 1] == 5.0                  # what matched was restored
    with pytest.raises(AssertionError, match="not restored"):
        status.assert_consumed()
    status.expect_partial()
    with pytest.raises(AssertionError, match="model/extra"):
        status.assert_existing_objects_matched()


def test_manager_keeps_the_newest_and_training_resumes(tmp_path):
    model = _model()
    x, y = np.random.default_rng(0).normal(size=(8, 3)), np.ones((8, 1))
    model.fit(x, y, epochs=2, verbose=0)
    step = tf.Variable(5, dtype=np.int64)
    ckpt = tf.train.Checkpoint(step=step, optimizer=model.optimizer, model=model)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path / "tf_ckpts"), max_to_keep=2)
    saved = [manager.save() for _ in range(3)]
    assert [os.path.basename(p) for p in saved] == ["ckpt-1", "ckpt-2", "ckpt-3"]
    assert manager.checkpoints == saved[1:] and manager.latest_checkpoint == saved[2]
    assert tf.train.latest_checkpoint(str(tmp_path / "tf_ckpts")) == saved[2]
    assert sorted(os.listdir(tmp_path / "tf_ckpts")) == ["checkpoint", "ckpt-2.data-00000-of-00001", "ckpt-2.index",
                                                         "ckpt-3.data-00000-of-00001", "ckpt-3.index"]
    with open(tmp_path / "tf_ckpts" / "checkpoint") as f:
        assert f.read().splitlines()[:3] == TF_STATE_HEAD
    names = dict(tf.train.list_variables(saved[2]))
    assert names["optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"] == [] and names["step/.ATTRIBUTES/VARIABLE_VALUE"] == []
    assert names["model/layer_with_weights-0/_kernel/.ATTRIBUTES/VARIABLE_VALUE"] == [3, 2]     # TF 2.21: Dense's _kernel

    fresh = _model()                                      # built, its optimizer not yet: built over the model
    fresh_step = tf.Variable(0, dtype=np.int64)
    fresh_ckpt = tf.train.Checkpoint(step=fresh_step, optimizer=fresh.optimizer, model=fresh)
    manager2 = tf.train.CheckpointManager(fresh_ckpt, str(tmp_path / "tf_ckpts"), max_to_keep=2)
    assert manager2.checkpoints == saved[1:]               # read back from the state file
    fresh_ckpt.restore(manager2.latest_checkpoint).assert_consumed()
    assert int(fresh_step.numpy()) == 5 and int(fresh_ckpt.save_counter.numpy()) == 3
    assert fresh.optimizer.iterations == model.optimizer.iterations
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.fit(x, y, epochs=1, verbose=0, shuffle=False)   # the same next epoch from the same state
    fresh.fit(x, y, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_restore_none_and_save_numbering(tmp_path):
    status = tf.train.Checkpoint(model=Box()).restore(tf.train.latest_checkpoint(str(tmp_path)))
    with pytest.raises(AssertionError, match="no checkpoint"):
        status.assert_consumed()
    ckpt = tf.train.Checkpoint(model=Box())
    first, second = ckpt.save(str(tmp_path / "ckpt")), ckpt.save(str(tmp_path / "ckpt"))
    assert (os.path.basename(first), os.path.basename(second)) == ("ckpt-1", "ckpt-2")
    assert tf.train.latest_checkpoint(str(tmp_path)) == second
    with pytest.raises(ValueError, match="trackable"):
        tf.train.Checkpoint(model=3)


def _damage(path, how):
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(how(data))


@pytest.mark.parametrize("target, how, match", [
    (".index", lambda d: d[:20], "index .* is damaged"),
    (".index", lambda d: json.dumps({"format": "something else"}).encode(), "not a glassnet checkpoint"),
    (".data-00000-of-00001", lambda d: d[:-10], "does not match its index"),
    (".data-00000-of-00001", lambda d: d[:30] + bytes([d[30] ^ 1]) + d[31:], "does not match its index"),
])
def test_damaged_files_are_refused_and_restore_nothing(tmp_path, target, how, match):
    prefix = tf.train.Checkpoint(model=Box()).write(str(tmp_path / "c"))
    _damage(prefix + target, how)
    victim = Box(3, 2)
    victim.w.assign(np.full((3, 2), 9.0, np.float32))
    with pytest.raises(tf.errors.DataLossError, match=match):
        tf.train.Checkpoint(model=victim).restore(prefix)
    assert victim.w.numpy().tolist() == [[9.0, 9.0]] * 3


def test_a_pickled_array_is_never_unpickled(tmp_path):
    import hashlib
    import io
    prefix = tf.train.Checkpoint(model=Box()).write(str(tmp_path / "c"))
    buf = io.BytesIO()
    np.savez(buf, a0=np.array([object()], dtype=object), a1=np.zeros(2), a2=np.zeros(()), a3=np.zeros(()),
             a4=np.zeros((3, 2)))
    with open(prefix + ".data-00000-of-00001", "wb") as f:
        f.write(buf.getvalue())
    with open(prefix + ".index") as f:
        index = json.load(f)
    index["sha256"] = hashlib.sha256(buf.getvalue()).hexdigest()
    index["variables"][0]["shape"] = [1]
    with open(prefix + ".index", "w") as f:
        json.dump(index, f)
    with pytest.raises(tf.errors.DataLossError, match="damaged.*(pickle|Object arrays)"):
        tf.train.Checkpoint(model=Box()).restore(prefix)


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="no glassnet checkpoint"):
        tf.train.Checkpoint(model=Box()).restore(str(tmp_path / "nothing"))
    with pytest.raises(tf.errors.NotFoundError, match="no checkpoint in folder"):
        tf.train.list_variables(str(tmp_path))


def test_device_names_the_cpu_as_tensorflow():
    cpu = "/job:localhost/replica:0/task:0/device:CPU:0"          # TF 2.21's t.device on a CPU machine
    with tf.device("CPU:0"):
        x = tf.constant([1.0])
    with tf.device("/GPU:0"):                                       # soft placement: it runs, on the CPU
        y = x * 2
    assert x.device == y.device == tf.Variable(1.0).device == cpu and y.numpy().tolist() == [2.0]
    assert tf.config.list_logical_devices("CPU")[0].name == "/device:CPU:0"
    assert tf.config.experimental.list_logical_devices("GPU") == []
    with pytest.raises(ValueError, match="not a device name"):
        with tf.device("CPU:x"):
            pass


class FlexibleDenseModule(tf.Module):
    """The modules guide's: its variables are made on its first call."""

    def __init__(self, out_features, name=None):
        super().__init__(name=name)
        self.is_built = False
        self.out_features = out_features

    def __call__(self, x):
        if not self.is_built:
            self.w = tf.Variable(tf.random.normal([x.shape[-1], self.out_features]), name="w")
            self.b = tf.Variable(tf.zeros([self.out_features]), name="b")
            self.is_built = True
        return tf.nn.relu(tf.matmul(x, self.w) + self.b)


class MySequentialModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = FlexibleDenseModule(out_features=3)
        self.dense_2 = FlexibleDenseModule(out_features=2)

    def __call__(self, x):
        return self.dense_2(self.dense_1(x))


def test_restore_is_deferred_until_a_module_makes_its_variables(tmp_path):
    my_model = MySequentialModule(name="the_model")
    x = tf.constant([[2.0, 2.0, 2.0]])
    expected = my_model(x).numpy()
    path = tf.train.Checkpoint(model=my_model).write(str(tmp_path / "my_checkpoint"))
    # TF 2.21's tf.train.list_variables for the guide's model
    assert tf.train.list_variables(path) == [
        ("_CHECKPOINTABLE_OBJECT_GRAPH", []), ("model/dense_1/b/.ATTRIBUTES/VARIABLE_VALUE", [3]),
        ("model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 3]), ("model/dense_2/b/.ATTRIBUTES/VARIABLE_VALUE", [2]),
        ("model/dense_2/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 2])]
    new_model = MySequentialModule()
    status = tf.train.Checkpoint(model=new_model).restore(path)
    with pytest.raises(AssertionError, match="not restored"):
        status.assert_consumed()                       # nothing made yet
    np.testing.assert_array_equal(new_model(x).numpy(), expected)     # made on the call, with the saved values
    status.assert_consumed()


class FlexibleDense(tf.keras.layers.Layer):
    def __init__(self, out_features, **kwargs):
        super().__init__(**kwargs)
        self.out_features = out_features

    def build(self, input_shape):
        self.w = tf.Variable(tf.ones([input_shape[-1], self.out_features]), name="w")
        self.b = tf.Variable(tf.zeros([self.out_features]), name="b")

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b


class MySequentialModel(tf.keras.Model):
    def __init__(self, name=None, **kwargs):
        super().__init__(**kwargs)
        self.dense_1 = FlexibleDense(out_features=3)
        self.dense_2 = FlexibleDense(out_features=2)

    def call(self, x):
        return self.dense_2(self.dense_1(x))


def test_subclassed_keras_model_is_named_by_its_attributes_as_tensorflow(tmp_path):
    model = MySequentialModel()
    x = tf.constant([[2.0, 2.0, 2.0]])
    assert model(x).numpy().tolist() == [[18.0, 18.0]]
    path = tf.train.Checkpoint(model=model).write(str(tmp_path / "kc"))
    # TF 2.21 / Keras 3.15's tf.train.list_variables for the same model
    assert tf.train.list_variables(path) == [
        ("_CHECKPOINTABLE_OBJECT_GRAPH", []), ("model/dense_1/b/.ATTRIBUTES/VARIABLE_VALUE", [3]),
        ("model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 3]), ("model/dense_2/b/.ATTRIBUTES/VARIABLE_VALUE", [2]),
        ("model/dense_2/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 2])]
    other = MySequentialModel()
    other(tf.constant([[1.0, 1.0, 1.0]]))
    other.dense_1.w.assign(np.zeros((3, 3), np.float32))
    tf.train.Checkpoint(model=other).restore(path).assert_consumed()
    assert other(x).numpy().tolist() == [[18.0, 18.0]]
