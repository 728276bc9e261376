"""Which step the training loop runs: the readable one, or ``glassnet.fast``'s. Chosen here,
once per ``fit`` (and per ``train_on_batch``), and nowhere else.

The readable step (``glassnet.engine.step.train_step``) calls each layer's ``forward`` and
``backward``, the loss's methods and the optimizer's ``apply``/``update_step``, as written.
``glassnet.fast`` does the same arithmetic in fewer calls (tested bit for bit equal). The
readable step runs whenever a learner would expect their own code to run:

- on request: ``glassnet.config.set_fast_path(False)``, or ``GLASSNET_FAST_PATH=0``;
- under a debugger, tracer or profiler (``sys.gettrace()``, a ``sys.monitoring`` tool);
- for any layer, loss or optimizer whose methods were replaced or overridden (a subclass,
  or ``Dense.backward = my_backward``): ``glassnet.fast.untouched`` checks each object;
- for a model with a ``train_step`` of its own (``glassnet/engine/custom_step.py``);
- for an optimizer with a ``loss_scale_factor`` (the readable step scales the loss's gradient
  and takes the factor back out before the update, as Keras's ``train_step`` and ``apply`` do).

Where the fast path runs, ``fit`` may go one further for a small Dense network on arrays
(:func:`compiled_epoch`): a whole epoch in one compiled call (``glassnet.fast.epoch``, numba),
when no callback but the progress line and History hooks the batches, the network has at most 2**18 weights, and numba is already loaded or the steps
ahead repay its load (a lone seed fit does not: it never imports numba). The numbers are
the step-by-step epoch's, bit for bit or within 1e-6 relative; ``glassnet.config.set_compiled_epoch(False)``
(or ``GLASSNET_COMPILED_EPOCH=0``) turns it off. The full rule is in ``glassnet.fast.epoch``.

>>> import glassnet
>>> glassnet.config.set_fast_path(False)
>>> choose(None) is step.train_step
True
>>> glassnet.config.set_fast_path(True)
"""
from __future__ import annotations

import sys

from .. import config, fast
from ..fast import dense as fast_dense
from . import custom_step, step


def tracing() -> bool:
    """A debugger, tracer or profiler is watching Python lines (pdb, IDEs, coverage)."""
    if sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)          # Python 3.12+
    return monitoring is not None and any(monitoring.get_tool(i) is not None for i in range(6))


def wanted() -> bool:
    """May the fast path run now? (the setting, the environment, no tracer)"""
    return config.fast_path() and not tracing()


def _readable_only(model) -> bool:
    """A model whose every step is the readable one: its own ``train_step`` (its step is its
    code), or an optimizer with a ``loss_scale_factor`` (``glassnet.engine.step.loss_scale``)."""
    return model is not None and (custom_step.custom(model) or step.loss_scale(model) is not None)


def choose(model):
    """The step function ``(model, x, y, sample_weight) -> (loss, predictions)`` to use now."""
    if not wanted() or _readable_only(model):
        return step.train_step
    from ..fast import recurrent as fast_recurrent  # noqa: PLC0415 - loaded by the first fit, not by `import glassnet`
    passes = fast_recurrent.LayerPasses()             # conv's, the RNNs', Bidirectional's, Embedding's twins

    def fast_step(model, x, y, sample_weight=None):
        fused = fast_dense.train_step(model, x, y, sample_weight)      # a Dense stack: one fused step
        if fused is not None:
            return fused
        return step.train_step(model, x, y, sample_weight, passes=passes, apply=fast.update)
    return fast_step


def compiled_epoch(model, data, cblist):
    """``glassnet.fast.epoch``'s runner of ``fit``'s epochs on ``data`` (``.run(data)`` per
    epoch), or False: asked once per fit, on its first epoch."""
    if not wanted() or _readable_only(model):
        return False
    from ..fast import epoch  # noqa: PLC0415 - loaded by the first fit, not by `import glassnet`
    return epoch.plan(model, data, cblist) or False
