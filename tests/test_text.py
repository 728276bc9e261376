"""Text preprocessing (glassnet/layers/text.py, lookup.py, categorical.py; glassnet/tf/strings.py):
real Keras 3's outputs (tests/fixtures/keras_text.json and the .keras files beside it, written by
tools/make_keras_text.py), adapt from every kind of data, a text classifier trained through fit on
raw strings, .keras files both ways, and clear errors."""
from __future__ import annotations

import io
import json
import pathlib
import re
import string
import zipfile

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.data import Dataset

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "keras_text.json").read_text())
SENTENCES = np.array(FIXTURE["sentences"])
OTHER = np.array(FIXTURE["other"])


def _kwargs(case):
    kw = dict(case["kwargs"])
    if isinstance(kw.get("ngrams"), list):
        kw["ngrams"] = tuple(kw["ngrams"])
    return kw


# -- glassnet.strings: TensorFlow's tf.strings, bytes out (more in test_string_tensors.py) -------------
def test_strings_lower_changes_ascii_only_unless_an_encoding_is_given():
    assert glassnet.strings.lower(np.array(["ÉMILE Abc"])).tolist() == ["ÉmILE abc".replace("mILE", "mile").encode()]
    assert glassnet.strings.lower(["ÉMILE"], encoding="utf-8").tolist() == ["émile".encode()]


def test_strings_regex_replace_split_join_length():
    s = glassnet.strings
    assert s.regex_replace(np.array(["a<br />b", "c"]), "<br />", " ").tolist() == [b"a b", b"c"]
    assert s.regex_replace("aaa", "a", "b", replace_global=False).numpy() == b"baa"
    assert s.regex_replace("ab12", r"([a-z]+)(\d+)", r"\2\1").numpy() == b"12ab"
    parts = s.split(np.array([" one\ttwo\n", "x\u00a0y z", ""]))
    assert parts.to_list() == [[b"one", b"two"], ["x\u00a0y".encode(), b"z"], []]
    assert s.split("a,b,,c", sep=",").tolist() == [b"a", b"b", b"", b"c"]
    assert s.join([np.array(["a", "b"]), np.array(["c", "d"])], separator="-").tolist() == [b"a-c", b"b-d"]
    assert s.length(np.array(["abc", "é", ""])).tolist() == [3, 2, 0]
    assert s.length(["é"], unit="UTF8_CHAR").tolist() == [1]
    assert s.lower(np.array([b"AB"])).tolist() == [b"ab"]                  # bytes are UTF-8 text
    with pytest.raises(ValueError, match="must hold strings"):
        s.lower(np.array([1.0, 2.0]))


def test_strings_strip_substr_reduce_join_as_string_to_number():
    s = glassnet.strings
    assert s.strip(np.array(["  a b \n"])).tolist() == [b"a b"]
    assert s.substr(np.array(["hello"]), 1, 3).tolist() == [b"ell"]                 # TensorFlow: [b'ell']
    assert s.reduce_join(np.array([["a", "b"], ["c", "d"]]), axis=1, separator=" ").tolist() == [b"a b", b"c d"]
    assert s.reduce_join(np.array(["a", "b"])).numpy() == b"ab"
    assert s.unicode_split(np.array(["hé", "x"])).to_list() == [[b"h", "é".encode()], [b"x"]]
    # TensorFlow: [b'1.500000' b'0.100000' b'0.000000' b'123456792.000000'] for float32
    assert s.as_string(np.array([1.5, 0.1, 1e-8, 123456789.0], np.float32)).tolist() == \
        [b"1.500000", b"0.100000", b"0.000000", b"123456792.000000"]
    assert s.as_string(np.array([3, -4])).tolist() == [b"3", b"-4"]
    np.testing.assert_array_equal(s.to_number(np.array(["1.5", "2"])), np.array([1.5, 2.0], np.float32))
    with pytest.raises(ValueError, match="'x' is not a number"):
        s.to_number(["x"])


# -- TextVectorization against real Keras ------------------------------------------------------
@pytest.mark.parametrize("case", FIXTURE["text"], ids=lambda c: json.dumps(c["kwargs"]))
def test_text_vectorization_matches_keras(case):
    tv = layers.TextVectorization(**_kwargs(case))
    tv.adapt(SENTENCES)
    assert tv.get_vocabulary() == case["vocabulary"]          # frequency, then token bytes descending
    assert tv.vocabulary_size() == case["vocabulary_size"]
    for x, want in ((SENTENCES, case["train"]), (OTHER, case["other"])):
        got = np.asarray(tv(x))
        assert got.shape == np.shape(want)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_text_vectorization_config_has_keras_keys():
    tv = layers.TextVectorization()
    want = FIXTURE["text"][0]["config"]
    got = tv.get_config()
    assert set(got) == set(want) | {"dtype"}
    for key in ("standardize", "split", "ngrams", "output_mode", "output_sequence_length", "pad_to_max_tokens",
                "max_tokens", "encoding", "sparse", "ragged"):
        assert got[key] == want[key], key


def test_unicode_and_punctuation_as_keras():
    tv = layers.TextVectorization(split=None, output_mode="int")
    tv.adapt(["x"])
    assert tv._standardized(np.array(["Ça va? l'été—«non»!"])).tolist() == ["Ça va lété—«non»"]


def test_a_last_axis_of_one_is_the_same_as_1d():
    tv = layers.TextVectorization()
    tv.adapt(SENTENCES)
    np.testing.assert_array_equal(tv(SENTENCES[:, None]), tv(SENTENCES))


# -- lookups, encodings, bins against real Keras -----------------------------------------------
@pytest.mark.parametrize("case", FIXTURE["lookups"], ids=lambda c: c["kind"] + json.dumps(c["kwargs"]))
def test_lookups_match_keras(case):
    layer = getattr(layers, case["kind"])(**case["kwargs"])
    if "vocabulary" not in case["kwargs"]:
        strings_in = case["kind"] == "StringLookup"
        data = ["b", "a", "c", "a", "b", "a", "d", "é"] if strings_in else [12, 7, 7, 3, 12, 7, 100]
        layer.adapt(np.array(data))
    assert layer.get_vocabulary() == case["vocabulary"]
    got = np.asarray(layer(np.array(case["x"])))
    if got.dtype.kind == "O":                             # invert=True: a string tensor of bytes, as TF
        assert got.tolist() == np.vectorize(str.encode, otypes=[object])(case["y"]).tolist()
    else:
        np.testing.assert_allclose(got, case["y"], rtol=1e-6)


@pytest.mark.parametrize("case", FIXTURE["category_encoding"], ids=lambda c: c["output_mode"])
def test_category_encoding_matches_keras(case):
    got = layers.CategoryEncoding(num_tokens=5, output_mode=case["output_mode"])(np.array(case["x"]))
    np.testing.assert_array_equal(got, case["y"])


def test_discretization_matches_keras():
    for case in FIXTURE["discretization"]:
        layer = layers.Discretization(**case["kwargs"])
        if "adapt" in case:
            layer.adapt(np.array(case["adapt"]))
            np.testing.assert_allclose(layer.bin_boundaries, case["bin_boundaries"])
        np.testing.assert_array_equal(layer(np.array(case["x"])), case["y"])
    with pytest.raises(ValueError, match="bin_boundaries, or num_bins"):
        layers.Discretization()


def test_fingerprint64_is_tensorflows_farmhash():
    """Strings of 0 to 1000 bytes (every branch of farmhashna::Hash64), against TensorFlow."""
    prints = FIXTURE["fingerprints"]
    for text, want in zip(prints["texts"], prints["mod_2_62"]):
        assert glassnet.strings.fingerprint64(text.encode("utf-8")) % 2 ** 62 == want, len(text.encode())
    assert glassnet.strings.to_hash_bucket_fast(np.array(prints["texts"][:5]), 2 ** 62).tolist() == \
        prints["mod_2_62"][:5]


@pytest.mark.parametrize("case", FIXTURE["hashing"], ids=lambda c: json.dumps(c["kwargs"]))
def test_hashing_matches_keras(case):
    got = layers.Hashing(**case["kwargs"])(np.array(case["x"]))
    np.testing.assert_array_equal(got, case["y"])


def test_hashing_refuses_what_it_cannot_match():
    with pytest.raises(ValueError, match="salt"):          # a salt is one int or two (SipHash's key)
        layers.Hashing(num_bins=3, salt=[1, 2, 3])
    with pytest.raises(ValueError, match="strings or integers"):
        layers.Hashing(num_bins=3)(np.array([[0.5]]))


# -- adapt from every kind of data, a given vocabulary ------------------------------------------
def test_adapt_from_a_list_an_array_and_datasets_gives_one_vocabulary():
    want = layers.TextVectorization()
    want.adapt(SENTENCES)
    labels = np.arange(len(SENTENCES))
    for data in (list(SENTENCES), SENTENCES, SENTENCES[:, None], Dataset.from_tensor_slices(SENTENCES),
                 Dataset.from_tensor_slices(SENTENCES).batch(3),
                 Dataset.from_tensor_slices((SENTENCES, labels)).batch(2)):
        tv = layers.TextVectorization()
        tv.adapt(data)
        assert tv.get_vocabulary() == want.get_vocabulary()


def test_adapt_steps_takes_the_first_batches():
    tv = layers.TextVectorization()
    tv.adapt(Dataset.from_tensor_slices(np.array(["a b", "c", "d d d"])).batch(1), steps=2)
    assert tv.get_vocabulary() == ["", "[UNK]", "c", "b", "a"]
    with pytest.raises(ValueError, match="steps is for a Dataset"):
        tv.adapt(np.array(["a"]), steps=1)


def test_vocabulary_from_a_list_a_file_and_set_vocabulary(tmp_path):
    vocab = ["the", "movie", "great"]
    path = tmp_path / "vocabulary.txt"
    path.write_text("\n".join(["", "[UNK]"] + vocab))        # Keras's vocabulary.txt, special tokens first
    for given in (vocab, str(path)):
        tv = layers.TextVectorization(vocabulary=given)
        assert tv.get_vocabulary() == ["", "[UNK]"] + vocab and tv.vocabulary_size() == 5
        assert np.asarray(tv(["The GREAT film"])).tolist() == [[2, 4, 1]]
    tv.set_vocabulary(["film"])
    assert tv.get_vocabulary() == ["", "[UNK]", "film"]
    assert tv.get_vocabulary(include_special_tokens=False) == ["film"]


def test_a_dataset_mapped_through_the_layer_as_the_tutorial_does():
    tv = layers.TextVectorization(output_sequence_length=4)
    tv.adapt(SENTENCES)
    ds = Dataset.from_tensor_slices((SENTENCES, np.arange(7))).batch(3)
    batches = list(ds.map(lambda text, label: (tv(text[:, None]), label)))
    assert [b[0].shape for b in batches] == [(3, 4), (3, 4), (1, 4)]


def test_a_standardize_function_written_with_glassnet_strings():
    """TensorFlow's text-classification tutorial's custom_standardization, renamed."""
    tf = glassnet

    def custom_standardization(input_data):
        lowercase = tf.strings.lower(input_data)
        stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
        return tf.strings.regex_replace(stripped_html, "[%s]" % re.escape(string.punctuation), "")

    tv = layers.TextVectorization(standardize=custom_standardization, output_sequence_length=5)
    tv.adapt(["Great<br />movie!", "bad movie"])
    assert tv.get_vocabulary() == ["", "[UNK]", "movie", "great", "bad"]
    assert np.asarray(tv(["GREAT<br />bad"])).tolist() == [[3, 4, 0, 0, 0]]


# -- a text classifier trained through fit on raw strings --------------------------------------
def _reviews(n=48, seed=0):
    rng = np.random.default_rng(seed)
    good = ["great", "wonderful", "loved", "excellent", "fun", "brilliant"]
    bad = ["awful", "boring", "hated", "terrible", "dull", "waste"]
    filler = ["the", "movie", "was", "a", "plot", "acting", "really", "film", "this", "and"]
    texts, labels = [], []
    for i in range(n):
        words = list(rng.choice(filler, 5)) + list(rng.choice(good if i % 2 == 0 else bad, 2))
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + "!")
        labels.append(float(i % 2 == 0))
    return np.array(texts), np.array(labels)


def test_text_classifier_trains_on_raw_strings():
    glassnet.utils.set_random_seed(0)
    x, y = _reviews()
    vectorize = layers.TextVectorization(max_tokens=40, output_sequence_length=8)
    vectorize.adapt(x)
    model = glassnet.Sequential([vectorize, layers.Embedding(40, 8), layers.GlobalAveragePooling1D(),
                                 layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=glassnet.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=8, validation_split=0.25, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0
    p = model.predict(np.array(["a wonderful and brilliant film", "an awful boring waste"]), verbose=0)
    assert p[0, 0] > 0.5 > p[1, 0]
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc == 1.0
    # the tutorial's export model: the vectorizer in front of a model trained on ids
    export = glassnet.Sequential([vectorize, glassnet.Sequential(model.layers[1:])])
    np.testing.assert_allclose(export.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_a_text_model_without_a_fixed_length_trains():
    glassnet.utils.set_random_seed(1)
    x, y = _reviews(16)
    vectorize = layers.TextVectorization()
    vectorize.adapt(x)
    model = glassnet.Sequential([vectorize, layers.Embedding(vectorize.vocabulary_size(), 4),
                                 layers.GlobalAveragePooling1D(), layers.Dense(1)])
    model.compile(loss="mse")
    assert np.isfinite(model.fit(x, y, epochs=2, verbose=0).history["loss"]).all()


def test_the_layers_have_no_input_gradient():
    tv = layers.TextVectorization()
    tv.adapt(SENTENCES)
    tv(SENTENCES)
    assert tv.backward(np.zeros((7, 3)), need_input_grad=False) is None
    with pytest.raises(ValueError, match="no gradient with respect to its input"):
        tv.backward(np.zeros((7, 3)))
    assert tv.trainable_weights == [] and tv.count_params() == 0


# -- saving: .keras files ----------------------------------------------------------------------
def test_keras_file_round_trip_keeps_the_vocabulary(tmp_path):
    x, y = _reviews(8)
    vectorize = layers.TextVectorization(max_tokens=30, output_sequence_length=6, ngrams=2)
    vectorize.adapt(x)
    model = glassnet.Sequential([vectorize, layers.Embedding(30, 3), layers.GlobalAveragePooling1D(), layers.Dense(1)])
    model.compile(loss="mse")
    model.fit(x, y, verbose=0)
    path = tmp_path / "text.keras"
    model.save(path)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))["config"]["layers"]
    assert config[0]["config"]["dtype"] == "string"           # as Keras's Input(shape=(1,), dtype="string")
    assert config[1]["config"]["vocabulary"] == vectorize.get_vocabulary(include_special_tokens=False)
    loaded = glassnet.models.load_model(path)
    assert loaded.layers[0].get_vocabulary() == vectorize.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_lookup_layers_round_trip_through_their_config():
    for layer in (layers.StringLookup(vocabulary=["a", "b"], mask_token="", output_mode="int"),
                  layers.IntegerLookup(vocabulary=[5, 9], output_mode="multi_hot"),
                  layers.CategoryEncoding(4, output_mode="count"), layers.Discretization(bin_boundaries=[0.5])):
        again = type(layer).from_config(layer.get_config())
        x = np.array([["a", "b"]]) if isinstance(layer, layers.StringLookup) else np.array([[1, 0]])
        np.testing.assert_array_equal(again(x), layer(x))
    tv = layers.TextVectorization(output_mode="tf_idf")
    tv.adapt(SENTENCES)
    again = layers.TextVectorization.from_config(tv.get_config())
    np.testing.assert_allclose(again(OTHER), tv(OTHER), rtol=1e-6)


# -- bad input: clear errors naming the argument -----------------------------------------------
def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="max_tokens must be at least 2 in int mode"):
        layers.TextVectorization(max_tokens=1)
    with pytest.raises(ValueError, match="output_mode must be one of .*output_mode='bag'"):
        layers.TextVectorization(output_mode="bag")
    with pytest.raises(ValueError, match="output_mode must be one of"):
        layers.StringLookup(output_mode="bag")
    with pytest.raises(ValueError, match="standardize must be"):
        layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="ngrams must be"):
        layers.TextVectorization(ngrams="2")
    with pytest.raises(ValueError, match="output_sequence_length is for output_mode='int' only"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="num_tokens must be a positive integer"):
        layers.CategoryEncoding(0)


def test_adapt_on_numbers_is_refused_naming_the_data():
    with pytest.raises(ValueError, match="adapt data must hold strings"):
        layers.TextVectorization().adapt(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="one string"):
        layers.TextVectorization().adapt("one sentence")
    with pytest.raises(ValueError, match="adapt data must hold strings"):
        layers.StringLookup().adapt(np.array([1, 2]))
    with pytest.raises(ValueError, match="must be integers"):
        layers.IntegerLookup().adapt(np.array(["a"]))


def test_ids_out_of_range_and_unknown_tokens_are_clear():
    with pytest.raises(ValueError, match=r"ids must be in 0..3 \(num_tokens=4\); got 7"):
        layers.CategoryEncoding(4)(np.array([[7]]))
    lookup = layers.StringLookup(vocabulary=["a"], num_oov_indices=0)
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        lookup(np.array(["z"]))


def test_keras_files_with_vocabularies_in_assets_load_and_predict_the_same():
    """Files saved by real Keras 3.15 (tools/make_keras_text.py): the adapted vocabulary is in
    assets/layers/<layer>/[_lookup_layer/]vocabulary.txt, the output width in the config."""
    fixtures = pathlib.Path(__file__).parent / "fixtures"
    saved = FIXTURE["saved_model"]
    model = glassnet.models.load_model(fixtures / "keras_text_model.keras")
    np.testing.assert_allclose(model.predict(np.concatenate([SENTENCES, OTHER]), verbose=0), saved["predictions"],
                               rtol=1e-5, atol=1e-7)
    model = glassnet.models.load_model(fixtures / "keras_lookup_model.keras")
    np.testing.assert_allclose(model.predict(np.array(saved["lookup_x"]), verbose=0), saved["lookup_predictions"],
                               rtol=1e-5)


def test_lookup_config_has_keras_keys():
    fixtures = pathlib.Path(__file__).parent / "fixtures"
    keras_config = json.loads(zipfile.ZipFile(fixtures / "keras_lookup_model.keras").read("config.json"))
    want = keras_config["config"]["layers"][1]["config"]
    got = layers.StringLookup(output_mode="multi_hot").get_config()
    assert set(got) == set(want)
    assert {k: got[k] for k in want if k not in ("name", "vocabulary_size")} == \
        {k: v for k, v in want.items() if k not in ("name", "vocabulary_size")}


def test_configs_take_only_what_keras_constructors_take():
    """Keras's Discretization takes no `trainable` (real Keras refused a file that had it)."""
    assert "trainable" not in layers.Discretization(bin_boundaries=[1.0]).get_config()
    for layer in (layers.CategoryEncoding(3), layers.Hashing(3), layers.IntegerLookup(), layers.TextVectorization()):
        assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()


def test_only_vocabulary_assets_are_let_into_a_keras_file(tmp_path):
    from glassnet.saving import UnsafeFileError
    source = pathlib.Path(__file__).parent / "fixtures" / "keras_lookup_model.keras"
    for extra in ("assets/layers/string_lookup/evil.py", "assets/vocabulary.txt.sh", "assets/../vocabulary.txt"):
        path = tmp_path / "extra.keras"
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info))
            dst.writestr(extra, "x")
        with pytest.raises(UnsafeFileError):
            glassnet.models.load_model(path)


def test_a_string_input_starts_sequential_and_functional_models(tmp_path):
    glassnet.utils.set_random_seed(2)
    x, y = _reviews(12)
    vectorize = layers.TextVectorization(max_tokens=30, output_sequence_length=5)
    vectorize.adapt(x)
    sequential = glassnet.Sequential([glassnet.keras.Input(shape=(1,), dtype="string"), vectorize,
                                      layers.Embedding(30, 3), layers.GlobalAveragePooling1D(), layers.Dense(1)])
    text_in = glassnet.keras.Input(shape=(1,), dtype="string")
    out = layers.Dense(1)(layers.GlobalAveragePooling1D()(layers.Embedding(30, 3)(vectorize(text_in))))
    functional = glassnet.Model(text_in, out)
    for i, model in enumerate((sequential, functional)):
        model.compile(loss="mse")
        assert np.isfinite(model.fit(x, y, epochs=2, verbose=0).history["loss"]).all()
        path = tmp_path / f"m{i}.keras"
        model.save(path)
        layer0 = json.loads(zipfile.ZipFile(path).read("config.json"))["config"]["layers"][0]["config"]
        assert layer0["dtype"] == "string"
        np.testing.assert_allclose(glassnet.models.load_model(path).predict(x, verbose=0),
                                   model.predict(x, verbose=0), rtol=1e-6)


def test_gradcheck_and_explain_run_on_a_text_model():
    glassnet.utils.set_random_seed(3)
    x, y = _reviews(6)
    vectorize = layers.TextVectorization(max_tokens=30, output_sequence_length=5)
    vectorize.adapt(x)
    model = glassnet.Sequential([vectorize, layers.Embedding(30, 3), layers.GlobalAveragePooling1D(),
                                 layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy")
    assert glassnet.gradcheck(model, x, y).passed                 # the embedding's table and the Dense
    text = str(glassnet.explain(model, x, y))
    assert "text_vectorization" in text and repr(str(x[0]))[:20] in text


def test_tf_idf_weights_live_in_the_weights_file_as_keras_keeps_them(tmp_path):
    """Keras 3 keeps a tf_idf lookup's idf weights as <layer>/vars/idf_weights (and, for
    TextVectorization, _lookup_layer/vars/idf_weights) in model.weights.h5; both ways."""
    fixtures = pathlib.Path(__file__).parent / "fixtures"
    model = glassnet.models.load_model(fixtures / "keras_tfidf_model.keras")       # saved by real Keras
    np.testing.assert_allclose(model.predict(np.concatenate([SENTENCES, OTHER]), verbose=0),
                               FIXTURE["saved_model"]["tfidf_predictions"], rtol=1e-5, atol=1e-7)
    path = tmp_path / "tfidf.keras"
    model.save(path)
    again = glassnet.models.load_model(path)
    np.testing.assert_allclose(again.predict(OTHER, verbose=0), model.predict(OTHER, verbose=0))
    weights = tmp_path / "tfidf.weights.h5"
    model.save_weights(weights)
    again.layers[0].idf_weights = again.layers[0].idf_weights * 0
    again.load_weights(weights)
    np.testing.assert_allclose(again.layers[0].idf_weights, model.layers[0].idf_weights)
    import h5py
    with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5"))) as f:
        assert set(f["layers/text_vectorization/vars"]) == {"idf_weights"}
        assert set(f["layers/text_vectorization/_lookup_layer/vars"]) == {"idf_weights"}
