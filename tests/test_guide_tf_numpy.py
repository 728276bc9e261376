"""TensorFlow's guide "NumPy API on TensorFlow" (tf_numpy.ipynb) run with ``import glassnet as tf`` and
``import glassnet.experimental.numpy as tnp``: what it prints must be what TensorFlow 2.21 printed for
the same code after ``tnp.experimental_enable_numpy_behavior()`` (recorded under TF 2.21). Lines that
print a class name (EagerTensor) or a TensorShape's repr are left out (glassnet's Tensor is its own
class); tnp.random after tnp.random.seed(1) gives TF's numbers."""
import numpy as np
import pytest

from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import tensorflow as tf
import tensorflow.experimental.numpy as tnp

tnp.experimental_enable_numpy_behavior()
ones = tnp.ones([5, 3], dtype=tnp.float32)
print("Created ND array with shape = %s, rank = %s, "
      "dtype = %s on device = %s\n" % (ones.shape, ones.ndim, ones.dtype, ones.data.device))
print("The ND array wraps a tf.Tensor: %s\n" % ones.data)
print("ndarray.T has shape %s" % str(ones.T.shape))

print("Type promotion for operations")
values = [tnp.asarray(1, dtype=d) for d in (tnp.int32, tnp.int64, tnp.float32, tnp.float64)]
for i, v1 in enumerate(values):
  for v2 in values[i+1:]:
    print("%s + %s => %s" % (v1.dtype, v2.dtype, (v1 + v2).dtype))
print("tnp.asarray(1).dtype == tnp.%s" % tnp.asarray(1).dtype)
print("tnp.asarray(1.).dtype == tnp.%s" % tnp.asarray(1.).dtype)

x = tnp.ones([2, 3])
y = tnp.ones([3])
z = tnp.ones([1, 2, 1])
print("Broadcasting shapes %s, %s and %s gives shape %s" % (x.shape, y.shape, z.shape, (x + y + z).shape))

x = tnp.arange(24).reshape(2, 3, 4)
print(x[1, tnp.newaxis, 1:3, ...])
print(x[:, (True, False, True)])
print(x[1, (0, 0, 1), tnp.asarray([0, 1, 1])])

np_sum = np.sum(tnp.ones([2, 3]))
print("sum = %s." % float(np_sum))
tnp_sum = tnp.sum(np.ones([2, 3]))
print("sum = %s." % float(tnp_sum))
print("x = %s" % (tnp.ones([2]) + np.ones([2])))

x = tf.constant([1, 2])
tnp_x = tnp.asarray(x)
print(tnp_x)
print(tnp_x.data)
print(tf.convert_to_tensor(tnp_x))
print(x.numpy(), x.numpy().__class__)
print("Output = %s" % tf.reduce_sum(tnp.ones([2, 3], tnp.float32)))
print("Output = %s" % tnp.sum(tf.ones([2, 3])))
print("x = %s" % (tnp.ones([2, 2]) + tf.ones([2, 1])))
labels = 15 + 2 * tnp.random.randn(1000)
print(labels.dtype, labels.shape)
with tf.device("/device:CPU:0"):
  prediction_cpu = tnp.copy(tnp.ones([2]))
print(prediction_cpu.data.device)
tnp.random.seed(1)
print(tnp.random.randn(3))
print(tnp.random.uniform(size=(2,)))
print(tnp.random.rand(2))
print(tnp.random.randint(0, 10, size=(3,)))
print(tnp.random.standard_normal(size=(2,)))
'''

TF_OUTPUT = [
    "Created ND array with shape = (5, 3), rank = 2, dtype = <dtype: 'float32'> on device = "
    "/job:localhost/replica:0/task:0/device:CPU:0",
    "",
    "The ND array wraps a tf.Tensor: tf.Tensor(",
    "[[1. 1. 1.]",
    " [1. 1. 1.]",
    " [1. 1. 1.]",
    " [1. 1. 1.]",
    " [1. 1. 1.]], shape=(5, 3), dtype=float32)",
    "",
    "ndarray.T has shape (3, 5)",
    "Type promotion for operations",
    "<dtype: 'int32'> + <dtype: 'int64'> => <dtype: 'int64'>",
    "<dtype: 'int32'> + <dtype: 'float32'> => <dtype: 'float64'>",
    "<dtype: 'int32'> + <dtype: 'float64'> => <dtype: 'float64'>",
    "<dtype: 'int64'> + <dtype: 'float32'> => <dtype: 'float64'>",
    "<dtype: 'int64'> + <dtype: 'float64'> => <dtype: 'float64'>",
    "<dtype: 'float32'> + <dtype: 'float64'> => <dtype: 'float64'>",
    "tnp.asarray(1).dtype == tnp.<dtype: 'int64'>",
    "tnp.asarray(1.).dtype == tnp.<dtype: 'float64'>",
    "Broadcasting shapes (2, 3), (3,) and (1, 2, 1) gives shape (1, 2, 3)",
    "tf.Tensor(",
    "[[[16 17 18 19]",
    "  [20 21 22 23]]], shape=(1, 2, 4), dtype=int64)",
    "tf.Tensor(",
    "[[[ 0  1  2  3]",
    "  [ 8  9 10 11]]",
    "",
    " [[12 13 14 15]",
    "  [20 21 22 23]]], shape=(2, 2, 4), dtype=int64)",
    "tf.Tensor([12 13 17], shape=(3,), dtype=int64)",
    "sum = 6.0.",
    "sum = 6.0.",
    "x = tf.Tensor([2. 2.], shape=(2,), dtype=float64)",
    "tf.Tensor([1 2], shape=(2,), dtype=int32)",
    "tf.Tensor([1 2], shape=(2,), dtype=int32)",
    "tf.Tensor([1 2], shape=(2,), dtype=int32)",
    "[1 2] <class 'numpy.ndarray'>",
    "Output = tf.Tensor(6.0, shape=(), dtype=float32)",
    "Output = tf.Tensor(6.0, shape=(), dtype=float32)",
    "x = tf.Tensor(",
    "[[2. 2.]",
    " [2. 2.]], shape=(2, 2), dtype=float64)",
    "<dtype: 'float64'> (1000,)",
    "/job:localhost/replica:0/task:0/device:CPU:0",
    "tf.Tensor([ 0.4459007   1.43996715 -1.38644356], shape=(3,), dtype=float64)",
    "tf.Tensor([0.08085637 0.26826495], shape=(2,), dtype=float64)",
    "tf.Tensor([0.63421995 0.11782099], shape=(2,), dtype=float64)",
    "tf.Tensor([6 1 6], shape=(3,), dtype=int64)",
    "tf.Tensor([-0.02262274 -0.50904047], shape=(2,), dtype=float64)",
    "",
]


def test_tf_numpy_guide_prints_as_tensorflow():
    assert_guide_prints(GUIDE.replace("tensorflow.experimental", "glassnet.experimental"), "tf_numpy.ipynb",
                        TF_OUTPUT)


def test_tnp_is_importable_by_its_path_and_is_tf_experimental_numpy():
    import glassnet as tf
    import glassnet.experimental.numpy as tnp
    assert tf.experimental.numpy is tnp and tnp.ndarray is tf.Tensor
    assert tnp.float32 is np.float32
    with pytest.raises(AttributeError, match="numpy.random has no attribute 'not_numpy'"):
        tnp.random.not_numpy


def test_example_model_gradients_and_jacobians_through_tnp():
    """The guide's Model: relu layer and linear projection in tnp, its gradients taken by the tape
    (checked against the hand-written derivative) and a batch jacobian of TF's shape."""
    import glassnet as tf
    import glassnet.experimental.numpy as tnp
    tnp.random.seed(0)
    w1 = tnp.random.randn(32, 64).astype(tnp.float32) / tnp.sqrt(32).astype(tnp.float32)
    bias = tnp.random.randn(64).astype(tnp.float32)
    w2 = tnp.random.randn(64, 2).astype(tnp.float32) / 8
    weights = (w1, bias, w2)
    assert all(isinstance(w, tnp.ndarray) and w.dtype == tf.float32 for w in weights)

    def predict(inputs):
        return tnp.matmul(tnp.maximum(tnp.matmul(inputs, w1) + bias, 0), w2)

    inputs = tnp.random.randn(8, 32).astype(tnp.float32)
    labels = tnp.random.randn(8, 2).astype(tnp.float32)
    with tf.GradientTape() as tape:
        tape.watch(weights)
        loss = tnp.sum(tnp.square(predict(inputs) - labels))
    g1, gb, g2 = tape.gradient(loss, weights)
    assert isinstance(g1, tnp.ndarray) and [g.shape for g in (g1, gb, g2)] == [(32, 64), (64,), (64, 2)]
    h = np.maximum(inputs @ w1 + bias, 0)
    d_out = 2 * (h @ w2 - labels)
    d_h = (d_out @ w2.T) * (h > 0)
    np.testing.assert_allclose(g2, h.T @ d_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gb, d_h.sum(0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(g1, inputs.T @ d_h, rtol=1e-4, atol=1e-4)

    batch = tnp.ones([16, 32], tnp.float32)
    with tf.GradientTape() as tape:
        tape.watch(batch)
        prediction = predict(batch)
    jac = tape.batch_jacobian(prediction, batch)
    assert prediction.shape == (16, 2) and jac.shape == (16, 2, 32)
    np.testing.assert_allclose(jac[0], ((w1 * ((batch[0] @ w1 + bias) > 0)) @ w2).T, rtol=1e-5, atol=1e-5)
