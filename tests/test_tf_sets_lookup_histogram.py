"""``tf/sets.py``, ``tf/lookup.py``, ``tf/histogram.py`` and ``tf.strings.format``: the values TF 2.21
gives for the same calls (recorded with /work/peers/bin/python, written here as literals)."""
import numpy as np
import pytest

import glassnet as tf

A = tf.constant([[1, 2, 3], [4, 5, 6]])
B = tf.constant([[1, 3, 9], [6, 5, 4]])


def _parts(s):
    return s.indices.numpy().tolist(), s.values.numpy().tolist(), s.dense_shape.numpy().tolist()


def test_sets_match_tf():
    assert _parts(tf.sets.intersection(A, B)) == ([[0, 0], [0, 1], [1, 0], [1, 1], [1, 2]], [1, 3, 4, 5, 6], [2, 3])
    assert _parts(tf.sets.union(A, B)) == ([[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1], [1, 2]],
                                           [1, 2, 3, 9, 4, 5, 6], [2, 4])
    assert _parts(tf.sets.difference(A, B)) == ([[0, 0]], [2], [2, 1])
    assert tf.sets.difference(A, B, aminusb=False).values.numpy().tolist() == [9]
    assert tf.sets.size(tf.sets.union(A, B)).numpy().tolist() == [4, 3]
    assert tf.sets.size(tf.sets.union(A, B)).dtype == tf.int32
    assert tf.sets.size(tf.sparse.from_dense(tf.constant([[1, 1, 2], [3, 0, 3]]))).numpy().tolist() == [2, 1]
    words = tf.sets.intersection(tf.constant([[["a", "b"], ["c", "d"]]]), tf.constant([[["b", "a"], ["x", "c"]]]))
    assert _parts(words) == ([[0, 0, 0], [0, 0, 1], [0, 1, 0]], [b"a", b"b", b"c"], [1, 2, 2])
    assert tf.sparse.to_dense(tf.sets.union(A, B)).numpy().tolist() == [[1, 2, 3, 9], [4, 5, 6, 0]]
    with pytest.raises(TypeError, match="Expected `SparseTensor`"):
        tf.sets.size(A)
    with pytest.raises(ValueError, match="rank 1 < 2"):
        tf.sets.intersection(tf.constant([1, 2]), tf.constant([2, 3]))
    with pytest.raises(TypeError, match="integers or strings"):
        tf.sets.union(tf.constant([[1.5]]), tf.constant([[2.5]]))


def test_histograms_match_tf():
    values = tf.constant([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0])
    h = tf.histogram_fixed_width(values, [0.0, 5.0], nbins=5)
    assert h.numpy().tolist() == [2, 1, 1, 0, 2] and h.dtype == tf.int32
    h = tf.histogram_fixed_width(tf.constant([1, 2, 3, 4, 9]), [0, 10], nbins=3, dtype=tf.int64)
    assert h.numpy().tolist() == [3, 1, 1] and h.dtype == tf.int64
    assert tf.histogram_fixed_width_bins(values, [0.0, 5.0], nbins=5).numpy().tolist() == [0, 0, 1, 2, 4, 4]
    with pytest.raises(ValueError, match="value_range must have lo < hi"):
        tf.histogram_fixed_width(values, [5.0, 0.0])


def test_strings_format_matches_tf():
    cases = [  # (template, inputs, kwargs, TF 2.21's bytes)
        ("x = {}, y = {}", (tf.constant([1, 2, 3]), tf.constant(2.5)), {}, b"x = [1 2 3], y = 2.5"),
        ("{}", tf.constant([[1.5, 2.0], [3.0, 4.0]]), {}, b"[[1.5 2]\n [3 4]]"),
        ("a {} b", tf.constant("hi"), {}, b'a "hi" b'),
        ("{}", tf.range(20), {}, b"[0 1 2 ... 17 18 19]"),
        ("{}", tf.range(20), {"summarize": -1}, b"[0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19]"),
        ("<{}>", tf.constant(["a", "b"]), {}, b'<["a" "b"]>'),
        ("[{}]", tf.constant(True), {}, b"[1]"),
    ]
    for template, inputs, kwargs, want in cases:
        got = tf.strings.format(template, inputs, **kwargs)
        assert got.shape == () and got.dtype == tf.string and got.numpy() == want
    with pytest.raises(ValueError, match="The template expects 2 tensors, but the inputs only has 1"):
        tf.strings.format("{} {}", tf.constant(1))


def test_static_hash_table_matches_tf(tmp_path):
    init = tf.lookup.KeyValueTensorInitializer(keys=tf.constant(["emerson", "lake", "palmer"]),
                                               values=tf.constant([0, 1, 2], dtype=tf.int64))
    table = tf.lookup.StaticHashTable(init, default_value=-1)
    got = table.lookup(tf.constant([["emerson", "x"], ["palmer", "lake"]]))
    assert got.numpy().tolist() == [[0, -1], [2, 1]] and got.dtype == tf.int64
    assert int(table.size()) == 3 and table.size().dtype == tf.int64
    assert table.key_dtype == tf.string and table.value_dtype == tf.int64
    assert int(table[tf.constant("lake")]) == 1
    keys, values = table.export()
    assert sorted(zip(keys.numpy().tolist(), values.numpy().tolist())) == [(b"emerson", 0), (b"lake", 1), (b"palmer", 2)]
    with pytest.raises(TypeError, match="Dtype of argument `keys` must be <dtype: 'string'>, received: <dtype: 'int32'>"):
        table.lookup(tf.constant([1, 2]))
    floats = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer([1, 2, 3], [1.5, 2.5, 3.5]), default_value=0.0)
    assert floats.lookup(tf.constant([3, 7])).numpy().tolist() == [3.5, 0.0]
    assert floats.key_dtype == tf.int32 and floats.value_dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected shape \[2\] for value, got \[3\]"):
        tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2, 3])
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("apple\nbanana\ncherry\n")
    pairs = tmp_path / "kv.txt"
    pairs.write_text("a,10\nb,20\nc,30\n")
    whole = tf.lookup.TextFileInitializer(str(vocab), tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                          tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER)
    assert tf.lookup.StaticHashTable(whole, -1).lookup(tf.constant(["banana", "kiwi", "cherry"])).numpy().tolist() == [1, -1, 2]
    columns = tf.lookup.TextFileInitializer(str(pairs), tf.string, 0, tf.int64, 1, delimiter=",")
    assert tf.lookup.StaticHashTable(columns, -1).lookup(tf.constant(["c", "a", "z"])).numpy().tolist() == [30, 10, -1]
    assert (tf.lookup.TextFileIndex.WHOLE_LINE, tf.lookup.TextFileIndex.LINE_NUMBER) == (-2, -1)
    bad = tf.lookup.TextFileInitializer(str(pairs), tf.string, 0, tf.int64, 2, delimiter=",")
    with pytest.raises(tf.errors.InvalidArgumentError, match="kv.txt line 0"):
        tf.lookup.StaticHashTable(bad, -1)


def test_static_vocabulary_table_matches_tf(tmp_path):
    init = tf.lookup.KeyValueTensorInitializer(tf.constant(["emerson", "lake", "palmer"]), tf.constant([0, 1, 2], tf.int64))
    table = tf.lookup.StaticVocabularyTable(init, num_oov_buckets=3)
    got = table.lookup(tf.constant(["emerson", "lake", "palmer", "king", "crimson", "yes", "genesis"]))
    assert got.numpy().tolist() == [0, 1, 2, 4, 3, 5, 4] and int(table.size()) == 6       # TF 2.21
    ints = tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(
        tf.constant([10, 20], tf.int64), tf.constant([0, 1], tf.int64)), num_oov_buckets=4)
    assert ints.lookup(tf.constant([10, 20, 30, 40, 55], tf.int64)).numpy().tolist() == [0, 1, 4, 2, 5]
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("apple\nbanana\ncherry\n")
    whole = tf.lookup.TextFileInitializer(str(vocab), tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                          tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER)
    assert tf.lookup.StaticVocabularyTable(whole, 2).lookup(tf.constant(["cherry", "kiwi", "fig"])).numpy().tolist() == [2, 4, 4]
    with pytest.raises(ValueError, match="`num_oov_buckets` must be > 0; use StaticHashTable."):
        tf.lookup.StaticVocabularyTable(init, num_oov_buckets=0)
