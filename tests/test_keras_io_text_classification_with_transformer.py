"""keras.io's example "Text classification with Transformer" (examples/nlp/text_classification_with_transformer.py),
run renamed on a stand-in imdb.npz in IMDB's layout (64 training and 32 test reviews of Zipf-drawn
word ids, put in glassnet's cache): keras.datasets.imdb.load_data(num_words=), keras.utils.pad_sequences,
the TransformerBlock(layers.Layer) with MultiHeadAttention, a Sequential feed-forward and
LayerNormalization, TokenAndPositionEmbedding with ops.shape(x)[-1] and ops.arange, the model's
summary (MultiHeadAttention's build takes the names of Keras's Softmax and Dropout sublayers, so
the next Dropout is dropout_3), fit with validation_data. TF_OUTPUT was recorded under
TensorFlow 2.21 / Keras 3.15 with the same file in Keras's cache.

Also here: glassnet.datasets.imdb.load_data itself against what Keras 3.15's loader gave on a
small file (shuffle by seed, start_char / index_from / oov_char / skip_top / num_words / maxlen),
and its refusals.

Not matched (left): the weights' paths of a layer's sublayers. Keras names them from where they
were built ("transformer_block/multi_head_attention/query/kernel"); glassnet from the sublayer
alone ("multi_head_attention/query/kernel").
"""
import fractions

import numpy as np
import pytest

from conftest import assert_guide_prints, renamed

from glassnet import keras
from glassnet.datasets import _fetch, imdb

PROGRAM = """\
import keras
from keras import ops
from keras import layers
import numpy as np
keras.utils.set_random_seed(0)
class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential(
            [
                layers.Dense(ff_dim, activation="relu"),
                layers.Dense(embed_dim),
            ]
        )
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output)
        return self.layernorm2(out1 + ffn_output)

class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions

vocab_size = 20000
maxlen = 200
(x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=vocab_size)
print(len(x_train), "Training sequences")
print(len(x_val), "Validation sequences")
print(type(x_train), x_train.dtype, y_train.dtype, x_train[0][:10], max(len(x) for x in x_train))
x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen)
print(x_train.shape, x_train.dtype, x_train[0, -5:], x_val[3, :3])
embed_dim = 32
num_heads = 2
ff_dim = 32
inputs = layers.Input(shape=(maxlen,))
embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
x = embedding_layer(inputs)
print(x.shape, x.dtype)
transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
x = transformer_block(x)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dropout(0.1)(x)
x = layers.Dense(20, activation="relu")(x)
x = layers.Dropout(0.1)(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.summary()
print(ops.shape(x_train), ops.arange(start=0, stop=5, step=1), ops.shape(ops.convert_to_tensor(x_train))[-1])
model.compile(
    optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
history = model.fit(
    x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val), verbose=0
)
print(sorted(history.history), [type(v[0]) for v in history.history.values()])
print(model.predict(x_val[:2], verbose=0).shape)
"""

TF_OUTPUT = [
    '64 Training sequences',
    '32 Validation sequences',
    "<class 'numpy.ndarray'> object int64 [1, 8, 6, 4, 5, 7, 19, 4, 195, 9] 260",
    '(64, 200) int32 [ 7 17  4 80  4] [0 0 0]',
    '(None, 200, 32) float32',
    'Model: "functional_1"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer (InputLayer)        │ (None, 200)            │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ token_and_position_embedding    │ (None, 200, 32)        │       646,400 │',
    '│ (TokenAndPositionEmbedding)     │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ transformer_block               │ (None, 200, 32)        │        10,656 │',
    '│ (TransformerBlock)              │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_average_pooling1d        │ (None, 32)             │             0 │',
    '│ (GlobalAveragePooling1D)        │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_3 (Dropout)             │ (None, 32)             │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_2 (Dense)                 │ (None, 20)             │           660 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_4 (Dropout)             │ (None, 20)             │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_3 (Dense)                 │ (None, 2)              │            42 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 657,758 (2.51 MB)',
    ' Trainable params: 657,758 (2.51 MB)',
    ' Non-trainable params: 0 (0.00 B)',
    '(64, 200) tf.Tensor([0 1 2 3 4], shape=(5,), dtype=int32) 200',
    "['accuracy', 'loss', 'val_accuracy', 'val_loss'] [<class 'float'>, <class 'float'>, <class 'float'>, <class 'float'>]",
    '(2, 2)',
    '',
]


def _stand_in(path, n_train=64, n_test=32, vocab=20000, seed=0):
    """IMDB's layout: object arrays of lists of word ids (1 the most frequent), 0/1 labels."""
    rng = np.random.default_rng(seed)

    def split(n):
        x = np.empty(n, dtype=object)
        for i in range(n):
            x[i] = [int(v) for v in np.minimum(rng.zipf(1.5, int(rng.integers(20, 260))), vocab + 500)]
        return x, rng.integers(0, 2, n)
    (xt, yt), (xv, yv) = split(n_train), split(n_test)
    np.savez(path, x_train=xt, y_train=yt, x_test=xv, y_test=yv)


@pytest.fixture
def imdb_cache(tmp_path, monkeypatch):
    """A stand-in imdb.npz in glassnet's cache, accepted by its hash; no download."""
    folder = tmp_path / "home" / "datasets"
    folder.mkdir(parents=True)
    _stand_in(folder / "imdb.npz")
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(imdb, "SHA256", _fetch.sha256(str(folder / "imdb.npz")))
    monkeypatch.setattr(imdb, "_urlopen", lambda *a: pytest.fail("no download expected"))
    monkeypatch.chdir(tmp_path)
    return folder / "imdb.npz"


def test_text_classification_with_transformer(imdb_cache):
    keras.backend.clear_session()               # layer names count as in a fresh process
    assert_guide_prints(renamed(PROGRAM), "text_classification_with_transformer", TF_OUTPUT)


# --- the loader against Keras 3.15's on a small file ------------------------------------------

def _small(path):
    rng = np.random.default_rng(7)

    def split(n):
        x = np.empty(n, dtype=object)
        for i in range(n):
            x[i] = [int(v) for v in rng.integers(1, 40, int(rng.integers(2, 9)))]
        return x, rng.integers(0, 2, n)
    (xt, yt), (xv, yv) = split(8), split(6)
    np.savez(path, x_train=xt, y_train=yt, x_test=xv, y_test=yv)


KERAS_LOADS = [
    '{} object (8,) int64 (6,)',
    '[[1, 15, 38, 39, 4], [1, 15, 17, 14, 32, 13, 2, 21], [1, 10, 37, 27, 8, 5, 21, 5], [1, 28, 30, 38, 26, 34, 36, 12, 6], [1, 24, 41], [1, 36, 9, 35, 8, 22], [1, 23, 26, 25, 23, 2], [1, 34, 31, 28, 17, 2, 22, 12]] [1, 1, 1, 0, 0, 1, 1, 0] [[1, 32, 18, 23], [1, 28, 36], [1, 10, 24, 14, 41, 38, 11], [1, 41, 30, 38], [1, 18, 13, 2, 4, 7], [1, 40, 37, 31, 28, 5]] [0, 0, 1, 0, 1, 1]',
    "{'num_words': 20} object (8,) int64 (6,)",
    '[[1, 15, 2, 2, 4], [1, 15, 17, 14, 2, 13, 2, 2], [1, 10, 2, 2, 8, 5, 2, 5], [1, 2, 2, 2, 2, 2, 2, 12, 6], [1, 2, 2], [1, 2, 9, 2, 8, 2], [1, 2, 2, 2, 2, 2], [1, 2, 2, 2, 17, 2, 2, 12]] [1, 1, 1, 0, 0, 1, 1, 0] [[1, 2, 18, 2], [1, 2, 2], [1, 10, 2, 14, 2, 2, 11], [1, 2, 2, 2], [1, 18, 13, 2, 4, 7], [1, 2, 2, 2, 2, 5]] [0, 0, 1, 0, 1, 1]',
    "{'num_words': 30, 'skip_top': 6, 'maxlen': 8} object (4,) int64 (6,)",
    '[[2, 15, 2, 2, 2], [2, 24, 2], [2, 2, 9, 2, 8, 22], [2, 23, 26, 25, 23, 2]] [1, 0, 1, 1] [[2, 2, 18, 23], [2, 28, 2], [2, 10, 24, 14, 2, 2, 11], [2, 2, 2, 2], [2, 18, 13, 2, 2, 7], [2, 2, 2, 2, 28, 2]] [0, 0, 1, 0, 1, 1]',
    "{'oov_char': None, 'num_words': 12, 'start_char': None, 'index_from': 0} object (8,) int64 (6,)",
    '[[1], [11, 10], [7, 5, 2, 2], [9, 3], [], [6, 5], [], [9]] [1, 1, 1, 0, 0, 1, 1, 0] [[], [], [7, 11, 8], [], [10, 1, 4], [2]] [0, 0, 1, 0, 1, 1]',
    "{'seed': 1, 'maxlen': 6} object (2,) int64 (3,)",
    '[[1, 24, 2], [1, 15, 38, 39, 4]] [0, 1] [[1, 32, 18, 23], [1, 28, 36], [1, 2, 30, 38]] [0, 0, 0]',
]


def test_load_data_gives_what_keras_gives(tmp_path):
    _small(tmp_path / "imdb.npz")
    lines = []
    for kw in [{}, {"num_words": 20}, {"num_words": 30, "skip_top": 6, "maxlen": 8},
               {"oov_char": None, "num_words": 12, "start_char": None, "index_from": 0}, {"seed": 1, "maxlen": 6}]:
        (a, b), (c, d) = imdb.load_data(tmp_path / "imdb.npz", **kw)
        lines.append(f"{kw} {a.dtype} {a.shape} {b.dtype} {c.shape}")
        lines.append(f"{[list(r) for r in a]} {b.tolist()} {[list(r) for r in c]} {d.tolist()}")
    assert lines == KERAS_LOADS
    with pytest.raises(ValueError, match="no sequence was kept. Increase maxlen"):
        imdb.load_data(tmp_path / "imdb.npz", maxlen=2)


def test_load_data_refusals(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        imdb.load_data(tmp_path / "nowhere.npz")
    np.savez(tmp_path / "partial.npz", x_train=np.zeros(2), y_train=np.zeros(2))
    with pytest.raises(ValueError, match="lacks the array 'x_test'"):
        imdb.load_data(tmp_path / "partial.npz")
    _small(tmp_path / "imdb.npz")
    with pytest.raises(ValueError, match="num_words must be a non-negative integer"):
        imdb.load_data(tmp_path / "imdb.npz", num_words=-1)
    with pytest.raises(TypeError, match="unrecognized keyword"):
        imdb.load_data(tmp_path / "imdb.npz", nb_words=10)
    # an object array whose pickle would build something other than arrays, lists and numbers
    hostile = np.empty(1, dtype=object)
    hostile[0] = fractions.Fraction(1, 3)       # a class the unpickler refuses to look up
    np.savez(tmp_path / "hostile.npz", x_train=hostile, y_train=np.zeros(1), x_test=hostile, y_test=np.zeros(1))
    with pytest.raises(ValueError, match="cannot read"):
        imdb.load_data(tmp_path / "hostile.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="as an .npz file"):
        imdb.load_data(tmp_path / "text.npz")


def test_get_word_index_reads_a_local_table(tmp_path, monkeypatch):
    (tmp_path / "imdb_word_index.json").write_text('{"the": 1, "and": 2, "movie": 17}')
    assert imdb.get_word_index(tmp_path / "imdb_word_index.json") == {"the": 1, "and": 2, "movie": 17}
    (tmp_path / "bad.json").write_text('{"the": "one"}')
    with pytest.raises(ValueError, match="not a table of words"):
        imdb.get_word_index(tmp_path / "bad.json")
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "gn"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.chdir(tmp_path / "..")

    def offline(url, timeout):
        raise OSError("offline")
    monkeypatch.setattr(imdb, "_urlopen", offline)
    with pytest.raises(ConnectionError, match="imdb_word_index.json"):
        imdb.get_word_index()
    assert not (tmp_path / "gn").exists()               # nothing half-written
