"""``tf.linalg``: the matrix functions programs call, each recorded by an open tape.

>>> import glassnet as tf
>>> tf.linalg.matmul([[1.0, 2.0]], [[3.0], [4.0]]).numpy()
array([[11.]], dtype=float32)
>>> float(tf.linalg.norm([3.0, 4.0]))
5.0
"""
from __future__ import annotations

import numpy as np

from . import vjps
from .math import l2_normalize
from .ops import _values, matmul, transpose
from .tensor import Tensor, wrap, accept_symbolic

__all__ = ["matmul", "transpose", "matrix_transpose", "norm", "trace", "diag_part", "tensordot", "matvec",
           "l2_normalize"]


def matrix_transpose(a, name="matrix_transpose", conjugate=False) -> Tensor:
    """The last two axes exchanged;  dJ/da = g with them exchanged back."""
    return vjps.swapaxes(_values(a), axis1=-1, axis2=-2)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None) -> Tensor:  # noqa: A002
    """``sqrt(sum x^2)`` over ``axis`` (all by default: the Frobenius norm of a matrix);
    ``ord=1``: ``sum |x|``; ``ord=np.inf``: ``max |x|``. dJ/dx = g x / norm for the euclidean one."""
    x = _values(tensor)
    axis = tuple(axis) if isinstance(axis, list) else axis
    keep = bool(keepdims)
    if ord in ("euclidean", "fro", 2, None):
        if ord == 2 and isinstance(axis, tuple) and len(axis) == 2:
            raise ValueError("norm: the spectral norm (ord=2 over two axes) is not supported")
        return wrap(np.sqrt(vjps.sum(x * x, axis=axis, keepdims=keep)))
    if ord == 1:
        return vjps.sum(np.abs(x), axis=axis, keepdims=keep)
    if ord == np.inf:
        return vjps.max(np.abs(x), axis=axis, keepdims=keep)
    raise ValueError(f"norm: ord must be 'euclidean', 'fro', 1, 2 or np.inf, got {ord!r}")


def trace(x, name=None) -> Tensor:
    """The sum of the main diagonal of the last two axes."""
    x = _values(x)
    n = min(x.shape[-2], x.shape[-1])
    return vjps.sum(diag_part(x), axis=-1) if n else wrap(np.zeros(x.shape[:-2], x.dtype))


def diag_part(input, name="diag_part", k=0) -> Tensor:  # noqa: A002
    """``x[..., i, i]`` for each ``i``;  dJ/dx = g on the diagonal, 0 elsewhere."""
    x = _values(input)
    n = min(x.shape[-2], x.shape[-1])
    i = np.arange(n)
    return vjps.getitem(x, (Ellipsis, i, i))


def matvec(a, b, transpose_a=False, name=None) -> Tensor:
    """``a @ b`` for a matrix (or batch of them) and a vector."""
    a = matrix_transpose(a) if transpose_a else _values(a)
    return wrap(np.matmul(a, _values(b)))


def tensordot(a, b, axes, name=None) -> Tensor:
    """Sums of products over ``axes`` (an int: the last ``axes`` of ``a`` with the first of
    ``b``), written as a matmul of reshaped operands so that a tape records it."""
    a, b = _values(a), _values(b)
    if isinstance(axes, (int, np.integer)):
        axes = (list(range(a.ndim - int(axes), a.ndim)), list(range(int(axes))))
    ax_a = [int(x) % a.ndim for x in np.atleast_1d(axes[0])]
    ax_b = [int(x) % b.ndim for x in np.atleast_1d(axes[1])]
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = int(np.prod([a.shape[i] for i in ax_a]))
    a2 = vjps.reshape(vjps.transpose(a, axes=tuple(free_a + ax_a)), (-1, k))
    b2 = vjps.reshape(vjps.transpose(b, axes=tuple(ax_b + free_b)), (k, -1))
    return vjps.reshape(np.matmul(a2, b2), tuple(a.shape[i] for i in free_a) + tuple(b.shape[i] for i in free_b))


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes
