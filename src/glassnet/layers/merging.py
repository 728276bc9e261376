"""Merge layers: several inputs, one output (Keras's ``keras.layers.Add``, ``Concatenate``, ...).

Each is called on a list of arrays ``[x1, x2, ...]`` (``takes_list = True``); ``forward``
takes that list, and ``backward`` returns a list: one gradient per input, in its shape::

    Add          y = x1 + x2 + ... + xn                  dxi = dy
    Subtract     y = x1 - x2                             dx1 = dy        dx2 = -dy
    Multiply     y = x1 * x2 * ... * xn                  dxi = dy * (product of the xj, j != i)
    Average      y = (x1 + x2 + ... + xn) / n            dxi = dy / n
    Maximum      y = max(x1, ..., xn), elementwise       dxi = dy where xi is the maximum, else 0
    Minimum      y = min(x1, ..., xn), elementwise       dxi = dy where xi is the minimum, else 0
    Concatenate  y = [x1 | x2 | ... ] along ``axis``     dxi = the slice of dy where xi went
    Dot          y[b] = sum over k of x1[b, ..k..] * x2[b, ..k..]   (see ``Dot``)

The elementwise layers broadcast as Keras does: an input of lower rank first gets axes of
size 1 right after the batch axis (Keras's ``expand_dims(x, 1)``), then NumPy's broadcasting
applies; the gradient of a broadcast input is summed back over the axes it was stretched
along (``_unbroadcast``). Batch sizes must agree.

Keras's functional spellings build the layer and call it: ``add([a, b])`` is
``Add()([a, b])``; ``concatenate``, ``subtract``, ``multiply``, ``average``, ``maximum``,
``minimum`` and ``dot`` likewise.

>>> import numpy as np, glassnet
>>> a, b = np.array([[1.0, 2.0]]), np.array([[10.0, 20.0]])
>>> np.asarray(glassnet.layers.Add()([a, b])).tolist()
[[11.0, 22.0]]
>>> glassnet.layers.concatenate([a, b]).shape
TensorShape([1, 4])
>>> np.asarray(glassnet.layers.Dot(axes=1)([a, b])).tolist()
[[50.0]]
"""
from __future__ import annotations

import math

import numpy as np

from .. import config
from .base import Layer


def _unbroadcast(grad, shape):
    """``grad`` (the output's shape) summed over the axes an input of ``shape`` was broadcast
    along, and given that input's shape: inserted axes after the batch axis, and axes of size 1."""
    expanded = tuple(shape[:1]) + (1,) * (grad.ndim - len(shape)) + tuple(shape[1:])
    stretched = tuple(i for i, (g, s) in enumerate(zip(grad.shape, expanded)) if s == 1 and g != 1)
    return grad.sum(axis=stretched, keepdims=True).reshape(shape) if stretched else grad.reshape(shape)


class _Merge(Layer):
    """What the merge layers share: a list of inputs, Keras's shape rules and errors, and
    Keras's broadcasting for the elementwise ones (``_expanded`` forward, ``_unbroadcast`` back)."""

    takes_list = True

    def _error(self, message) -> ValueError:
        return ValueError(f"{type(self).__name__} {self.name!r}: {message}")

    def _shapes(self, input_shape) -> list[tuple]:
        """``input_shape`` as a list of shapes, or Keras's error for anything else."""
        if not isinstance(input_shape, (list, tuple)) or not input_shape \
                or not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise self._error("A merge layer should be called on a list of at least 1 input. "
                              f"Received: input_shape={input_shape} (not a list of shapes)")
        return [tuple(s) for s in input_shape]

    def build(self, input_shape) -> None:
        self.compute_output_shape(input_shape)       # no weights: building only checks the shapes
        self.built = True

    def build_from_shape(self, input_shape) -> tuple:
        """Check the shapes (a list, one per input, batch first) and return the output shape."""
        shapes = self._shapes(input_shape)
        if not self.built:
            self.build(shapes)
        self._input_shape = shapes                  # a list of shapes, one per input
        self.output_shape = self.compute_output_shape(shapes)
        return self.output_shape

    def count_params_for(self, input_shape) -> int:
        return 0

    # -- the elementwise layers' shape rule (Keras's ``Merge``) -------------------------------
    def _check_count(self, shapes) -> None:
        """Subtract takes exactly two inputs; the others any number from one."""

    def compute_output_shape(self, input_shape) -> tuple:
        shapes = self._shapes(input_shape)
        self._check_count(shapes)
        batches = {s[0] for s in shapes if s} - {None}
        if len(batches) > 1:
            raise self._error(f"Cannot merge tensors with different batch sizes. Received tensors with shapes {shapes}")
        out = shapes[0][1:]
        for shape in shapes[1:]:
            out = self._broadcast(out, shape[1:])
        return (batches.pop() if batches else None,) + out

    def _broadcast(self, a, b) -> tuple:
        """Two samples' shapes (no batch axis) broadcast against each other, right-aligned."""
        if len(a) < len(b):
            a, b = b, a
        out = list(a[:len(a) - len(b)])
        for i, j in zip(a[len(a) - len(b):], b):
            if i is None or j is None:
                out.append(None)
            elif i == 1 or j == 1:
                out.append(j if i == 1 else i)
            elif i != j:
                raise self._error(f"Inputs have incompatible shapes. Received shapes {a} and {b}")
            else:
                out.append(i)
        return tuple(out)

    def _elementwise_onnx(self, g, xs, op) -> str:
        """``forward`` as ONNX nodes (``xs``: the inputs' tensor names, in order): an input of lower
        rank unsqueezed after the batch axis (ONNX broadcasts from the right, as NumPy), then one
        variadic node (``Sum``, ``Mean``, ``Max``, ``Min``) or a chain of binary ones (``Sub``, ``Mul``)."""
        ranks = [len(s) for s in self.input_shape]
        top = max(ranks)
        xs = [x if r == top else g.node("Unsqueeze", [x, g.initializer("axes", np.arange(1, 1 + top - r))])
              for x, r in zip(xs, ranks)]
        if op not in ("Sub", "Mul"):
            return g.node(op, xs)
        out = xs[0] if len(xs) > 1 else g.node("Identity", xs)
        for x in xs[1:]:
            out = g.node(op, [out, x])
        return out

    def _expanded(self, xs) -> list[np.ndarray]:
        """The inputs checked against the shape rule (batch sizes included), each of lower rank
        given axes of size 1 after the batch axis; remembers each input's shape for backward."""
        self.compute_output_shape([x.shape for x in xs])
        rank = max(x.ndim for x in xs)
        self.shapes = [x.shape for x in xs]
        return [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in xs]

    def _expanded_ops(self, xs) -> list:
        """``_expanded`` with recorded tf operations (``call_ops``: nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415 - the tape's table, loaded when first needed
        self.compute_output_shape([tuple(x.shape) for x in xs])
        rank = max(x.ndim for x in xs)
        self.shapes = [tuple(x.shape) for x in xs]
        return [x if x.ndim == rank else vjps.reshape(x, tuple(x.shape[:1]) + (1,) * (rank - x.ndim) + tuple(x.shape[1:]))
                for x in xs]


class Add(_Merge):
    """Elementwise sum of the inputs (Keras's ``keras.layers.Add``)::

        forward:   y = x1 + x2 + ... + xn
        backward:  dxi = dy        (summed over the axes xi was broadcast along)

    >>> import numpy as np, glassnet
    >>> np.asarray(glassnet.layers.Add()([np.ones((1, 2)), np.array([[5.0]])])).tolist()   # broadcast
    [[6.0, 6.0]]
    """

    def forward(self, xs, training=False):
        xs = self._expanded(xs)
        out = xs[0].copy()                          # a new array: the output never shares an input's memory
        for x in xs[1:]:
            out = out + x
        return out

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        return [_unbroadcast(grad, shape) for shape in self.shapes]

    def call_ops(self, xs, training=False):
        """The same sum, recorded (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415
        xs = self._expanded_ops(xs)
        out = vjps.identity(xs[0])
        for x in xs[1:]:
            out = out + x
        return out

    def to_onnx(self, g, xs) -> str:
        return self._elementwise_onnx(g, xs, "Sum")


class Subtract(_Merge):
    """The first input minus the second (Keras's ``keras.layers.Subtract``; exactly two inputs)::

        forward:   y = x1 - x2
        backward:  dx1 = dy        dx2 = -dy        (each summed back to its input's shape)
    """

    def _check_count(self, shapes):
        if len(shapes) != 2:
            raise self._error(f"A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape={shapes}")

    def forward(self, xs, training=False):
        x1, x2 = self._expanded(xs)
        return x1 - x2

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        return [_unbroadcast(grad, self.shapes[0]), _unbroadcast(-grad, self.shapes[1])]

    def call_ops(self, xs, training=False):
        """The same difference, recorded (nested tapes)."""
        x1, x2 = self._expanded_ops(xs)
        return x1 - x2

    def to_onnx(self, g, xs) -> str:
        return self._elementwise_onnx(g, xs, "Sub")


class Multiply(_Merge):
    """Elementwise product of the inputs (Keras's ``keras.layers.Multiply``)::

        forward:   y = x1 * x2 * ... * xn
        backward:  dxi = dy * (x1 * ... * x(i-1) * x(i+1) * ... * xn)

    (the product of the others, not ``y / xi``: an input may be zero).
    """

    def forward(self, xs, training=False):
        xs = self._expanded(xs)
        # kept as one array (n, *output shape): every input at the output's shape
        self.x = np.stack(np.broadcast_arrays(*xs))
        out = xs[0].copy()
        for x in xs[1:]:
            out = out * x
        return out

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        return [_unbroadcast(grad * np.prod(np.delete(self.x, i, axis=0), axis=0), shape)
                for i, shape in enumerate(self.shapes)]

    def call_ops(self, xs, training=False):
        """The same product, recorded (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415
        xs = self._expanded_ops(xs)
        out = vjps.identity(xs[0])
        for x in xs[1:]:
            out = out * x
        return out

    def to_onnx(self, g, xs) -> str:
        return self._elementwise_onnx(g, xs, "Mul")


class Average(_Merge):
    """Elementwise mean of the inputs (Keras's ``keras.layers.Average``)::

        forward:   y = (x1 + x2 + ... + xn) / n
        backward:  dxi = dy / n
    """

    def forward(self, xs, training=False):
        xs = self._expanded(xs)
        out = xs[0].copy()
        for x in xs[1:]:
            out = out + x
        return out / len(xs)

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        return [_unbroadcast(grad / len(self.shapes), shape) for shape in self.shapes]

    def call_ops(self, xs, training=False):
        """The same mean, recorded (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415
        xs = self._expanded_ops(xs)
        out = vjps.identity(xs[0])
        for x in xs[1:]:
            out = out + x
        return out / len(xs)

    def to_onnx(self, g, xs) -> str:
        return self._elementwise_onnx(g, xs, "Mean")


class _Extremum(_Merge):
    """Maximum and Minimum: the output is, elementwise, one of the inputs (the one ``_pick``
    chooses), and only that input receives the gradient::

        forward:   w = the index of the winning input (ties: the first)    y = x_w
        backward:  dxi = dy where w == i, else 0

    Ties go to the first input, as TensorFlow sends them: Keras computes
    ``maximum(maximum(x1, x2), x3)``, and ``tf.maximum(a, b)`` gives ``a`` the gradient where
    ``a >= b`` (``tf.minimum``: where ``a <= b``).
    """

    def forward(self, xs, training=False):
        stack = np.stack(np.broadcast_arrays(*self._expanded(xs)))
        self.winner = self._pick(stack, axis=0)                # argmax/argmin: the first one, on ties
        return np.take_along_axis(stack, self.winner[None], axis=0)[0]

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        return [_unbroadcast(np.where(self.winner == i, grad, 0).astype(grad.dtype), shape)
                for i, shape in enumerate(self.shapes)]


class Maximum(_Extremum):
    """Elementwise maximum of the inputs (Keras's ``keras.layers.Maximum``)::

        forward:   y = max(x1, ..., xn)
        backward:  dxi = dy where xi is the maximum (ties: the first such input), else 0
    """

    _pick = staticmethod(np.argmax)

    def to_onnx(self, g, xs) -> str:
        return self._elementwise_onnx(g, xs, "Max")


class Minimum(_Extremum):
    """Elementwise minimum of the inputs (Keras's ``keras.layers.Minimum``)::

        forward:   y = min(x1, ..., xn)
        backward:  dxi = dy where xi is the minimum (ties: the first such input), else 0
    """

    _pick = staticmethod(np.argmin)

    def to_onnx(self, g, xs) -> str:
        return self._elementwise_onnx(g, xs, "Min")


class Concatenate(_Merge):
    """The inputs joined along ``axis`` (Keras's ``keras.layers.Concatenate``); all other axes
    must match::

        forward:   y = [x1 | x2 | ... | xn]  along axis
        backward:  dxi = dy[..., start_i : start_i + size_i, ...]   (dy cut where the inputs met)

    >>> import numpy as np, glassnet
    >>> glassnet.layers.Concatenate(axis=1)([np.zeros((2, 2, 5)), np.zeros((2, 1, 5))]).shape
    TensorShape([2, 3, 5])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"Concatenate: axis must be an integer, got {axis!r}")
        self.axis = int(axis)

    def compute_output_shape(self, input_shape) -> tuple:
        shapes = self._shapes(input_shape)
        mismatch = self._error("A `Concatenate` layer requires inputs with matching shapes except for the "
                               f"concatenation axis. Received: input_shape={shapes}")
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes):
            raise mismatch
        if not -rank <= self.axis < rank:
            raise self._error(f"axis {self.axis} is out of range for inputs of rank {rank} (shapes {shapes})")
        axis = self.axis % rank
        out = []
        for i, dims in enumerate(zip(*shapes)):
            known = [d for d in dims if d is not None]
            if i == axis:
                out.append(None if len(known) < len(dims) else sum(known))
            elif len(set(known)) > 1:
                raise mismatch
            else:
                out.append(known[0] if known else None)
        return tuple(out)

    def forward(self, xs, training=False):
        self.compute_output_shape([x.shape for x in xs])
        # where each input ends along the axis, but the last: where backward cuts dy
        self.cuts = np.cumsum([x.shape[self.axis] for x in xs])[:-1]
        return np.concatenate(xs, axis=self.axis)

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        return np.split(grad, self.cuts, axis=self.axis)

    def call_ops(self, xs, training=False):
        """The same join, recorded (nested tapes)."""
        from ..tf import vjps  # noqa: PLC0415
        self.compute_output_shape([tuple(x.shape) for x in xs])
        return vjps.concatenate(*xs, axis=self.axis)

    def to_onnx(self, g, xs) -> str:
        return g.node("Concat", xs, axis=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """The dot product of two inputs along one axis of each, sample by sample (Keras's
    ``keras.layers.Dot``, its ``batch_dot``). With ``a1``, ``a2`` the axes (``axes``: one int for
    both, or a pair; never the batch axis 0), for each sample ``b``::

        forward:   y[b, i.., j..] = sum over k of x1[b, i.. (k at a1)] * x2[b, j.. (k at a2)]
                   (y's axes: x1's without a1, then x2's without the batch axis and a2;
                    two 2-D inputs give shape (batch, 1))
        backward:  dx1[b, i.. (k at a1)] = sum over j.. of dy[b, i.., j..] * x2[b, j.. (k at a2)]
                   dx2[b, j.. (k at a2)] = sum over i.. of dy[b, i.., j..] * x1[b, i.. (k at a1)]

    Written with matrices: move ``a1`` last in ``x1`` and ``a2`` to axis 1 in ``x2``, flatten
    to ``X (b, p, k)`` and ``Y (b, k, q)``: ``Y_out = X @ Y``, ``dX = dY_out @ Y^T``,
    ``dY = X^T @ dY_out``.

    ``normalize=True`` first L2-normalizes each input along its dot axis (the output is then
    the cosine similarity), as Keras, with ``eps = 1e-7``::

        forward:   s = sum over the axis of x^2     r = 1 / max(sqrt(s), eps)     xhat = x * r
        backward:  dx = r * (dxhat - xhat * sum over the axis of (dxhat * xhat))   where sqrt(s) > eps
                   dx = r * dxhat                                                  where sqrt(s) <= eps

    >>> import numpy as np, glassnet
    >>> x1, x2 = np.zeros((2, 3, 5)), np.zeros((2, 4, 3))
    >>> glassnet.layers.Dot(axes=(1, 2))([x1, x2]).shape
    TensorShape([2, 5, 4])
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an int. "
                                f"Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two elements. "
                                 f"Received: axes={axes}")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError("Invalid format for argument `axes`: list elements should be integers. "
                                 f"Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize

    def _axes(self, shape1, shape2) -> tuple[int, int]:
        """The two dot axes, counted from 0 (Keras's rule for negative ones), checked."""
        if len(shape1) < 2 or len(shape2) < 2:
            raise self._error(f"Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes "
                              f"{shape1} and {shape2}.")
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        a1, a2 = pair[0] % len(shape1) if pair[0] < 0 else pair[0], pair[1] % len(shape2) if pair[1] < 0 else pair[1]
        if a1 == 0 or a2 == 0:
            raise self._error("Cannot perform batch_dot over axis 0. If your inputs are not batched, add a "
                              "dummy batch dimension to your inputs using keras.ops.expand_dims(x, 0)")
        if a1 >= len(shape1) or a2 >= len(shape2):
            raise self._error(f"axes={self.axes} is out of range for inputs of shapes {shape1} and {shape2}")
        return a1, a2

    def compute_output_shape(self, input_shape) -> tuple:
        shapes = self._shapes(input_shape)
        if len(shapes) != 2:
            raise self._error(f"A `Dot` layer should be called on a list of 2 inputs. Received: input_shape={shapes}")
        s1, s2 = shapes
        a1, a2 = self._axes(s1, s2)
        if s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]:
            raise self._error(f"Incompatible input shapes: axis values {s1[a1]} (at axis {a1}) != {s2[a2]} "
                              f"(at axis {a2}). Full input shapes: {s1}, {s2}")
        if s1[0] is not None and s2[0] is not None and s1[0] != s2[0]:
            raise self._error(f"Cannot do batch_dot on inputs with different batch sizes. Received inputs with "
                              f"shapes {s1} and {s2}.")
        out = s1[:a1] + s1[a1 + 1:] + s2[1:a2] + s2[a2 + 1:]
        return out if len(out) > 1 else out + (1,)

    def forward(self, xs, training=False):
        self.compute_output_shape([x.shape for x in xs])
        x1, x2 = xs
        a1, a2 = self._axes(x1.shape, x2.shape)
        if self.normalize:
            x1, self.r1, self.free1 = _l2_normalize(x1, a1)
            x2, self.r2, self.free2 = _l2_normalize(x2, a2)
        self.x1, self.x2 = x1, x2                   # kept (normalized, if asked): backward needs them
        X, Y = np.moveaxis(x1, a1, -1), np.moveaxis(x2, a2, 1)      # (b, i.., k) and (b, k, j..)
        b, k = X.shape[0], X.shape[-1]
        out = _flat(X, b, k, last=True) @ _flat(Y, b, k, last=False)  # (b, p, k) @ (b, k, q)
        shape = X.shape[:-1] + Y.shape[2:]
        return out.reshape(shape if len(shape) > 1 else shape + (1,))

    def backward(self, grad, need_input_grad=True):
        if not need_input_grad:
            return None
        a1, a2 = self._axes(self.x1.shape, self.x2.shape)
        X, Y = np.moveaxis(self.x1, a1, -1), np.moveaxis(self.x2, a2, 1)
        b, k = X.shape[0], X.shape[-1]
        Xf, Yf = _flat(X, b, k, last=True), _flat(Y, b, k, last=False)
        G = grad.reshape(b, Xf.shape[1], Yf.shape[2])                # dy as (b, p, q)
        dx1 = np.moveaxis((G @ Yf.transpose(0, 2, 1)).reshape(X.shape), -1, a1)
        dx2 = np.moveaxis((Xf.transpose(0, 2, 1) @ G).reshape(Y.shape), 1, a2)
        if self.normalize:
            dx1 = _l2_normalize_backward(dx1, self.x1, self.r1, self.free1, a1)
            dx2 = _l2_normalize_backward(dx2, self.x2, self.r2, self.free2, a2)
        return [dx1, dx2]

    def to_onnx(self, g, xs) -> str:
        """One ``Einsum`` (``normalize``: each input first divided by ``max(its norm, eps)``); for
        axes ``(1, 2)`` on 3-D inputs the equation is ``acz,adz->acd``... with ``z`` the dot axis."""
        s1, s2 = self.input_shape
        a1, a2 = self._axes(s1, s2)
        x1, x2 = xs
        if self.normalize:
            x1, x2 = _l2_normalize_onnx(g, x1, a1), _l2_normalize_onnx(g, x2, a2)
        free = iter("bcdefghijklmnopqrstuvwxy")
        sub1 = ["a"] + ["z" if i == a1 else next(free) for i in range(1, len(s1))]
        sub2 = ["a"] + ["z" if i == a2 else next(free) for i in range(1, len(s2))]
        out = [c for c in sub1 if c != "z"] + [c for c in sub2[1:] if c != "z"]
        y = g.node("Einsum", [x1, x2], equation=f"{''.join(sub1)},{''.join(sub2)}->{''.join(out)}")
        if len(out) == 1:                           # two vectors per sample: (batch,) -> (batch, 1)
            y = g.node("Unsqueeze", [y, g.initializer("axes", np.array([1]))])
        return y

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _flat(a, b, k, last):
    """``a`` as a batch of matrices: ``(b, p, k)`` with the dot axis last, else ``(b, k, q)``."""
    rest = math.prod(a.shape[1:-1]) if last else math.prod(a.shape[2:])
    return a.reshape((b, rest, k) if last else (b, k, rest))


def _l2_normalize(x, axis):
    """``(x * r, r, free)``: ``r = 1 / max(sqrt(sum(x^2 along axis)), eps)`` (Keras's ``normalize``),
    and ``free`` where the norm is above ``eps`` (there ``r`` depends on ``x``)."""
    norm = np.sqrt(np.sum(x * x, axis=axis, keepdims=True))
    free = norm > config.epsilon()
    r = 1.0 / np.maximum(norm, config.epsilon())
    return x * r, r, free


def _l2_normalize_onnx(g, x, axis) -> str:
    """``x / max(sqrt(sum(x^2 along axis)), eps)`` as ONNX nodes."""
    if g.opset >= 18:                               # axes became an input in opset 18
        square = g.node("ReduceSumSquare", [x, g.initializer("axes", np.array([axis]))], keepdims=1)
    else:
        square = g.node("ReduceSumSquare", [x], axes=[axis], keepdims=1)
    norm = g.node("Max", [g.node("Sqrt", [square]), g.constant(config.epsilon(), "epsilon")])
    return g.node("Div", [x, norm])


def _l2_normalize_backward(dxhat, xhat, r, free, axis):
    """``dx`` from ``dxhat`` (see ``Dot``): the norm's own gradient only where it was not clamped."""
    return r * (dxhat - free * xhat * np.sum(dxhat * xhat, axis=axis, keepdims=True))


# -- Keras's functional spellings: build the layer and call it ------------------------------------
def add(inputs, **kwargs):
    """``keras.layers.add(inputs)``: ``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``keras.layers.subtract(inputs)``: ``Subtract(**kwargs)(inputs)`` (two inputs)."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``keras.layers.multiply(inputs)``: ``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``keras.layers.average(inputs)``: ``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``keras.layers.maximum(inputs)``: ``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``keras.layers.minimum(inputs)``: ``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``keras.layers.concatenate(inputs, axis=-1)``: ``Concatenate(axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """``keras.layers.dot(inputs, axes=-1, normalize=False)``: ``Dot(axes, normalize)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
