"""``keras.activations`` as TensorFlow programs call it: each function returns a Tensor.

``glassnet.keras.activations.sigmoid(z)`` computes exactly ``glassnet.activations.sigmoid``
(one implementation) on a Python number, a list, a 0-d or an n-d array of any float type
(float64 stays float64), and hands back a :class:`glassnet.tensor.Tensor`, so that
``sigmoid(z).numpy()`` works as in TensorFlow. Each function compares equal to the plain
one a layer keeps (``Dense(1, activation="sigmoid").activation == sigmoid``).

>>> import numpy as np
>>> from glassnet.keras.activations import sigmoid
>>> sigmoid(0.0).numpy()
np.float32(0.5)
>>> sigmoid(np.array([0.0, 2.0])).numpy()
array([0.5       , 0.88079708])
"""
from .. import activations as _plain
from ..activations import backward_of, deserialize, get, serialize
from ..tf.tensor import TensorFunction as _TensorFunction

linear = _TensorFunction(_plain.linear)
sigmoid = _TensorFunction(_plain.sigmoid)
tanh = _TensorFunction(_plain.tanh)
relu = _TensorFunction(_plain.relu)
leaky_relu = _TensorFunction(_plain.leaky_relu)
elu = _TensorFunction(_plain.elu)
selu = _TensorFunction(_plain.selu)
gelu = _TensorFunction(_plain.gelu)
silu = _TensorFunction(_plain.silu)
swish = silu
softplus = _TensorFunction(_plain.softplus)
softsign = _TensorFunction(_plain.softsign)
hard_sigmoid = _TensorFunction(_plain.hard_sigmoid)
exponential = _TensorFunction(_plain.exponential)
softmax = _TensorFunction(_plain.softmax)
log_softmax = _TensorFunction(_plain.log_softmax)


# Keras 3's newer ones (glassnet/activations_more.py)
relu6 = _TensorFunction(_plain.relu6)
mish = _TensorFunction(_plain.mish)
hard_silu = _TensorFunction(_plain.hard_silu)
hard_swish = hard_silu
log_sigmoid = _TensorFunction(_plain.log_sigmoid)
celu = _TensorFunction(_plain.celu)
hard_tanh = _TensorFunction(_plain.hard_tanh)
soft_shrink = _TensorFunction(_plain.soft_shrink)
hard_shrink = _TensorFunction(_plain.hard_shrink)
tanh_shrink = _TensorFunction(_plain.tanh_shrink)
squareplus = _TensorFunction(_plain.squareplus)
sparse_plus = _TensorFunction(_plain.sparse_plus)
sparse_sigmoid = _TensorFunction(_plain.sparse_sigmoid)
threshold = _TensorFunction(_plain.threshold)

__all__ = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "swish",
           "softplus", "softsign", "hard_sigmoid", "exponential", "softmax", "log_softmax", "get",
           "serialize", "deserialize", "backward_of", "relu6", "mish", "hard_silu", "hard_swish",
           "log_sigmoid", "celu", "hard_tanh", "soft_shrink", "hard_shrink", "tanh_shrink", "squareplus",
           "sparse_plus", "sparse_sigmoid", "threshold"]
