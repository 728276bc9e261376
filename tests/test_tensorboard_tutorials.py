"""TensorBoard's own tutorials (tensorflow/tensorboard docs/: get_started, scalars_and_keras,
image_summaries, text_summaries, hyperparameter_tuning_with_hparams, migrate), their calls run
renamed (``import glassnet as tf``) on small stand-in data, and the event files read back with
TensorBoard's own reader. The expected runs, tags, steps, plugins, dtypes, image sizes and
deterministic values are what TF 2.21 / Keras 3.15 wrote for the same programs
(/work/peers/bin/python, read with the same EventAccumulator).

Where glassnet writes more than Keras: the TensorBoard callback's ``<weight>/gradient/histogram``
and ``gradient_norm/<layer>`` tags (documented in glassbox/tensorboard.py); everything Keras
writes is there too.
"""
import io
import os

import numpy as np
import pytest

import glassnet as tf
from glassnet import keras

pytest.importorskip("tensorboard")


def _runs(root):
    """{run folder relative to root: {tag: (plugin name, [(step, value), ...])}} for every run."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util
    runs = {}
    for folder, _, files in os.walk(root):
        if not any(f.startswith("events.out.tfevents") for f in files):
            continue
        acc = EventAccumulator(folder, size_guidance={"tensors": 0})
        acc.Reload()
        tags = {}
        for tag in acc.Tags()["tensors"]:
            plugin = acc.SummaryMetadata(tag).plugin_data.plugin_name
            tags[tag] = (plugin, [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)])
        runs[os.path.relpath(folder, root).replace(os.sep, "/")] = tags
    return runs


def _steps(tags, tag):
    return [step for step, _ in tags[tag][1]]


def _values(tags, tag):
    return [float(v) for _, v in tags[tag][1]]


def _data(n, seed=0):
    rng = np.random.default_rng(seed)                        # stand-in for (Fashion-)MNIST
    return rng.integers(0, 256, (n, 28, 28)).astype("uint8"), rng.integers(0, 10, n).astype("uint8")


def test_get_started_fit_callback_and_custom_loop(tmp_path):
    x_train, y_train = _data(256)
    x_test, y_test = _data(64, 1)
    x_train, x_test = x_train / 255.0, x_test / 255.0

    def create_model():
        return tf.keras.models.Sequential([
            tf.keras.layers.Input((28, 28)),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(32, activation='relu'),
            tf.keras.layers.Dropout(0.2),
            tf.keras.layers.Dense(10, activation='softmax')])

    model = create_model()
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    log_dir = str(tmp_path / "logs/fit/20260101-000000")
    tensorboard_callback = tf.keras.callbacks.TensorBoard(log_dir=log_dir, histogram_freq=1)
    history = model.fit(x=x_train, y=y_train, epochs=2, validation_data=(x_test, y_test),
                        callbacks=[tensorboard_callback], verbose=0)

    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(60000).batch(64)
    test_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(64)
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy()
    optimizer = tf.keras.optimizers.Adam()
    train_loss = tf.keras.metrics.Mean('train_loss', dtype=tf.float32)
    train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy('train_accuracy')
    test_loss = tf.keras.metrics.Mean('test_loss', dtype=tf.float32)
    test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy('test_accuracy')
    train_summary_writer = tf.summary.create_file_writer(str(tmp_path / "logs/gradient_tape/T/train"))
    test_summary_writer = tf.summary.create_file_writer(str(tmp_path / "logs/gradient_tape/T/test"))
    model = create_model()
    printed, logged = [], []
    for epoch in range(2):
        for (x, y) in train_dataset:
            with tf.GradientTape() as tape:
                predictions = model(x, training=True)
                loss = loss_object(y, predictions)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            train_loss(loss)
            train_accuracy(y, predictions)
        with train_summary_writer.as_default():
            written = tf.summary.scalar('loss', train_loss.result(), step=epoch)
            tf.summary.scalar('accuracy', train_accuracy.result(), step=epoch)
        for (x, y) in test_dataset:
            predictions = model(x)
            test_loss(loss_object(y, predictions))
            test_accuracy(y, predictions)
        with test_summary_writer.as_default():
            tf.summary.scalar('loss', test_loss.result(), step=epoch)
            tf.summary.scalar('accuracy', test_accuracy.result(), step=epoch)
        printed.append(str(written))
        logged.append((float(train_loss.result()), float(test_accuracy.result())))
        assert (train_accuracy.result() * 100).dtype == tf.float32
        for m in (train_loss, test_loss, train_accuracy, test_accuracy):
            m.reset_state()
    assert printed == ["tf.Tensor(True, shape=(), dtype=bool)"] * 2          # TF 2.21's print
    train_summary_writer.close()
    test_summary_writer.close()

    runs = _runs(tmp_path / "logs")
    assert sorted(runs) == ["fit/20260101-000000/train", "fit/20260101-000000/validation",
                            "gradient_tape/T/test", "gradient_tape/T/train"]
    train, val = runs["fit/20260101-000000/train"], runs["fit/20260101-000000/validation"]
    keras_tags = {"epoch_accuracy", "epoch_learning_rate", "epoch_loss", "keras",
                  "sequential/dense/bias/histogram", "sequential/dense/kernel/histogram",
                  "sequential/dense_1/bias/histogram", "sequential/dense_1/kernel/histogram"}
    assert keras_tags <= set(train)                                              # all Keras 3.15 wrote
    assert set(train) - keras_tags == {t.replace("/histogram", "/gradient/histogram") for t in keras_tags
                                       if t.endswith("/histogram")} | {"gradient_norm/dense", "gradient_norm/dense_1"}
    assert set(val) == {"epoch_accuracy", "epoch_loss", "evaluation_accuracy_vs_iterations",
                        "evaluation_loss_vs_iterations"}
    assert train["epoch_loss"][0] == "scalars" and train["keras"][0] == "graph_keras_model"
    assert train["sequential/dense/kernel/histogram"][0] == "histograms"
    assert train["sequential/dense/kernel/histogram"][1][0][1].shape == (30, 3)
    assert _steps(train, "epoch_loss") == [0, 1] and _steps(val, "evaluation_loss_vs_iterations") == [8, 16]
    assert _values(train, "epoch_loss") == pytest.approx(history.history["loss"], rel=1e-6)
    assert _values(val, "epoch_accuracy") == pytest.approx(history.history["val_accuracy"], rel=1e-6)
    assert _values(train, "epoch_learning_rate") == pytest.approx([0.001, 0.001])
    for run in ("gradient_tape/T/train", "gradient_tape/T/test"):
        assert {t: (p, [s for s, _ in e]) for t, (p, e) in runs[run].items()} == \
            {"loss": ("scalars", [0, 1]), "accuracy": ("scalars", [0, 1])}
        assert runs[run]["loss"][1][0][1].dtype == np.float32
    assert _values(runs["gradient_tape/T/train"], "loss") == pytest.approx([t for t, _ in logged], rel=1e-6)
    assert _values(runs["gradient_tape/T/test"], "accuracy") == pytest.approx([a for _, a in logged], rel=1e-6)


def test_scalars_and_keras_learning_rate_logged_from_the_schedule(tmp_path):
    np.random.seed(0)
    data_size, train_size = 200, 160
    x = np.linspace(-1, 1, data_size)
    np.random.shuffle(x)
    y = 0.5 * x + 2 + np.random.normal(0, 0.05, (data_size, ))
    x_train, y_train, x_test, y_test = x[:train_size], y[:train_size], x[train_size:], y[train_size:]
    logdir = str(tmp_path / "scalars/T")
    file_writer = tf.summary.create_file_writer(logdir + "/metrics")
    file_writer.set_as_default()

    def lr_schedule(epoch):
        learning_rate = 0.2
        if epoch > 10:
            learning_rate = 0.02
        if epoch > 20:
            learning_rate = 0.01
        tf.summary.scalar('learning rate', data=learning_rate, step=epoch)
        return learning_rate

    try:
        lr_callback = keras.callbacks.LearningRateScheduler(lr_schedule)
        tensorboard_callback = keras.callbacks.TensorBoard(log_dir=logdir)
        model = keras.models.Sequential([keras.layers.Input((1,)), keras.layers.Dense(16), keras.layers.Dense(1)])
        model.compile(loss='mse', optimizer=keras.optimizers.SGD())
        history = model.fit(x_train, y_train, batch_size=train_size, verbose=0, epochs=25,
                            validation_data=(x_test, y_test), callbacks=[tensorboard_callback, lr_callback])
    finally:
        file_writer.close()                                  # (set_as_default is global)
    assert model.predict(np.array([60, 25, 2]), verbose=0).shape == (3, 1)
    runs = _runs(tmp_path / "scalars")
    assert sorted(runs) == ["T/metrics", "T/train", "T/validation"]
    metrics = runs["T/metrics"]
    # TF 2.21: the schedule's scalar, and Keras 3's batch_loss, which it writes every batch to the
    # program's default writer when update_freq="epoch" (steps from 1: the global batch number)
    assert sorted(metrics) == ["batch_loss", "learning rate"]
    assert _steps(metrics, "learning rate") == list(range(25))
    assert _values(metrics, "learning rate") == pytest.approx([0.2] * 11 + [0.02] * 10 + [0.01] * 4)
    assert metrics["learning rate"][1][0][1].dtype == np.float32
    assert _steps(metrics, "batch_loss") == list(range(1, 26))        # one batch an epoch
    assert _values(metrics, "batch_loss") == pytest.approx(history.history["loss"], rel=1e-6)
    assert sorted(runs["T/train"]) == ["epoch_learning_rate", "epoch_loss", "keras"]
    assert _values(runs["T/train"], "epoch_learning_rate") == pytest.approx(_values(metrics, "learning rate"))
    assert sorted(runs["T/validation"]) == ["epoch_loss", "evaluation_loss_vs_iterations"]
    assert _steps(runs["T/validation"], "evaluation_loss_vs_iterations") == list(range(1, 26))
    assert history.history["learning_rate"][11] == pytest.approx(0.02)


def test_without_a_default_writer_the_callback_writes_no_batch_scalars(tmp_path):
    model = keras.models.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
    model.compile(loss='mse', optimizer="sgd")
    tb = keras.callbacks.TensorBoard(log_dir=str(tmp_path / "run"))
    assert not tb.wants_batch_logs
    model.fit(np.ones((8, 1)), np.ones((8, 1)), batch_size=4, epochs=2, verbose=0, callbacks=[tb])
    runs = _runs(tmp_path / "run")
    assert sorted(runs) == ["train"] and sorted(runs["train"]) == ["epoch_learning_rate", "epoch_loss", "keras"]


def test_image_summaries_max_outputs_and_a_matplotlib_figure(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image
    train_images, train_labels = _data(30)
    img = np.reshape(train_images[0], (-1, 28, 28, 1))
    file_writer = tf.summary.create_file_writer(str(tmp_path / "logs/train_data/T"))
    with file_writer.as_default():
        tf.summary.image("Training data", img, step=0)
        images = np.reshape(train_images[0:25], (-1, 28, 28, 1))
        tf.summary.image("25 training data examples", images, max_outputs=25, step=0)

    def plot_to_image(figure):
        buf = io.BytesIO()
        plt.savefig(buf, format='png')
        plt.close(figure)
        buf.seek(0)
        image = tf.image.decode_png(buf.getvalue(), channels=4)
        return tf.expand_dims(image, 0)

    figure = plt.figure(figsize=(2, 3))
    plt.imshow(train_images[0], cmap=plt.cm.binary)
    plot = plot_to_image(figure)
    assert plot.shape == (1, 300, 200, 4) and plot.dtype == tf.uint8          # TF 2.21's (dpi 100)
    file_writer_cm = tf.summary.create_file_writer(str(tmp_path / "logs/image/T/cm"))

    def log_confusion_matrix(epoch, logs):
        figure = plt.figure(figsize=(1, 1))
        plt.imshow(np.eye(10), interpolation='nearest', cmap=plt.cm.Blues)
        with file_writer_cm.as_default():
            tf.summary.image("epoch_confusion_matrix", plot_to_image(figure), step=epoch)

    model = keras.models.Sequential([keras.layers.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(train_images, train_labels, epochs=2, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=log_confusion_matrix)])
    with tf.summary.create_file_writer(str(tmp_path / "logs/plots/T")).as_default():
        tf.summary.image("Training data", plot, step=0)
    file_writer.close()
    file_writer_cm.close()

    runs = _runs(tmp_path / "logs")
    assert sorted(runs) == ["image/T/cm", "plots/T", "train_data/T"]
    data = runs["train_data/T"]
    assert {t: p for t, (p, _) in data.items()} == {"Training data": "images", "25 training data examples": "images"}
    strings = data["25 training data examples"][1][0][1]
    assert strings.shape == (27,) and strings[:2].tolist() == [b"28", b"28"]   # width, height, then 25 PNGs
    first = np.asarray(Image.open(io.BytesIO(data["Training data"][1][0][1][2])))
    np.testing.assert_array_equal(first, train_images[0])                     # the pixels, grey
    plotted = runs["plots/T"]["Training data"][1][0][1]
    assert plotted[:2].tolist() == [b"200", b"300"] and Image.open(io.BytesIO(plotted[2])).mode == "RGBA"
    cm = runs["image/T/cm"]["epoch_confusion_matrix"]
    assert cm[0] == "images" and [s for s, _ in cm[1]] == [0, 1] and cm[1][0][1][:2].tolist() == [b"100", b"100"]


def test_text_summaries_under_name_scopes_and_markdown(tmp_path):
    import json
    file_writer = tf.summary.create_file_writer(str(tmp_path / "logs/multiple_texts/T"))
    with file_writer.as_default():
        tf.summary.text("first_text", "Hello world! 😃", step=0)
        with tf.name_scope("name_scope_1"):
            for step in range(3):
                tf.summary.text("a_stream_of_text", f"Hello from step {step}", step=step)
                tf.summary.text("another_stream_of_text", f"This can be kept separate {step}", step=step)
                with tf.name_scope("inner"):
                    tf.summary.scalar("s", step / 2, step=step)
        with tf.name_scope("name_scope_2"):
            tf.summary.text("just_from_step_0", "This is an important announcement from step 0", step=0)
        tf.summary.text("table", tf.constant([["a", "b"], ["c", "d"]]), step=1)
        pretty = "".join("\t" + line for line in json.dumps({"hardware": "Cloud TPU"}, indent=2).splitlines(True))
        tf.summary.text("run_params", pretty, step=0)
    file_writer.close()
    tags = _runs(tmp_path / "logs")["multiple_texts/T"]
    # TF 2.21: the name scopes prefix the tags
    assert {t: p for t, (p, _) in tags.items()} == {
        "first_text": "text", "name_scope_1/a_stream_of_text": "text", "name_scope_1/another_stream_of_text": "text",
        "name_scope_1/inner/s": "scalars", "name_scope_2/just_from_step_0": "text", "table": "text",
        "run_params": "text"}
    assert tags["first_text"][1][0][1] == "Hello world! 😃".encode()
    assert [(s, v.item()) for s, v in tags["name_scope_1/a_stream_of_text"][1]] == \
        [(0, b"Hello from step 0"), (1, b"Hello from step 1"), (2, b"Hello from step 2")]
    assert tags["table"][1][0][1].tolist() == [[b"a", b"b"], [b"c", b"d"]]
    assert tags["run_params"][1][0][1] == b'\t{\n\t  "hardware": "Cloud TPU"\n\t}'
    with tf.name_scope("outer"):
        with tf.summary.experimental.summary_scope("loss") as (tag, scope):
            assert (tag, scope) == ("outer/loss", "outer/loss/")


def test_hparams_written_through_write_raw_pb(tmp_path):
    # tensorboard.plugins.hparams.api imports TensorFlow itself (its Keras callback subclasses
    # tf.keras's); its summary_v2 module makes the same protocol buffers without it, and
    # tf.summary.experimental.write_raw_pb writes them as hp.hparams / hp.hparams_config do
    from tensorboard.plugins.hparams import summary_v2 as hp
    HP_NUM_UNITS = hp.HParam('num_units', hp.Discrete([16, 32]))
    HP_DROPOUT = hp.HParam('dropout', hp.RealInterval(0.1, 0.2))
    HP_OPTIMIZER = hp.HParam('optimizer', hp.Discrete(['adam', 'sgd']))
    x_train, y_train = _data(64)
    with tf.summary.create_file_writer(str(tmp_path / 'hparam_tuning')).as_default():
        config = hp.hparams_config_pb(hparams=[HP_NUM_UNITS, HP_DROPOUT, HP_OPTIMIZER],
                                      metrics=[hp.Metric('accuracy', display_name='Accuracy')])
        assert bool(tf.summary.experimental.write_raw_pb(config.SerializeToString(), step=0))
    for session_num, (num_units, dropout) in enumerate([(16, 0.1), (32, 0.2)]):
        hparams = {HP_NUM_UNITS: num_units, HP_DROPOUT: dropout, HP_OPTIMIZER: "adam"}
        with tf.summary.create_file_writer(str(tmp_path / f'hparam_tuning/run-{session_num}')).as_default():
            pb = hp.hparams_pb(hparams, trial_id=f"run-{session_num}")
            tf.summary.experimental.write_raw_pb(pb.SerializeToString(), step=0)
            model = tf.keras.models.Sequential([
                tf.keras.layers.Flatten(),
                tf.keras.layers.Dense(hparams[HP_NUM_UNITS], activation=tf.nn.relu),
                tf.keras.layers.Dropout(hparams[HP_DROPOUT]),
                tf.keras.layers.Dense(10, activation=tf.nn.softmax)])
            model.compile(optimizer=hparams[HP_OPTIMIZER], loss='sparse_categorical_crossentropy',
                          metrics=['accuracy'])
            model.fit(x_train / 255.0, y_train, epochs=1, verbose=0)
            _, accuracy = model.evaluate(x_train / 255.0, y_train, verbose=0)
            tf.summary.scalar('accuracy', accuracy, step=1)
    runs = _runs(tmp_path / "hparam_tuning")
    assert sorted(runs) == [".", "run-0", "run-1"]
    assert {t: p for t, (p, _) in runs["."].items()} == {"_hparams_/experiment": "hparams"}
    for run in ("run-0", "run-1"):
        assert {t: (p, [s for s, _ in e]) for t, (p, e) in runs[run].items()} == {
            "_hparams_/session_start_info": ("hparams", [0]), "accuracy": ("scalars", [1])}
    from tensorboard.plugins.hparams import metadata
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(tmp_path / "hparam_tuning/run-1"))
    acc.Reload()
    start = metadata.parse_session_start_info_plugin_data(acc.SummaryMetadata("_hparams_/session_start_info").plugin_data.content)
    assert start.group_name == "run-1" and dict(start.hparams)["num_units"].number_value == 32
    assert dict(start.hparams)["optimizer"].string_value == "adam"
    with pytest.raises(ValueError, match=r"tensor\[0\] is not a serialized Summary"):
        with tf.summary.create_file_writer(str(tmp_path / "bad")).as_default():
            tf.summary.experimental.write_raw_pb(b"\xff\xff", step=0)


def test_evaluate_alone_writes_the_graph_and_the_evaluation_scalars(tmp_path):
    # Keras 3.15: evaluate(callbacks=[TensorBoard]) writes train/keras and
    # validation/evaluation_loss_vs_iterations at step = optimizer.iterations
    model = keras.models.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
    model.compile(loss='mse', optimizer="sgd")
    model.fit(np.ones((8, 1)), np.ones((8, 1)), batch_size=4, epochs=1, verbose=0)
    loss = model.evaluate(np.ones((8, 1)), np.ones((8, 1)), verbose=0,
                          callbacks=[keras.callbacks.TensorBoard(str(tmp_path / "run2"))])
    runs = _runs(tmp_path / "run2")
    assert {r: sorted(t) for r, t in runs.items()} == {"train": ["keras"],
                                                       "validation": ["evaluation_loss_vs_iterations"]}
    assert _steps(runs["validation"], "evaluation_loss_vs_iterations") == [2]
    assert _values(runs["validation"], "evaluation_loss_vs_iterations") == pytest.approx([loss])


def test_migrate_tf2_spellings_steps_and_record_if(tmp_path, capsys):
    from tensorboard.util import tensor_util  # noqa: F401 - (the reader's)
    writer = tf.summary.create_file_writer(str(tmp_path / "logs/eager"))
    with writer.as_default():
        for step in range(3):
            tf.summary.scalar("my_metric", 0.5, step=step)
            writer.flush()

    @tf.function
    def my_func(step):
        with writer.as_default():
            tf.summary.scalar("my_metric", 0.5, step=step)
    for step in tf.range(3, 5, dtype=tf.int64):
        my_func(step)
        writer.flush()
    with writer.as_default():
        step = tf.Variable(0, dtype=tf.int64)
        tf.summary.experimental.set_step(step)
        for _ in range(5):
            with tf.summary.record_if(lambda: tf.equal(step % 2, 0)):
                tf.summary.scalar("b", tf.cast(step, tf.float32) * 2)
            step.assign_add(1)
        tf.summary.experimental.set_step(None)
        with tf.summary.record_if(False):
            print(tf.summary.scalar("d", 1.0, step=1), tf.summary.should_record_summaries())
        print(tf.summary.should_record_summaries())
        tf.summary.histogram("h", tf.constant([1., 2., 2., 3.]), step=0, buckets=3)
        tf.summary.scalar("int_scalar", tf.constant(7), step=0)
    print(tf.summary.should_record_summaries())
    with tf.summary.create_noop_writer().as_default():
        print(tf.summary.scalar("x", 1.0, step=0))
    writer.close()
    assert capsys.readouterr().out.split("\n") == [                          # TF 2.21's prints
        "tf.Tensor(False, shape=(), dtype=bool) tf.Tensor(False, shape=(), dtype=bool)",
        "tf.Tensor(True, shape=(), dtype=bool)", "tf.Tensor(False, shape=(), dtype=bool)",
        "tf.Tensor(False, shape=(), dtype=bool)", ""]
    tags = _runs(tmp_path / "logs")["eager"]
    assert sorted(tags) == ["b", "h", "int_scalar", "my_metric"]
    assert _steps(tags, "my_metric") == [0, 1, 2, 3, 4] and _values(tags, "my_metric") == [0.5] * 5
    assert _steps(tags, "b") == [0, 2, 4] and _values(tags, "b") == [0.0, 4.0, 8.0]
    assert tags["int_scalar"][1][0][1].dtype == np.float32 and _values(tags, "int_scalar") == [7.0]
    np.testing.assert_allclose(tags["h"][1][0][1], [[1, 5 / 3, 1], [5 / 3, 7 / 3, 2], [7 / 3, 3, 1]])   # TF's


def test_with_update_freq_batch_the_programs_summaries_go_to_train(tmp_path, capsys):
    # Keras 3.15 (TF 2.21): with update_freq="batch" the callback's train writer is the default
    # during fit, at step = the global batch: a schedule's and a callback's summaries land there
    def sched(epoch, lr):
        tf.summary.scalar('lr_in_schedule', data=lr, step=epoch)
        return lr

    class C(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(tf.summary.scalar("from_cb", 2.0))

    m = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
    m.compile(loss='mse', optimizer='sgd')
    m.fit(np.ones((8, 1)), np.ones((8, 1)), batch_size=4, epochs=2, verbose=0,
          callbacks=[keras.callbacks.TensorBoard(str(tmp_path / 'logs'), update_freq='batch'),
                     keras.callbacks.LearningRateScheduler(sched), C()])
    print(tf.summary.should_record_summaries())
    assert capsys.readouterr().out.split("\n") == ["tf.Tensor(True, shape=(), dtype=bool)"] * 2 + [
        "tf.Tensor(False, shape=(), dtype=bool)", ""]
    train = _runs(tmp_path / "logs")["train"]
    assert sorted(train) == ["batch_loss", "epoch_learning_rate", "epoch_loss", "from_cb", "keras", "lr_in_schedule"]
    assert _steps(train, "from_cb") == [2, 4] and _steps(train, "lr_in_schedule") == [0, 1]
    assert _steps(train, "batch_loss") == [1, 2, 3, 4]


def test_a_metrics_dtype_is_its_name_as_keras_3():
    # TF 2.21 / Keras 3.15: Mean('train_loss', dtype=tf.float32).dtype is 'float32' (a str)
    assert tf.keras.metrics.Mean('train_loss', dtype=tf.float32).dtype == 'float32'
    assert repr(tf.keras.metrics.Mean(dtype=tf.float64).dtype) == "'float64'"
    assert tf.keras.metrics.SparseCategoricalAccuracy('train_accuracy').dtype == 'float32'
    m = tf.keras.metrics.Mean(dtype=tf.float64)
    m.update_state([1.0, 2.0])
    assert m.result().dtype == tf.float64


def test_predict_on_a_list_of_numbers_is_kerass_value_error():
    # the scalars tutorial's model.predict([60, 25, 2]): TF 2.21 / Keras 3.15 refuse it, word for word
    model = keras.models.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    with pytest.raises(ValueError, match=r"^Unrecognized data type: x=\[60, 25, 2\] \(of type <class 'list'>\)$"):
        model.predict([60, 25, 2])
    with pytest.raises(ValueError, match=r"Unrecognized data type: x=\[1.0, 2.0\]"):
        model.fit([1.0, 2.0], np.ones(2), verbose=0)
    assert model.predict(np.array([60, 25, 2]), verbose=0).shape == (3, 1)     # what it wants
