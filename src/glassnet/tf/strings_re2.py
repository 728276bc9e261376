"""RE2's pattern syntax that Python's ``re`` lacks, written in ``re``'s terms for ``tf.strings``'
``regex_replace`` and ``regex_full_match``: the POSIX classes inside brackets (``[[:punct:]]``,
``[^[:alnum:] ]``, ASCII as in RE2) and the Unicode classes ``\\pL``, ``\\p{Lu}``, ``\\p{Han}``,
``\\PL`` (general categories from Python's ``unicodedata``; scripts from TensorFlow's table,
``tf/unicode_scripts.py``). Everything else is left to ``re``, which reads RE2's common syntax
the same way.

>>> import re
>>> re.sub(translate(r"[[:punct:]]"), "", "a.b,c!")
'abc'
>>> re.sub(translate(r"\\p{L}+"), "W", "héllo, 世界 42")
'W, W 42'
"""
from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["translate"]

_POSIX = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
          "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~",
          "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\x0b\\x0c\\r ", "upper": "A-Z", "word": "0-9A-Za-z_",
          "xdigit": "0-9A-Fa-f"}

# RE2's script names with the ICU codes of TensorFlow's unicode_script (those checked against it).
_SCRIPTS = {"Common": 0, "Inherited": 1, "Arabic": 2, "Cyrillic": 8, "Devanagari": 10, "Greek": 14, "Han": 17,
            "Hangul": 18, "Hebrew": 19, "Hiragana": 20, "Katakana": 22, "Latin": 25, "Thai": 38}

_CATEGORIES = ("C", "Cc", "Cf", "Cn", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd",
               "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl",
               "Zp", "Zs")

_TOKEN = re.compile(r"\\[pP](\{\^?\w+\}|\w)|\[:(\^?)(\w+):\]|\\.|\[|\]", re.DOTALL)


def translate(pattern: str) -> str:
    """``pattern`` (RE2) with its POSIX and Unicode classes spelled as ``re`` reads them."""
    if "\\p" not in pattern and "\\P" not in pattern and "[:" not in pattern and pattern.count("[") < 2:
        return pattern                          # (nothing RE2 reads otherwise than re)
    out, opened, at = [], None, 0               # opened: where the bracketed class now open starts
    for m in _TOKEN.finditer(pattern):
        out.append(pattern[at:m.start()])
        at = m.end()
        token = m.group(0)
        depth = opened is not None
        if token == "[":
            out.append("\\[" if depth else token)  # (inside a class, a plain '[')
            opened = m.end() if not depth else opened
        elif token == "]":
            out.append(token)
            if depth and pattern[opened:m.start()] not in ("", "^"):    # ([]a] and [^]a] hold a ']')
                opened = None
        elif m.group(3):                            # [:name:] / [:^name:]
            if not depth or m.group(3) not in _POSIX or m.group(2):
                raise re.error(f"RE2 class [:{m.group(2)}{m.group(3)}:] is not supported here", pattern, m.start())
            out.append(_POSIX[m.group(3)])
        elif m.group(1):                            # \pX, \p{Name}, \PX, \p{^Name}
            name = m.group(1).strip("{}")
            negated = (token[1] == "P") != name.startswith("^")
            ranges = _ranges(name.lstrip("^"), pattern, m.start())
            if depth and negated:
                raise re.error(f"RE2 class {token} inside brackets is not supported here", pattern, m.start())
            out.append(ranges if depth else f"[{'^' if negated else ''}{ranges}]")
        else:
            out.append(token)
    out.append(pattern[at:])
    return "".join(out)


def _ranges(name: str, pattern: str, pos: int) -> str:
    if name == "Any":
        return "\\x00-\\U0010ffff"
    if name in _CATEGORIES:
        return _category_ranges()[name]
    if name in _SCRIPTS:
        return _script_ranges(_SCRIPTS[name])
    raise re.error(f"RE2 class \\p{{{name}}} is not known here (general categories such as L, Lu, N, P, and the "
                   f"scripts {', '.join(sorted(_SCRIPTS))})", pattern, pos)


def _spelled(runs) -> str:
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in runs)


@functools.lru_cache(maxsize=1)
def _category_ranges() -> dict:
    """Each general category (and its first letter, ``L`` for all letters) as ``re`` ranges."""
    runs: dict = {c: [] for c in _CATEGORIES}
    for point in range(0x110000):
        category = unicodedata.category(chr(point))
        for key in (category, category[0]):
            found = runs[key]
            if found and found[-1][1] == point - 1:
                found[-1][1] = point
            else:
                found.append([point, point])
    return {key: _spelled(found) for key, found in runs.items()}


@functools.lru_cache(maxsize=None)
def _script_ranges(code: int) -> str:
    from .unicode_scripts import RUNS  # noqa: PLC0415 - only for a script's class

    ends = [start for start, _ in RUNS[1:]] + [0x110000]
    return _spelled((start, end - 1) for (start, c), end in zip(RUNS, ends) if c == code)
