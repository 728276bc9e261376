"""'Did you mean ...?' for unknown names."""
from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A short ' Did you mean 'x'?' sentence, or '' when nothing is close. Of the names
    difflib finds close, the fewest edits wins (a swap of two letters counts as one:
    'adma' is 'adam', not 'adamax')."""
    name = str(name).lower()
    close = difflib.get_close_matches(name, [str(c) for c in choices], n=5, cutoff=0.6)
    if not close:
        return ""
    best = min(close, key=lambda c: (_edits(name, c.lower()), close.index(c)))
    return f" Did you mean {best!r}?"


def _edits(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours that turn ``a`` into ``b``
    (the optimal string alignment distance)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]
