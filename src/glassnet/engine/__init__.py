"""The engine: what turns layers into a model that trains.

- ``model.py``: ``Model``, a ``Layer`` that trains (``Trainer`` + ``Layer``, as Keras);
  ``sequential.py``: ``Sequential(Model)``; ``functional.py``: ``layer(Input)`` and
  ``Model(inputs, outputs)``.
- ``trainer.py``: compile, fit, evaluate, predict; ``checks.py``: every input checked first.
- ``training.py``: the epoch loop; ``fastpath.py``: its one choice of step, readable or fast;
  ``step.py``: the one readable training step (forward, loss, backward, update).
- ``progress.py``, ``summary.py``: what fit and summary print.
"""
