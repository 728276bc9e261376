"""Every registered activation, loss, layer and optimizer is checked here automatically:
a gradient check, and "trains through fit and moves its weights". A new one without an
example below fails ``test_every_*_has_an_example``, so it cannot be forgotten."""
from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import activations, layers, losses, optimizers
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input

RNG = np.random.default_rng(0)

# -- layers: how to make one, and an input shape (batch first; a list of shapes for a layer
#    that takes a list of inputs, as the merge layers) -------------------------------------------
LAYER_EXAMPLES = {
    "Dense": (lambda: layers.Dense(3, activation="tanh", kernel_regularizer="l2"), (4, 5)),
    "Activation": (lambda: layers.Activation("softplus"), (4, 5)),
    "Dropout": (lambda: layers.Dropout(0.3), (4, 5)),
    "Lambda": (lambda: layers.Lambda(lambda x: x * x * 0.5 + np.exp(-x)), (4, 5)),
    "Flatten": (lambda: layers.Flatten(), (4, 2, 3)),
    "Normalization": (lambda: layers.Normalization(mean=0.5, variance=2.0), (4, 5)),
    "ReLU": (lambda: layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.2), (4, 5)),
    "LeakyReLU": (lambda: layers.LeakyReLU(negative_slope=0.2), (4, 5)),
    "ELU": (lambda: layers.ELU(alpha=0.7), (4, 5)),
    "PReLU": (lambda: layers.PReLU(alpha_initializer="ones", shared_axes=[1]), (4, 3, 5)),
    "Softmax": (lambda: layers.Softmax(), (4, 5)),
    "Conv1D": (lambda: layers.Conv1D(3, 3, padding="same", activation="tanh"), (4, 7, 2)),
    "Conv2D": (lambda: layers.Conv2D(3, (3, 2), strides=(2, 1), padding="same", kernel_regularizer="l2"), (4, 6, 5, 2)),
    "MaxPooling1D": (lambda: layers.MaxPooling1D(2), (4, 6, 3)),
    "Conv3D": (lambda: layers.Conv3D(2, (2, 3, 2), strides=(1, 2, 1), padding="same", activation="tanh",
                                     kernel_constraint="max_norm", activity_regularizer="l2"), (3, 4, 5, 3, 2)),
    "MaxPooling3D": (lambda: layers.MaxPooling3D(2, padding="same"), (3, 3, 4, 4, 2)),
    "AveragePooling3D": (lambda: layers.AveragePooling3D((2, 1, 2), strides=1), (3, 3, 4, 4, 2)),
    "GlobalAveragePooling3D": (lambda: layers.GlobalAveragePooling3D(), (3, 3, 4, 2, 2)),
    "GlobalMaxPooling3D": (lambda: layers.GlobalMaxPooling3D(), (3, 3, 4, 2, 2)),
    "MaxPooling2D": (lambda: layers.MaxPooling2D(2), (4, 6, 6, 2)),
    "AveragePooling1D": (lambda: layers.AveragePooling1D(2, padding="same"), (4, 7, 3)),
    "AveragePooling2D": (lambda: layers.AveragePooling2D((2, 3)), (4, 6, 6, 2)),
    "GlobalAveragePooling1D": (lambda: layers.GlobalAveragePooling1D(), (4, 6, 3)),
    "GlobalAveragePooling2D": (lambda: layers.GlobalAveragePooling2D(), (4, 5, 5, 2)),
    "GlobalMaxPooling1D": (lambda: layers.GlobalMaxPooling1D(), (4, 6, 3)),
    "GlobalMaxPooling2D": (lambda: layers.GlobalMaxPooling2D(), (4, 5, 5, 2)),
    "Reshape": (lambda: layers.Reshape((3, 4)), (4, 12)),
    "RepeatVector": (lambda: layers.RepeatVector(3), (4, 5)),
    "Permute": (lambda: layers.Permute((2, 1)), (4, 3, 5)),
    "Identity": (lambda: layers.Identity(), (4, 5)),
    "Conv2DTranspose": (lambda: layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="tanh"), (4, 3, 4, 2)),
    "Conv1DTranspose": (lambda: layers.Conv1DTranspose(2, 3, strides=2, output_padding=1), (4, 5, 3)),
    "Conv3DTranspose": (lambda: layers.Conv3DTranspose(2, (2, 3, 2), strides=(2, 1, 2), activation="tanh"),
                        (4, 2, 3, 2, 2)),
    "DepthwiseConv2D": (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), (4, 5, 4, 2)),
    "SeparableConv2D": (lambda: layers.SeparableConv2D(3, (2, 3), strides=2, depthwise_regularizer="l2"), (4, 6, 5, 2)),
    "DepthwiseConv1D": (lambda: layers.DepthwiseConv1D(3, depth_multiplier=2, activation="tanh"), (4, 6, 2)),
    "SeparableConv1D": (lambda: layers.SeparableConv1D(3, 2, strides=2, padding="same"), (4, 7, 2)),
    "UpSampling1D": (lambda: layers.UpSampling1D(3), (4, 4, 2)),
    "UpSampling2D": (lambda: layers.UpSampling2D((2, 3)), (4, 3, 2, 2)),
    "ZeroPadding1D": (lambda: layers.ZeroPadding1D((1, 2)), (4, 4, 2)),
    "ZeroPadding2D": (lambda: layers.ZeroPadding2D(((1, 0), (2, 1))), (4, 3, 4, 2)),
    "Cropping1D": (lambda: layers.Cropping1D((1, 2)), (4, 6, 2)),
    "Cropping2D": (lambda: layers.Cropping2D(((1, 0), (1, 2))), (4, 5, 6, 2)),
    "TimeDistributed": (lambda: layers.TimeDistributed(layers.Dense(3, activation="tanh")), (4, 5, 3)),
    "Rescaling": (lambda: layers.Rescaling(0.5, offset=-1.0), (4, 5)),
    "BatchNormalization": (lambda: layers.BatchNormalization(), (4, 5)),
    "LayerNormalization": (lambda: layers.LayerNormalization(), (4, 3, 5)),
    "GroupNormalization": (lambda: layers.GroupNormalization(groups=2), (4, 3, 4)),
    "UnitNormalization": (lambda: layers.UnitNormalization(), (4, 5)),
    "MultiHeadAttention": (lambda: layers.MultiHeadAttention(num_heads=2, key_dim=3, use_bias=False),   # (the key's
                           [(4, 3, 5), (4, 2, 6)]),     # bias has no gradient: softmax ignores a constant per row)
    "Attention": (lambda: layers.Attention(use_scale=True), [(4, 3, 5), (4, 2, 5)]),
    "EinsumDense": (lambda: layers.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de"), (4, 3, 5)),
    "AdditiveAttention": (lambda: layers.AdditiveAttention(), [(4, 3, 5), (4, 2, 5)]),
    # noise layers (layers/noise.py): the identity in gradcheck (inference), noise in fit
    "GaussianNoise": (lambda: layers.GaussianNoise(0.1), (4, 5)),
    "GaussianDropout": (lambda: layers.GaussianDropout(0.2), (4, 5)),
    "AlphaDropout": (lambda: layers.AlphaDropout(0.2), (4, 5)),
    "SpatialDropout1D": (lambda: layers.SpatialDropout1D(0.2), (4, 3, 5)),
    "SpatialDropout2D": (lambda: layers.SpatialDropout2D(0.2), (4, 3, 3, 2)),
    "ActivityRegularization": (lambda: layers.ActivityRegularization(l1=0.01, l2=0.01), (4, 5)),
    "Add": (lambda: layers.Add(), [(4, 5), (4, 5), (4, 1)]),
    "Subtract": (lambda: layers.Subtract(), [(4, 5), (4, 5)]),
    "Multiply": (lambda: layers.Multiply(), [(4, 5), (4, 5), (4, 5)]),
    "Average": (lambda: layers.Average(), [(4, 2, 5), (4, 5)]),
    "Maximum": (lambda: layers.Maximum(), [(4, 5), (4, 5), (4, 5)]),
    "Minimum": (lambda: layers.Minimum(), [(4, 5), (4, 5)]),
    "Concatenate": (lambda: layers.Concatenate(axis=1), [(4, 2, 3), (4, 1, 3)]),
    "Dot": (lambda: layers.Dot(axes=(1, 2), normalize=True), [(4, 3, 5), (4, 2, 3)]),
    "Embedding": (lambda: layers.Embedding(7, 3), ("ids", 7, (4, 5))),       # integer ids below 7
    "SimpleRNN": (lambda: layers.SimpleRNN(3, return_sequences=True), (4, 5, 3)),
    "LSTM": (lambda: layers.LSTM(3, go_backwards=True), (4, 5, 3)),
    "ConvLSTM1D": (lambda: layers.ConvLSTM1D(2, 3, padding="same", return_sequences=True), (4, 3, 5, 2)),
    "ConvLSTM2D": (lambda: layers.ConvLSTM2D(2, (2, 3), go_backwards=True), (4, 3, 4, 5, 1)),
    "ConvLSTM3D": (lambda: layers.ConvLSTM3D(2, 2, strides=2), (4, 2, 4, 3, 4, 1)),
    "GRU": (lambda: layers.GRU(3, kernel_regularizer="l2"), (4, 5, 3)),
    "Bidirectional": (lambda: layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode="mul"), (4, 5, 3)),
    "Masking": (lambda: layers.Masking(mask_value=0.0), (4, 5, 3)),
    "RNN": (lambda: layers.RNN(layers.StackedRNNCells([layers.LSTMCell(3), layers.GRUCell(2)]), return_sequences=True),
            (4, 5, 3)),
    # image layers (layers/image_preprocessing.py, augmentation.py, color_augmentation.py); the random ones are the
    # identity in gradcheck (inference) and draw in fit; tests/test_augmentation.py gradchecks them with a fixed draw
    "Resizing": (lambda: layers.Resizing(4, 3), (4, 6, 5, 2)),
    "CenterCrop": (lambda: layers.CenterCrop(4, 3), (4, 6, 5, 2)),
    "RandomFlip": (lambda: layers.RandomFlip(), (4, 6, 5, 2)),
    "RandomRotation": (lambda: layers.RandomRotation(0.2), (4, 6, 5, 2)),
    "RandomZoom": (lambda: layers.RandomZoom(0.2), (4, 6, 5, 2)),
    "RandomTranslation": (lambda: layers.RandomTranslation(0.2, 0.1, fill_mode="constant"), (4, 6, 5, 2)),
    "RandomCrop": (lambda: layers.RandomCrop(4, 3), (4, 6, 5, 2)),
    "RandomContrast": (lambda: layers.RandomContrast(0.5, value_range=(-9, 9)), (4, 6, 5, 2)),
    "RandomBrightness": (lambda: layers.RandomBrightness(0.2, value_range=(-9, 9)), (4, 6, 5, 2)),
}
NOT_A_COMPUTING_LAYER = {"InputLayer"}          # only declares the input shape
# one time step (cell(x_t, states)): run over sequences by RNN(cell) (its example above: stacked LSTM and GRU
# cells); tests/test_recurrent_state.py gradchecks each cell, a cell of one's own and their files
CELLS = {"SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"}
# preprocessing layers (layers/text.py, lookup.py, categorical.py): strings, ids or values in, ids or counts out;
# no weights to train and no gradient for their input, so nothing to gradcheck or fit here: tests/test_text.py
# checks them against real Keras
NOT_TRAINED = {"TextVectorization", "StringLookup", "IntegerLookup", "CategoryEncoding", "Hashing", "Discretization",
               "HashedCrossing"}        # tests/test_hashed_crossing.py checks its bins against TF


def _data(shape, batch=None):
    """Random inputs for an example's shape: one array, or a list of them for a list of shapes;
    ``("ids", n, shape)``: whole numbers below n (an Embedding's input)."""
    if isinstance(shape, list):
        return [_data(s, batch) for s in shape]
    if shape and shape[0] == "ids":
        _, n, shape = shape
        return RNG.integers(0, n, size=shape if batch is None else (batch,) + tuple(shape[1:])).astype(float)
    return RNG.normal(size=shape if batch is None else (batch,) + tuple(shape[1:]))


def _unbatched(shape):
    if isinstance(shape, list):
        return [_unbatched(s) for s in shape]
    if shape and shape[0] == "ids":
        shape = shape[2]
    return (None,) + tuple(shape[1:])


def _registered_layers():
    return sorted(set(layers.registered_classes()) - NOT_A_COMPUTING_LAYER - NOT_TRAINED - CELLS)


def test_every_registered_layer_has_an_example():
    missing = set(_registered_layers()) - set(LAYER_EXAMPLES)
    assert not missing, f"add an example for {sorted(missing)} to LAYER_EXAMPLES"


@pytest.mark.parametrize("name", _registered_layers())
def test_every_layer_passes_gradcheck(name):
    make, shape = LAYER_EXAMPLES[name]
    assert glassnet.gradcheck(make(), _data(shape)).passed


@pytest.mark.parametrize("name", _registered_layers())
def test_every_layer_says_how_many_weights_it_makes(name):
    make, shape = LAYER_EXAMPLES[name]
    layer = make()
    planned = layer.count_params_for(_unbatched(shape))
    layer.build_from_shape(_unbatched(shape))
    assert planned == layer.count_params()


@pytest.mark.parametrize("name", _registered_layers())
def test_every_layer_trains_through_fit(name):
    glassnet.utils.set_random_seed(1)
    make, shape = LAYER_EXAMPLES[name]
    layer = make()
    if isinstance(shape, list):                 # several inputs: a functional model around the layer
        inputs = [Input(shape=s[1:]) for s in shape]
        model = glassnet.Model(inputs=inputs, outputs=Dense(1)(layers.Flatten()(layer(inputs))))
    else:
        model = Sequential([Input(shape=_unbatched(shape)[1:]), layer, layers.Flatten(), Dense(1)])
    model.compile(optimizer=optimizers.SGD(0.05), loss="mse")
    x = _data(shape, batch=32)
    y = RNG.normal(size=(32, 1))
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    trainable = {id(v) for v in layer.trainable_weights}
    for v, w0 in zip(model.weights, before):
        if id(v) in trainable:
            assert not np.allclose(v.value, w0), f"{name}: {v.path} did not move"
    assert model.get_weights()[-2].shape == before[-2].shape


# -- activations ----------------------------------------------------------------------------
def test_every_activation_is_in_the_registry_once_by_its_name():
    for name, fn in activations.BY_NAME.items():
        assert activations.get(name) is fn and callable(activations.backward_of(fn))


@pytest.mark.parametrize("name", sorted(activations.BY_NAME))
def test_every_activation_passes_gradcheck(name):
    x = RNG.normal(size=(4, 5)) * 2
    x[np.abs(x) < 0.05] = 0.3                    # away from relu's kink
    assert glassnet.gradcheck(name, x).passed


@pytest.mark.parametrize("name", sorted(activations.BY_NAME))
def test_every_activation_trains_through_fit(name):
    glassnet.utils.set_random_seed(2)
    model = Sequential([Input(shape=(3,)), Dense(4, activation=name), Dense(1)])
    model.compile(optimizer=optimizers.SGD(0.01), loss="mse")
    x, y = RNG.normal(size=(32, 3)), RNG.normal(size=(32, 1))
    kernel = model.layers[0].kernel.numpy()
    model.fit(x, y, epochs=2, verbose=0)
    assert not np.allclose(model.layers[0].kernel.value, kernel)


# -- losses: predictions and labels that suit each one ---------------------------------------
def _probabilities(shape):
    p = RNG.random(shape) * 0.8 + 0.1
    return p / p.sum(axis=-1, keepdims=True) if shape[-1] > 1 else p


LOSS_EXAMPLES = {
    "BinaryCrossentropy": (lambda: _probabilities((6, 1)), lambda: RNG.integers(0, 2, (6, 1)).astype(float), "sigmoid"),
    "CategoricalCrossentropy": (lambda: _probabilities((6, 3)), lambda: np.eye(3)[RNG.integers(0, 3, 6)], "softmax"),
    "SparseCategoricalCrossentropy": (lambda: _probabilities((6, 3)), lambda: RNG.integers(0, 3, 6), "softmax"),
    "MeanSquaredError": (lambda: RNG.normal(size=(6, 2)), lambda: RNG.normal(size=(6, 2)), None),
    "MeanAbsoluteError": (lambda: RNG.normal(size=(6, 2)), lambda: RNG.normal(size=(6, 2)) + 3, None),
    "Huber": (lambda: RNG.normal(size=(6, 2)), lambda: RNG.normal(size=(6, 2)) * 2, None),
    "KLDivergence": (lambda: _probabilities((6, 3)), lambda: _probabilities((6, 3)), "softmax"),
}


def test_every_registered_loss_has_an_example():
    missing = set(losses.CLASSES) - set(LOSS_EXAMPLES)
    assert not missing, f"add an example for {sorted(missing)} to LOSS_EXAMPLES"


@pytest.mark.parametrize("name", sorted(losses.CLASSES))
def test_every_loss_passes_gradcheck(name):
    pred, true, _ = LOSS_EXAMPLES[name]
    assert glassnet.gradcheck(losses.CLASSES[name](), pred(), true()).passed


@pytest.mark.parametrize("name", sorted(losses.CLASSES))
def test_every_loss_trains_through_fit(name):
    glassnet.utils.set_random_seed(3)
    pred, true, activation = LOSS_EXAMPLES[name]
    y = np.concatenate([true() for _ in range(5)])
    width = pred().shape[-1]
    model = Sequential([Input(shape=(3,)), Dense(width, activation=activation)])
    model.compile(optimizer=optimizers.Adam(0.05), loss=losses.CLASSES[name]())
    x = RNG.normal(size=(len(y), 3))
    losses_seen = model.fit(x, y, epochs=20, verbose=0).history["loss"]
    assert losses_seen[-1] < losses_seen[0]


# -- optimizers ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(optimizers.CLASSES))
def test_every_optimizer_trains_through_fit(name):
    glassnet.utils.set_random_seed(4)
    model = Sequential([Input(shape=(3,)), Dense(1)])
    lr = {"Adagrad": 0.5, "Ftrl": 0.5, "Adafactor": 0.5, "Adadelta": 1.0}.get(name, 0.05)   # their steps shrink
    extra = {"Adadelta": {"epsilon": 1e-2}}.get(name, {})     # as squared gradients add up; Adadelta's first are ~sqrt(eps)
    model.compile(optimizer=optimizers.CLASSES[name](learning_rate=lr, **extra), loss="mse")
    x = RNG.normal(size=(64, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    seen = model.fit(x, y, epochs=15, verbose=0).history["loss"]
    assert seen[-1] < 0.5 * seen[0]


@pytest.mark.parametrize("name", sorted(optimizers.CLASSES))
def test_every_optimizer_names_its_slots_and_its_rule(name):
    opt = optimizers.CLASSES[name]()
    opt.build([layers.Variable(np.zeros((2, 2)), "w")])
    per_weight = [a for a in opt.slots_in_file_order() if np.ndim(a) > 0]   # Nadam adds one scalar (Adafactor's
    #                                                                         r and c: a row's and a column's means)
    assert len(per_weight) == len(opt.slot_names())
    assert opt.update_rule() and all(isinstance(line, str) for line in opt.update_rule())
