import numpy as np
import pytest

import glassnet


@pytest.fixture
def float64():
    glassnet.config.set_floatx("float64")
    yield
    glassnet.config.set_floatx("float32")


def central_difference(f, x, eps=1e-6):
    """d f / d x for a scalar function of an array, by central differences (float64)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def central_difference_in_place(f, a, eps=1e-6):
    """d f / d a for a scalar ``f()`` that reads the array ``a`` itself (a weight's value, an
    input a test keeps): each entry is nudged in place and put back."""
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        keep = a[i]
        a[i] = keep + eps
        up = f()
        a[i] = keep - eps
        down = f()
        a[i] = keep
        g[i] = (up - down) / (2 * eps)
    return g


def numeric_model_gradients(model, x, y, eps=1e-6):
    """dJ/dw for each of ``model.trainable_weights`` by central differences, ``J`` being
    ``model.evaluate(x, y)``'s loss (the first number when it returns several)."""
    def loss():
        value = model.evaluate(x, y, verbose=0)
        return value[0] if isinstance(value, list) else value
    return [central_difference_in_place(loss, v.value, eps) for v in model.trainable_weights]


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||): the usual gradient-check measure. (An elementwise ratio
    blows up on components near zero, where central differences have ~1e-10 absolute noise.)"""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def load_tool(name):
    """A fixture maker in tools/ (``load_tool("make_keras_masking")``) as a module: its
    seeding rules and case lists are what the tests reuse. It imports NumPy at load; Keras
    only inside its functions, so no TensorFlow is needed here."""
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parent.parent / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
