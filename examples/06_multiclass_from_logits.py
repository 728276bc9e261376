"""Four classes of points: a network whose last layer is linear (logits), trained with
``SparseCategoricalCrossentropy(from_logits=True)``; probabilities come from
``glassnet.nn.softmax`` or from the model wrapped with a ``Softmax`` layer.

Run: python examples/06_multiclass_from_logits.py
"""
import numpy as np

import glassnet as tf
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input, Softmax
from _common import epochs, heading

rng = np.random.default_rng(30)
centers = np.array([[-5, 2], [-2, -2], [1, 2], [5, -2]])
y_train = rng.integers(0, 4, 400)
X_train = centers[y_train] + rng.normal(scale=1.0, size=(400, 2))
heading(f"{len(X_train)} points around {len(centers)} centers")

tf.random.set_seed(1234)
model = Sequential([Input(shape=(2,)), Dense(2, activation="relu", name="L1"),
                    Dense(4, activation="linear", name="L2")])
model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              optimizer=tf.keras.optimizers.Adam(0.01))
model.fit(X_train, y_train, epochs=epochs(100), verbose=0)

logits = model.predict(X_train, verbose=0)                  # a plain ndarray, as Keras's
probabilities = tf.nn.softmax(logits).numpy()
print("first logits:", logits[0].round(2), "-> probabilities", probabilities[0].round(3))
print(f"training accuracy: {np.mean(np.argmax(logits, axis=1) == y_train):.3f}")

probability_model = Sequential([model, Softmax()])           # shares model's weights
assert np.allclose(probability_model(X_train[:5]).numpy(), probabilities[:5], atol=1e-6)

heading("glass box: one step on four points; the shortcut dZ = softmax(Z) - onehot(Y)")
print(tf.explain(model, X_train[:4], y_train[:4]))
