"""Logistic and linear regression, trained in the course's three steps, in plain NumPy.

Before a network, recall how logistic regression was trained:

1. **The model**: how to compute the output from ``x`` and the parameters ``w, b``:
   ``z = np.dot(x, w) + b``, ``f_x = 1 / (1 + np.exp(-z))``  (:meth:`LogisticRegression.f`).
2. **The loss and the cost**: the loss on one example,
   ``L = -y * np.log(f_x) - (1 - y) * np.log(1 - f_x)``  (:meth:`~LogisticRegression.loss`),
   and the cost, its average over the ``m`` examples,
   ``J(w, b) = (1/m) * sum_i L(f(x_i), y_i)`` (+ ``lambda_/(2m) * sum_j w_j**2`` with L2)
   (:meth:`~LogisticRegression.cost`).
3. **Gradient descent** on ``J``: repeat ``w = w - alpha * dj_dw``, ``b = b - alpha * dj_db``
   (:meth:`~LogisticRegression.gradient`, :meth:`~LogisticRegression.fit`).

A network is trained by the same three steps: ``Sequential([...])`` is step 1,
``compile(loss=BinaryCrossentropy())`` step 2, ``fit(X, y, epochs=...)`` step 3. With a single
``Dense(1, activation="sigmoid")`` unit, ``SGD(learning_rate=alpha)`` and full batches, the
network *is* this logistic regression: ``tests/test_linear.py`` checks that both end with
the same ``w`` and ``b``.

Both classes share the gradient ``dj_dw = X.T @ (f - y) / m``, ``dj_db = mean(f - y)``: only
``f`` differs (sigmoid or identity), because each loss was chosen to make it so.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["LogisticRegression", "LinearRegression"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``g(z) = 1 / (1 + e^-z)``, computed without overflow for large ``|z|``."""
    z = np.asarray(z)
    out = np.empty_like(z, dtype=np.result_type(z, np.float32))
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])  # for z < 0: e^z / (1 + e^z), which cannot overflow
    out[~pos] = ez / (1.0 + ez)
    return out


class _GradientDescentModel:
    """What both models share: parameters, checks, the cost, the gradient and the loop."""

    def __init__(self, alpha: float = 0.01, num_iters: int = 1000, lambda_: float = 0.0) -> None:
        self.alpha = _check_number("alpha", alpha, positive=True)
        if isinstance(num_iters, bool) or not isinstance(num_iters, (int, np.integer)):
            raise TypeError(f"{type(self).__name__}: num_iters must be an int, "
                            f"got {num_iters!r}")
        if num_iters < 0:
            raise ValueError(f"{type(self).__name__}: num_iters must be >= 0, got {num_iters}")
        self.num_iters = int(num_iters)
        self.lambda_ = _check_number("lambda_", lambda_, positive=False)
        self.w: np.ndarray | None = None
        self.b: float | None = None
        self.J_history: list[float] = []

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(alpha={self.alpha!r}, num_iters={self.num_iters!r}, "
                f"lambda_={self.lambda_!r})")

    # --- step 1: the model (each subclass defines _g, the function applied to z) --------

    def f(self, X: Any) -> np.ndarray:
        """The model's output ``f_wb(x) = g(X @ w + b)`` for each row of ``X``: shape ``(m,)``."""
        X = self._check_X(X)
        w, b = self._params(None, None, X)
        return self._g(X @ w + b)

    # --- step 2: the cost -----------------------------------------------------------

    def cost(self, X: Any, y: Any, w: Any = None, b: Any = None) -> float:
        """The cost ``J(w, b) = mean(loss) + lambda_/(2m) * sum(w**2)`` over the examples.

        ``w`` and ``b`` default to the model's own (after :meth:`fit`); pass others to
        evaluate ``J`` anywhere, e.g. for a gradient check.
        """
        X, y = self._check_Xy(X, y)
        w, b = self._params(w, b, X)
        return float(self._cost_and_gradient(X, y, w, b)[0])

    # --- step 3: gradient descent ----------------------------------------------------

    def gradient(self, X: Any, y: Any, w: Any = None, b: Any = None):
        """The gradient of the cost: ``(dj_dw, dj_db)``, an array shaped like ``w`` and a float.

        ``dj_dw = X.T @ (f - y) / m + (lambda_/m) * w``, ``dj_db = mean(f - y)``;
        see the class docstring for the same computation as loops.
        """
        X, y = self._check_Xy(X, y)
        w, b = self._params(w, b, X)
        _, dj_dw, dj_db = self._cost_and_gradient(X, y, w, b)
        return dj_dw, float(dj_db)

    def fit(self, X: Any, y: Any, w_in: Any = None, b_in: float = 0.0,
            verbose: bool = False):
        """Run ``num_iters`` steps of batch gradient descent from ``w_in, b_in``; returns self.

        Each step: ``w = w - alpha * dj_dw``, ``b = b - alpha * dj_db``, with the gradient
        taken on all ``m`` examples. ``w_in`` defaults to zeros, as in the course.
        ``J_history[i]`` is the cost *before* step ``i`` (as Keras records the loss of a
        batch before its update), so ``J_history[0]`` is the cost of the starting point.
        ``verbose=True`` prints the cost ten times along the way.

        Computations use the float type of ``X`` (float32 stays float32); integers become
        float64.
        """
        X, y = self._check_Xy(X, y)
        n = X.shape[1]
        if w_in is None:
            w = np.zeros(n, dtype=X.dtype)
        else:
            w = self._check_w(w_in, n, "w_in")
        b = X.dtype.type(_check_number("b_in", b_in, positive=None))
        alpha = X.dtype.type(self.alpha)
        self.J_history = []
        every = max(1, math.ceil(self.num_iters / 10))
        for i in range(self.num_iters):
            J, dj_dw, dj_db = self._cost_and_gradient(X, y, w, b)
            w = w - alpha * dj_dw
            b = b - alpha * dj_db
            self.J_history.append(float(J))
            if verbose and (i % every == 0 or i == self.num_iters - 1):
                print(f"Iteration {i:5d}: Cost {float(J):10.6f}")
        self.w, self.b = w, float(b)
        return self

    # --- the shared computation --------------------------------------------------------

    def _cost_and_gradient(self, X, y, w, b):
        m = X.shape[0]
        z = X @ w + b
        f_x = self._g(z)
        reg = X.dtype.type(self.lambda_) / m
        J = np.mean(self._loss_from_z(z, y)) + reg / 2 * np.sum(w * w)
        err = f_x - y  # (m,): for both models, dJ/dz of each example
        dj_dw = X.T @ err / X.dtype.type(m) + reg * w
        dj_db = np.mean(err)
        return J, dj_dw, dj_db

    # --- checks ------------------------------------------------------------------------

    def _check_X(self, X, against_w: bool = True) -> np.ndarray:
        name = type(self).__name__
        try:
            X = np.asarray(X)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{name}: X must be a numeric array ({e})") from e
        if X.dtype.kind not in "biuf":
            raise TypeError(f"{name}: X must hold numbers, got dtype {X.dtype}")
        if X.ndim != 2:
            hint = " (one feature? use X.reshape(-1, 1))" if X.ndim == 1 else ""
            raise ValueError(f"{name}: X must be 2-D, (examples, features); got shape "
                             f"{X.shape}{hint}")
        if X.shape[0] == 0:
            raise ValueError(f"{name}: X has no examples (shape {X.shape})")
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name}: X contains NaN or infinity")
        if against_w and self.w is not None and X.shape[1] != self.w.shape[0]:
            raise ValueError(f"{name}: X has {X.shape[1]} features, but the model has "
                             f"{self.w.shape[0]} weights")
        return X

    def _check_Xy(self, X, y):
        name = type(self).__name__
        X = self._check_X(X, against_w=False)  # fit() may change the number of features
        try:
            y = np.asarray(y)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{name}: y must be a numeric array ({e})") from e
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{name}: y must hold numbers, got dtype {y.dtype}")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"{name}: y must be 1-D, one target per example; got shape {y.shape}")
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"{name}: X has {X.shape[0]} examples but y has {y.shape[0]}")
        y = y.astype(X.dtype)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{name}: y contains NaN or infinity")
        self._check_targets(y)
        return X, y

    def _check_targets(self, y) -> None:
        pass

    def _check_w(self, w, n, arg):
        w = np.asarray(w)
        if w.dtype.kind not in "biuf":
            raise TypeError(f"{type(self).__name__}: {arg} must hold numbers, got dtype {w.dtype}")
        if w.ndim == 2 and w.shape[1] == 1:  # a Dense kernel (n, 1) is welcome
            w = w[:, 0]
        if w.shape != (n,):
            raise ValueError(f"{type(self).__name__}: {arg} must have shape ({n},), one weight "
                             f"per feature; got {w.shape}")
        return w

    def _params(self, w, b, X):
        if w is None and self.w is None:
            raise RuntimeError(f"{type(self).__name__} has no parameters yet: call fit() "
                               f"first, or set .w and .b")
        w = self._check_w(self.w if w is None else w, X.shape[1], "w").astype(X.dtype)
        b = self.b if b is None else b
        return w, X.dtype.type(_check_number("b", 0.0 if b is None else b, positive=None))


class LogisticRegression(_GradientDescentModel):
    """Binary logistic regression ``f = sigmoid(X @ w + b)`` by batch gradient descent.

    Args:
        alpha: the learning rate of gradient descent.
        num_iters: how many gradient steps :meth:`fit` takes (on all examples each).
        lambda_: L2 regularisation strength; the cost gains ``lambda_/(2m) * sum(w**2)``
            (``b`` is not regularised), as in the course.

    Attributes: ``w`` (shape ``(n,)``), ``b`` (a float), ``J_history`` (the cost before
    each step of the last :meth:`fit`).

    The gradient, written as loops (what :meth:`gradient` computes with two array
    operations)::

        m, n = X.shape
        dj_dw, dj_db = np.zeros(n), 0.0
        for i in range(m):
            f_i = sigmoid(np.dot(X[i], w) + b)
            err_i = f_i - y[i]
            for j in range(n):
                dj_dw[j] += err_i * X[i, j]
            dj_db += err_i
        dj_dw = dj_dw / m + (lambda_ / m) * w
        dj_db = dj_db / m

    Example, the course's six points:

    >>> import numpy as np
    >>> from glassnet.linear import LogisticRegression
    >>> X = np.array([[0.5, 1.5], [1, 1], [1.5, 0.5], [3, 0.5], [2, 2], [1, 2.5]])
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> model = LogisticRegression(alpha=0.1, num_iters=10000).fit(X, y)
    >>> model.predict(X).tolist()
    [0, 0, 0, 1, 1, 1]
    >>> np.round(model.w, 2).tolist(), round(model.b, 2)
    ([5.28, 5.08], -14.22)
    >>> round(model.J_history[0], 4), round(model.J_history[-1], 4)
    (0.6931, 0.0171)
    """

    @staticmethod
    def _g(z):
        return sigmoid(z)

    @staticmethod
    def _loss_from_z(z, y):
        # -y log(sigmoid z) - (1-y) log(1 - sigmoid z) = log(1 + e^z) - y z: the same loss,
        # with no log(0) when sigmoid(z) rounds to 0 or 1 (Keras's from_logits form)
        return np.logaddexp(0, z) - y * z

    def loss(self, f_x: Any, y: Any) -> np.ndarray:
        """The loss of each example: ``L = -y log(f_x) - (1 - y) log(1 - f_x)``.

        ``f_x`` is clipped to ``[eps, 1 - eps]`` (``eps = 1e-7``, as Keras) so that a
        saturated output gives a large finite loss rather than ``inf``; :meth:`cost`
        computes the same loss from ``z`` instead, with no clipping needed.

        >>> LogisticRegression().loss(np.array([0.9, 0.9]), np.array([1, 0])).round(4).tolist()
        [0.1054, 2.3026]
        """
        f_x = np.asarray(f_x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if f_x.shape != y.shape:
            raise ValueError(f"LogisticRegression.loss: f_x has shape {f_x.shape} but y has "
                             f"{y.shape}")
        f_x = np.clip(f_x, 1e-7, 1 - 1e-7)
        return -y * np.log(f_x) - (1 - y) * np.log(1 - f_x)

    def _check_targets(self, y) -> None:
        bad = ~((y == 0) | (y == 1))
        if np.any(bad):
            raise ValueError(f"LogisticRegression: y must contain only 0 and 1; found "
                             f"{y[bad][0].item():g} (for several classes, use a network with softmax)")

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of each class, shape ``(m, 2)``: columns ``1 - f`` and ``f``
        (scikit-learn's layout; ``f(X)`` alone is the probability of class 1)."""
        p = self.f(X)
        return np.stack([1 - p, p], axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """Class labels ``1 if f(x) >= 0.5 else 0`` (the course's rule), as int64."""
        return (self.f(X) >= 0.5).astype(np.int64)

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of examples whose predicted class equals ``y``."""
        X, y = self._check_Xy(X, y)
        return float(np.mean(self.predict(X) == y))


class LinearRegression(_GradientDescentModel):
    """Linear regression ``f = X @ w + b`` by batch gradient descent on the squared error.

    The cost is the course's ``J = (1/2m) * sum_i (f(x_i) - y_i)**2`` (+ ``lambda_/(2m) *
    sum(w**2)``): the one half makes the gradient the same as logistic regression's,
    ``dj_dw = X.T @ (f - y) / m``, ``dj_db = mean(f - y)``. (Keras's ``MeanSquaredError`` has
    no one half, so its gradient is twice this one: ``SGD(alpha / 2)`` matches ``alpha`` here.)

    Arguments and attributes as for :class:`LogisticRegression`; the gradient as loops::

        for i in range(m):
            err_i = (np.dot(X[i], w) + b) - y[i]
            for j in range(n):
                dj_dw[j] += err_i * X[i, j]
            dj_db += err_i
        dj_dw = dj_dw / m + (lambda_ / m) * w
        dj_db = dj_db / m

    Features on very different scales need normalising first (z-score), or a tiny ``alpha``.

    >>> import numpy as np
    >>> from glassnet.linear import LinearRegression
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> y = 2 * X[:, 0] + 1
    >>> model = LinearRegression(alpha=0.1, num_iters=2000).fit(X, y)
    >>> np.round(model.w, 3).tolist(), round(model.b, 3)
    ([2.0], 1.0)
    >>> model.predict(np.array([[10.0]])).round(3).tolist()
    [21.0]
    """

    @staticmethod
    def _g(z):
        return z

    @staticmethod
    def _loss_from_z(z, y):
        return 0.5 * (z - y) ** 2

    def loss(self, f_x: Any, y: Any) -> np.ndarray:
        """The loss of each example: ``L = (f_x - y)**2 / 2``."""
        f_x = np.asarray(f_x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if f_x.shape != y.shape:
            raise ValueError(f"LinearRegression.loss: f_x has shape {f_x.shape} but y has "
                             f"{y.shape}")
        return 0.5 * (f_x - y) ** 2

    def predict(self, X: Any) -> np.ndarray:
        """The predicted values ``X @ w + b``, shape ``(m,)``."""
        return self.f(X)

    def score(self, X: Any, y: Any) -> float:
        """The coefficient of determination ``R^2 = 1 - sum((y - f)^2) / sum((y - mean y)^2)``."""
        X, y = self._check_Xy(X, y)
        resid = np.sum((y - self.f(X)) ** 2, dtype=np.float64)
        total = np.sum((y - y.mean()) ** 2, dtype=np.float64)
        return float(1 - resid / total) if total > 0 else float(resid == 0)


def _check_number(name: str, value: Any, positive: bool | None) -> float:
    """A finite real number; ``positive=True``: > 0, ``False``: >= 0, ``None``: any sign."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive is True and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if positive is False and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value
