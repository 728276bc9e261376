"""Parity with real Keras: same data, same starting weights, same numbers.

Each case in ``tests/fixtures/keras/cases.json`` was trained by real Keras
(``tools/make_keras_fixtures.py``, TensorFlow backend). Here glassnet replays it
through its Keras-mirroring API and must reproduce the per-epoch History, the final
weights, ``evaluate`` (scalar/list and ``return_dict``) and ``predict``.
TensorFlow is not needed: only the committed fixtures are read.

Tolerances: float32 within ``rtol=1e-4`` (``atol=1e-6`` for values near zero);
float64 within ``rtol=1e-9`` (``atol=1e-12``). A case may loosen its rtol only
with a written reason, stored in the fixture as ``rtol_reason``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import keras

FIXTURES = Path(__file__).parent / "fixtures" / "keras"
META = json.loads((FIXTURES / "cases.json").read_text())
CASES = META["cases"]

TOLERANCE = {
    "float32": {"rtol": 1e-4, "atol": 1e-6},
    "float64": {"rtol": 1e-9, "atol": 1e-12},
}


def tolerance(case):
    tol = dict(TOLERANCE[case["dtype"]])
    if case.get("rtol") is not None:
        assert case.get("rtol_reason"), f"{case['name']}: a loosened rtol needs a reason"
        tol["rtol"] = case["rtol"]
    return tol


@pytest.fixture
def floatx():
    """Set glassnet's float type for one case, and always put float32 back."""

    def set_to(dtype):
        glassnet.config.set_floatx(dtype)

    try:
        yield set_to
    finally:
        glassnet.config.set_floatx("float32")


def build(module, spec):
    """A spec is a string (Keras identifier), None, or {"class", "kwargs"}."""
    if spec is None or isinstance(spec, str):
        return spec
    return getattr(module, spec["class"])(**spec["kwargs"])


def build_layer(spec):
    kwargs = {k: v for k, v in spec.items() if k != "class"}
    for key in ("kernel_regularizer", "bias_regularizer"):
        if key in kwargs:
            kwargs[key] = build(keras.regularizers, kwargs[key])
    return getattr(keras.layers, spec["class"])(**kwargs)


def replay(case):
    """Build, compile and fit the case in glassnet exactly as Keras did."""
    arrays = np.load(FIXTURES / f"{case['name']}.npz")
    model = keras.Sequential(
        [keras.Input(shape=(case["input_dim"],))] + [build_layer(s) for s in case["layers"]]
    )
    model.set_weights([arrays[f"init_{i}"] for i in range(case["n_weights"])])

    comp = case["compile"]
    compile_kwargs = {"loss": build(keras.losses, comp["loss"])}
    if comp["optimizer"] is not None:  # None: the compile default, "rmsprop"
        compile_kwargs["optimizer"] = build(keras.optimizers, comp["optimizer"])
    if comp["metrics"] is not None:
        compile_kwargs["metrics"] = list(comp["metrics"])
    model.compile(**compile_kwargs)

    fit = case["fit"]
    fit_kwargs = {"epochs": fit["epochs"], "shuffle": False, "verbose": 0}
    if fit["batch_size"] is not None:
        fit_kwargs["batch_size"] = fit["batch_size"]
    if fit["validation_split"] is not None:
        fit_kwargs["validation_split"] = fit["validation_split"]
    if fit["validation_data"]:
        fit_kwargs["validation_data"] = (arrays["x_val"], arrays["y_val"])
    if fit["sample_weight"]:
        fit_kwargs["sample_weight"] = arrays["sample_weight"]
    callbacks = [build(keras.callbacks, cb) for cb in fit["callbacks"]]
    if callbacks:
        fit_kwargs["callbacks"] = callbacks
    history = model.fit(arrays["x"], arrays["y"], **fit_kwargs)
    return model, history, callbacks, arrays


class Mismatches:
    """Collects every disagreement of one case, so a failure shows all of them at once."""

    def __init__(self, name, tol):
        self.name, self.tol, self.found = name, tol, []

    def close(self, got, want, what):
        try:
            np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                                       **self.tol, err_msg=f"{self.name}: {what}")
        except AssertionError as err:
            self.found.append(str(err).strip())

    def true(self, ok, what):
        if not ok:
            self.found.append(f"{self.name}: {what}")
        return ok

    def report(self):
        if self.found:
            pytest.fail("\n\n".join(self.found), pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_keras(case, floatx):
    floatx(case["dtype"])
    model, history, callbacks, arrays = replay(case)
    check = Mismatches(case["name"], tolerance(case))

    # History: same keys, same number of epochs, same value per epoch
    expected, got = case["history"], history.history
    check.true(sorted(got) == sorted(expected),
               f"History keys: got {sorted(got)}, Keras {sorted(expected)}")
    for key, values in expected.items():
        if key not in got:
            continue
        if check.true(len(got[key]) == len(values),
                      f"epochs run: got {len(got[key])}, Keras {len(values)} ({key})"):
            check.close(got[key], values, f"History[{key!r}]")

    # EarlyStopping's own record of where it stopped and what it kept
    for cb, after in zip(callbacks, case["callbacks_after"]):
        check.true(cb.stopped_epoch == after["stopped_epoch"],
                   f"stopped_epoch: got {cb.stopped_epoch}, Keras {after['stopped_epoch']}")
        if hasattr(cb, "best_epoch"):
            check.true(cb.best_epoch == after["best_epoch"],
                       f"best_epoch: got {cb.best_epoch}, Keras {after['best_epoch']}")
        if after["best"] is not None:
            check.close(float(cb.best), after["best"], "EarlyStopping.best")

    # final weights (after restore_best_weights where asked)
    weights = model.get_weights()
    if check.true(len(weights) == case["n_weights"], "number of weight arrays"):
        for i, w in enumerate(weights):
            want = arrays[f"final_{i}"]
            check.true(np.asarray(w).dtype == np.dtype(case["dtype"]),
                       f"weight {i} dtype {np.asarray(w).dtype}")
            if check.true(np.shape(w) == want.shape, f"weight {i} shape"):
                check.close(w, want, f"final weight {i}")

    # evaluate in its three forms: scalar / list (loss first, then metrics in
    # compile order), and return_dict=True
    ev = case["evaluate"]
    eval_kwargs = {"verbose": 0}
    if ev["batch_size"] is not None:
        eval_kwargs["batch_size"] = ev["batch_size"]
    result = model.evaluate(arrays["x"], arrays["y"], **eval_kwargs)
    if isinstance(ev["result"], list):
        if check.true(isinstance(result, list),
                      f"evaluate with metrics returns a list, got {type(result).__name__}"):
            check.close(result, ev["result"], "evaluate() list [loss, *metrics]")
    else:
        if check.true(np.ndim(result) == 0 and not isinstance(result, (list, tuple)),
                      f"evaluate with only a loss returns a scalar, got {result!r}"):
            check.close(float(result), ev["result"], "evaluate() scalar")
    result_dict = model.evaluate(arrays["x"], arrays["y"], return_dict=True, **eval_kwargs)
    check.true(sorted(result_dict) == sorted(ev["result_dict"]),
               f"evaluate dict keys: got {sorted(result_dict)}, Keras {sorted(ev['result_dict'])}")
    for key, value in ev["result_dict"].items():
        if key in result_dict:
            check.close(float(result_dict[key]), value, f"evaluate(return_dict=True)[{key!r}]")

    # predict
    pred_kwargs = {"verbose": 0}
    if case["predict"]["batch_size"] is not None:
        pred_kwargs["batch_size"] = case["predict"]["batch_size"]
    pred = model.predict(arrays["x_pred"], **pred_kwargs)
    check.true(isinstance(pred, np.ndarray), "predict returns a NumPy array")
    if check.true(np.shape(pred) == arrays["predict"].shape,
                  f"predict shape {np.shape(pred)} vs {arrays['predict'].shape}"):
        check.close(pred, arrays["predict"], "predict")
    check.report()


def test_fixtures_are_complete():
    """Every case has its arrays, and the matrix still covers what it promises."""
    names = {c["name"] for c in CASES}
    assert names == {p.stem for p in FIXTURES.glob("*.npz")}
    assert META["keras_version"].startswith("3.")
    assert {c["dtype"] for c in CASES} == {"float32", "float64"}
    layers = [layer for c in CASES for layer in c["layers"]]
    activations = {layer.get("activation") for layer in layers}
    assert {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu",
            "softplus", "softsign", "hard_sigmoid", "exponential", "softmax",
            "log_softmax"} <= activations
    optimizers = {c["compile"]["optimizer"]["class"] for c in CASES
                  if isinstance(c["compile"]["optimizer"], dict)}
    assert {"SGD", "RMSprop", "Adam", "AdamW"} <= optimizers
    losses = {c["compile"]["loss"]["class"] if isinstance(c["compile"]["loss"], dict)
              else c["compile"]["loss"] for c in CASES}
    assert {"BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
            "MeanSquaredError", "MeanAbsoluteError", "Huber", "mse",
            "binary_crossentropy"} <= losses
