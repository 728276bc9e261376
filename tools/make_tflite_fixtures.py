"""Write the .tflite files TensorFlow 2.21's converter makes for a few small Keras models, and
what TensorFlow's own tf.lite.Interpreter prints and returns for them: the fixtures of
tests/test_tflite.py (glassnet's Interpreter must run TF's files to TF's outputs).

    /work/peers/bin/python tools/make_tflite_fixtures.py

Writes tests/fixtures/tflite/{named,dense,cnn,pools,multi}.tflite and tests/fixtures/tflite/tf_outputs.npz
(inputs and TF's outputs per model) and tf_facts.json (signature lists, details, op names, errors).
"""
from __future__ import annotations

import json
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tflite"


def seeded(model, seed):
    rng = np.random.default_rng(seed)
    for w in model.weights:
        w.assign(rng.normal(0, 0.4, w.shape).astype(np.float32))
    return model


def models():
    dense = keras.Sequential([keras.Input((4,)), layers.Dense(6, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    cnn = keras.Sequential([keras.Input((10, 10, 3)), layers.Conv2D(4, 3, padding="same", activation="relu"),
                            layers.MaxPooling2D(), layers.Conv2D(4, 3, strides=2), layers.ReLU(max_value=6),
                            layers.DepthwiseConv2D(2, depth_multiplier=2, padding="same"),
                            layers.AveragePooling2D(2, strides=1, padding="same"), layers.Dropout(0.3),
                            layers.Flatten(), layers.Dense(5, activation="tanh"), layers.Dense(3, activation="sigmoid")])
    pools = keras.Sequential([keras.Input((8, 8, 2)), layers.Conv2D(3, 3, dilation_rate=2, activation="relu"),
                              layers.AveragePooling2D(2), layers.Conv2D(3, 1), layers.GlobalAveragePooling2D(),
                              layers.Dense(2)])
    a = keras.Input((4,), name="alpha")
    b = keras.Input((3,), name="beta")
    h = layers.Concatenate()([layers.Dense(3, activation="tanh")(a), b])
    s = layers.Add()([layers.Dense(6)(h), h])
    multi = keras.Model([a, b], [layers.Dense(2, activation="sigmoid", name="head_a")(s),
                                 layers.Dense(3, activation="softmax", name="head_b")(s)])
    named = keras.Sequential([keras.Input((3,), name="feats"), layers.Dense(2)])
    return {"named": (seeded(named, 5), [(2, 3)]), "dense": (seeded(dense, 1), [(5, 4)]), "cnn": (seeded(cnn, 2), [(2, 10, 10, 3)]),
            "pools": (seeded(pools, 3), [(3, 8, 8, 2)]), "multi": (seeded(multi, 4), [(2, 4), (2, 3)])}


def error(f):
    try:
        f()
    except Exception as e:               # noqa: BLE001  (the message is the fixture)
        return f"{type(e).__name__}: {e}"
    return None


def details(ds):
    return [{"name": d["name"], "shape": d["shape"].tolist(), "shape_signature": d["shape_signature"].tolist(),
             "dtype": d["dtype"].__name__, "keys": sorted(d)} for d in ds]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    arrays, facts = {}, {}
    rng = np.random.default_rng(0)
    for name, (model, shapes) in models().items():
        data = tf.lite.TFLiteConverter.from_keras_model(model).convert()
        (OUT / f"{name}.tflite").write_bytes(data)
        it = tf.lite.Interpreter(model_content=data)
        sig = it.get_signature_list()
        runner = it.get_signature_runner("serving_default")
        xs = {n: rng.normal(0, 1, s).astype(np.float32) for n, s in zip(sig["serving_default"]["inputs"], shapes)}
        outs = runner(**xs)
        for n, x in xs.items():
            arrays[f"{name}/in/{n}"] = x
        for n, y in outs.items():
            arrays[f"{name}/out/{n}"] = y
        fresh = tf.lite.Interpreter(model_content=data)
        first = fresh.get_input_details()[0]
        facts[name] = {
            "signature_list": sig,
            "ops": [op["op_name"] for op in fresh._get_ops_details()],
            "input_details": details(fresh.get_input_details()),
            "output_details": details(fresh.get_output_details()),
            "wrong_key": error(lambda: fresh.get_signature_runner("nope")),
            "wrong_name": error(lambda: fresh.get_signature_runner()(**{"sequential_1_input" if i == 0 else k: v
                                                                         for i, (k, v) in enumerate(xs.items())})),
            "wrong_count": error(lambda: fresh.get_signature_runner()()),
        }
        fresh.allocate_tensors()
        facts[name]["set_float64"] = error(lambda: fresh.set_tensor(first["index"], np.zeros(first["shape"])))
        facts[name]["set_wrong_batch"] = error(lambda: fresh.set_tensor(
            first["index"], np.zeros([3] + first["shape"].tolist()[1:], np.float32)))
        facts[name]["set_wrong_rank"] = error(lambda: fresh.set_tensor(
            first["index"], np.zeros(first["shape"].tolist() + [1], np.float32)))
        # the low-level path: resize the batch, allocate, set, invoke, get
        low = tf.lite.Interpreter(model_content=data)
        ins = low.get_input_details()
        for d in ins:
            low.resize_tensor_input(d["index"], xs[d["name"].split("serving_default_")[1][:-2]].shape)
        low.allocate_tensors()
        for d in ins:
            low.set_tensor(d["index"], xs[d["name"].split("serving_default_")[1][:-2]])
        low.invoke()
        facts[name]["output_details_after_resize"] = details(low.get_output_details())
        for k, d in enumerate(low.get_output_details()):
            arrays[f"{name}/low/{k}"] = low.get_tensor(d["index"])
    np.savez(OUT / "tf_outputs.npz", **arrays)
    (OUT / "tf_facts.json").write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
