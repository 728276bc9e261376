"""Writes tests/fixtures/tf_ops_on_keras_tensors.json: which TensorFlow functions Keras 3 refuses
on a symbolic tensor (``tf.nn.l2_normalize(keras.Input((3,)))``), with the one message they all
give, and which ``keras.ops`` work on one. Run with /work/peers/bin/python (TF 2.21 / Keras 3.15).

The functions tried are glassnet's own TensorFlow functions (those ``glassnet/tf/tensor.py``'s
``accept_symbolic`` wraps, marked ``_tf_function``) under their TensorFlow names (``tf.X``,
``tf.math.X``, ``tf.nn.X``, ``tf.linalg.X``), each called on ``keras.Input((3,))`` in the forms of
:data:`FORMS` until one is refused or returns; and the ``keras.ops`` calls of :data:`KERAS_OPS_CALLS`,
with the shape and dtype of what Keras gives. glassnet is imported from src/ for the names only.
"""
from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "tf_ops_on_keras_tensors.json")
NAMESPACES = ("", "math", "nn", "linalg")                    # tf.X, tf.math.X, tf.nn.X, tf.linalg.X

# the ways a function is called on the symbolic tensor x, tried in turn (the test calls glassnet's the same way)
FORMS = [
    lambda f, x: f(x),
    lambda f, x: f(x, x),
    lambda f, x: f([x, x]),
    lambda f, x: f(x, 1),
    lambda f, x: f(x, [0]),
    lambda f, x: f(x, 0.5, 1.5),
    lambda f, x: f(x, x, x),
    lambda f, x: f(x, "float32"),
    lambda f, x: f("ij->ji", x),
    lambda f, x: f([x], 1.0),
    lambda f, x: f(x, 2, 1, "VALID"),            # pooling: (input, ksize, strides, padding)
    lambda f, x: f(x, x, 1, "VALID"),            # convolutions: (input, filters, strides, padding)
]


# keras.ops calls as Keras 3 programs write them on a symbolic x = keras.Input((3,)): Keras gives a
# KerasTensor of a shape and dtype for each (eval'd with ops = keras.ops; the test evals them in glassnet)
KERAS_OPS_CALLS = [
    "ops.exp(x)", "ops.relu(x)", "ops.sigmoid(x)", "ops.softmax(x)", "ops.square(x)", "ops.sqrt(ops.abs(x))",
    "ops.log1p(ops.abs(x))", "ops.clip(x, 0.0, 1.0)", "ops.maximum(x, 0.0)", "ops.where(ops.greater(x, 0.0), x, 0.0)",
    "ops.concatenate([x, x], axis=1)", "ops.stack([x, x], axis=1)", "ops.sum(x, axis=1)",
    "ops.mean(x, axis=-1, keepdims=True)", "ops.max(x, axis=1)", "ops.norm(x, axis=1)",
    "ops.reshape(x, (-1, 3, 1))", "ops.expand_dims(x, -1)", "ops.transpose(ops.expand_dims(x, -1), (0, 2, 1))",
    "ops.take(x, [0, 2], axis=1)", "ops.tile(x, (1, 2))", "ops.cast(x, 'float64')", "ops.matmul(x, ops.ones((3, 2)))",
    "ops.one_hot(ops.argmax(x, axis=1), 4)", "ops.softplus(x)",
]


def glassnet_functions(glassnet):
    """``{"nn.l2_normalize": the function, ...}``: the TensorFlow functions of the module
    ``glassnet`` (those ``accept_symbolic`` wraps, marked ``_tf_function``)."""
    out = {}
    for ns in NAMESPACES:
        module = getattr(glassnet, ns) if ns else glassnet
        for name in sorted(set(getattr(module, "__all__", ())) | set(dir(module))):   # (__all__: the lazy ones too)
            fn = getattr(module, name, None)
            if not name.startswith("_") and getattr(fn, "_tf_function", False):
                out[f"{ns}.{name}" if ns else name] = fn
    return out


def outcome(fn, x, message_start):
    """``(verdict, form, detail)``: "refused" (the KerasTensor message), "accepted" (it returned),
    or "other" (only other errors: the first); ``form``: the index in FORMS that gave it. The
    first form that is refused or accepted decides."""
    first_error = None
    for i, form in enumerate(FORMS):
        try:
            got = form(fn, x)
        except Exception as e:  # noqa: BLE001 - what kind of failure is the finding
            text = str(e)
            if isinstance(e, ValueError) and text.startswith(message_start):
                return "refused", i, text
            first_error = first_error or (i, f"{type(e).__name__}: {text.splitlines()[0][:120] if text else ''}")
            continue
        shape = getattr(got, "shape", None)
        return "accepted", i, f"{type(got).__name__} {None if shape is None else tuple(shape)}"
    return ("other",) + first_error


def main():
    import keras
    import tensorflow as tf
    x = keras.Input((3,))
    try:
        tf.nn.l2_normalize(x)
    except ValueError as e:
        message = str(e)
    start = message[:60]
    sys.path.insert(0, os.path.join(HERE, "..", "src"))
    import glassnet
    table = {}
    for qualified in glassnet_functions(glassnet):
        ns, _, name = qualified.rpartition(".")
        module = getattr(tf, ns) if ns else tf
        fn = getattr(module, name, None)
        if fn is None:
            table[qualified] = {"verdict": "absent"}
            continue
        verdict, form, detail = outcome(fn, x, start)
        table[qualified] = {"verdict": verdict, "form": form}
        if verdict != "refused":
            table[qualified]["detail"] = detail
    ops = {}
    for call in KERAS_OPS_CALLS:
        out = eval(call, {"ops": keras.ops, "x": x})
        ops[call] = {"shape": list(out.shape), "dtype": str(out.dtype)}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"tensorflow": tf.__version__, "keras": keras.__version__, "message": message,
                   "tf_functions": table, "keras_ops": ops}, f, indent=1, sort_keys=True)
        f.write("\n")
    counts = {}
    for entry in table.values():
        counts[entry["verdict"]] = counts.get(entry["verdict"], 0) + 1
    print("wrote", OUT, counts)
    for q, entry in table.items():
        if entry["verdict"] not in ("refused", "absent"):
            print(" ", q, entry)


if __name__ == "__main__":
    main()
