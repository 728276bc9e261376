"""TensorFlow's word2vec tutorial (tensorflow.org/text/tutorials/word2vec), run renamed
(``import glassnet as tf``) on a small stand-in text: Keras's legacy ``skipgrams`` /
``make_sampling_table`` (expected values computed with Keras 3.15's
keras.src.legacy.preprocessing.sequence and written in), ``tf.random.log_uniform_candidate_sampler``
(expected counts computed with TensorFlow 2.21), and the whole program for 2 epochs."""
import io
import os
import re
import string

import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import layers
from glassnet.tf.random import _log_uniform_expected

sequence = tf.keras.preprocessing.sequence


# -- make_sampling_table -----------------------------------------------------------------
def test_make_sampling_table_matches_keras():
    keras_1e3 = [0.03152247875194251, 0.03152247875194251, 0.054759726939176974, 0.07415564097374219,
                 0.09128167456366162, 0.10684345040995183, 0.12123806302675509, 0.13471624356952072]
    got = sequence.make_sampling_table(8, sampling_factor=1e-3)
    assert got.shape == (8,) and got.dtype == np.float64
    np.testing.assert_allclose(got, keras_1e3, rtol=1e-14)
    keras_default = [0.00315225, 0.00315225, 0.00547597, 0.00741556, 0.00912817, 0.01068435,
                     0.01212381, 0.01347162, 0.01474487, 0.0159558]
    np.testing.assert_allclose(sequence.make_sampling_table(10), keras_default, atol=5e-9)
    assert sequence.make_sampling_table(10 ** 6, 1e-1).max() == 1.0      # capped at 1


def test_make_sampling_table_refuses_bad_size():
    with pytest.raises(ValueError, match="size"):
        sequence.make_sampling_table(0)
    with pytest.raises(ValueError, match="sampling_factor"):
        sequence.make_sampling_table(5, sampling_factor=0)


# -- skipgrams ---------------------------------------------------------------------------
KERAS_PAIRS = [[3, 1], [1, 3], [1, 4], [1, 2], [4, 1], [4, 2], [4, 5], [2, 1], [2, 4], [2, 5], [5, 4], [5, 2]]


def test_skipgrams_positive_pairs_match_keras():
    couples, labels = sequence.skipgrams([3, 0, 1, 4, 2, 5], 6, window_size=2, negative_samples=0, shuffle=False)
    assert couples == KERAS_PAIRS and labels == [1] * 12
    couples, labels = sequence.skipgrams(np.array([3, 0, 1, 4, 2, 5]), 6, window_size=2, negative_samples=0,
                                         shuffle=False, categorical=True)
    assert couples == KERAS_PAIRS and labels == [[0, 1]] * 12
    # the tutorial's sentence, window 2: Keras gives 26 pairs
    ids = [1, 2, 3, 4, 5, 1, 6, 7]
    couples, _ = sequence.skipgrams(ids, 8, window_size=2, negative_samples=0, shuffle=False)
    assert len(couples) == 26 and couples[:3] == [[1, 2], [1, 3], [2, 1]]
    assert sequence.skipgrams([4, 5], 6, window_size=0, negative_samples=0) == ([], [])


def test_skipgrams_negatives_and_shuffle():
    tf.random.set_seed(3)
    couples, labels = sequence.skipgrams([3, 0, 1, 4, 2, 5], 6, window_size=2, negative_samples=1.5, seed=7)
    assert len(couples) == len(labels) == 12 + 18
    assert sorted(c for c, l in zip(couples, labels) if l == 1) == sorted(KERAS_PAIRS)  # shuffled together
    negatives = [c for c, l in zip(couples, labels) if l == 0]
    assert len(negatives) == 18
    assert all(t in {1, 2, 3, 4, 5} and 1 <= c <= 5 for t, c in negatives)
    # the same seed shuffles the same way
    a = sequence.skipgrams([1, 2, 3, 4], 5, window_size=1, negative_samples=0, seed=11)
    b = sequence.skipgrams([1, 2, 3, 4], 5, window_size=1, negative_samples=0, seed=11)
    assert a == b and sorted(a[0]) == sorted(sequence.skipgrams([1, 2, 3, 4], 5, 1, 0, shuffle=False)[0])


def test_skipgrams_sampling_table_keeps_targets_by_probability():
    ids = [1, 2, 3, 4]
    none = sequence.skipgrams(ids, 5, 1, negative_samples=0, shuffle=False, sampling_table=np.zeros(5))
    every = sequence.skipgrams(ids, 5, 1, negative_samples=0, shuffle=False, sampling_table=np.ones(5))
    assert none == ([], []) and every == sequence.skipgrams(ids, 5, 1, negative_samples=0, shuffle=False)
    only_2 = sequence.skipgrams(ids, 5, 1, negative_samples=0, shuffle=False, sampling_table=[0, 0, 1, 0, 0])
    assert only_2 == ([[2, 1], [2, 3]], [1, 1])


def test_skipgrams_refuses_bad_input():
    with pytest.raises(ValueError, match=r"sequence\[2\]"):
        sequence.skipgrams([1, 2, -1], 5)
    with pytest.raises(ValueError, match=r"sequence\[1\] = 9 is beyond sampling_table"):
        sequence.skipgrams([1, 9], 10, sampling_table=np.ones(5))
    with pytest.raises(ValueError, match="vocabulary_size"):
        sequence.skipgrams([1, 2], 0)


# -- log_uniform_candidate_sampler ---------------------------------------------------------
def test_sampler_expected_counts_match_tensorflow():
    # without unique every try is kept: num_sampled * P(k), TF 2.21's numbers
    _, true_count, sampled_count = tf.random.log_uniform_candidate_sampler(
        np.array([[0, 3], [9, 1], [4095, 17]]), 2, 5, False, 4096, seed=1)
    tf_counts = [[0.41665440797805786, 0.1341327726840973], [0.05729145556688309, 0.24372723698616028],
                 [0.00014673630357719958, 0.032500095665454865]]
    assert true_count.dtype == np.float32 and true_count.shape == (3, 2)
    np.testing.assert_allclose(true_count.numpy(), tf_counts, rtol=1e-6)
    # TF drew [0, 6, 0] for seed 3 over range 10: counts 3 * P(k)
    np.testing.assert_allclose(_log_uniform_expected([0, 6, 0], 3, 3, 10),
                               [0.8671944737434387, 0.1670607477426529, 0.8671944737434387], rtol=1e-6)
    # unique: TF drew [0, 6, 4, 1] in 5 tries; counts 1 - (1 - P(k)) ** 5
    np.testing.assert_allclose(_log_uniform_expected([0, 6, 4, 1], 4, 5, 10),
                               [0.8183857202529907, 0.2491035908460617, 0.3265893757343292, 0.6039368510246277],
                               rtol=1e-6)
    np.testing.assert_allclose(_log_uniform_expected([[0], [5]], 4, 5, 10),
                               [[0.8183857202529907], [0.2826749086380005]], rtol=1e-6)


def test_sampler_unique_draws_and_consistent_counts():
    p = lambda k: np.log((k + 2.0) / (k + 1.0)) / np.log(11.0)
    for seed in range(5):
        s, true_count, sampled_count = tf.random.log_uniform_candidate_sampler(
            [[2]], 1, 6, True, 10, seed=seed)
        ids = s.numpy()
        assert s.dtype == np.int64 and ids.shape == (6,) and len(set(ids.tolist())) == 6
        assert ids.min() >= 0 and ids.max() < 10
        # one number of tries (>= 6) explains every count, by TF's formulas written out here
        fits = [t for t in range(6, 500) if np.allclose(
            sampled_count.numpy(), 6 * p(ids) if t == 6 else -np.expm1(t * np.log1p(-p(ids))), rtol=1e-5)]
        assert len(fits) == 1
        t = fits[0]
        np.testing.assert_allclose(true_count.numpy(), [[6 * p(2) if t == 6 else -np.expm1(t * np.log1p(-p(2)))]],
                                   rtol=1e-5)
    full, _, _ = tf.random.log_uniform_candidate_sampler([[0]], 1, 10, True, 10, seed=0)
    assert sorted(full.numpy().tolist()) == list(range(10))


def test_sampler_follows_the_log_uniform_distribution():
    s, _, _ = tf.random.log_uniform_candidate_sampler([[0]], 1, 200000, False, 20, seed=0)
    freq = np.bincount(s.numpy(), minlength=20) / 200000
    k = np.arange(20)
    np.testing.assert_allclose(freq, np.log((k + 2) / (k + 1)) / np.log(21), atol=4e-3)


def test_sampler_refuses_bad_input():
    with pytest.raises(ValueError, match="num_sampled"):
        tf.random.log_uniform_candidate_sampler([[0]], 1, 11, True, 10)
    with pytest.raises(ValueError, match=r"true_classes\[1, 0\] = 10"):
        tf.random.log_uniform_candidate_sampler([[0], [10]], 1, 2, False, 10)
    with pytest.raises(ValueError, match="num_true"):
        tf.random.log_uniform_candidate_sampler([[0, 1]], 1, 2, False, 10)


# -- the tutorial's program ------------------------------------------------------------------
def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    return tf.strings.regex_replace(lowercase, '[%s]' % re.escape(string.punctuation), '')


def generate_training_data(sequences, window_size, num_ns, vocab_size, seed):
    targets, contexts, labels = [], [], []
    sampling_table = tf.keras.preprocessing.sequence.make_sampling_table(vocab_size)
    for seq in sequences:
        positive_skip_grams, _ = tf.keras.preprocessing.sequence.skipgrams(
            seq, vocabulary_size=vocab_size, sampling_table=sampling_table,
            window_size=window_size, negative_samples=0)
        for target_word, context_word in positive_skip_grams:
            context_class = tf.expand_dims(tf.constant([context_word], dtype="int64"), 1)
            negative_sampling_candidates, _, _ = tf.random.log_uniform_candidate_sampler(
                true_classes=context_class, num_true=1, num_sampled=num_ns, unique=True,
                range_max=vocab_size, seed=seed, name="negative_sampling")
            context = tf.concat([tf.squeeze(context_class, 1), negative_sampling_candidates], 0)
            label = tf.constant([1] + [0] * num_ns, dtype="int64")
            targets.append(target_word)
            contexts.append(context)
            labels.append(label)
    return targets, contexts, labels


class Word2Vec(tf.keras.Model):
    def __init__(self, vocab_size, embedding_dim):
        super(Word2Vec, self).__init__()
        self.target_embedding = layers.Embedding(vocab_size, embedding_dim, name="w2v_embedding")
        self.context_embedding = layers.Embedding(vocab_size, embedding_dim)

    def call(self, pair):
        target, context = pair
        if len(target.shape) == 2:
            target = tf.squeeze(target, axis=1)
        word_emb = self.target_embedding(target)
        context_emb = self.context_embedding(context)
        return tf.einsum('be,bce->bc', word_emb, context_emb)


def test_word2vec_tutorial_runs(tmp_path):
    tf.random.set_seed(0)
    SEED, AUTOTUNE = 42, tf.data.AUTOTUNE
    rs = np.random.RandomState(0)
    words = "the king queen lord lady speak hear love death night day crown sword heart".split()
    path_to_file = tmp_path / "text.txt"
    with open(path_to_file, "w") as f:
        for i in range(600):
            f.write(" ".join(rs.choice(words, size=rs.randint(3, 12))).capitalize() + ".\n")
            if i % 7 == 0:
                f.write("\n")                                     # empty lines, filtered out
    text_ds = tf.data.TextLineDataset(str(path_to_file)).filter(lambda x: tf.cast(tf.strings.length(x), bool))
    vocab_size, sequence_length = 4096, 10
    vectorize_layer = layers.TextVectorization(standardize=custom_standardization, max_tokens=vocab_size,
                                               output_mode='int', output_sequence_length=sequence_length)
    vectorize_layer.adapt(text_ds.batch(1024))
    inverse_vocab = vectorize_layer.get_vocabulary()
    assert inverse_vocab[:2] == ['', '[UNK]'] and sorted(inverse_vocab[2:]) == sorted(words)
    text_vector_ds = text_ds.batch(1024).prefetch(AUTOTUNE).map(vectorize_layer).unbatch()
    sequences = list(text_vector_ds.as_numpy_iterator())
    assert len(sequences) == 600 and all(s.shape == (10,) for s in sequences)
    targets, contexts, labels = generate_training_data(sequences, window_size=2, num_ns=4,
                                                       vocab_size=vocab_size, seed=SEED)
    targets, contexts, labels = np.array(targets), np.array(contexts), np.array(labels)
    n = len(targets)
    assert n > 128 and contexts.shape == (n, 5) and labels.shape == (n, 5)
    assert (labels[:, 0] == 1).all() and (labels[:, 1:] == 0).all()

    BATCH_SIZE, BUFFER_SIZE = 64, 10000
    dataset = tf.data.Dataset.from_tensor_slices(((targets, contexts), labels))
    dataset = dataset.shuffle(BUFFER_SIZE).batch(BATCH_SIZE, drop_remainder=True)
    dataset = dataset.cache().prefetch(buffer_size=AUTOTUNE)
    word2vec = Word2Vec(vocab_size, 128)
    word2vec.compile(optimizer='adam', loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True),
                     metrics=['accuracy'])
    tensorboard_callback = tf.keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs"))
    history = word2vec.fit(dataset, epochs=2, callbacks=[tensorboard_callback], verbose=0)
    loss = history.history["loss"]
    assert len(loss) == 2 and loss[1] < loss[0] and abs(loss[0] - np.log(5)) < 0.05   # starts near ln 5
    assert set(history.history) == {"loss", "accuracy"}

    weights = word2vec.get_layer('w2v_embedding').get_weights()[0]
    vocab = vectorize_layer.get_vocabulary()
    assert weights.shape == (vocab_size, 128)
    out_v = io.open(tmp_path / 'vectors.tsv', 'w', encoding='utf-8')
    out_m = io.open(tmp_path / 'metadata.tsv', 'w', encoding='utf-8')
    for index, word in enumerate(vocab):
        if index == 0:
            continue
        out_v.write('\t'.join([str(x) for x in weights[index]]) + "\n")
        out_m.write(word + "\n")
    out_v.close()
    out_m.close()
    rows = (tmp_path / 'vectors.tsv').read_text().splitlines()
    assert len(rows) == len(vocab) - 1 and all(len(r.split('\t')) == 128 for r in rows)
    np.testing.assert_allclose(np.array(rows[0].split('\t'), float), weights[1], rtol=1e-6)
    assert (tmp_path / 'metadata.tsv').read_text().splitlines() == vocab[1:]


def test_subclassed_model_fits_a_list_or_tuple_of_arrays():
    tf.random.set_seed(1)
    model = Word2Vec(10, 4)
    model.compile(optimizer='adam', loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))
    t = np.arange(8) % 10
    c = np.arange(24).reshape(8, 3) % 10
    y = np.eye(3)[np.zeros(8, int)]
    h = model.fit([t, c], y, epochs=3, batch_size=4, verbose=0)
    assert h.history["loss"][2] < h.history["loss"][0]
    assert model.predict((t, c), verbose=0).shape == (8, 3)
    assert np.isfinite(model.evaluate((t, c), y, verbose=0))
    with pytest.raises(ValueError, match="different numbers of samples"):
        model.fit([t, c[:5]], y, epochs=1, verbose=0)
