"""``Dataset.cache``: the first complete pass kept, later passes read it.

In memory (``cache()``): a pass that reaches the end keeps its elements; a pass stopped
early (``take``, a ``break``) keeps nothing, and the next pass reads the source again.

In a file (``cache(filename)``): the first complete pass is written to a temporary file
beside ``FILENAME.glassnet-cache`` and renamed onto it only when the pass ends (a pass
stopped early leaves no file); a later pass, or another program, reads that file instead of
the source. As TensorFlow, a cache file that exists is trusted: a changed pipeline still
reads the old elements (delete the file to refresh it).

The format holds arrays only, so reading it never runs code: a magic line, then per element
the byte ``E`` and each leaf as one ``np.save`` record (``allow_pickle=False``; a text leaf as
its shape, its items' lengths and their bytes, three records), and at the end ``Z`` with the
count. A file that does not start with the magic line, or stops before ``Z``, is refused with
its name; nothing is half read into the pipeline before the error.
"""
from __future__ import annotations

import collections
import json
import os
import tempfile

import numpy as np

from .structure import leaves

__all__ = ["SUFFIX", "cached_in_file", "cached_in_memory"]

SUFFIX = ".glassnet-cache"
_MAGIC = b"GLASSNET-DATA-CACHE 1\n"


def cached_in_memory(make_iterator):
    """A ``run`` function: the first complete pass is kept, later passes replay it."""
    kept = []

    def run():
        if kept:
            yield from kept[0]
            return
        elements = []
        for element in make_iterator():
            elements.append(element)
            yield element
        if not kept:                                    # reached the end: keep it
            kept.append(elements)
    return run


# -- file format --------------------------------------------------------------------------
def _layout(element):
    """The element's structure as JSON: lists for tuples, {"keys": [...]} for dicts, and per
    leaf "s" (text) or "a" (an array)."""
    if isinstance(element, tuple):
        return [_layout(e) for e in element]
    if isinstance(element, dict):
        if not all(isinstance(k, str) for k in element):
            raise TypeError(f"Dataset.cache: a file cache keeps dicts with text keys only, got keys {list(element)}")
        return {"keys": list(element), "dict": type(element).__name__ == "OrderedDict",
                "values": [_layout(v) for v in element.values()]}
    return "s" if np.asarray(element).dtype == object else "a"


def _rebuild(layout, arrays):
    if isinstance(layout, list):
        return tuple(_rebuild(part, arrays) for part in layout)
    if isinstance(layout, dict):
        pairs = [(k, _rebuild(v, arrays)) for k, v in zip(layout["keys"], layout["values"])]
        return collections.OrderedDict(pairs) if layout["dict"] else dict(pairs)
    return next(arrays)


def _write_leaf(f, a) -> None:
    a = np.asarray(a)
    if a.dtype == object:
        items = [bytes(b) for b in a.reshape(-1).tolist()]
        np.save(f, np.array(a.shape, np.int64), allow_pickle=False)
        np.save(f, np.array([len(b) for b in items], np.int64), allow_pickle=False)
        np.save(f, np.frombuffer(b"".join(items), np.uint8), allow_pickle=False)
    else:
        np.save(f, a.view(np.ndarray), allow_pickle=False)


def _read_leaf(f, kind):
    if kind == "a":
        return np.load(f, allow_pickle=False)
    shape, lengths, data = (np.load(f, allow_pickle=False) for _ in range(3))
    raw, out = data.tobytes(), np.empty(int(np.prod(shape)), dtype=object)
    ends = np.cumsum(lengths)
    for i, (start, end) in enumerate(zip(ends - lengths, ends)):
        out[i] = raw[start:end]
    return out.reshape(tuple(shape))


def _leaf_kinds(layout) -> list:
    if isinstance(layout, list):
        return [k for part in layout for k in _leaf_kinds(part)]
    if isinstance(layout, dict):
        return [k for v in layout["values"] for k in _leaf_kinds(v)]
    return [layout]


def _read(path: str):
    """The elements a cache file holds, all read before the first is given (so a damaged
    file fails before the pipeline sees anything)."""
    elements = []
    with open(path, "rb") as f:
        if f.read(len(_MAGIC)) != _MAGIC:
            raise ValueError(f"Dataset.cache: {path} is not a glassnet cache file (delete it to rebuild the cache)")
        try:
            layout = None
            while True:
                tag = f.read(1)
                if tag == b"L":
                    layout = json.loads(f.readline())
                elif tag == b"E" and layout is not None:
                    kinds = _leaf_kinds(layout)
                    elements.append(_rebuild(layout, iter([_read_leaf(f, k) for k in kinds])))
                elif tag == b"Z":
                    count = int(np.load(f, allow_pickle=False))
                    if count != len(elements):
                        raise ValueError(f"it says {count} elements, holds {len(elements)}")
                    return elements
                else:
                    raise ValueError(f"unexpected {tag!r} after element {len(elements)}")
        except (ValueError, OSError, EOFError) as error:
            raise ValueError(f"Dataset.cache: {path} is damaged or cut short ({error}); delete it to rebuild "
                             "the cache") from None


def cached_in_file(make_iterator, filename: str):
    """A ``run`` function: read ``filename + SUFFIX`` if it exists, else pass through the
    source writing it, renamed into place when the pass completes."""
    path = os.fspath(filename) + SUFFIX

    def run():
        if os.path.exists(path):
            yield from _read(path)
            return
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"Dataset.cache: cannot write {path}: the folder {folder} does not exist")
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
        done = False
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC)
                layout, count = None, 0
                for element in make_iterator():
                    if layout is None:
                        layout = _layout(element)
                        f.write(b"L" + json.dumps(layout).encode() + b"\n")
                    elif _layout(element) != layout:
                        raise ValueError(f"Dataset.cache: element {count} is not shaped like the first "
                                         "(its structure or text/number leaves differ)")
                    f.write(b"E")
                    for leaf in leaves(element):
                        _write_leaf(f, leaf)
                    count += 1
                    yield element
                f.write(b"Z")
                np.save(f, np.int64(count), allow_pickle=False)
            os.replace(tmp, path)
            done = True
        finally:
            if not done:
                os.unlink(tmp)
    return run
