"""Print Dataset.map element_specs for data-sized shapes and tf.strings results, one per line.

Run with TensorFlow 2.21 (``/work/peers/bin/python tools/probe_tf_element_spec_strings.py``) to
record the fixtures of ``tests/test_element_spec_data_sized.py`` and ``tests/test_strings_ngrams.py``,
or with ``--glassnet`` to print glassnet's lines for a diff against TensorFlow's.
"""
from __future__ import annotations

import io
import sys

import numpy as np

if "--glassnet" in sys.argv:
    import glassnet as tf
else:
    import tensorflow as tf


def value(x):
    """A result as plain Python: a ragged one's to_list(), a dense one's dtype, shape and list."""
    if hasattr(x, "to_list") and not hasattr(x, "numpy") or type(x).__name__.endswith("RaggedTensor") \
            or type(x).__name__ == "RaggedList":
        return ("ragged", x.to_list())
    a = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    return (str(a.dtype) if a.dtype.kind != "O" else "string", a.shape, a.tolist())


def line(label, thunk):
    try:
        out = thunk()
    except Exception as e:  # noqa: BLE001 - the error's type is part of what is compared
        out = f"{type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}"
    print(f"{label} :: {out}")


def spec(label, make):
    line(label, lambda: repr(make().element_spec))


def jpeg_bytes(channels=3, fmt="JPEG"):
    from PIL import Image
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 255, (5, 7, channels), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels[..., 0] if channels == 1 else pixels).save(buf, format=fmt)
    return buf.getvalue()


def element_specs():
    nums = lambda: tf.data.Dataset.from_tensor_slices(np.array([3, 1, 2], np.int32))  # noqa: E731
    same = lambda: tf.data.Dataset.from_tensor_slices(np.array([2, 2, 2], np.int32))  # noqa: E731
    spec("range_n", lambda: nums().map(lambda n: tf.range(n)))
    spec("range_1_n_int64", lambda: nums().map(lambda n: tf.range(1, tf.cast(n, tf.int64))))
    spec("range_3", lambda: nums().map(lambda n: tf.range(3)))
    spec("range_n_times_2", lambda: nums().map(lambda n: tf.range(n) * 2))
    spec("range_n_same", lambda: same().map(lambda n: tf.range(n)))
    spec("fill_n", lambda: nums().map(lambda n: tf.fill([n], 1.5)))
    spec("fill_2_n", lambda: nums().map(lambda n: tf.fill([2, n], 0)))
    spec("fill_2_value_n", lambda: nums().map(lambda n: tf.fill([2], n)))
    spec("fill_n_3_str", lambda: nums().map(lambda n: tf.fill([n, 3], "x")))
    spec("cond_3_4", lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.zeros([3]), lambda: tf.zeros([4]))))
    spec("cond_3_3", lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.zeros([3]), lambda: tf.ones([3]))))
    spec("cond_2x3_2x4", lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.zeros([2, 3]),
                                                               lambda: tf.zeros([2, 4]))))
    spec("cond_rank", lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.zeros([3]), lambda: tf.zeros([2, 2]))))
    spec("cond_range", lambda: nums().map(lambda n: tf.cond(n > 1, lambda: tf.range(n), lambda: tf.range(2))))
    spec("cond_pair", lambda: nums().map(lambda n: tf.cond(n > 1, lambda: (tf.zeros([3]), n),
                                                           lambda: (tf.zeros([4]), n + 1))))
    spec("concat_range", lambda: nums().map(lambda n: tf.concat([tf.range(n), [7]], 0)))
    spec("concat_fixed", lambda: nums().map(lambda n: tf.concat([tf.zeros([2]), tf.ones([3])], 0)))
    spec("concat_rows", lambda: nums().map(lambda n: tf.concat([tf.fill([n, 2], 0), tf.zeros([1, 2], tf.int32)], 0)))
    spec("concat_cols", lambda: nums().map(lambda n: tf.concat([tf.fill([2, n], 0), tf.zeros([2, 1], tf.int32)], -1)))
    spec("concat_other_axis", lambda: nums().map(lambda n: tf.concat([tf.fill([n, 2], 0), tf.fill([n, 1], 1)], 1)))
    spec("py_function", lambda: nums().map(lambda n: tf.py_function(lambda v: np.arange(v.numpy()), [n], tf.int64)))
    spec("py_function_list", lambda: nums().map(lambda n: tf.py_function(lambda v: (v, v * 2.0), [n],
                                                                       [tf.int32, tf.float32])))
    spec("numpy_function", lambda: nums().map(lambda n: tf.numpy_function(lambda v: np.arange(v), [n], tf.int64)))
    spec("py_function_batch", lambda: same().map(lambda n: tf.py_function(lambda v: np.arange(v.numpy()), [n],
                                                                       tf.int64)).batch(2))
    images = lambda fmt="JPEG", c=3: tf.data.Dataset.from_tensors(jpeg_bytes(c, fmt))  # noqa: E731
    spec("decode_jpeg", lambda: images().map(tf.io.decode_jpeg))
    spec("decode_jpeg_3", lambda: images().map(lambda b: tf.io.decode_jpeg(b, channels=3)))
    spec("decode_jpeg_1", lambda: images().map(lambda b: tf.io.decode_jpeg(b, channels=1)))
    spec("decode_png", lambda: images("PNG").map(tf.io.decode_png))
    spec("decode_png_4", lambda: images("PNG").map(lambda b: tf.io.decode_png(b, channels=4)))
    spec("decode_image", lambda: images("PNG").map(tf.io.decode_image))
    spec("decode_image_3", lambda: images("PNG").map(lambda b: tf.io.decode_image(b, channels=3)))
    spec("decode_image_flat", lambda: images("PNG").map(lambda b: tf.io.decode_image(b, expand_animations=False)))
    spec("decode_image_flat_3", lambda: images("PNG").map(lambda b: tf.io.decode_image(b, channels=3,
                                                                                     expand_animations=False)))
    texts = lambda: tf.data.Dataset.from_tensor_slices(["a b c", "d e", "f"])  # noqa: E731
    spec("split_batch_to_tensor", lambda: texts().batch(2).map(lambda s: tf.strings.split(s).to_tensor()))
    spec("ragged_rows_to_tensor", lambda: nums().map(
        lambda n: tf.RaggedTensor.from_row_lengths(tf.range(2 * n), tf.stack([n, n])).to_tensor()))
    spec("ragged_const_to_tensor", lambda: nums().map(lambda n: tf.ragged.constant([[1, 2], [3]]).to_tensor()))
    spec("ragged_to_tensor_shape", lambda: texts().batch(2).map(
        lambda s: tf.strings.split(s).to_tensor(shape=[None, 4])))
    spec("padded_range", lambda: nums().map(lambda n: tf.range(n)).padded_batch(2))
    spec("padded_range_shape5", lambda: nums().map(lambda n: tf.range(n)).padded_batch(2, padded_shapes=[5]))
    spec("padded_range_drop", lambda: nums().map(lambda n: tf.range(n)).padded_batch(2, drop_remainder=True))
    spec("padded_fill_rows", lambda: nums().map(lambda n: tf.fill([n, 2], 0)).padded_batch(2))
    spec("padded_fixed", lambda: nums().map(lambda n: tf.zeros([3])).padded_batch(2))
    spec("padded_fixed_none", lambda: nums().map(lambda n: tf.zeros([3])).padded_batch(2, padded_shapes=[None]))
    spec("padded_fixed_5", lambda: nums().map(lambda n: tf.zeros([3])).padded_batch(2, padded_shapes=[5]))
    spec("padded_pair", lambda: nums().map(lambda n: (tf.range(n), n)).padded_batch(2))
    spec("padded_dict", lambda: nums().map(lambda n: {"a": tf.fill([n], "x"), "b": n}).padded_batch(
        2, padded_shapes={"a": [None], "b": []}, padding_values={"a": "pad", "b": 0}))
    spec("padded_unbatch", lambda: nums().map(lambda n: tf.range(n)).padded_batch(2).unbatch())
    spec("batch_fill2", lambda: nums().map(lambda n: tf.fill([2], n)).batch(2))
    spec("batch_same_range", lambda: same().map(lambda n: tf.range(n)).batch(2))
    spec("batch_same_range_drop", lambda: same().map(lambda n: tf.range(n)).batch(2, drop_remainder=True))
    spec("prefetch_range", lambda: nums().map(lambda n: tf.range(n)).prefetch(1))
    spec("shuffle_take_range", lambda: nums().map(lambda n: tf.range(n)).shuffle(3, seed=1).take(2))
    spec("cache_repeat_range", lambda: nums().map(lambda n: tf.range(n)).cache().repeat(2))
    spec("filter_range", lambda: nums().map(lambda n: tf.range(n)).filter(lambda r: tf.size(r) > 0))
    spec("dict_range", lambda: nums().map(lambda n: {"ids": tf.range(n), "n": n}))
    line("repr_map", lambda: repr(nums().map(lambda n: tf.range(n))))
    line("repr_padded", lambda: repr(nums().map(lambda n: tf.range(n)).padded_batch(2)))
    line("padded_values", lambda: [value(b) for b in nums().map(lambda n: tf.range(n)).padded_batch(2)])


def ngrams():
    words = ["a", "b", "c", "d"]
    line("ng_2", lambda: value(tf.strings.ngrams(words, 2)))
    line("ng_3_sep", lambda: value(tf.strings.ngrams(words, 3, separator="-")))
    line("ng_widths", lambda: value(tf.strings.ngrams(words, (1, 2))))
    line("ng_widths_list", lambda: value(tf.strings.ngrams(words, [3, 1])))
    line("ng_pad_pair", lambda: value(tf.strings.ngrams(words, 3, pad_values=("<s>", "</s>"))))
    line("ng_pad_one", lambda: value(tf.strings.ngrams(words, 2, pad_values="#")))
    line("ng_pad_width1", lambda: value(tf.strings.ngrams(words, 3, pad_values=("<s>", "</s>"), padding_width=1)))
    line("ng_pad_width_widths", lambda: value(tf.strings.ngrams(words, (2, 3), pad_values=("<", ">"))))
    line("ng_short", lambda: value(tf.strings.ngrams(["a", "b"], 3)))
    line("ng_short_keep", lambda: value(tf.strings.ngrams(["a", "b"], 3, preserve_short_sequences=True)))
    line("ng_short_keep_widths", lambda: value(tf.strings.ngrams(["a", "b"], (2, 3), preserve_short_sequences=True)))
    line("ng_empty_keep", lambda: value(tf.strings.ngrams(tf.constant([], tf.string), 2,
                                                          preserve_short_sequences=True)))
    line("ng_2d", lambda: value(tf.strings.ngrams([["a", "b", "c"], ["d", "e", "f"]], 2)))
    line("ng_2d_pad", lambda: value(tf.strings.ngrams([["a", "b"], ["c", "d"]], 2, pad_values=("<", ">"))))
    line("ng_3d", lambda: value(tf.strings.ngrams([[["a", "b"], ["c", "d"]]], 2)))
    line("ng_ragged", lambda: value(tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"], []]), 2)))
    line("ng_ragged_keep", lambda: value(tf.strings.ngrams(tf.ragged.constant([["a", "b", "c"], ["d"], []]), 2,
                                                           preserve_short_sequences=True)))
    line("ng_ragged_pad", lambda: value(tf.strings.ngrams(tf.ragged.constant([["a", "b"], ["c"]]), 3,
                                                          pad_values=("<s>", "</s>"))))
    line("ng_split", lambda: value(tf.strings.ngrams(tf.strings.split(["the cat sat", "hi"]), 2)))
    line("ng_bytes_pad", lambda: value(tf.strings.ngrams(["é", "b"], 2, separator="·", pad_values=(b"<", b">"))))
    line("ng_width_big_pad", lambda: value(tf.strings.ngrams(["a"], 3, pad_values="_", padding_width=2)))
    line("ng_err_width0", lambda: value(tf.strings.ngrams(words, 0)))
    line("ng_err_width_neg", lambda: value(tf.strings.ngrams(words, -1)))
    line("ng_err_pad_width", lambda: value(tf.strings.ngrams(words, 2, pad_values="#", padding_width=3)))
    line("ng_err_pad_width0", lambda: value(tf.strings.ngrams(words, 2, pad_values="#", padding_width=0)))
    line("ng_err_pad_type", lambda: value(tf.strings.ngrams(words, 2, pad_values=3)))
    line("ng_err_pad_three", lambda: value(tf.strings.ngrams(words, 2, pad_values=("a", "b", "c"))))
    line("ng_err_scalar", lambda: value(tf.strings.ngrams("a b", 2)))
    line("ng_err_numbers", lambda: value(tf.strings.ngrams([1, 2, 3], 2)))
    line("ng_padding_no_values", lambda: value(tf.strings.ngrams(words, 2, padding_width=1)))


def strings():
    s = tf.strings
    text = ["Hello, World!", "  Ünïcödé  ", "", "a\tb  c\n", "語言處理"]
    line("unicode_split", lambda: value(s.unicode_split(text, "UTF-8")))
    line("unicode_split_one", lambda: value(s.unicode_split("añb", "UTF-8")))
    line("unicode_split_bad", lambda: value(s.unicode_split(b"a\xffb", "UTF-8")))
    line("unicode_decode", lambda: value(s.unicode_decode(text, "UTF-8")))
    line("unicode_decode_2d", lambda: value(s.unicode_decode([["ab", "c"], ["", "é"]], "UTF-8")))
    line("unicode_decode_bad", lambda: value(s.unicode_decode([b"a\xffb", b"\xc3"], "UTF-8",
                                                              replacement_char=63)))
    line("unicode_decode_ctrl", lambda: value(s.unicode_decode(["a\x01b"], "UTF-8",
                                                               replace_control_characters=True)))
    line("unicode_encode", lambda: value(s.unicode_encode(tf.ragged.constant([[104, 233], [], [35486]]), "UTF-8")))
    line("unicode_encode_1d", lambda: value(s.unicode_encode([104, 105], "UTF-8")))
    line("unicode_encode_2d", lambda: value(s.unicode_encode([[104, 105], [106, 107]], "UTF-8")))
    line("unicode_encode_16", lambda: value(s.unicode_encode([[104, 233]], "UTF-16-BE")))
    line("unicode_script", lambda: value(s.unicode_script([33464, 1041, 65, 48, 32, 1575, 12354, 12450, 44032, 2325,
                                                           3585, 955, 1488, -1, 0x110000, 0x0300, 0x1F600])))
    line("unicode_script_scalar", lambda: value(s.unicode_script(65)))
    line("regex_replace", lambda: value(s.regex_replace(text, r"[^a-zA-Z ]", "")))
    line("regex_replace_group", lambda: value(s.regex_replace(["ab12cd", "x"], r"(\d)(\d)", r"\2\1")))
    line("regex_replace_once", lambda: value(s.regex_replace("aaa", "a", "b", replace_global=False)))
    line("regex_replace_html", lambda: value(s.regex_replace("<br />x<br/>y", "<br />", " ")))
    line("split", lambda: value(s.split(text)))
    line("split_sep", lambda: value(s.split(["a,b,,c", ""], sep=",")))
    line("split_max", lambda: value(s.split(["a b c d"], maxsplit=2)))
    line("split_2d", lambda: value(s.split([["a b", "c"], ["", "d e f"]])))
    line("split_one", lambda: value(s.split("  x  y ")))
    line("strip", lambda: value(s.strip(text)))
    line("lower", lambda: value(s.lower(text)))
    line("lower_utf8", lambda: value(s.lower(text, encoding="utf-8")))
    line("upper", lambda: value(s.upper(text)))
    line("substr", lambda: value(s.substr(["hello", "héllo"], 1, 3)))
    line("substr_char", lambda: value(s.substr(["hello", "héllo"], 1, 3, unit="UTF8_CHAR")))
    line("substr_neg", lambda: value(s.substr("hello", -3, 2)))
    line("substr_vec", lambda: value(s.substr(["hello", "world"], [0, 2], [2, 10])))
    line("substr_oob", lambda: value(s.substr("hello", 7, 2)))
    line("length", lambda: value(s.length(text)))
    line("length_char", lambda: value(s.length(text, unit="UTF8_CHAR")))
    line("length_bad", lambda: value(s.length(text, unit="CHAR")))
    line("reduce_join", lambda: value(s.reduce_join(["a", "b", "c"])))
    line("reduce_join_sep", lambda: value(s.reduce_join([["a", "b"], ["c", "d"]], axis=1, separator="-")))
    line("reduce_join_axis0", lambda: value(s.reduce_join([["a", "b"], ["c", "d"]], axis=0)))
    line("reduce_join_keep", lambda: value(s.reduce_join([["a", "b"], ["c", "d"]], axis=-1, keepdims=True)))
    line("reduce_join_ragged", lambda: value(s.reduce_join(tf.ragged.constant([["a", "b"], ["c"]]), axis=1,
                                                           separator=" ")))
    line("as_string", lambda: value(s.as_string([1.5, 2.0, -0.25, 1e10])))
    line("as_string_int", lambda: value(s.as_string(np.array([1, -20, 300], np.int64))))
    line("as_string_prec", lambda: value(s.as_string([3.14159, 2.5], precision=2)))
    line("as_string_width", lambda: value(s.as_string([7, 42], width=4, fill="0")))
    line("as_string_sci", lambda: value(s.as_string([1234.5], scientific=True)))
    line("as_string_short", lambda: value(s.as_string([0.1, 1e-7], shortest=True)))
    line("as_string_bool", lambda: value(s.as_string([True, False])))
    line("as_string_f64", lambda: value(s.as_string(np.array([0.1, 1 / 3], np.float64))))
    line("to_number", lambda: value(s.to_number(["1.5", "-2", "3e2", " 4"])))
    line("to_number_int", lambda: value(s.to_number(["12", "-3"], out_type=tf.int32)))
    line("to_number_int64", lambda: value(s.to_number(["9000000000"], out_type=tf.int64)))
    line("to_number_bad", lambda: value(s.to_number(["abc"])))
    line("to_number_nan", lambda: value(s.to_number(["nan", "inf", "-inf"])))
    line("bytes_split", lambda: value(s.bytes_split(["abc", "é", ""])))
    line("bytes_split_one", lambda: value(s.bytes_split("héllo")))
    line("join", lambda: value(s.join(["a", "b", "c"], separator="-")))
    line("join_vec", lambda: value(s.join([["a", "b"], ["c", "d"]], separator="+")))
    line("join_bcast", lambda: value(s.join([["a", "b"], "x"], separator="_")))


if __name__ == "__main__":
    parts = [a for a in sys.argv[1:] if not a.startswith("--")] or ["element_specs", "ngrams", "strings"]
    for part in parts:
        globals()[part]()
