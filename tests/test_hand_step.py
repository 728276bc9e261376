"""One training step worked out by hand: logistic unit, binary cross-entropy, plain SGD.

Network: 2 inputs -> Dense(1, sigmoid).  W = [[0.1], [-0.2]], b = [0].  SGD(learning_rate=0.5).
Data (m = 2):  x1 = [1, 2], y1 = 1;   x2 = [-1, 0.5], y2 = 0.

Forward
  z1 = 1*0.1 + 2*(-0.2) + 0    = -0.3        a1 = sigmoid(-0.3) = 0.4255574831883410
  z2 = -1*0.1 + 0.5*(-0.2) + 0 = -0.2        a2 = sigmoid(-0.2) = 0.4501660026875222
Loss (the seed's L = -y log f - (1-y) log(1-f))
  L1 = -log(a1)     = 0.8543552444685271
  L2 = -log(1 - a2) = 0.5981388693815920
  J  = (L1 + L2) / 2 = 0.7262470569250595
Backward (sigmoid + BCE: dJ/dz = (a - y) / m)
  dz1 = (0.42555748 - 1) / 2 = -0.2872212584058295
  dz2 = (0.45016600 - 0) / 2 =  0.2250830013437611
  dW  = X.T @ dz = [1*dz1 + (-1)*dz2,  2*dz1 + 0.5*dz2] = [-0.5123042597495906, -0.4619010161397784]
  db  = dz1 + dz2 = -0.0621382570620684
Update (w = w - alpha * dJ/dw)
  W = [0.1 - 0.5*(-0.51230426), -0.2 - 0.5*(-0.46190102)] = [0.3561521298747953, 0.0309505080698892]
  b = 0 - 0.5*(-0.06213826) = 0.0310691285310342
"""
import numpy as np

import glassnet
from glassnet.keras import Sequential
from glassnet.keras.layers import Dense
from glassnet.keras.losses import BinaryCrossentropy
from glassnet.keras.optimizers import SGD


def _model():
    model = Sequential([glassnet.Input(shape=(2,)), Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[0.1], [-0.2]]), np.array([0.0])])
    model.compile(optimizer=SGD(learning_rate=0.5), loss=BinaryCrossentropy())
    return model


X = np.array([[1.0, 2.0], [-1.0, 0.5]])
Y = np.array([1.0, 0.0])


def test_one_step_by_hand(float64):
    model = _model()
    np.testing.assert_allclose(model.predict(X, verbose=0)[:, 0], [0.4255574831883410, 0.4501660026875222], rtol=1e-12)
    loss = model.train_on_batch(X, Y)
    assert abs(loss - 0.7262470569250595) < 1e-12          # recorded before the update
    W, b = model.get_weights()
    np.testing.assert_allclose(W[:, 0], [0.3561521298747953, 0.0309505080698892], rtol=1e-12)
    np.testing.assert_allclose(b, [0.0310691285310342], rtol=1e-12)


def test_same_step_through_fit(float64):
    model = _model()
    history = model.fit(X, Y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    assert abs(history.history["loss"][0] - 0.7262470569250595) < 1e-12
    np.testing.assert_allclose(model.get_weights()[0][:, 0], [0.3561521298747953, 0.0309505080698892], rtol=1e-12)


def test_gradients_by_hand(float64):
    from glassnet.step import train_step
    model = _model()
    x, y, _ = model._data(X, Y, None, "test")
    train_step(model, x, y, update=False)
    kernel, bias = model.layers[0].kernel, model.layers[0].bias
    np.testing.assert_allclose(kernel.grad[:, 0], [-0.5123042597495906, -0.4619010161397784], rtol=1e-12)
    np.testing.assert_allclose(bias.grad, [-0.0621382570620684], rtol=1e-12)
