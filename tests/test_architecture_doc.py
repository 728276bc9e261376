"""docs/architecture.md stays true: its code runs (the worked layer trains, passes gradcheck,
shows up in explain and round-trips through a .keras file), and its list of modules names
every module under src/glassnet and nothing that is gone."""
from __future__ import annotations

import pathlib
import re

import numpy as np

import glassnet

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src" / "glassnet"


def _example_namespace():
    """Every ```python block of the doc, run in order in one namespace."""
    text = DOC.read_text()
    namespace = {"__name__": "architecture_example"}
    for code in re.findall(r"```python\n(.*?)```", text, re.S):
        exec(compile(code, str(DOC), "exec"), namespace)
    return namespace


def test_the_worked_layer_gives_the_numbers_of_glassnets_own():
    # The doc shows the heart of layers/layer_normalization.py, written as a layer of one's own.
    mine = _example_namespace()["MyLayerNormalization"]()
    x = np.random.default_rng(1).normal(size=(3, 4, 5))
    real = glassnet.layers.LayerNormalization()
    np.testing.assert_allclose(np.asarray(mine(x)), np.asarray(real(x)), rtol=1e-5, atol=1e-6)
    mine.backward(np.ones_like(x))
    real.backward(np.ones_like(x))
    np.testing.assert_allclose(mine.gamma.grad, real.gamma.grad, rtol=1e-5, atol=1e-5)


def test_the_worked_layer_example_works_end_to_end(tmp_path):
    LayerNormalization = _example_namespace()["MyLayerNormalization"]
    rng = np.random.default_rng(0)

    # forward is the formula in its docstring
    layer = LayerNormalization(epsilon=1e-3)
    x = rng.normal(size=(6, 4)) * 3 + 1
    out = np.asarray(layer(x), np.float64)
    x32 = x.astype(np.float32)
    want = (x32 - x32.mean(-1, keepdims=True)) / np.sqrt(x32.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)

    # backward against central differences, with gamma and beta away from their 1 and 0
    checked = LayerNormalization()
    checked.build_from_shape((None, 5))
    checked.gamma.value = rng.normal(size=5)
    checked.beta.value = rng.normal(size=5)
    assert glassnet.gradcheck(checked, rng.normal(size=(4, 5))).passed

    # it trains inside a model: gamma and beta move, and the loss goes down
    x = rng.normal(size=(64, 3)) * np.array([1.0, 10.0, 0.1])
    y = (x[:, :1] * x[:, 2:] > 0).astype(float)
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(8, activation="tanh"),
                                 LayerNormalization(name="norm"), glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=glassnet.optimizers.Adam(0.05), loss="binary_crossentropy")
    history = model.fit(x, y, epochs=20, verbose=0)
    norm = model.get_layer("norm")
    assert not np.allclose(norm.gamma.value, 1.0) and not np.allclose(norm.beta.value, 0.0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert glassnet.gradcheck(model, x[:8], y[:8]).passed
    assert "norm" in str(glassnet.explain(model, x[:4], y[:4]))

    # in a .keras file: the file names the class, custom_objects says which class that is
    registered = glassnet.saving.register_keras_serializable(package="Doc")(LayerNormalization)
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras", custom_objects={"MyLayerNormalization": registered})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


# -- the list of modules -----------------------------------------------------------------------------
def _modules() -> list[str]:
    """Every module under src/glassnet, as a path relative to it (``engine/step.py``)."""
    return sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def _named(module: str, text: str) -> bool:
    """The doc names ``module`` by its path (``engine/step.py``, ``glassnet/engine/step.py``) or,
    for a module that is not a package's ``__init__``, by its dotted name (``glassnet.engine.step``)."""
    path = r"(?<![\w./-])(?:src/)?(?:glassnet/)?" + re.escape(module) + r"(?!\w)"
    if re.search(path, text):
        return True
    if module.endswith("__init__.py"):
        return False
    dotted = "glassnet." + module[:-len(".py")].replace("/", ".")
    return re.search(r"(?<![\w.])" + re.escape(dotted) + r"(?![\w]|\.\w)", text) is not None


def test_every_module_under_src_is_named_in_the_doc():
    text = DOC.read_text()
    missing = [m for m in _modules() if not _named(m, text)]
    assert not missing, ("docs/architecture.md does not name these modules; add one line each to "
                         f"'What lives where': {missing}")


def test_every_module_the_doc_lists_exists():
    text = DOC.read_text()
    section = text.split("## What lives where", 1)[1].split("\n## ", 1)[0]
    listed = re.search(r"```\n(.*?)```", section, re.S).group(1)
    named = re.findall(r"^([\w/]+\.py)\s", listed, re.M)
    assert len(named) > 50
    gone = [m for m in named if not (SRC / m).is_file()]
    assert not gone, f"docs/architecture.md lists modules that are gone: {gone}"
