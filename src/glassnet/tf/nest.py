"""``tf.nest``: nested structures (lists, tuples, namedtuples, dicts) taken apart into their
leaves and built back, as TensorFlow's. Dicts give their values in sorted key order; ``None``,
a Tensor, an array or a string is a leaf.

>>> import glassnet as tf
>>> tf.nest.flatten({"b": [1, (2, 3)], "a": 4})
[4, 1, 2, 3]
>>> tf.nest.map_structure(lambda a, b: a + b, {"x": [1, 2]}, {"x": [10, 20]})
{'x': [11, 22]}
>>> tf.nest.pack_sequence_as({"b": [0, 0], "a": 0}, [1, 2, 3])
{'b': [2, 3], 'a': 1}
"""
from __future__ import annotations

import collections.abc

__all__ = ["flatten", "map_structure", "pack_sequence_as", "is_nested", "assert_same_structure"]


def is_nested(seq) -> bool:
    """Whether ``seq`` is a structure (a list, tuple, namedtuple or mapping), not a leaf."""
    return isinstance(seq, (list, tuple, collections.abc.Mapping))


def _children(structure) -> list:
    if isinstance(structure, collections.abc.Mapping):
        return [structure[k] for k in _sorted_keys(structure)]
    return list(structure)


def _sorted_keys(mapping) -> list:
    try:
        return sorted(mapping)
    except TypeError as e:
        raise TypeError(f"nest: the keys of a dict must be sortable, got {list(mapping)!r}") from e


def flatten(structure, expand_composites=False) -> list:
    """The leaves of ``structure``, depth first (dict values in sorted key order)."""
    if not is_nested(structure):
        return [structure]
    out = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _rebuild(template, children):
    if isinstance(template, collections.abc.Mapping):
        by_key = dict(zip(_sorted_keys(template), children))
        values = [(k, by_key[k]) for k in template]           # the template's own key order
        return type(template)(values) if not isinstance(template, collections.defaultdict) \
            else collections.defaultdict(template.default_factory, values)
    if isinstance(template, tuple) and hasattr(template, "_fields"):      # a namedtuple
        return type(template)(*children)
    return type(template)(children)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """``flat_sequence``'s items put back into the shape of ``structure``."""
    flat = list(flat_sequence)
    count = len(flatten(structure))
    if count != len(flat):
        raise ValueError(f"Could not pack sequence. Structure had {count} atoms, but flat_sequence had "
                         f"{len(flat)} items.  Structure: {structure!r}, flat_sequence: {flat!r}.")
    it = iter(flat)

    def build(s):
        if not is_nested(s):
            return next(it)
        return _rebuild(s, [build(c) for c in _children(s)])
    return build(structure)


def _kind(s):
    if isinstance(s, collections.abc.Mapping):
        return dict
    return type(s)


def _check(a, b, check_types, path):
    if is_nested(a) != is_nested(b):
        nested, leaf = (a, b) if is_nested(a) else (b, a)
        raise ValueError("The two structures don't have the same nested structure. "
                         f"At {path or 'the top'}: {nested!r} is a sequence, while {leaf!r} is not")
    if not is_nested(a):
        return
    if check_types and _kind(a) is not _kind(b):
        raise TypeError("The two structures don't have the same sequence type. "
                        f"At {path or 'the top'}: {type(a).__name__} {a!r} and {type(b).__name__} {b!r}")
    if isinstance(a, collections.abc.Mapping) and isinstance(b, collections.abc.Mapping) \
            and set(a) != set(b):
        raise ValueError("The two structures don't have the same keys. "
                         f"At {path or 'the top'}: {_sorted_keys(a)} and {_sorted_keys(b)}")
    ca, cb = _children(a), _children(b)
    if len(ca) != len(cb):
        raise ValueError("The two structures don't have the same nested structure. "
                         f"At {path or 'the top'}: {len(ca)} elements in {a!r}, {len(cb)} in {b!r}")
    keys = _sorted_keys(a) if isinstance(a, collections.abc.Mapping) else range(len(ca))
    for k, x, y in zip(keys, ca, cb):
        _check(x, y, check_types, f"{path}[{k!r}]")


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False) -> None:
    """Raise ``ValueError`` unless both have the same nesting and lengths (``TypeError`` when,
    with ``check_types``, a list stands where a tuple was)."""
    _check(nest1, nest2, check_types, "")


def map_structure(func, *structure, **kwargs):
    """``func`` applied to the leaves in the same place of each structure, in the shape of the first."""
    check_types = kwargs.pop("check_types", True)
    kwargs.pop("expand_composites", None)
    if kwargs:
        raise ValueError(f"map_structure: only check_types and expand_composites are accepted, got {list(kwargs)}")
    if not callable(func):
        raise TypeError(f"map_structure: func must be callable, got {func!r}")
    if not structure:
        raise ValueError("map_structure: give at least one structure")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*leaves) for leaves in zip(*flats)])
