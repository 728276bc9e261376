"""Two inputs, one shared layer, a merge: Keras's functional API beyond a stack of layers.

A pair of points goes in; the model says whether they are close. One Dense "tower" turns
each point into a vector (the same layer, called twice: its weights are shared), Dot with
normalize=True gives the cosine of the two vectors, and a sigmoid unit decides. fit takes the
two inputs as a list. Run: python examples/08_two_inputs.py
"""
import numpy as np

import glassnet as tf
from glassnet.keras import Input, Model
from glassnet.keras.layers import Dense, Dot
from _common import epochs, heading

rng = np.random.default_rng(0)
left = rng.uniform(-1, 1, size=(400, 2)).astype(np.float32)
right = rng.uniform(-1, 1, size=(400, 2)).astype(np.float32)
close = (np.linalg.norm(left - right, axis=1) < 0.8).astype(np.float32).reshape(-1, 1)
heading(f"{len(left)} pairs of points, {int(close.sum())} of them close")

tf.random.set_seed(1234)
a, b = Input(shape=(2,), name="left"), Input(shape=(2,), name="right")
tower = Dense(8, activation="tanh", name="tower")               # one layer, called on both inputs
cosine = Dot(axes=1, normalize=True, name="cosine")([tower(a), tower(b)])
model = Model(inputs=[a, b], outputs=Dense(1, activation="sigmoid", name="close")(cosine))
model.summary()
model.compile(optimizer=tf.keras.optimizers.Adam(0.02), loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit([left, right], close, epochs=epochs(60), batch_size=32, verbose=0)
print(f"loss {history.history['loss'][0]:.3f} -> {history.history['loss'][-1]:.3f}, "
      f"accuracy {history.history['accuracy'][-1]:.3f}")
print("P(close) for a pair 0.1 apart:", model.predict([left[:1], left[:1] + 0.1], verbose=0).ravel().round(3))

heading("glass box: the shared tower's gradient is the sum over its two calls")
x, y = [left[:8], right[:8]], close[:8]
grads = dict(zip([v.path for v in model.weights], tf.gradients(model, x, y)))
for v in model.weights:
    print(f"  {v.path:<14} |dJ/dw| = {np.linalg.norm(grads[v.path]):.5f}")
# backward ran the graph in reverse: dJ/d(tower/kernel) = (through the left call) + (through
# the right call). A nudge of one weight moves both calls at once; the slope agrees with the sum.
kernel, eps = model.get_layer("tower").kernel, 1e-3
kernel.value[0, 0] += eps
up = model.evaluate(x, y, verbose=0)[0]
kernel.value[0, 0] -= 2 * eps
down = model.evaluate(x, y, verbose=0)[0]
kernel.value[0, 0] += eps
print(f"dJ/d(tower/kernel[0,0]): backward {grads['tower/kernel'][0, 0]:.5f}, "
      f"central difference {(up - down) / (2 * eps):.5f}")
