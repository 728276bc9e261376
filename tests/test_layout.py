"""The tree shows the design (docs/architecture.md): no import circles between glassnet's
modules, core code never reaches into file formats, and every import path that worked
before the move still gives the same objects."""
from __future__ import annotations

import ast
import importlib
import json
import pathlib
import types

import pytest

import glassnet

ROOT = pathlib.Path(glassnet.__file__).parent
FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "import_paths.json"


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = ["glassnet", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_package(name):
    return MODULES[name].name == "__init__.py"


def _imports(name, *, deferred):
    """The glassnet modules ``name`` imports: at its top level, or (deferred) anywhere."""
    tree = ast.parse(MODULES[name].read_text())
    package = name if _is_package(name) else name.rsplit(".", 1)[0]
    nodes = ast.walk(tree) if deferred else _top_level(tree.body)
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if not source.startswith("glassnet"):
                continue
            for alias in node.names:
                full = f"{source}.{alias.name}"
                yield full if full in MODULES else source
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("glassnet"):
                    yield alias.name


def _top_level(body):
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
                continue
            yield from _top_level(node.body)
            for handler in getattr(node, "handlers", []):
                yield from _top_level(handler.body)
            yield from _top_level(getattr(node, "orelse", []))


def _graph():
    graph = {}
    for name in MODULES:
        edges = set()
        for target in _imports(name, deferred=False):
            target = glassnet._aliases.MOVED.get(target, target)
            if target in MODULES and target != name and not name.startswith(target + "."):
                edges.add(target)
        graph[name] = edges
    return graph


def _cycles(graph):
    """Tarjan's strongly connected components of more than one module."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


CORE = ("glassnet.engine", "glassnet.layers", "glassnet.optimizers", "glassnet.tf", "glassnet.fast",
        "glassnet.activations", "glassnet.losses", "glassnet.metrics", "glassnet.initializers",
        "glassnet.regularizers", "glassnet.registry", "glassnet.config", "glassnet.utils", "glassnet.callbacks")
# A model's own file methods (save, load_weights, export) hand over to saving when called.
FILE_METHODS = {"glassnet.engine.model", "glassnet.models"}


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith(CORE)))
def test_core_code_does_not_import_file_formats(name):
    deferred = name in FILE_METHODS
    imported = set(_imports(name, deferred=not deferred))
    assert not any(t == "glassnet.saving" or t.startswith("glassnet.saving.") for t in imported), \
        f"{name} imports {sorted(t for t in imported if 'saving' in t)}"


def test_every_import_path_of_before_gives_the_same_objects():
    paths = json.loads(FIXTURE.read_text())
    assert len(paths) > 90
    for module_name, names in paths.items():
        module = importlib.import_module(module_name)
        for name in names:
            if not hasattr(module, name) and f"{module_name}.{name}" in paths:
                importlib.import_module(f"{module_name}.{name}")    # a subpackage: there once imported
            value = getattr(module, name)               # AttributeError names what went missing
            home = getattr(value, "__module__", None)
            if module_name == "glassnet.keras.activations":     # the same functions wrapped to return Tensors
                continue
            if isinstance(value, types.ModuleType) or not isinstance(home, str) or not home.startswith("glassnet"):
                continue
            qualname = getattr(value, "__qualname__", "")
            if "." in qualname or "<" in qualname or not hasattr(importlib.import_module(home), qualname):
                continue
            assert getattr(importlib.import_module(home), qualname) is value, f"{module_name}.{name}"


def test_old_module_paths_are_the_new_modules():
    for old, new in glassnet._aliases.MOVED.items():
        assert importlib.import_module(old) is importlib.import_module(new)
        assert getattr(glassnet, old.split(".")[1]) is importlib.import_module(new)
