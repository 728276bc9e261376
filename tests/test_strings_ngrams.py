"""tf.strings.ngrams (glassnet.tf.strings_ngrams) and the tf.strings functions of TensorFlow's text
guides checked against TensorFlow 2.21: unicode_script, replace_control_characters, and the error
kinds of substr/length/to_number.

Every expected value below was printed by TensorFlow 2.21 (``/work/peers/bin/python
tools/probe_tf_element_spec_strings.py ngrams strings``; the control-character lines by the same
calls run by hand), for the same call.
"""
import numpy as np
import pytest

import glassnet as tf

WORDS = ["a", "b", "c", "d"]


def listed(x):
    return x.to_list() if hasattr(x, "to_list") and not isinstance(x, np.ndarray) else np.asarray(x).tolist()


# (call, what TensorFlow 2.21 returned: the values, and for a dense result its shape)
DENSE = {
    "ng_2": (lambda: tf.strings.ngrams(WORDS, 2), (3,), [b'a b', b'b c', b'c d']),
    "ng_3_sep": (lambda: tf.strings.ngrams(WORDS, 3, separator="-"), (2,), [b'a-b-c', b'b-c-d']),
    "ng_widths": (lambda: tf.strings.ngrams(WORDS, (1, 2)), (7,), [b'a', b'b', b'c', b'd', b'a b', b'b c', b'c d']),
    "ng_widths_list": (lambda: tf.strings.ngrams(WORDS, [3, 1]), (6,), [b'a b c', b'b c d', b'a', b'b', b'c', b'd']),
    "ng_pad_pair": (lambda: tf.strings.ngrams(WORDS, 3, pad_values=("<s>", "</s>")), (6,),
                    [b'<s> <s> a', b'<s> a b', b'a b c', b'b c d', b'c d </s>', b'd </s> </s>']),
    "ng_pad_one": (lambda: tf.strings.ngrams(WORDS, 2, pad_values="#"), (5,), [b'# a', b'a b', b'b c', b'c d', b'd #']),
    "ng_pad_width1": (lambda: tf.strings.ngrams(WORDS, 3, pad_values=("<s>", "</s>"), padding_width=1), (4,),
                      [b'<s> a b', b'a b c', b'b c d', b'c d </s>']),
    "ng_pad_width_widths": (lambda: tf.strings.ngrams(WORDS, (2, 3), pad_values=("<", ">")), (11,),
                            [b'< a', b'a b', b'b c', b'c d', b'd >', b'< < a', b'< a b', b'a b c', b'b c d', b'c d >',
                             b'd > >']),
    "ng_short": (lambda: tf.strings.ngrams(["a", "b"], 3), (0,), []),
    "ng_short_keep": (lambda: tf.strings.ngrams(["a", "b"], 3, preserve_short_sequences=True), (1,), [b'a b']),
    "ng_short_keep_widths": (lambda: tf.strings.ngrams(["a", "b"], (2, 3), preserve_short_sequences=True), (1,),
                             [b'a b']),
    "ng_empty_keep": (lambda: tf.strings.ngrams(tf.constant([], tf.string), 2, preserve_short_sequences=True),
                      (0,), []),
    "ng_2d": (lambda: tf.strings.ngrams([["a", "b", "c"], ["d", "e", "f"]], 2), (2, 2),
              [[b'a b', b'b c'], [b'd e', b'e f']]),
    "ng_2d_pad": (lambda: tf.strings.ngrams([["a", "b"], ["c", "d"]], 2, pad_values=("<", ">")), (2, 3),
                  [[b'< a', b'a b', b'b >'], [b'< c', b'c d', b'd >']]),
    "ng_3d": (lambda: tf.strings.ngrams([[["a", "b"], ["c", "d"]]], 2), (1, 2, 1), [[[b'a b'], [b'c d']]]),
    "ng_bytes_pad": (lambda: tf.strings.ngrams(["é", "b"], 2, separator="·", pad_values=(b"<", b">")), (3,),
                     [b'<\xc2\xb7\xc3\xa9', b'\xc3\xa9\xc2\xb7b', b'b\xc2\xb7>']),
    "ng_width_big_pad": (lambda: tf.strings.ngrams(["a"], 3, pad_values="_", padding_width=2), (3,),
                         [b'_ _ a', b'_ a _', b'a _ _']),
    "ng_pad_width_past_width": (lambda: tf.strings.ngrams(WORDS, 2, pad_values="#", padding_width=3), (5,),
                                [b'# a', b'a b', b'b c', b'c d', b'd #']),
    "ng_pad_three": (lambda: tf.strings.ngrams(WORDS, 2, pad_values=("a", "b", "c")), (5,),
                     [b'a a', b'a b', b'b c', b'c d', b'd b']),
}

RAGGED = {
    "ng_ragged": (lambda: tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"], []]), 2),
                  [[b'a b', b'b c'], [], []]),
    "ng_ragged_keep": (lambda: tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"], []]), 2,
                                                 preserve_short_sequences=True), [[b'a b', b'b c'], [b'd'], []]),
    "ng_ragged_pad": (lambda: tf.strings.ngrams(tf.ragged.constant([["a", "b"], ["c"]]), 3, pad_values=("<s>", "</s>")),
                      [[b'<s> <s> a', b'<s> a b', b'a b </s>', b'b </s> </s>'],
                       [b'<s> <s> c', b'<s> c </s>', b'c </s> </s>']]),
    "ng_split": (lambda: tf.strings.ngrams(tf.strings.split(["the cat sat", "hi"]), 2), [[b'the cat', b'cat sat'], []]),
}


@pytest.mark.parametrize("case", sorted(DENSE))
def test_ngrams_of_a_dense_tensor_are_tensorflows(case):
    make, shape, values = DENSE[case]
    out = make()
    assert isinstance(out, np.ndarray) and out.dtype == object
    assert tuple(out.shape) == shape and listed(out) == values


@pytest.mark.parametrize("case", sorted(RAGGED))
def test_ngrams_of_a_ragged_tensor_keep_its_rows(case):
    make, values = RAGGED[case]
    out = make()
    assert type(out).__name__ in ("RaggedTensor", "RaggedList") and out.to_list() == values


def test_ngrams_of_a_deeper_ragged_tensor_work_on_its_innermost_rows():
    nested = tf.RaggedTensor.from_row_lengths(tf.ragged.constant([["a", "b", "c"], ["d", "e"], ["f"]]), [2, 1])
    assert tf.strings.ngrams(nested, 2).to_list() == [[[b"a b", b"b c"], [b"d e"]], [[]]]


@pytest.mark.parametrize("call, kind, words", [
    # TensorFlow 2.21's kinds of error (its words where they say which argument)
    (lambda: tf.strings.ngrams(WORDS, 0), ValueError, "All ngram_widths must be greater than 0. Got 0"),
    (lambda: tf.strings.ngrams(WORDS, -1), ValueError, "All ngram_widths must be greater than 0. Got -1"),
    (lambda: tf.strings.ngrams(WORDS, 2, pad_values="#", padding_width=0), ValueError,
     "padding_width must be greater than 0"),
    (lambda: tf.strings.ngrams(WORDS, 2, pad_values=3), TypeError, "pad_values .* must be a string, got 3"),
    (lambda: tf.strings.ngrams("a b", 2), ValueError, "rank > 0"),
    (lambda: tf.strings.ngrams([1, 2, 3], 2), TypeError, r"data\[0\] is 1"),
    (lambda: tf.strings.ngrams(WORDS, 2, padding_width=1), ValueError,
     "pad_values must be provided if padding_width is set"),
])
def test_ngrams_refuses_what_tensorflow_refuses(call, kind, words):
    with pytest.raises(kind, match=words):
        call()


def test_ngrams_refuses_clearly_where_tensorflow_fails_or_guesses():
    # TensorFlow 2.21: (2, 0) fails formatting its own message (TypeError: not all arguments converted),
    # a 1-tuple pad_values is an IndexError, and a width of 2.5 is taken; glassnet names the argument
    with pytest.raises(ValueError, match="strings.ngrams: All ngram_widths must be greater than 0. Got 0"):
        tf.strings.ngrams(WORDS, (2, 0))
    with pytest.raises(ValueError, match=r"pad_values must be a string or a \(left, right\) pair"):
        tf.strings.ngrams(WORDS, 2, pad_values=("<",))
    with pytest.raises(TypeError, match="ngram_width must be an integer, got 2.5"):
        tf.strings.ngrams(WORDS, 2.5)


def test_unicode_script_gives_tensorflows_icu_codes():
    points = [33464, 1041, 65, 48, 32, 1575, 12354, 12450, 44032, 2325, 3585, 955, 1488, -1, 0x110000, 0x0300, 0x1F600]
    out = tf.strings.unicode_script(points)
    assert out.dtype == np.int32
    assert out.numpy().tolist() == [17, 8, 25, 0, 0, 2, 20, 22, 18, 10, 38, 14, 19, -1, -1, 1, 0]
    assert tf.strings.unicode_script(65).numpy() == 25 and tf.strings.unicode_script(65).shape == ()
    # the Unicode guide's use: the script of each character of a ragged batch
    ragged = tf.strings.unicode_script(tf.strings.unicode_decode(["Hя", "語"], "UTF-8"))
    assert ragged.to_list() == [[25, 8], [17]]
    with pytest.raises(TypeError, match="int32 code points"):
        tf.strings.unicode_script([1.5])


def test_replace_control_characters_replaces_c0_only_as_tensorflow():
    text = ["a\x01\t\x1f\x7f\x85 b"]
    assert tf.strings.unicode_decode(text, "UTF-8", replace_control_characters=True).to_list() == \
        [[97, 65533, 65533, 65533, 127, 133, 32, 98]]
    assert tf.strings.unicode_transcode(text, "UTF-8", "UTF-8", replace_control_characters=True).numpy().tolist() == \
        [b'a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\x7f\xc2\x85 b']
    points, _ = tf.strings.unicode_decode_with_offsets(["a\x01b"], "UTF-8", replace_control_characters=True)
    assert points.to_list() == [[97, 65533, 98]]
    assert tf.strings.unicode_decode("a\x01b", "UTF-8", replace_control_characters=True,
                                     replacement_char=63).numpy().tolist() == [97, 63, 98]
    assert tf.strings.unicode_decode(["a\x01b"], "UTF-8").to_list() == [[97, 1, 98]]


@pytest.mark.parametrize("call", [
    lambda: tf.strings.substr("hello", 7, 2),
    lambda: tf.strings.length(["a"], unit="CHAR"),
    lambda: tf.strings.to_number(["abc"]),
])
def test_a_value_the_kernel_refuses_is_tensorflows_invalid_argument_error(call):
    with pytest.raises(tf.errors.InvalidArgumentError):
        call()


def test_re2_classes_python_lacks_are_read_as_re2_reads_them():
    # TensorFlow 2.21's results for the same calls
    replace = tf.strings.regex_replace
    assert replace(["a.b,c!"], "[[:punct:]]", "").numpy().tolist() == [b"abc"]
    assert replace(["a.b c1!"], "[^[:alnum:] ]", "").numpy().tolist() == [b"ab c1"]
    assert replace(["aé1 語!"], r"\pL", "L").numpy().tolist() == [b"LL1 L!"]
    assert replace(["aé1 語!"], r"[^\p{L}\p{N}]", "_").numpy().tolist() == [b"a\xc3\xa91_\xe8\xaa\x9e_"]
    assert replace(["a]b[c", "x-y"], r"[]a[:digit:]-]", "_").numpy().tolist() == [b"__b[c", b"x_y"]
    assert replace(["a[b"], r"[[]", "_").numpy().tolist() == [b"a_b"]
    assert replace(["aé1"], r"\PL", "_").numpy().tolist() == [b"a\xc3\xa9_"]
    assert replace(["Hя語"], r"\p{Cyrillic}|\p{Han}", "_").numpy().tolist() == [b"H__"]
    assert replace(["Hello, world."], "[%s]" % __import__("re").escape(__import__("string").punctuation),
                   "").numpy().tolist() == [b"Hello world"]
    with pytest.raises(ValueError, match=r"pattern '\\\\p\{Klingon\}' is not a valid regular expression.*not known"):
        replace(["a"], r"\p{Klingon}", "")


def test_unicode_decode_and_split_read_utf16_as_tensorflow():
    text = "语言处理".encode("UTF-16-BE")
    # TensorFlow 2.21 (the Unicode guide's strings)
    assert tf.strings.unicode_decode(text, "UTF-16-BE").numpy().tolist() == [35821, 35328, 22788, 29702]
    assert tf.strings.unicode_split(text, "UTF-16-BE").numpy().tolist() == [b"\x8b\xed", b"\x8a\x00", b"Y\x04",
                                                                             b"t\x06"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="not UTF-8"):
        tf.strings.unicode_decode([b"a\xffb"], "UTF-8", errors="strict")


@pytest.mark.parametrize("make, printed", [
    # TensorFlow 2.21's element_spec of the same maps
    (lambda s: tf.strings.lower(tf.strings.split(s)), "TensorSpec(shape=(None,), dtype=tf.string, name=None)"),
    (lambda s: tf.strings.length(tf.strings.split(s)), "TensorSpec(shape=(None,), dtype=tf.int32, name=None)"),
    (lambda s: tf.strings.unicode_decode(s, "UTF-8"), "TensorSpec(shape=(None,), dtype=tf.int32, name=None)"),
    (lambda s: tf.strings.ngrams(tf.strings.split(s), 2), "TensorSpec(shape=(None,), dtype=tf.string, name=None)"),
    (lambda s: tf.strings.ngrams(tf.fill([3], s), 2), "TensorSpec(shape=(None,), dtype=tf.string, name=None)"),
])
def test_strings_in_a_map_keep_the_words_count_unknown(make, printed):
    ds = tf.data.Dataset.from_tensor_slices(["A b", "c"])
    assert repr(ds.map(make).element_spec) == printed


def test_the_unicode_guides_word_segmentation_by_script_runs_as_tensorflow():
    # the Unicode guide's code; TensorFlow 2.21 printed the words below
    codepoints = tf.strings.unicode_decode(["Hello, world.", "世界こんにちは"], "UTF-8")
    script = tf.strings.unicode_script(codepoints)
    starts_word = tf.concat([tf.fill([script.nrows(), 1], True),
                             tf.not_equal(script[:, 1:], script[:, :-1])], axis=1)
    word_starts = tf.squeeze(tf.where(starts_word.values), axis=1)
    word_codepoints = tf.RaggedTensor.from_row_starts(values=codepoints.values, row_starts=word_starts)
    words_per_sentence = tf.reduce_sum(tf.cast(starts_word, tf.int64), axis=1)
    sentences = tf.RaggedTensor.from_row_lengths(values=word_codepoints, row_lengths=words_per_sentence)
    assert tf.strings.unicode_encode(sentences, "UTF-8").to_list() == [
        [b"Hello", b", ", b"world", b"."],
        [b"\xe4\xb8\x96\xe7\x95\x8c", b"\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf"]]
    assert tf.RaggedTensor.from_row_starts([1, 2, 3, 4], [0, 1, 1, 3]).to_list() == [[1], [], [2, 3], [4]]
    with pytest.raises(ValueError, match=r"row_starts\[0\] must be 0, got 1"):
        tf.RaggedTensor.from_row_starts([1, 2], [1])
