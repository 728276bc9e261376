"""Bias and variance, the course's "advice for applying machine learning", with glassnet.sweep.

Split the data into training, cross-validation and test sets; train many variants at once
(glassnet.sweep stacks those that share a network); read bias and variance off the
training and cross-validation errors (J_train, J_cv):
  1. a polynomial's degree on a small regression (underfit at degree 1, overfit at 10),
  2. the regularization parameter lambda at the highest degree,
  3. the learning curve of the chosen model (errors against the training-set size),
  4. a neural network's size and lambda on a two-class problem.
The figures (bias_variance_*.png, learning_curve.png) go into runs/bias_variance/ when
matplotlib is there. Run: python examples/10_bias_variance.py
"""
import atexit
import os
import shutil
import tempfile

import numpy as np

import glassnet
from glassnet import layers, optimizers, regularizers
from glassnet.sweeps.curves import error          # the course's error: the loss without the penalty
from _common import epochs, heading

# where the figures go: runs/bias_variance/ (relative to where you run it); a temporary folder,
# removed at the end, when the test suite runs the examples short
if "GLASSNET_EXAMPLE_EPOCHS" in os.environ:
    OUT = tempfile.mkdtemp(prefix="bias_variance_")
    atexit.register(shutil.rmtree, OUT, ignore_errors=True)
else:
    OUT = os.path.join("runs", "bias_variance")
EPOCHS = epochs(1500)


def polynomial(x, degree, mean=None, std=None):
    """x, x^2, ..., x^degree, each column standardised (by the training set's numbers)."""
    features = np.hstack([x ** k for k in range(1, degree + 1)])
    mean = features.mean(0) if mean is None else mean
    std = features.std(0) if std is None else std
    return ((features - mean) / std).astype(np.float32), mean, std


def linear_regression(lam=0.0):
    """f(x) = w . features + b, squared error, an L2 penalty lambda on w."""
    model = glassnet.Sequential([layers.Dense(1, kernel_regularizer=regularizers.L2(lam) if lam else None)])
    model.compile(optimizer=optimizers.Adam(0.05), loss="mse")
    return model


def classifier(units=(8,), lam=0.0):
    """Hidden relu layers of these widths, a sigmoid output; L2 lambda on every kernel."""
    reg = (lambda: regularizers.L2(lam)) if lam else (lambda: None)
    model = glassnet.Sequential([layers.Dense(u, "relu", kernel_regularizer=reg()) for u in units]
                                + [layers.Dense(1, "sigmoid", kernel_regularizer=reg())])
    model.compile(optimizer=optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def save(fig, name):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    fig.savefig(path, dpi=90)
    print(f"saved {path}")


def main():
    rng = np.random.default_rng(1)
    try:
        import matplotlib  # noqa: F401
        draw = True
    except ImportError:
        draw = False

    # -- a small regression: 60% train, 20% cross-validation, 20% test ---------------------
    x = rng.uniform(-1, 1, (60, 1))
    y = (np.sin(3 * x) + 0.2 * rng.standard_normal((60, 1))).astype(np.float32)
    tr, cv, te = slice(0, 20), slice(20, 40), slice(40, 60)
    heading(f"1. polynomial degree: {EPOCHS} epochs each, 20 / 20 / 20 rows")
    rows = []
    for degree in range(1, 11):
        xtr, mean, std = polynomial(x[tr], degree)
        xcv, _, _ = polynomial(x[cv], degree, mean, std)
        table = glassnet.sweep(linear_regression, {"lam": [0.0]}, xtr, y[tr], validation_data=(xcv, y[cv]),
                               epochs=EPOCHS, batch_size=20, verbose=0, table="records")
        rows += [dict(r, degree=degree) for r in table]
    for r in rows:
        print(f"degree {r['degree']:2d}: J_train {r['train_error']:.4f}  J_cv {r['val_error']:.4f}")
    best_degree = min(rows, key=lambda r: r["val_error"])["degree"]
    print(f"lowest J_cv at degree {best_degree}: lower degrees underfit (high bias: both errors high), "
          "higher ones overfit (high variance: J_train low, J_cv well above it)")
    if draw:
        save(glassnet.plot.bias_variance(rows, x="degree"), "bias_variance_degree.png")

    heading("2. lambda at degree 10: one sweep, the variants stacked")
    xtr, mean, std = polynomial(x[tr], 10)
    xcv, _, _ = polynomial(x[cv], 10, mean, std)
    xte, _, _ = polynomial(x[te], 10, mean, std)
    lambdas = [0.0, 0.0001, 0.001, 0.01, 0.1, 1.0, 10.0]
    table = glassnet.sweep(linear_regression, {"lam": lambdas}, xtr, y[tr], validation_data=(xcv, y[cv]),
                           epochs=EPOCHS, batch_size=20, verbose=1, table="records")
    for r in table:
        print(f"lambda {r['lam']:<7g} J_train {r['train_error']:.4f}  J_cv {r['val_error']:.4f}   ({r['how']})")
    best = min(table, key=lambda r: r["val_error"])
    test_error = error(best["model"], xte, y[te])
    print(f"chosen lambda {best['lam']:g}; its error on the test set (never used to choose): {test_error:.4f}")
    if draw:
        save(glassnet.plot.bias_variance(table, x="lam"), "bias_variance_lambda.png")

    heading("3. learning curve of the chosen model")
    xmore, _, _ = polynomial(x[te], 10, mean, std)        # (the test rows, to grow the training set here)
    curve = glassnet.learning_curve(lambda: linear_regression(best["lam"]), np.vstack([xtr, xmore]),
                                    np.vstack([y[tr], y[te]]), sizes=[4, 8, 12, 16, 20, 30, 40],
                                    validation_data=(xcv, y[cv]), epochs=EPOCHS, batch_size=20, table="records")
    for r in curve:
        print(f"m = {r['size']:2d}: J_train {r['train_error']:.4f}  J_cv {r['cv_error']:.4f}")
    if draw:
        save(glassnet.plot.learning_curve(curve), "learning_curve.png")

    heading("4. a neural network's size and lambda, on two interleaved half-moons")
    t = rng.uniform(0, np.pi, 400)
    label = rng.integers(0, 2, 400)
    pts = np.stack([np.cos(t) + label, np.sin(t) * (1 - 2 * label) + 0.5 * label], 1)
    pts = (pts + 0.25 * rng.standard_normal(pts.shape)).astype(np.float32)
    label = label.astype(np.float32).reshape(-1, 1)
    grid = {"units": [(2,), (8,), (32, 16)], "lam": [0.0, 0.001, 0.01, 0.1]}
    nets = glassnet.sweep(classifier, grid, pts[:240], label[:240], validation_data=(pts[240:320], label[240:320]),
                          epochs=max(1, EPOCHS // 3), verbose=1, table="records")
    for r in nets:
        print(f"units {str(r['units']):9s} lambda {r['lam']:<6g} J_train {r['train_error']:.4f}  "
              f"J_cv {r['val_error']:.4f}  val accuracy {r['final_val_accuracy']:.3f}   ({r['how']})")
    if draw:
        by_size = [dict(r, units="-".join(map(str, r["units"]))) for r in nets]
        save(glassnet.plot.bias_variance([r for r in by_size if r["lam"] == 0.0], x="units"),
             "bias_variance_units.png")
        save(glassnet.plot.bias_variance([r for r in nets if r["units"] == (32, 16)], x="lam"),
             "bias_variance_network_lambda.png")

    heading("glass box: one stacked variant is its own fit, number for number")
    glassnet.utils.set_random_seed(0)
    alone = linear_regression(best["lam"])
    alone.fit(xtr, y[tr], validation_data=(xcv, y[cv]), epochs=EPOCHS, batch_size=20, verbose=0)
    gap = max(float(np.max(np.abs(a.value - b.value))) for a, b in
              zip(alone.trainable_weights, best["model"].trainable_weights))
    print(f"lambda {best['lam']:g}: the sweep's weights against a plain fit's: largest difference {gap:g}")
    print(f"w[:3] = {np.round(best['model'].layers[0].kernel.value[:3, 0], 4)}")


if __name__ == "__main__":
    main()
