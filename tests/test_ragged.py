"""tf.ragged / tf.RaggedTensor against TensorFlow 2.21: the values and the printing below are
what TensorFlow 2.21 printed for the same code (the "Ragged tensors" guide's first parts)."""
import numpy as np
import pytest

import glassnet as tf

# str(...) of TensorFlow 2.21 for the same expressions
TF = {
    "digits": "<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], []]>",
    "digits[0]": "tf.Tensor([3 1 4 1], shape=(4,), dtype=int32)",
    "digits[:, :2]": "<tf.RaggedTensor [[3, 1], [], [5, 9], [6], []]>",
    "digits[:, -2:]": "<tf.RaggedTensor [[4, 1], [], [9, 2], [6], []]>",
    "digits[1:3]": "<tf.RaggedTensor [[], [5, 9, 2]]>",
    "digits[2, 1]": "tf.Tensor(9, shape=(), dtype=int32)",
    "digits + 3": "<tf.RaggedTensor [[6, 4, 7, 4], [], [8, 12, 5], [9], []]>",
    "sum": "<tf.RaggedTensor [[4, 3, 7, 5], [], [10, 15, 9], [14], []]>",
    "map": "<tf.RaggedTensor [[7, 3, 9, 3], [], [11, 19, 5], [13], []]>",
    "words": "<tf.RaggedTensor [[b'So', b'long'], [b'thanks', b'for', b'all', b'the', b'fish']]>",
    "row_lengths": "tf.Tensor([4 0 3 1 0], shape=(5,), dtype=int64)",
    "row_splits": "tf.Tensor([0 4 4 7 8 8], shape=(6,), dtype=int64)",
    "flat_values": "tf.Tensor([3 1 4 1 5 9 2 6], shape=(8,), dtype=int32)",
    "to_tensor": "tf.Tensor(\n[[3 1 4 1]\n [0 0 0 0]\n [5 9 2 0]\n [6 0 0 0]\n [0 0 0 0]], shape=(5, 4), dtype=int32)",
    "to_tensor(-1, [None, 2])": "tf.Tensor(\n[[ 3  1]\n [-1 -1]\n [ 5  9]\n [ 6 -1]\n [-1 -1]], shape=(5, 2), dtype=int32)",
    "floats": "<tf.RaggedTensor [[0.1], [0.2, 0.3]]>",
    "nested": "<tf.RaggedTensor [[[1, 2], [3]], [[4, 5]]]>",
    "built": "<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9], [2]]>",
    "split": "<tf.RaggedTensor [[b'a', b'b'], [b'c', b'd', b'e']]>",
    "empty": "<tf.RaggedTensor [[], []]>",
    "numpy": ("array([array([3, 1, 4, 1], dtype=int32), array([], dtype=int32),\n       array([5, 9, 2], dtype=int32), "
              "array([6], dtype=int32),\n       array([], dtype=int32)], dtype=object)"),
}


@pytest.fixture
def digits():
    return tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])


def test_printing_and_rows_as_tensorflow(digits):
    assert str(digits) == repr(digits) == TF["digits"]
    assert str(digits[0]) == TF["digits[0]"]
    assert str(digits[:, :2]) == TF["digits[:, :2]"]
    assert str(digits[:, -2:]) == TF["digits[:, -2:]"]
    assert str(digits[1:3]) == TF["digits[1:3]"]
    assert str(digits[2, 1]) == TF["digits[2, 1]"]
    assert str(digits.row_lengths()) == TF["row_lengths"]
    assert str(digits.row_splits) == TF["row_splits"]
    assert str(digits.flat_values) == TF["flat_values"]
    assert repr(digits.numpy()) == TF["numpy"]
    assert digits.to_list() == [[3, 1, 4, 1], [], [5, 9, 2], [6], []]
    assert digits.shape.as_list() == [5, None] and digits.dtype == np.int32 and len(digits) == 5
    words = tf.ragged.constant([["So", "long"], ["thanks", "for", "all", "the", "fish"]])
    assert str(words) == TF["words"] and words.dtype == object
    assert str(tf.ragged.constant([[0.1], [0.2, 0.3]])) == TF["floats"]
    assert str(tf.ragged.constant([[], []])) == TF["empty"] and tf.ragged.constant([[], []]).dtype == np.float32
    with pytest.raises(IndexError, match="row index 5"):
        digits[5]


def test_arithmetic_runs_on_flat_values(digits):
    assert str(digits + 3) == TF["digits + 3"]
    assert str(np.add(digits, 3)) == TF["digits + 3"]
    other = tf.ragged.constant([[1, 2, 3, 4], [], [5, 6, 7], [8], []])
    assert str(digits + other) == TF["sum"]
    assert str(tf.ragged.map_flat_values(lambda x: x * 2 + 1, digits)) == TF["map"]
    with pytest.raises(ValueError, match="different rows"):
        digits + tf.ragged.constant([[1], [2], [3], [4], [5]])
    with pytest.raises(ValueError, match="keep the number of values"):
        tf.ragged.map_flat_values(lambda x: x[:2], digits)
    with pytest.raises(TypeError, match="to_tensor"):
        np.asarray(digits)


def test_dense_and_nested(digits):
    assert str(digits.to_tensor()) == TF["to_tensor"]
    assert str(digits.to_tensor(default_value=-1, shape=[None, 2])) == TF["to_tensor(-1, [None, 2])"]
    nested = tf.ragged.constant([[[1, 2], [3]], [[4, 5]]])
    assert str(nested) == TF["nested"] and nested.shape.as_list() == [2, None, None] and nested.ragged_rank == 2
    assert [t.numpy().tolist() for t in nested.nested_row_lengths()] == [[2, 1], [2, 1, 2]]
    assert nested.flat_values.numpy().tolist() == [1, 2, 3, 4, 5]
    assert tf.ragged.constant([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1).shape.as_list() == [2, None, 2]
    assert nested.to_tensor().numpy().tolist() == [[[1, 2], [3, 0]], [[4, 5], [0, 0]]]


def test_constructors_as_tensorflow():
    values = [3, 1, 4, 1, 5, 9, 2]
    made = [tf.RaggedTensor.from_value_rowids(values=values, value_rowids=[0, 0, 0, 0, 2, 2, 3]),
            tf.RaggedTensor.from_row_lengths(values=values, row_lengths=[4, 0, 2, 1]),
            tf.RaggedTensor.from_row_splits(values=values, row_splits=[0, 4, 4, 6, 7])]
    assert [str(m) for m in made] == [TF["built"]] * 3
    assert tf.RaggedTensor.from_value_rowids(values, [0, 0, 0, 0, 2, 2, 3], nrows=6).row_lengths().numpy().tolist() \
        == [4, 0, 2, 1, 0, 0]
    with pytest.raises(ValueError, match="must end at the number of values"):
        tf.RaggedTensor.from_row_splits(values, [0, 4, 8])
    with pytest.raises(ValueError, match=r"row_splits\[2\]"):
        tf.RaggedTensor.from_row_splits(values, [0, 4, 3, 7])
    with pytest.raises(ValueError, match=r"row_lengths\[1\]"):
        tf.RaggedTensor.from_row_lengths(values, [4, -1, 4])


def test_constant_refuses_mixed_input_as_tensorflow():
    with pytest.raises(ValueError, match="mixed types"):
        tf.ragged.constant([["one", "two"], [3, 4]])
    with pytest.raises(ValueError, match="same nesting depth"):
        tf.ragged.constant(["A", ["B", "C"]])


def test_strings_split_returns_a_ragged_tensor():
    rt = tf.strings.split(["a b", "c d e"])
    assert isinstance(rt, tf.RaggedTensor) and str(rt) == TF["split"] and rt.shape.as_list() == [2, None]
    assert rt.to_tensor().numpy().tolist() == [[b"a", b"b", b""], [b"c", b"d", b"e"]]
    assert tf.strings.split("a b").numpy().tolist() == [b"a", b"b"]      # one string: a Tensor, as TF


# The guide's first cell, as TensorFlow 2.21 printed it
TF_FIRST_CELL = [
    "<tf.RaggedTensor [[6, 4, 7, 4], [], [8, 12, 5], [9], []]>",
    "tf.Tensor([2.25              nan 5.33333333 6.                nan], shape=(5,), dtype=float64)",
    "<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], [], [5, 3]]>",
    "<tf.RaggedTensor [[3, 1, 4, 1, 3, 1, 4, 1], [], [5, 9, 2, 5, 9, 2], [6, 6], []]>",
    "<tf.RaggedTensor [[b'So', b'lo'], [b'th', b'fo', b'al', b'th', b'fi']]>",
]


def test_tensorflow_functions_take_ragged_tensors_as_tensorflow(digits):
    words = tf.ragged.constant([["So", "long"], ["thanks", "for", "all", "the", "fish"]])
    got = [str(tf.add(digits, 3)), str(tf.reduce_mean(digits, axis=1)), str(tf.concat([digits, [[5, 3]]], axis=0)),
           str(tf.tile(digits, [1, 2])), str(tf.strings.substr(words, 0, 2))]
    assert got == TF_FIRST_CELL
    assert str(tf.reduce_sum(digits, axis=1)) == "tf.Tensor([ 9  0 16  6  0], shape=(5,), dtype=int32)"
    assert str(tf.reduce_max(digits, axis=1)) == ("tf.Tensor([          4 -2147483648           9           6 "
                                                  "-2147483648], shape=(5,), dtype=int32)")
    assert str(tf.math.square(digits)) == "<tf.RaggedTensor [[9, 1, 16, 1], [], [25, 81, 4], [36], []]>"
    assert str(tf.cast(digits, tf.float32)) == "<tf.RaggedTensor [[3.0, 1.0, 4.0, 1.0], [], [5.0, 9.0, 2.0], [6.0], []]>"
    assert str(digits == 1) == "<tf.RaggedTensor [[False, True, False, True], [], [False, False, False], [False], []]>"
    with pytest.raises(TypeError, match=r"axis=None.*to_tensor"):
        tf.reduce_sum(digits)
    with pytest.raises(TypeError, match=r"shape \(2,\)"):
        tf.add(digits, [1, 2])


def test_long_and_nested_rows_print_as_tensorflow():
    # TF 2.21's print() of the guide's "Constructing a ragged tensor" cells
    sentences = tf.ragged.constant([
        ["Let's", "build", "some", "ragged", "tensors", "!"],
        ["We", "can", "use", "tf.ragged.constant", "."]])
    assert str(sentences) == ("<tf.RaggedTensor [[b\"Let's\", b'build', b'some', b'ragged', b'tensors', b'!'],\n"
                              " [b'We', b'can', b'use', b'tf.ragged.constant', b'.']]>")
    paragraphs = tf.ragged.constant([
        [["I", "have", "a", "cat"], ["His", "name", "is", "Mat"]],
        [["Do", "you", "want", "to", "come", "visit"], ["I'm", "free", "tomorrow"]]])
    assert str(paragraphs) == ("<tf.RaggedTensor [[[b'I', b'have', b'a', b'cat'], [b'His', b'name', b'is', b'Mat']],\n"
                               " [[b'Do', b'you', b'want', b'to', b'come', b'visit'],\n"
                               "  [b\"I'm\", b'free', b'tomorrow']]]>")
    square = tf.ragged.constant([[1, 2], [3, 4]])
    assert str(square) == "<tf.RaggedTensor [[1, 2],\n [3, 4]]>"
    assert square.numpy().dtype == np.int32 and square.numpy().shape == (2, 2)        # stacked, as TF
    uneven = tf.ragged.constant([[[1, 2], [3]], [[4, 5]]]).numpy()
    assert uneven.shape == (2,) and uneven[1].dtype == object and uneven[1].shape == (1,)


def test_tensor_guide_string_cells_as_tensorflow():
    # TF 2.21's output for the "Introduction to Tensors" guide's string cells
    strings = tf.constant(["Gray wolf", "Quick brown fox", "Lazy dog"])
    assert str(tf.strings.split(strings)) == \
        "<tf.RaggedTensor [[b'Gray', b'wolf'], [b'Quick', b'brown', b'fox'], [b'Lazy', b'dog']]>"
    assert str(tf.strings.bytes_split(tf.constant("Duck"))) == \
        "tf.Tensor([b'D' b'u' b'c' b'k'], shape=(4,), dtype=string)"
    assert str(tf.strings.unicode_decode(tf.constant("アヒル 🦆"), "UTF-8")) == \
        "tf.Tensor([ 12450  12498  12523     32 129414], shape=(5,), dtype=int32)"
    assert str(tf.strings.unicode_split(["abc", "de"], "UTF-8")) == "<tf.RaggedTensor [[b'a', b'b', b'c'], [b'd', b'e']]>"
    ragged = tf.ragged.constant([[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]])
    assert str(ragged) == "<tf.RaggedTensor [[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]]>"
    assert str(ragged.shape) == "(4, None)"
    assert tf.strings.unicode_decode(["ab", "c"], "UTF-8").to_list() == [[97, 98], [99]]
    assert tf.strings.bytes_split(["ab", "c"]).to_list() == [[b"a", b"b"], [b"c"]]
