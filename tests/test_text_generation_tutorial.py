"""TensorFlow's tutorial "Text generation with an RNN" (Shakespeare), written as it is with
``import glassnet as tf``, on a small stand-in text: StringLookup on unicode_split's ragged
rows, a Dataset of id sequences, a subclassed model around GRU(return_sequences=True,
return_state=True) called with initial_state, fit with ModelCheckpoint, then OneStep's
generation loop (SparseTensor mask, ragged ids' to_tensor, random.categorical, states carried
from one call to the next) and the "customized training" loop of train_step calls. Also the
pieces alone: random.categorical, sparse.to_dense, RaggedList.to_tensor."""
from __future__ import annotations

import os

import numpy as np
import pytest

import glassnet as tf

TEXT = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
        "First Citizen:\nYou are all resolved rather to die than to famish?\n\nAll:\nResolved. resolved.\n") * 6


def _lookups(text):
    vocab = sorted(set(text))
    ids_from_chars = tf.keras.layers.StringLookup(vocabulary=list(vocab), mask_token=None)
    chars_from_ids = tf.keras.layers.StringLookup(vocabulary=ids_from_chars.get_vocabulary(), invert=True,
                                                  mask_token=None)
    return ids_from_chars, chars_from_ids


class MyModel(tf.keras.Model):
    def __init__(self, vocab_size, embedding_dim, rnn_units):
        super().__init__(self)
        self.embedding = tf.keras.layers.Embedding(vocab_size, embedding_dim)
        self.gru = tf.keras.layers.GRU(rnn_units, return_sequences=True, return_state=True)
        self.dense = tf.keras.layers.Dense(vocab_size)

    def call(self, inputs, states=None, return_state=False, training=False):
        x = inputs
        x = self.embedding(x, training=training)
        if states is None:
            states = self.gru.get_initial_state(x)
        x, states = self.gru(x, initial_state=states, training=training)
        x = self.dense(x, training=training)
        if return_state:
            return x, states
        else:
            return x


class OneStep(tf.keras.Model):
    def __init__(self, model, chars_from_ids, ids_from_chars, temperature=1.0):
        super().__init__()
        self.temperature = temperature
        self.model = model
        self.chars_from_ids = chars_from_ids
        self.ids_from_chars = ids_from_chars
        skip_ids = self.ids_from_chars(['[UNK]'])[:, None]
        sparse_mask = tf.SparseTensor(values=[-float('inf')] * len(skip_ids), indices=skip_ids,
                                      dense_shape=[len(ids_from_chars.get_vocabulary())])
        self.prediction_mask = tf.sparse.to_dense(sparse_mask)

    @tf.function
    def generate_one_step(self, inputs, states=None):
        input_chars = tf.strings.unicode_split(inputs, 'UTF-8')
        input_ids = self.ids_from_chars(input_chars).to_tensor()
        predicted_logits, states = self.model(inputs=input_ids, states=states, return_state=True)
        predicted_logits = predicted_logits[:, -1, :]
        predicted_logits = predicted_logits / self.temperature
        predicted_logits = predicted_logits + self.prediction_mask
        predicted_ids = tf.random.categorical(predicted_logits, num_samples=1)
        predicted_ids = tf.squeeze(predicted_ids, axis=-1)
        predicted_chars = self.chars_from_ids(predicted_ids)
        return predicted_chars, states


def _dataset(ids_from_chars, seq_length=20, batch_size=8):
    all_ids = ids_from_chars(tf.strings.unicode_split(TEXT, 'UTF-8'))
    ids_dataset = tf.data.Dataset.from_tensor_slices(all_ids)
    sequences = ids_dataset.batch(seq_length + 1, drop_remainder=True)

    def split_input_target(sequence):
        return sequence[:-1], sequence[1:]
    dataset = sequences.map(split_input_target)
    return (dataset.shuffle(100).batch(batch_size, drop_remainder=True)
            .prefetch(tf.data.experimental.AUTOTUNE))


def test_the_tutorial_trains_checkpoints_and_generates(tmp_path):
    tf.random.set_seed(3)
    ids_from_chars, chars_from_ids = _lookups(TEXT)
    # the tutorial's first look at the lookups: ragged ids and back
    chars = tf.strings.unicode_split(['Citizen', 'xyz'], input_encoding='UTF-8')
    ids = ids_from_chars(chars)
    assert [len(r) for r in ids] == [7, 3]
    # 'x' is not in the text ('z' is: Citizen): [UNK] (id 0) and back
    assert tf.strings.reduce_join(chars_from_ids(ids), axis=-1).numpy().tolist() == [b'Citizen', b'[UNK]yz']
    padded = ids.to_tensor()
    assert padded.shape == (2, 7) and padded.numpy()[1, 3:].tolist() == [0, 0, 0, 0]

    dataset = _dataset(ids_from_chars)
    vocab_size = len(ids_from_chars.get_vocabulary())
    model = MyModel(vocab_size=vocab_size, embedding_dim=16, rnn_units=32)
    for input_example_batch, target_example_batch in dataset.take(1):
        example_batch_predictions = model(input_example_batch)
    assert example_batch_predictions.shape == (8, 20, vocab_size)
    sampled = tf.squeeze(tf.random.categorical(example_batch_predictions[0], num_samples=1), axis=-1).numpy()
    assert sampled.shape == (20,) and sampled.dtype == np.int64 and 0 <= sampled.min() and sampled.max() < vocab_size
    loss = tf.losses.SparseCategoricalCrossentropy(from_logits=True)
    start_loss = float(loss(target_example_batch, example_batch_predictions))
    assert abs(np.exp(start_loss) - vocab_size) < 0.2 * vocab_size    # untrained: about uniform
    model.compile(optimizer='adam', loss=loss)

    # the tutorial's TensorFlow 2 checkpoint prefix: Keras 3 (and so glassnet) asks for .weights.h5
    checkpoint_prefix = os.path.join(str(tmp_path / "training_checkpoints"), "ckpt_{epoch}")
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`.*ckpt_\{epoch\}"):
        tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_prefix, save_weights_only=True)
    checkpoint_callback = tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_prefix + ".weights.h5",
                                                             save_weights_only=True)
    history = model.fit(dataset, epochs=4, callbacks=[checkpoint_callback], verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] and all(b < a for a, b in zip(losses, losses[1:]))     # the loss goes down
    assert sorted(os.listdir(tmp_path / "training_checkpoints")) == [f"ckpt_{i}.weights.h5" for i in range(1, 5)]

    one_step_model = OneStep(model, chars_from_ids, ids_from_chars)
    assert one_step_model.prediction_mask.numpy()[0] == -np.inf and np.isfinite(one_step_model.prediction_mask[1:]).all()
    states = None
    next_char = tf.constant(['ROMEO:'])
    result = [next_char]
    for n in range(12):
        next_char, states = one_step_model.generate_one_step(next_char, states=states)
        result.append(next_char)
    result = tf.strings.join(result)
    text = result[0].numpy().decode('utf-8')
    assert text.startswith('ROMEO:') and len(text) == 6 + 12
    assert set(text[6:]) <= set(TEXT)                                # never [UNK]: its logit is -inf
    assert np.shape(states) == (1, 32)

    next_char = tf.constant(['ROMEO:'] * 5)                         # a batch of 5 generated together
    result, states = [next_char], None
    for n in range(4):
        next_char, states = one_step_model.generate_one_step(next_char, states=states)
        result.append(next_char)
    assert tf.strings.join(result).shape == (5,) and np.shape(states) == (5, 32)


def test_generation_carries_the_states_it_is_given():
    """generate_one_step on one character with the states of the text before it predicts as the
    model does on the whole text: the GRU started from h_0 = the given states."""
    tf.random.set_seed(0)
    ids_from_chars, _ = _lookups(TEXT)
    model = MyModel(vocab_size=len(ids_from_chars.get_vocabulary()), embedding_dim=8, rnn_units=16)
    ids = ids_from_chars(tf.strings.unicode_split(['First Citizen'], 'UTF-8')).to_tensor()
    whole, _ = model(ids, return_state=True)
    _, states = model(ids[:, :-1], return_state=True)
    last, _ = model(ids[:, -1:], states=states, return_state=True)
    np.testing.assert_allclose(last[:, -1], whole[:, -1], rtol=1e-5, atol=1e-6)


def test_customized_training_steps_lower_the_loss():
    """The tutorial's "advanced: customized training": train_step written with a GradientTape,
    called batch by batch in a loop of one's own."""
    tf.random.set_seed(1)
    ids_from_chars, _ = _lookups(TEXT)
    dataset = _dataset(ids_from_chars)

    class CustomTraining(MyModel):
        @tf.function
        def train_step(self, inputs):
            inputs, labels = inputs
            with tf.GradientTape() as tape:
                predictions = self(inputs, training=True)
                loss = self.loss(labels, predictions)
            grads = tape.gradient(loss, model.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return {'loss': loss}

    model = CustomTraining(vocab_size=len(ids_from_chars.get_vocabulary()), embedding_dim=16, rnn_units=32)
    model.compile(optimizer=tf.keras.optimizers.Adam(),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    mean = tf.metrics.Mean()
    epochs = []
    for epoch in range(3):
        mean.reset_state()
        for (batch_n, (inp, target)) in enumerate(dataset):
            logs = model.train_step([inp, target])
            mean.update_state(logs['loss'])
        epochs.append(float(mean.result()))
    assert epochs[2] < epochs[1] < epochs[0]
    assert all(v.grad is None or np.isfinite(v.grad).all() for v in model.trainable_variables)


def test_categorical_draws_the_softmax_and_never_a_minus_inf():
    logits = np.log([[0.2, 0.3, 0.5], [0.5, 0.5, 1e-300]])
    logits[1, 2] = -np.inf
    draws = tf.random.categorical(logits, num_samples=20000, seed=4).numpy()
    assert draws.shape == (2, 20000) and draws.dtype == np.int64
    np.testing.assert_allclose(np.bincount(draws[0], minlength=3) / 20000, [0.2, 0.3, 0.5], atol=0.015)
    assert 2 not in draws[1]
    assert tf.random.categorical(logits, 3, dtype="int32").dtype == np.int32
    with pytest.raises(ValueError, match="2-D"):
        tf.random.categorical([0.0, 1.0], 1)
    with pytest.raises(ValueError, match="row 0 has no finite maximum"):
        tf.random.categorical([[-np.inf, -np.inf]], 1)


def test_sparse_to_dense_and_its_refusals():
    s = tf.sparse.SparseTensor(indices=[[0, 2], [1, 0]], values=[1.5, -2.0], dense_shape=[2, 3])
    assert s.shape == (2, 3) and s.dtype == np.float32
    np.testing.assert_array_equal(tf.sparse.to_dense(s), [[0, 0, 1.5], [-2.0, 0, 0]])
    np.testing.assert_array_equal(tf.sparse.to_dense(s, default_value=9.0), [[9, 9, 1.5], [-2.0, 9, 9]])
    back = tf.sparse.from_dense(tf.sparse.to_dense(s))
    np.testing.assert_array_equal(back.indices, [[0, 2], [1, 0]])
    with pytest.raises(ValueError, match=r"indices\[1\] = \[0, 3\] is out of bounds"):
        tf.sparse.to_dense(tf.sparse.SparseTensor([[0, 0], [0, 3]], [1.0, 2.0], [2, 3]))
    with pytest.raises(ValueError, match=r"indices\[1\] = \[0, 0\] is out of order"):
        tf.sparse.to_dense(tf.sparse.SparseTensor([[1, 0], [0, 0]], [1.0, 2.0], [2, 3]))
    with pytest.raises(ValueError, match="one value per index row"):
        tf.sparse.SparseTensor([[0]], [1.0, 2.0], [3])
    with pytest.raises(ValueError, match="rank 1"):
        tf.sparse.SparseTensor([[0, 1]], [1.0], [3])


def test_ragged_to_tensor_pads_as_tensorflow():
    chars = tf.strings.unicode_split(['ab', '', 'cde'], 'UTF-8')
    assert chars.to_tensor().numpy().tolist() == [[b'a', b'b', b''], [b'', b'', b''], [b'c', b'd', b'e']]
    assert chars.to_tensor(default_value=b'#', shape=[None, 2]).numpy().tolist() == [[b'a', b'b'], [b'#', b'#'],
                                                                                     [b'c', b'd']]
    ids = tf.keras.layers.StringLookup(vocabulary=list('abcde'), mask_token=None)(chars)
    assert ids.to_tensor().numpy().tolist() == [[1, 2, 0], [0, 0, 0], [3, 4, 5]]
    assert ids.to_tensor(default_value=-1).numpy().tolist() == [[1, 2, -1], [-1, -1, -1], [3, 4, 5]]
