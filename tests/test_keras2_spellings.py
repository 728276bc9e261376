"""Programs written for TensorFlow 2's Keras 2 still run (issue 24, item 6).

Each Keras 2 spelling that Keras 3 dropped, and that has one meaning, is accepted: it gives
the same result as the Keras 3 spelling and notes once (a ``Keras2Warning``, shown by
default) which Keras 3 spelling to write. Where the meaning is gone (``predict_classes``,
a SavedModel folder), the refusal names the replacement. Sources: tf.keras 2.x
(``optimizer_v2.py``: ``lr``, ``decay`` as ``lr / (1 + decay * iterations)``, ``optimizer.lr``;
``training.py``: ``fit_generator``, ``workers``; ``losses.py``/``metrics.py``: ``MSE``,
``MAE``; ``backend.py``: ``K.sum`` ...; ``layers.experimental.preprocessing``).
"""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import backend as K
from glassnet.keras import legacy
from glassnet.tf.tensor import Tensor


@pytest.fixture(autouse=True)
def _fresh_notes():
    legacy.forget()
    yield
    legacy.forget()


def _notes(fn):
    """Run ``fn`` twice; return (its first result, the Keras 2 notes printed over both runs)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = fn()
        fn()
    return first, [str(w.message) for w in caught if issubclass(w.category, legacy.Keras2Warning)]


def _noted_once(fn, *words):
    result, notes = _notes(fn)
    assert len(notes) == 1, notes
    for word in words:
        assert word in notes[0], notes[0]
    return result


# -- the note itself ---------------------------------------------------------------------------
def test_a_note_is_a_future_warning_shown_by_default_once_per_process():
    program = ("import glassnet as tf\n"
               "for _ in range(3):\n"
               "    tf.keras.optimizers.SGD(lr=0.1)\n")
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stderr.splitlines() if "Keras2Warning" in line]
    assert len(lines) == 1, out.stderr
    assert "learning_rate" in lines[0]
    assert issubclass(legacy.Keras2Warning, FutureWarning)


def test_forgetting_a_spelling_notes_it_again():
    _noted_once(lambda: tf.keras.optimizers.SGD(lr=0.1), "SGD(learning_rate=...)")
    assert "optimizer lr=" in legacy.noted()
    legacy.forget("optimizer lr=")
    _noted_once(lambda: tf.keras.optimizers.SGD(lr=0.1))


# -- optimizers --------------------------------------------------------------------------------
def _train(optimizer, steps=3):
    w = tf.keras.layers.Dense(1)
    model = tf.keras.Sequential([tf.keras.Input(shape=(2,)), w])
    model.set_weights([np.array([[0.5], [-0.25]], dtype=np.float32), np.array([0.1], dtype=np.float32)])
    model.compile(optimizer=optimizer, loss="mse")
    x = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [2.0, 1.0]], dtype=np.float32)
    y = np.array([[1.0], [0.0], [2.0], [1.5]], dtype=np.float32)
    for _ in range(steps):
        model.train_on_batch(x, y)
    return model.get_weights()


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "Adagrad", "Adamax", "AdamW"])
def test_lr_is_learning_rate(name):
    cls = getattr(tf.keras.optimizers, name)
    opt = _noted_once(lambda: cls(lr=0.05), f"{name}(lr=...)", f"{name}(learning_rate=...)")
    assert float(opt.learning_rate) == float(np.float32(0.05))
    for a, b in zip(_train(cls(lr=0.05)), _train(cls(learning_rate=0.05))):
        np.testing.assert_array_equal(a, b)


def test_decay_is_keras2_time_based_decay_worked_by_hand():
    # Keras 2 (optimizer_v2._decayed_lr): lr_t = lr / (1 + decay * iterations), iterations
    # counted before the step: with lr = 1 and decay = 0.5 the steps use 1, 1/1.5, 1/2.
    opt = _noted_once(lambda: tf.keras.optimizers.SGD(learning_rate=1.0, decay=0.5), "decay", "InverseTimeDecay")
    w = tf.keras.layers.Dense(1, use_bias=False)
    w.build((None, 1))
    w.set_weights([np.array([[0.0]], dtype=np.float32)])
    rates = []
    for _ in range(3):
        rates.append(float(opt.learning_rate))
        w.kernel.grad = np.array([[1.0]], dtype=np.float32)     # dJ/dw = 1 each step
        opt.apply([w.kernel.grad], [w.kernel])
    np.testing.assert_allclose(rates, [1.0, 1 / 1.5, 0.5], rtol=1e-6)
    np.testing.assert_allclose(w.get_weights()[0], [[-(1.0 + 1 / 1.5 + 0.5)]], rtol=1e-6)


def test_decay_gives_the_same_weights_as_keras3s_inverse_time_decay():
    schedule = tf.keras.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        old = _train(tf.keras.optimizers.Adam(lr=0.1, decay=0.3), steps=4)
    for a, b in zip(old, _train(tf.keras.optimizers.Adam(learning_rate=schedule), steps=4)):
        np.testing.assert_array_equal(a, b)
    # decay=0 (Keras 2's default) is no decay and no note
    opt, notes = _notes(lambda: tf.keras.optimizers.SGD(learning_rate=0.1, decay=0.0))
    assert notes == [] and not opt.has_schedule


def test_setting_the_rate_of_a_decaying_keras2_optimizer_keeps_the_decay():
    # Keras 2: K.set_value(opt.lr, v) set the base rate; decay went on applying to it
    opt = _noted_once(lambda: tf.keras.optimizers.SGD(learning_rate=1.0, decay=1.0), "decay")
    w = tf.keras.layers.Dense(1, use_bias=False)
    w.build((None, 1))
    w.kernel.grad = np.array([[1.0]], dtype=np.float32)
    opt.apply([w.kernel.grad], [w.kernel])                 # iterations: 0 -> 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        K.set_value(opt.lr, 0.5)
    assert float(opt.learning_rate) == pytest.approx(0.5 / (1 + 1.0 * 1))
    opt.learning_rate = 0.2                                # ReduceLROnPlateau's way
    assert float(opt.learning_rate) == pytest.approx(0.2 / 2) and opt.has_schedule


@pytest.mark.parametrize("decay", [-0.1, float("nan"), "0.1", True])
def test_a_bad_decay_is_refused_naming_it(decay):
    with pytest.raises(ValueError, match="decay"):
        tf.keras.optimizers.SGD(decay=decay)


def test_decay_with_a_schedule_is_refused():
    schedule = tf.keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
    with pytest.raises(ValueError, match="decay.*schedule"):
        tf.keras.optimizers.SGD(learning_rate=schedule, decay=0.1)


def test_unknown_optimizer_arguments_are_still_refused():
    with pytest.raises(TypeError, match="momentun"):
        tf.keras.optimizers.SGD(momentun=0.9)


def test_learning_rate_is_a_number_and_a_variable():
    opt = tf.keras.optimizers.Adam(learning_rate=0.01)
    lr = opt.learning_rate
    assert lr == 0.01 and lr * 2 == float(np.float32(0.01)) * 2 and f"{lr:g}" == "0.01"       # float32, as Keras
    assert lr.numpy() == np.float32(0.01) and lr.numpy().dtype == np.float32
    lr.assign(0.002)
    assert float(opt.learning_rate) == float(np.float32(0.002))
    import copy
    import pickle
    assert type(pickle.loads(pickle.dumps(opt.learning_rate))) is float
    assert type(copy.deepcopy(opt.learning_rate)) is float


def test_optimizer_lr_reads_and_sets_learning_rate():
    opt = tf.keras.optimizers.SGD(learning_rate=0.1)
    value = _noted_once(lambda: opt.lr, "optimizer.lr", "optimizer.learning_rate")
    assert value == 0.1 and value.numpy() == np.float32(0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        opt.lr = 0.5
    assert float(opt.learning_rate) == float(np.float32(0.5))


def test_backend_get_and_set_value_on_the_learning_rate():
    model = tf.keras.Sequential([tf.keras.Input(shape=(2,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    value = _noted_once(lambda: K.get_value(model.optimizer.learning_rate), "get_value", ".numpy()")
    assert value == np.float32(0.01)
    _noted_once(lambda: K.set_value(model.optimizer.learning_rate, 0.001), "set_value", "assign")
    assert float(model.optimizer.learning_rate) == float(np.float32(0.001))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        K.set_value(model.optimizer.lr, 0.003)              # Keras 2 callbacks' own spelling
        assert K.get_value(model.optimizer.lr) == np.float32(0.003)
        assert K.eval(model.optimizer.learning_rate) == np.float32(0.003)


def test_a_scheduled_learning_rate_cannot_be_assigned():
    opt = tf.keras.optimizers.SGD(learning_rate=tf.keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="schedule"):
        opt.learning_rate.assign(0.01)


@pytest.mark.parametrize("name", ["Adam", "SGD", "RMSprop", "Adagrad", "Adamax", "Optimizer"])
def test_legacy_optimizers_are_the_same_classes(name):
    cls = _noted_once(lambda: getattr(tf.keras.optimizers.legacy, name), f"legacy.{name}", f"keras.optimizers.{name}")
    assert cls is getattr(tf.keras.optimizers, name)


def test_legacy_optimizers_import_path_and_missing_ones():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        from glassnet.keras.optimizers.legacy import Adam
        assert Adam is tf.keras.optimizers.Adam
        # a Keras 2 program's usual line: the legacy class with Keras 2's lr
        opt = tf.keras.optimizers.legacy.Adam(lr=0.001)
        assert tf.keras.optimizers.legacy.Adadelta is tf.keras.optimizers.Adadelta
    assert float(opt.learning_rate) == float(np.float32(0.001))
    assert tf.keras.optimizers.legacy.Nadam is tf.keras.optimizers.Nadam
    with pytest.raises(AttributeError, match="Bogus"):
        tf.keras.optimizers.legacy.Bogus


@pytest.mark.parametrize("name", ["AdamW", "Adam", "SGD"])
def test_experimental_optimizers_of_keras_2_9_are_the_same_classes(name):
    cls = _noted_once(lambda: getattr(tf.keras.optimizers.experimental, name), f"experimental.{name}",
                      f"keras.optimizers.{name}")
    assert cls is getattr(tf.keras.optimizers, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        from glassnet.keras.optimizers.experimental import AdamW
    assert AdamW is tf.keras.optimizers.AdamW
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        assert tf.keras.optimizers.experimental.Adafactor is tf.keras.optimizers.Adafactor


def test_lower_case_initializers_are_the_classes():
    # keras.initializers.he_normal is HeNormal, in Keras 2 and Keras 3 alike
    for name, cls in (("he_normal", "HeNormal"), ("glorot_uniform", "GlorotUniform"), ("zeros", "Zeros"),
                      ("random_normal", "RandomNormal"), ("lecun_normal", "LecunNormal")):
        assert getattr(tf.keras.initializers, name) is getattr(tf.keras.initializers, cls)
    a = tf.keras.initializers.he_normal(seed=3)((4, 5))
    b = tf.keras.initializers.HeNormal(seed=3)((4, 5))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# -- layers and Input --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Normalization", "Rescaling"])
def test_experimental_preprocessing_layers_are_the_layers(name):
    cls = _noted_once(lambda: getattr(tf.keras.layers.experimental.preprocessing, name),
                      f"experimental.preprocessing.{name}", f"keras.layers.{name}")
    assert cls is getattr(tf.keras.layers, name)


def test_experimental_preprocessing_import_paths():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        from glassnet.keras.layers.experimental import preprocessing
        from glassnet.keras.layers.experimental.preprocessing import Normalization
        norm = preprocessing.Normalization()
    assert Normalization is tf.keras.layers.Normalization
    x = np.array([[1.0, 10.0], [3.0, 30.0]], dtype=np.float32)
    norm.adapt(x)
    np.testing.assert_allclose(norm(x).numpy(), [[-1.0, -1.0], [1.0, 1.0]], atol=1e-3)
    if not hasattr(tf.keras.layers, "TextVectorization"):
        with pytest.raises(AttributeError, match="glassnet has no TextVectorization layer"):
            tf.keras.layers.experimental.preprocessing.TextVectorization
    with pytest.raises(AttributeError, match="preprocessing"):
        tf.keras.layers.experimental.EinsumDense


def test_batch_normalization_fused_is_accepted_and_renorm_refused():
    bn = _noted_once(lambda: tf.keras.layers.BatchNormalization(fused=True), "fused", "Keras 3")
    plain = tf.keras.layers.BatchNormalization()
    x = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    np.testing.assert_array_equal(bn(x, training=True).numpy(), plain(x, training=True).numpy())
    assert "fused" not in bn.get_config()
    with pytest.raises(ValueError, match="renorm"):
        tf.keras.layers.BatchNormalization(renorm=True)


def test_input_takes_keras_arguments_at_their_dense_defaults():
    inp = tf.keras.Input(shape=(3,), batch_size=None, name="features", dtype="float32",
                         sparse=False, tensor=None, ragged=False)
    assert tuple(inp.shape) == (None, 3) and inp.name == "features"
    for arg in ("sparse", "ragged"):
        with pytest.raises(ValueError, match=f"{arg}=True"):
            tf.keras.Input(shape=(3,), **{arg: True})
    with pytest.raises(ValueError, match="tensor="):
        tf.keras.Input(shape=(3,), tensor=np.zeros((1, 3)))


# -- losses and metrics ------------------------------------------------------------------------
Y = np.array([[1.0], [0.0], [2.0]], dtype=np.float32)
P = np.array([[0.5], [0.5], [1.0]], dtype=np.float32)


@pytest.mark.parametrize("alias, full", [("MSE", "mean_squared_error"), ("MAE", "mean_absolute_error")])
def test_upper_case_loss_aliases(alias, full):
    fn = _noted_once(lambda: getattr(tf.keras.losses, alias), f"losses.{alias}", f"losses.{full}")
    assert fn is getattr(tf.keras.losses, full)
    np.testing.assert_array_equal(np.asarray(fn(Y, P)), np.asarray(getattr(tf.keras.losses, full)(Y, P)))


@pytest.mark.parametrize("alias, full", [("mse", "mean_squared_error"), ("MSE", "mean_squared_error"),
                                         ("mae", "mean_absolute_error"), ("MAE", "mean_absolute_error")])
def test_keras2_metric_aliases(alias, full):
    fn = _noted_once(lambda: getattr(tf.keras.metrics, alias), f"metrics.{alias}", f"metrics.{full}")
    assert fn is getattr(tf.keras.losses, full)
    with pytest.raises(AttributeError, match="no attribute 'msle'"):
        tf.keras.metrics.msle


def test_metric_functions_give_keras3s_values():
    # Keras 3.15: binary_accuracy is not averaged over the last axis; the others are per sample
    np.testing.assert_array_equal(tf.keras.metrics.binary_accuracy([[1.0], [0.0]], [[0.7], [0.6]]).numpy(),
                                  [[1.0], [0.0]])
    probs = np.array([[0.3, 0.7], [0.2, 0.8]])
    np.testing.assert_array_equal(tf.keras.metrics.categorical_accuracy([[0, 1.0], [1, 0]], probs).numpy(), [1, 0])
    np.testing.assert_array_equal(tf.keras.metrics.sparse_categorical_accuracy([1, 0], probs).numpy(), [1, 0])
    np.testing.assert_array_equal(tf.keras.metrics.sparse_categorical_accuracy([[1], [0]], probs).numpy(), [1, 0])
    assert isinstance(tf.keras.metrics.binary_accuracy([1.0], [0.9]), Tensor)


def test_metric_functions_in_compile_are_their_classes_under_their_names():
    x = np.random.default_rng(1).normal(size=(16, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)

    def run(metrics):
        model = tf.keras.Sequential([tf.keras.Input(shape=(2,)), tf.keras.layers.Dense(1, activation="sigmoid")])
        model.set_weights([np.array([[0.3], [-0.2]], dtype=np.float32), np.zeros(1, dtype=np.float32)])
        model.compile("sgd", "binary_crossentropy", metrics=metrics)
        return model.fit(x, y, epochs=2, shuffle=False, verbose=0).history

    by_function = run([tf.keras.metrics.binary_accuracy, tf.keras.losses.mean_squared_error,
                       tf.keras.losses.binary_crossentropy])
    by_name = run(["binary_accuracy", "mean_squared_error", "binary_crossentropy"])
    assert sorted(by_function) == ["binary_accuracy", "binary_crossentropy", "loss", "mean_squared_error"]
    for key in by_name:
        np.testing.assert_allclose(by_function[key], by_name[key], rtol=1e-6)


@pytest.mark.parametrize("units, labels, full", [
    (1, np.array([[1.0], [0.0], [1.0], [0.0]]), "binary_crossentropy"),
    (3, np.array([0, 2, 1, 2]), "sparse_categorical_crossentropy"),
    (3, np.eye(3)[[0, 2, 1, 2]], "categorical_crossentropy")])
@pytest.mark.parametrize("spelling", ["ce", "crossentropy"])
def test_crossentropy_metric_is_the_one_that_fits_the_output(units, labels, full, spelling):
    # Keras 2 (compile_utils.MetricsContainer): 'ce'/'crossentropy' chosen from the shapes as
    # 'accuracy' is, logged under the name written. Keras 3 refuses them.
    x = np.random.default_rng(3).normal(size=(4, 2)).astype(np.float32)

    def run(metric):
        model = tf.keras.Sequential([tf.keras.Input(shape=(2,)), tf.keras.layers.Dense(
            units, activation="sigmoid" if units == 1 else "softmax", kernel_initializer="ones")])
        model.compile("sgd", full, metrics=[metric])
        return model.fit(x, labels, epochs=1, shuffle=False, verbose=0).history

    history, notes = _notes(lambda: run(spelling))
    assert len(notes) == 1 and full in notes[0]
    np.testing.assert_allclose(history[spelling], run(full)[full], rtol=1e-6)


def test_loss_reduction_names():
    reduction = _noted_once(lambda: tf.keras.losses.Reduction, "Reduction", "'sum_over_batch_size'")
    y, p = np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]])
    for name, value in (("NONE", "none"), ("SUM", "sum"), ("SUM_OVER_BATCH_SIZE", "sum_over_batch_size"),
                        ("AUTO", "sum_over_batch_size")):
        old = tf.keras.losses.MeanSquaredError(reduction=getattr(reduction, name))(y, p)
        np.testing.assert_array_equal(np.asarray(old),
                                      np.asarray(tf.keras.losses.MeanSquaredError(reduction=value)(y, p)))


def test_keras2_time_series_notebook_runs():
    # TF 2.x's Keras 2 course notebook: SGD(lr=..., momentum=...), a LearningRateScheduler, and
    # history.history["lr"] (Keras 2's log key; Keras 3's is "learning_rate")
    tf.keras.backend.clear_session()
    series = np.sin(np.arange(64, dtype=np.float32) / 4)
    x = np.stack([series[i:i + 5] for i in range(56)])
    y = series[5:61, None]
    model = tf.keras.models.Sequential([tf.keras.layers.Dense(10, input_shape=[5], activation="relu"),
                                        tf.keras.layers.Dense(1)])
    lr_schedule = tf.keras.callbacks.LearningRateScheduler(lambda epoch: 1e-4 * 10 ** (epoch / 20))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.compile(loss="mse", optimizer=tf.keras.optimizers.SGD(lr=1e-4, momentum=0.9))
        history = model.fit(x, y, epochs=3, callbacks=[lr_schedule], verbose=0)
        lrs = history.history["lr"]
    np.testing.assert_allclose(lrs, [1e-4 * 10 ** (e / 20) for e in range(3)], rtol=1e-6)
    assert lrs == history.history["learning_rate"] and "lr" not in history.history
    notes = [str(w.message) for w in caught if issubclass(w.category, legacy.Keras2Warning)]
    assert any("history.history['learning_rate']" in n for n in notes) and len(notes) == 2, notes
    with pytest.raises(KeyError):
        history.history["accuracy"]


# -- model methods -----------------------------------------------------------------------------
def _model():
    model = tf.keras.Sequential([tf.keras.Input(shape=(2,)), tf.keras.layers.Dense(1)])
    model.set_weights([np.array([[0.5], [-0.25]], dtype=np.float32), np.array([0.1], dtype=np.float32)])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse")
    return model


X = np.random.default_rng(2).normal(size=(12, 2)).astype(np.float32)
T = (X @ np.array([[1.0], [2.0]], dtype=np.float32)).astype(np.float32)


def _batches():
    while True:
        for i in range(0, 12, 4):
            yield X[i:i + 4], T[i:i + 4]


def test_fit_generator_is_fit_on_the_generator():
    old, new = _model(), _model()
    history = _noted_once(lambda: old.fit_generator(_batches(), steps_per_epoch=3, epochs=2, verbose=0),
                          "fit_generator", "model.fit(generator")
    new.fit(_batches(), steps_per_epoch=3, epochs=2, verbose=0)
    new.fit(_batches(), steps_per_epoch=3, epochs=2, verbose=0)       # _notes ran fit_generator twice
    for a, b in zip(old.get_weights(), new.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(history.history["loss"]) == 2


def test_evaluate_and_predict_generator():
    model = _model()
    loss = _noted_once(lambda: model.evaluate_generator(_batches(), steps=3), "evaluate_generator",
                       "model.evaluate(generator")
    assert loss == pytest.approx(model.evaluate(X, T, verbose=0), rel=1e-6)
    out = _noted_once(lambda: model.predict_generator((X[i:i + 4] for i in range(0, 12, 4)), steps=3),
                      "predict_generator", "model.predict(generator")
    np.testing.assert_allclose(out, model.predict(X, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_loader_arguments_are_accepted_and_ignored(call):
    old, new = _model(), _model()
    kwargs = dict(workers=4, use_multiprocessing=True, max_queue_size=20, verbose=0)
    args = (X,) if call == "predict" else (X, T)
    if call == "fit":
        kwargs["shuffle"] = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = getattr(old, call)(*args, **kwargs)
        getattr(old, call)(*args, **kwargs)
    notes = [str(w.message) for w in caught if issubclass(w.category, legacy.Keras2Warning)]
    assert len(notes) == 3 and all("ignored" in n for n in notes), notes
    b = getattr(new, call)(*args, **{k: v for k, v in kwargs.items() if k not in ("workers", "use_multiprocessing",
                                                                                  "max_queue_size")})
    if call == "fit":
        np.testing.assert_allclose(a.history["loss"], b.history["loss"], rtol=1e-6)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-6)
    with pytest.raises(TypeError, match="'wrokers'"):
        getattr(new, call)(*args, wrokers=2)


def test_keras2_compile_arguments():
    model = _model()
    _noted_once(lambda: model.compile("sgd", "mse", experimental_run_tf_function=False),
                "experimental_run_tf_function", "ignored")
    _noted_once(lambda: model.compile("sgd", "mse", sample_weight_mode=None), "sample_weight_mode")
    assert model.evaluate(X, T, verbose=0) == pytest.approx(_model().evaluate(X, T, verbose=0))
    with pytest.raises(ValueError, match="sample_weight_mode='temporal'"):
        model.compile("sgd", "mse", sample_weight_mode="temporal")
    with pytest.raises(TypeError, match="'optimiser'"):
        model.compile(optimiser="sgd", loss="mse")


@pytest.mark.parametrize("method, replacement", [("predict_classes", "np.argmax(model.predict(x), axis=-1)"),
                                                 ("predict_proba", "model.predict(x)")])
def test_removed_predict_methods_name_the_replacement(method, replacement):
    with pytest.raises(AttributeError) as info:
        getattr(_model(), method)(X)
    assert replacement in str(info.value) and "TensorFlow 2.6" in str(info.value)


def test_saving_to_a_folder_keras2s_savedmodel_is_refused_naming_keras(tmp_path):
    with pytest.raises(Exception, match=r"\.keras") as info:
        _model().save(str(tmp_path / "my_model"))
    assert isinstance(info.value, (ValueError, OSError))
    assert "SavedModel" in str(info.value) and repr(str(tmp_path / "my_model.keras")) in str(info.value)
    assert not (tmp_path / "my_model").exists()
    # Keras 2's checkpoint of weights (the TF "save and load" tutorial's cp.ckpt)
    with pytest.raises(Exception, match="checkpoint") as info:
        _model().save_weights(str(tmp_path / "cp.ckpt"))
    assert repr(str(tmp_path / "cp.weights.h5")) in str(info.value)
    assert list(tmp_path.iterdir()) == []


def _keras2_h5(path, compiled=True, optimizer_weights=False):
    """A model file as TensorFlow 2.x's Keras 2 wrote ``model.save("model.h5")``: an InputLayer
    with ``batch_input_shape``, the Dense repeating it, the optimizer config with ``decay``,
    metrics as one list per output of ``MeanMetricWrapper`` entries, TensorFlow variable names
    (``dense/kernel:0``), and Keras 2's optimizer slots (all ``m``, then all ``v``). Real
    Keras 3.15 loads this file (predicting 0.37754065 for [1, 2])."""
    import json
    h5py = pytest.importorskip("h5py")
    dense = {"name": "dense", "trainable": True, "batch_input_shape": [None, 2], "dtype": "float32", "units": 1,
             "activation": "sigmoid", "use_bias": True,
             "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
             "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
             "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 2], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "dense_input"}},
        {"class_name": "Dense", "config": dense}]}}
    training = {"loss": "binary_crossentropy", "weighted_metrics": None, "loss_weights": None,
                "metrics": [[{"class_name": "MeanMetricWrapper",
                              "config": {"name": "accuracy", "dtype": "float32", "fn": "binary_accuracy"}}]],
                "optimizer_config": {"class_name": "Adam", "config": {
                    "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999,
                    "epsilon": 1e-07, "amsgrad": False}}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"], f.attrs["backend"] = "2.12.0", "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        if compiled:
            f.attrs["training_config"] = json.dumps(training)
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = [b"dense_input", b"dense"]
        weights.create_group("dense_input").attrs["weight_names"] = np.array([], dtype="S")
        g = weights.create_group("dense")
        g.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        g.create_dataset("dense/kernel:0", data=np.array([[1.0], [-1.0]], dtype=np.float32))
        g.create_dataset("dense/bias:0", data=np.array([0.5], dtype=np.float32))
        if optimizer_weights:
            g = f.create_group("optimizer_weights")
            arrays = {"Adam/iter:0": np.int64(7), "Adam/dense/kernel/m:0": np.full((2, 1), 0.1, np.float32),
                      "Adam/dense/bias/m:0": np.full((1,), 0.2, np.float32),
                      "Adam/dense/kernel/v:0": np.full((2, 1), 0.3, np.float32),
                      "Adam/dense/bias/v:0": np.full((1,), 0.4, np.float32)}
            g.attrs["weight_names"] = [n.encode() for n in arrays]
            for name, value in arrays.items():
                g.create_dataset(name, data=value)
    return path


@pytest.mark.parametrize("compiled, optimizer_weights", [(False, False), (True, False), (True, True)])
def test_a_keras2_h5_model_file_loads(tmp_path, compiled, optimizer_weights):
    path = _keras2_h5(str(tmp_path / "model.h5"), compiled, optimizer_weights)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = tf.keras.models.load_model(path)
    steps_loaded = model.optimizer.iterations if compiled else None
    # sigmoid(1*1 + 2*(-1) + 0.5) = sigmoid(-0.5), as Keras 3.15 gives for this file
    np.testing.assert_allclose(model.predict(np.array([[1.0, 2.0]]), verbose=0), [[0.37754065]], rtol=1e-6)
    assert model.compiled == compiled
    if compiled:
        assert type(model.optimizer).__name__ == "Adam" and float(model.optimizer.learning_rate) == float(np.float32(0.001))
        history = model.fit(np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([1.0, 0.0]), verbose=0).history
        assert sorted(history) == ["accuracy", "loss"] and history["accuracy"] == [0.5]
    notes = [str(w.message) for w in caught if issubclass(w.category, legacy.Keras2Warning)]
    assert len(notes) == (1 if optimizer_weights else 0), notes
    if optimizer_weights:
        assert "optimizer state" in notes[0] and steps_loaded == 0


def _keras2_functional_h5(path, class_name):
    """A two-input functional model as Keras 2 wrote it in .h5 (``class_name`` "Model" before
    TF 2.4, "Functional" after): inbound_nodes as ``[[layer, call, index, kwargs], ...]``, a
    Concatenate taking both inputs. Real Keras 3.15 loads it and predicts -0.9 for the inputs
    below."""
    import json
    h5py = pytest.importorskip("h5py")

    def inp(name, n):
        return {"class_name": "InputLayer", "name": name, "inbound_nodes": [],
                "config": {"batch_input_shape": [None, n], "dtype": "float32", "sparse": False, "ragged": False,
                           "name": name}}
    config = {"class_name": class_name, "config": {"name": "model", "layers": [
        inp("a", 2), inp("b", 3),
        {"class_name": "Concatenate", "name": "concatenate", "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]],
         "config": {"name": "concatenate", "trainable": True, "dtype": "float32", "axis": -1}},
        {"class_name": "Dense", "name": "dense", "inbound_nodes": [[["concatenate", 0, 0, {}]]],
         "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 1, "activation": "linear",
                    "use_bias": True, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                    "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
                    "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
                    "bias_constraint": None}}],
        "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["dense", 0, 0]]}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"], f.attrs["backend"] = "2.12.0", "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = [b"a", b"b", b"concatenate", b"dense"]
        for name in ("a", "b", "concatenate"):
            weights.create_group(name).attrs["weight_names"] = np.array([], dtype="S")
        g = weights.create_group("dense")
        g.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        g.create_dataset("dense/kernel:0", data=np.array([[1.0], [-1.0], [0.5], [0.25], [0.0]], dtype=np.float32))
        g.create_dataset("dense/bias:0", data=np.array([0.1], dtype=np.float32))
    return path


@pytest.mark.parametrize("class_name", ["Model", "Functional"])
def test_a_keras2_functional_h5_file_loads(tmp_path, class_name):
    model = tf.keras.models.load_model(_keras2_functional_h5(str(tmp_path / "model.h5"), class_name))
    out = model.predict([np.array([[1.0, 2.0]]), np.array([[0.5, -1.0, 2.0]])], verbose=0)
    # [1, 2, 0.5, -1, 2] . [1, -1, 0.5, 0.25, 0] + 0.1 = 1 - 2 + 0.25 - 0.25 + 0.1
    np.testing.assert_allclose(out, [[-0.9]], rtol=1e-6)


def test_a_keras2_h5_cnn_loads_with_keras3s_outputs(tmp_path):
    """Conv2D, BatchNormalization (Keras 2's axis as a list), MaxPooling2D, Dropout, Flatten and
    Dense as Keras 2 wrote their configs; the outputs are Keras 3.15's for the same file."""
    import json
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(0)

    def init(c):
        return {"class_name": c, "config": {"seed": None} if c.startswith("Glorot") else {}}

    def common(name):
        return {"name": name, "trainable": True, "dtype": "float32"}
    none = dict.fromkeys(["kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                          "bias_constraint"])
    layers = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 6, 6, 1], "dtype": "float32",
                                                "sparse": False, "ragged": False, "name": "conv2d_input"}},
        {"class_name": "Conv2D", "config": {
            **common("conv2d"), "batch_input_shape": [None, 6, 6, 1], "filters": 2, "kernel_size": [3, 3],
            "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1],
            "groups": 1, "activation": "relu", "use_bias": True, "kernel_initializer": init("GlorotUniform"),
            "bias_initializer": init("Zeros"), **none}},
        {"class_name": "BatchNormalization", "config": {
            **common("batch_normalization"), "axis": [3], "momentum": 0.99, "epsilon": 0.001, "center": True,
            "scale": True, "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"),
            "moving_mean_initializer": init("Zeros"), "moving_variance_initializer": init("Ones"),
            "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}},
        {"class_name": "MaxPooling2D", "config": {**common("max_pooling2d"), "pool_size": [2, 2], "padding": "valid",
                                                  "strides": [2, 2], "data_format": "channels_last"}},
        {"class_name": "Dropout", "config": {**common("dropout"), "rate": 0.5, "noise_shape": None, "seed": None}},
        {"class_name": "Flatten", "config": {**common("flatten"), "data_format": "channels_last"}},
        {"class_name": "Dense", "config": {**common("dense"), "units": 3, "activation": "softmax", "use_bias": True,
                                           "kernel_initializer": init("GlorotUniform"),
                                           "bias_initializer": init("Zeros"), **none}}]
    arrays = {"conv2d": [rng.normal(size=(3, 3, 1, 2)), rng.normal(size=(2,))],
              "batch_normalization": [rng.uniform(0.5, 1.5, size=(2,)), rng.normal(size=(2,)), rng.normal(size=(2,)),
                                      rng.uniform(0.5, 2, size=(2,))],
              "dense": [rng.normal(size=(8, 3)), rng.normal(size=(3,))]}
    names = {"conv2d": ["kernel", "bias"], "batch_normalization": ["gamma", "beta", "moving_mean", "moving_variance"],
             "dense": ["kernel", "bias"]}
    path = str(tmp_path / "cnn.h5")
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"], f.attrs["backend"] = "2.12.0", "tensorflow"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential",
                                              "config": {"name": "sequential", "layers": layers}})
        group = f.create_group("model_weights")
        order = ["conv2d_input", "conv2d", "batch_normalization", "max_pooling2d", "dropout", "flatten", "dense"]
        group.attrs["layer_names"] = [n.encode() for n in order]
        for n in order:
            g = group.create_group(n)
            g.attrs["weight_names"] = [f"{n}/{w}:0".encode() for w in names.get(n, [])] or np.array([], dtype="S")
            for w, a in zip(names.get(n, []), arrays.get(n, [])):
                g.create_dataset(f"{n}/{w}:0", data=a.astype(np.float32))
    x = rng.normal(size=(2, 6, 6, 1)).astype(np.float32)
    out = tf.keras.models.load_model(path).predict(x, verbose=0)
    np.testing.assert_allclose(out, [[0.43347695, 0.56072164, 0.00580137],
                                     [0.34807816, 0.6286492, 0.02327265]], rtol=2e-5)


# -- keras.backend -----------------------------------------------------------------------------
A = np.array([[1.0, -4.0, 9.0], [0.25, 2.0, -1.0]], dtype=np.float32)
B = np.array([[2.0, 0.5, -3.0], [1.0, 1.0, 1.0]], dtype=np.float32)

BACKEND = [
    ("sum", lambda: K.sum(A, axis=1), np.sum(A, axis=1)),
    ("mean", lambda: K.mean(A, axis=0, keepdims=True), np.mean(A, axis=0, keepdims=True)),
    ("max", lambda: K.max(A), np.max(A)),
    ("min", lambda: K.min(A, axis=-1), np.min(A, axis=-1)),
    ("std", lambda: K.std(A, axis=1), np.std(A, axis=1)),
    ("var", lambda: K.var(A), np.var(A)),
    ("argmax", lambda: K.argmax(A), np.argmax(A, axis=-1)),
    ("argmin", lambda: K.argmin(A), np.argmin(A, axis=-1)),
    ("square", lambda: K.square(A), A * A),
    ("abs", lambda: K.abs(A), np.abs(A)),
    ("sqrt", lambda: K.sqrt(A), np.sqrt(np.maximum(A, 0))),        # Keras 2: negatives count as 0
    ("exp", lambda: K.exp(B), np.exp(B)),
    ("log", lambda: K.log(np.abs(A)), np.log(np.abs(A))),
    ("pow", lambda: K.pow(B, 2), B ** 2),
    ("clip", lambda: K.clip(A, -1.0, 2.0), np.clip(A, -1.0, 2.0)),
    ("maximum", lambda: K.maximum(A, B), np.maximum(A, B)),
    ("minimum", lambda: K.minimum(A, B), np.minimum(A, B)),
    ("dot", lambda: K.dot(A, B.T), A @ B.T),
    ("transpose", lambda: K.transpose(A), A.T),
    ("reshape", lambda: K.reshape(A, (3, 2)), A.reshape(3, 2)),
    ("expand_dims", lambda: K.expand_dims(A), A[..., None]),
    ("concatenate", lambda: K.concatenate([A, B]), np.concatenate([A, B], axis=-1)),
    ("shape", lambda: K.shape(A), np.array([2, 3])),
    ("cast", lambda: K.cast(A, "int32"), A.astype(np.int32)),
    ("constant", lambda: K.constant([1, 2]), np.array([1.0, 2.0], dtype=np.float32)),
    ("zeros", lambda: K.zeros((2, 1)), np.zeros((2, 1), dtype=np.float32)),
    ("ones", lambda: K.ones((1, 2)), np.ones((1, 2), dtype=np.float32)),
    ("sigmoid", lambda: K.sigmoid(B), 1 / (1 + np.exp(-B))),
    ("tanh", lambda: K.tanh(B), np.tanh(B)),
    ("relu", lambda: K.relu(A), np.maximum(A, 0)),
    ("softmax", lambda: K.softmax(B), np.exp(B) / np.exp(B).sum(axis=-1, keepdims=True)),
    ("round", lambda: K.round(np.array([0.5, 1.5, -2.5, 0.7])), [0.0, 2.0, -2.0, 1.0]),   # halves to even
    ("sign", lambda: K.sign(A), np.sign(A)),
    ("equal", lambda: K.equal(A, 2.0), A == 2.0),
    ("not_equal", lambda: K.not_equal(A, 2.0), A != 2.0),
    ("greater", lambda: K.greater(A, B), A > B),
    ("greater_equal", lambda: K.greater_equal(A, 1.0), A >= 1.0),
    ("less", lambda: K.less(A, B), A < B),
    ("less_equal", lambda: K.less_equal(A, 1.0), A <= 1.0),
    ("any", lambda: K.any(A > 5, axis=1), [True, False]),
    ("all", lambda: K.all(A > -5), True),
    ("prod", lambda: K.prod(A, axis=0), np.prod(A, axis=0)),
    ("cumsum", lambda: K.cumsum(A, axis=1), np.cumsum(A, axis=1)),
    ("zeros_like", lambda: K.zeros_like(A), np.zeros_like(A)),
    ("ones_like", lambda: K.ones_like(A), np.ones_like(A)),
    ("l2_normalize", lambda: K.l2_normalize(B, axis=-1), B / np.linalg.norm(B, axis=-1, keepdims=True)),
    ("squeeze", lambda: K.squeeze(A[:1], 0), A[0]),
    ("stack", lambda: K.stack([A, B]), np.stack([A, B])),
    ("flatten", lambda: K.flatten(A), A.ravel()),
    ("batch_flatten", lambda: K.batch_flatten(np.ones((2, 3, 4))), np.ones((2, 12))),
    ("gather", lambda: K.gather(A, [1, 0, 1]), A[[1, 0, 1]]),
]


@pytest.mark.parametrize("name, call, expected", BACKEND, ids=[b[0] for b in BACKEND])
def test_backend_functions_are_numpy_returning_tensors(name, call, expected):
    out = _noted_once(call, f"keras.backend.{name}", "Keras 3 writes")
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_backend_keeps_keras2s_meanings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        # clip: max_value below min_value clips everything to min_value; None is no upper bound
        np.testing.assert_array_equal(K.clip(A, 1.0, 0.0).numpy(), np.full_like(A, 1.0))
        np.testing.assert_array_equal(K.clip(A, 0.0, None).numpy(), np.maximum(A, 0.0))
        # mean of booleans is a float mean
        assert K.mean(np.array([True, False, True, True])).numpy() == pytest.approx(0.75)
        # dot of a 3-D and a 2-D array: the last axis against the first
        assert K.dot(np.ones((2, 3, 4)), np.ones((4, 5))).shape == (2, 3, 5)
        assert K.int_shape(A) == (2, 3)
        assert K.int_shape(tf.keras.Input(shape=(7,))) == (None, 7)
        assert K.image_data_format() == "channels_last"
        with pytest.raises(TypeError, match="set_value"):
            K.set_value(3.0, 1.0)


def test_backend_crossentropies_are_keras2s_worked_by_hand():
    eps = 1e-7
    t = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    p = np.array([[0.8, 0.2], [0.4, 0.6]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        # elementwise, not averaged: -(t log(p + eps) + (1 - t) log(1 - p + eps))
        bce = K.binary_crossentropy(t, p).numpy()
        np.testing.assert_allclose(bce, -(t * np.log(p + eps) + (1 - t) * np.log(1 - p + eps)), rtol=1e-5)
        z = np.array([[2.0, -1.0]], dtype=np.float32)
        np.testing.assert_allclose(K.binary_crossentropy(t[:1], z, from_logits=True).numpy(),
                                   K.binary_crossentropy(t[:1], 1 / (1 + np.exp(-z))).numpy(), rtol=1e-4)
        # per sample: -log of the true class's probability: -log 0.8, -log 0.6
        np.testing.assert_allclose(K.categorical_crossentropy(t, p).numpy(), [-np.log(0.8), -np.log(0.6)], rtol=1e-5)
        np.testing.assert_allclose(K.sparse_categorical_crossentropy(np.array([0, 1]), p).numpy(),
                                   [-np.log(0.8), -np.log(0.6)], rtol=1e-5)
        np.testing.assert_allclose(K.categorical_crossentropy(t, np.log(p), from_logits=True).numpy(),
                                   [-np.log(0.8), -np.log(0.6)], rtol=1e-5)


def test_backend_f1_metric_of_keras2_programs_trains():
    # the custom metric many Keras 2 notebooks carry, written with K.*
    def recall(y_true, y_pred):
        true_positives = K.sum(K.round(K.clip(y_true * y_pred, 0, 1)))
        possible_positives = K.sum(K.round(K.clip(y_true, 0, 1)))
        return true_positives / (possible_positives + K.epsilon())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        value = recall(np.array([[1.0], [1.0], [0.0]]), np.array([[0.9], [0.2], [0.8]]))
    assert isinstance(value, Tensor) and float(value) == pytest.approx(0.5, rel=1e-6)


def test_backend_variable_and_stop_gradient():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        v = K.variable([1.0, 2.0], name="v")
        assert K.get_value(v).dtype == np.float32 and list(K.get_value(v)) == [1.0, 2.0]
        K.set_value(v, np.array([3.0, 4.0]))
        assert list(K.eval(v)) == [3.0, 4.0]
        with tf.GradientTape() as tape:
            y = K.sum(v * K.stop_gradient(v)) + K.sum(v)
        np.testing.assert_allclose(np.asarray(tape.gradient(y, v)), [4.0, 5.0])


def test_backend_function_gives_intermediate_outputs():
    # the Keras 2 FAQ's "how can I obtain the output of an intermediate layer?"
    model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(4, activation="relu"),
                                 tf.keras.layers.Dense(2)])
    x = np.random.default_rng(4).normal(size=(5, 3)).astype(np.float32)
    get_hidden = _noted_once(lambda: K.function([model.layers[0].input], [model.layers[0].output]),
                             "keras.backend.function", "keras.Model(inputs, outputs)")
    hidden = get_hidden([x])
    assert isinstance(hidden, list) and len(hidden) == 1
    kernel, bias = model.layers[0].get_weights()
    np.testing.assert_allclose(hidden[0], np.maximum(x @ kernel + bias, 0), rtol=1e-5, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        both = K.function([model.layers[0].input], [model.layers[0].output, model.layers[1].output])([x])
        with pytest.raises(ValueError, match="updates"):
            K.function([model.layers[0].input], [model.layers[1].output], updates=[object()])
    np.testing.assert_allclose(both[1], model.predict(x, verbose=0), rtol=1e-5)
    with pytest.raises(ValueError, match="1 array"):
        get_hidden([x, x])


def test_learning_phase_is_an_argument_not_a_mode():
    assert _noted_once(K.learning_phase, "learning_phase", "training=True") == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", legacy.Keras2Warning)
        K.set_learning_phase(0)
        with pytest.raises(ValueError, match="training=True"):
            K.set_learning_phase(1)
        with pytest.raises(ValueError, match="0 or 1"):
            K.set_learning_phase(2)


def test_keras3_backend_names_do_not_note():
    def run():
        K.floatx()
        K.epsilon()
        K.clear_session()
        K.image_data_format()
    _, notes = _notes(run)
    assert notes == []


def test_add_weight_takes_keras2s_name_first_and_keras3s_keywords():
    """TensorFlow's custom-layers guide (Keras 2): self.add_weight("kernel", shape=[...])."""
    import glassnet

    class MyDenseLayer(glassnet.keras.layers.Layer):
        def __init__(self, num_outputs):
            super().__init__()
            self.num_outputs = num_outputs

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", shape=[int(input_shape[-1]), self.num_outputs])
            self.bias = self.add_weight(shape=(self.num_outputs,), initializer="zeros", name="bias")

        def forward(self, x, training=False):
            self.x = x
            return x @ self.kernel.value + self.bias.value

        def backward(self, grad, need_input_grad=True):
            self.kernel.grad = self.x.T @ grad
            self.bias.grad = grad.sum(axis=0)
            return grad @ self.kernel.value.T

    layer = MyDenseLayer(10)
    out = layer(np.ones((10, 5), np.float32))
    assert out.shape == (10, 10) and [v.name for v in layer.weights] == ["kernel", "bias"]
    assert layer.kernel.shape == (5, 10) and np.abs(layer.kernel.value).max() > 0     # Glorot uniform
    assert np.all(layer.bias.value == 0)
    assert type(layer.add_weight(shape=(2,), constraint="non_neg").constraint).__name__ == "NonNeg"
    with pytest.raises(TypeError, match="synchronisation"):
        layer.add_weight(shape=(2,), synchronisation="none")
