"""A TextVectorization with your own standardize/split functions in a .keras file: saved by
name as Keras 3 writes them, found again in custom_objects (or the registry), never code."""
import json
import re
import string
import zipfile

import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import layers


def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")


def comma_split(text):
    return tf.strings.split(text, sep=",")


TEXTS = ["Good film,<br />GREAT fun!", "a dull, dull film", "fun,fun,good"]


def _model(**kwargs):
    vectorize = layers.TextVectorization(output_sequence_length=6, **kwargs)
    vectorize.adapt(TEXTS)
    model = tf.keras.Sequential([tf.keras.Input(shape=(1,), dtype=tf.string), vectorize])
    return model


def test_functions_are_saved_by_name_as_keras_writes_them_and_found_in_custom_objects(tmp_path):
    model = _model(standardize=custom_standardization, split=comma_split)
    want = model.predict(tf.constant(TEXTS), verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    cfg = json.loads(zipfile.ZipFile(path).read("config.json"))
    saved = next(l for l in cfg["config"]["layers"] if l["class_name"] == "TextVectorization")["config"]
    assert saved["standardize"] == {"module": "builtins", "class_name": "function",
                                    "config": "custom_standardization", "registered_name": "function"}
    assert saved["split"]["config"] == "comma_split"
    loaded = tf.keras.models.load_model(path, custom_objects={"custom_standardization": custom_standardization,
                                                              "comma_split": comma_split})
    assert loaded.layers[0].standardize is custom_standardization and loaded.layers[0].split is comma_split
    np.testing.assert_array_equal(loaded.predict(tf.constant(TEXTS), verbose=0), want)


def test_a_missing_function_is_named_and_a_lambda_is_refused_before_writing(tmp_path):
    path = tmp_path / "m.keras"
    _model(standardize=custom_standardization).save(path)
    with pytest.raises(ValueError, match=r"custom_standardization.*custom_objects"):
        tf.keras.models.load_model(path)
    other = tmp_path / "l.keras"
    with pytest.raises(ValueError, match="standardize.*lambda"):
        _model(standardize=lambda x: tf.strings.lower(x)).save(other)
    assert not other.exists()


def test_a_registered_function_needs_no_custom_objects(tmp_path):
    @tf.keras.saving.register_keras_serializable(package="TextTests")
    def shout(x):
        return tf.strings.upper(x)

    path = tmp_path / "m.keras"
    _model(standardize=shout, split="whitespace").save(path)
    cfg = json.loads(zipfile.ZipFile(path).read("config.json"))
    assert cfg["config"]["layers"][1]["config"]["standardize"]["config"] == "TextTests>shout"
    assert tf.keras.models.load_model(path).layers[0].standardize is shout


def test_the_tutorials_export_model_built_on_a_batch_of_strings_round_trips(tmp_path):
    # Sequential([vectorize_layer, model]) built by its first call on 1-D strings: the file's
    # input is a batch of scalars, batch_shape [None], as Keras writes it (Input(shape=())).
    vectorize = layers.TextVectorization(standardize=custom_standardization, output_sequence_length=5)
    vectorize.adapt(TEXTS)
    inner = tf.keras.Sequential([layers.Embedding(20, 3), layers.GlobalAveragePooling1D(), layers.Dense(1)])
    export_model = tf.keras.Sequential([vectorize, inner, layers.Activation("sigmoid")])
    examples = tf.constant(["The movie was great!", "The movie was okay.", "good fun"])
    want = export_model.predict(examples, verbose=0)
    path = tmp_path / "export.keras"
    export_model.save(path)
    cfg = json.loads(zipfile.ZipFile(path).read("config.json"))
    assert cfg["config"]["layers"][0]["config"]["batch_shape"] in ([None], [None, 1])   # Keras: [None]
    loaded = tf.keras.models.load_model(path, custom_objects={"custom_standardization": custom_standardization})
    np.testing.assert_allclose(loaded.predict(examples, verbose=0), want, rtol=1e-6)
    with pytest.raises(ValueError, match=r"batch dimension, e.g. \(None, 400\)"):
        tf.keras.Sequential([layers.Dense(1)]).build((400,))
