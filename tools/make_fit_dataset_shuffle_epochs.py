"""Record which shuffle pass of a ``tf.data`` dataset Keras 3's ``fit`` (and ``evaluate``, ``predict``,
``validation_data``) reads at each epoch, for tests/test_fit_dataset_shuffle_epochs.py.

Run with a Python that has TensorFlow:
    /work/peers/bin/python tools/make_fit_dataset_shuffle_epochs.py
writes tests/fixtures/fit_dataset_shuffle_epochs.npz: each case is a small program (its text under
``<case>/program``, run by the test with glassnet as ``tf``) and what it collected, as arrays
``<case>/<k>`` (the k-th list in ``got``): the rows each batch held, in the order the model saw
them (a layer that notes its inputs, run eagerly), the passes read by hand, and loss histories.
Each program runs in a process of its own (no global seed left over from another).

What TensorFlow 2.21 / Keras 3.15 showed: Keras's epoch iterator makes a new iterator of the dataset
at each epoch's start and, once all the dataset's batches were taken, another one at its end that
is never read; each makes a seeded shuffle take the next pass's seeds, so epoch e reads pass 2e.
"""
import json
import os
import pathlib
import subprocess
import sys
import textwrap

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures"

# run first in each program: 20 rows whose inputs say their number; a layer that notes the rows of
# each batch it is called on (in training: `seen`; else `vseen`); models with no random weights
COMMON = """
x = (np.arange(20, dtype="float32") / 10).reshape(20, 1)
y = np.sin(np.arange(20, dtype="float32")).reshape(20, 1)
seen, vseen = [], []

class Rec(keras.layers.Layer):
    def call(self, inputs, training=None):
        try:
            rows = np.round(np.asarray(inputs)[:, 0] * 10).astype("int64").tolist()
        except Exception:                      # a symbolic call while the model is built
            return inputs
        if training is not None:
            (seen if training else vseen).extend(rows)
        return inputs

def recorder():
    m = keras.Sequential([keras.Input((1,)), Rec(), keras.layers.Dense(1, kernel_initializer="ones")])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", run_eagerly=True)
    return m

def plain():
    m = keras.Sequential([keras.Input((1,)),
                          keras.layers.Dense(3, activation="tanh",
                                             kernel_initializer=keras.initializers.Constant([[0.5, -1.0, 2.0]])),
                          keras.layers.Dense(1, kernel_initializer="ones")])
    m.compile(optimizer=keras.optimizers.SGD(0.2), loss="mse")
    return m

def rows_of(ds):
    return [int(round(float(v) * 10)) for b in ds.as_numpy_iterator() for v in np.ravel(b[0])]

def made(seed=5, buffer=8, reshuffle=True):
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(buffer, seed=seed,
                                                              reshuffle_each_iteration=reshuffle).batch(4)
"""

PROGRAMS = {
    "op_seed": """
        model = recorder()
        model.fit(made(), epochs=3, verbose=0)
        got = [seen, sum((rows_of(d) for d in [made()] for _ in range(6)), [])]
    """,
    "op_seed_losses": """
        history = plain().fit(made(), epochs=4, verbose=0)
        got = [history.history["loss"]]
    """,
    "global_seed": """
        keras.utils.set_random_seed(3)
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(8).batch(4)
        model = recorder()
        model.fit(ds, epochs=3, verbose=0)
        keras.utils.set_random_seed(3)
        again = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(8).batch(4)
        got = [seen, sum((rows_of(again) for _ in range(6)), [])]
    """,
    "global_seed_losses": """
        keras.utils.set_random_seed(11)
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(20).batch(4)
        history = plain().fit(ds, epochs=3, verbose=0)
        got = [history.history["loss"]]
    """,
    "no_reshuffle": """
        model = recorder()
        model.fit(made(reshuffle=False), epochs=3, verbose=0)
        got = [seen, rows_of(made(reshuffle=False))]
    """,
    "repeat_steps_per_epoch": """
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(8, seed=5).repeat().batch(4)
        model = recorder()
        history = model.fit(ds, epochs=3, steps_per_epoch=7, verbose=0)
        got = [seen, [int(round(float(v) * 10)) for b in ds.take(21).as_numpy_iterator() for v in np.ravel(b[0])],
               history.history["loss"]]
    """,
    "steps_per_epoch_fewer_than_batches": """
        model = recorder()
        model.fit(made(), epochs=4, steps_per_epoch=3, verbose=0)
        got = [seen]
    """,
    "validation_data": """
        model = recorder()
        history = model.fit(made(), validation_data=made(seed=9), epochs=3, verbose=0)
        got = [seen, vseen]
    """,
    "validation_steps": """
        model = recorder()
        model.fit(made(), validation_data=made(seed=9), validation_steps=2, epochs=3, verbose=0)
        got = [seen, vseen]
    """,
    "validation_same_dataset": """
        ds = made()
        model = recorder()
        model.fit(ds, validation_data=ds, epochs=2, verbose=0)
        got = [seen, vseen, rows_of(ds)]
    """,
    "validation_losses": """
        history = plain().fit(made(), validation_data=made(seed=9), epochs=3, verbose=0)
        got = [history.history["loss"], history.history["val_loss"]]
    """,
    "evaluate_predict_then_a_pass": """
        ds = made()
        model = recorder()
        first = model.evaluate(ds, verbose=0)
        model.evaluate(ds, verbose=0)
        model.predict(ds, verbose=0)
        got = [vseen, rows_of(ds), [first]]
    """,
    "evaluate_steps": """
        ds = made()
        model = recorder()
        model.evaluate(ds, steps=5, verbose=0)
        model.evaluate(ds, steps=2, verbose=0)
        got = [vseen, rows_of(ds)]
    """,
    "passes_by_hand_around_fit": """
        ds = made()
        before = rows_of(ds)
        model = recorder()
        model.fit(ds, epochs=2, verbose=0)
        model.fit(ds, epochs=1, verbose=0)
        got = [before, seen, rows_of(ds)]
    """,
    "stopped_in_an_epoch": """
        class Stop(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if batch == 2:
                    self.model.stop_training = True
        ds = made()
        model = recorder()
        model.fit(ds, epochs=3, verbose=0, callbacks=[Stop()])
        got = [seen, rows_of(ds)]
    """,
    "unknown_cardinality": """
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(8, seed=5).filter(lambda a, b: a[0] >= 0).batch(4)
        model = recorder()
        model.fit(ds, epochs=3, verbose=0)
        got = [seen, rows_of(ds)]
    """,
    "prefetch": """
        ds = made().prefetch(tf.data.AUTOTUNE)
        model = recorder()
        model.fit(ds, epochs=3, verbose=0)
        got = [seen, rows_of(ds)]
    """,
    "iterators_made_then_read_out_of_order": """
        ds = made()
        first = rows_of(ds)
        a, b = ds.as_numpy_iterator(), ds.as_numpy_iterator()
        later = [int(round(float(v) * 10)) for it in (b, a) for batch in it for v in np.ravel(batch[0])]
        got = [first, later, rows_of(ds)]
    """,
    "custom_train_step": """
        class Noting(keras.Model):
            def train_step(self, data):
                seen.extend(np.round(np.asarray(data[0])[:, 0] * 10).astype("int64").tolist())
                return super().train_step(data)
        inputs = keras.Input((1,))
        model = Noting(inputs, keras.layers.Dense(1, kernel_initializer="ones")(inputs))
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", run_eagerly=True)
        history = model.fit(made(), epochs=3, verbose=0)
        got = [seen, history.history["loss"]]
    """,
    "a_generator_reading_another_shuffled_dataset": """
        inner = made()
        def rows():
            for xb, yb in inner.as_numpy_iterator():
                for i in range(len(xb)):
                    yield xb[i], yb[i]
        spec = (tf.TensorSpec((1,), tf.float32), tf.TensorSpec((1,), tf.float32))
        outer = tf.data.Dataset.from_generator(rows, output_signature=spec).shuffle(8, seed=7).batch(4)
        first, second = rows_of(outer), rows_of(outer)
        model = recorder()
        model.fit(outer, epochs=2, verbose=0)
        got = [first, second, seen, rows_of(inner)]
    """,
    "generator_source": """
        def rows():
            for i in range(20):
                yield x[i], y[i]
        spec = (tf.TensorSpec((1,), tf.float32), tf.TensorSpec((1,), tf.float32))
        ds = tf.data.Dataset.from_generator(rows, output_signature=spec).shuffle(8, seed=5).batch(4).prefetch(2)
        model = recorder()
        model.fit(ds, epochs=3, verbose=0)
        got = [seen, rows_of(ds)]
    """,
}


def run(name):
    """One program, in this process (a fresh one: TensorFlow's global seed and op seeds unset)."""
    scope = {"tf": tf, "np": np, "keras": keras}
    exec(textwrap.dedent(COMMON).strip(), scope)      # noqa: S102 - our own programs above
    exec(textwrap.dedent(PROGRAMS[name]).strip(), scope)    # noqa: S102
    print(json.dumps([np.asarray(v).tolist() for v in scope["got"]]))


def main():
    out = {"common": np.array(textwrap.dedent(COMMON).strip())}
    for name, program in PROGRAMS.items():
        done = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True, check=True)
        got = json.loads(done.stdout.strip().splitlines()[-1])
        out[f"{name}/program"] = np.array(textwrap.dedent(program).strip())
        for k, values in enumerate(got):
            values = np.asarray(values)
            out[f"{name}/{k}"] = values.astype(np.int64 if values.dtype.kind in "iu" else np.float64)
        print(name, got)
    out["tf_version"] = np.array(tf.__version__)
    out["keras_version"] = np.array(keras.__version__)
    np.savez_compressed(FIXTURES / "fit_dataset_shuffle_epochs.npz", **out)
    print("wrote", FIXTURES / "fit_dataset_shuffle_epochs.npz", len(out), "arrays")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run(sys.argv[1])
    else:
        main()
