"""tf.strings' Unicode conversions (tf/strings_unicode.py): unicode_encode, unicode_transcode,
unicode_decode_with_offsets and unicode_split_with_offsets print what TensorFlow 2.21 printed for the
same calls (UTF-8, UTF-16-BE, UTF-32-BE; bad code points and bytes replaced or dropped; RaggedTensor
rows). The NMT tutorial's tf_text.normalize_utf8 is tensorflow_text's, not tf.strings': these are
the tf.strings.unicode_* pieces TensorFlow itself offers beside unicode_decode and unicode_split."""

import numpy as np
from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import tensorflow as tf
print(tf.strings.unicode_encode([72, 105, 33], 'UTF-8'))
print(tf.strings.unicode_encode(tf.constant([[97, 241, 98], [0x4E2D, 0x6587, 33]]), 'UTF-8'))
print(tf.strings.unicode_encode(tf.ragged.constant([[97, 241], [0x1F600], []]), 'UTF-16-BE'))
print(tf.strings.unicode_encode([97, -5, 0xD800, 98], 'UTF-8'))
print(tf.strings.unicode_encode([97, -5, 98], 'UTF-8', errors='ignore'))
print(tf.strings.unicode_encode([97, -5, 98], 'UTF-32-BE', replacement_char=63))
print(tf.strings.unicode_transcode(['Hi', 'añ'], 'UTF-8', 'UTF-16-BE'))
print(tf.strings.unicode_transcode(tf.constant('a\x01b'), 'UTF-8', 'UTF-8', replace_control_characters=True))
print(tf.strings.unicode_transcode(tf.constant([b'a\xffb']), 'UTF-8', 'UTF-8'))
print(tf.strings.unicode_transcode(tf.constant([b'a\xffb']), 'UTF-8', 'UTF-8', errors='ignore'))
p, o = tf.strings.unicode_decode_with_offsets('añ中b', 'UTF-8')
print(p, o)
p, o = tf.strings.unicode_decode_with_offsets(['añ中b', '', b'x\xffy'], 'UTF-8')
print(p, o)
c, o = tf.strings.unicode_split_with_offsets(['añ', '中b'], 'UTF-8')
print(c, o)
c, o = tf.strings.unicode_split_with_offsets('añ', 'UTF-8')
print(c, o)
'''

# what TF 2.21 / Keras 3.15 printed for GUIDE (import tensorflow as tf), line by line
TF_OUTPUT = r"""tf.Tensor(b'Hi!', shape=(), dtype=string)
tf.Tensor([b'a\xc3\xb1b' b'\xe4\xb8\xad\xe6\x96\x87!'], shape=(2,), dtype=string)
tf.Tensor([b'\x00a\x00\xf1' b'\xd8=\xde\x00' b''], shape=(3,), dtype=string)
tf.Tensor(b'a\xef\xbf\xbd\xef\xbf\xbdb', shape=(), dtype=string)
tf.Tensor(b'ab', shape=(), dtype=string)
tf.Tensor(b'\x00\x00\x00a\x00\x00\x00?\x00\x00\x00b', shape=(), dtype=string)
tf.Tensor([b'\x00H\x00i' b'\x00a\x00\xf1'], shape=(2,), dtype=string)
tf.Tensor(b'a\xef\xbf\xbdb', shape=(), dtype=string)
tf.Tensor([b'a\xef\xbf\xbdb'], shape=(1,), dtype=string)
tf.Tensor([b'ab'], shape=(1,), dtype=string)
tf.Tensor([   97   241 20013    98], shape=(4,), dtype=int32) tf.Tensor([0 1 3 6], shape=(4,), dtype=int64)
<tf.RaggedTensor [[97, 241, 20013, 98], [], [120, 65533, 121]]> <tf.RaggedTensor [[0, 1, 3, 6], [], [0, 1, 2]]>
<tf.RaggedTensor [[b'a', b'\xc3\xb1'],
 [b'\xe4\xb8\xad', b'b']]> <tf.RaggedTensor [[0, 1],
 [0, 3]]>
tf.Tensor([b'a' b'\xc3\xb1'], shape=(2,), dtype=string) tf.Tensor([0 1], shape=(2,), dtype=int64)
""".split("\n")

NUMERIC = ()


def test_unicode_conversions_print_what_tensorflow_printed():
    with np.printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                         floatmode="maxprec", sign="-", legacy=False):
        assert_guide_prints(GUIDE, "strings_unicode_tf", TF_OUTPUT, numeric=NUMERIC)


def test_bad_arguments_are_named():
    import pytest
    import glassnet as tf
    with pytest.raises(ValueError, match="output_encoding must be 'UTF-8'"):
        tf.strings.unicode_encode([97], "latin-1")
    with pytest.raises(ValueError, match="errors must be"):
        tf.strings.unicode_transcode(["a"], "UTF-8", "UTF-8", errors="loud")
    with pytest.raises(tf.errors.InvalidArgumentError, match="row 0, index 1"):
        tf.strings.unicode_encode([97, -1], "UTF-8", errors="strict")
    with pytest.raises(tf.errors.InvalidArgumentError, match="at byte 1"):
        tf.strings.unicode_decode_with_offsets([b"a\xff"], "UTF-8", errors="strict")
