"""keras.applications (glassnet/applications/) against Keras 3 / TF 2.21.

Fixtures from tools/make_keras_applications.py: per architecture, the layer names, classes and
weight shapes, count_params(), summary()'s line count, and the output on a seeded input once
every weight is set by the tool's ``seeded_weight`` (so both sides hold the same numbers); a
whole Keras legacy weights file (MobileNetV2 alpha 0.35, Keras's own random init) with its
prediction; preprocess_input's values; the transfer-learning tutorial's variable counts.
"""
import hashlib
import importlib.util
import json
import os

import numpy as np
import pytest

import glassnet as tf
from glassnet.applications import imagenet_utils, weights as app_weights

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "keras_applications")
H5 = os.path.join(HERE, "mobilenet_v2_035_96_no_top.h5")
with open(os.path.join(HERE, "cases.json"), encoding="utf8") as _f:
    DATA = json.load(_f)
_spec = importlib.util.spec_from_file_location(
    "make_keras_applications", os.path.join(os.path.dirname(__file__), "..", "tools", "make_keras_applications.py"))
maker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(maker)      # the tool imports TensorFlow only in main()


def _build(rec, **over):
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in rec["kwargs"].items()}
    kwargs.update(over)
    tf.keras.utils.clear_session()      # automatic names counted from 0, as the tool does per case
    return getattr(tf.keras.applications, rec["function"])(**kwargs)


@pytest.mark.parametrize("case", sorted(DATA["cases"]))
def test_architecture_matches_keras(case):
    rec = DATA["cases"][case]
    model = _build(rec)
    assert model.name == rec["name"]
    got = [[layer.name, type(layer).__name__, [list(v.shape) for v in layer.weights]] for layer in model.layers]
    assert len(got) == len(rec["layers"])
    for mine, keras in zip(got, rec["layers"]):
        assert mine[1:] == keras[1:], (mine, keras)
        assert mine[0] == keras[0]          # automatic names too (conv2d_17), both counted from a clear session
    assert model.count_params() == rec["count_params"]
    assert list(model.output.shape[1:]) == rec["output_shape"]
    lines = []
    model.summary(print_fn=lambda s, **k: lines.append(s))
    assert len("\n".join(lines).splitlines()) == rec["summary_lines"]
    maker.set_seeded(model)
    out = model.predict(maker.seeded_input(rec["input_shape"]), verbose=0)
    ref = np.array(rec["prediction"], dtype="float32")
    assert out.shape == ref.shape
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(ref).max())))


def test_keras_weight_file_loads_by_layer_order_and_predicts_as_keras():
    rec = DATA["cases"]["mobilenet_v2_035_96_no_top"]
    model = _build(rec, weights=H5)
    out = model.predict(maker.seeded_input(rec["input_shape"]), verbose=0)
    np.testing.assert_allclose(out, np.array(rec["file_prediction"]), rtol=1e-4, atol=1e-5)
    h5py = pytest.importorskip("h5py")
    with h5py.File(H5, "r") as f:          # the layer's group lists its arrays by weight_names, in order
        group = f["Conv_1"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        np.testing.assert_array_equal(model.get_layer("Conv_1").get_weights()[0], group[names[0]][()])


def test_imagenet_weights_found_in_keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    models = tmp_path / "models"
    models.mkdir()
    name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5"
    (models / name).write_bytes(open(H5, "rb").read())
    rec = DATA["cases"]["mobilenet_v2_035_96_no_top"]
    model = _build(rec, weights="imagenet")           # no download: the file is in the cache
    out = model.predict(maker.seeded_input(rec["input_shape"]), verbose=0)
    np.testing.assert_allclose(out, np.array(rec["file_prediction"]), rtol=1e-4, atol=1e-5)


def test_imagenet_weights_with_wrong_hash_are_refused_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    bad = tmp_path / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    bad.write_bytes(b"not Keras's VGG16 weights")
    with pytest.raises(ValueError) as err:
        tf.keras.applications.VGG16(include_top=False, input_shape=(32, 32, 3), weights="imagenet")
    assert str(bad) in str(err.value) and "6d6bbae143d832006294945121d1f1fc" in str(err.value)
    assert bad.read_bytes() == b"not Keras's VGG16 weights"       # left alone
    # a file whose MD5 matches is taken from the cache as it is
    good = tmp_path / "models" / "stand_in.h5"
    good.write_bytes(b"stand-in")
    md5 = hashlib.md5(b"stand-in").hexdigest()
    assert app_weights.imagenet_file("stand_in.h5", "https://example.invalid/stand_in.h5", md5) == str(good)


def test_refused_weight_file_changes_nothing(tmp_path):
    model = tf.keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.5, include_top=False, weights=None)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=r"block_1_project.*has shape \(1, 1, 48, 8\)"):
        app_weights.load(model, H5)          # alpha 0.35's file: the first kernel's shape differs
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(ValueError, match="junk.h5"):
        tf.keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.5, include_top=False, weights=str(junk))


def test_argument_errors_name_the_argument():
    apps = tf.keras.applications
    with pytest.raises(ValueError, match="classes"):
        apps.VGG16(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="alpha"):
        apps.MobileNetV2(weights="imagenet", alpha=0.4, include_top=False, input_shape=(96, 96, 3))
    with pytest.raises(ValueError, match="input_shape"):
        apps.ResNet50(weights="imagenet", include_top=True, input_shape=(96, 96, 3))
    with pytest.raises(ValueError, match="at least 75x75"):
        apps.InceptionV3(weights=None, include_top=False, input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="pooling"):
        apps.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="mean")
    with pytest.raises(ValueError, match="weights"):
        apps.ResNet50(weights="/no/such/file.h5")


def test_preprocess_input_matches_keras():
    pre = DATA["preprocess"]
    x = np.array(pre["x"], dtype="float32")
    apps = tf.keras.applications
    for module in ("mobilenet_v2", "vgg16", "resnet50", "inception_v3", "densenet", "xception", "mobilenet_v3", "efficientnet"):
        got = getattr(apps, module).preprocess_input(x.copy())
        np.testing.assert_allclose(got, np.array(pre[module]), rtol=1e-6, atol=1e-5, err_msg=module)
    np.testing.assert_allclose(imagenet_utils.preprocess_input(x.copy(), mode="torch"), np.array(pre["densenet"]),
                               rtol=1e-6, atol=1e-5)
    assert apps.vgg19.preprocess_input is apps.vgg16.preprocess_input
    # a float array is changed in place (Keras documents this); an integer one is converted
    y = x.copy()
    assert apps.mobilenet_v2.preprocess_input(y) is y and np.allclose(y, x / 127.5 - 1)
    ints = np.full((1, 2, 2, 3), 255, dtype="uint8")
    assert np.allclose(apps.mobilenet_v2.preprocess_input(ints), 1.0) and ints.dtype == np.uint8
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(x, mode="keras")


def test_preprocess_input_on_tensors_keeps_the_gradient():
    x = tf.constant(np.array(DATA["preprocess"]["x"], dtype="float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.keras.applications.vgg16.preprocess_input(x)
        total = tf.reduce_sum(y * np.arange(3, dtype="float32"))
    np.testing.assert_allclose(y.numpy(), np.array(DATA["preprocess"]["vgg16"]), rtol=1e-6, atol=1e-5)
    # BGR flip: d/dx of sum(y_c * c) is 2 - c on input channel c
    assert np.allclose(tape.gradient(total, x).numpy()[..., 0], 2.0)


def test_decode_predictions_reads_keras_class_index(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    payload = json.dumps(index).encode()
    (tmp_path / "models" / "imagenet_class_index.json").write_bytes(payload)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_MD5", hashlib.md5(payload).hexdigest())
    monkeypatch.setattr(imagenet_utils, "_class_index", None)
    preds = np.zeros((2, 1000), dtype="float32")
    preds[0, [5, 7, 9]] = [0.2, 0.5, 0.3]
    preds[1, 999] = 1.0
    out = tf.keras.applications.mobilenet_v2.decode_predictions(preds, top=3)
    assert [t[:2] for t in out[0]] == [("n00000007", "class_7"), ("n00000009", "class_9"), ("n00000005", "class_5")]
    assert out[1][0][:2] == ("n00000999", "class_999") and out[0][0][2] == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        tf.keras.applications.mobilenet_v2.decode_predictions(np.zeros((2, 10)))


def test_hard_swish_gradient_by_central_differences():
    from glassnet.applications.mobilenet_v3 import hard_swish
    x = np.array([-4.0, -3.5, -2.0, -0.7, 0.0, 0.4, 2.9, 3.6, 5.0])
    eps = 1e-6
    numeric = (hard_swish(x + eps) - hard_swish(x - eps)) / (2 * eps)
    np.testing.assert_allclose(hard_swish.backward(x, hard_swish(x), np.ones_like(x)), numeric, atol=1e-6)
    np.testing.assert_allclose(hard_swish(np.array([-3.0, 0.0, 3.0, 1.0])), [0.0, 0.0, 3.0, 1.0 * 4 / 6])


def test_mobilenet_v3_trains_through_its_hard_swish_and_squeeze_excite():
    model = tf.keras.applications.MobileNetV3Small(input_shape=(32, 32, 3), include_top=True, weights=None,
                                                   classes=3, dropout_rate=0.0)
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 255, (4, 32, 32, 3)).astype("float32")
    y = np.array([0, 1, 2, 1])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    se = model.get_layer("expanded_conv_3_squeeze_excite_conv")
    before = se.get_weights()[0].copy()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert not np.array_equal(before, se.get_weights()[0])
    with tf.GradientTape() as tape:               # the gradient reaches the input through every block
        xt = tf.constant(x)
        tape.watch(xt)
        loss = tf.reduce_sum(model(xt, training=False)[:, 0])
    assert float(tf.reduce_sum(tf.abs(tape.gradient(loss, xt)))) > 0


def test_import_paths():
    import sys
    from glassnet.keras.applications.mobilenet_v2 import preprocess_input  # noqa: F401
    from glassnet.keras.applications import MobileNetV2
    import glassnet.keras.applications.resnet50 as resnet50
    assert MobileNetV2 is sys.modules["glassnet.applications.mobilenet_v2"].MobileNetV2
    assert resnet50.ResNet50 is tf.keras.applications.ResNet50 is tf.keras.applications.resnet.ResNet50
    assert tf.keras.applications.inception_v3.preprocess_input(np.array([255.0]))[0] == pytest.approx(1.0)


def test_transfer_learning_tutorial_path():
    """TensorFlow's "Transfer learning and fine-tuning" tutorial, renamed, on stand-in images."""
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (8, 96, 96, 3)).astype("float32")
    labels = rng.integers(0, 2, (8, 1)).astype("float32")
    keras = tf.keras
    base_model = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights=None)
    base_model.trainable = False
    inputs = keras.Input(shape=(96, 96, 3))
    x = keras.applications.mobilenet_v2.preprocess_input(inputs)
    x = base_model(x, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.2)(x)
    outputs = keras.layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0, name="accuracy")])
    tut = DATA["tutorial"]
    assert len(model.trainable_variables) == tut["frozen_trainable_variables"]
    assert len(base_model.layers) == tut["base_layers"]
    frozen = [w.copy() for w in base_model.get_weights()]
    history = model.fit(images, labels, epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0]) and "accuracy" in history.history
    assert all(np.array_equal(a, b) for a, b in zip(frozen, base_model.get_weights()))   # BN stats too

    base_model.trainable = True
    for layer in base_model.layers[:100]:
        layer.trainable = False
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-5),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0, name="accuracy")])
    assert len(model.trainable_variables) == tut["fine_tune_trainable_variables"]
    early = [w.copy() for layer in base_model.layers[:100] for w in layer.get_weights()]
    late = base_model.get_layer("Conv_1").get_weights()[0].copy()
    model.fit(images, labels, epochs=2, initial_epoch=1, batch_size=4, verbose=0)
    assert all(np.array_equal(a, b) for a, b in
               zip(early, [w for layer in base_model.layers[:100] for w in layer.get_weights()]))
    assert not np.array_equal(late, base_model.get_layer("Conv_1").get_weights()[0])


def test_depthwise_forward_tap_by_tap_equals_the_windows_sum():
    """layers/depthwise.py sums one kernel tap at a time (MobileNetV2's speed); the same numbers
    as the windows-times-kernel sum it replaced, with strides, dilation and a depth multiplier."""
    from glassnet.layers.conv import extract_patches, pad, paddings
    from glassnet.layers.depthwise import _depthwise_forward
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 9, 11, 3))
    K = rng.standard_normal((3, 2, 3, 2))
    for strides, dilation, padding in (((1, 1), (1, 1), "same"), ((2, 2), (1, 1), "valid"), ((1, 1), (2, 1), "same")):
        z, *_ = _depthwise_forward(x, K, strides, dilation, padding)
        windows = extract_patches(pad(x, paddings(x.shape[1:-1], K.shape[:2], strides, dilation, padding)),
                                  K.shape[:2], strides, dilation)
        np.testing.assert_allclose(z, np.einsum("nijabc,abcm->nijcm", windows, K), rtol=1e-12, atol=1e-12)


def test_keras2_layout_of_the_imagenet_files_loads(tmp_path):
    """Keras's ImageNet files were written by Keras 2: names as fixed-length bytes, ':0' suffixes
    ("Conv1/kernel:0"), groups in alphabetical order; the same arrays load the same way."""
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "mobilenet_v2_keras2.h5"
    with h5py.File(H5, "r") as src, h5py.File(path, "w") as dst:
        names = [n.decode() if isinstance(n, bytes) else n for n in src.attrs["layer_names"]]
        dst.attrs["layer_names"] = np.array([n.encode() for n in names], dtype="S")
        dst.attrs["keras_version"] = b"2.2.4"
        dst.attrs["backend"] = b"tensorflow"
        for name in sorted(names):
            group = dst.create_group(name)
            old = [w.decode() if isinstance(w, bytes) else w for w in src[name].attrs["weight_names"]]
            new = [f"{w}:0" for w in old]
            group.attrs["weight_names"] = np.array([w.encode() for w in new], dtype="S") if new else np.zeros(0, "S1")
            for w_old, w_new in zip(old, new):
                group.create_dataset(w_new, data=src[name][w_old][()])
    rec = DATA["cases"]["mobilenet_v2_035_96_no_top"]
    model = _build(rec, weights=str(path))
    np.testing.assert_allclose(model.predict(maker.seeded_input(rec["input_shape"]), verbose=0),
                               np.array(rec["file_prediction"]), rtol=1e-4, atol=1e-5)


def test_dropout_noise_shape_drops_whole_samples():
    """Dropout(noise_shape=(None, 1, 1, 1)) (EfficientNet's drop-connect, layers/core.py): one draw
    per sample, broadcast; the backward uses the same mask; the identity at inference."""
    layer = tf.keras.layers.Dropout(0.5, noise_shape=(None, 1, 1, 1), seed=3)
    x = np.ones((16, 2, 3, 4), dtype="float32")
    out = np.asarray(layer(x, training=True))
    per_sample = out.reshape(16, -1)
    assert set(np.unique(per_sample)) <= {0.0, 2.0}
    assert all(len(np.unique(row)) == 1 for row in per_sample)            # whole samples kept or dropped
    assert 0 < (per_sample[:, 0] == 0).sum() < 16
    grad = layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(grad, out)                               # d(x * mask)/dx = mask
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    assert layer.get_config()["noise_shape"] == [None, 1, 1, 1]
    with pytest.raises(ValueError, match="noise_shape"):
        tf.keras.layers.Dropout(0.5, noise_shape=(None, 0))
    with pytest.raises(ValueError, match="noise_shape"):
        tf.keras.layers.Dropout(0.5, noise_shape=(None, 1))(x, training=True)
