"""TensorFlow's guide "TensorFlow graph optimization with Grappler" (graph_optimization.ipynb) run with
``import glassnet as tf``: ``tf.config.optimizer.set_experimental_options`` / ``get_experimental_options``
keep and show Grappler's switches as TF 2.21 does (its order, the two plain bools always shown, names it
does not know ignored), ``set_jit``/``get_jit``; the guide's traced function prints ``Tracing!`` once per
trace; ``tf.debugging.check_numerics`` on an infinity raises InvalidArgumentError in a tf.function, and
passes there once ``debug_stripper`` is on (Grappler strips the check from the graph), not eagerly.
Lines recorded with TF 2.21 (``/work/peers/bin/python``). The timings are the guide's own numbers
(glassnet folds no constants: its matmuls run at every call) and are compared in form only; the
matrices are 64x64 here (the guide's 2000x2000, fifty products a call, take minutes on NumPy)."""
import re

import numpy as np
import pytest

import glassnet
from conftest import run_printing


@pytest.fixture(autouse=True)
def _grappler_defaults():
    yield
    glassnet.config._GRAPPLER.clear()
    glassnet.config.optimizer.set_jit(False)


GUIDE = r'''import numpy as np
import timeit
import traceback
import contextlib


import tensorflow as tf

@contextlib.contextmanager
def options(options):
  old_opts = tf.config.optimizer.get_experimental_options()
  tf.config.optimizer.set_experimental_options(options)
  try:
    yield
  finally:
    tf.config.optimizer.set_experimental_options(old_opts)

print(tf.config.optimizer.get_experimental_options())

def test_function_1():
  @tf.function
  def simple_function(input_arg):
    print('Tracing!')
    a = tf.constant(np.random.randn(64, 64) / 8, dtype = tf.float32)
    c = a
    for n in range(50):
      c = c@a
    return tf.reduce_mean(c+input_arg)

  return simple_function

with options({'constant_folding': False}):
  print(tf.config.optimizer.get_experimental_options())
  simple_function = test_function_1()
  # Trace once
  x = tf.constant(2.2)
  simple_function(x)
  print("Vanilla execution:", timeit.timeit(lambda: simple_function(x), number = 1), "s")

with options({'constant_folding': True}):
  print(tf.config.optimizer.get_experimental_options())
  simple_function = test_function_1()
  # Trace once
  x = tf.constant(2.2)
  simple_function(x)
  print("Constant folded execution:", timeit.timeit(lambda: simple_function(x), number = 1), "s")

def test_function_2():
  @tf.function
  def simple_func(input_arg):
    output = input_arg
    tf.debugging.check_numerics(output, "Bad!")
    return output
  return simple_func

test_func = test_function_2()
p1 = tf.constant(float('inf'))
try:
  test_func(p1)
except tf.errors.InvalidArgumentError as e:
  print(type(e).__name__, "Bad! : Tensor had Inf values" in str(e))

with options({'debug_stripper': True}):
  test_func2 = test_function_2()
  p1 = tf.constant(float('inf'))
  try:
    print(repr(test_func2(p1)))
  except tf.errors.InvalidArgumentError as e:
    traceback.print_exc(limit=2)
print(tf.config.optimizer.get_experimental_options())
'''

TF_OUTPUT = [                       # TF 2.21 (restoring old_opts leaves debug_stripper on: TF merges the dict)
    "{'disable_model_pruning': False, 'disable_meta_optimizer': False}",
    "{'constant_folding': False, 'disable_model_pruning': False, 'disable_meta_optimizer': False}",
    "Tracing!",
    "Vanilla execution: # s",
    "{'constant_folding': True, 'disable_model_pruning': False, 'disable_meta_optimizer': False}",
    "Tracing!",
    "Constant folded execution: # s",
    "InvalidArgumentError True",
    "<tf.Tensor: shape=(), dtype=float32, numpy=inf>",
    "{'constant_folding': False, 'debug_stripper': True, 'disable_model_pruning': False, "
    "'disable_meta_optimizer': False}",
    "",
]


def test_the_guide_prints_what_tensorflow_printed():
    glassnet.config.run_functions_eagerly(False)
    lines = [re.sub(r"execution: \S+ s$", "execution: # s", line) for line in run_printing(GUIDE)]
    assert lines == TF_OUTPUT


def test_options_are_shown_in_tensorflows_order_and_unknown_names_ignored():
    opt = glassnet.config.optimizer
    opt.set_experimental_options({'layout_optimizer': False, 'disable_meta_optimizer': True,
                                  'min_graph_nodes': 3, 'auto_mixed_precision': True})
    opt.set_experimental_options({'no_such_optimizer': True, 'constant_folding': 'yes'})
    # TF 2.21's answer
    assert str(opt.get_experimental_options()) == (
        "{'layout_optimizer': False, 'constant_folding': True, 'disable_model_pruning': False, "
        "'auto_mixed_precision': True, 'disable_meta_optimizer': True, 'min_graph_nodes': 3}")
    opt.set_experimental_options({'min_graph_nodes': 0})
    assert 'min_graph_nodes' not in opt.get_experimental_options()


def test_bad_options_are_refused_and_change_nothing():
    opt = glassnet.config.optimizer
    before = opt.get_experimental_options()
    with pytest.raises(ValueError, match="dictionary update sequence element #0 has length 16; 2 is required"):
        opt.set_experimental_options(['constant_folding'])
    with pytest.raises(TypeError, match="min_graph_nodes: Expected an int, got a boolean"):
        opt.set_experimental_options({'constant_folding': False, 'min_graph_nodes': True})
    assert opt.get_experimental_options() == before


def test_jit_and_the_stripper_outside_a_function():
    opt = glassnet.config.optimizer
    assert opt.get_jit() == ""
    opt.set_jit(True)
    assert opt.get_jit() == "autoclustering"
    opt.set_jit(False)
    assert opt.get_jit() == ""
    opt.set_experimental_options({'debug_stripper': True})
    with pytest.raises(glassnet.errors.InvalidArgumentError, match="Bad!"):
        glassnet.debugging.check_numerics(glassnet.constant(np.inf), "Bad!")      # eager: no graph, no stripping


def test_the_stripper_lets_an_assert_pass_inside_a_function():
    tf = glassnet
    tf.config.run_functions_eagerly(False)

    @tf.function
    def f(x):
        tf.debugging.Assert(x > 0, [x])
        return x * 2

    with pytest.raises(tf.errors.InvalidArgumentError):
        f(tf.constant(-1.0))
    tf.config.optimizer.set_experimental_options({'debug_stripper': True})
    assert repr(f(tf.constant(-1.0))) == "<tf.Tensor: shape=(), dtype=float32, numpy=-2.0>"     # TF 2.21's
