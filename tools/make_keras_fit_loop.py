"""Prints what TF 2.21 / Keras 3.15 print for four small programs about fit's loop, for the
tests to hold as fixtures (paste the lines in):

- ``CALLBACK_ORDER``: a callback that prints at each hook and adds ``logs["lr"]``, beside
  ReduceLROnPlateau, with ``verbose=1`` and ``verbose=2`` (tests/test_fit_callback_order.py);
- ``CALL_COUNTS``: how many times a layer's own ``call`` runs on the first calls of the layer, a
  Sequential, a functional model and a subclassed model (tests/test_layer_call_once.py);
- ``STEPS_PER_EPOCH``: ``fit(x, y, steps_per_epoch=...)`` on NumPy arrays: which batches each
  epoch takes, the progress lines, the warning when the data runs out
  (tests/test_fit_steps_per_epoch_arrays.py);
- ``LOSS_SCALE``: an optimizer's ``loss_scale_factor`` in fit, the weights after a few steps
  (tests/test_fit_loss_scale_factor.py).

Each program is run in a fresh process (``import keras``), stdout and stderr merged, and its
lines printed with ``repr``. Run with an interpreter that has Keras::

    /work/peers/bin/python tools/make_keras_fit_loop.py [NAME ...]

The programs are plain Keras programs: the tests run the same text renamed (``import keras``
becomes glassnet's) and compare what it prints.
"""
import os
import subprocess
import sys

CALLBACK_ORDER = """\
import numpy as np
import keras

keras.utils.set_random_seed(0)
rs = np.random.RandomState(0)
x = rs.rand(64, 3).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 1.5).astype("float32")
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"])


class Talk(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        print("train_begin", sorted(logs or {}))

    def on_epoch_begin(self, epoch, logs=None):
        print("epoch_begin", epoch)

    def on_train_batch_end(self, batch, logs=None):
        if batch == 1:
            print("batch_end", batch, sorted(logs))

    def on_epoch_end(self, epoch, logs=None):
        print("epoch_end", epoch, sorted(logs))
        logs["lr"] = 0.25

    def on_train_end(self, logs=None):
        print("train_end", sorted(logs or {}))


history = model.fit(x, y, batch_size=32, epochs=2, verbose=VERBOSE, shuffle=False,
                    validation_data=(x[:16], y[:16]),
                    callbacks=[Talk(), keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=1)])
print(list(history.history))
print({k: len(v) for k, v in history.history.items()})
print(history.history["lr"], history.history["learning_rate"])
"""

CALL_COUNTS = """\
import numpy as np
import keras

count = [0]


class Counted(keras.layers.Layer):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")

    def call(self, inputs):
        count[0] += 1
        return keras.ops.matmul(inputs, self.w)


class Doubled(keras.layers.Layer):
    def call(self, inputs):
        count[0] += 1
        return inputs * 2.0


class Block(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = Counted()

    def call(self, inputs):
        count[0] += 1
        return self.inner(inputs)


class Holder(keras.Model):
    def __init__(self):
        super().__init__()
        self.inner = Counted()

    def call(self, inputs):
        return self.inner(inputs)


x = np.ones((4, 3), "float32")


def show(what):
    print(what, count[0])
    count[0] = 0


layer = Counted()
layer(x)
show("layer first call")
layer(x)
show("layer second call")
Doubled()(x)
show("layer without build, first call")
layer = Counted()
layer.build((None, 3))
show("layer built by hand")
layer(x)
show("layer built by hand, first call")
Block()(x)
show("layer without build holding an unbuilt layer, first call (both counted)")
model = keras.Sequential([keras.Input((3,)), Counted()])
show("Sequential with Input, made")
model(x)
show("Sequential with Input, first call")
model = keras.Sequential([Counted()])
show("Sequential without Input, made")
model(x)
show("Sequential without Input, first call")
model(x)
show("Sequential without Input, second call")
inputs = keras.Input((3,))
model = keras.Model(inputs, Counted()(inputs))
show("functional, made")
model(x)
show("functional, first call")
model = Holder()
model(x)
show("subclassed model, first call")
model(x)
show("subclassed model, second call")
"""

STEPS_PER_EPOCH = """\
import numpy as np
import keras

# 10 samples in batches of 4: batches of 4, 4, 2; with no learning (lr 0, weights 0) each batch's
# loss says which batch it was: 1, 100, 10000 (y = 1, 10, 100)
x = np.zeros((10, 2), "float32")
y = np.array([1] * 4 + [10] * 4 + [100] * 2, "float32").reshape(10, 1)


class Batches(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append((batch, round(float(logs["loss"]), 2)))

    def on_epoch_end(self, epoch, logs=None):
        print("epoch", epoch, "batches", self.seen, "loss", round(float(logs["loss"]), 2))


def run(steps, epochs, verbose=0, shuffle=False):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    print("steps_per_epoch", steps, "epochs", epochs)
    history = model.fit(x, y, batch_size=4, epochs=epochs, steps_per_epoch=steps, verbose=verbose,
                        shuffle=shuffle, callbacks=[Batches()])
    print("history", [round(v, 2) for v in history.history["loss"]], "params steps", history.params["steps"])


def run_validation(validation_steps):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False, validation_data=(x, y),
                        validation_steps=validation_steps)
    print("validation_steps", validation_steps, "val_loss", [round(v, 2) for v in history.history["val_loss"]])


run(2, 3)
run(3, 2)
run(5, 2)
run(2, 3, verbose=2)
run(5, 2, verbose=2)
run(4, 2, verbose=1)
run_validation(1)
run_validation(2)
keras.utils.set_random_seed(5)
run(2, 3, shuffle=True)
"""

LOSS_SCALE = """\
import numpy as np
import keras

rs = np.random.RandomState(3)
x = rs.randn(48, 4).astype("float32")
y = (x @ rs.randn(4, 1) + 0.3 * rs.randn(48, 1)).astype("float32")
kernel1 = (0.5 * rs.randn(4, 3)).astype("float32")
kernel2 = (0.5 * rs.randn(3, 1)).astype("float32")


class Stepped(keras.Sequential):
    def train_step(self, data):                 # Keras's own step, reached through a subclass
        return super().train_step(data)


def fit_with(factor, optimizer="sgd", kind=keras.Sequential):
    model = kind([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(1)])
    model.set_weights([kernel1, np.zeros(3, "float32"), kernel2, np.zeros(1, "float32")])
    if optimizer == "sgd":
        opt = keras.optimizers.SGD(0.05, loss_scale_factor=factor)
    else:
        opt = keras.optimizers.Adam(0.01, loss_scale_factor=factor)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    return model.get_weights(), [float(v) for v in history.history["loss"]]


def show(what, weights, loss):
    print(what, "loss", loss)
    print("  kernel", [float(v) for v in weights[2].ravel()], "bias", [float(v) for v in weights[3]])


plain, plain_loss = fit_with(None)
show("sgd None", plain, plain_loss)
weights, loss = fit_with(128.0)
print("sgd 128 same as without:", all(np.array_equal(a, b) for a, b in zip(weights, plain)) and loss == plain_loss)
# 3: rounding; 1e38: the reciprocal 1e-38 is subnormal, flushed to zero: no update at all;
# 2**-124: the gradient's seed 2**-124 / 16 is subnormal, flushed: no update either
for factor in (3.0, 1e38, 2.0 ** -124):
    show(f"sgd {factor}", *fit_with(factor))
for factor in (None, 3.0):
    show(f"adam {factor}", *fit_with(factor, "adam"))
for factor in (3.0, 1e38):
    show(f"sgd {factor}, a train_step calling super()", *fit_with(factor, kind=Stepped))
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(1)])
model.set_weights([kernel1, np.zeros(3, "float32"), kernel2, np.zeros(1, "float32")])
model.compile(optimizer=keras.optimizers.SGD(0.05, loss_scale_factor=1e38), loss="mse")
print("train_on_batch 1e38", float(model.train_on_batch(x[:16], y[:16])),
      [float(v) for v in model.get_weights()[3]])
"""

PROGRAMS = {"CALLBACK_ORDER": CALLBACK_ORDER, "CALL_COUNTS": CALL_COUNTS, "STEPS_PER_EPOCH": STEPS_PER_EPOCH,
            "LOSS_SCALE": LOSS_SCALE}


_TF_LOG = ("WARNING: All log messages before absl", "I0000 ")     # TensorFlow's start-up notes


def run(program: str) -> str:
    """What ``program`` prints in a fresh process, stdout and stderr merged in the order written."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", program], capture_output=False, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env, timeout=600, check=False)
    return done.stdout.decode("utf-8", "replace")


def main(names) -> None:
    for name in names or list(PROGRAMS):
        cases = [(name, PROGRAMS[name])]
        if name == "CALLBACK_ORDER":
            cases = [(f"{name} verbose={v}", PROGRAMS[name].replace("VERBOSE", str(v))) for v in (1, 2)]
        for title, program in cases:
            print(f"==== {title}")
            for line in run(program).split("\n"):
                if not line.startswith(_TF_LOG):
                    print(repr(line))


if __name__ == "__main__":
    main(sys.argv[1:])
