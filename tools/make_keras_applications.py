"""Make tests/fixtures/keras_applications/ from real Keras 3 (TF 2.21) applications.

Run with the peers' Python (TensorFlow installed):  /work/peers/bin/python tools/make_keras_applications.py

For each case (an architecture with small, weights=None arguments) it records in
``cases.json``: the layer names and classes, each layer's weight shapes, ``count_params()``,
the number of lines ``summary()`` prints, and the output on a seeded input after every weight
was set by :func:`seeded_weight` (the same function the test uses on glassnet's model, so both
sides hold the same numbers without storing 20M of them). ``mobilenet_v2_035_96_no_top.h5`` is
a whole Keras legacy weight file (Keras's own random init, 1.6 MB) written the way Keras's
ImageNet files are, with the prediction it gives. Also recorded: ``preprocess_input`` in its
three modes, and the transfer-learning tutorial's ``len(model.trainable_variables)``.
This module imports no TensorFlow at import time, so the test can reuse ``seeded_weight``.
"""
from __future__ import annotations

import json
import os
import zlib

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fixtures",
                    "keras_applications")
CASES = {   # name: (function, kwargs, input shape for the prediction)
    "mobilenet_v2_035_96_no_top": ("MobileNetV2", dict(input_shape=(96, 96, 3), alpha=0.35, include_top=False, weights=None, pooling="avg"), (2, 96, 96, 3)),
    "mobilenet_v2_050_top_10": ("MobileNetV2", dict(input_shape=(64, 64, 3), alpha=0.5, include_top=True, weights=None, classes=10), (2, 64, 64, 3)),
    "vgg16_no_top": ("VGG16", dict(input_shape=(32, 32, 3), include_top=False, weights=None, pooling="max"), (2, 32, 32, 3)),
    "vgg16_top_10": ("VGG16", dict(input_shape=(32, 32, 3), include_top=True, weights=None, classes=10), (2, 32, 32, 3)),
    "vgg19_no_top": ("VGG19", dict(input_shape=(32, 32, 3), include_top=False, weights=None, pooling="avg"), (2, 32, 32, 3)),
    "resnet50_no_top": ("ResNet50", dict(input_shape=(64, 64, 3), include_top=False, weights=None, pooling="avg"), (2, 64, 64, 3)),
    "resnet50_top_10": ("ResNet50", dict(input_shape=(32, 32, 3), include_top=True, weights=None, classes=10), (2, 32, 32, 3)),
    "inception_v3_no_top": ("InceptionV3", dict(input_shape=(75, 75, 3), include_top=False, weights=None, pooling="avg"), (2, 75, 75, 3)),
    "inception_v3_top_10": ("InceptionV3", dict(input_shape=(75, 75, 3), include_top=True, weights=None, classes=10), (1, 75, 75, 3)),
    "mobilenet_v3_small_top_10": ("MobileNetV3Small", dict(input_shape=(64, 64, 3), include_top=True, weights=None, classes=10), (2, 64, 64, 3)),
    "mobilenet_v3_large_no_top": ("MobileNetV3Large", dict(input_shape=(64, 64, 3), include_top=False, weights=None, pooling="avg", alpha=0.75), (2, 64, 64, 3)),
    "mobilenet_v3_small_minimalistic": ("MobileNetV3Small", dict(input_shape=(64, 64, 3), include_top=False, weights=None, minimalistic=True, pooling="max"), (2, 64, 64, 3)),
    "densenet121_no_top": ("DenseNet121", dict(input_shape=(32, 32, 3), include_top=False, weights=None, pooling="avg"), (2, 32, 32, 3)),
    "densenet169_top_10": ("DenseNet169", dict(input_shape=(32, 32, 3), include_top=True, weights=None, classes=10), (1, 32, 32, 3)),
    "xception_no_top": ("Xception", dict(input_shape=(71, 71, 3), include_top=False, weights=None, pooling="avg"), (2, 71, 71, 3)),
    "efficientnet_b0_no_top": ("EfficientNetB0", dict(input_shape=(64, 64, 3), include_top=False, weights=None, pooling="avg"), (2, 64, 64, 3)),
    "efficientnet_b1_top_10": ("EfficientNetB1", dict(input_shape=(32, 32, 3), include_top=True, weights=None, classes=10), (2, 32, 32, 3)),
}


def seeded_weight(position: int, index: int, var_name: str, shape) -> np.ndarray:
    """The same float32 array on both sides for weight ``index`` of the layer at ``position`` in
    ``model.layers`` (not its name: automatic names carry a per-session counter):
    kernels N(0, 2/fan_in) (He, so ReLU stacks keep their scale), biases and BN's beta/mean
    small, gamma and the moving variance in [0.5, 1.5]."""
    rng = np.random.default_rng(zlib.crc32(f"{position}/{index}".encode()))
    shape = tuple(int(s) for s in shape)
    base = var_name.split("/")[-1].split(":")[0]
    if base == "count":                            # Normalization's sample count (an int)
        return np.zeros(shape, dtype="int64")
    if base in ("gamma", "moving_variance", "variance"):
        return rng.uniform(0.5, 1.5, shape).astype("float32")
    if len(shape) <= 1:
        return (0.1 * rng.standard_normal(shape)).astype("float32")
    fan_in = int(np.prod(shape[:2])) if base == "depthwise_kernel" else int(np.prod(shape[:-1]))
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype("float32")


def seeded_input(shape) -> np.ndarray:
    return np.random.default_rng(7).uniform(-1, 1, shape).astype("float32")


def set_seeded(model, name_of=lambda v: v.name) -> None:
    for position, layer in enumerate(model.layers):
        ws = layer.weights
        if ws:
            layer.set_weights([seeded_weight(position, j, name_of(v), tuple(v.shape)) for j, v in enumerate(ws)])


def main():
    import tensorflow as tf  # noqa: PLC0415
    import h5py  # noqa: PLC0415
    from keras.src.legacy.saving import legacy_h5_format  # noqa: PLC0415
    os.makedirs(HERE, exist_ok=True)
    apps = tf.keras.applications
    out = {"versions": {"tensorflow": tf.__version__, "keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else ""}}
    cases = {}
    for case, (fn, kwargs, in_shape) in CASES.items():
        tf.keras.backend.clear_session()     # automatic names (conv2d, conv2d_1 ...) counted from 0 per case
        tf.keras.utils.set_random_seed(0)
        model = getattr(apps, fn)(**kwargs)
        lines = []
        model.summary(print_fn=lambda s, **k: lines.append(s))
        rec = {"function": fn, "kwargs": kwargs, "input_shape": in_shape, "name": model.name,
               "layers": [[l.name, type(l).__name__, [list(v.shape) for v in l.weights]] for l in model.layers],
               "count_params": int(model.count_params()),
               "summary_lines": len("\n".join(lines).splitlines()),
               "output_shape": list(model.output.shape[1:])}
        if case == "mobilenet_v2_035_96_no_top":    # a whole Keras legacy weights file, Keras's random init
            with h5py.File(os.path.join(HERE, case + ".h5"), "w") as f:
                legacy_h5_format.save_weights_to_hdf5_group(f, model)
            rec["file_prediction"] = model.predict(seeded_input(in_shape), verbose=0).tolist()
        set_seeded(model)
        rec["prediction"] = model.predict(seeded_input(in_shape), verbose=0).tolist()
        cases[case] = rec
        print(case, rec["count_params"], len(rec["layers"]), rec["summary_lines"])
    out["cases"] = cases
    x = np.random.default_rng(3).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    out["preprocess"] = {"x": x.tolist()}
    for mod, mode in (("mobilenet_v2", "tf"), ("vgg16", "caffe"), ("resnet50", "caffe"), ("inception_v3", "tf"),
                      ("densenet", "torch"), ("xception", "tf"), ("mobilenet_v3", "none"),
                      ("efficientnet", "none")):
        out["preprocess"][mod] = np.asarray(getattr(apps, mod).preprocess_input(x.copy())).tolist()
    # the transfer-learning tutorial's counts
    base = apps.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights=None)
    base.trainable = False
    inputs = tf.keras.Input(shape=(96, 96, 3))
    h = apps.mobilenet_v2.preprocess_input(inputs)
    h = base(h, training=False)
    h = tf.keras.layers.GlobalAveragePooling2D()(h)
    h = tf.keras.layers.Dropout(0.2)(h)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(h))
    frozen = len(model.trainable_variables)
    base.trainable = True
    for layer in base.layers[:100]:
        layer.trainable = False
    out["tutorial"] = {"base_layers": len(base.layers), "frozen_trainable_variables": frozen,
                       "fine_tune_trainable_variables": len(model.trainable_variables),
                       "model_layers": len(model.layers)}
    print(out["tutorial"])
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
