"""Seeded programs draw Keras 3's numbers: each literal below is what Keras 3.15 on TensorFlow 2.21
printed for the same program (tools: /work/peers' TF; the program is :func:`_programs` with
``tensorflow`` in place of ``glassnet``). Initializers take their seed when made, from Python's
``random`` (``keras.utils.set_random_seed`` seeds it), and draw TF's stateless Philox numbers;
Dropout and the noise layers move a seed on at each call; ``keras.random`` as Keras's; ``fit``
shuffles in TF's order under the seed. Exact in float32, except where TF's math order differs:
QR (Eigen's Householder against LAPACK's) and, now and then, Box-Muller's last bit."""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

import glassnet as tf
from glassnet import seeding
from glassnet.tf import philox

keras = tf.keras
L = keras.layers

# name: (shape, the first values, flattened), as Keras 3.15 gave them
KERAS = {
    'dense_kernel': ((2, 3), [-0.528004944, 0.79408145, 0.960487604, -0.343447566, -1.02651262, -0.85370183]),
    'init_glorot_uniform': ((5, 4), [-0.662868917, 0.474359512, -0.75248903, -0.484646142]),
    'init_glorot_normal': ((5, 4), [0.293209463, 0.395213276, -0.196613595, 0.599117994]),
    'init_he_uniform': ((5, 4), [-0.889331996, 0.636420012, -1.00956988, -0.65022099]),
    'init_he_normal': ((5, 4), [0.393381804, 0.530234337, -0.263784856, 0.803801179]),
    'init_lecun_uniform': ((5, 4), [-0.628852665, 0.450016975, -0.713873744, -0.459775686]),
    'init_lecun_normal': ((5, 4), [0.278162926, 0.374932259, -0.186524048, 0.568373263]),
    'init_random_normal': ((5, 4), [-0.105213307, 0.0273559727, 0.121804111, 0.0368727669]),
    'init_random_uniform': ((5, 4), [-0.0405922644, 0.0290484689, -0.0460803509, -0.0296783932]),
    'init_truncated_normal': ((5, 4), [0.0273559727, 0.0368727669, -0.0183437336, 0.0558967479]),
    'init_orthogonal': ((5, 4), [-0.909496903, -0.280076206, 0.167750955, 0.21933949]),
    'vs_fan_out_untrunc': ((3, 4), [-1.48794091, 0.386871845, 1.72257018, 0.521459639]),
    'random_normal_seed5': ((2, 2), [-0.10276892, 0.0579093881, 0.00958043151, -0.00648894534]),
    'ru_seedgen_1': ((3,), [0.00805977732, 0.0405788757, -0.0212358963]),
    'ru_seedgen_2': ((3,), [-0.016831588, -0.0309381839, 0.0334548019]),
    'conv_kernel': ((3, 3, 2, 3), [0.207695186, -0.330012143, 0.0908645093, 0.16132009]),
    'conv_dense': ((48, 2), [0.258900046, -0.341414243, 0.235623538, 0.202425718]),
    'embedding': ((10, 3), [0.0153946318, 0.00994094461, 0.013236735, -0.0233319998]),
    'lstm_kernel': ((2, 12), [0.315715134, 0.275829732, -0.176781923, 0.391094327]),
    'lstm_recurrent': ((3, 12), [-0.0345076323, 0.0133319106, -0.400490731, -0.0668155774]),
    'lstm_dense': ((3, 1), [-0.157238126, -0.455519497, 0.286934257]),
    'simplernn_kernel': ((2, 3), [0.938745499, 0.830809116, -0.700576782, 0.118623853]),
    'gru_kernel': ((3, 6), [0.578411818, 0.159506261, 0.428013325, 0.112837136]),
    'mha_query': ((4, 2, 2), [-0.199738801, -0.468434989, -0.536229253, 0.380875289]),
    'mha_output': ((2, 2, 4), [-0.0661693215, -0.179239392, -0.14893651, -0.328146756]),
    'mha_then_dense': ((4, 2), [0.0592672825, -0.155367374, 0.835579395, 0.0954713821]),
    'dropout_1': ((3, 4), [2.0, 2.0, 0.0, 2.0, 2.0, 2.0, 2.0, 2.0, 0.0, 2.0, 2.0, 0.0]),
    'dropout_2': ((3, 4), [2.0, 0.0, 0.0, 2.0, 2.0, 0.0, 2.0, 0.0, 0.0, 2.0, 0.0, 0.0]),
    'gaussian_noise': ((3, 4), [0.951936483, 0.897746801, 0.80690676, 1.01856923]),
    'gaussian_dropout': ((3, 4), [1.44405448, 1.86612749, 0.809843004, 0.0694393516]),
    'alpha_dropout': ((3, 4), [1.31504464, 1.31504464, 1.31504464, 1.31504464, 1.31504464, 1.31504464, 1.31504464, 1.31504464, 1.31504464, 1.31504464, -1.05954814, 1.31504464]),
    'spatial_dropout1d': ((2, 3, 4), [0.0, 2.0, 2.0, 2.0, 0.0, 2.0, 2.0, 2.0, 0.0, 2.0, 2.0, 2.0]),
    'kr_normal_1': ((2, 3), [0.60779959, -0.889175296, -0.285706788, 0.195890993]),
    'kr_normal_2': ((2, 3), [0.821110189, 0.0917903781, -0.0180619787, -1.89168537]),
    'kr_uniform_7': ((4,), [0.747078776, 0.672180176, 0.0577795506, 0.6442132]),
    'kr_truncated_3': ((5,), [-1.34316957, 3.35210085, -1.88849092, 1.21587789, -0.838146448]),
    'kr_randint': ((6,), [7, 5, 4, 2, 2, 6]),
    'kr_shuffle': ((8,), [2, 6, 7, 3, 5, 1, 0, 4]),
    'kr_dropout': ((2, 5), [2.0, 2.0, 2.0, 2.0, 0.0, 2.0, 2.0, 2.0, 2.0, 0.0]),
    'kr_global_1': ((3,), [-0.750534415, -0.189348117, -1.35383677]),
    'kr_global_2': ((3,), [0.546586692, -1.43962455, -1.19590926]),
    'tn64': ((6,), [-0.33108455971554474, 0.027812399664981575, -0.3426617871510759, 0.7552056484940203,
                    -0.5822817890198345, -0.43863140118077787]),
}
# Keras's math order differs: TF's QR (orthogonal), one float32 Box-Muller rounding
CLOSE = {"init_orthogonal": 1e-6, "lstm_recurrent": 1e-6, "kr_truncated_3": 3e-7}


def _programs() -> dict:
    """The programs whose numbers KERAS holds, run on glassnet."""
    got = {}
    keras.utils.set_random_seed(1)
    d = L.Dense(3)
    d.build((None, 2))
    got["dense_kernel"] = d.kernel
    for name in ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
                 "random_normal", "random_uniform", "truncated_normal", "orthogonal"]:
        keras.utils.set_random_seed(9)
        d = L.Dense(4, kernel_initializer=name)
        d.build((None, 5))
        got["init_" + name] = d.kernel
    keras.utils.set_random_seed(9)
    got["vs_fan_out_untrunc"] = keras.initializers.VarianceScaling(2.0, "fan_out", "untruncated_normal")((3, 4))
    got["random_normal_seed5"] = keras.initializers.RandomNormal(seed=5)((2, 2))
    init = keras.initializers.RandomUniform(seed=keras.random.SeedGenerator(4))
    got["ru_seedgen_1"], got["ru_seedgen_2"] = init((3,)), init((3,))
    keras.utils.set_random_seed(2)
    m = keras.Sequential([keras.Input((6, 6, 2)), L.Conv2D(3, 3), L.Flatten(), L.Dense(2)])
    got["conv_kernel"], got["conv_dense"] = m.layers[0].kernel, m.layers[2].kernel
    keras.utils.set_random_seed(4)
    e = L.Embedding(10, 3)
    e.build((None, 4))
    got["embedding"] = e.embeddings
    keras.utils.set_random_seed(5)
    m = keras.Sequential([keras.Input((4, 2)), L.LSTM(3), L.Dense(1)])
    got["lstm_kernel"], got["lstm_recurrent"] = m.layers[0].cell.kernel, m.layers[0].cell.recurrent_kernel
    got["lstm_dense"] = m.layers[1].kernel
    keras.utils.set_random_seed(7)
    m = keras.Sequential([keras.Input((4, 2)), L.SimpleRNN(3, return_sequences=True), L.GRU(2)])
    got["simplernn_kernel"], got["gru_kernel"] = m.layers[0].cell.kernel, m.layers[1].cell.kernel
    keras.utils.set_random_seed(17)
    q = keras.Input((3, 4))
    mha = L.MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.1)
    y = mha(q, q)                                     # built here: its projections' seeds are drawn now
    mm = keras.Model(q, L.Dense(2)(y))
    got["mha_query"], got["mha_output"], got["mha_then_dense"] = mha.query_kernel, mha.output_kernel, \
        mm.layers[-1].kernel
    keras.utils.set_random_seed(5)
    x = np.ones((3, 4), "float32")
    dropout = L.Dropout(0.5)
    got["dropout_1"], got["dropout_2"] = dropout(x, training=True), dropout(x, training=True)
    got["gaussian_noise"] = L.GaussianNoise(0.3)(x, training=True)
    got["gaussian_dropout"] = L.GaussianDropout(0.3)(x, training=True)
    got["alpha_dropout"] = L.AlphaDropout(0.3)(x, training=True)
    got["spatial_dropout1d"] = L.SpatialDropout1D(0.5)(np.ones((2, 3, 4), "float32"), training=True)
    keras.utils.set_random_seed(5)
    g = keras.random.SeedGenerator(1337)
    got["kr_normal_1"], got["kr_normal_2"] = keras.random.normal((2, 3), seed=g), keras.random.normal((2, 3), seed=g)
    got["kr_uniform_7"] = keras.random.uniform((4,), seed=7)
    got["kr_truncated_3"] = keras.random.truncated_normal((5,), stddev=2.0, seed=3)
    got["kr_randint"] = keras.random.randint((6,), 0, 10, seed=4)
    got["kr_shuffle"] = keras.random.shuffle(np.arange(8), seed=9)
    got["kr_dropout"] = keras.random.dropout(np.ones((2, 5), "float32"), 0.5, seed=2)
    got["kr_global_1"], got["kr_global_2"] = keras.random.normal((3,)), keras.random.normal((3,))
    got["tn64"] = tf.random.stateless_truncated_normal([6], seed=[3, 4], dtype=tf.float64)
    return {k: np.asarray(v) for k, v in got.items()}


@pytest.fixture(scope="module")
def got():
    return _programs()


@pytest.mark.parametrize("name", sorted(KERAS))
def test_the_program_draws_kerass_numbers(got, name):
    shape, first = KERAS[name]
    value = got[name]
    assert value.shape == shape
    head = value.ravel()[:len(first)]
    if name in CLOSE:
        np.testing.assert_allclose(head, first, rtol=0, atol=CLOSE[name] * max(1.0, float(np.abs(first).max())))
    else:
        np.testing.assert_array_equal(head, np.asarray(first, dtype=value.dtype))


def test_an_initializer_takes_its_seed_from_pythons_random_when_made():
    random.seed(1)
    seed = random.randint(1, int(1e9))
    random.seed(1)
    init = keras.initializers.GlorotUniform()
    random.randint(1, 10)                             # later draws do not change it: the seed is taken
    assert init.seed == seed and init.get_config()["seed"] is None
    limit = math.sqrt(6 / (2 + 3))
    want = tf.random.stateless_uniform((2, 3), seed=[seed, 0], minval=-limit, maxval=limit).numpy()
    np.testing.assert_array_equal(init((2, 3), "float32"), want)
    np.testing.assert_array_equal(init((2, 3), "float32"), want)      # the same object: the same numbers
    assert init((2, 3), "float64").dtype == np.float64


def test_a_seeded_fit_with_dropout_and_shuffling_gives_kerass_losses():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 1.5], "float32") + 0.3)[:, None].astype("float32")
    losses = {}
    for shuffle in (False, True):
        keras.utils.set_random_seed(42)
        model = keras.Sequential([keras.Input((4,)), L.Dense(8, activation="relu"), L.Dropout(0.3), L.Dense(1)])
        model.compile("adam", "mse")
        losses[shuffle] = model.fit(x, y, epochs=3, batch_size=16, shuffle=shuffle, verbose=0).history["loss"]
    np.testing.assert_allclose(losses[False], [6.666783, 7.65511, 6.407601], rtol=2e-6)    # Keras 3.15's
    np.testing.assert_allclose(losses[True], [6.789499, 7.012175, 6.693905], rtol=2e-6)


def test_a_seeded_classifier_fits_as_kerass_on_the_fast_path():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 25)).astype("float32")
    y = (x[:, :3].sum(1) > 0).astype("float32")[:, None]
    keras.utils.set_random_seed(42)
    model = keras.Sequential([L.Dense(15, activation="relu"), L.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=4, batch_size=16, verbose=0).history
    np.testing.assert_allclose(history["loss"], [0.7293971, 0.6965092, 0.6691433, 0.6444172], rtol=2e-6)
    np.testing.assert_allclose(history["accuracy"], [0.535, 0.575, 0.61, 0.64], rtol=1e-6)


@pytest.mark.parametrize("seed, n, head", [
    (42, 10, [3, 8, 7, 5, 2, 0, 1, 6, 9, 4]),          # Keras 3.15's array adapter, shuffle=True
    (7, 1000, [437, 365, 776, 745, 235, 351, 619, 100]),
    (0, 1000, [422, 326, 761, 189, 763, 555, 207, 171]),  # TF takes seeds (0, 0) as (0, 2**31 - 1)
])
def test_fits_order_is_tfs_shuffle_under_the_global_seed(seed, n, head):
    order = seeding.shuffle_order(n, seed)
    assert sorted(order.tolist()) == list(range(n))
    assert order[:len(head)].tolist() == head
    tf.random.set_seed(seed)
    np.testing.assert_array_equal(seeding.fit_order(n), order)           # every epoch the same, as Keras's
    np.testing.assert_array_equal(seeding.fit_order(n), order)


def test_dropout_masks_are_tfs_stateless_dropout_and_move_on():
    state = seeding.SeedState(11)
    first = seeding.dropout_keep((4, 5), 0.4, np.float32, state)
    assert state.next() == [11, 1]
    u = tf.random.stateless_uniform((4, 5), seed=[11, 0]).numpy()
    np.testing.assert_array_equal(first, u >= np.float32(0.4))
    with pytest.raises(ValueError, match="seed must be an int"):
        seeding.SeedState(1.5)
    with pytest.raises(ValueError, match="seed must be an int or a keras.random.SeedGenerator"):
        seeding.draw("uniform", (2,), "float32", "x")


def test_the_vectorized_philox_equals_one_block_at_a_time_across_a_carry():
    key, start = [123, 456], [0xFFFFFFFE, 0xFFFFFFFF, 7, 0]
    many = philox.blocks(key, start, 40)                 # NumPy's path, the carry into the third word
    one = [philox.blocks(key, [(0xFFFFFFFE + i) & 0xFFFFFFFF, 0xFFFFFFFF if i < 2 else 0, 7 if i < 2 else 8, 0],
                         1)[0].tolist() for i in range(40)]
    assert many.tolist() == one
