"""glassnet.utils: pad_sequences against what real Keras 3.15 returned for the same calls
(tools/ has no generator: each expected value below was printed by keras.utils.pad_sequences
and compared whole), and its refusals."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.keras.preprocessing.sequence import pad_sequences

CASES = [
    (([[1, 2, 3], [4], []],), {}, [[1, 2, 3], [0, 0, 4], [0, 0, 0]]),
    (([[1, 2, 3], [4], []],), {"maxlen": 2}, [[2, 3], [0, 4], [0, 0]]),
    (([[1, 2, 3], [4], []],), {"maxlen": 2, "padding": "post", "truncating": "post"}, [[1, 2], [4, 0], [0, 0]]),
    (([[1, 2, 3], [4, 5]],), {"maxlen": 4, "value": -1}, [[-1, 1, 2, 3], [-1, -1, 4, 5]]),
    (([[1.5, 2.5], [3.5]],), {"dtype": "float32", "padding": "post"}, [[1.5, 2.5], [3.5, 0.0]]),
    (([[[1, 2], [3, 4]], [[5, 6]]],), {"maxlen": 3}, [[[0, 0], [1, 2], [3, 4]], [[0, 0], [0, 0], [5, 6]]]),
    (([(1, 2), np.array([3, 4, 5])],), {"truncating": "post", "maxlen": 2}, [[1, 2], [3, 4]]),
]


@pytest.mark.parametrize("args, kwargs, keras_gave", CASES)
def test_pad_sequences_gives_what_keras_gave(args, kwargs, keras_gave):
    out = glassnet.keras.utils.pad_sequences(*args, **kwargs)
    assert out.tolist() == keras_gave
    assert out.dtype == np.dtype(kwargs.get("dtype", "int32"))


def test_the_old_import_path_is_the_same_function_and_text_pads_with_text():
    assert pad_sequences is glassnet.keras.utils.pad_sequences
    assert glassnet.keras.preprocessing.sequence.pad_sequences is pad_sequences
    out = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert out.tolist() == [["a", "b"], ["<pad>", "c"]]


@pytest.mark.parametrize("kwargs, words", [
    ({"padding": "middle"}, ["padding", "'middle'"]),
    ({"truncating": "left"}, ["truncating", "'left'"]),
    ({"maxlen": -1}, ["maxlen", "-1"]),
    ({"value": "x"}, ["value", "dtype"]),
])
def test_bad_arguments_are_refused_by_name(kwargs, words):
    with pytest.raises(ValueError) as e:
        pad_sequences([[1, 2]], **kwargs)
    assert all(w in str(e.value) for w in words)


def test_bad_sequences_are_refused_naming_the_position():
    with pytest.raises(ValueError, match=r"sequences\[1\] is not a sequence"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match=r"sequences\[1\]'s steps have shape \(3,\)"):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])
