"""``tf.nn`` under TensorFlow's names: activations and cross-entropies from logits.

Each function computes what ``glassnet.activations`` or ``glassnet.losses`` computes (one
implementation: these call them) and returns a :class:`glassnet.tensor.Tensor`. Inputs of
any float type keep it (float64 stays float64); Python numbers and lists become float32.
All are stable far from zero (``softmax([1000, -1000])``, ``sigmoid(-1000)``).

    softmax(z)_i  = exp(z_i - max z) / sum_j exp(z_j - max z)
    sigmoid_cross_entropy_with_logits(y, z)  = max(z, 0) - z y + log(1 + exp(-|z|))
    softmax_cross_entropy_with_logits(y, z)  = -sum_j y_j log_softmax(z)_j
    sparse_softmax_cross_entropy_with_logits(k, z) = logsumexp(z) - z_k

>>> import numpy as np, glassnet as tf
>>> tf.nn.softmax(np.array([1.0, 2.0, 3.0])).numpy().round(4)
array([0.09  , 0.2447, 0.6652])
>>> tf.nn.relu([-1.0, 2.0]).numpy()
array([0., 2.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from .. import activations as _act
from .. import losses as _losses
from . import vjps
from .tensor import Tensor, float_array, wrap, accept_symbolic
from .variable import Variable


def _floats(x):
    """``x`` as the activations take it: a float Tensor or Variable as it is (a tape follows
    it), anything else as a float array (Python numbers and integers become float32)."""
    if isinstance(x, (Tensor, Variable)) and x.dtype.kind == "f":
        return x
    return wrap(float_array(x.value if isinstance(x, Variable) else x))

__all__ = ["softmax", "log_softmax", "sigmoid", "tanh", "relu", "relu6", "leaky_relu", "elu", "selu",
           "gelu", "silu", "swish", "softplus", "softsign", "sigmoid_cross_entropy_with_logits",
           "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits", "l2_loss",
           "l2_normalize", "moments", "embedding_lookup", "top_k", "compute_average_loss",
           "scale_regularization_loss"]


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """``tf.nn.compute_average_loss``: ``sum(per_example_loss * sample_weight) / global_batch_size``,
    the loss of one replica's share of a global batch (default: this batch's rows times the
    strategy's ``num_replicas_in_sync``, 1 here), so that the replicas' sum is the batch mean."""
    from . import distribute  # noqa: PLC0415 - loaded when first used
    from .dtypes import cast  # noqa: PLC0415
    from .math import reduce_sum  # noqa: PLC0415
    loss = _floats(per_example_loss)
    if len(loss.shape) == 0:
        raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor with at least rank 1. "
                         f"Received per_example_loss={per_example_loss!r}")
    if sample_weight is not None:
        loss = loss * cast(sample_weight, loss.dtype)
    if global_batch_size is None:
        global_batch_size = loss.shape[0] * distribute.get_strategy().num_replicas_in_sync
    elif isinstance(global_batch_size, bool) or not isinstance(global_batch_size, (int, np.integer)) \
            or global_batch_size <= 0:
        raise ValueError(f"compute_average_loss: global_batch_size must be a positive integer, got "
                         f"global_batch_size={global_batch_size!r}")
    return reduce_sum(loss) / cast(global_batch_size, loss.dtype)


def scale_regularization_loss(regularization_loss):
    """``tf.nn.scale_regularization_loss``: the summed penalty divided by ``num_replicas_in_sync``."""
    from . import distribute  # noqa: PLC0415
    from .math import add_n  # noqa: PLC0415
    loss = add_n(regularization_loss) if isinstance(regularization_loss, (list, tuple)) \
        else _floats(regularization_loss)
    return loss / distribute.get_strategy().num_replicas_in_sync


def top_k(input, k=1, sorted=True, index_type=np.int32, name=None):  # noqa: A002
    """``tf.nn.top_k`` is ``tf.math.top_k`` (glassnet/tf/selection.py, loaded on first use)."""
    from .selection import top_k as math_top_k  # noqa: PLC0415
    return math_top_k(input, k=k, sorted=sorted, index_type=index_type)


def _axis(axis):
    return -1 if axis is None else axis


def softmax(logits, axis=None, name=None) -> Tensor:
    """``exp(z - max z) / sum exp(z - max z)`` along ``axis`` (default: the last)."""
    return vjps.softmax(_floats(logits), axis=_axis(axis))


def log_softmax(logits, axis=None, name=None) -> Tensor:
    """``z - max z - log sum exp(z - max z)`` along ``axis`` (default: the last)."""
    return vjps.log_softmax(_floats(logits), axis=_axis(axis))


def sigmoid(x, name=None) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return vjps.sigmoid(_floats(x))


def tanh(x, name=None) -> Tensor:
    """``tanh(x)``."""
    return wrap(np.tanh(_floats(x)))


def relu(features, name=None) -> Tensor:
    """``max(x, 0)``."""
    return vjps.relu(_floats(features))


def relu6(features, name=None) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return wrap(np.minimum(vjps.relu(_floats(features)), 6.0))


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """``x if x > 0 else alpha x`` (TensorFlow's default ``alpha=0.2``)."""
    return vjps.leaky_relu(_floats(features), negative_slope=alpha)


def elu(features, name=None) -> Tensor:
    """``x if x > 0 else exp(x) - 1``."""
    return vjps.activation_by(_act.elu, _floats(features))


def selu(features, name=None) -> Tensor:
    """``scale * elu(x, alpha)``, alpha = 1.67326..., scale = 1.05070..."""
    return vjps.activation(_floats(features), _act.selu)


def gelu(features, approximate=False, name=None) -> Tensor:
    """``0.5 x (1 + erf(x / sqrt 2))`` (the tanh form if ``approximate``)."""
    return vjps.activation(_floats(features), _act.gelu, approximate=approximate)


def silu(features, beta=1.0, name=None) -> Tensor:
    """``x sigmoid(beta x)`` (also called swish)."""
    x = _floats(features)
    if beta == 1.0:
        return vjps.activation(x, _act.silu)
    return wrap(x * vjps.sigmoid(beta * x))


swish = silu


def softplus(features, name=None) -> Tensor:
    """``log(1 + exp(x))``, never overflowing."""
    return vjps.softplus(_floats(features))


def softsign(features, name=None) -> Tensor:
    """``x / (1 + |x|)``."""
    return vjps.activation(_floats(features), _act.softsign)


def _pair(labels, logits, what):
    if labels is None or logits is None:
        raise ValueError(f"{what}: give both labels= and logits=")
    z = _floats(logits)
    y = np.asarray(labels.value if isinstance(labels, Variable) else labels, dtype=z.dtype)
    if y.shape != tuple(z.shape):
        raise ValueError(f"{what}: labels has shape {y.shape} but logits has shape {tuple(z.shape)}; they must match")
    return y, z


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Elementwise ``max(z, 0) - z y + log(1 + exp(-|z|))`` (not reduced), as
    ``BinaryCrossentropy(from_logits=True)`` computes before its mean;  dJ/dz = g (sigmoid(z) - y).

    >>> sigmoid_cross_entropy_with_logits(labels=[1.0], logits=[0.0]).numpy().round(6)
    array([0.693147], dtype=float32)
    """
    y, z = _pair(labels, logits, "sigmoid_cross_entropy_with_logits")
    # the loss's mean over a trailing axis of length 1 is each element itself
    loss = _losses.BinaryCrossentropy()
    return vjps.sigmoid_xent(y, z, forward=lambda y_, z_: loss.call_from_logits(y_[..., None], z_[..., None]))


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """Per sample ``-sum_j y_j log_softmax(z)_j`` along ``axis`` (``labels`` are probabilities);
    dJ/dz = g (softmax(z) sum_j y_j - y)."""
    y, z = _pair(labels, logits, "softmax_cross_entropy_with_logits")
    return vjps.softmax_xent(y, z, forward=_losses.CategoricalCrossentropy(axis=axis).call_from_logits, axis=axis)


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Per sample ``logsumexp(z) - z_k`` for integer labels ``k`` (shape: logits' without its
    last axis);  dJ/dz = g (softmax(z) - onehot(k))."""
    if labels is None or logits is None:
        raise ValueError("sparse_softmax_cross_entropy_with_logits: give both labels= and logits=")
    z = _floats(logits)
    k = np.asarray(labels.value if isinstance(labels, Variable) else labels)
    if k.shape != tuple(z.shape[:-1]):
        raise ValueError(f"sparse_softmax_cross_entropy_with_logits: labels has shape {k.shape}; logits of "
                         f"shape {tuple(z.shape)} need labels of shape {tuple(z.shape[:-1])}")
    if k.dtype.kind not in "iu":
        raise TypeError(f"sparse_softmax_cross_entropy_with_logits: labels must be integers, got {k.dtype}")
    if k.size and (k.min() < 0 or k.max() >= z.shape[-1]):
        bad = np.argwhere((k < 0) | (k >= z.shape[-1]))[0]
        raise ValueError(f"sparse_softmax_cross_entropy_with_logits: labels[{', '.join(str(int(i)) for i in bad)}] "
                         f"is {int(k[tuple(bad)])}, outside 0..{z.shape[-1] - 1} (logits have {z.shape[-1]} classes)")
    return vjps.softmax_xent(k, z, forward=_losses.SparseCategoricalCrossentropy().call_from_logits, axis=-1)


def l2_loss(t, name=None) -> Tensor:
    """``sum(t^2) / 2``."""
    t = _floats(t)
    return vjps.sum(t * t) / 2


# `Dense(4, activation=tf.nn.relu)`: the layer keeps the plain function these compute with.
def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """``x / sqrt(max(sum(x^2, axis), epsilon))`` (tf.math.l2_normalize)."""
    from .math import l2_normalize as _l2  # noqa: PLC0415 - math imports activations, as this does
    return _l2(x, axis=axis, epsilon=epsilon, dim=dim)


def moments(x, axes, shift=None, keepdims=False, name=None) -> tuple:
    """``(mean, variance)`` of ``x`` over ``axes``."""
    from .math import reduce_mean  # noqa: PLC0415
    x = _floats(x)
    mean = reduce_mean(x, axis=list(axes), keepdims=True)
    variance = reduce_mean((x - mean) * (x - mean), axis=list(axes), keepdims=keepdims)
    return (mean if keepdims else vjps.squeeze(mean, axis=tuple(axes))), variance


def embedding_lookup(params, ids, max_norm=None, name=None) -> Tensor:
    """The rows of ``params`` at ``ids`` (``tf.nn.embedding_lookup``, what ``Embedding`` does):
    ``out[..., :] = params[ids[...], :]``; dJ/dparams adds each looked-up row's gradient back
    into its row (a scatter-add), as :func:`glassnet.gather` does."""
    if max_norm is not None:
        raise ValueError("embedding_lookup: max_norm is not supported by glassnet")
    from .ops import gather  # noqa: PLC0415
    return gather(params, ids)


for _fn, _plain in [(softmax, _act.softmax), (log_softmax, _act.log_softmax), (sigmoid, _act.sigmoid),
                    (tanh, _act.tanh), (relu, _act.relu), (leaky_relu, _act.leaky_relu), (elu, _act.elu),
                    (selu, _act.selu), (gelu, _act.gelu), (silu, _act.silu), (softplus, _act.softplus),
                    (softsign, _act.softsign)]:
    _fn._glassnet_plain = _plain
del _fn, _plain


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes

# convolutions, pooling and dropout (tf/nn_conv.py): loaded when one is first used
_CONV = ("conv1d", "conv2d", "convolution", "depthwise_conv2d", "max_pool", "max_pool1d", "max_pool2d",
         "avg_pool", "avg_pool1d", "avg_pool2d", "dropout")
__all__ += list(_CONV)


def __getattr__(name):
    if name in _CONV:
        from . import nn_conv  # noqa: PLC0415
        value = globals()[name] = getattr(nn_conv, name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
