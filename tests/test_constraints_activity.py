"""``constraints.py`` and ``activity_regularizer=`` (Dense, Conv, Embedding): TF 2.21 / Keras 3.15's
numbers for the same models and steps (recorded with /work/peers/bin/python, written here as
literals): fit, evaluate, a GradientTape loop with ``model.losses`` and ``apply_gradients``; the
fast paths step aside for such layers; configs and files keep them."""
import numpy as np
import pytest

import glassnet as tf
from glassnet import fast, keras

W = np.array([[3.0, -1.0, 0.5], [4.0, 2.0, -0.2]], np.float32)


def test_constraints_match_keras():
    C = keras.constraints
    cases = [  # (constraint, Keras 3.15's result on W)
        (C.MaxNorm(), [[1.2000000476837158, -0.8944271802902222, 0.49999988079071045],
                       [1.600000023841858, 1.7888543605804443, -0.19999995827674866]]),
        (C.MaxNorm(1.5, axis=1), [[1.4055638313293457, -0.46852126717567444, 0.23426063358783722],
                                  [1.3403011560440063, 0.6701505780220032, -0.06701505929231644]]),
        (C.NonNeg(), [[3.0, 0.0, 0.5], [4.0, 2.0, 0.0]]),
        (C.UnitNorm(), [[0.6000000238418579, -0.4472135901451111, 0.9284765124320984],
                        [0.800000011920929, 0.8944271802902222, -0.37139061093330383]]),
        (C.MinMaxNorm(0.5, 2.0, rate=0.7), [[1.7400001287460327, -0.9260990023612976, 0.49999988079071045],
                                             [2.320000171661377, 1.8521980047225952, -0.19999995827674866]]),
    ]
    for constraint, want in cases:
        got = constraint(W)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert type(C.get("unit_norm")) is C.UnitNorm and type(C.get("non_neg")) is C.NonNeg
    assert C.serialize(C.MaxNorm(3)) == {"module": "keras.constraints", "class_name": "MaxNorm",
                                         "config": {"max_value": 3, "axis": 0}, "registered_name": None}
    assert C.deserialize(C.serialize(C.MinMaxNorm(0.1, 0.9))).max_value == 0.9
    with pytest.raises(ValueError, match="Unknown constraint 'nope'"):
        C.get("nope")


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 3)).astype(np.float32), rng.normal(size=(16, 2)).astype(np.float32)


def _dense_model(bias_constraint=None):
    m = keras.Sequential([keras.Input((3,)),
                          keras.layers.Dense(4, activation="tanh", kernel_constraint=keras.constraints.MaxNorm(0.5),
                                             activity_regularizer=keras.regularizers.L2(0.1)),
                          keras.layers.Dense(2, kernel_constraint="non_neg", bias_constraint=bias_constraint,
                                             activity_regularizer=keras.regularizers.L1(0.05))])
    m.set_weights([np.linspace(-1, 1, 12).reshape(3, 4).astype(np.float32), np.zeros(4, np.float32),
                   np.linspace(-0.5, 0.8, 8).reshape(4, 2).astype(np.float32), np.array([0.1, -0.2], np.float32)])
    return m


def test_fit_and_evaluate_match_keras():
    x, y = _data()
    m = _dense_model(bias_constraint=keras.constraints.UnitNorm(axis=0))
    m.compile(keras.optimizers.SGD(0.1), "mse")
    assert m.losses == []
    np.testing.assert_allclose(m.evaluate(x, y, verbose=0), 1.3229289054870605, rtol=1e-6)     # penalties included
    m(x)
    np.testing.assert_allclose([float(v) for v in m.losses], [0.15158487856388092, 0.03399444743990898], rtol=1e-6)
    history = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(history, [1.3342677354812622, 1.4797070026397705], rtol=1e-6)
    want = [[[-0.4258890748023987, -0.37491652369499207, -0.26596131920814514, -0.13195182383060455],
             [-0.11522725969552994, -0.035210102796554565, 0.06127838417887688, 0.13517746329307556],
             [0.19507041573524475, 0.3027869164943695, 0.39384394884109497, 0.4448762536048889]],
            [-0.006196045316755772, 0.0028830463998019695, 0.05803794786334038, 0.11107023060321808],
            [[0.006329281721264124, 0.0], [0.0011866835411638021, 0.04523347318172455],
             [0.21835152804851532, 0.4285179674625397], [0.5879950523376465, 0.8075048923492432]],
            [0.5936805605888367, -0.8047006130218506]]
    for got, w in zip(m.get_weights(), want):
        np.testing.assert_allclose(got, w, rtol=2e-5, atol=1e-7)
    np.testing.assert_allclose(m.evaluate(x, y, verbose=0), 1.4456449747085571, rtol=1e-6)


def test_tape_loop_with_model_losses_and_apply_gradients_matches_keras():
    x, y = _data()
    m, opt = _dense_model(), keras.optimizers.SGD(0.1)
    seen = []
    for step in range(2):
        with tf.GradientTape() as tape:
            out = m(x[step * 8:(step + 1) * 8], training=True)
            loss = tf.reduce_mean(tf.square(out - y[step * 8:(step + 1) * 8])) + tf.add_n(m.losses)
        opt.apply_gradients(zip(tape.gradient(loss, m.trainable_variables), m.trainable_variables))
        seen.append(float(loss))
    np.testing.assert_allclose(seen, [1.155857801437378, 1.2842557430267334], rtol=1e-6)       # TF 2.21
    want = [[[-0.438301, -0.386975, -0.29231, -0.181542], [-0.11762, -0.039374, 0.052341, 0.127583],
             [0.195944, 0.302973, 0.388322, 0.437585]], [-0.00515, -0.004103, 0.006544, 0.025425],
            [[0.005012, 0.0], [0.003245, 0.043358], [0.238422, 0.414855], [0.60777, 0.782909]],
            [0.145304, -0.17357]]
    for got, w in zip(m.get_weights(), want):
        np.testing.assert_allclose(got, w, atol=2e-6)


def test_conv_and_embedding_match_keras():
    rng = np.random.default_rng(0)
    rng.normal(size=(16, 3)), rng.normal(size=(16, 2))               # the draws before, as in the recording
    xc, yc = rng.normal(size=(4, 6, 6, 2)).astype(np.float32), rng.normal(size=(4, 1)).astype(np.float32)
    mc = keras.Sequential([keras.Input((6, 6, 2)),
                           keras.layers.Conv2D(3, 3, activation="relu",
                                               kernel_constraint=keras.constraints.UnitNorm(axis=[0, 1, 2]),
                                               activity_regularizer=keras.regularizers.L2(0.01)),
                           keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid", activity_regularizer="l2")])
    mc.set_weights([np.linspace(-0.3, 0.3, 54).reshape(3, 3, 2, 3).astype(np.float32), np.zeros(3, np.float32),
                    np.linspace(-0.2, 0.2, 48).reshape(48, 1).astype(np.float32), np.zeros(1, np.float32)])
    mc.compile(keras.optimizers.Adam(0.01), "binary_crossentropy")       # the sigmoid + CE shortcut, with a penalty
    history = mc.fit(xc, (yc > 0).astype(np.float32), epochs=3, batch_size=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(history, [1.3701707124710083, 1.2276458740234375, 1.0747483968734741], rtol=1e-6)
    k = mc.get_weights()[0]
    np.testing.assert_allclose([np.sum(k ** 2), np.sum(k), np.sum(mc.get_weights()[2])],
                               [2.999999523162842, 0.28830116987228394, -0.34006989002227783], rtol=1e-5)
    ids, ye = np.array([[1, 2, 0], [3, 1, 1]]), np.array([[0.5], [-0.5]], np.float32)
    me = keras.Sequential([keras.Input((3,), dtype="int32"),
                           keras.layers.Embedding(4, 2, embeddings_constraint="non_neg",
                                                  activity_regularizer=keras.regularizers.L1(0.1)),
                           keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
    me.set_weights([np.linspace(-1, 1, 8).reshape(4, 2).astype(np.float32), np.array([[0.3], [-0.4]], np.float32),
                    np.zeros(1, np.float32)])
    me.compile(keras.optimizers.SGD(0.5), "mse")
    np.testing.assert_allclose(me.evaluate(ids, ye, verbose=0), 0.5252154469490051, rtol=1e-6)
    history = me.fit(ids, ye, epochs=3, verbose=0).history["loss"]
    np.testing.assert_allclose(history, [0.5252154469490051, 0.32508599758148193, 0.3088287115097046], rtol=1e-6)
    np.testing.assert_allclose(me.get_weights()[0], [[0.000689, 0.0], [0.0, 0.0], [0.122118, 0.236159],
                                                     [0.594932, 1.026846]], atol=2e-6)


def test_fast_paths_step_aside_and_plain_models_keep_them():
    plain = keras.layers.Dense(2)
    plain.build((None, 3))
    assert fast.untouched(plain)
    for layer in (keras.layers.Dense(2, kernel_constraint="non_neg"), keras.layers.Dense(2, activity_regularizer="l2")):
        layer.build((None, 3))
        assert not fast.untouched(layer)
    opt = keras.optimizers.Adam()
    v = tf.Variable(np.ones(3, np.float32))
    v.constraint = keras.constraints.NonNeg()
    opt.build([v])
    assert not fast._eligible(opt)
    from glassnet.callbacks import CallbackList
    from glassnet.engine.training import ArrayBatches
    from glassnet.fast import epoch
    x, y = _data()
    for constrained in (False, True):          # the compiled epoch: checked up to its layers and optimizer
        m = _dense_model() if constrained else keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(2)])
        m.compile(keras.optimizers.SGD(0.1), "mse")
        layers = m.step_units()
        assert all(fast.untouched(layer) for layer in layers) is not constrained
        if constrained:
            assert epoch.plan(m, ArrayBatches(x, y, None, 8, False), CallbackList([], m, {})) is None
    # apply_gradients on a constrained Variable: the step, then the constraint (TF's order)
    w = tf.Variable(np.array([0.05, 1.0], np.float32), constraint=lambda t: tf.clip_by_value(t, 0.0, 0.5))
    keras.optimizers.SGD(0.1).apply_gradients([(np.array([1.0, -1.0], np.float32), w)])
    np.testing.assert_allclose(w.numpy(), [0.0, 0.5])


def test_configs_and_files_keep_constraints_and_activity_regularizers(tmp_path):
    layer = keras.layers.Dense(2, kernel_constraint="max_norm", activity_regularizer="l2")
    config = layer.get_config()
    assert config["kernel_constraint"] == {"module": "keras.constraints", "class_name": "MaxNorm",
                                           "config": {"max_value": 2, "axis": 0}, "registered_name": None}
    assert config["activity_regularizer"]["class_name"] == "L2" and config["bias_constraint"] is None
    assert "activity_regularizer" not in keras.layers.Dense(2).get_config()           # Keras 3: only when set
    again = keras.layers.Dense.from_config(config)
    assert isinstance(again.kernel_constraint, keras.constraints.MaxNorm) and again.activity_regularizer is not None
    x, y = _data()
    m = _dense_model()
    m.compile(keras.optimizers.SGD(0.1), "mse")
    m.fit(x, y, epochs=1, verbose=0)
    m.save(tmp_path / "m.keras")
    loaded = tf.keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[0].kernel.constraint, keras.constraints.MaxNorm)
    assert loaded.layers[1].activity_regularizer.l1 == pytest.approx(0.05)
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), m.evaluate(x, y, verbose=0), rtol=1e-6)


def test_kerass_import_paths():
    from glassnet.keras.constraints import MaxNorm, max_norm
    assert MaxNorm is max_norm is keras.constraints.MaxNorm
    from glassnet.keras.mixed_precision import Policy
    assert Policy is keras.mixed_precision.Policy
