"""All ten digits: 25 ReLU, 15 ReLU, 10 linear units, trained from logits; then the
images it gets wrong, and Trace's view of the training. (The course's last assignment
of the two weeks, on glassnet's shipped 8x8 digits.)

Run: python examples/07_digits_0_9.py
"""
import numpy as np

import glassnet as tf
from glassnet.datasets import digits
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input
from _common import epochs, heading

(X, y), (X_test, y_test) = digits.load_data()
heading(f"{len(X)} training images, {len(X_test)} test images, 10 classes")

tf.random.set_seed(1234)
model = Sequential([Input(shape=(64,)), Dense(25, activation="relu", name="L1"),
                    Dense(15, activation="relu", name="L2"), Dense(10, activation="linear", name="L3")],
                   name="my_model")
model.summary()
model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              optimizer=tf.keras.optimizers.Adam(learning_rate=0.001))
trace = tf.callbacks.Trace(X[:200], y[:200])
history = model.fit(X, y, epochs=epochs(40), verbose=0, callbacks=[trace])
print(f"loss: first epoch {history.history['loss'][0]:.3f}, last {history.history['loss'][-1]:.3f}")

prediction = model.predict(X_test[:1], verbose=0)
prediction_p = tf.nn.softmax(prediction)
print(f"first test image: label {y_test[0]}, predicted {np.argmax(prediction_p)}, "
      f"p = {np.max(prediction_p):.3f}")
yhat = np.argmax(model.predict(X_test, verbose=0), axis=1)
print(f"test accuracy: {np.mean(yhat == y_test):.3f}; {int(np.sum(yhat != y_test))} errors")

heading("glass box: Trace's diagnosis")
for line in trace.diagnose() or ["nothing looks wrong"]:
    print(" -", line)
