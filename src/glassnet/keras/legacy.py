"""Keras 2's spellings, accepted with one note each: the one helper that says so.

Programs written for TensorFlow 2's Keras 2 (``Adam(lr=0.01)``, ``model.fit_generator``,
``tf.keras.layers.experimental.preprocessing.Normalization``, ``K.sum``, ...) still run where
the meaning is unambiguous. Each old spelling prints one line, once per process, naming the
Keras 3 spelling to write instead. The line is a :class:`Keras2Warning`, a ``FutureWarning``:
Python shows those by default (a ``DeprecationWarning`` would stay hidden outside
``__main__``), and ``warnings.simplefilter("ignore", Keras2Warning)`` silences them all.

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     note("doctest_spelling", "doctest_spelling is Keras 2's; write new_spelling")
...     note("doctest_spelling", "doctest_spelling is Keras 2's; write new_spelling")
>>> [str(w.message) for w in caught]
["doctest_spelling is Keras 2's; write new_spelling"]
"""
from __future__ import annotations

import warnings

__all__ = ["Keras2Warning", "forget", "note", "noted"]

_NOTED: set[str] = set()            # the spellings already noted in this process


class Keras2Warning(FutureWarning):
    """A Keras 2 spelling that glassnet accepts; the message names the Keras 3 one."""


def note(spelling: str, message: str, stacklevel: int = 3) -> None:
    """Warn ``message`` (one line naming the Keras 3 spelling) the first time ``spelling``
    is used in this process; later uses are silent. ``stacklevel`` points the warning at
    the caller's caller: the line of the program that used the old spelling."""
    if spelling in _NOTED:
        return
    _NOTED.add(spelling)
    warnings.warn(message, Keras2Warning, stacklevel=stacklevel)


def noted() -> frozenset:
    """The spellings noted so far in this process (a test forgets them with ``forget``)."""
    return frozenset(_NOTED)


def forget(spelling: str | None = None) -> None:
    """Forget that ``spelling`` (or every spelling) was noted, so the next use notes again."""
    if spelling is None:
        _NOTED.clear()
    else:
        _NOTED.discard(spelling)
