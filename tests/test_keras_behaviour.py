"""Keras behaviours from KERAS_SEMANTICS.md: defaults, batching, history, validation split,
epoch loss, evaluate's return forms, naming, lazy building, import paths."""
import io
import math
import os

import numpy as np
import pytest

import glassnet
from glassnet import callbacks, layers, losses, optimizers


def _data(n=50, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float32)
    return x, y


def _model(units=1, activation="sigmoid"):
    return glassnet.Sequential([layers.Dense(4, activation="relu"), layers.Dense(units, activation=activation)])


class StepCounter(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.sizes = []
        self.epochs = []

    def on_train_batch_end(self, batch, logs=None):
        self.sizes.append(batch)

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)


def test_compile_defaults_to_rmsprop_and_fit_to_batch_32():
    x, y = _data(70)
    model = _model()
    model.compile(loss="binary_crossentropy")
    assert isinstance(model.optimizer, optimizers.RMSprop)
    assert model.optimizer.learning_rate == pytest.approx(0.001)
    counter = StepCounter()
    model.fit(x, y, verbose=0, callbacks=[counter])
    assert counter.sizes == [0, 1, 2]                    # ceil(70 / 32) = 3 steps, last one partial
    assert counter.epochs == [0]                         # epochs=1 by default


def test_epochs_is_the_index_of_the_last_epoch():
    x, y = _data()
    model = _model()
    model.compile(loss="bce")
    counter = StepCounter()
    history = model.fit(x, y, epochs=5, initial_epoch=2, verbose=0, callbacks=[counter])
    assert counter.epochs == [2, 3, 4]
    assert history.epoch == [2, 3, 4]
    assert len(history.history["loss"]) == 3


def test_history_keys_sorted_with_validation_prefix():
    x, y = _data(60)
    model = _model()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 2 for v in history.history.values())


def test_validation_split_takes_the_last_samples_before_shuffling():
    x, y = _data(40)
    model = _model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=1, validation_split=0.3, verbose=0, shuffle=True)
    split = int(math.floor(40 * 0.7))                   # 28: the last 12 samples validate
    val_loss = model.evaluate(x[split:], y[split:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(val_loss, rel=1e-6)


def test_validation_data_wins_over_split():
    x, y = _data(40)
    vx, vy = _data(10, seed=5)
    model = _model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(x, y, validation_data=(vx, vy), validation_split=0.5, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(vx, vy, verbose=0), rel=1e-6)


def test_epoch_loss_is_the_batch_weighted_mean_of_pre_update_losses():
    x, y = _data(50)
    model = _model()
    model.compile(optimizer=optimizers.SGD(0.1), loss="binary_crossentropy")
    losses_seen, sizes = [], []

    class Record(callbacks.Callback):
        pass

    start = model.get_weights() if model.built else None
    model.build((None, 3))
    start = model.get_weights()
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    # replay the steps by hand: each batch's loss before its update, weighted by its size
    replay = glassnet.Sequential([layers.Dense(4, activation="relu"), layers.Dense(1, activation="sigmoid")])
    replay.build((None, 3))
    replay.set_weights(start)
    replay.compile(optimizer=optimizers.SGD(0.1), loss="binary_crossentropy")
    for i in range(0, 50, 16):
        losses_seen.append(replay.train_on_batch(x[i:i + 16], y[i:i + 16]))
        sizes.append(len(x[i:i + 16]))
    expected = np.dot(losses_seen, sizes) / 50
    assert sizes == [16, 16, 16, 2]
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-6)
    # ... and so differs from evaluate after the epoch (a common question)
    assert model.evaluate(x, y, verbose=0) != pytest.approx(history.history["loss"][0], rel=1e-6)
    for a, b in zip(model.get_weights(), replay.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_evaluate_return_forms():
    x, y = _data()
    model = _model()
    model.compile(loss="binary_crossentropy")
    value = model.evaluate(x, y, verbose=0)
    assert isinstance(value, float)
    model.compile(loss="binary_crossentropy", metrics=["accuracy", "mse"])
    both = model.evaluate(x, y, verbose=0)
    assert isinstance(both, list) and len(both) == 3
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(d) == {"loss", "accuracy", "mse"}
    assert d["loss"] == pytest.approx(both[0]) and d["accuracy"] == pytest.approx(both[1])
    assert both[0] == pytest.approx(value, rel=1e-6)


def test_evaluate_loss_is_mean_of_per_sample_losses_plus_penalty():
    x, y = _data(45)
    model = glassnet.Sequential([layers.Dense(1, activation="sigmoid", kernel_regularizer="l2")])
    model.compile(loss=losses.BinaryCrossentropy())
    value = model.evaluate(x, y, verbose=0, batch_size=7)
    p = model.predict(x, verbose=0)
    per_sample = losses.binary_crossentropy(y, p)
    penalty = 0.01 * np.sum(model.get_weights()[0] ** 2)
    assert value == pytest.approx(per_sample.mean() + penalty, rel=1e-5)


def test_accuracy_resolves_from_shapes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 4)).astype(np.float32)
    sparse = rng.integers(0, 3, 30)
    for y, loss, expected in [
        ((x[:, 0] > 0).astype(np.float32), "binary_crossentropy", glassnet.metrics.BinaryAccuracy),
        (sparse, "sparse_categorical_crossentropy", glassnet.metrics.SparseCategoricalAccuracy),
        (glassnet.utils.to_categorical(sparse, 3), "categorical_crossentropy", glassnet.metrics.CategoricalAccuracy),
    ]:
        units = 1 if expected is glassnet.metrics.BinaryAccuracy else 3
        model = _model(units, "sigmoid" if units == 1 else "softmax")
        model.compile(loss=loss, metrics=["acc"])
        history = model.fit(x, y, verbose=0)
        assert isinstance(model.metrics[0], expected)
        assert "acc" in history.history                   # the log key is what the user wrote


def test_fit_and_evaluate_need_compile_predict_does_not():
    x, y = _data()
    model = _model()
    with pytest.raises(ValueError, match="compile"):
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="compile"):
        model.evaluate(x, y, verbose=0)
    assert model.predict(x, verbose=0).shape == (50, 1)
    model.compile()
    with pytest.raises(ValueError, match="loss"):
        model.fit(x, y, verbose=0)


def test_lazy_building_and_input_building_at_once():
    model = _model()
    assert not model.built and model.weights == []
    model.predict(np.zeros((2, 3)), verbose=0)
    assert model.built and [w.shape for w in model.get_weights()] == [(3, 4), (4,), (4, 1), (1,)]
    eager = glassnet.Sequential([glassnet.Input(shape=(5,)), layers.Dense(2)])
    assert eager.built and eager.get_weights()[0].shape == (5, 2)
    old_style = glassnet.Sequential([layers.Dense(2, input_shape=(6,))])
    assert old_style.built and old_style.get_weights()[0].shape == (6, 2)


def test_layer_names_count_up_and_reset():
    a, b = layers.Dense(1), layers.Dense(1)
    assert (a.name, b.name) == ("dense", "dense_1")
    assert glassnet.Sequential().name == "sequential"
    glassnet.utils.clear_session()
    assert layers.Dense(1).name == "dense"


def test_glorot_uniform_limits_and_zero_bias():
    model = glassnet.Sequential([glassnet.Input(shape=(400,)), layers.Dense(25)])
    kernel, bias = model.get_weights()
    limit = math.sqrt(6 / (400 + 25))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert abs(kernel.std() - limit / math.sqrt(3)) < 0.01
    assert not bias.any()


def test_set_random_seed_gives_bit_identical_runs():
    x, y = _data(64)

    def run():
        glassnet.utils.clear_session()
        glassnet.utils.set_random_seed(42)
        model = glassnet.Sequential([layers.Dense(8, activation="relu"), layers.Dropout(0.3),
                                     layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, epochs=3, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_float64_mode():
    glassnet.config.set_floatx("float64")
    try:
        x, y = _data()
        model = _model()
        model.compile(loss="binary_crossentropy")
        model.fit(x, y, verbose=0)
        assert all(w.dtype == np.float64 for w in model.get_weights())
        assert model.predict(x, verbose=0).dtype == np.float64
    finally:
        glassnet.config.set_floatx("float32")
    assert _model().predict(np.zeros((1, 3)), verbose=0).dtype == np.float32


def test_get_set_weights_keras_order_and_shape_checks():
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), layers.Dense(2), layers.Dense(1)])
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 2), (2,), (2, 1), (1,)]
    weights[0][:] = 7
    assert not (model.get_weights()[0] == 7).all()      # get_weights hands out copies
    model.set_weights(weights)
    assert (model.get_weights()[0] == 7).all()
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"weights\[2\]"):
        model.set_weights([weights[0], weights[1], np.zeros((3, 3)), weights[3]])
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)             # nothing changed


def test_summary_matches_keras_layout(capsys):
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), layers.Dense(25, activation="sigmoid"),
                                 layers.Dense(15, activation="sigmoid"), layers.Dense(1, activation="sigmoid")])
    model.summary()
    out = capsys.readouterr().out
    assert out.startswith('Model: "sequential"')
    assert "Layer (type)" in out and "Output Shape" in out and "Param #" in out
    assert "dense (Dense)" in out and "(None, 25)" in out and "125" in out
    assert "Total params: 531 (2.07 KB)" in out
    assert "Trainable params: 531 (2.07 KB)" in out
    assert "Non-trainable params: 0 (0.00 B)" in out
    assert model.count_params() == 4 * 25 + 25 + 25 * 15 + 15 + 15 + 1


def test_keras_import_paths_point_at_the_same_objects():
    from glassnet.keras import Input, Sequential
    from glassnet.keras.callbacks import EarlyStopping
    from glassnet.keras.layers import Dense
    from glassnet.keras.losses import BinaryCrossentropy, MeanSquaredError
    from glassnet.keras.optimizers import Adam
    assert Sequential is glassnet.Sequential and Dense is glassnet.layers.Dense
    assert BinaryCrossentropy is glassnet.losses.BinaryCrossentropy and MeanSquaredError is losses.MeanSquaredError
    assert Adam is glassnet.optimizers.Adam and EarlyStopping is glassnet.callbacks.EarlyStopping
    assert Input is glassnet.Input
    assert glassnet.keras.backend.floatx() == "float32"


def test_public_all_is_pinned():
    """The public face: changing it is a decision, and this test says so."""
    assert glassnet.__all__ == ['Assert', 'DType', 'GradientTape', 'Graph', 'Input', 'Model', 'Module', 'RaggedTensor', 'RaggedTensorSpec', 'Sequential', 'Tensor', 'TensorArray', 'TensorShape', 'UnconnectedGradients', 'Variable', '__version__', 'abs', 'acos', 'acosh', 'activations', 'add', 'add_n', 'argmax', 'argmin', 'argsort', 'asin', 'asinh', 'assert_equal', 'assert_greater', 'assert_less', 'assert_rank', 'atan', 'atan2', 'atanh', 'autograph', 'bool', 'boolean_mask', 'broadcast_dynamic_shape', 'broadcast_static_shape', 'broadcast_to', 'callbacks', 'case', 'cast', 'ceil', 'clip_by_global_norm', 'clip_by_norm', 'clip_by_value', 'compat', 'complex', 'complex128', 'complex64', 'concat', 'cond', 'config', 'constant', 'constant_initializer', 'control_dependencies', 'convert_to_tensor', 'cos', 'cosh', 'cumsum', 'custom_gradient', 'data', 'datasets', 'debugging', 'device', 'divide', 'double', 'dtypes', 'dynamic_partition', 'einsum', 'ensure_shape', 'equal', 'errors', 'executing_eagerly', 'experimental', 'exp', 'expand_dims', 'explain', 'eye', 'fill', 'float16', 'float32', 'float64', 'floor', 'foldl', 'foldr', 'function', 'gather', 'gather_nd', 'get_logger', 'get_static_value', 'gradcheck', 'gradients', 'greater', 'greater_equal', 'group', 'half', 'hessians', 'identity', 'identity_n', 'image', 'initializers', 'inspect', 'int16', 'int32', 'int64', 'int8', 'io', 'is_tensor', 'keras', 'layers', 'less', 'less_equal', 'linalg', 'linear', 'linspace', 'log', 'logical_and', 'logical_not', 'logical_or', 'logical_xor', 'losses', 'map_fn', 'math', 'matmul', 'maximum', 'meshgrid', 'metrics', 'minimum', 'models', 'multiply', 'name_scope', 'negative', 'nest', 'newaxis', 'nn', 'no_op', 'norm', 'not_equal', 'numpy_function', 'one_hot', 'ones', 'ones_initializer', 'ones_like', 'ops', 'optimizers', 'pad', 'playground', 'plot', 'pow', 'print', 'py_function', 'random', 'random_normal_initializer', 'random_uniform_initializer', 'ragged', 'range', 'rank', 'realdiv', 'reduce_all', 'reduce_any', 'reduce_logsumexp', 'reduce_max', 'reduce_mean', 'reduce_min', 'reduce_prod', 'reduce_std', 'reduce_sum', 'regularizers', 'repeat', 'reshape', 'reverse', 'reverse_sequence', 'roll', 'round', 'saturate_cast', 'saved_model', 'saving', 'scalar_mul', 'scan', 'scatter_nd', 'searchsorted', 'sequence_mask', 'shape', 'shape_n', 'sigmoid', 'sign', 'sin', 'sinh', 'size', 'slice', 'sort', 'split', 'sqrt', 'square', 'squeeze', 'stack', 'stop_gradient', 'strided_slice', 'string', 'strings', 'subtract', 'switch_case', 'tan', 'tanh', 'tensor', 'tensor_scatter_nd_add', 'tensor_scatter_nd_max', 'tensor_scatter_nd_min', 'tensor_scatter_nd_sub', 'tensor_scatter_nd_update', 'tensordot', 'test', 'tile', 'timestamp', 'train', 'transpose', 'truediv', 'truncatediv', 'truncatemod', 'tuple', 'uint16', 'uint32', 'uint64', 'uint8', 'unique', 'unique_with_counts', 'unravel_index', 'unstack', 'utils', 'vectorized_map', 'version', 'where', 'while_loop', 'zeros', 'zeros_initializer', 'zeros_like']
    for name in glassnet.__all__:
        assert hasattr(glassnet, name), name
    assert not any(n.startswith("_") and n != "__version__" for n in glassnet.__all__)


def test_string_resolution():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("bce"), losses.BinaryCrossentropy)
    assert isinstance(losses.get("sparse_categorical_crossentropy"), losses.SparseCategoricalCrossentropy)
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        optimizers.get("adma")
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        layers.Dense(3, activation="rleu")


def test_learning_rate_readable_and_settable_during_training():
    x, y = _data()
    model = _model()
    model.compile(optimizer=optimizers.SGD(0.1), loss="binary_crossentropy")
    seen = []
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    rec = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.optimizer.learning_rate))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched, rec])
    assert seen == pytest.approx([0.05, 0.025, 0.0125])
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])


def test_early_stopping_restores_best_weights():
    x, y = _data()
    model = _model()
    model.compile(optimizer=optimizers.SGD(5.0), loss="binary_crossentropy")
    snapshots = []
    rec = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: snapshots.append((logs["loss"], model.get_weights())))
    stop = callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    model.fit(x, y, epochs=30, verbose=0, callbacks=[rec, stop])
    best_loss, best_weights = min(snapshots, key=lambda s: s[0])
    for a, b in zip(model.get_weights(), best_weights):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_every_n_batches_as_the_save_and_load_tutorial(tmp_path, capsys):
    """TensorFlow's "Save and load models": save_freq=5 * batches per epoch, {epoch:04d} in
    the name, a folder that does not exist yet; saved at the last batch of epochs 5, 10, 15."""
    x, y = _data(n=50)
    model = _model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    n_batches = math.ceil(len(x) / 16)
    path = tmp_path / "training_2" / "cp-{epoch:04d}.weights.h5"
    saved = []
    watch = callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: saved.append(
        (batch, model.get_weights())) if batch == n_batches - 1 else None)
    cp = callbacks.ModelCheckpoint(filepath=str(path), verbose=1, save_weights_only=True,
                                   save_freq=5 * n_batches)
    model.fit(x, y, epochs=15, batch_size=16, callbacks=[cp, watch], verbose=0)
    assert sorted(os.listdir(tmp_path / "training_2")) == ["cp-0005.weights.h5", "cp-0010.weights.h5",
                                                          "cp-0015.weights.h5"]
    out = capsys.readouterr().out
    assert "Epoch 10: saving model to" in out and "Epoch 10: finished saving model to" in out
    restored = _model()
    restored.build((None, 3))
    restored.load_weights(str(tmp_path / "training_2" / "cp-0010.weights.h5"))
    for a, b in zip(restored.get_weights(), saved[9][1]):        # the weights after epoch 10
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_batch_placeholder_and_bad_arguments(tmp_path, capsys):
    x, y = _data(n=40)
    model = _model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    cp = callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.keras"), save_freq=3)
    model.fit(x, y, epochs=2, batch_size=10, callbacks=[cp], verbose=0)       # 4 batches an epoch
    assert sorted(os.listdir(tmp_path)) == ["e1-b3.keras", "e2-b2.keras"]
    best = callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="val_loss", save_best_only=True)
    model.fit(x, y, epochs=1, callbacks=[best], verbose=0)                    # no val_loss: saved anyway
    assert (tmp_path / "best.keras").exists() and "val_loss" in capsys.readouterr().err
    for bad in (0, 2.5, True, "batch"):
        with pytest.raises(ValueError, match="save_freq must be 'epoch' or a number of batches"):
            callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), save_freq=bad)
    with pytest.raises(KeyError, match="cannot format the filepath"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.ModelCheckpoint(str(tmp_path / "{val_acc}.keras"))])


def test_reduce_lr_on_plateau_and_terminate_on_nan_exist():
    x, y = _data()
    model = _model()
    model.compile(optimizer=optimizers.SGD(0.0), loss="binary_crossentropy")   # lr 0: loss never improves
    model.compile(optimizer=optimizers.SGD(1e-9), loss="binary_crossentropy")
    plateau = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=1.0)
    history = model.fit(x, y, epochs=4, verbose=0, callbacks=[plateau, callbacks.TerminateOnNaN()],
                        shuffle=False)
    assert history.history["learning_rate"][0] == pytest.approx(1e-9)
    assert history.history["learning_rate"][-1] < 1e-9


def test_progress_output_verbose_2_one_line_per_epoch(capsys):
    x, y = _data()
    model = _model()
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("2/2 - ") and "accuracy: " in lines[1] and "loss: " in lines[1]


def test_progress_value_format():
    from glassnet.progress import format_logs
    assert format_logs({"loss": 0.08123, "tiny": 0.000123}) == "loss: 0.0812 - tiny: 1.2300e-04"


def test_sample_weight_and_class_weight():
    x, y = _data(40)
    model = _model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.build((None, 3))
    w0 = model.get_weights()
    sw = np.where(y == 1, 2.0, 1.0)
    h1 = model.fit(x, y, sample_weight=sw, epochs=1, shuffle=False, verbose=0, batch_size=40)
    w_sw = model.get_weights()
    model.set_weights(w0)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    h2 = model.fit(x, y, class_weight={0: 1.0, 1: 2.0}, epochs=1, shuffle=False, verbose=0, batch_size=40)
    assert h1.history["loss"] == pytest.approx(h2.history["loss"])
    for a, b in zip(w_sw, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_train_on_batch_and_predict_on_batch():
    x, y = _data(8)
    model = _model()
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    loss, acc = model.train_on_batch(x, y)
    assert np.isfinite(loss) and 0 <= acc <= 1
    assert model.optimizer.iterations == 1
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x, verbose=0))
    np.testing.assert_allclose(model(x), model.predict(x, verbose=0))


def test_predict_independent_of_batch_size():
    x, _ = _data(77)
    model = _model(3, "softmax")
    a = model.predict(x, batch_size=5, verbose=0)
    b = model.predict(x, batch_size=77, verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(a.sum(1), 1, rtol=1e-6)


def test_tf_random_set_seed_spelling_works():
    """The course's labs call tf.random.set_seed(1234): with tensorflow renamed it seeds glassnet."""
    def run():
        glassnet.utils.clear_session()
        glassnet.random.set_seed(1234)
        return glassnet.Sequential([glassnet.Input(shape=(3,)), layers.Dense(2)]).get_weights()[0]

    np.testing.assert_array_equal(run(), run())


def test_evaluate_and_predict_print_keras_lines_unless_silent(capsys):
    x, y = _data(70)
    model = _model()
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    model.evaluate(x, y)
    model.predict(x)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("3/3 ━━━━━━━━━━━━━━━━━━━━ 0s ") and "/step - accuracy: " in lines[0] and " - loss: " in lines[0]
    assert lines[1].startswith("3/3 ━━━━━━━━━━━━━━━━━━━━ 0s ") and lines[1].endswith("/step")
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_loss_reduction_is_honoured_in_training():
    """reduction="sum" trains on the batch's sum: the step is m times the default's (plain SGD)."""
    x, y = _data(16)
    steps = []
    for reduction in ("sum_over_batch_size", "sum"):
        model = glassnet.Sequential([glassnet.Input(shape=(3,)), layers.Dense(1, activation="sigmoid",
                                                                              kernel_initializer="ones")])
        model.compile(optimizer=optimizers.SGD(0.01), loss=losses.BinaryCrossentropy(reduction=reduction))
        w0 = model.get_weights()[0].copy()
        loss = model.train_on_batch(x, y)
        steps.append((loss, model.get_weights()[0] - w0))
    (mean_loss, mean_step), (sum_loss, sum_step) = steps
    assert sum_loss == pytest.approx(16 * mean_loss, rel=1e-6)
    np.testing.assert_allclose(sum_step, 16 * mean_step, rtol=1e-4, atol=1e-6)   # float32 weights near 1
    with pytest.raises(ValueError, match="reduction"):
        _model().compile(loss=losses.MeanSquaredError(reduction="none"))


def test_csv_logger_writes_one_row_an_epoch_and_appends(tmp_path):
    x, y = _data()
    model = _model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    path = tmp_path / "log.csv"
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.2, callbacks=[callbacks.CSVLogger(path)])
    rows = path.read_text().splitlines()
    assert rows[0] == "epoch,accuracy,loss,val_accuracy,val_loss" and [r.split(",")[0] for r in rows[1:]] == ["0", "1"]
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.2, callbacks=[callbacks.CSVLogger(path, append=True)])
    assert len(path.read_text().splitlines()) == 4 and path.read_text().count("epoch") == 1


def test_tensorflow_functions_beginner_notebooks_call():
    assert glassnet.one_hot([0, 2], 3).numpy().tolist() == [[1, 0, 0], [0, 0, 1]]
    m = glassnet.math.confusion_matrix([0, 1, 1, 2], [0, 1, 0, 2])
    assert m.numpy().tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1]] and m.numpy().dtype == np.int32
    assert glassnet.where([True, False], [1, 2], [3, 4]).numpy().tolist() == [1, 4]
    assert glassnet.where([[False, True]]).numpy().tolist() == [[0, 1]]
    glassnet.random.set_seed(0)
    a = glassnet.random.normal((2, 3))
    glassnet.random.set_seed(0)
    assert a.shape == (2, 3) and np.array_equal(a.numpy(), glassnet.random.normal((2, 3)).numpy())
    u = glassnet.random.uniform((100,), minval=2, maxval=5, dtype=glassnet.int32).numpy()
    assert u.min() >= 2 and u.max() < 5
    assert glassnet.round([0.5, 1.5, 2.5]).numpy().tolist() == [0.0, 2.0, 2.0]           # halves to even
    assert glassnet.shape(np.zeros((2, 3))).numpy().tolist() == [2, 3] and int(glassnet.size(np.zeros((2, 3)))) == 6
    assert glassnet.clip_by_value([-1.0, 0.5, 2.0], 0.0, 1.0).numpy().tolist() == [0.0, 0.5, 1.0]
    assert float(glassnet.sigmoid(0.0)) == 0.5 and glassnet.divide(1, 2).numpy() == 0.5
    assert glassnet.keras.layers.MaxPool2D is glassnet.keras.layers.MaxPooling2D
    with pytest.raises(ValueError, match="num_classes"):
        glassnet.math.confusion_matrix([0, 3], [0, 1], num_classes=2)
