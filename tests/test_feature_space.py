"""``glassnet/feature_space.py``: keras.utils.FeatureSpace against Keras 3.15's numbers (recorded with
/work/peers/bin/python, KERAS_BACKEND=tensorflow, on the same small tables): the concatenation order
(features by sorted name, then crosses), one-hot/int/float encodings, hashing and crossing bins,
dtypes and shapes of the graph's tensors, Keras's error messages, a model on the encoded tensor (the
graph cut there) and one on the raw inputs, and the inference model's .keras file."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import keras
from glassnet.keras.utils import FeatureSpace

DATA = {"f": [0.0, 0.1, 0.2, 0.3, 2.0], "s": ["zero", "one", "two", "three", "one"], "i": [0, 1, 2, 3, 1],
        "r": [1., 2., 3., 4., 5.], "p": [1., 1., 2., 2., 3.]}
# Keras 3.15's output on DATA (5 x 45), as (row, column, value) of its nonzero entries: f (normalized), i
# (one-hot of 5: OOV + 4), p (float), r (2r + 1), s (one-hot of 5), s_X_i (one-hot of 32)
CONCAT_NONZERO = [(0, 0, -0.696373), (0, 5, 1.0), (0, 6, 1.0), (0, 7, 3.0), (0, 10, 1.0), (0, 24, 1.0),
                  (1, 0, -0.562455), (1, 2, 1.0), (1, 6, 1.0), (1, 7, 5.0), (1, 9, 1.0), (1, 22, 1.0),
                  (2, 0, -0.428537), (2, 4, 1.0), (2, 6, 2.0), (2, 7, 7.0), (2, 11, 1.0), (2, 14, 1.0),
                  (3, 0, -0.294619), (3, 3, 1.0), (3, 6, 2.0), (3, 7, 9.0), (3, 12, 1.0), (3, 35, 1.0),
                  (4, 0, 1.981985), (4, 2, 1.0), (4, 6, 3.0), (4, 7, 11.0), (4, 9, 1.0), (4, 22, 1.0)]


def _space():
    fs = FeatureSpace(features={"f": "float_normalized", "s": "string_categorical", "i": "integer_categorical",
                                "r": FeatureSpace.float_rescaled(scale=2.0, offset=1.0), "p": "float"},
                      crosses=[("s", "i")], output_mode="concat")
    fs.adapt(glassnet.data.Dataset.from_tensor_slices(DATA))
    return fs


def _dense(nonzero, shape):
    out = np.zeros(shape, np.float32)
    for i, j, v in nonzero:
        out[i, j] = v
    return out


def test_concat_order_widths_and_values_are_keras():
    out = _space()(DATA)
    assert out.shape == (5, 45) and out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), _dense(CONCAT_NONZERO, (5, 45)), atol=1e-6)


def test_one_row_of_scalars_gives_one_vector():
    fs = _space()
    one = fs({k: v[1] for k, v in DATA.items()})
    assert one.shape == (45,)
    np.testing.assert_allclose(one.numpy(), _dense(CONCAT_NONZERO, (5, 45))[1], atol=1e-6)
    # a dict of one-element lists (keras.ops.convert_to_tensor([value])): a batch of one
    batch = fs({k: keras.ops.convert_to_tensor([v[1]]) for k, v in DATA.items()})
    assert batch.shape == (1, 45)


VALS = np.linspace(0, 9, 40).astype("float32")
D2 = {"h": ["a", "b", "c", "d"] * 10, "ih": list(range(40)), "d": VALS.tolist(), "c": [3, 3, 7, 9] * 10,
      "s": ["x", "y", "y", "z"] * 10}


def _dict_space():
    fs = FeatureSpace(
        features={"h": FeatureSpace.string_hashed(num_bins=5),
                  "ih": FeatureSpace.integer_hashed(num_bins=7, output_mode="int"),
                  "d": FeatureSpace.float_discretized(num_bins=4),
                  "c": FeatureSpace.integer_categorical(num_oov_indices=0, output_mode="int"),
                  "s": FeatureSpace.string_categorical(max_tokens=3, output_mode="one_hot")},
        crosses=[FeatureSpace.cross(("c", "s"), crossing_dim=8, output_mode="int"),
                 FeatureSpace.cross(("h", "d"), crossing_dim=6)],
        output_mode="dict")
    fs.adapt(glassnet.data.Dataset.from_tensor_slices(D2).batch(16))
    return fs


def test_dict_mode_hashing_crossing_discretizing_as_keras():
    fs = _dict_space()
    out = fs({k: v[:6] for k, v in D2.items()})
    assert list(out) == ["c", "d", "h", "ih", "s", "c_X_s", "h_X_d"]          # Keras's order
    want_int = {"c": [0, 0, 2, 1, 0, 0], "ih": [2, 5, 5, 2, 6, 1], "c_X_s": [0, 3, 4, 5, 0, 3]}
    for name, ids in want_int.items():
        assert out[name].dtype == np.int64 and out[name].shape == (6, 1)
        assert out[name].numpy().ravel().tolist() == ids, name
    want_hot = {"d": (4, [0, 0, 0, 0, 0, 0]), "h": (5, [4, 2, 2, 0, 4, 2]), "s": (3, [0, 1, 1, 2, 0, 1]),
                "h_X_d": (6, [2, 5, 5, 4, 2, 5])}
    for name, (width, hot) in want_hot.items():
        assert out[name].dtype == np.float32 and out[name].shape == (6, width)
        np.testing.assert_array_equal(out[name].numpy(), np.eye(width, dtype=np.float32)[hot])
    np.testing.assert_allclose(fs.preprocessors["d"].bin_boundaries, [2.076923131942749, 4.384615421295166,
                                                                       6.692307472229004], rtol=1e-6)
    assert fs.preprocessors["s"].get_vocabulary() == ["[UNK]", "y", "z"]
    assert fs.preprocessors["c"].get_vocabulary() == [3, 9, 7]


def test_inputs_and_encoded_tensors_have_keras_dtypes_and_shapes():
    fs = _dict_space()
    inputs = fs.get_inputs()
    want = {"h": "string", "ih": "int32", "d": "float32", "c": "int32", "s": "string"}
    for name, dtype in want.items():
        assert tuple(inputs[name].shape) == (None, 1) and inputs[name].name == name
        assert (inputs[name].dtype.kind == "U") if dtype == "string" else inputs[name].dtype == dtype
    enc = fs.get_encoded_features()
    shapes = {"c": ("int64", 1), "d": ("float32", 4), "h": ("float32", 5), "ih": ("int64", 1),
              "s": ("float32", 3), "c_X_s": ("int64", 1), "h_X_d": ("float32", 6)}
    assert list(enc) == list(shapes)
    for name, (dtype, width) in shapes.items():
        assert enc[name].dtype == dtype and tuple(enc[name].shape) == (None, width), name
    concat = _space().get_encoded_features()
    assert concat.dtype == "float32" and tuple(concat.shape) == (None, 45)


def test_inside_dataset_map():
    fs = _space()
    ds = glassnet.data.Dataset.from_tensor_slices(DATA).batch(2).map(lambda x: fs(x))
    assert [b.shape[0] for b in ds] == [2, 2, 1]
    labelled = glassnet.data.Dataset.from_tensor_slices((DATA, [0, 1, 0, 1, 1])).batch(2)
    x, y = next(iter(labelled.map(lambda x, y: (fs(x), y), num_parallel_calls=glassnet.data.AUTOTUNE)))
    assert x.shape == (2, 45) and y.shape == (2,)


@pytest.mark.parametrize("make, message", [
    (lambda: FeatureSpace(features={}), "The `features` argument cannot be None or empty."),
    (lambda: FeatureSpace(features={"a": "floaty"}), "Invalid feature type: floaty"),
    (lambda: FeatureSpace(features={"a": "float"}, output_mode="list"),
     "Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. Received: output_mode=list"),
    (lambda: FeatureSpace(features={"a": "integer_categorical"}, crosses=[("a", "b")]),
     "All features referenced in the `crosses` argument should be present in the `features` dict. "
     "Received unknown features: ('a', 'b')"),
    (lambda: FeatureSpace(features={"a": "integer_categorical"})({"a": [1]}),
     "You need to call `.adapt(dataset)` on the FeatureSpace before you can start using it."),
    (lambda: FeatureSpace(features={"a": FeatureSpace.integer_categorical(output_mode="int")}).adapt({"a": [1, 2]}),
     "Cannot concatenate features because feature 'a' has not been encoded (it has dtype int64). "
     "Consider using `output_mode='dict'`."),
    (lambda: FeatureSpace.integer_categorical(output_mode="multi_hot"),
     "Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot', 'float'}. "
     "Received: output_mode=multi_hot"),
    (lambda: FeatureSpace.cross(("a", "b"), 4, output_mode="float"),
     "Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot'}. Received: output_mode=float"),
    (lambda: _space()([1, 2]), "A FeatureSpace can only be called with a dict."),
    (lambda: _space()({"f": [1.0]}), "the data has no feature"),
])
def test_bad_input_is_refused_with_keras_message(make, message):
    with pytest.raises(ValueError) as e:
        make()
    assert message in str(e.value)


def test_refused_adapt_names_the_element_and_changes_nothing():
    fs = FeatureSpace(features={"a": "float_normalized"})
    with pytest.raises(ValueError, match="element 0 .* tuple"):
        fs.adapt(glassnet.data.Dataset.from_tensor_slices(({"a": [1.0, 2.0]}, [0, 1])))
    assert not fs._is_adapted and fs.encoded_features is None


def _models(fs):
    glassnet.utils.set_random_seed(3)
    dict_inputs = fs.get_inputs()
    encoded = fs.get_encoded_features()
    x = keras.layers.Dense(8, activation="relu")(encoded)
    x = keras.layers.Dropout(0.5)(x)
    predictions = keras.layers.Dense(1, activation="sigmoid")(x)
    training_model = keras.Model(inputs=encoded, outputs=predictions)
    inference_model = keras.Model(inputs=dict_inputs, outputs=predictions)
    return training_model, inference_model


def test_a_model_on_the_encoded_tensor_cuts_the_graph_there():
    fs = _space()
    training_model, inference_model = _models(fs)
    assert [type(layer).__name__ for layer in training_model.layers] == ["InputLayer", "Dense", "Dropout", "Dense"]
    assert training_model.layers[0].name.endswith("CLONE") and training_model.count_params() == 45 * 8 + 8 + 9
    training_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    ds = glassnet.data.Dataset.from_tensor_slices((DATA, [0, 1, 0, 1, 1])).batch(2)
    history = training_model.fit(ds.map(lambda x, y: (fs(x), y)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    # the same layers in both models: the trained weights predict from raw rows too
    raw = {name: keras.ops.convert_to_tensor([v[2]]) for name, v in DATA.items()}
    np.testing.assert_allclose(inference_model.predict(raw, verbose=0),
                               training_model.predict(fs(raw), verbose=0), atol=1e-6)
    assert fs.get_inputs()["s"] in inference_model.inputs             # the original graph is untouched


def test_inference_model_file_round_trip(tmp_path):
    fs = _space()
    _, inference_model = _models(fs)
    path = tmp_path / "inference.keras"
    inference_model.save(path)
    again = keras.models.load_model(path)
    raw = {name: np.asarray(v) for name, v in DATA.items()}
    np.testing.assert_allclose(again.predict(raw, verbose=0), inference_model.predict(raw, verbose=0), atol=1e-6)
    names = {type(layer).__name__ for layer in again.layers}
    assert {"TFDConcat", "TFDIdentity", "HashedCrossing", "CategoryEncoding", "StringLookup", "Rescaling"} <= names


def test_get_config_round_trip_keeps_kinds_and_vocabularies():
    fs = _space()
    cfg = fs.get_config()
    assert cfg["features"]["p"]["class_name"] == "Feature"
    assert cfg["features"]["p"]["config"]["preprocessor"]["class_name"] == "TFDIdentity"
    assert cfg["crosses"][0] == {"module": "keras.src.layers.preprocessing.feature_space", "class_name": "Cross",
                                 "config": {"feature_names": ("s", "i"), "crossing_dim": 32, "output_mode": "one_hot"},
                                 "registered_name": "Cross"}
    again = FeatureSpace.from_config(cfg)
    assert again.preprocessors["s"].get_vocabulary() == fs.preprocessors["s"].get_vocabulary()
    assert list(again.features) == list(fs.features) and again.crosses[0].name == "s_X_i"


FIXTURE = __import__("pathlib").Path(__file__).parent / "fixtures" / "keras_feature_space"


def test_keras_written_inference_model_predicts_as_keras():
    """tools/make_keras_feature_space.py: Keras 3.15's inference model (every kind of feature, a cross,
    TFDConcat and TFDIdentity in its file) read by glassnet predicts Keras's numbers; the tool's --check
    has Keras read glassnet's file of the same model and predict the same (5.96e-08)."""
    pytest.importorskip("h5py")
    from conftest import load_tool
    tool = load_tool("make_keras_feature_space")
    model = keras.models.load_model(FIXTURE / "inference.keras")
    want = np.load(FIXTURE / "inference.npz")
    np.testing.assert_allclose(model.predict(tool.raw(), verbose=0), want["pred"], atol=1e-6)
    assert [type(layer).__name__ for layer in model.layers].count("TFDConcat") == 1
    # the same FeatureSpace built in glassnet encodes the rows as Keras's did
    fs, _ = tool.build(keras, FeatureSpace, glassnet.data)
    np.testing.assert_allclose(fs(tool.raw()).numpy(), want["encoded"], atol=1e-6)


def test_keras_written_feature_space_file_loads_and_encodes_as_keras(tmp_path):
    """keras.saving.load_model on Keras 3.15's feature_space.save(...) file (vocabularies in assets/, the
    Normalization's mean and variance in model.weights.h5) gives a FeatureSpace encoding the rows as Keras
    did; glassnet's own save of it reads back the same (Keras reads glassnet's: the tool's --check)."""
    pytest.importorskip("h5py")
    from conftest import load_tool
    tool = load_tool("make_keras_feature_space")
    fs = keras.saving.load_model(FIXTURE / "feature_space.keras")
    assert isinstance(fs, FeatureSpace) and sorted(fs.features) == sorted(tool.ROWS)
    want = np.load(FIXTURE / "inference.npz")["encoded"]
    np.testing.assert_allclose(fs(tool.raw()).numpy(), want, atol=1e-6)
    fs.save(tmp_path / "again.keras")
    again = keras.models.load_model(tmp_path / "again.keras")
    np.testing.assert_array_equal(again(tool.raw()).numpy(), fs(tool.raw()).numpy())
    model = keras.Model(again.get_inputs(), keras.layers.Dense(1)(again.get_encoded_features()))
    assert model.predict(tool.raw(), verbose=0).shape == (12, 1)


def test_a_damaged_feature_space_file_is_refused_by_name(tmp_path):
    pytest.importorskip("h5py")
    import json
    import zipfile
    from glassnet.saving import ModelFileError
    src = zipfile.ZipFile(FIXTURE / "feature_space.keras")
    cfg = json.loads(src.read("config.json"))
    cfg["config"]["features"]["chol"]["config"]["preprocessor"]["class_name"] = "Lambda"
    with zipfile.ZipFile(tmp_path / "bad.keras", "w") as out:
        for name in src.namelist():
            out.writestr(name, json.dumps(cfg) if name == "config.json" else src.read(name))
    with pytest.raises(ModelFileError, match="Lambda"):
        keras.models.load_model(tmp_path / "bad.keras")


def test_batch_sums_follow_tensorflows_order():
    """Normalization.adapt on batches: a float32 column's batch sums in TF 2.21's CPU order (recorded
    sums of 5000 +- 100 normals; NumPy's pairwise sum differs from them in the last bit for some)."""
    from glassnet.layers.preprocessing import _tf_sum
    rng = np.random.default_rng(5)
    tf_sums = {5: 24918.18359375, 8: 39923.6953125, 13: 64813.359375, 16: 79244.703125, 18: 89811.0078125, 31: 154399.875, 32: 159788.8125, 33: 165538.484375, 64: 320479.96875, 100: 499179.6875}
    for n in [5, 8, 13, 16, 18, 31, 32, 33, 64, 100]:
        x = rng.normal(5000, 100, n).astype(np.float32)
        assert _tf_sum(x) == np.float32(tf_sums[n]), n


def test_a_column_refused_in_adapt_leaves_every_preprocessor_as_it_was():
    fs = FeatureSpace(features={"a": "string_categorical", "b": "float_normalized"})
    fs.adapt({"a": ["x", "y", "y"], "b": [1.0, 2.0, 3.0]})
    vocabulary, mean = fs.preprocessors["a"].get_vocabulary(), fs.preprocessors["b"].get_weights()[0].copy()
    with pytest.raises(ValueError, match="NaN"):
        fs.adapt({"a": ["p", "q", "q"], "b": [1.0, np.nan, 3.0]})       # "a" adapts first, then "b" refuses
    assert fs.preprocessors["a"].get_vocabulary() == vocabulary
    np.testing.assert_array_equal(fs.preprocessors["b"].get_weights()[0], mean)
