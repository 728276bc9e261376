"""``tf.linalg``: the matrix functions programs call, each recorded by an open tape.

>>> import glassnet as tf
>>> tf.linalg.matmul([[1.0, 2.0]], [[3.0], [4.0]]).numpy()
array([[11.]], dtype=float32)
>>> float(tf.linalg.norm([3.0, 4.0]))
5.0
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from . import vjps
from .math import l2_normalize
from .index_map import positions, take
from .ops import _array, _values, einsum, matmul, transpose
from .tensor import Tensor, wrap, accept_symbolic

__all__ = ["matmul", "transpose", "matrix_transpose", "norm", "trace", "diag_part", "tensordot", "matvec",
           "l2_normalize", "inv", "det", "slogdet", "logdet", "solve", "diag", "band_part", "eye", "adjoint",
           "set_diag", "einsum", "global_norm", "normalize", "cross", "triangular_solve", "cholesky_solve", "lstsq",
           "cholesky", "qr", "svd", "eigh", "eigvalsh", "pinv", "matrix_rank", "tensor_diag", "tensor_diag_part"]


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


def eye(num_rows, num_columns=None, batch_shape=None, dtype=np.float32, name=None) -> Tensor:
    """``tf.linalg.eye`` is ``tf.eye`` (glassnet/tf/array_ops.py, loaded on first use)."""
    from .array_ops import eye as tf_eye  # noqa: PLC0415
    return tf_eye(num_rows, num_columns, batch_shape, dtype)


def adjoint(matrix, name=None) -> Tensor:
    """The conjugate transpose of the last two axes (the transpose, for real matrices)."""
    out = matrix_transpose(matrix)
    return wrap(np.conj(out)) if out.dtype.kind == "c" else out


def _square(x, who, what="input"):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{who}: {what} must be square matrices (..., n, n), got shape {tuple(x.shape)}")
    return x


def _t(x):
    return vjps.swapaxes(x, axis1=-1, axis2=-2)


def _inv(a):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError as e:
        from .errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, "inv: Input is not invertible.") from e


vjps.defvjp(_inv, lambda ans, a: lambda g: -np.matmul(_t(ans), np.matmul(g, _t(ans))))   # -A^-T g A^-T


def inv(input, adjoint=False, name=None) -> Tensor:  # noqa: A002
    """The inverse of each square matrix (``adjoint``: of its adjoint);  dJ/dA = -A^-T g A^-T.
    A singular matrix raises ``InvalidArgumentError``."""
    x = _square(_values(input), "inv")
    return vjps.apply(_inv, _t(x) if adjoint else x)


vjps.defvjp(np.linalg.det, lambda ans, a: lambda g: _t(inv(a)) * vjps.expand_dims(vjps.expand_dims(g * ans, -1), -1))


def det(input, name=None) -> Tensor:  # noqa: A002
    """The determinant of each square matrix;  dJ/dA = g det(A) A^-T."""
    return vjps.apply(np.linalg.det, _square(_values(input), "det"))


LogMatrixDeterminant = namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])


def slogdet(input, name=None):  # noqa: A002
    """``(sign, log_abs_determinant)`` of each square matrix;  d log|det| / dA = A^-T."""
    x = _square(_values(input), "slogdet")
    sign, _ = np.linalg.slogdet(np.asarray(_array(x)))
    return LogMatrixDeterminant(wrap(sign.astype(x.dtype)), logdet_abs(x))


def _logabsdet(a):
    return np.linalg.slogdet(a)[1].astype(a.dtype)


vjps.defvjp(_logabsdet, lambda ans, a: lambda g: _t(inv(a)) * vjps.expand_dims(vjps.expand_dims(g, -1), -1))


def logdet_abs(x):
    return vjps.apply(_logabsdet, x)


def logdet(matrix, name=None) -> Tensor:
    """``log det(A)`` of positive-definite matrices;  dJ/dA = g A^-T."""
    return logdet_abs(_square(_values(matrix), "logdet", "matrix"))


def _solve(a, b):
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError as e:
        from .errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, "solve: Input matrix is not invertible.") from e


vjps.defvjp(_solve, lambda ans, a, b: lambda g: -np.matmul(solve(_t(a), g), _t(ans)),    # -A^-T g x^T
                    lambda ans, a, b: lambda g: solve(_t(a), g))                          # A^-T g


def solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """``x`` with ``A x = rhs`` (``matrix`` (..., n, n), ``rhs`` (..., n, k));  dJ/drhs = A^-T g,
    dJ/dA = -(A^-T g) x^T."""
    a = _square(_values(matrix), "solve", "matrix")
    b = _values(rhs)
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve: rhs must be (..., {a.shape[-1]}, k) for matrix {tuple(a.shape)}, "
                         f"got {tuple(b.shape)}")
    return vjps.apply(_solve, _t(a) if adjoint else a, b)


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT") -> Tensor:
    """A matrix (or a batch: one per leading index) with ``diagonal`` on its ``k``-th diagonal
    and ``padding_value`` elsewhere;  dJ/ddiagonal = g's diagonal."""
    d = _values(diagonal)
    if d.ndim < 1:
        raise ValueError("diag: diagonal must have rank >= 1")
    k = int(k)
    n = d.shape[-1]
    rows, cols = int(num_rows), int(num_cols)
    if rows < 0 and cols < 0:
        rows = cols = n + abs(k)                    # square, as TensorFlow's
    elif rows < 0:
        rows = n + max(-k, 0)                       # the fewest that hold the diagonal
    elif cols < 0:
        cols = n + max(k, 0)
    index = -np.ones(d.shape[:-1] + (rows, cols), np.int64)
    own = positions(d.shape)
    i = np.arange(n)
    r, c = i + max(-k, 0), i + max(k, 0)
    ok = (r < rows) & (c < cols)
    index[..., r[ok], c[ok]] = own[..., i[ok]]
    return take(d, index, fill=np.asarray(padding_value).astype(d.dtype))


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """``input`` with its main diagonal replaced by ``diagonal``."""
    x, d = _values(input), _values(diagonal)
    n = min(x.shape[-2], x.shape[-1])
    if k != 0 or d.shape != x.shape[:-2] + (n,):
        raise ValueError(f"set_diag: diagonal must have shape {x.shape[:-2] + (n,)} (k=0 only), got {d.shape}")
    on = np.zeros(x.shape[-2:], bool)
    on[np.arange(n), np.arange(n)] = True
    return vjps.where(on, diag(d, num_rows=x.shape[-2], num_cols=x.shape[-1]), x)


def band_part(input, num_lower, num_upper, name=None) -> Tensor:  # noqa: A002
    """Each matrix with the entries more than ``num_lower`` below or ``num_upper`` above the
    diagonal set to 0 (-1: keep that whole triangle);  dJ/dx = g inside the band."""
    x = _values(input)
    if x.ndim < 2:
        raise ValueError(f"band_part: input must have rank >= 2, got {x.ndim}")
    lower, upper = int(_array(num_lower)), int(_array(num_upper))
    i = np.arange(x.shape[-2])[:, None]
    j = np.arange(x.shape[-1])[None, :]
    keep = ((lower < 0) | (i - j <= lower)) & ((upper < 0) | (j - i <= upper))
    return vjps.where(keep, x, np.zeros((), x.dtype))


def global_norm(t_list, name=None) -> Tensor:
    """``sqrt(sum of the squares of every tensor)`` (None entries skipped)."""
    present = [_values(t) for t in t_list if t is not None]
    if not present:
        return wrap(np.asarray(0.0, np.float32))
    return wrap(np.sqrt(sum(vjps.sum(t * t) for t in present)))


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """``(tensor / norm, norm)``, the norm kept with its axes (as TensorFlow's)."""
    x = _values(tensor)
    n = norm(x, ord=ord, axis=axis, keepdims=True)
    return x / n, n


def cross(a, b, name=None) -> Tensor:
    """The cross product of 3-vectors (the last axis);  recorded, so both get gradients."""
    a, b = _values(a), _values(b)
    if a.shape[-1:] != (3,) or b.shape[-1:] != (3,):
        raise ValueError(f"cross: the last axis must have 3 entries, got {tuple(a.shape)} and {tuple(b.shape)}")
    c = [a[..., (i + 1) % 3] * b[..., (i + 2) % 3] - a[..., (i + 2) % 3] * b[..., (i + 1) % 3] for i in range(3)]
    return vjps.stack(*c, axis=-1)


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """``x`` with ``T x = rhs``, ``T`` the lower (or upper) triangle of ``matrix``;  as :func:`solve`."""
    t = band_part(matrix, -1, 0) if lower else band_part(matrix, 0, -1)
    return solve(t, rhs, adjoint=adjoint)


def cholesky_solve(chol, rhs, name=None) -> Tensor:
    """``x`` with ``L L^T x = rhs``, ``chol`` = L from :func:`cholesky`."""
    lower = band_part(chol, -1, 0)
    return solve(np.matmul(lower, _t(lower)), rhs)


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None) -> Tensor:
    """The least-squares ``x`` of ``A x = rhs``: ``(A^T A + l2 I)^-1 A^T rhs`` (the normal
    equations, as TensorFlow's ``fast`` path);  recorded through :func:`solve`."""
    a, b = _values(matrix), _values(rhs)
    gram = np.matmul(_t(a), a) + float(l2_regularizer) * np.eye(a.shape[-1], dtype=np.dtype(a.dtype))
    return solve(gram, np.matmul(_t(a), b))


def _named(fn, name):
    fn.__name__ = name
    return fn


def _cholesky(a):
    """NumPy's Cholesky factor; a matrix that is not positive definite gives NaN in its lower
    triangle, as TensorFlow 2's eager one (it does not raise)."""
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        out = np.zeros_like(a)
        lower = np.tril(np.ones(a.shape[-2:], bool))
        for idx in np.ndindex(a.shape[:-2]):
            try:
                out[idx] = np.linalg.cholesky(a[idx])
            except np.linalg.LinAlgError:
                out[idx] = np.where(lower, np.nan, 0)
        return out


_cholesky.__name__ = "tf.linalg.cholesky"
_qr = _named(lambda a, full_matrices=False: np.linalg.qr(a, mode="complete" if full_matrices else "reduced"),
             "tf.linalg.qr")
_svd = _named(lambda a, full_matrices=False: np.linalg.svd(a, full_matrices=full_matrices), "tf.linalg.svd")
_eigh = _named(lambda a: np.linalg.eigh(a), "tf.linalg.eigh")
_pinv = _named(lambda a, rcond=None: np.linalg.pinv(a) if rcond is None else np.linalg.pinv(a, rcond=rcond),
               "tf.linalg.pinv")


def cholesky(input, name=None) -> Tensor:  # noqa: A002
    """``L``, lower triangular, with ``L L^T = input`` (NaN for a matrix that is not positive
    definite, as TensorFlow's; no gradient rule here: a tape refuses it, by name)."""
    return vjps.apply(_cholesky, _square(_values(input), "cholesky"))


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """``(q, r)`` with ``input = q r`` (no gradient rule here)."""
    return vjps.apply(_qr, _values(input), full_matrices=bool(full_matrices))


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """``(s, u, v)`` with ``tensor = u diag(s) v^T`` (TensorFlow's order; ``s`` alone when not
    ``compute_uv``; no gradient rule here)."""
    u, s, vh = vjps.apply(_svd, _values(tensor), full_matrices=bool(full_matrices))
    return (s, u, _t(vh)) if compute_uv else s


def eigh(tensor, name=None):
    """``(e, v)``: eigenvalues (ascending) and eigenvectors of symmetric matrices (no gradient rule here)."""
    e, v = vjps.apply(_eigh, _square(_values(tensor), "eigh", "tensor"))
    return e, v


def eigvalsh(tensor, name=None) -> Tensor:
    return eigh(tensor)[0]


def pinv(a, rcond=None, validate_args=False, name=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse (no gradient rule here)."""
    return vjps.apply(_pinv, _values(a), rcond=rcond)


def matrix_rank(a, tol=None, validate_args=False, name=None) -> Tensor:
    """How many singular values are above ``tol`` (int32)."""
    plain = np.asarray(_array(a))
    return wrap(np.asarray(np.linalg.matrix_rank(plain, tol=tol), dtype=np.int32))


def tensor_diag(diagonal, name=None) -> Tensor:
    """A tensor of rank 2k with ``diagonal`` (rank k) on its diagonal."""
    d = _values(diagonal)
    n = int(np.prod(d.shape))
    index = -np.ones((n, n), np.int64)
    index[np.arange(n), np.arange(n)] = np.arange(n)
    return take(d, index.reshape(tuple(d.shape) * 2), fill=np.zeros((), np.dtype(d.dtype)))


def tensor_diag_part(input, name=None) -> Tensor:  # noqa: A002
    """The diagonal of a tensor of rank 2k (shape ``s + s``), of shape ``s``."""
    x = _values(input)
    k = x.ndim // 2
    if x.ndim % 2 or x.shape[:k] != x.shape[k:]:
        raise ValueError(f"tensor_diag_part: input must have a shape s + s, got {tuple(x.shape)}")
    n = int(np.prod(x.shape[:k]))
    return take(x, (np.arange(n) * (n + 1)).reshape(x.shape[:k]))


accept_symbolic(globals(), __all__)      # tf functions on a functional model's tensors make Lambda nodes
