"""The worked example in docs/architecture.md runs: a new layer in one block of code trains,
passes gradcheck, shows up in explain, and round-trips through a .keras file."""
from __future__ import annotations

import pathlib
import re

import numpy as np

import glassnet

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def _example_namespace():
    text = DOC.read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    namespace = {"__name__": "architecture_example"}
    exec(compile(code, str(DOC), "exec"), namespace)
    return namespace


def test_the_worked_layer_example_works_end_to_end(tmp_path):
    PReLU = _example_namespace()["PReLU"]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3))
    y = (np.abs(x[:, :1]) > 0.7).astype(float)
    assert glassnet.gradcheck(PReLU(alpha_initializer="ones"), x[:5] + 0.01).passed
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(8), PReLU(name="prelu"),
                                 glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=glassnet.optimizers.Adam(0.05), loss="binary_crossentropy")
    model.fit(x, y, epochs=20, verbose=0)
    assert np.abs(model.get_layer("prelu").alpha.value).sum() > 0        # alpha learned
    assert "prelu" in str(glassnet.explain(model, x[:4], y[:4]))
    registered = glassnet.saving.register_keras_serializable(package="Doc")(PReLU)
    model.save(tmp_path / "m.keras")
    loaded = glassnet.models.load_model(tmp_path / "m.keras", custom_objects={"PReLU": registered})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
