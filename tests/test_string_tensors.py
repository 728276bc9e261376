"""String tensors as TensorFlow gives them (glassnet/tf/tensor.py, tf/dtypes.py, tf/strings.py,
tf/compat.py and the text layers): a ``Tensor`` of NumPy object dtype holding UTF-8 ``bytes``.

The expected values written here are what TensorFlow 2.21 returned for the same calls (run by
hand with the real TensorFlow; the suite does not need it)."""
from __future__ import annotations

import re
import string

import numpy as np
import pytest

import glassnet as tf
from glassnet import layers
from glassnet.data import Dataset
from glassnet.tf.tensor import Tensor


def bytes_tensor(items):
    """A string tensor as the data engineers make them: object array of bytes viewed as Tensor."""
    return np.array(items, dtype=object).view(Tensor)


# -- constant, convert_to_tensor, numpy, dtype, printing -----------------------------------------
def test_constant_of_text_is_a_tensor_of_bytes():
    t = tf.constant("hi")
    assert isinstance(t, Tensor) and t.shape == () and t.numpy() == b"hi"
    assert t.numpy().decode("utf-8") == "hi"
    v = tf.constant(["a b", "é"])
    out = v.numpy()
    assert type(out) is np.ndarray and out.dtype == object and out.tolist() == [b"a b", "é".encode()]
    out[0] = b"changed"                                  # numpy() is a copy, as for number tensors
    assert v.numpy()[0] == b"a b"
    assert tf.constant([["a"], ["b"]]).shape == (2, 1)
    assert tf.constant([]).dtype == np.float32                            # TF: empty lists are float32
    assert tf.constant([], dtype=tf.string).numpy().tolist() == []


@pytest.mark.parametrize("given", [["x", "yé"], np.array(["x", "yé"]), np.array(["x", "yé"], dtype=object),
                                   np.array([b"x", "yé".encode()]), [b"x", "yé"],
                                   np.array([b"x", "yé".encode()], dtype=object)],
                         ids=["list", "U", "object-str", "S", "mixed-list", "object-bytes"])
def test_every_kind_of_text_gives_the_same_tensor(given):
    for make in (tf.constant, tf.convert_to_tensor, lambda v: tf.constant(v, dtype=tf.string)):
        t = make(given)
        assert t.dtype == tf.string and t.dtype == object
        assert t.numpy().tolist() == [b"x", "yé".encode()]


def test_the_data_engineers_string_tensor_is_a_string_tensor_everywhere():
    t = bytes_tensor([b"great movie", b"awful"])
    assert t.dtype == tf.string and tf.convert_to_tensor(t) is t and tf.constant(t) is t
    assert tf.strings.upper(t).numpy().tolist() == [b"GREAT MOVIE", b"AWFUL"]
    assert str(t) == "tf.Tensor([b'great movie' b'awful'], shape=(2,), dtype=string)"
    assert tf.cast(t, tf.string).numpy().tolist() == [b"great movie", b"awful"]


def test_string_dtype_as_tensorflow_names_it():
    assert tf.string is tf.dtypes.string
    assert repr(tf.string) == "tf.string" and str(tf.string) == "<dtype: 'string'>" and tf.string.name == "string"
    assert tf.string.as_numpy_dtype is object and np.dtype(tf.string) == object
    assert tf.string == "string" and tf.string != tf.float32 and tf.string != np.dtype("float32")
    assert tf.constant([1.0]).dtype != tf.string
    assert tf.dtypes.as_dtype("string") is tf.string and tf.dtypes.as_dtype("float32") is tf.float32 == np.float32
    assert tf.dtypes.as_dtype(str) is tf.string and {tf.string: 1}[tf.string] == 1


def test_printing_is_tensorflows():
    # TensorFlow 2.21's str() and repr() of the same tensors
    assert str(tf.constant("hi")) == "tf.Tensor(b'hi', shape=(), dtype=string)"
    assert repr(tf.constant("hi")) == "<tf.Tensor: shape=(), dtype=string, numpy=b'hi'>"
    assert str(tf.constant(["a b", "c"])) == "tf.Tensor([b'a b' b'c'], shape=(2,), dtype=string)"
    assert repr(tf.constant(["a b", "c"])) == \
        "<tf.Tensor: shape=(2,), dtype=string, numpy=array([b'a b', b'c'], dtype=object)>"
    assert str(tf.constant([["a"], ["bé"]])) == "tf.Tensor(\n[[b'a']\n [b'b\\xc3\\xa9']], shape=(2, 1), dtype=string)"
    assert repr(tf.constant([["a"], ["bé"]])) == ("<tf.Tensor: shape=(2, 1), dtype=string, numpy=\n"
                                                   "array([[b'a'],\n       [b'b\\xc3\\xa9']], dtype=object)>")
    assert str(tf.constant([], dtype=tf.string)) == "tf.Tensor([], shape=(0,), dtype=string)"
    # number tensors print as TensorFlow's too (tests/test_tensor.py has more)
    assert repr(tf.constant([1.0, 2.0])) == "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert str(tf.constant([1.0, 2.0])) == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)"


def test_indexing_iterating_comparing_a_string_tensor():
    t = tf.constant(["a", "b", "a"])
    first = t[0]
    assert isinstance(first, Tensor) and first.shape == () and first.numpy() == b"a"     # TF: a 0-d tensor
    assert str(first) == "tf.Tensor(b'a', shape=(), dtype=string)"
    assert [s.numpy() for s in t] == [b"a", b"b", b"a"] and len(t) == 3
    assert t[1:].numpy().tolist() == [b"b", b"a"] and isinstance(t[1:], Tensor)
    assert (t == "a").numpy().tolist() == [True, False, True]                  # TF: str compares as its bytes
    assert (t == b"a").numpy().tolist() == [True, False, True]
    assert (t != "a").numpy().tolist() == [False, True, False]
    assert (t == np.array(["a", "b", "b"])).numpy().tolist() == [True, True, False]
    assert (t + "!").numpy().tolist() == [b"a!", b"b!", b"a!"]                   # TF: string concatenation
    assert {first: 1}[tf.constant("a")] == 1                                     # 0-d: hashable as its bytes
    assert np.char.upper(t).numpy().tolist() == [b"A", b"B", b"A"]             # NumPy's text functions work
    assert np.unique(t).tolist() == [b"a", b"b"] and type(np.unique(t)) is np.ndarray     # NumPy's answer (TF)
    assert tf.reshape(t, (3, 1)).shape == (3, 1) and tf.concat([t, t], axis=0).shape == (6,)
    with tf.GradientTape():                                        # strings under a tape: no gradient, no change
        assert t[0].numpy() == b"a" and [s.numpy() for s in t][2] == b"a"


def test_numbers_among_strings_are_refused_naming_the_position():
    with pytest.raises(TypeError, match=r"value\[1\] is 1 \(int\), not a string"):
        tf.constant(["a", 1])
    with pytest.raises(TypeError, match=r"value\[1, 1\] is 2\.5 \(float\)"):
        tf.constant([["a", "b"], ["c", 2.5]])
    with pytest.raises(TypeError, match="value is 1.0 .*not a string"):
        tf.constant(1.0, dtype=tf.string)
    with pytest.raises(TypeError, match="cannot convert strings to a tensor of dtype float32.*to_number"):
        tf.constant("1", dtype=tf.float32)
    with pytest.raises(TypeError, match="cannot convert strings.*int32"):
        tf.convert_to_tensor(np.array(["1"]), dtype=tf.int32)


def test_cast_refuses_strings_and_numbers_both_ways():
    with pytest.raises(TypeError, match=r"string tensor cannot be cast to float32.*tf.strings.to_number"):
        tf.cast(tf.constant(["1.5"]), tf.float32)
    with pytest.raises(TypeError, match=r"float32 tensor cannot be cast to string.*tf.strings.as_string"):
        tf.cast(tf.constant([1.5]), tf.string)
    with pytest.raises(TypeError, match="to_number"):
        tf.cast(np.array(["1"]), "int64")
    assert tf.cast(np.array(["a"]), tf.string).numpy().tolist() == [b"a"]
    assert tf.cast(tf.constant([1.7]), tf.int32).numpy().tolist() == [1]          # numbers as before
    np.testing.assert_array_equal(tf.strings.to_number(tf.constant(["1.5"])), np.array([1.5], np.float32))


def test_compat_text_conversions():
    assert tf.compat.as_bytes("é") == b"\xc3\xa9" and tf.compat.as_bytes(b"x") == b"x"
    assert tf.compat.as_text(b"\xc3\xa9") == "é" and tf.compat.as_str(b"x") == "x" and tf.compat.as_text("y") == "y"
    assert tf.compat.as_str_any(b"a") == "a" and tf.compat.as_str_any(3) == "3"
    assert tf.compat.as_str_any(tf.constant("été").numpy()) == "été"
    for fn in (tf.compat.as_bytes, tf.compat.as_text):
        with pytest.raises(TypeError, match="Expected binary or unicode string, got 3"):
            fn(3)


# -- tf.strings: every function on bytes tensors and on 'U' arrays -------------------------------------
KINDS = {"bytes tensor": lambda v: bytes_tensor([s.encode() for s in v]) if isinstance(v, list) else
         np.array(v.encode(), dtype=object).view(Tensor),
         "U array": lambda v: np.array(v), "list of str": lambda v: v,
         "S array": lambda v: np.array([s.encode() for s in v]) if isinstance(v, list) else np.array(v.encode())}


@pytest.fixture(params=list(KINDS))
def text(request):
    return KINDS[request.param]


def _b(items):
    return [s.encode() for s in items]


def test_strings_functions_return_bytes_tensors(text):
    s = tf.strings
    # each expected value is TensorFlow 2.21's .numpy() for the same call
    out = s.lower(text(["Hello ÉA"]))
    assert isinstance(out, Tensor) and out.dtype == tf.string and out.numpy().tolist() == _b(["hello Éa"])
    assert s.lower(text(["Hello ÉA"]), encoding="utf-8").numpy().tolist() == _b(["hello éa"])
    assert s.upper(text("abé")).numpy() == "ABé".encode()
    assert s.regex_replace(text(["a<br />b"]), "<br />", " ").numpy().tolist() == [b"a b"]
    assert s.regex_replace(text("he,l!lo"), "[%s]" % re.escape(string.punctuation), "").numpy() == b"hello"
    assert s.regex_replace(text("ab"), "b", r"<\0>").numpy() == b"a<b>"                     # RE2's \0
    assert s.regex_replace(text("aaa"), b"a", b"b", replace_global=False).numpy() == b"baa"
    assert s.regex_full_match(text(["abc", "ab1"]), r"[a-z]+").numpy().tolist() == [True, False]
    assert s.regex_full_match(text(["é"]), r"\w").numpy().tolist() == [False]         # RE2's \w is ASCII
    assert s.split(text("a b  c")).numpy().tolist() == [b"a", b"b", b"c"]
    rows = s.split(text(["a b", "c"]))                                  # TF: <tf.RaggedTensor [[b'a', b'b'], [b'c']]>
    assert rows.to_list() == [[b"a", b"b"], [b"c"]] and all(isinstance(r, Tensor) for r in rows)
    assert [r.tolist() for r in rows.numpy()] == [[b"a", b"b"], [b"c"]] and rows.numpy().shape == (2,)
    assert s.split(text(["a b", "c d"])).numpy().shape == (2, 2)            # rows of one length: stacked, as TF 2.21
    assert s.split(text(["a,b,,c", ""]), sep=",").to_list() == [[b"a", b"b", b"", b"c"], [b""]]
    assert s.split(text(["a b c d"]), maxsplit=2).to_list() == [[b"a", b"b", b"c d"]]
    assert s.unicode_split(text("aé"), "UTF-8").numpy().tolist() == [b"a", "é".encode()]
    assert s.unicode_split(text(["aé", "b"]), "UTF-8").to_list() == [[b"a", "é".encode()], [b"b"]]
    assert s.substr(text("héllo"), 0, 2).numpy() == b"h\xc3"                         # bytes: a cut character
    assert s.substr(text("héllo"), 0, 2, unit="UTF8_CHAR").numpy() == "hé".encode()
    assert s.substr(text(["hello", "ab"]), -2, 5).numpy().tolist() == [b"lo", b"ab"]
    assert s.substr(text(["hello", "abc"]), [1, 2], [2, 1]).numpy().tolist() == [b"el", b"c"]
    assert s.reduce_join(text(["a", "b"]), separator="-").numpy() == b"a-b"
    assert s.join([text(["a", "c"]), text(["b", "d"])], separator="-").numpy().tolist() == [b"a-b", b"c-d"]
    assert s.join([text("x"), text(["a", "b"])]).numpy().tolist() == [b"xa", b"xb"]                  # broadcast
    length = s.length(text(["é", "ab"]))
    assert isinstance(length, Tensor) and length.dtype == np.int32 and length.numpy().tolist() == [2, 2]
    assert s.length(text("é"), unit="UTF8_CHAR").numpy() == 1
    number = s.to_number(text(["1.5", "2"]))
    assert number.dtype == np.float32 and number.numpy().tolist() == [1.5, 2.0]
    assert s.to_number(text(["1", "-2"]), out_type=tf.int32).numpy().tolist() == [1, -2]
    assert s.strip(text(["  a b \n"])).numpy().tolist() == [b"a b"]
    assert s.as_string(text(["a"])).numpy().tolist() == [b"a"]
    assert s.to_hash_bucket_fast(text(["a"]), 10).numpy().tolist() == [9]


def test_reduce_join_over_axes_and_keepdims():
    s = tf.strings
    grid = np.array([["a", "b"], ["c", "d"]])
    assert s.reduce_join(grid, axis=1).numpy().tolist() == [b"ab", b"cd"]
    assert s.reduce_join(grid, axis=-1, separator=" ").numpy().tolist() == [b"a b", b"c d"]
    assert s.reduce_join(grid, axis=0, keepdims=True).numpy().tolist() == [[b"ac", b"bd"]]
    assert s.reduce_join(grid).numpy() == b"abcd" and s.reduce_join(grid, axis=[0, 1]).numpy() == b"abcd"
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        s.reduce_join(grid, axis=2)


def test_as_string_formats_as_printf():
    s = tf.strings
    assert s.as_string(tf.constant([1.5, 2.0])).numpy().tolist() == [b"1.500000", b"2.000000"]
    assert s.as_string(tf.constant([1, 2])).numpy().tolist() == [b"1", b"2"]
    assert s.as_string([3.14159], precision=2, width=8, fill="0").numpy().tolist() == [b"00003.14"]
    assert s.as_string([31415.9], scientific=True).numpy().tolist() == [b"3.141590e+04"]
    assert s.as_string([0.1, 100000.0, 1e7], shortest=True).numpy().tolist() == [b"0.1", b"100000", b"1e+07"]
    assert s.as_string([3, -4], width=4).numpy().tolist() == [b"   3", b"  -4"]
    assert s.as_string([True, False]).numpy().tolist() == [b"true", b"false"]


def test_bytes_that_are_not_utf8_pass_through_as_in_tensorflow():
    s = tf.strings
    bad = bytes_tensor([b"A\xff"])
    assert s.lower(bad).numpy().tolist() == [b"a\xff"]
    assert s.lower(bad, encoding="utf-8").numpy().tolist() == [b"a\xef\xbf\xbd"]          # U+FFFD
    assert s.regex_replace(bytes_tensor([b"a\xffb"]), "a", "x").numpy().tolist() == [b"x\xffb"]
    assert s.length(bytes_tensor([b"a\xffb"]), unit="UTF8_CHAR").numpy().tolist() == [3]
    assert s.split(bytes_tensor([b"a\xff b"])).to_list() == [[b"a\xff", b"b"]]
    assert s.unicode_split(bytes_tensor([b"a\xff"])).to_list() == [[b"a", "\ufffd".encode()]]
    with pytest.raises(ValueError, match=r"input\[1\] is not UTF-8 text: byte 0xff at offset 1"):
        s.unicode_split(bytes_tensor([b"ok", b"a\xff"]), errors="strict")


def test_numbers_where_strings_belong_are_refused_naming_the_position():
    s = tf.strings
    with pytest.raises(TypeError, match=r"must hold strings, but has dtype float64"):
        s.lower(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"input\[1\] is 2 \(int\)"):           # also a ValueError
        s.upper(["a", 2])
    with pytest.raises(TypeError, match=r"inputs\[1\] must hold strings"):
        s.join([["a"], [3]])
    with pytest.raises(ValueError, match=r"'x' is not a number \(input\[1\]"):
        s.to_number(["1", "x"])
    with pytest.raises(ValueError, match="'1_0' is not a number"):
        s.to_number(["1_0"])                                 # Python would read 1_0; TensorFlow does not
    with pytest.raises(ValueError, match="out of range for int32"):
        s.to_number(["99999999999"], out_type=tf.int32)
    with pytest.raises(ValueError, match=r"pos 3 is out of range for input\[1\] = b'ab' \(2 bytes\)"):
        s.substr(["hello", "ab"], 3, 1)
    with pytest.raises(ValueError, match="not a valid regular expression"):
        s.regex_replace("a", "(", "")
    with pytest.raises(ValueError, match="one string"):
        s.join("ab")


# -- the text layers on bytes -----------------------------------------------------------------------
def _reviews(n=32, seed=0):
    rng = np.random.default_rng(seed)
    good, bad = ["great", "wonderful", "loved", "brilliant"], ["awful", "boring", "hated", "dull"]
    filler = ["the", "movie", "was", "a", "plot", "film", "this", "and"]
    texts, labels = [], []
    for i in range(n):
        words = list(rng.choice(filler, 4)) + list(rng.choice(good if i % 2 == 0 else bad, 2))
        rng.shuffle(words)
        texts.append((" ".join(words).capitalize() + "!<br />The end.").encode())
        labels.append(float(i % 2 == 0))
    return texts, np.array(labels)


def custom_standardization(input_data):
    """TensorFlow's text-classification tutorial's function, word for word."""
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, "[%s]" % re.escape(string.punctuation), "")


def test_a_custom_standardize_gets_a_string_tensor_shaped_as_keras_gives_it():
    seen = []

    def standardize(batch):
        seen.append((type(batch), batch.dtype == tf.string, batch.shape))
        return custom_standardization(batch)

    tv = layers.TextVectorization(standardize=standardize, output_sequence_length=4)
    tv.adapt(bytes_tensor([b"Great<br />movie!", b"bad movie"]))
    assert tv.get_vocabulary() == ["", "[UNK]", "movie", "great", "bad"]
    assert all(isinstance(v, str) for v in tv.get_vocabulary())                  # Keras 3: Python str
    assert tv(tf.constant([["GREAT<br />bad"]])).numpy().tolist() == [[3, 4, 0, 0]]
    tv(tf.constant(["bad"]))
    tv.adapt(Dataset.from_tensor_slices(bytes_tensor([b"a b", b"c", b"d"])).batch(2))
    # Keras 3 hands its function an array adapted as (samples, 1), the calls' inputs as given,
    # a Dataset's batches as they come
    assert seen == [(Tensor, True, (2, 1)), (Tensor, True, (1, 1)), (Tensor, True, (1,)), (Tensor, True, (2,)),
                    (Tensor, True, (1,))]


def test_a_text_model_trains_on_a_dataset_of_bytes_and_predicts_on_python_strings():
    tf.keras.utils.set_random_seed(0)
    texts, labels = _reviews()
    raw_train = Dataset.from_tensor_slices((bytes_tensor(texts), labels)).batch(8)
    vectorize = layers.TextVectorization(standardize=custom_standardization, max_tokens=30,
                                         output_sequence_length=8)
    vectorize.adapt(raw_train.map(lambda text, label: text))
    assert "great" in vectorize.get_vocabulary() and "br" not in vectorize.get_vocabulary()
    model = tf.keras.Sequential([vectorize, layers.Embedding(30, 8), layers.GlobalAveragePooling1D(),
                                 layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(raw_train, epochs=12, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    examples = ["a wonderful and brilliant film", "an awful boring movie"]
    from_list = model.predict(examples, verbose=0)
    assert from_list[0, 0] > 0.5 > from_list[1, 0]
    np.testing.assert_allclose(model.predict(tf.constant(examples), verbose=0), from_list, rtol=1e-6)
    np.testing.assert_allclose(model(tf.constant(examples)).numpy(), from_list, rtol=1e-6)
    np.testing.assert_allclose(model.predict(np.array(examples), verbose=0), from_list, rtol=1e-6)


def test_adapt_takes_unbatched_and_batched_datasets_of_string_tensors():
    texts = [b"b a", b"a", "é b".encode()]
    want = layers.TextVectorization()
    want.adapt(np.array([t.decode() for t in texts]))
    for data in (Dataset.from_tensor_slices(bytes_tensor(texts)), Dataset.from_tensor_slices(bytes_tensor(texts)).batch(2),
                 bytes_tensor(texts), [bytes_tensor(texts[:2]), bytes_tensor(texts[2:])], list(texts)):
        tv = layers.TextVectorization()
        tv.adapt(data)
        assert tv.get_vocabulary() == want.get_vocabulary() == ["", "[UNK]", "b", "a", "é"]
    lookup = layers.StringLookup()
    lookup.adapt(Dataset.from_tensor_slices(bytes_tensor(texts[:2] + [b"a"])))
    assert lookup.get_vocabulary() == ["[UNK]", "a", "b a"]


def test_lookups_and_hashing_take_bytes_and_give_tensorflows_types():
    lookup = layers.StringLookup(vocabulary=["a", "b"])
    np.testing.assert_array_equal(lookup(bytes_tensor([b"a", b"z"])), [1, 0])      # Keras 3: [1, 0]
    np.testing.assert_array_equal(lookup(tf.constant([["b"]])), [[2]])
    invert = layers.StringLookup(vocabulary=["a", "b"], invert=True)
    out = invert(np.array([[1, 2, 0]]))
    assert isinstance(out, Tensor) and out.dtype == tf.string
    assert out.numpy().tolist() == [[b"a", b"b", b"[UNK]"]]                     # Keras 3's bytes
    with pytest.raises(ValueError, match="must be integer ids"):
        invert(np.array([["a"]]))
    hashing = layers.Hashing(num_bins=5)
    np.testing.assert_array_equal(hashing(bytes_tensor([b"a", b"b"])), [4, 2])      # Keras 3: [4, 2]
    np.testing.assert_array_equal(hashing(np.array(["a", "b"])), [4, 2])
    np.testing.assert_array_equal(hashing(bytes_tensor([b"\xff"])), hashing(np.array([b"\xff"])))   # raw bytes
    masked = layers.Hashing(num_bins=5, mask_value="a")
    assert masked(bytes_tensor([b"a", b"b"])).numpy().tolist()[0] == 0
    assert masked(np.array(["a", "b"])).numpy().tolist() == masked(bytes_tensor([b"a", b"b"])).numpy().tolist()


def test_the_text_layers_refuse_numbers_and_undecodable_bytes_by_position():
    tv = layers.TextVectorization()
    with pytest.raises(ValueError, match=r"adapt data\[2\] is not UTF-8 text: byte 0xff at offset 0"):
        tv.adapt(bytes_tensor([b"fine", b"also fine", b"\xff abc"]))
    tv.adapt(["fine words"])
    with pytest.raises(ValueError, match=r"inputs\[1\] is 3 \(int\)"):
        tv(np.array(["fine", 3], dtype=object))
    with pytest.raises(ValueError, match="adapt data must hold strings, but has dtype float64"):
        layers.TextVectorization().adapt(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"inputs\[0\] is not UTF-8 text"):
        layers.StringLookup(vocabulary=["a"])(bytes_tensor([b"\xfe"]))


def test_a_saved_text_model_fed_bytes_loads_and_predicts_the_same(tmp_path):
    texts, labels = _reviews(8)
    vectorize = layers.TextVectorization(max_tokens=30, output_sequence_length=6)
    vectorize.adapt(bytes_tensor(texts))
    model = tf.keras.Sequential([vectorize, layers.Embedding(30, 3), layers.GlobalAveragePooling1D(),
                                 layers.Dense(1)])
    model.compile(loss="mse")
    model.fit(bytes_tensor(texts), labels, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = tf.keras.models.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].get_vocabulary() == vectorize.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(tf.constant(texts), verbose=0),
                               model.predict([t.decode() for t in texts], verbose=0), rtol=1e-6)
