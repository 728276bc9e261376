"""A two-feature classifier with Normalization: is a coffee roast good, from temperature
and duration? (The course's coffee-roasting idea, with data generated here.)

Run: python examples/02_coffee_roasting.py
"""
import numpy as np

import glassnet as tf
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense, Input, Normalization
from _common import epochs, heading

rng = np.random.default_rng(2)
heading("the data: 200 roasts, temperature (C) and duration (min)")
X = np.column_stack([rng.uniform(150, 285, 200), rng.uniform(11.5, 15.5, 200)])
temp, minutes = X[:, 0], X[:, 1]
# a good roast: hot enough for its duration, not burnt, not too short or too long
good = (temp > 175) & (minutes > 12) & (minutes < 15) & (temp + 20 * minutes < 520)
Y = good.astype(np.float32).reshape(-1, 1)
print(f"{int(Y.sum())} good roasts of {len(Y)}")

norm_l = Normalization(axis=-1)
norm_l.adapt(X)                                   # learns each column's mean and variance
Xn = norm_l(X)                                    # a Tensor: a NumPy array with .numpy()
print(f"temperature after normalization: max {np.max(Xn[:, 0]):0.2f}, min {np.min(Xn[:, 0]):0.2f}")
Xt, Yt = np.tile(Xn, (50, 1)), np.tile(Y, (50, 1))  # more copies: fewer epochs needed

tf.random.set_seed(1234)
model = Sequential([Input(shape=(2,)), Dense(3, activation="sigmoid", name="layer1"),
                    Dense(1, activation="sigmoid", name="layer2")])
model.summary()
model.compile(loss=tf.keras.losses.BinaryCrossentropy(), optimizer=tf.keras.optimizers.Adam(learning_rate=0.01))
trace = tf.callbacks.Trace()
model.fit(Xt, Yt, epochs=epochs(10), verbose=0, callbacks=[trace])

X_test = np.array([[200, 13.9], [200, 17], [250, 13.0]])
predictions = model.predict(norm_l(X_test), verbose=0)
yhat = (predictions >= 0.5).astype(int)
for x, p, decision in zip(X_test, predictions.ravel(), yhat.ravel()):
    print(f"{x[0]:.0f} C, {x[1]:.1f} min: p(good) = {p:.3f} -> {'good' if decision else 'bad'}")
accuracy = np.mean((model.predict(Xn, verbose=0) >= 0.5) == Y)
print(f"training accuracy: {accuracy:.3f}")

heading("glass box: what Trace saw while it trained")
print(trace)
for line in trace.diagnose() or ["nothing looks wrong"]:
    print(" -", line)
