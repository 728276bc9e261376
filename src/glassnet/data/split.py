"""``keras.utils.split_dataset``: one dataset (or arrays) cut into a left and a right one.

As Keras: the elements are read once into memory (optionally shuffled with ``seed``), the
sizes are numbers of elements or fractions of the whole (a fraction rounded to the nearest
count, as Python's ``round``; a size not given is the rest), and the two parts come back as
datasets of those elements in order.

>>> import numpy as np
>>> left, right = split_dataset(np.arange(7), left_size=0.5)
>>> [int(x) for x in left], [int(x) for x in right]
([0, 1, 2, 3], [4, 5, 6])
"""
from __future__ import annotations

import numpy as np

from .dataset import Dataset
from .structure import as_input, leaves, structure

__all__ = ["split_dataset"]


def _size(value, total, what):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"split_dataset: {what} must be an int (elements) or a float in (0, 1), got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not 0 < value < 1:
            raise ValueError(f"split_dataset: {what} as a fraction must be in (0, 1), got {value}")
        return int(round(value * total))
    if not 0 < value <= total:
        raise ValueError(f"split_dataset: {what} must be in [1, {total}] elements, got {value}")
    return int(value)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """``(left, right)`` datasets of ``dataset``'s elements (a Dataset, an array, or a tuple
    or dict of arrays whose rows are the elements)."""
    if isinstance(dataset, Dataset):
        elements = list(dataset._run())
    else:
        arrays = as_input(dataset, "split_dataset: dataset")
        n = len(leaves(arrays)[0])
        elements = [structure(lambda a, i=i: a[i, ...], arrays) for i in range(n)]
    total = len(elements)
    if total == 0:
        raise ValueError("split_dataset: the dataset is empty, there is nothing to split")
    left, right = _size(left_size, total, "left_size"), _size(right_size, total, "right_size")
    if left is None and right is None:
        left = int(round(0.5 * total))
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"split_dataset: left_size + right_size ({left} + {right}) is more than the {total} "
                         f"elements there are")
    if shuffle:
        order = np.random.default_rng(seed).permutation(total)
        elements = [elements[i] for i in order]

    def part(rows):
        if not rows:
            raise ValueError("split_dataset: one side would be empty; give sizes that leave elements on both")
        stacked = structure(lambda *items: np.stack(items), *rows)
        return Dataset.from_tensor_slices(stacked)
    return part(elements[:left]), part(elements[left:left + right])
