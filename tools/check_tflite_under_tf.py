"""Check that real TensorFlow 2.21 reads glassnet's .tflite files and gives glassnet's predictions.

    python tools/check_tflite_under_tf.py          # in glassnet's environment (.venv)

Part one (glassnet): builds a few models covering every layer glassnet converts, seeds their
weights, converts them with glassnet.lite.TFLiteConverter, and writes each file with inputs and
``model.predict``'s outputs into a temporary folder. Part two runs this script again under
``/work/peers/bin/python`` (``--tf FOLDER``): TensorFlow's tf.lite.Interpreter loads each file,
its signature runner (default XNNPACK delegate) and its low-level path (resize_tensor_input,
allocate_tensors, set_tensor, invoke, get_tensor; TFLite's reference kernels, no delegate) must
give glassnet's outputs to 1e-5, and its signature list glassnet's. Prints one line per model
and exits non-zero on any mismatch.

Found on the way: TF 2.21's XNNPACK delegate gets a Conv2D with a (2, 1) kernel, strides (1, 2)
and padding="same" wrong (off by ~1.3 from Keras's own predict on TensorFlow's OWN converted
file; its reference kernels agree with Keras), so the "pools" model uses a (2, 2) kernel.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

TF_PYTHON = "/work/peers/bin/python"


def glassnet_models():
    import glassnet as tf
    from glassnet import layers
    keras = tf.keras
    seq = lambda *ls: keras.Sequential(list(ls))   # noqa: E731
    a, b = keras.Input((4,), name="alpha"), keras.Input((3,), name="beta")
    h = layers.Concatenate()([layers.Dense(3, activation="tanh")(a), b])
    s = layers.Add()([layers.Dense(6)(h), h])
    t = layers.Subtract()([layers.Multiply()([s, s]), layers.Dense(6, activation="relu")(s)])
    multi = keras.Model([a, b], [layers.Dense(2, activation="sigmoid", name="head_a")(t),
                                 layers.Dense(3, activation="softmax", name="head_b")(s)])
    augment = seq(layers.RandomFlip("horizontal", input_shape=(10, 10, 3)), layers.RandomRotation(0.1),
                  layers.RandomZoom(0.1))
    return {
        "dense": (seq(keras.Input((4,)), layers.Dense(6, activation="relu"), layers.Dense(3, activation="softmax")),
                  [(5, 4)]),
        "cnn": (seq(keras.Input((10, 10, 3)), layers.Rescaling(1 / 255., offset=-0.5),
                    layers.Conv2D(4, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
                    layers.Conv2D(4, 3, strides=2), layers.ReLU(max_value=6),
                    layers.DepthwiseConv2D(2, depth_multiplier=2, padding="same"),
                    layers.AveragePooling2D(2, strides=1, padding="same"), layers.Dropout(0.3), layers.Flatten(),
                    layers.Dense(5, activation="tanh"), layers.Dense(3, activation="sigmoid")), [(2, 10, 10, 3)]),
        "tutorial": (seq(augment, layers.Rescaling(1. / 255), layers.Conv2D(4, 3, padding="same", activation="relu"),
                         layers.MaxPooling2D(), layers.Conv2D(8, 3, padding="same", activation="relu"),
                         layers.MaxPooling2D(padding="same"), layers.Dropout(0.2), layers.Flatten(),
                         layers.Dense(16, activation="relu"), layers.Dense(5, name="outputs")), [(3, 10, 10, 3)]),
        "pools": (seq(keras.Input((9, 8, 2)), layers.Conv2D(3, 3, dilation_rate=2, activation="relu"),
                      layers.MaxPooling2D(3, strides=2, padding="same"), layers.Activation("relu"),
                      layers.Conv2D(3, 2, strides=(1, 2), padding="same"),
                      layers.GlobalMaxPooling2D(keepdims=True), layers.Reshape((3,)), layers.Dense(2),
                      layers.Softmax()), [(3, 9, 8, 2)]),
        "gap": (seq(keras.Input((6, 6, 2)), layers.Conv2D(4, 1, activation="sigmoid"), layers.BatchNormalization(),
                    layers.GlobalAveragePooling2D(),
                    layers.Activation("tanh"), layers.Dense(2)), [(1, 6, 6, 2)]),
        "multi": (multi, [(2, 4), (2, 3)]),
    }


def write_glassnet_files(folder: str) -> None:
    from glassnet.lite import Interpreter, TFLiteConverter
    rng = np.random.default_rng(0)
    arrays, facts = {}, {}
    for name, (model, shapes) in glassnet_models().items():
        for w in model.weights:
            value = rng.normal(0, 0.4, tuple(w.shape)).astype(np.float32)
            w.assign(np.abs(value) + 0.1 if "variance" in w.path else value)
        data = TFLiteConverter.from_keras_model(model).convert()
        with open(os.path.join(folder, f"{name}.tflite"), "wb") as f:
            f.write(data)
        scale = 255 if name in ("cnn", "tutorial") else 1
        xs = [rng.uniform(0, scale, s).astype(np.float32) for s in shapes]
        ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        ys = ys if isinstance(ys, list) else [ys]
        sig = Interpreter(model_content=data).get_signature_list()
        facts[name] = sig
        for n, x in zip(sig["serving_default"]["inputs"] if name != "multi" else ["alpha", "beta"], xs):
            arrays[f"{name}/in/{n}"] = x
        for k, y in enumerate(ys):
            arrays[f"{name}/out/output_{k}"] = np.asarray(y)
    np.savez(os.path.join(folder, "glassnet.npz"), **arrays)
    with open(os.path.join(folder, "signatures.json"), "w") as f:
        json.dump(facts, f)


def check_under_tf(folder: str) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import warnings
    warnings.simplefilter("ignore")
    import tensorflow as tf
    arrays = np.load(os.path.join(folder, "glassnet.npz"))
    with open(os.path.join(folder, "signatures.json")) as f:
        sigs = json.load(f)
    failures = 0
    for name, sig in sigs.items():
        it = tf.lite.Interpreter(model_path=os.path.join(folder, f"{name}.tflite"))
        ok_sig = it.get_signature_list() == sig
        xs = {k.split("/")[2]: arrays[k] for k in arrays.files if k.startswith(f"{name}/in/")}
        outs = it.get_signature_runner("serving_default")(**xs)
        diff = max(float(np.abs(outs[k] - arrays[f"{name}/out/{k}"]).max()) for k in outs)
        reference = tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        low = tf.lite.Interpreter(model_path=os.path.join(folder, f"{name}.tflite"),
                                  experimental_op_resolver_type=reference)
        ins = low.get_input_details()
        by_tensor = {d["name"]: xs[d["name"][len("serving_default_"):-2]] for d in ins}
        for d in ins:
            low.resize_tensor_input(d["index"], by_tensor[d["name"]].shape)
        low.allocate_tensors()
        for d in ins:
            low.set_tensor(d["index"], by_tensor[d["name"]])
        low.invoke()
        names = {d["index"]: d["name"] for d in low.get_output_details()}
        low_diff = max(float(np.abs(low.get_tensor(i) - arrays[f"{name}/out/output_{n.split(':')[1]}"]).max())
                       for i, n in names.items())
        ops = sorted({op["op_name"] for op in low._get_ops_details()})
        good = ok_sig and diff < 1e-5 and low_diff < 1e-5
        failures += not good
        print(f"{'ok  ' if good else 'FAIL'} {name:9s} signature {'same' if ok_sig else 'DIFFERS'} "
              f"max|TF - glassnet| runner {diff:.2e} low-level (no delegate) {low_diff:.2e}  ops {' '.join(ops)}")
    return failures


def main(argv) -> int:
    if argv[:1] == ["--tf"]:
        return 1 if check_under_tf(argv[1]) else 0
    with tempfile.TemporaryDirectory() as folder:
        write_glassnet_files(folder)
        return subprocess.run([TF_PYTHON, __file__, "--tf", folder]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
