"""Record Keras 3's numbers for every optimizer and option: tests/fixtures/optimizer_parity_<dtype>.npz.

Run with the peers' Python (real TensorFlow 2.21 / Keras 3.15)::

    /work/peers/bin/python tools/make_optimizer_parity_fixtures.py

For each case below (an optimizer class, its arguments, and optionally a learning-rate
schedule or ``exclude_from_weight_decay``) and each float type (float32, float64), two
variables (a ``kernel`` (4, 3) and a ``bias`` (3,)) take ``STEPS`` steps of fixed gradients
through ``optimizer.apply_gradients`` in eager mode (Keras's own arithmetic, op by op, no
XLA). Saved per case: the variables after every step, the optimizer's variables at the end
(``optimizer.variables``, in Keras's order, with their names) and ``iterations``. The
starting values and the gradients are saved too, so the test needs no random generator.
tests/test_optimizer_parity_all.py replays them in glassnet.
float64 is recorded twice: with ``floatx`` float64 (a float64 program) and float32 (float64
variables only: the learning rate is then a float32 variable, as in Keras).
"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

STEPS = 6
SHAPES = {"kernel": (4, 3), "bias": (3,)}
# the gradients' sizes step by step: a large step (clipping bites, amsgrad's maximum holds) then small ones
SCALES = [1.0, 3.0, 0.2, 0.5, 2.0, 0.1]

_SCHEDULE = {"class_name": "ExponentialDecay",
             "config": {"initial_learning_rate": 0.01, "decay_steps": 2, "decay_rate": 0.5, "staircase": False}}

CASES = {
    # -- each optimizer with its defaults and its own options
    "sgd": ("SGD", {}),
    "sgd_momentum": ("SGD", {"momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "rmsprop": ("RMSprop", {}),
    "rmsprop_centered": ("RMSprop", {"centered": True}),
    "rmsprop_momentum": ("RMSprop", {"momentum": 0.5}),
    "rmsprop_centered_momentum": ("RMSprop", {"centered": True, "momentum": 0.5, "rho": 0.8}),
    "adam": ("Adam", {}),
    "adam_amsgrad": ("Adam", {"amsgrad": True, "learning_rate": 0.01}),
    "adamw": ("AdamW", {}),
    "adamw_amsgrad": ("AdamW", {"amsgrad": True, "weight_decay": 0.1, "learning_rate": 0.01}),
    "adagrad": ("Adagrad", {}),
    "adagrad_options": ("Adagrad", {"initial_accumulator_value": 0.3, "epsilon": 1e-4, "learning_rate": 0.1}),
    "adadelta": ("Adadelta", {}),
    "adadelta_options": ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}),
    "adamax": ("Adamax", {}),
    "adamax_options": ("Adamax", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95}),
    "nadam": ("Nadam", {}),
    "nadam_options": ("Nadam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95}),
    "ftrl": ("Ftrl", {}),
    "ftrl_options": ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.3, "initial_accumulator_value": 0.2,
                              "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
                              "l2_shrinkage_regularization_strength": 0.03, "beta": 0.1}),
    "lion": ("Lion", {}),
    "lion_options": ("Lion", {"learning_rate": 0.01, "beta_1": 0.7, "beta_2": 0.95}),
    "adafactor": ("Adafactor", {}),
    "adafactor_options": ("Adafactor", {"learning_rate": 0.01, "relative_step": False, "beta_2_decay": -0.6,
                                        "epsilon_2": 0.01, "clip_threshold": 0.5}),
    # -- the base class's options (on Adam, and some on others)
    "adam_clipnorm": ("Adam", {"clipnorm": 1.0, "learning_rate": 0.01}),
    "adam_clipvalue": ("Adam", {"clipvalue": 0.5, "learning_rate": 0.01}),
    "adam_global_clipnorm": ("Adam", {"global_clipnorm": 1.5, "learning_rate": 0.01}),
    "sgd_clipnorm": ("SGD", {"clipnorm": 0.7, "momentum": 0.9}),
    "sgd_global_clipnorm": ("SGD", {"global_clipnorm": 1.0}),
    "rmsprop_clipvalue": ("RMSprop", {"clipvalue": 0.3}),
    "adam_ema": ("Adam", {"use_ema": True, "learning_rate": 0.01}),
    "adam_ema_overwrite": ("Adam", {"use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 2,
                                    "learning_rate": 0.01}),
    "sgd_ema": ("SGD", {"use_ema": True, "ema_momentum": 0.5, "momentum": 0.9}),
    "adam_accumulate": ("Adam", {"gradient_accumulation_steps": 3, "learning_rate": 0.01}),
    "sgd_accumulate": ("SGD", {"gradient_accumulation_steps": 2, "momentum": 0.9, "learning_rate": 0.1}),
    "nadam_accumulate": ("Nadam", {"gradient_accumulation_steps": 2, "learning_rate": 0.01}),
    "adam_accumulate_schedule_ema": ("Adam", {"gradient_accumulation_steps": 2, "use_ema": True,
                                              "ema_overwrite_frequency": 2, "learning_rate": _SCHEDULE}),
    "adam_loss_scale": ("Adam", {"loss_scale_factor": 128.0, "learning_rate": 0.01}),
    "sgd_loss_scale": ("SGD", {"loss_scale_factor": 3.0, "learning_rate": 0.1}),
    "adam_schedule": ("Adam", {"learning_rate": _SCHEDULE}),
    "sgd_schedule": ("SGD", {"momentum": 0.9, "learning_rate": _SCHEDULE}),
    "rmsprop_schedule": ("RMSprop", {"learning_rate": _SCHEDULE}),
    "adafactor_schedule": ("Adafactor", {"learning_rate": _SCHEDULE}),
    "adamw_exclude_names": ("AdamW", {"weight_decay": 0.1, "learning_rate": 0.01}, {"var_names": ["bias"]}),
    "adamw_exclude_list": ("AdamW", {"weight_decay": 0.1, "learning_rate": 0.01}, {"var_list": ["kernel"]}),
    "adamw_schedule": ("AdamW", {"weight_decay": 0.1, "learning_rate": _SCHEDULE}),
}
# weight_decay on every optimizer (Keras applies it the same way before any rule)
for _name in ("SGD", "RMSprop", "Adam", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion", "Adafactor"):
    CASES[f"{_name.lower()}_weight_decay"] = (_name, {"weight_decay": 0.05, "learning_rate": 0.01})


# (file label, the variables' float type, keras.config.floatx() when the optimizer is made)
RUNS = [("float32", "float32", "float32"), ("float64", "float64", "float64"),
        ("float64_floatx32", "float64", "float32")]


def data(dtype):
    """The starting values and each step's gradients (the same numbers in both float types:
    drawn in float64, rounded to float32 for both)."""
    rng = np.random.default_rng(20261206)
    start = {k: rng.standard_normal(s).astype(np.float32).astype(dtype) for k, s in SHAPES.items()}
    grads = [{k: (rng.standard_normal(s) * scale).astype(np.float32).astype(dtype) for k, s in SHAPES.items()}
             for scale in SCALES]
    return start, grads


def run_case(keras, name, case, dtype):
    cls_name, kwargs = case[0], dict(case[1])
    exclude = case[2] if len(case) > 2 else None
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = keras.optimizers.schedules.deserialize(kwargs["learning_rate"])
    start, grads = data(dtype)
    variables = {k: keras.Variable(v, dtype=np.dtype(dtype).name, name=k) for k, v in start.items()}
    opt = getattr(keras.optimizers, cls_name)(**kwargs)
    if exclude:
        opt.exclude_from_weight_decay(var_list=[variables[k] for k in exclude.get("var_list", [])] or None,
                                      var_names=exclude.get("var_names"))
    out = {}
    for s, g in enumerate(grads):
        opt.apply_gradients([(g[k], variables[k]) for k in SHAPES])
        for k in SHAPES:
            out[f"{name}/step{s}/{k}"] = np.array(variables[k].numpy())
    out[f"{name}/iterations"] = np.array(int(opt.iterations.numpy()))
    names = []
    for i, v in enumerate(opt.variables):
        out[f"{name}/opt{i}"] = np.array(v.numpy())
        names.append(v.name)
    return out, names


def main(argv):
    import keras
    folder = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
    for label, dtype, floatx in RUNS:
        keras.config.set_floatx(floatx)         # the learning-rate variable's type (and a schedule's)
        start, grads = data(dtype)
        arrays = {f"start/{k}": v for k, v in start.items()}
        for s, g in enumerate(grads):
            arrays.update({f"grad{s}/{k}": v for k, v in g.items()})
        meta = {"keras": keras.__version__, "steps": STEPS, "dtype": dtype, "floatx": floatx, "shapes": {k: list(s) for k, s in SHAPES.items()},
                "cases": {}}
        for name, case in CASES.items():
            out, names = run_case(keras, name, case, dtype)
            arrays.update(out)
            meta["cases"][name] = {"class": case[0], "kwargs": case[1],
                                   "exclude": case[2] if len(case) > 2 else None, "variables": names}
        arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
        path = os.path.join(folder, f"optimizer_parity_{label}.npz")
        np.savez_compressed(path, **arrays)
        print(f"{path}: {len(CASES)} cases, keras {keras.__version__}")
    keras.config.set_floatx("float32")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
