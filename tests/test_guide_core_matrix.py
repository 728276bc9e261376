"""TensorFlow's "Matrix approximation with Core APIs" (guide/core/matrix_core.ipynb) run with
``import glassnet as tf`` on a stand-in matrix and a stand-in uint8 image (64x48x3, made up here: the
original downloads a 1024x1024 JPEG): tf.linalg.svd (batched, full_matrices, compute_uv), einsum
reconstructions, rank-r approximations sliced by a Tensor r, tf.size, map_fn of cumsum, and the
Frobenius identity. Lines are TF 2.21's for the same program."""
from conftest import assert_guide_prints

GUIDE = r'''import numpy as np
import matplotlib
matplotlib.use("Agg")
from matplotlib import pyplot as plt
import tensorflow as tf
rng = np.random.default_rng(7)
A = tf.constant(rng.uniform(size=(40, 30)).astype(np.float32))
s, U, V = tf.linalg.svd(A)
print(s.shape, U.shape, V.shape, s.dtype)
S = tf.linalg.diag(s)
V_T = tf.transpose(V)
A_svd = U@S@V_T
print(bool(tf.reduce_max(tf.abs(A_svd - A)) < 1e-4))
plt.bar(range(len(s)), s);
A_svd = tf.einsum('s,us,vs -> uv',s,U,V)
print(A_svd.shape, bool(tf.reduce_max(tf.abs(A_svd - A)) < 1e-4))
print(f"{s[0]:.3f} {s[-1]:.3f}")
def rank_r_approx(s, U, V, r, verbose=False):
  s_r, U_r, V_r = s[..., :r], U[..., :, :r], V[..., :, :r]
  A_r = tf.einsum('...s,...us,...vs->...uv',s_r,U_r,V_r)
  A_r_size = tf.size(U_r) + tf.size(s_r) + tf.size(V_r)
  if verbose:
    print(f"Approximation Size: {A_r_size}")
  return A_r, A_r_size
def viz_approx(A, A_r):
  vmin, vmax = 0, tf.reduce_max(A)
  fig, ax = plt.subplots(1,3)
  mats = [A, A_r, abs(A - A_r)]
  titles = ['Original A', 'Approximated A_r', 'Error |A - A_r|']
  for i, (mat, title) in enumerate(zip(mats, titles)):
    ax[i].pcolormesh(mat, vmin=vmin, vmax=vmax)
    ax[i].set_title(title)
    ax[i].axis('off')
print(f"Original Size of A: {tf.size(A)}")
s, U, V = tf.linalg.svd(A)
A_15, A_15_size = rank_r_approx(s, U, V, 15, verbose = True)
viz_approx(A, A_15)
A_3, A_3_size = rank_r_approx(s, U, V, 3, verbose = True)
print(A_3_size, repr(A_3_size))
I = rng.integers(0, 256, size=(64, 48, 3)).astype(np.uint8)
print("Input Image Shape:", I.shape)
def show_img(I):
  img = plt.imshow(I)
  plt.axis('off')
  return
def compress_image(I, r, verbose=False):
  I_size = tf.size(I)
  print(f"Original size of image: {I_size}")
  I = tf.convert_to_tensor(I)/255
  I_batched = tf.transpose(I, [2, 0, 1])
  s, U, V = tf.linalg.svd(I_batched)
  I_r, I_r_size = rank_r_approx(s, U, V, r)
  I_r = tf.transpose(I_r, [1, 2, 0])
  I_r_prop = (I_r_size / I_size)
  if verbose:
    print(f"Number of singular values used in compression: {r}")
    print(f"Compressed image size: {I_r_size}")
    print(f"Proportion of original size: {I_r_prop:.3f}")
    ax_1 = plt.subplot(1,2,1)
    show_img(tf.clip_by_value(I_r,0.,1.))
    ax_1.set_title("Approximated image")
    ax_2 = plt.subplot(1,2,2)
    show_img(tf.clip_by_value(0.5+abs(I-I_r),0.,1.))
    ax_2.set_title("Error")
  return I_r, I_r_prop
I_20, I_20_prop = compress_image(I, 20, verbose=True)
I_5, I_5_prop = compress_image(I, 5, verbose=True)
print(I_20.dtype, I_20.shape, I_20_prop.dtype, repr(I_20_prop))
plt.figure(figsize=(11,6))
plt.plot([20, 5], [I_20_prop, I_5_prop])
def compress_image_with_factor(I, compression_factor, verbose=False):
  m,n,o = I.shape
  r = int((compression_factor * m * n)/(m + n + 1))
  I_r, I_r_prop = compress_image(I, r, verbose=verbose)
  return I_r
I_r_img = compress_image_with_factor(I, 0.15, verbose=True)
def viz_energy(I):
  I = tf.convert_to_tensor(I)/255
  I_batched = tf.transpose(I, [2, 0, 1])
  s, U, V = tf.linalg.svd(I_batched)
  props_rgb = tf.map_fn(lambda x: tf.cumsum(x)/tf.reduce_sum(x), s)
  props_rgb_mean = tf.reduce_mean(props_rgb, axis=0)
  plt.figure(figsize=(11,6))
  plt.plot(range(len(props_rgb_mean)), props_rgb_mean, color='k')
  print(props_rgb.shape, props_rgb_mean.shape, props_rgb.dtype)
viz_energy(I)
def compress_image_with_energy(I, energy_factor, verbose=False):
  I_rescaled = tf.convert_to_tensor(I)/255
  I_batched = tf.transpose(I_rescaled, [2, 0, 1])
  s, U, V = tf.linalg.svd(I_batched)
  props_rgb = tf.map_fn(lambda x: tf.cumsum(x)/tf.reduce_sum(x), s)
  props_rgb_mean = tf.reduce_mean(props_rgb, axis=0)
  r = tf.argmin(tf.abs(props_rgb_mean - energy_factor)) + 1
  actual_ef = props_rgb_mean[r]
  I_r, I_r_prop = compress_image(I, r, verbose=verbose)
  print(f"Proportion of energy captured by the first {r} singular values: {actual_ef:.3f}")
  return I_r
I_r_img = compress_image_with_energy(I, 0.75, verbose=True)
s, U, V = tf.linalg.svd(A)
A_10, A_10_size = rank_r_approx(s, U, V, 10)
squared_norm = tf.norm(A - A_10)**2
s_squared_sum = tf.reduce_sum(s[10:]**2)
print(f"Squared Frobenius norm: {squared_norm:.3f}")
print(f"Sum of squared singular values left out: {s_squared_sum:.3f}")
s2, U2, V2 = tf.linalg.svd(A, full_matrices=True)
print(U2.shape, V2.shape, tf.linalg.svd(A, compute_uv=False).shape)
'''

TF_OUTPUT = [
    "(30,) (40, 30) (30, 30) <dtype: 'float32'>",
    'True',
    '(40, 30) True',
    '17.320 0.282',
    'Original Size of A: 1200',
    'Approximation Size: 1065',
    'Approximation Size: 213',
    'tf.Tensor(213, shape=(), dtype=int32) <tf.Tensor: shape=(), dtype=int32, numpy=213>',
    'Input Image Shape: (64, 48, 3)',
    'Original size of image: 9216',
    'Number of singular values used in compression: 20',
    'Compressed image size: 6780',
    'Proportion of original size: 0.736',
    'Original size of image: 9216',
    'Number of singular values used in compression: 5',
    'Compressed image size: 1695',
    'Proportion of original size: 0.184',
    "<dtype: 'float32'> (64, 48, 3) <dtype: 'float64'> <tf.Tensor: shape=(), dtype=float64, numpy=0.7356770833333334>",
    'Original size of image: 9216',
    'Number of singular values used in compression: 4',
    'Compressed image size: 1356',
    'Proportion of original size: 0.147',
    "(3, 48) (48,) <dtype: 'float32'>",
    'Original size of image: 9216',
    'Number of singular values used in compression: 23',
    'Compressed image size: 7797',
    'Proportion of original size: 0.846',
    'Proportion of energy captured by the first 23 singular values: 0.769',
    'Squared Frobenius norm: 33.452',
    'Sum of squared singular values left out: 33.452',
    '(40, 40) (30, 30) (30,)',
    '',
]


def test_matrix_core_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "matrix_core.ipynb", TF_OUTPUT, numeric=())
