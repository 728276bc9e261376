"""``mixed_precision.py`` (keras.mixed_precision) and ``tf/distribute.py``: what TF 2.21 reports
(recorded with /work/peers/bin/python and written here as literals), glassnet's float32 arithmetic
under a mixed policy, Keras's dynamic loss scale, and the one-replica strategies."""
import warnings

import numpy as np
import pytest

import glassnet as tf
from glassnet import mixed_precision as mp_module


@pytest.fixture(autouse=True)
def _default_policy():
    yield
    tf.keras.mixed_precision.set_global_policy(None)


def test_policies_report_as_keras():
    mp = tf.keras.mixed_precision
    assert repr(mp.global_policy()) == '<DTypePolicy "float32">'          # TF 2.21
    p = mp.Policy("mixed_float16")
    assert (repr(p), p.name, p.compute_dtype, p.variable_dtype) == (
        '<DTypePolicy "mixed_float16">', "mixed_float16", "float16", "float32")
    assert mp.Policy("float32") == mp.Policy("float32") and mp.Policy("float32").get_config() == {"name": "float32"}
    with pytest.raises(ValueError, match="Cannot convert 'float17' to a mixed precision DTypePolicy"):
        mp.Policy("float17")


def test_mixed_policy_layers_report_it_and_compute_in_float32():
    mp = tf.keras.mixed_precision
    mp_module._warned = False
    with pytest.warns(UserWarning, match="glassnet computes in float32"):
        mp.set_global_policy("mixed_float16")
    dense = tf.keras.layers.Dense(2)
    # TF 2.21: <DTypePolicy "mixed_float16"> float16 float32
    assert (repr(dense.dtype_policy), dense.compute_dtype, dense.variable_dtype) == (
        '<DTypePolicy "mixed_float16">', "float16", "float32")
    out = tf.keras.layers.Activation("softmax", dtype="float32")
    model = tf.keras.Sequential([tf.keras.Input((3,)), dense, out])
    y = model(np.ones((2, 3), np.float32))
    assert y.dtype == tf.float32 and dense.kernel.dtype == tf.float32
    assert out.compute_dtype == "float32"
    assert dense.get_config()["dtype"]["config"]["name"] == "mixed_float16"
    again = tf.keras.layers.Dense.from_config(dense.get_config())
    assert again.compute_dtype == "float16"
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # the warning is given once only
        mp.set_global_policy("mixed_bfloat16")
    mp.set_global_policy("float32")
    plain = tf.keras.layers.Dense(2)
    assert plain.compute_dtype == "float32" and repr(plain.dtype_policy) == '<DTypePolicy "float32">'
    bf = tf.keras.layers.Dense(2, dtype="mixed_bfloat16")
    assert (bf.compute_dtype, bf.variable_dtype) == ("bfloat16", "float32")      # TF 2.21


def test_loss_scale_optimizer_scales_unscales_and_skips():
    opt = tf.keras.mixed_precision.LossScaleOptimizer(tf.keras.optimizers.SGD(0.1), dynamic_growth_steps=2)
    assert float(opt.initial_scale) == 32768.0                       # TF 2.21's default
    w = tf.Variable(np.array([1.0, 2.0], np.float32))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w)
        scaled = opt.scale_loss(loss)
    assert float(scaled) == pytest.approx(5.0 * 32768)
    opt.apply_gradients(zip(tape.gradient(scaled, [w]), [w]))     # divided by the scale: 2w
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6], rtol=1e-6)
    opt.apply_gradients([(np.array([np.inf, 0.0], np.float32), w)])   # skipped, scale halved
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6], rtol=1e-6)
    assert float(opt.dynamic_scale) == 16384.0 and int(opt.iterations) == 1
    for _ in range(2):                                                  # two finite steps: doubled
        opt.apply_gradients([(np.array([1.0, 1.0], np.float32), w)])    # no scale_loss: used as given
    assert float(opt.dynamic_scale) == 32768.0
    np.testing.assert_allclose(w.numpy(), [0.6, 1.4], rtol=1e-6)
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
    model.compile(tf.keras.mixed_precision.LossScaleOptimizer(tf.keras.optimizers.SGD(0.05)), "mse")
    loss = model.fit(x, x[:, :1] * 2, epochs=5, verbose=0).history["loss"]
    assert loss[-1] < loss[0] and int(model.optimizer.iterations) == 5


def test_one_replica_strategies():
    s = tf.distribute.get_strategy()
    assert type(s).__name__ == "_DefaultDistributionStrategy" and s.num_replicas_in_sync == 1    # TF 2.21
    m = tf.distribute.MirroredStrategy()
    assert m.num_replicas_in_sync == 1 and not tf.distribute.has_strategy()
    with m.scope():
        assert tf.distribute.has_strategy() and tf.distribute.get_strategy() is m
        model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    assert tf.distribute.get_strategy() is s
    assert float(m.run(lambda x: x * 2, args=(tf.constant(3.0),))) == 6.0
    np.testing.assert_array_equal(m.reduce(tf.distribute.ReduceOp.SUM, tf.constant([1.0, 2.0]), axis=None), [1.0, 2.0])
    assert float(m.reduce("MEAN", tf.constant([1.0, 2.0]), axis=0)) == 1.5      # TF 2.21: 1.5
    ds = tf.data.Dataset.range(4).batch(2)
    assert m.experimental_distribute_dataset(ds) is ds
    assert tf.distribute.OneDeviceStrategy("/cpu:0").num_replicas_in_sync == 1
    with pytest.raises(ValueError, match="reduce_op"):
        m.reduce("MAX", tf.constant(1.0))
    assert model.built
