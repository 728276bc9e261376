"""Prints TensorFlow 2.21's numbers for tests/test_higher_order.py (run with /work/peers/bin/python):
a Hessian of a 2-layer MLP's loss w.r.t. a kernel (nested tapes), the Newton step from it,
an input-gradient penalty's gradient, a jacobian and a batch_jacobian through Dense."""
import numpy as np, tensorflow as tf
np.set_printoptions(precision=8, floatmode="unique")
rs = np.random.RandomState(0)
X = rs.normal(size=(4, 3)).round(2)
K1 = rs.normal(size=(3, 4)).round(2); B1 = rs.normal(size=(4,)).round(2)
K2 = rs.normal(size=(4, 2)).round(2); B2 = rs.normal(size=(2,)).round(2)
print("X=", repr(X)); print("K1=", repr(K1)); print("B1=",repr(B1)); print("K2=",repr(K2)); print("B2=",repr(B2))
def mk(k, b, act):
    l = tf.keras.layers.Dense(k.shape[1], activation=act); l.build((None, k.shape[0])); l.kernel.assign(k); l.bias.assign(b); return l
x = tf.constant(X, tf.float32)
l1, l2 = mk(K1, B1, 'tanh'), mk(K2, B2, None)
with tf.GradientTape() as t2:
    with tf.GradientTape() as t1:
        y = l2(l1(x)); loss = tf.reduce_mean(y**2)
    g = t1.gradient(loss, l1.kernel)
h = t2.jacobian(g, l1.kernel)
print("HESS=", repr(h.numpy().reshape(12, 12)))
n = tf.reshape(h, [12, 12]); step = tf.linalg.solve(n, tf.reshape(g, [12, 1]))
print("G=", repr(g.numpy()))
print("NEWTON=", repr(step.numpy().reshape(3, 4)))
l = mk(K1, B1, 'sigmoid')
with tf.GradientTape() as t2:
    with tf.GradientTape(watch_accessed_variables=False) as t1:
        t1.watch(x); y = l(x)
    g = t1.gradient(y, x); g2 = tf.reduce_sum(g**2)
print("PEN_G=", repr(g.numpy())); print("PEN=", repr(t2.gradient(g2, l.kernel).numpy()))
l = mk(K1, B1, 'relu')
with tf.GradientTape(persistent=True) as t:
    t.watch(x); y = l(x)
print("JK=", repr(t.jacobian(y, l.kernel).numpy().sum(axis=(0, 1))))
print("BJ=", repr(t.batch_jacobian(y, x).numpy()))
print("HESS_DIAG=", repr(np.diag(h.numpy().reshape(12, 12))))
