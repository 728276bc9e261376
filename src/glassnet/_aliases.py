"""The import paths of modules that moved into packages, kept: ``import glassnet.tape`` is
``glassnet.tf.tape``, the same module object (so ``monkeypatch`` and ``pickle`` see one).

``glassnet/__init__.py`` puts :class:`OldPaths` on ``sys.meta_path``; each old dotted name
loads the module at its new place and answers with it.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import sys

# old path -> where the module lives now (docs/architecture.md draws the tree)
MOVED = {
    "glassnet._checks": "glassnet.engine.checks",
    "glassnet.step": "glassnet.engine.step",
    "glassnet.training": "glassnet.engine.training",
    "glassnet.functional": "glassnet.engine.functional",
    "glassnet.keras_model": "glassnet.engine.model",
    "glassnet.progress": "glassnet.engine.progress",
    "glassnet.summary": "glassnet.tf.summary",        # tf.summary (it also gives summary_text)
    "glassnet.tensor": "glassnet.tf.tensor",
    "glassnet.tape": "glassnet.tf.tape",
    "glassnet.nn": "glassnet.tf.nn",
    "glassnet.math": "glassnet.tf.math",
    "glassnet.ops": "glassnet.tf.ops",
    "glassnet.random": "glassnet.tf.random",
    "glassnet.compat": "glassnet.tf.compat",
    "glassnet.autograph": "glassnet.tf.autograph",
    "glassnet.version": "glassnet.tf.version",
    "glassnet.inspect": "glassnet.glassbox.gradients",
    "glassnet.explanation": "glassnet.glassbox.explain",
    "glassnet.trace": "glassnet.glassbox.trace",
    "glassnet.plot": "glassnet.glassbox.plot",
    "glassnet.linear": "glassnet.glassbox.linear",
    "glassnet.onnx_export": "glassnet.saving.onnx",
    "glassnet.schedules": "glassnet.optimizers.schedules",
    "glassnet.threads": "glassnet.fast.threads",
}


class _Existing:
    """Hands back the module already loaded at its new path (under its new name and spec).
    (importlib's loader protocol: ``create_module`` and ``exec_module``.)"""

    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self.spec = module.__spec__
        return module

    def exec_module(self, module):
        module.__spec__ = self.spec         # importlib put the old path's spec on it: undo that


class OldPaths:
    """Finds ``glassnet.<old name>`` and answers with the module at its new place."""

    def find_spec(self, fullname, path=None, target=None):
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Existing(new))


def install() -> None:
    if not any(isinstance(finder, OldPaths) for finder in sys.meta_path):
        sys.meta_path.append(OldPaths())


def module(name: str):
    """``glassnet.<name>`` by its old top-level name (``step``, ``tape`` ...), or None."""
    new = MOVED.get(f"glassnet.{name}")
    return None if new is None else importlib.import_module(f"glassnet.{name}")
