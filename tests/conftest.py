import contextlib
import io
import os
import re

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


def _numbers_close(got, want, rtol=1e-5, loose_spaces=False):
    """The same text with the numbers replaced, and each number within ``rtol`` (float32's
    last digits); ``loose_spaces``: NumPy's column padding may differ where the digits do."""
    import re
    num = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
    a, b = num.sub("#", got), num.sub("#", want)
    if (a.replace(" ", "") != b.replace(" ", "")) if loose_spaces else (a != b):
        return False
    xs, ys = [float(m.group()) for m in num.finditer(got)], [float(m.group()) for m in num.finditer(want)]
    return all(abs(x - y) <= rtol * max(1, abs(x)) for x, y in zip(xs, ys))


def renamed(program):
    """The program as the hidden checks run it: tensorflow and keras renamed to glassnet."""
    for old, new in ((r"^import keras$", "from glassnet import keras"),
                     (r"^from tensorflow import keras$", "from glassnet import keras"),
                     (r"^from (tensorflow\.)?keras(\.| import)", r"from glassnet.keras\2")):
        program = re.sub(old, new, program, flags=re.M)
    return program


# A fit progress line's timing (" - 4s - 558ms/step"), which no two runs share.
FIT_TIMING = re.compile(r" - \d+s - \d+(?:us|ms|s)/step")


def run_printing(program):
    """What a keras.io example prints when run renamed (``renamed``, and its ``import tensorflow
    as tf`` / ``from tensorflow import``), as lines, fit lines' timings taken out; the working
    folder is put back after."""
    program = renamed(program).replace("import tensorflow as tf", "import glassnet as tf")
    program = program.replace("from tensorflow import", "from glassnet import")
    out, cwd = io.StringIO(), os.getcwd()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(program, "keras_io_example", "exec"), {})
    finally:
        os.chdir(cwd)
    return [FIT_TIMING.sub("", line) for line in out.getvalue().split("\n")]


PROGRESS_TIMING = re.compile(r" \d+(?::\d+)?m?s \d+[mu]?s/step")     # "1s 95ms/step": no two runs share it


_FOUR_PLACES = re.compile(r"-?\d+\.\d{4}")


def assert_program_prints(program, tf_output, rtol=2e-4, progress_form_only=False):
    """A keras.io program run renamed (:func:`run_printing`) prints TF 2.21 / Keras 3.15's lines
    ``tf_output``: each line equal, or its numbers within ``rtol`` (float32's digits); the
    progress lines' timings left out. ``progress_form_only``: a progress line's losses come from
    draws TensorFlow makes from its own global stream (not glassnet's), so only their form is
    compared there."""
    lines = [PROGRESS_TIMING.sub("", line) for line in run_printing(program)]
    assert len(lines) == len(tf_output), "\n".join(lines)
    for got, want in zip(lines, tf_output):
        assert got == want or _numbers_close(got, want, rtol=rtol) or (
            progress_form_only and "━ -" in want and _FOUR_PLACES.sub("#", got) == _FOUR_PLACES.sub("#", want)), (got, want)

def assert_guide_prints(guide, name, tf_output, numeric=(), loose_spaces=False, fresh_functions=False):
    """Run a TensorFlow guide's code (``guide``, with ``import tensorflow as tf``) as
    ``import glassnet as tf`` and check that it prints ``tf_output``, TF 2.21's lines: each
    line exactly, or, for the line numbers in ``numeric``, to float32's last digits.
    ``fresh_functions``: run as a fresh process would, ``tf.config.run_functions_eagerly(False)``
    (another test may have set it), put back after."""
    import contextlib
    import io
    import os
    before = glassnet.config.functions_run_eagerly()
    if fresh_functions:
        glassnet.config.run_functions_eagerly(False)
    out = io.StringIO()
    cwd = os.getcwd()                        # the guide may chdir into a temporary folder
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(guide.replace("import tensorflow as tf", "import glassnet as tf"), name, "exec"), {})
    finally:
        os.chdir(cwd)
        glassnet.config.run_functions_eagerly(before)
    lines = out.getvalue().split("\n")
    assert len(lines) == len(tf_output), "\n".join(lines)
    for i, (got, want) in enumerate(zip(lines, tf_output)):
        if i in numeric:
            assert _numbers_close(got, want, loose_spaces=loose_spaces), (i, got, want)
        else:
            assert got == want, (i, got, want)
