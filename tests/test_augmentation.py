"""The random image layers (layers/augmentation.py, layers/color_augmentation.py): Keras's transform
for the draw Keras made (fixtures from tools/make_keras_image_preprocessing.py), training-only
behaviour, seeds, shapes, backward against central differences with the draw held fixed, bad
arguments, and the tutorials' models (image classification, transfer learning) trained by fit."""
import json
import pathlib

import numpy as np
import pytest

import glassnet
from conftest import central_difference
from glassnet import layers
from glassnet.layers import augmentation as aug
from glassnet.layers import image_sampling as sampling

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "keras_image_preprocessing.npz")
X = FIXTURE["x"]                                     # (2, 7, 9, 3), values 0..255
RANDOM_CASES = sorted({k.split("/")[0] for k in FIXTURE if k.endswith("/kwargs")
                       and json.loads(str(FIXTURE[k]))["class"].startswith("Random")})


def _case(case):
    kwargs = json.loads(str(FIXTURE[f"{case}/kwargs"]))
    return kwargs.pop("class"), kwargs


@pytest.mark.parametrize("case", RANDOM_CASES)
def test_the_transform_for_kerass_draw_matches_keras(case):
    """Keras drew the transform (recorded beside its output); glassnet applies the same one."""
    cls, kwargs = _case(case)
    layer = getattr(layers, cls)(**kwargs)
    x = np.concatenate([X, X, X]) if cls == "RandomFlip" else X
    n, h, w = x.shape[:3]
    draw = lambda key: FIXTURE[f"{case}/{key}"]                                  # noqa: E731
    if cls == "RandomRotation":
        y = layer.warp(x, aug.rotation_matrices(draw("angle"), h, w))
    elif cls == "RandomZoom":
        y = layer.warp(x, aug.zoom_matrices(draw("height_zoom")[:, 0], draw("width_zoom")[:, 0], h, w))
    elif cls == "RandomTranslation":
        y = layer.warp(x, aug.translation_matrices(draw("translations")[:, 1], draw("translations")[:, 0]))
    elif cls == "RandomContrast":
        y = layer.apply(x, draw("contrast_factor"))
    elif cls == "RandomBrightness":
        y = layer.apply(x, draw("rgb_delta"))
    elif cls == "RandomFlip":
        y = layer.apply(x, draw("flips").ravel())
    else:                                            # RandomCrop: (top, left) Keras drew
        top, left = draw("draw")
        if h > kwargs["height"] and w > kwargs["width"]:
            y = layer.apply(x, (np.eye(h)[top:top + kwargs["height"]], np.eye(w)[left:left + kwargs["width"]]))
        else:                                        # no draw: Keras's window, resized
            y = layer(x, training=True).numpy()
    np.testing.assert_allclose(y, FIXTURE[f"{case}/y"], atol=3e-4, rtol=1e-5)


def test_fixed_draws_repeat_kerass_transform_exactly():
    """Factor (0.25, 0.25) is always a quarter turn: the layer's own draw gives Keras's image."""
    case = next(c for c in RANDOM_CASES if _case(c)[0] == "RandomRotation" and _case(c)[1]["factor"] == [0.25, 0.25]
                and _case(c)[1]["fill_mode"] == "constant" and _case(c)[1]["interpolation"] == "bilinear")
    cls, kwargs = _case(case)
    np.testing.assert_allclose(layers.RandomRotation(**kwargs)(X, training=True).numpy(), FIXTURE[f"{case}/y"],
                               atol=3e-4)


@pytest.mark.parametrize("fill_mode", sampling.FILL_MODES)
@pytest.mark.parametrize("interpolation", sampling.INTERPOLATIONS)
def test_affine_sampling_matches_tensorflow(fill_mode, interpolation):
    """keras.ops.image.affine_transform on projective matrices whose coordinates go far outside."""
    transforms = FIXTURE["affine/transforms"]
    x = np.concatenate([X, X[:1]])
    index, weight, fill = sampling.affine_taps(transforms, 7, 9, interpolation, fill_mode)
    np.testing.assert_allclose(sampling.taps_apply(x, index, weight, fill, 5.0),
                               FIXTURE[f"affine/{fill_mode}/{interpolation}"], atol=3e-4, rtol=1e-5)


ALL = [lambda: layers.RandomFlip(seed=3), lambda: layers.RandomRotation(0.3, seed=3),
       lambda: layers.RandomZoom(0.3, seed=3), lambda: layers.RandomTranslation(0.2, 0.3, seed=3),
       lambda: layers.RandomContrast(0.5, seed=3), lambda: layers.RandomBrightness(0.3, seed=3),
       lambda: layers.RandomCrop(5, 6, seed=3)]


@pytest.mark.parametrize("make", ALL)
def test_training_only_identity_at_inference_float32_out(make):
    x8 = X.astype(np.uint8)
    layer = make()
    same = layer(x8, training=False)
    assert same.dtype == np.float32 and np.array_equal(same.numpy(), x8.astype(np.float32))
    changed = make()(x8, training=True)
    assert changed.dtype == np.float32
    assert changed.shape == layer.compute_output_shape(x8.shape)
    assert changed.shape != x8.shape or not np.array_equal(changed.numpy(), x8)


@pytest.mark.parametrize("make", ALL)
def test_a_direct_call_without_training_augments_as_kerass(make):
    """Keras 3's image layers default to training=True when called directly (its tutorials plot
    data_augmentation(images)); a model's predict passes training=False."""
    x = X if not isinstance(make(), layers.RandomFlip) else np.concatenate([X] * 8)
    out = make()(x)
    assert out.shape != x.shape or not np.array_equal(out.numpy(), x)
    model = glassnet.keras.Sequential([layers.Input(x.shape[1:]), make()])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    called = model(x)                                   # a Sequential called with training unset, as
    assert called.shape != x.shape or not np.array_equal(called.numpy(), x)  # the tutorials plot it
    np.testing.assert_array_equal(model(x, training=False).numpy(), x)
    outer = glassnet.keras.Sequential([model, layers.Dropout(0.99)])   # nested: each layer its own default
    nested = outer(x).numpy()
    assert (nested.shape != x.shape or not np.array_equal(nested, x)) and np.count_nonzero(nested)


@pytest.mark.parametrize("make", ALL)
def test_seeded_layers_repeat_and_draw_afresh_each_call(make):
    a, b = make(), make()
    first, again = a(X, training=True).numpy(), b(X, training=True).numpy()
    np.testing.assert_array_equal(first, again)                  # the same seed, the same draws
    if not isinstance(a, layers.RandomFlip):                     # a flip may repeat by chance
        assert not np.array_equal(a(X, training=True).numpy(), first)    # the next call draws anew


def test_unseeded_layers_follow_set_random_seed():
    glassnet.utils.set_random_seed(7)
    first = layers.RandomRotation(0.2)(X, training=True).numpy()
    glassnet.utils.set_random_seed(7)
    np.testing.assert_array_equal(layers.RandomRotation(0.2)(X, training=True).numpy(), first)


def test_one_image_and_a_batch():
    layer = layers.RandomZoom((0.5, 0.5), seed=1)
    one = layer(X[0], training=True)
    assert one.shape == X[0].shape
    np.testing.assert_allclose(one.numpy(), layer(X[:1], training=True).numpy()[0], rtol=1e-6)
    assert layers.RandomCrop(3, 4)(X[0], training=True).shape == (3, 4, 3)


def test_flip_modes_and_a_quarter_turn_by_hand():
    x = np.arange(6.0).reshape(1, 2, 3, 1)
    flip = layers.RandomFlip("horizontal")
    np.testing.assert_array_equal(flip.apply(x, np.array([True]))[0, :, :, 0], [[2, 1, 0], [5, 4, 3]])
    both = layers.RandomFlip()
    np.testing.assert_array_equal(both.apply(x, np.array([True]))[0, :, :, 0], [[5, 4, 3], [2, 1, 0]])
    square = np.arange(9.0).reshape(1, 3, 3, 1)                  # counter-clockwise: the right column on top
    turned = layers.RandomRotation((0.25, 0.25), fill_mode="constant")(square, training=True).numpy()[0, :, :, 0]
    np.testing.assert_allclose(turned, [[2, 5, 8], [1, 4, 7], [0, 3, 6]], atol=1e-5)


def test_contrast_factor_rule_is_kerass():
    """A number f means (0, f) for RandomContrast (contrast grows, Keras 3.15); (-f, f) for brightness."""
    assert layers.RandomContrast(0.2).factor == (0.0, 0.2)
    assert layers.RandomBrightness(0.2).factor == (-0.2, 0.2)
    assert layers.RandomRotation((0.3, -0.1)).factor == (-0.1, 0.3)
    factors = layers.RandomContrast(0.3, seed=0).draw(2000, 1, 1)
    assert 1.0 <= factors.min() and factors.max() <= 1.3 and factors.max() > 1.25


# -- backward with the draw held fixed: central differences --------------------------------------
FIXED = [lambda: layers.RandomFlip(seed=1), lambda: layers.RandomFlip("vertical", seed=2),
         lambda: layers.RandomContrast((0.3, 0.6), value_range=(-50, 50), seed=1),
         lambda: layers.RandomBrightness(0.4, value_range=(-1, 1), seed=1), lambda: layers.RandomCrop(3, 4, seed=1),
         lambda: layers.RandomCrop(6, 8, seed=1)]
FIXED += [lambda fill=fill, interp=interp: layers.RandomRotation(0.4, fill_mode=fill, interpolation=interp,
                                                                  fill_value=0.5, seed=1)
          for fill in sampling.FILL_MODES for interp in sampling.INTERPOLATIONS]
FIXED += [lambda fill=fill: layers.RandomZoom((-0.4, 0.6), (0.3, 0.5), fill_mode=fill, seed=2) for fill in
          sampling.FILL_MODES]
FIXED += [lambda fill=fill: layers.RandomTranslation(0.4, 0.3, fill_mode=fill, fill_value=2.0, seed=4)
          for fill in sampling.FILL_MODES]


@pytest.mark.parametrize("make", FIXED)
def test_backward_is_the_derivative_with_the_draw_fixed(make):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 5, 6, 2))
    layer = make()
    y = layer.forward(x, training=True)                     # float64 in, float64 out: the draw is kept
    g = rng.normal(size=y.shape)
    analytic = layer.backward(g)
    numeric = central_difference(lambda v: float((make().forward(v, training=True) * g).sum()), x)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_backward_at_inference_is_the_identity_and_none_when_not_needed():
    layer = layers.RandomRotation(0.2)
    layer(X, training=False)
    g = np.ones_like(X)
    np.testing.assert_array_equal(layer.backward(g), g)
    assert layer.backward(g, need_input_grad=False) is None


# -- bad arguments: errors naming them -----------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda: layers.RandomRotation(1.5), "RandomRotation: factor must be .* range \\[-1, 1\\]; got factor=1.5"),
    (lambda: layers.RandomRotation((0.1, 0.2, 0.3)), "factor must be"),
    (lambda: layers.RandomRotation("0.1"), "factor must be"),
    (lambda: layers.RandomZoom(-1.0), "RandomZoom: height_factor must be .*\\(-1, 1\\]"),
    (lambda: layers.RandomZoom(0.2, width_factor=(0.1, 2)), "width_factor"),
    (lambda: layers.RandomTranslation(0.1, 1.2), "RandomTranslation: width_factor"),
    (lambda: layers.RandomContrast(-0.1), "RandomContrast: factor must be .*\\[0, 1\\]"),
    (lambda: layers.RandomContrast(0.1, value_range=5), "value_range must be a list of two numbers"),
    (lambda: layers.RandomBrightness(0.1, value_range=(0, 1, 2)), "value_range"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), "unknown fill_mode='mirror'"),
    (lambda: layers.RandomZoom(0.1, interpolation="bicubic"), "unknown interpolation='bicubic'"),
    (lambda: layers.RandomFlip("diagonal"), "RandomFlip: mode must be one of"),
    (lambda: layers.RandomCrop(0, 3), "RandomCrop: height must be a positive integer, got height=0"),
    (lambda: layers.RandomCrop(3, -1), "RandomCrop: width must be a positive integer"),
    (lambda: layers.RandomFlip(seed="a"), "seed must be an integer"),
])
def test_bad_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_unknown_fill_mode_is_also_kerass_not_implemented_error():
    with pytest.raises(NotImplementedError):
        layers.RandomTranslation(0.1, 0.1, fill_mode="mirror")


def test_wrong_rank_is_refused_with_the_shape():
    with pytest.raises(ValueError, match="expected images of rank 3 .* or 4 .*got inputs of shape \\(4, 5\\)"):
        layers.RandomFlip()(np.zeros((4, 5)), training=True)
    with pytest.raises(ValueError, match="rank 3"):
        glassnet.keras.Sequential([layers.Input((5,)), layers.RandomRotation(0.1)])


# -- in models and pipelines ------------------------------------------------------------------
def _images(n=24, size=12, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, size, size, 3)).astype(np.uint8), rng.integers(0, classes, n)


def test_image_classification_tutorial_model_trains_one_epoch():
    """TensorFlow's image classification tutorial, smaller: augmentation first, Rescaling, convs."""
    glassnet.utils.set_random_seed(0)
    keras = glassnet.keras
    x, y = _images()
    data_augmentation = keras.Sequential([layers.RandomFlip("horizontal", input_shape=(12, 12, 3)),
                                          layers.RandomRotation(0.1), layers.RandomZoom(0.1)])
    model = keras.Sequential([data_augmentation, layers.Rescaling(1. / 255),
                              layers.Conv2D(4, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
                              layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
                              layers.Dropout(0.2), layers.Flatten(), layers.Dense(16, activation="relu"),
                              layers.Dense(3, name="outputs")])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    ds = glassnet.data.Dataset.from_tensor_slices((x, y)).batch(8)
    before = model.get_weights()
    history = model.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert not np.allclose(model.get_weights()[0], before[0])
    assert model.layers[0].output_shape == (None, 12, 12, 3)
    augmented = data_augmentation(x[:4], training=False)           # inference: as given, as float32
    np.testing.assert_array_equal(augmented.numpy(), x[:4].astype(np.float32))
    assert data_augmentation(x[:4], training=True).shape == (4, 12, 12, 3)
    np.testing.assert_array_equal(model.predict(x[:4], verbose=0), model.predict(x[:4], verbose=0))


def test_summary_lines_as_keras_prints_them(capsys):
    model = glassnet.keras.Sequential([layers.Input((12, 12, 3)), layers.RandomFlip("horizontal"),
                                      layers.RandomCrop(8, 10), layers.Flatten()])
    model.summary()
    text = capsys.readouterr().out
    assert "│ random_flip" in text and "(RandomFlip)" in text and "(None, 12, 12, 3)" in text
    assert "(None, 8, 10, 3)" in text and "(None, 240)" in text and "Total params: 0" in text


def test_transfer_learning_augmentation_as_a_layer_of_a_functional_model():
    glassnet.utils.set_random_seed(1)
    keras = glassnet.keras
    x, y = _images(16, 10, 2)
    data_augmentation = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.2)])
    inputs = keras.Input(shape=(10, 10, 3))
    h = data_augmentation(inputs)
    h = layers.Rescaling(1. / 127.5, offset=-1)(h)
    h = layers.Conv2D(4, 3, activation="relu")(h)
    h = layers.GlobalAveragePooling2D()(h)
    outputs = layers.Dense(1)(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    history = model.fit(x, y.astype(np.float32), epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_in_dataset_map_with_training_true():
    data_augmentation = glassnet.keras.Sequential([layers.RandomFlip("horizontal_and_vertical", seed=1),
                                                   layers.RandomRotation(0.2, seed=1)])
    x, y = _images(8, 10)
    ds = glassnet.data.Dataset.from_tensor_slices((x.astype(np.float32), y)).batch(4)
    out = [(np.asarray(a), np.asarray(b)) for a, b in ds.map(lambda a, b: (data_augmentation(a, training=True), b))]
    assert [a.shape for a, _ in out] == [(4, 10, 10, 3)] * 2
    assert not np.allclose(np.concatenate([a for a, _ in out]), x)
    np.testing.assert_array_equal(np.concatenate([b for _, b in out]), y)


def test_saved_and_loaded_with_their_configs(tmp_path):
    model = glassnet.keras.Sequential([layers.Input((9, 9, 3))] + [make() for make in ALL[:-1]] +
                                      [layers.RandomCrop(5, 6, seed=3), layers.CenterCrop(5, 6), layers.Flatten(),
                                       layers.Dense(2)])
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    for a, b in zip(model.layers, again.layers):
        plain = lambda layer: json.loads(json.dumps(layer.get_config()))          # noqa: E731 (tuples as lists)
        assert type(a) is type(b) and plain(a) == plain(b)
    x = np.random.default_rng(0).uniform(0, 255, (3, 9, 9, 3)).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    cfg = layers.RandomZoom(0.2, (-0.1, 0.3), fill_mode="nearest", seed=5).get_config()
    assert {k: cfg[k] for k in ("height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value",
                                "data_format")} == {"height_factor": 0.2, "width_factor": (-0.1, 0.3),
                                                    "fill_mode": "nearest", "interpolation": "bilinear", "seed": 5,
                                                    "fill_value": 0.0, "data_format": "channels_last"}


def test_keras_saved_file_loads_and_predicts_the_same():
    folder = pathlib.Path(__file__).parent / "fixtures"
    model = glassnet.models.load_model(folder / "keras_image_preprocessing.keras")
    names = [type(layer).__name__ for layer in model.layers]
    assert names[:9] == ["Resizing", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                         "RandomContrast", "RandomBrightness", "RandomCrop", "CenterCrop"]
    expected = np.load(folder / "keras_image_preprocessing_predictions.npy")
    np.testing.assert_allclose(model.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-5)
    assert model.layers[1].get_config()["seed"] == 1 and model.layers[3].width_factor == 0.2


def test_onnx_export_writes_the_random_layers_as_identity(tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    model = glassnet.keras.Sequential([layers.Input((7, 9, 3)), layers.RandomFlip(), layers.RandomRotation(0.2),
                                      layers.RandomContrast(0.3), layers.Flatten(), layers.Dense(2)])
    model.export(tmp_path / "m.onnx", format="onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "m.onnx"))
    out = session.run(None, {session.get_inputs()[0].name: X})[0]
    np.testing.assert_allclose(out, model.predict(X, verbose=0), rtol=1e-5, atol=1e-4)


def test_explain_says_inference_is_the_identity():
    model = glassnet.keras.Sequential([layers.Input((4, 4, 1)), layers.RandomRotation(0.1), layers.Flatten(),
                                      layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    text = str(glassnet.explain(model, np.ones((2, 4, 4, 1)), np.ones((2, 1))))
    assert "inference mode: the identity; in fit, a random rotation" in text
