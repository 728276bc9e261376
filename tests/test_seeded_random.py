"""``keras.random`` draws Keras 3's numbers on TensorFlow (keras/random.py, seeding.py): categorical,
gamma, binomial and beta (TensorFlow's multinomial, Marsaglia-Tsang and BTRS/inversion kernels, each
output from its own Philox stream), and randint, truncated_normal, normal, uniform, dropout and
shuffle over more of their arguments; int seeds and SeedGenerators. Fixtures from Keras 3.15 on
TF 2.21 (tools/make_seeded_random.py); the distributions' moments checked besides."""
import json
import pathlib

import numpy as np
import pytest

import glassnet.keras as keras
from glassnet import seeding

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "seeded_random.npz")
CASES = sorted(k[:-len("/args")] for k in FIXTURE if k.endswith("/args"))


def _call(case):
    spec = json.loads(str(FIXTURE[f"{case}/args"]))
    kwargs = dict(spec["kwargs"])
    seed = kwargs["seed"]
    if isinstance(seed, dict):
        gen = keras.random.SeedGenerator(seed["gen"])
        for _ in range(seed["calls"]):
            gen.next()
        kwargs["seed"] = gen
    for name in spec["arrays"]:
        kwargs[name] = FIXTURE[f"{case}/{name}"]
    return getattr(keras.random, spec["fn"])(**kwargs).numpy()


@pytest.mark.parametrize("case", CASES)
def test_draws_kerass_numbers(case):
    got, want = _call(case), FIXTURE[case]
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype, want.shape, want.dtype)
    if got.dtype.kind in "iub" or case.startswith(("binomial", "shuffle", "dropout")):
        np.testing.assert_array_equal(got, want)
    else:                         # doubles through NumPy's log/sin/pow: a last-place difference now and then
        close = np.isclose(got, want, rtol=2e-6 if got.dtype == np.float32 else 1e-13, atol=0)
        assert close.mean() >= 0.999, f"{case}: {np.count_nonzero(~close)} of {close.size} differ"


def test_a_seed_generator_moves_on_and_an_int_seed_repeats():
    gen = keras.random.SeedGenerator(1)
    a, b = keras.random.gamma((50,), 2.0, seed=gen).numpy(), keras.random.gamma((50,), 2.0, seed=gen).numpy()
    assert not np.array_equal(a, b) and gen.state.numpy().tolist() == [1, 2]
    np.testing.assert_array_equal(keras.random.binomial((30,), 10, 0.4, seed=3).numpy(),
                                  keras.random.binomial((30,), 10, 0.4, seed=3).numpy())


@pytest.mark.parametrize("alpha", [0.3, 1.0, 4.5, 30.0])
def test_gamma_has_its_moments(alpha):
    x = keras.random.gamma((40000,), alpha, seed=17).numpy().astype(np.float64)
    # mean alpha, variance alpha; standard errors sqrt(alpha / n) and about alpha * sqrt(2 (1 + 3/alpha) / n)
    assert abs(x.mean() - alpha) < 5 * np.sqrt(alpha / x.size)
    assert abs(x.var() - alpha) < 5 * alpha * np.sqrt(2 * (1 + 3 / alpha) / x.size)
    assert x.min() > 0


@pytest.mark.parametrize("n, p", [(5, 0.3), (100, 0.4), (20, 0.8), (1000, 0.97), (3, 0.0), (7, 1.0)])
def test_binomial_has_its_moments(n, p):
    x = keras.random.binomial((40000,), n, p, seed=5).numpy().astype(np.float64)
    assert x.min() >= 0 and x.max() <= n and np.array_equal(x, np.round(x))
    var = n * p * (1 - p)
    assert abs(x.mean() - n * p) <= 5 * np.sqrt(var / x.size) + 1e-12
    if var:
        assert abs(x.var() - var) < 0.05 * var


def test_beta_has_its_mean_and_range():
    x = keras.random.beta((40000,), 2.0, 5.0, seed=3).numpy().astype(np.float64)
    assert 0 < x.min() and x.max() < 1
    mean, var = 2 / 7, 2 * 5 / (7 ** 2 * 8)
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / x.size)
    assert abs(x.var() - var) < 0.05 * var


def test_categorical_follows_the_softmax():
    with np.errstate(divide="ignore"):
        logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]], np.float32))
    ids = keras.random.categorical(logits, 30000, seed=4).numpy()
    assert ids.dtype == np.int32 and ids.shape == (2, 30000)
    np.testing.assert_allclose(np.bincount(ids[0], minlength=3) / 30000, [0.1, 0.2, 0.7], atol=0.015)
    assert set(np.unique(ids[1])) <= {0, 1}                      # a -inf logit is never drawn


def test_binomial_inversion_by_hand():
    """n = 2, p = 0.5: waiting times ceil(log u / log 0.5); the first uniform is the block's second."""
    key, counter = seeding.philox.key_counter_from_seed([7, 0])
    u = seeding.philox._float01(seeding.philox.blocks(key, counter, 2), np.float64).reshape(-1)
    waits = np.ceil(np.log([u[1], u[0], u[3], u[2]]) / np.log1p(-0.5))
    total, successes = 0, 0
    for w in waits:                                  # count waiting times until their sum passes n
        total += w
        if total > 2:
            break
        successes += 1
    assert keras.random.binomial((1,), 2, 0.5, seed=7).numpy()[0] == successes


@pytest.mark.parametrize("call, match", [
    (lambda: keras.random.gamma((3,), 0.0, seed=1), "alpha must be > 0 .* position"),
    (lambda: keras.random.gamma((3,), [1.0, -2.0, 1.0], seed=1), r"alpha=.*-2.* at position \(1,\)"),
    (lambda: keras.random.gamma((3, 2), [1.0, 2.0, 3.0], seed=1), "must end with the shape of alpha"),
    (lambda: keras.random.beta((3,), 1.0, float("nan"), seed=1), "beta must be > 0"),
    (lambda: keras.random.categorical(np.zeros(3), 2, seed=1), "2-D"),
    (lambda: keras.random.categorical(np.zeros((1, 3)), -1, seed=1), "num_samples"),
    (lambda: keras.random.binomial((4,), np.ones(3), 0.5, seed=1), "must end with the shape"),
    (lambda: keras.random.gamma((3,), 1.0, seed="a"), "seed must be"),
])
def test_bad_arguments_name_themselves(call, match):
    with pytest.raises(ValueError, match=match):
        call()
