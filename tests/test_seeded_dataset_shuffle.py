"""``tf.data.Dataset.shuffle`` in TensorFlow's order when seeded (data/dataset.py, seeding.py): the
op seed and the global seed's stream of op seeds, each pass's seeds from the dataset's seed
generator (reshuffled) or the same (not), the buffer's ring as TensorFlow's ShuffleDataset keeps
it. Fixtures: the same small programs run by TensorFlow 2.21 (tools/make_seeded_dataset_shuffle.py)."""
import pathlib

import numpy as np
import pytest

import glassnet as tf
from glassnet import seeding
from glassnet.tf import random as tf_random

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "seeded_dataset_shuffle.npz")
PROGRAMS = sorted(k[:-len("/program")] for k in FIXTURE if k.endswith("/program"))


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_program_shuffles_as_tensorflow(name, monkeypatch):
    monkeypatch.setattr(tf_random, "_OP_SEEDS", [tf_random._OpSeeds(None)])      # a fresh process: no global seed
    scope = {"tf": tf, "np": np}
    exec(str(FIXTURE[f"{name}/program"]), scope)                                # noqa: S102 - the fixture's programs
    for k, got in enumerate(scope["got"]):
        np.testing.assert_array_equal(np.asarray(got, np.int64), FIXTURE[f"{name}/{k}"], err_msg=f"{name}: list {k}")


def test_a_pass_by_hand():
    """Buffer 2 over [0, 1, 2]: take word % 2 of [0, 1], the oldest moves into its slot; refill."""
    words = seeding._words32(5, 6)
    w = [next(words) for _ in range(3)]
    buffer, order = [0, 1], []
    for k, incoming in enumerate([2, None, None]):
        i = w[k] % len(buffer)
        order.append(buffer[i])
        buffer[i] = buffer[0]
        buffer = buffer[1:] + ([incoming] if incoming is not None else [])
    assert list(seeding.shuffle_stream(range(3), 2, 5, 6)) == order
    assert sorted(order) == [0, 1, 2]


def test_unseeded_shuffles_still_mix_and_keep_every_element(monkeypatch):
    monkeypatch.setattr(tf_random, "_OP_SEEDS", [tf_random._OpSeeds(None)])
    got = list(tf.data.Dataset.range(50).shuffle(10).as_numpy_iterator())
    assert sorted(got) == list(range(50)) and got != list(range(50))


def test_a_bad_seed_names_itself():
    with pytest.raises(ValueError, match="Dataset.shuffle: seed must be an integer"):
        tf.data.Dataset.range(3).shuffle(2, seed="a")


def test_asking_element_spec_is_not_a_pass():
    """TensorFlow reads a spec without making an iterator: the first pass keeps its seeds here too."""
    def made():
        return tf.data.Dataset.range(30).shuffle(8, seed=4).map(lambda x: x * 2)
    plain = list(made().as_numpy_iterator())
    looked = made()
    looked.element_spec
    assert list(looked.as_numpy_iterator()) == plain
