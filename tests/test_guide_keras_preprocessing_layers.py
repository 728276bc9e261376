"""Keras's guide "Working with preprocessing layers" (keras.io guides/preprocessing_layers.py), run
renamed on stand-in data: random uint8 images in place of CIFAR-10 and a small convolutional model in
place of ResNet50(weights=None); everything else as the guide writes it (Normalization.adapt,
TextVectorization on the Greek text, StringLookup/IntegerLookup one_hot (int64, as Keras 3.15 gives a
call on data), Hashing with a salt (SipHash-2-4, TF's to_hash_bucket_strong), CategoryEncoding,
TextVectorization int / multi_hot / tf-idf with bigrams, end-to-end string models), plus Discretization
(int32 bins, as Keras 3.15) and a 1-D input to count / multi_hot lookups (one sample, as Keras).

Where Keras 3.15 itself stops (the guide's end-to-end multi_hot and tf-idf models: the symbolic
TextVectorization output is (None, 1, 41) for a (None, 1) string Input, and the model refuses it)
the program prints the eager output's shape instead. TF_OUTPUT was recorded from this program under
TensorFlow 2.21 / Keras 3.15 (/work/peers/bin/python)."""

from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

data = np.array([[0.1, 0.2, 0.3], [0.8, 0.9, 1.0], [1.5, 1.6, 1.7]])
layer = layers.Normalization()
layer.adapt(data)
normalized_data = layer(data)
print("Features mean: %.2f" % (normalized_data.numpy().mean()))
print("Features std: %.2f" % (normalized_data.numpy().std()))
print(normalized_data)
print(layer.mean, layer.variance)
data = [
    "ξεῖν᾽, ἦ τοι μὲν ὄνειροι ἀμήχανοι ἀκριτόμυθοι",
    "γίγνοντ᾽, οὐδέ τι πάντα τελείεται ἀνθρώποισι.",
    "δοιαὶ γάρ τε πύλαι ἀμενηνῶν εἰσὶν ὀνείρων:",
    "αἱ μὲν γὰρ κεράεσσι τετεύχαται, αἱ δ᾽ ἐλέφαντι:",
    "τῶν οἳ μέν κ᾽ ἔλθωσι διὰ πριστοῦ ἐλέφαντος,",
    "οἵ ῥ᾽ ἐλεφαίρονται, ἔπε᾽ ἀκράαντα φέροντες:",
    "οἱ δὲ διὰ ξεστῶν κεράων ἔλθωσι θύραζε,",
    "οἵ ῥ᾽ ἔτυμα κραίνουσι, βροτῶν ὅτε κέν τις ἴδηται.",
]
layer = layers.TextVectorization()
layer.adapt(data)
vectorized_text = layer(data)
print(vectorized_text)
print(layer.get_vocabulary()[:12], layer.vocabulary_size())
vocab = ["a", "b", "c", "d"]
data = tf.constant([["a", "c", "d"], ["d", "z", "b"]])
layer = layers.StringLookup(vocabulary=vocab)
vectorized_data = layer(data)
print(vectorized_data)
inv = layers.StringLookup(vocabulary=vocab, invert=True)
print(inv(vectorized_data))

from tensorflow import keras
from tensorflow.keras import layers
data_augmentation = keras.Sequential(
    [
        layers.RandomFlip("horizontal", seed=1),
        layers.RandomRotation(0.1),
        layers.RandomZoom(0.1),
    ]
)
data_augmentation.build((None, 32, 32, 3))   # (TF builds it when map traces; glassnet's map is lazy)
rng = np.random.default_rng(0)  # (CIFAR-10 in the guide)
x_train = rng.integers(0, 256, (80, 32, 32, 3)).astype("uint8")
y_train = rng.integers(0, 10, (80, 1)).astype("uint8")
input_shape = x_train.shape[1:]
classes = 10
train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
train_dataset = train_dataset.batch(16).map(lambda x, y: (data_augmentation(x), y))
inputs = keras.Input(shape=input_shape)
x = layers.Rescaling(1.0 / 255)(inputs)
x = layers.Conv2D(4, 3, strides=2, activation="relu")(x)   # (ResNet50(weights=None) in the guide)
outputs = layers.Dense(classes, activation="softmax")(layers.GlobalAveragePooling2D()(x))
model = keras.Model(inputs, outputs)
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
h = model.fit(train_dataset, steps_per_epoch=1, verbose=0)
print(list(h.history), len(h.history["loss"]))
model.summary()

x_train = x_train.reshape((len(x_train), -1))
input_shape = x_train.shape[1:]
normalizer = layers.Normalization()
normalizer.adapt(x_train)
print(normalizer.mean.shape, normalizer.variance.shape)
inputs = keras.Input(shape=input_shape)
x = normalizer(inputs)
outputs = layers.Dense(classes, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, verbose=0)
model.summary()

data = tf.constant([["a"], ["b"], ["c"], ["b"], ["c"], ["a"]])
lookup = layers.StringLookup(output_mode="one_hot")
lookup.adapt(data)
test_data = tf.constant([["a"], ["b"], ["c"], ["d"], ["e"], [""]])
encoded_data = lookup(test_data)
print(encoded_data)
print(lookup.get_vocabulary())

data = tf.constant([[10], [20], [20], [10], [30], [0]])
lookup = layers.IntegerLookup(output_mode="one_hot")
lookup.adapt(data)
test_data = tf.constant([[10], [10], [20], [50], [60], [0]])
encoded_data = lookup(test_data)
print(encoded_data)
print(lookup.get_vocabulary())

data = np.random.default_rng(1).integers(0, 100000, size=(10000, 1))
hasher = layers.Hashing(num_bins=64, salt=1337)
encoder = layers.CategoryEncoding(num_tokens=64, output_mode="multi_hot")
encoded_data = encoder(hasher(data))
print(encoded_data.shape)
print(hasher(np.array([[1], [2], [99999]])))
print(layers.Hashing(num_bins=64, salt=[3, 9], mask_value="")(np.array([["a"], [""], ["b"]])))
print(tf.strings.to_hash_bucket_strong(["", "hello", "12345678", "the quick brown fox jumps"], 2**31 - 1, [1337, -7]))
print(layers.StringLookup(vocabulary=["a", "b"], output_mode="count")(np.array(["a", "b", "b"])))
print(layers.IntegerLookup(vocabulary=[3, 4], output_mode="multi_hot")(np.array([[3, 4, 9], [9, 9, 9]])))
print(encoder(np.array([[1, 2], [3, 3]])))

adapt_data = tf.constant(
    [
        "The Brain is wider than the Sky",
        "For put them side by side",
        "The one the other will contain",
        "With ease and You beside",
    ]
)
text_vectorizer = layers.TextVectorization(output_mode="int")
text_vectorizer.adapt(adapt_data)
print("Encoded text:\\n", text_vectorizer(["The Brain is deeper than the sea"]).numpy())
inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(input_dim=text_vectorizer.vocabulary_size(), output_dim=16)(inputs)
x = layers.GRU(8)(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
train_dataset = tf.data.Dataset.from_tensor_slices(
    (["The Brain is deeper than the sea", "for if they are held Blue to Blue"], [1, 0])
)
train_dataset = train_dataset.batch(2).map(lambda x, y: (text_vectorizer(x), y))
print("\\nTraining model...")
model.compile(optimizer="rmsprop", loss="mse")
model.fit(train_dataset, verbose=0)
inputs = keras.Input(shape=(1,), dtype="string")
x = text_vectorizer(inputs)
outputs = model(x)
end_to_end_model = keras.Model(inputs, outputs)
print("\\nCalling end-to-end model on test string...")
test_data = tf.constant(["The one the other will absorb"])
test_output = end_to_end_model(test_data)
print("Model output:", test_output.shape, test_output.dtype)
end_to_end_model.summary()

text_vectorizer = layers.TextVectorization(output_mode="multi_hot", ngrams=2)
text_vectorizer.adapt(adapt_data)
print("Encoded text:\\n", text_vectorizer(["The Brain is deeper than the sea"]).numpy())
print(text_vectorizer.get_vocabulary())
inputs = keras.Input(shape=(text_vectorizer.vocabulary_size(),))
outputs = layers.Dense(1)(inputs)
model = keras.Model(inputs, outputs)
train_dataset = tf.data.Dataset.from_tensor_slices(
    (["The Brain is deeper than the sea", "for if they are held Blue to Blue"], [1, 0])
)
train_dataset = train_dataset.batch(2).map(lambda x, y: (text_vectorizer(x), y))
print("\\nTraining model...")
model.compile(optimizer="rmsprop", loss="mse")
model.fit(train_dataset, verbose=0)
# (the guide's end-to-end multi_hot model stops here under Keras 3.15: its symbolic output is
# (None, 1, 41) for a (None, 1) string Input, and the model wants (None, 41))
print(text_vectorizer(tf.constant([["The one the other will absorb"]])).shape)

text_vectorizer = layers.TextVectorization(output_mode="tf-idf", ngrams=2)
text_vectorizer.adapt(adapt_data)
print("Encoded text:\\n", text_vectorizer(["The Brain is deeper than the sea"]).numpy())
dz = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
print(dz(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])))
dz = layers.Discretization(num_bins=4, epsilon=0.01)
dz.adapt(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]))
print(dz(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])))
print(layers.Resizing(16, 16)(np.ones((2, 32, 32, 3))).shape, layers.CenterCrop(20, 20)(np.ones((2, 32, 32, 3))).shape)
"""

TF_OUTPUT = [
    'Features mean: 0.00',
    'Features std: 1.00',
    'tf.Tensor(',
    '[[-1.2247449 -1.2247449 -1.2247449]',
    ' [ 0.         0.         0.       ]',
    ' [ 1.2247449  1.224745   1.224745 ]], shape=(3, 3), dtype=float32)',
    'tf.Tensor([[0.8 0.9 1. ]], shape=(1, 3), dtype=float32) tf.Tensor([[0.32666665 0.32666665 0.32666665]], shape=(1, 3), dtype=float32)',
    'tf.Tensor(',
    '[[37 12 25  5  9 20 21  0  0]',
    ' [51 34 27 33 29 18  0  0  0]',
    ' [49 52 30 31 19 46 10  0  0]',
    ' [ 7  5 50 43 28  7 47 17  0]',
    ' [24 35 39 40  3  6 32 16  0]',
    ' [ 4  2 15 14 22 23  0  0  0]',
    ' [36 48  6 38 42  3 45  0  0]',
    ' [ 4  2 13 41 53  8 44 26 11]], shape=(8, 9), dtype=int64)',
    "['', '[UNK]', np.str_('ῥ᾽'), np.str_('ἔλθωσι'), np.str_('οἵ'), np.str_('μὲν'), np.str_('διὰ'), np.str_('αἱ'), np.str_('ὅτε'), np.str_('ὄνειροι'), np.str_('ὀνείρων'), np.str_('ἴδηται')] 54",
    'tf.Tensor(',
    '[[1 3 4]',
    ' [4 0 2]], shape=(2, 3), dtype=int64)',
    'tf.Tensor(',
    "[[b'a' b'c' b'd']",
    " [b'd' b'[UNK]' b'b']], shape=(2, 3), dtype=string)",
    "['loss'] 1",
    'Model: "functional_1"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer_1 (InputLayer)      │ (None, 32, 32, 3)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ rescaling (Rescaling)           │ (None, 32, 32, 3)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d (Conv2D)                 │ (None, 15, 15, 4)      │           112 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ global_average_pooling2d        │ (None, 4)              │             0 │',
    '│ (GlobalAveragePooling2D)        │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 10)             │            50 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 326 (1.28 KB)',
    ' Trainable params: 162 (648.00 B)',
    ' Non-trainable params: 0 (0.00 B)',
    ' Optimizer params: 164 (660.00 B)',
    '(1, 3072) (1, 3072)',
    'Model: "functional_2"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer_2 (InputLayer)      │ (None, 3072)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ normalization_1 (Normalization) │ (None, 3072)           │         6,145 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 10)             │        30,730 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 98,337 (384.14 KB)',
    ' Trainable params: 30,730 (120.04 KB)',
    ' Non-trainable params: 6,145 (24.01 KB)',
    ' Optimizer params: 61,462 (240.09 KB)',
    'tf.Tensor(',
    '[[0 0 0 1]',
    ' [0 0 1 0]',
    ' [0 1 0 0]',
    ' [1 0 0 0]',
    ' [1 0 0 0]',
    ' [1 0 0 0]], shape=(6, 4), dtype=int64)',
    "['[UNK]', np.str_('c'), np.str_('b'), np.str_('a')]",
    'tf.Tensor(',
    '[[0 0 1 0 0]',
    ' [0 0 1 0 0]',
    ' [0 1 0 0 0]',
    ' [1 0 0 0 0]',
    ' [1 0 0 0 0]',
    ' [0 0 0 0 1]], shape=(6, 5), dtype=int64)',
    '[-1, np.int64(20), np.int64(10), np.int64(30), np.int64(0)]',
    '(10000, 64)',
    'tf.Tensor(',
    '[[45]',
    ' [25]',
    ' [22]], shape=(3, 1), dtype=int64)',
    'tf.Tensor(',
    '[[59]',
    ' [ 0]',
    ' [58]], shape=(3, 1), dtype=int64)',
    'tf.Tensor([1506773567 1506884004 2130833135 1052619237], shape=(4,), dtype=int64)',
    'tf.Tensor([0 1 2], shape=(3,), dtype=int64)',
    'tf.Tensor(',
    '[[1 1 1]',
    ' [1 0 0]], shape=(2, 3), dtype=int64)',
    'tf.Tensor(',
    '[[0. 1. 1. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0.',
    '  0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0.',
    '  0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0.]',
    ' [0. 0. 0. 1. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0.',
    '  0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0.',
    '  0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0. 0.]], shape=(2, 64), dtype=float32)',
    'Encoded text:',
    ' [[ 2 19 14  1  9  2  1]]',
    '',
    'Training model...',
    '',
    'Calling end-to-end model on test string...',
    "Model output: (1, 1) <dtype: 'float32'>",
    'Model: "functional_4"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ input_layer_4 (InputLayer)      │ (None, 1)              │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ text_vectorization_1            │ (None, None)           │             0 │',
    '│ (TextVectorization)             │                        │               │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ functional_3 (Functional)       │ (None, 1)              │           985 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 985 (3.85 KB)',
    ' Trainable params: 985 (3.85 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'Encoded text:',
    ' [[1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 1 0 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0',
    '  1 1 0 0 0]]',
    "['[UNK]', np.str_('the'), np.str_('side'), np.str_('you beside'), np.str_('you'), np.str_('with ease'), np.str_('with'), np.str_('will contain'), np.str_('will'), np.str_('wider than'), np.str_('wider'), np.str_('them side'), np.str_('them'), np.str_('the sky'), np.str_('the other'), np.str_('the one'), np.str_('the brain'), np.str_('than the'), np.str_('than'), np.str_('sky'), np.str_('side by'), np.str_('put them'), np.str_('put'), np.str_('other will'), np.str_('other'), np.str_('one the'), np.str_('one'), np.str_('is wider'), np.str_('is'), np.str_('for put'), np.str_('for'), np.str_('ease and'), np.str_('ease'), np.str_('contain'), np.str_('by side'), np.str_('by'), np.str_('brain is'), np.str_('brain'), np.str_('beside'), np.str_('and you'), np.str_('and')]",
    '',
    'Training model...',
    '(1, 41)',
    'Encoded text:',
    ' [[5.461647  1.6945957 0.        0.        0.        0.        0.',
    '  0.        0.        0.        0.        0.        0.        0.',
    '  0.        0.        1.0986123 1.0986123 1.0986123 0.        0.',
    '  0.        0.        0.        0.        0.        0.        0.',
    '  1.0986123 0.        0.        0.        0.        0.        0.',
    '  0.        1.0986123 1.0986123 0.        0.        0.       ]]',
    'tf.Tensor(',
    '[[0 2 3 1]',
    ' [1 3 2 1]], shape=(2, 4), dtype=int32)',
    'tf.Tensor(',
    '[[0 2 3 2]',
    ' [1 3 3 1]], shape=(2, 4), dtype=int32)',
    '(2, 16, 16, 3) (2, 20, 20, 3)',
    '',
]


def test_preprocessing_layers():
    keras.backend.clear_session()               # names count as in a fresh process
    assert_guide_prints(renamed(PROGRAM), "preprocessing_layers", TF_OUTPUT)
