"""Run a test file's ``PROGRAM`` (a TensorFlow program kept as a string in the test) under real
TensorFlow, and print what it prints: the lines a test pastes as its ``TF_OUTPUT`` fixture.

    /work/peers/bin/python tools/run_program_under_tf.py tests/test_tape_unconnected_zeros.py
    /work/peers/bin/python tools/run_program_under_tf.py tests/test_x.py OTHER_PROGRAM   # another name

The test file is read with ``ast`` (not imported: it imports glassnet, which the peers'
environment need not have); the program runs as written, ``import tensorflow as tf`` and all.
"""
from __future__ import annotations

import ast
import sys


def program_of(path: str, name: str = "PROGRAM") -> str:
    """The string assigned to ``name`` at the top level of the file ``path``."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"{path}: no top-level {name} = '...' string")


def main(argv) -> None:
    if not 1 <= len(argv) <= 2:
        raise SystemExit(__doc__)
    program = program_of(*argv)
    exec(compile(program, f"{argv[0]}:{argv[1] if len(argv) > 1 else 'PROGRAM'}", "exec"), {"__name__": "__main__"})


if __name__ == "__main__":
    main(sys.argv[1:])
