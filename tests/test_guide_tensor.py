"""TensorFlow's guide "Introduction to Tensors" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import tensorflow as tf
import numpy as np

rank_0_tensor = tf.constant(4)
print(rank_0_tensor)
rank_1_tensor = tf.constant([2.0, 3.0, 4.0])
print(rank_1_tensor)
rank_2_tensor = tf.constant([[1, 2],
                             [3, 4],
                             [5, 6]], dtype=tf.float16)
print(rank_2_tensor)
rank_3_tensor = tf.constant([
  [[0, 1, 2, 3, 4],
   [5, 6, 7, 8, 9]],
  [[10, 11, 12, 13, 14],
   [15, 16, 17, 18, 19]],
  [[20, 21, 22, 23, 24],
   [25, 26, 27, 28, 29]],])
print(rank_3_tensor)
print(repr(np.array(rank_2_tensor)))
print(repr(rank_2_tensor.numpy()))

a = tf.constant([[1, 2],
                 [3, 4]])
b = tf.constant([[1, 1],
                 [1, 1]])
print(tf.add(a, b), "\n")
print(tf.multiply(a, b), "\n")
print(tf.matmul(a, b), "\n")
print(a + b, "\n")
print(a * b, "\n")
print(a @ b, "\n")

c = tf.constant([[4.0, 5.0], [10.0, 1.0]])
print(tf.reduce_max(c))
print(tf.math.argmax(c))
print(tf.nn.softmax(c))
print(repr(tf.convert_to_tensor([1,2,3])))
print(repr(tf.reduce_max([1,2,3])))
print(repr(tf.reduce_max(np.array([1,2,3]))))

rank_4_tensor = tf.zeros([3, 2, 4, 5])
print("Type of every element:", rank_4_tensor.dtype)
print("Number of axes:", rank_4_tensor.ndim)
print("Shape of tensor:", rank_4_tensor.shape)
print("Elements along axis 0 of tensor:", rank_4_tensor.shape[0])
print("Elements along the last axis of tensor:", rank_4_tensor.shape[-1])
print("Total number of elements (3*2*4*5): ", tf.size(rank_4_tensor).numpy())
print(repr(tf.rank(rank_4_tensor)))
print(repr(tf.shape(rank_4_tensor)))

rank_1_tensor = tf.constant([0, 1, 1, 2, 3, 5, 8, 13, 21, 34])
print(rank_1_tensor.numpy())
print("First:", rank_1_tensor[0].numpy())
print("Second:", rank_1_tensor[1].numpy())
print("Last:", rank_1_tensor[-1].numpy())
print("Everything:", rank_1_tensor[:].numpy())
print("Before 4:", rank_1_tensor[:4].numpy())
print("From 4 to the end:", rank_1_tensor[4:].numpy())
print("From 2, before 7:", rank_1_tensor[2:7].numpy())
print("Every other item:", rank_1_tensor[::2].numpy())
print("Reversed:", rank_1_tensor[::-1].numpy())
print(rank_2_tensor.numpy())
print(rank_2_tensor[1, 1].numpy())
print("Second row:", rank_2_tensor[1, :].numpy())
print("Second column:", rank_2_tensor[:, 1].numpy())
print("Last row:", rank_2_tensor[-1, :].numpy())
print("First item in last column:", rank_2_tensor[0, -1].numpy())
print("Skip the first row:")
print(rank_2_tensor[1:, :].numpy(), "\n")
print(rank_3_tensor[:, :, 4])

x = tf.constant([[1], [2], [3]])
print(x.shape)
print(x.shape.as_list())
reshaped = tf.reshape(x, [1, 3])
print(x.shape)
print(reshaped.shape)
print(rank_3_tensor)
print(tf.reshape(rank_3_tensor, [-1]))
print(tf.reshape(rank_3_tensor, [3*2, 5]), "\n")
print(tf.reshape(rank_3_tensor, [3, -1]))
print(tf.reshape(rank_3_tensor, [2, 3, 5]), "\n")
print(tf.reshape(rank_3_tensor, [5, 6]), "\n")
try:
  tf.reshape(rank_3_tensor, [7, -1])
except Exception as e:
  print(f"{type(e).__name__}: {e}")

the_f64_tensor = tf.constant([2.2, 3.3, 4.4], dtype=tf.float64)
the_f16_tensor = tf.cast(the_f64_tensor, dtype=tf.float16)
the_u8_tensor = tf.cast(the_f16_tensor, dtype=tf.uint8)
print(the_u8_tensor)

x = tf.constant([1, 2, 3])
y = tf.constant(2)
z = tf.constant([2, 2, 2])
print(tf.multiply(x, 2))
print(x * y)
print(x * z)
x = tf.reshape(x,[3,1])
y = tf.range(1, 5)
print(x, "\n")
print(y, "\n")
print(tf.multiply(x, y))
x_stretch = tf.constant([[1, 1, 1, 1],
                         [2, 2, 2, 2],
                         [3, 3, 3, 3]])
y_stretch = tf.constant([[1, 2, 3, 4],
                         [1, 2, 3, 4],
                         [1, 2, 3, 4]])
print(x_stretch * y_stretch)
print(tf.broadcast_to(tf.constant([1, 2, 3]), [3, 3]))

ragged_list = [
    [0, 1, 2, 3],
    [4, 5],
    [6, 7, 8],
    [9]]
try:
  tensor = tf.constant(ragged_list)
except Exception as e:
  print(f"{type(e).__name__}: {e}")
ragged_tensor = tf.ragged.constant(ragged_list)
print(ragged_tensor)
print(ragged_tensor.shape)

scalar_string_tensor = tf.constant("Gray wolf")
print(scalar_string_tensor)
tensor_of_strings = tf.constant(["Gray wolf",
                                 "Quick brown fox",
                                 "Lazy dog"])
print(tensor_of_strings)
print(repr(tf.constant("🥳👍")))
print(tf.strings.split(scalar_string_tensor, sep=" "))
print(tf.strings.split(tensor_of_strings))
text = tf.constant("1 10 100")
print(tf.strings.to_number(tf.strings.split(text, " ")))
byte_strings = tf.strings.bytes_split(tf.constant("Duck"))
byte_ints = tf.io.decode_raw(tf.constant("Duck"), tf.uint8)
print("Byte strings:", byte_strings)
print("Bytes:", byte_ints)
unicode_bytes = tf.constant("アヒル 🦆")
unicode_char_bytes = tf.strings.unicode_split(unicode_bytes, "UTF-8")
unicode_values = tf.strings.unicode_decode(unicode_bytes, "UTF-8")
print("\nUnicode bytes:", unicode_bytes)
print("\nUnicode chars:", unicode_char_bytes)
print("\nUnicode values:", unicode_values)

sparse_tensor = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]],
                                       values=[1, 2],
                                       dense_shape=[3, 4])
print(sparse_tensor, "\n")
print(tf.sparse.to_dense(sparse_tensor))

# extras: dtypes and TensorShape
print(tf.float32, repr(tf.float32), tf.int32, tf.string, repr(tf.string))
print(rank_4_tensor.dtype == tf.float32, rank_4_tensor.dtype.name, rank_4_tensor.dtype == "float32")
print(repr(rank_4_tensor.dtype), rank_4_tensor.dtype.is_floating, rank_4_tensor.dtype.as_numpy_dtype)
s = rank_4_tensor.shape
print(s, s.rank, s.ndims, s.dims, len(s), s[1:], type(s[1:]).__name__, s == (3, 2, 4, 5), s == [3, 2, 4, 5], list(s))
u = tf.TensorShape([None, 3])
print(u, type(u).__name__, u.as_list(), u[0], u.rank, u == (None, 3), u.is_fully_defined(), s.is_fully_defined())
print(tf.TensorShape(None), tf.TensorShape(None).rank, tf.TensorShape([]), s.num_elements())
print(u.is_compatible_with([4, 3]), u.merge_with([4, 3]), s.concatenate([7]))
cx = tf.constant([1+2j, 3-4j])
print(cx)
print(cx * 2, tf.math.real(cx), tf.math.imag(cx), tf.abs(cx))
print(tf.complex(tf.constant([1.0]), tf.constant([2.0])).dtype)
print(tf.constant(1+2j))
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    'tf.Tensor(4, shape=(), dtype=int32)',
    'tf.Tensor([2. 3. 4.], shape=(3,), dtype=float32)',
    'tf.Tensor(',
    '[[1. 2.]',
    ' [3. 4.]',
    ' [5. 6.]], shape=(3, 2), dtype=float16)',
    'tf.Tensor(',
    '[[[ 0  1  2  3  4]',
    '  [ 5  6  7  8  9]]',
    '',
    ' [[10 11 12 13 14]',
    '  [15 16 17 18 19]]',
    '',
    ' [[20 21 22 23 24]',
    '  [25 26 27 28 29]]], shape=(3, 2, 5), dtype=int32)',
    'array([[1., 2.],',
    '       [3., 4.],',
    '       [5., 6.]], dtype=float16)',
    'array([[1., 2.],',
    '       [3., 4.],',
    '       [5., 6.]], dtype=float16)',
    'tf.Tensor(',
    '[[2 3]',
    ' [4 5]], shape=(2, 2), dtype=int32) ',
    '',
    'tf.Tensor(',
    '[[1 2]',
    ' [3 4]], shape=(2, 2), dtype=int32) ',
    '',
    'tf.Tensor(',
    '[[3 3]',
    ' [7 7]], shape=(2, 2), dtype=int32) ',
    '',
    'tf.Tensor(',
    '[[2 3]',
    ' [4 5]], shape=(2, 2), dtype=int32) ',
    '',
    'tf.Tensor(',
    '[[1 2]',
    ' [3 4]], shape=(2, 2), dtype=int32) ',
    '',
    'tf.Tensor(',
    '[[3 3]',
    ' [7 7]], shape=(2, 2), dtype=int32) ',
    '',
    'tf.Tensor(10.0, shape=(), dtype=float32)',
    'tf.Tensor([1 0], shape=(2,), dtype=int64)',
    'tf.Tensor(',
    '[[2.6894143e-01 7.3105854e-01]',
    ' [9.9987662e-01 1.2339458e-04]], shape=(2, 2), dtype=float32)',
    '<tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 3], dtype=int32)>',
    '<tf.Tensor: shape=(), dtype=int32, numpy=3>',
    '<tf.Tensor: shape=(), dtype=int64, numpy=3>',
    "Type of every element: <dtype: 'float32'>",
    'Number of axes: 4',
    'Shape of tensor: (3, 2, 4, 5)',
    'Elements along axis 0 of tensor: 3',
    'Elements along the last axis of tensor: 5',
    'Total number of elements (3*2*4*5):  120',
    '<tf.Tensor: shape=(), dtype=int32, numpy=4>',
    '<tf.Tensor: shape=(4,), dtype=int32, numpy=array([3, 2, 4, 5], dtype=int32)>',
    '[ 0  1  1  2  3  5  8 13 21 34]',
    'First: 0',
    'Second: 1',
    'Last: 34',
    'Everything: [ 0  1  1  2  3  5  8 13 21 34]',
    'Before 4: [0 1 1 2]',
    'From 4 to the end: [ 3  5  8 13 21 34]',
    'From 2, before 7: [1 2 3 5 8]',
    'Every other item: [ 0  1  3  8 21]',
    'Reversed: [34 21 13  8  5  3  2  1  1  0]',
    '[[1. 2.]',
    ' [3. 4.]',
    ' [5. 6.]]',
    '4.0',
    'Second row: [3. 4.]',
    'Second column: [2. 4. 6.]',
    'Last row: [5. 6.]',
    'First item in last column: 2.0',
    'Skip the first row:',
    '[[3. 4.]',
    ' [5. 6.]] ',
    '',
    'tf.Tensor(',
    '[[ 4  9]',
    ' [14 19]',
    ' [24 29]], shape=(3, 2), dtype=int32)',
    '(3, 1)',
    '[3, 1]',
    '(3, 1)',
    '(1, 3)',
    'tf.Tensor(',
    '[[[ 0  1  2  3  4]',
    '  [ 5  6  7  8  9]]',
    '',
    ' [[10 11 12 13 14]',
    '  [15 16 17 18 19]]',
    '',
    ' [[20 21 22 23 24]',
    '  [25 26 27 28 29]]], shape=(3, 2, 5), dtype=int32)',
    'tf.Tensor(',
    '[ 0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21 22 23',
    ' 24 25 26 27 28 29], shape=(30,), dtype=int32)',
    'tf.Tensor(',
    '[[ 0  1  2  3  4]',
    ' [ 5  6  7  8  9]',
    ' [10 11 12 13 14]',
    ' [15 16 17 18 19]',
    ' [20 21 22 23 24]',
    ' [25 26 27 28 29]], shape=(6, 5), dtype=int32) ',
    '',
    'tf.Tensor(',
    '[[ 0  1  2  3  4  5  6  7  8  9]',
    ' [10 11 12 13 14 15 16 17 18 19]',
    ' [20 21 22 23 24 25 26 27 28 29]], shape=(3, 10), dtype=int32)',
    'tf.Tensor(',
    '[[[ 0  1  2  3  4]',
    '  [ 5  6  7  8  9]',
    '  [10 11 12 13 14]]',
    '',
    ' [[15 16 17 18 19]',
    '  [20 21 22 23 24]',
    '  [25 26 27 28 29]]], shape=(2, 3, 5), dtype=int32) ',
    '',
    'tf.Tensor(',
    '[[ 0  1  2  3  4  5]',
    ' [ 6  7  8  9 10 11]',
    ' [12 13 14 15 16 17]',
    ' [18 19 20 21 22 23]',
    ' [24 25 26 27 28 29]], shape=(5, 6), dtype=int32) ',
    '',
    'InvalidArgumentError: {{function_node __wrapped__Reshape_device_/job:localhost/replica:0/task:0/device:CPU:0}} Input to reshape is a tensor with 30 values, but the requested shape requires a multiple of 7 [Op:Reshape]',
    'tf.Tensor([2 3 4], shape=(3,), dtype=uint8)',
    'tf.Tensor([2 4 6], shape=(3,), dtype=int32)',
    'tf.Tensor([2 4 6], shape=(3,), dtype=int32)',
    'tf.Tensor([2 4 6], shape=(3,), dtype=int32)',
    'tf.Tensor(',
    '[[1]',
    ' [2]',
    ' [3]], shape=(3, 1), dtype=int32) ',
    '',
    'tf.Tensor([1 2 3 4], shape=(4,), dtype=int32) ',
    '',
    'tf.Tensor(',
    '[[ 1  2  3  4]',
    ' [ 2  4  6  8]',
    ' [ 3  6  9 12]], shape=(3, 4), dtype=int32)',
    'tf.Tensor(',
    '[[ 1  2  3  4]',
    ' [ 2  4  6  8]',
    ' [ 3  6  9 12]], shape=(3, 4), dtype=int32)',
    'tf.Tensor(',
    '[[1 2 3]',
    ' [1 2 3]',
    ' [1 2 3]], shape=(3, 3), dtype=int32)',
    "ValueError: Can't convert non-rectangular Python sequence to Tensor.",
    '<tf.RaggedTensor [[0, 1, 2, 3], [4, 5], [6, 7, 8], [9]]>',
    '(4, None)',
    "tf.Tensor(b'Gray wolf', shape=(), dtype=string)",
    "tf.Tensor([b'Gray wolf' b'Quick brown fox' b'Lazy dog'], shape=(3,), dtype=string)",
    "<tf.Tensor: shape=(), dtype=string, numpy=b'\\xf0\\x9f\\xa5\\xb3\\xf0\\x9f\\x91\\x8d'>",
    "tf.Tensor([b'Gray' b'wolf'], shape=(2,), dtype=string)",
    "<tf.RaggedTensor [[b'Gray', b'wolf'], [b'Quick', b'brown', b'fox'], [b'Lazy', b'dog']]>",
    'tf.Tensor([  1.  10. 100.], shape=(3,), dtype=float32)',
    "Byte strings: tf.Tensor([b'D' b'u' b'c' b'k'], shape=(4,), dtype=string)",
    'Bytes: tf.Tensor([ 68 117  99 107], shape=(4,), dtype=uint8)',
    '',
    "Unicode bytes: tf.Tensor(b'\\xe3\\x82\\xa2\\xe3\\x83\\x92\\xe3\\x83\\xab \\xf0\\x9f\\xa6\\x86', shape=(), dtype=string)",
    '',
    "Unicode chars: tf.Tensor([b'\\xe3\\x82\\xa2' b'\\xe3\\x83\\x92' b'\\xe3\\x83\\xab' b' ' b'\\xf0\\x9f\\xa6\\x86'], shape=(5,), dtype=string)",
    '',
    'Unicode values: tf.Tensor([ 12450  12498  12523     32 129414], shape=(5,), dtype=int32)',
    'SparseTensor(indices=tf.Tensor(',
    '[[0 0]',
    ' [1 2]], shape=(2, 2), dtype=int64), values=tf.Tensor([1 2], shape=(2,), dtype=int32), dense_shape=tf.Tensor([3 4], shape=(2,), dtype=int64)) ',
    '',
    'tf.Tensor(',
    '[[1 0 0 0]',
    ' [0 0 2 0]',
    ' [0 0 0 0]], shape=(3, 4), dtype=int32)',
    "<dtype: 'float32'> tf.float32 <dtype: 'int32'> <dtype: 'string'> tf.string",
    'True float32 True',
    "tf.float32 True <class 'numpy.float32'>",
    '(3, 2, 4, 5) 4 4 [Dimension(3), Dimension(2), Dimension(4), Dimension(5)] 4 (2, 4, 5) TensorShape True True [3, 2, 4, 5]',
    '(None, 3) TensorShape [None, 3] None 2 True False True',
    '<unknown> None () 120',
    'True (4, 3) (3, 2, 4, 5, 7)',
    'tf.Tensor([1.+2.j 3.-4.j], shape=(2,), dtype=complex128)',
    'tf.Tensor([2.+4.j 6.-8.j], shape=(2,), dtype=complex128) tf.Tensor([1. 3.], shape=(2,), dtype=float64) tf.Tensor([ 2. -4.], shape=(2,), dtype=float64) tf.Tensor([2.23606798 5.        ], shape=(2,), dtype=float64)',
    "<dtype: 'complex64'>",
    'tf.Tensor((1+2j), shape=(), dtype=complex128)',
    '',
]
NUMERIC = [48]


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "tensor_guide", TF_OUTPUT, NUMERIC)
