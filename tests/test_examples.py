"""Every script in examples/ runs to its end (few epochs, via GLASSNET_EXAMPLE_EPOCHS),
ends with a glass-box view, and is linked from docs/course.md."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import glassnet

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("[0-9]*.py"))


def test_the_course_progression_is_all_there():
    numbers = [int(p.name[:2]) for p in EXAMPLES]
    assert numbers[:9] == list(range(1, 10)) and numbers == sorted(set(numbers)) and 13 in numbers
    guide = (ROOT / "docs" / "course.md").read_text()
    for path in EXAMPLES:
        assert f"examples/{path.name}" in guide, path.name


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(path):
    env = dict(os.environ, GLASSNET_EXAMPLE_EPOCHS="2", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(Path(glassnet.__file__).resolve().parents[1]),
                                           os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(path)], cwd=ROOT / "examples", env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    tail = done.stdout[done.stdout.rfind("== glass box"):]
    assert "== glass box" in done.stdout and len(tail.splitlines()) >= 2, done.stdout[-2000:]
