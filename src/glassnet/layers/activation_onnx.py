"""ONNX recipes of the activation functions: each builds, from ONNX operators, what the
glassnet function computes. The layers' ``to_onnx`` methods (Dense, Conv, Activation, ELU)
apply them with :func:`activation_to_onnx`.

A recipe is ``recipe(g, x) -> str``: ``g`` is the graph being built (``g.node``,
``g.constant``, ``g.initializer``, ``g.scope``; see ``glassnet.saving.onnx.Graph``), ``x`` the
name of the input tensor; it returns the name of the output tensor. Plain Python: nothing
here imports ``onnx``, and nothing in ``glassnet.layers`` imports ``glassnet.saving``.
A function of your own carries its recipe as a ``to_onnx`` attribute, beside ``backward``.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .. import activations

__all__ = ["activation_to_onnx", "elu"]


def _unary(op_type: str, **attrs) -> Callable:
    return lambda g, x: g.node(op_type, [x], **attrs)


def _where_positive(g, x, below: str) -> str:
    """``x if x > 0 else below``."""
    positive = g.node("Greater", [x, g.constant(0.0, "zero")])
    return g.node("Where", [positive, x, below])


def _leaky_relu(g, x):                     # x if x > 0 else 0.2 x (glassnet's default slope)
    return _where_positive(g, x, g.node("Mul", [x, g.constant(0.2, "negative_slope")]))


def elu(g, x, alpha=1.0):                  # x if x > 0 else alpha (exp(min(x, 0)) - 1)
    e = g.node("Exp", [g.node("Min", [x, g.constant(0.0, "zero")])])
    return _where_positive(g, x, g.node("Mul", [g.constant(alpha, "alpha"), g.node("Sub", [e, g.constant(1.0, "one")])]))


def _selu(g, x):                           # scale * elu(x, alpha)
    with g.scope("elu"):
        e = elu(g, x, activations._SELU_ALPHA)
    return g.node("Mul", [g.constant(activations._SELU_SCALE, "scale"), e])


def _erf(g, x) -> str:
    """``erf(x)``. ONNX Runtime's Erf has no float64 kernel, so a float64 graph sums the
    series ``erf(x) = 2/sqrt(pi) x exp(-x^2) sum_n c_n t^n``, ``t = x^2``,
    ``c_n = 2^n / (1*3*...*(2n+1))`` (all terms positive: no cancellation), 100 terms for
    ``|x| <= 6`` (erf(6) is 1 in float64); agrees with ``math.erf`` to about 1e-14. The sum
    goes by ten blocks, ``sum_k t^(10k) P_k(t)`` with ``P_k`` of degree 9, so an element
    needs ten temporaries, not a hundred."""
    if g.dtype != np.float64:
        return g.node("Erf", [x])
    c = np.cumprod(np.concatenate([[1.0], 2.0 / (2 * np.arange(1, 100) + 1)]))
    x = g.node("Clip", [x, g.constant(-6.0, "low"), g.constant(6.0, "high")])
    t = g.node("Unsqueeze", [g.node("Mul", [x, x]), g.initializer("last_axis", np.array([-1]))])
    blocks = g.node("MatMul", [g.node("Pow", [t, g.initializer("j", np.arange(10.0))]),      # P_k(t)
                               g.initializer("c", c.reshape(10, 10).T)])
    shifts = g.node("Pow", [t, g.initializer("ten_k", np.arange(0.0, 100.0, 10.0))])         # t^(10k)
    series = g.node("MatMul", [g.node("Mul", [blocks, shifts]), g.initializer("ones", np.ones(10))])
    front = g.node("Mul", [x, g.constant(2 / math.sqrt(math.pi), "two_over_sqrt_pi")])
    front = g.node("Mul", [front, g.node("Exp", [g.node("Neg", [g.node("Mul", [x, x])])])])
    return g.node("Mul", [front, series], name="Erf")


def _gelu(g, x):                           # 0.5 x (1 + erf(x / sqrt 2)), the exact form
    with g.scope("erf"):
        e = _erf(g, g.node("Div", [x, g.constant(math.sqrt(2), "sqrt2")]))
    half_x = g.node("Mul", [g.constant(0.5, "half"), x])
    return g.node("Mul", [half_x, g.node("Add", [g.constant(1.0, "one"), e])])


def _silu(g, x):                           # x sigmoid(x)
    return g.node("Mul", [x, g.node("Sigmoid", [x])])


def _softplus(g, x):
    """``log(1 + exp(x))``. ONNX Runtime has Softplus for float32 only; a float64 graph
    computes ``max(x, 0) + log1p(exp(-|x|))`` as NumPy's logaddexp does, with
    ``log1p(e) = log(u) e / (u - 1)`` for ``u = 1 + e`` (exact to a few ulp; ``e`` if u == 1)."""
    if g.dtype != np.float64:
        return g.node("Softplus", [x])
    with g.scope("softplus"):
        e = g.node("Exp", [g.node("Neg", [g.node("Abs", [x])])])
        one = g.constant(1.0, "one")
        u = g.node("Add", [one, e])
        ratio = g.node("Div", [e, g.node("Sub", [u, one])])
        log1p = g.node("Where", [g.node("Equal", [u, one]), e,
                                 g.node("Mul", [g.node("Log", [u]), ratio])])
        return g.node("Add", [g.node("Relu", [x]), log1p])


def _softsign(g, x):                       # x / (1 + |x|)
    return g.node("Div", [x, g.node("Add", [g.constant(1.0, "one"), g.node("Abs", [x])])])


def _hard_sigmoid(g, x):                   # clip(x / 6 + 0.5, 0, 1) = relu6(x + 3) / 6, Keras 3's
    shifted = g.node("Add", [g.node("Div", [x, g.constant(6.0, "six")]), g.constant(0.5, "half")])
    return g.node("Clip", [shifted, g.constant(0.0, "zero"), g.constant(1.0, "one")])


_ACTIVATIONS: dict[Callable, Callable] = {
    activations.sigmoid: _unary("Sigmoid"),
    activations.tanh: _unary("Tanh"),
    activations.relu: _unary("Relu"),
    activations.leaky_relu: _leaky_relu,
    activations.elu: elu,
    activations.selu: _selu,
    activations.gelu: _gelu,
    activations.silu: _silu,
    activations.softplus: _softplus,
    activations.softsign: _softsign,
    activations.hard_sigmoid: _hard_sigmoid,
    activations.exponential: _unary("Exp"),
    activations.softmax: _unary("Softmax", axis=-1),
    activations.log_softmax: _unary("LogSoftmax", axis=-1),
}


_ONE_NODE = {activations.sigmoid, activations.tanh, activations.relu, activations.softplus,
             activations.exponential, activations.softmax, activations.log_softmax}


def activation_to_onnx(g, fn: Callable, x: str, layer) -> str:
    """Apply activation ``fn`` to tensor ``x``: no node for linear; a named scope for recipes
    of several nodes (``dense/gelu/...``)."""
    if fn is activations.linear:
        return x
    name = activations.serialize(fn)
    recipe = _ACTIVATIONS.get(fn) or getattr(fn, "to_onnx", None)
    if recipe is None:
        raise ValueError(f"export: layer {layer.name!r} ({type(layer).__name__}) uses the activation {name!r}, "
                         "which has no ONNX recipe: give the function a `to_onnx(g, x)` attribute returning "
                         "the output tensor's name (see glassnet.saving.onnx)")
    if fn in _ONE_NODE:
        return recipe(g, x)                 # one node, named after its op: dense/Sigmoid
    with g.scope(name):
        return recipe(g, x)
