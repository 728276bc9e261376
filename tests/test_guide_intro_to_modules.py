"""TensorFlow's guide "Introduction to modules, layers, and models" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import os
import tempfile
import tensorflow as tf

os.chdir(tempfile.mkdtemp())

def init(shape):
  # the guide draws tf.random.normal(shape): fixed numbers here, so both libraries print the same
  n = 1
  for d in shape:
    n *= d
  return tf.reshape(tf.range(n, dtype=tf.float32) / 10.0 - 0.3, shape)

class SimpleModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)
    self.a_variable = tf.Variable(5.0, name="train_me")
    self.non_trainable_variable = tf.Variable(5.0, trainable=False, name="do_not_train_me")
  def __call__(self, x):
    return self.a_variable * x + self.non_trainable_variable

simple_module = SimpleModule(name="simple")
print(repr(simple_module(tf.constant(5.0))))
print("trainable variables:", simple_module.trainable_variables)
print("all variables:", simple_module.variables)
print(simple_module.name, simple_module.name_scope.name)

class Dense(tf.Module):
  def __init__(self, in_features, out_features, name=None):
    super().__init__(name=name)
    self.w = tf.Variable(
      init([in_features, out_features]), name='w')
    self.b = tf.Variable(tf.zeros([out_features]), name='b')
  def __call__(self, x):
    y = tf.matmul(x, self.w) + self.b
    return tf.nn.relu(y)

class SequentialModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)
    self.dense_1 = Dense(in_features=3, out_features=3)
    self.dense_2 = Dense(in_features=3, out_features=2)
  def __call__(self, x):
    x = self.dense_1(x)
    return self.dense_2(x)

my_model = SequentialModule(name="the_model")
print("Model results:", my_model(tf.constant([[2.0, 2.0, 2.0]])))
print("Submodules:", [type(m).__name__ for m in my_model.submodules], [m.name for m in my_model.submodules])
for var in my_model.variables:
  print(var, "\n")

class FlexibleDenseModule(tf.Module):
  def __init__(self, out_features, name=None):
    super().__init__(name=name)
    self.is_built = False
    self.out_features = out_features
  def __call__(self, x):
    if not self.is_built:
      self.w = tf.Variable(
        init([x.shape[-1], self.out_features]), name='w')
      self.b = tf.Variable(tf.zeros([self.out_features]), name='b')
      self.is_built = True
    y = tf.matmul(x, self.w) + self.b
    return tf.nn.relu(y)

class MySequentialModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)
    self.dense_1 = FlexibleDenseModule(out_features=3)
    self.dense_2 = FlexibleDenseModule(out_features=2)
  def __call__(self, x):
    x = self.dense_1(x)
    return self.dense_2(x)

my_model = MySequentialModule(name="the_model")
print("Model results:", my_model(tf.constant([[2.0, 2.0, 2.0]])))

chkp_path = "my_checkpoint"
checkpoint = tf.train.Checkpoint(model=my_model)
print(checkpoint.write(chkp_path))
print(sorted(f for f in os.listdir(".") if f.startswith("my_checkpoint")))
print(tf.train.list_variables(chkp_path))

new_model = MySequentialModule()
new_checkpoint = tf.train.Checkpoint(model=new_model)
new_checkpoint.restore("my_checkpoint")
print(repr(new_model(tf.constant([[2.0, 2.0, 2.0]]))))

class MySequentialModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)
    self.dense_1 = Dense(in_features=3, out_features=3)
    self.dense_2 = Dense(in_features=3, out_features=2)
  @tf.function
  def __call__(self, x):
    x = self.dense_1(x)
    return self.dense_2(x)

my_model = MySequentialModule(name="the_model")
print(my_model([[2.0, 2.0, 2.0]]))
print(my_model([[[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]]))

tf.saved_model.save(my_model, "the_saved_model")
print("variables" in os.listdir("the_saved_model"))
new_model = tf.saved_model.load("the_saved_model")
print(isinstance(new_model, SequentialModule))
print(new_model.dense_1.w.numpy())
print(new_model.dense_2.b)
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    '<tf.Tensor: shape=(), dtype=float32, numpy=30.0>',
    "trainable variables: (<tf.Variable 'train_me:0' shape=() dtype=float32, numpy=5.0>,)",
    "all variables: (<tf.Variable 'train_me:0' shape=() dtype=float32, numpy=5.0>, <tf.Variable 'do_not_train_me:0' shape=() dtype=float32, numpy=5.0>)",
    'simple simple/',
    'Model results: tf.Tensor([[0.05999999 0.23999996]], shape=(1, 2), dtype=float32)',
    "Submodules: ['Dense', 'Dense'] ['dense', 'dense']",
    "<tf.Variable 'b:0' shape=(3,) dtype=float32, numpy=array([0., 0., 0.], dtype=float32)> ",
    '',
    "<tf.Variable 'w:0' shape=(3, 3) dtype=float32, numpy=",
    'array([[-0.3       , -0.20000002, -0.10000001],',
    '       [ 0.        ,  0.09999999,  0.19999999],',
    '       [ 0.3       ,  0.39999998,  0.5       ]], dtype=float32)> ',
    '',
    "<tf.Variable 'b:0' shape=(2,) dtype=float32, numpy=array([0., 0.], dtype=float32)> ",
    '',
    "<tf.Variable 'w:0' shape=(3, 2) dtype=float32, numpy=",
    'array([[-0.3       , -0.20000002],',
    '       [-0.10000001,  0.        ],',
    '       [ 0.09999999,  0.19999999]], dtype=float32)> ',
    '',
    'Model results: tf.Tensor([[0.05999999 0.23999996]], shape=(1, 2), dtype=float32)',
    'my_checkpoint',
    "['my_checkpoint.data-00000-of-00001', 'my_checkpoint.index']",
    "[('_CHECKPOINTABLE_OBJECT_GRAPH', []), ('model/dense_1/b/.ATTRIBUTES/VARIABLE_VALUE', [3]), ('model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE', [3, 3]), ('model/dense_2/b/.ATTRIBUTES/VARIABLE_VALUE', [2]), ('model/dense_2/w/.ATTRIBUTES/VARIABLE_VALUE', [3, 2])]",
    '<tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[0.05999999, 0.23999996]], dtype=float32)>',
    'tf.Tensor([[0.05999999 0.23999996]], shape=(1, 2), dtype=float32)',
    'tf.Tensor(',
    '[[[0.05999999 0.23999996]',
    '  [0.05999999 0.23999996]]], shape=(1, 2, 2), dtype=float32)',
    'True',
    'False',
    '[[-0.3        -0.20000002 -0.10000001]',
    ' [ 0.          0.09999999  0.19999999]',
    ' [ 0.3         0.39999998  0.5       ]]',
    "<tf.Variable 'b:0' shape=(2,) dtype=float32, numpy=array([0., 0.], dtype=float32)>",
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "intro_to_modules_guide", TF_OUTPUT, NUMERIC)


def test_a_loaded_module_runs_here_and_holds_its_variables_elsewhere(tmp_path, monkeypatch):
    # TensorFlow's loaded object runs the saved graph: new_model([[2.0, 2.0, 2.0]]) gives
    # [[0.05999999 0.23999996]]. glassnet's runs in the process that saved it; in another (no copy
    # kept) the variables come back at their paths, and calling the object says what to do instead.
    import numpy as np
    import pytest
    import glassnet as tf
    from glassnet.tf import saved_model

    class Dense(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.w = tf.Variable([[1.0], [2.0]], name="w")

        @tf.function
        def __call__(self, x):
            return tf.matmul(x, self.w)

    model = Dense()
    assert model.name == "dense" and Dense().name == "dense"       # TensorFlow's: not made unique
    assert model.name_scope.name == "dense/"
    tf.saved_model.save(model, str(tmp_path / "saved"))
    loaded = tf.saved_model.load(str(tmp_path / "saved"))
    np.testing.assert_array_equal(loaded(tf.constant([[1.0, 1.0]])).numpy(), [[3.0]])
    assert loaded.w is not model.w
    monkeypatch.setattr(saved_model, "_SAVED_HERE", {})
    loaded = tf.saved_model.load(str(tmp_path / "saved"))
    np.testing.assert_array_equal(loaded.w.numpy(), [[1.0], [2.0]])
    with pytest.raises(TypeError):
        loaded(tf.constant([[1.0, 1.0]]))
