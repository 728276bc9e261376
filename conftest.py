"""Shared by every test pytest collects, the tests/ files and the docstring examples under
src/ alike: each starts with float32, fresh layer names (``dense``, not ``dense_3`` because
an earlier test made three), a seeded generator and NumPy's and pandas's own print options (a tutorial's
``np.set_printoptions(precision=3)`` stays in its test), so no result depends on the order."""
import os
import sys
import warnings

import numpy as np
import pytest

import glassnet

# No fit in the suite (nor in a process it starts) leaves a background compile of the
# compiled epoch's loops running after it (glassnet.fast.compile); tests/test_fast_compile.py
# turns it back on where it tests it.
os.environ["GLASSNET_BACKGROUND_COMPILE"] = "0"


@pytest.fixture(autouse=True)
def _fresh_state():
    glassnet.config.set_floatx("float32")
    glassnet.utils.clear_session()
    glassnet.utils.set_random_seed(1234)
    printing = np.get_printoptions()
    epoch = sys.modules.get("glassnet.fast.epoch")       # no savings forgone by earlier tests' fits
    if epoch is not None:
        epoch._forgone[0] = 0.0
    yield
    glassnet.config.set_floatx("float32")
    np.set_printoptions(**printing)
    pandas = sys.modules.get("pandas")      # a notebook's pd.set_option("display.precision", 1) too
    if pandas is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandas.reset_option("display")
