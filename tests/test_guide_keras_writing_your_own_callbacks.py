"""Keras's guide "Writing your own callbacks" (keras.io / tensorflow.org, Keras 3), run renamed
(``from glassnet import keras``) on 1,000 random rows in place of MNIST. The lines each hook
prints (their order, the log keys each gets) are Keras 3.15's under TF 2.21
(/work/peers/bin/python): fit with validation, evaluate and predict, each with the callback."""
import re

import numpy as np

from glassnet import keras


def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


class CustomCallback(keras.callbacks.Callback):
    """The guide's: every hook prints the keys of the logs it gets."""

    def on_train_begin(self, logs=None):
        print("Starting training; got log keys: {}".format(list(logs.keys())))

    def on_train_end(self, logs=None):
        print("Stop training; got log keys: {}".format(list(logs.keys())))

    def on_epoch_begin(self, epoch, logs=None):
        print("Start epoch {} of training; got log keys: {}".format(epoch, list(logs.keys())))

    def on_epoch_end(self, epoch, logs=None):
        print("End epoch {} of training; got log keys: {}".format(epoch, list(logs.keys())))

    def on_test_begin(self, logs=None):
        print("Start testing; got log keys: {}".format(list(logs.keys())))

    def on_test_end(self, logs=None):
        print("Stop testing; got log keys: {}".format(list(logs.keys())))

    def on_predict_begin(self, logs=None):
        print("Start predicting; got log keys: {}".format(list(logs.keys())))

    def on_predict_end(self, logs=None):
        print("Stop predicting; got log keys: {}".format(list(logs.keys())))

    def on_train_batch_begin(self, batch, logs=None):
        print("...Training: start of batch {}; got log keys: {}".format(batch, list(logs.keys())))

    def on_train_batch_end(self, batch, logs=None):
        print("...Training: end of batch {}; got log keys: {}".format(batch, list(logs.keys())))

    def on_test_batch_begin(self, batch, logs=None):
        print("...Evaluating: start of batch {}; got log keys: {}".format(batch, list(logs.keys())))

    def on_test_batch_end(self, batch, logs=None):
        print("...Evaluating: end of batch {}; got log keys: {}".format(batch, list(logs.keys())))

    def on_predict_batch_begin(self, batch, logs=None):
        print("...Predicting: start of batch {}; got log keys: {}".format(batch, list(logs.keys())))

    def on_predict_batch_end(self, batch, logs=None):
        print("...Predicting: end of batch {}; got log keys: {}".format(batch, list(logs.keys())))


# Keras 3.15's lines for fit(1,000 rows, batch_size=128, validation_split=0.5): 4 training batches,
# then the validation's 4 test batches, inside the epoch
TRAIN = (["Starting training; got log keys: []", "Start epoch 0 of training; got log keys: []"]
         + [line for i in range(4) for line in (f"...Training: start of batch {i}; got log keys: []",
            f"...Training: end of batch {i}; got log keys: ['loss', 'mean_absolute_error']")]
         + ["Start testing; got log keys: []"]
         + [line for i in range(4) for line in (f"...Evaluating: start of batch {i}; got log keys: []",
            f"...Evaluating: end of batch {i}; got log keys: ['loss', 'mean_absolute_error']")]
         + ["Stop testing; got log keys: ['loss', 'mean_absolute_error']",
            "End epoch 0 of training; got log keys: ['loss', 'mean_absolute_error', 'val_loss', "
            "'val_mean_absolute_error']",
            "Stop training; got log keys: ['loss', 'mean_absolute_error', 'val_loss', 'val_mean_absolute_error']"])
EVALUATE = (["Start testing; got log keys: []"]
            + [line for i in range(8) for line in (f"...Evaluating: start of batch {i}; got log keys: []",
               f"...Evaluating: end of batch {i}; got log keys: ['loss', 'mean_absolute_error']")]
            + ["Stop testing; got log keys: ['loss', 'mean_absolute_error']"])
# (TF 2.21 printed no "start of batch 1" line here, its asynchronous predict loop skipping it;
# glassnet prints every batch's)
PREDICT = (["Start predicting; got log keys: []"]
           + [line for i in range(8) for line in (f"...Predicting: start of batch {i}; got log keys: []",
              f"...Predicting: end of batch {i}; got log keys: ['outputs']")]
           + ["Stop predicting; got log keys: []"])


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

    def on_test_batch_end(self, batch, logs=None):
        print("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

    def on_epoch_end(self, epoch, logs=None):
        print("The average loss for epoch {} is {:7.2f} and mean absolute error is {:7.2f}.".format(
            epoch, logs["loss"], logs["mean_absolute_error"]))


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best = 0, 0, np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best, self.wait = current, 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        lr = self.model.optimizer.learning_rate
        scheduled_lr = self.schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr
        print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr))}.")


LR_SCHEDULE = [(3, 0.05), (6, 0.01), (9, 0.005), (12, 0.001)]


def lr_schedule(epoch, lr):
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for start, rate in LR_SCHEDULE:
        if epoch == start:
            return rate
    return lr


def test_writing_your_own_callbacks(capsys):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = rng.random((1000, 784)).astype("float32"), rng.integers(0, 10, 1000).astype("float32")
    x_test, y_test = rng.random((1000, 784)).astype("float32"), rng.integers(0, 10, 1000).astype("float32")

    model = get_model()
    capsys.readouterr()
    model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=0, validation_split=0.5, callbacks=[CustomCallback()])
    assert capsys.readouterr().out.strip().split("\n") == TRAIN
    model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])
    assert capsys.readouterr().out.strip().split("\n") == EVALUATE
    model.predict(x_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])
    assert capsys.readouterr().out.strip().split("\n") == PREDICT

    model = get_model()
    model.fit(x_train, y_train, batch_size=128, epochs=2, verbose=0, callbacks=[LossAndErrorPrintingCallback()])
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 18 and lines[8].startswith("The average loss for epoch 0 is ")
    assert all(re.fullmatch(r"Up to batch \d, the average loss is +\d+\.\d\d\.", line) for line in lines[:8])
    model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[LossAndErrorPrintingCallback()])
    assert len(capsys.readouterr().out.strip().split("\n")) == 8

    model = get_model()
    model.fit(x_train, y_train, batch_size=64, epochs=30, verbose=0,
              callbacks=[LossAndErrorPrintingCallback(), EarlyStoppingAtMinLoss()])
    out = capsys.readouterr().out.strip().split("\n")
    assert out[-2] == "Restoring model weights from the end of the best epoch."
    assert re.fullmatch(r"Epoch \d+: early stopping", out[-1])

    model = get_model()
    model.fit(x_train, y_train, batch_size=64, epochs=15, verbose=0,
              callbacks=[LossAndErrorPrintingCallback(), CustomLearningRateScheduler(lr_schedule)])
    rates = re.findall(r"Epoch (\d+): Learning rate is ([\d.]+)\.", capsys.readouterr().out)
    # TF 2.21 prints the float32 values (0.10000000149011612, 0.05000000074505806, ...)
    assert [(int(e), round(float(r), 6)) for e, r in rates] == [(e, lr) for e, lr in zip(
        range(15), [0.1] * 3 + [0.05] * 3 + [0.01] * 3 + [0.005] * 3 + [0.001] * 3)]
    assert float(model.optimizer.learning_rate) == 0.0010000000474974513      # TF 2.21: the float32 variable's value
