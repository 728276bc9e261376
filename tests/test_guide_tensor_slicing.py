"""TensorFlow's guide "Introduction to tensor slicing" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import tensorflow as tf
import numpy as np

t1 = tf.constant([0, 1, 2, 3, 4, 5, 6, 7])
print(tf.slice(t1, begin=[1], size=[3]))
print(t1[1:4])
print(t1[-3:])

t2 = tf.constant([[0, 1, 2, 3, 4],
                  [5, 6, 7, 8, 9],
                  [10, 11, 12, 13, 14],
                  [15, 16, 17, 18, 19]])
print(t2[:-1, 1:3])

t3 = tf.constant([[[1, 3, 5, 7],
                   [9, 11, 13, 15]],
                  [[17, 19, 21, 23],
                   [25, 27, 29, 31]]
                  ])
print(tf.slice(t3, begin=[1, 1, 0], size=[1, 1, 2]))
print(tf.slice(t3, begin=[0, 1, 1], size=[-1, -1, 2]))

print(tf.gather(t1, indices=[0, 3, 6]))
print(repr(t1[::3]))

alphabet = tf.constant(list('abcdefghijklmnopqrstuvwxyz'))
print(tf.gather(alphabet, indices=[2, 0, 19, 18]))

t4 = tf.constant([[0, 5],
                  [1, 6],
                  [2, 7],
                  [3, 8],
                  [4, 9]])
print(tf.gather_nd(t4, indices=[[2], [3], [0]]))

t5 = np.reshape(np.arange(18), [2, 3, 3])
print(tf.gather_nd(t5, indices=[[0, 0, 0], [1, 2, 1]]))
print(tf.gather_nd(t5, indices=[[[0, 0], [0, 2]], [[1, 0], [1, 2]]]))
print(tf.gather_nd(t5, indices=[[0, 0], [0, 2], [1, 0], [1, 2]]))
print(tf.gather(t2, indices=[0, 2], axis=1))
print(tf.gather(t4, indices=[[0, 1], [4, 3]]))

t6 = tf.constant([10])
indices = tf.constant([[1], [3], [5], [7], [9]])
data = tf.constant([2, 4, 6, 8, 10])
print(tf.scatter_nd(indices=indices, updates=data, shape=t6))

new_indices = tf.constant([[0, 2], [2, 1], [3, 3]])
t7 = tf.gather_nd(t2, indices=new_indices)
t8 = tf.scatter_nd(indices=new_indices, updates=t7, shape=tf.constant([4, 5]))
print(t8)

t9 = tf.gather_nd(t2, indices=[[0, 2], [2, 1], [3, 3]])
print(t9)

t10 = tf.constant([[1, 2, 3],
                   [4, 5, 6],
                   [7, 8, 9]])
t11 = tf.tensor_scatter_nd_update(t10,
                                  indices=[[0, 2], [1, 1], [2, 0]],
                                  updates=[6, 5, 4])
print(t11)
t12 = tf.tensor_scatter_nd_add(t10,
                               indices=[[0, 2], [1, 1], [2, 0]],
                               updates=[6, 5, 4])
print(t12)
t13 = tf.tensor_scatter_nd_sub(t10,
                               indices=[[0, 0], [2, 2]],
                               updates=[1, 9])
print(t13)
print(tf.tensor_scatter_nd_max(t10, indices=[[0, 0]], updates=[100]))
print(tf.tensor_scatter_nd_min(t10, indices=[[2, 2]], updates=[-1]))

mask = tf.constant([True, False, True, False, True, False, True, False])
print(tf.boolean_mask(t1, mask))
print(tf.boolean_mask(t2, [True, False, False, True]))
print(tf.boolean_mask(t2, t2 % 3 == 0))
print(tf.strided_slice(t2, [0, 1], [4, 5], [2, 2]))
print(tf.reverse(t2, axis=[1]))
print(t2[tf.newaxis, 1, ..., ::-2])
try:
  tf.gather_nd(t4, indices=[[5]])
except Exception as e:
  print(f"{type(e).__name__}: {e}")
try:
  tf.slice(t1, begin=[6], size=[3])
except Exception as e:
  print(f"{type(e).__name__}: {e}")
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    'tf.Tensor([1 2 3], shape=(3,), dtype=int32)',
    'tf.Tensor([1 2 3], shape=(3,), dtype=int32)',
    'tf.Tensor([5 6 7], shape=(3,), dtype=int32)',
    'tf.Tensor(',
    '[[ 1  2]',
    ' [ 6  7]',
    ' [11 12]], shape=(3, 2), dtype=int32)',
    'tf.Tensor([[[25 27]]], shape=(1, 1, 2), dtype=int32)',
    'tf.Tensor(',
    '[[[11 13]]',
    '',
    ' [[27 29]]], shape=(2, 1, 2), dtype=int32)',
    'tf.Tensor([0 3 6], shape=(3,), dtype=int32)',
    '<tf.Tensor: shape=(3,), dtype=int32, numpy=array([0, 3, 6], dtype=int32)>',
    "tf.Tensor([b'c' b'a' b't' b's'], shape=(4,), dtype=string)",
    'tf.Tensor(',
    '[[2 7]',
    ' [3 8]',
    ' [0 5]], shape=(3, 2), dtype=int32)',
    'tf.Tensor([ 0 16], shape=(2,), dtype=int64)',
    'tf.Tensor(',
    '[[[ 0  1  2]',
    '  [ 6  7  8]]',
    '',
    ' [[ 9 10 11]',
    '  [15 16 17]]], shape=(2, 2, 3), dtype=int64)',
    'tf.Tensor(',
    '[[ 0  1  2]',
    ' [ 6  7  8]',
    ' [ 9 10 11]',
    ' [15 16 17]], shape=(4, 3), dtype=int64)',
    'tf.Tensor(',
    '[[ 0  2]',
    ' [ 5  7]',
    ' [10 12]',
    ' [15 17]], shape=(4, 2), dtype=int32)',
    'tf.Tensor(',
    '[[[0 5]',
    '  [1 6]]',
    '',
    ' [[4 9]',
    '  [3 8]]], shape=(2, 2, 2), dtype=int32)',
    'tf.Tensor([ 0  2  0  4  0  6  0  8  0 10], shape=(10,), dtype=int32)',
    'tf.Tensor(',
    '[[ 0  0  2  0  0]',
    ' [ 0  0  0  0  0]',
    ' [ 0 11  0  0  0]',
    ' [ 0  0  0 18  0]], shape=(4, 5), dtype=int32)',
    'tf.Tensor([ 2 11 18], shape=(3,), dtype=int32)',
    'tf.Tensor(',
    '[[1 2 6]',
    ' [4 5 6]',
    ' [4 8 9]], shape=(3, 3), dtype=int32)',
    'tf.Tensor(',
    '[[ 1  2  9]',
    ' [ 4 10  6]',
    ' [11  8  9]], shape=(3, 3), dtype=int32)',
    'tf.Tensor(',
    '[[0 2 3]',
    ' [4 5 6]',
    ' [7 8 0]], shape=(3, 3), dtype=int32)',
    'tf.Tensor(',
    '[[100   2   3]',
    ' [  4   5   6]',
    ' [  7   8   9]], shape=(3, 3), dtype=int32)',
    'tf.Tensor(',
    '[[ 1  2  3]',
    ' [ 4  5  6]',
    ' [ 7  8 -1]], shape=(3, 3), dtype=int32)',
    'tf.Tensor([0 2 4 6], shape=(4,), dtype=int32)',
    'tf.Tensor(',
    '[[ 0  1  2  3  4]',
    ' [15 16 17 18 19]], shape=(2, 5), dtype=int32)',
    'tf.Tensor([ 0  3  6  9 12 15 18], shape=(7,), dtype=int32)',
    'tf.Tensor(',
    '[[ 1  3]',
    ' [11 13]], shape=(2, 2), dtype=int32)',
    'tf.Tensor(',
    '[[ 4  3  2  1  0]',
    ' [ 9  8  7  6  5]',
    ' [14 13 12 11 10]',
    ' [19 18 17 16 15]], shape=(4, 5), dtype=int32)',
    'tf.Tensor([[9 7 5]], shape=(1, 3), dtype=int32)',
    'InvalidArgumentError: {{function_node __wrapped__GatherNd_device_/job:localhost/replica:0/task:0/device:CPU:0}} indices[0] = [5] does not index into param shape [5,2], node name: GatherNd [Op:GatherNd]',
    'InvalidArgumentError: {{function_node __wrapped__Slice_device_/job:localhost/replica:0/task:0/device:CPU:0}} Expected size[0] in [0, 2], but got 3 [Op:Slice]',
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "tensor_slicing_guide", TF_OUTPUT, NUMERIC)
