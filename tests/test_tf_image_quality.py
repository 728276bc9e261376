"""``tf/image_quality.py``: tf.image.ssim, psnr and total_variation give TF 2.21's values and
gradients (recorded with /work/peers/bin/python on the same seeded images; literals below)."""
import numpy as np
import pytest

import glassnet as tf

RNG = np.random.default_rng(5)
A = RNG.uniform(size=(2, 16, 14, 3)).astype(np.float32)
B = np.clip(A + RNG.normal(scale=0.1, size=A.shape), 0, 1).astype(np.float32)
AI, BI = (A * 255).astype(np.uint8), (B * 255).astype(np.uint8)


def test_ssim_matches_tf_with_its_gradient():
    va = tf.Variable(A)
    with tf.GradientTape() as tape:
        s = tf.image.ssim(va, B, max_val=1.0)
        loss = tf.reduce_sum(s)
    g = tape.gradient(loss, va).numpy()
    np.testing.assert_allclose(s.numpy(), [0.9488048553466797, 0.9390177130699158], rtol=1e-5)
    np.testing.assert_allclose(float(np.sum(g * g)), 0.015537472441792488, rtol=1e-4)
    np.testing.assert_allclose(float(np.sum(g)), -0.013557426631450653, rtol=1e-4)
    np.testing.assert_allclose(tf.image.ssim(A, B, max_val=1.0, filter_size=7, filter_sigma=1.0, k1=0.02, k2=0.04).numpy(),
                               [0.9429430961608887, 0.9347736239433289], rtol=1e-5)
    one = tf.image.ssim(A[0], B[0], 1.0)
    assert one.shape == () and abs(float(one) - 0.9488048553466797) < 1e-5
    np.testing.assert_allclose(tf.image.ssim(AI, BI, 255).numpy(), [0.9486734867095947, 0.939050018787384], rtol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least filter_size"):
        tf.image.ssim(A[:, :8, :8], B[:, :8, :8], 1.0)


def test_psnr_and_total_variation_match_tf():
    np.testing.assert_allclose(tf.image.psnr(A, B, max_val=1.0).numpy(), [20.38582, 19.875532], rtol=1e-6)
    np.testing.assert_allclose(tf.image.psnr(AI, BI, 255).numpy(), [20.378698, 19.878193], rtol=1e-6)
    assert tf.image.psnr(A[0], B[0], 1.0).shape == ()
    va = tf.Variable(A)
    with tf.GradientTape() as tape:
        p = tf.reduce_sum(tf.image.psnr(va, B, 1.0))
    np.testing.assert_allclose(float(np.sum(tape.gradient(p, va).numpy() ** 2)), 23.179601669311523, rtol=1e-5)
    np.testing.assert_allclose(tf.image.total_variation(tf.constant(A)).numpy(), [416.65674, 422.41956], rtol=1e-6)
    assert abs(float(tf.image.total_variation(tf.constant(A[0]))) - 416.65673828125) < 1e-3
    with tf.GradientTape() as tape:
        t = tf.reduce_sum(tf.image.total_variation(va))
    g = tape.gradient(t, va).numpy()
    assert float(np.sum(g * g)) == 9516.0 and abs(float(np.sum(g))) < 1e-3       # TF 2.21: 9516.0, 0.0
