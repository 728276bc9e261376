"""``fit`` over a shuffled ``tf.data`` dataset reads its shuffle passes as Keras 3 on TensorFlow does
(engine/training.py's SourceBatches, data/dataset.py's Dataset._pass): Keras's epoch iterator makes
a new iterator of the dataset at each epoch's start and, once all the dataset's batches were taken,
another at its end that is never read; TensorFlow's iterator takes its shuffles' seeds when it is
made, so a seeded ``fit(ds, epochs=3)`` reads passes 0, 2 and 4, evaluate and predict take two
passes each, a validation set read with ``validation_steps`` starts afresh at each validation.

Fixtures: the same small programs run by TensorFlow 2.21 / Keras 3.15
(tools/make_fit_dataset_shuffle_epochs.py): the rows of each batch in the order the model saw them
(a layer that notes its inputs), the passes read by hand, and loss histories."""
import pathlib

import numpy as np
import pytest

import glassnet as tf
from glassnet.tf import random as tf_random

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "fit_dataset_shuffle_epochs.npz")
PROGRAMS = sorted(k[:-len("/program")] for k in FIXTURE if k.endswith("/program"))


def _run(program, monkeypatch):
    monkeypatch.setattr(tf_random, "_OP_SEEDS", [tf_random._OpSeeds(None)])      # a fresh process: no global seed
    scope = {"tf": tf, "np": np, "keras": tf.keras}
    exec(str(FIXTURE["common"]), scope)                                         # noqa: S102 - the fixture's programs
    exec(program, scope)                                                        # noqa: S102
    return scope


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_program_collects_what_keras_collected(name, monkeypatch):
    got = _run(str(FIXTURE[f"{name}/program"]), monkeypatch)["got"]
    count = sum(1 for k in FIXTURE if k.startswith(f"{name}/") and k != f"{name}/program")
    assert len(got) == count
    for k, values in enumerate(got):
        want = FIXTURE[f"{name}/{k}"]
        if want.dtype.kind == "f":
            np.testing.assert_allclose(np.asarray(values, np.float64), want, rtol=2e-5, atol=1e-6,
                                       err_msg=f"{name}: list {k}")
        else:
            np.testing.assert_array_equal(np.asarray(values, np.int64), want, err_msg=f"{name}: list {k}")


def test_the_fixture_shows_epoch_e_reading_pass_2e():
    """The fact the loop copies, read off TensorFlow's own output: fit's three epochs are passes
    0, 2 and 4 of a fresh copy of the dataset (each pass 20 rows)."""
    seen, passes = FIXTURE["op_seed/0"], FIXTURE["op_seed/1"].reshape(6, 20)
    np.testing.assert_array_equal(seen.reshape(3, 20), passes[[0, 2, 4]])
    assert not np.array_equal(passes[0], passes[1])            # (the passes differ: the check can fail)


def test_fit_losses_are_train_on_batch_over_passes_0_and_2(monkeypatch):
    """A plain model's fit (the loop that may pick the fast path, no noting layer) trains on the
    passes the noting layer saw: the same losses as train_on_batch over passes 0 and 2 by hand."""
    scope = _run("", monkeypatch)
    model = scope["plain"]()
    ds = scope["made"]()
    history = model.fit(ds, epochs=2, verbose=0)
    again = scope["plain"]()
    fresh = scope["made"]()
    by_hand = []
    for epoch in range(2):
        batches = list(fresh.as_numpy_iterator())
        list(fresh.as_numpy_iterator())                # the iterator Keras makes at the epoch's end
        by_hand.append(batches)
    losses = []
    for batches in by_hand:
        total = 0.0
        for xb, yb in batches:
            total += again.train_on_batch(xb, yb) * len(xb)
        losses.append(total / 20)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)


def test_a_pass_made_and_never_read_takes_its_seeds():
    """TensorFlow's rule, which the loop relies on: an iterator made takes its shuffles' seeds,
    read or not; asking element_spec makes none."""
    def made():
        return tf.data.Dataset.range(30).shuffle(10, seed=2).batch(5)
    plain = made()
    passes = [[int(v) for b in plain.as_numpy_iterator() for v in b] for _ in range(3)]
    ds = made()
    assert [int(v) for b in ds.as_numpy_iterator() for v in b] == passes[0]
    ds.as_numpy_iterator()                                     # made, never read
    ds.element_spec
    assert [int(v) for b in ds.as_numpy_iterator() for v in b] == passes[2]
