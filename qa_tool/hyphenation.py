"""Hyphenation points of English words: Liang's algorithm over the en_US patterns.

The patterns are the ``hyph_en_US.dic`` file that the ``pyphen`` package ships
(from LibreOffice's hyphenation dictionaries); this module reads that file
itself, without importing ``pyphen``, whose import and pattern parsing cost
about 0.1 s at start-up. The points found are pyphen's, with its defaults (no
point within two letters of either end), which is what textstat counts a
word's syllables by when the pronouncing dictionary lacks it:
``tests/test_readability.py`` checks the two agree on thousands of words.

>>> points("immunotherapeutic")  # im-munother-a-peu-tic
[2, 10, 11, 14]
"""

from __future__ import annotations

import importlib.util
from functools import cache, lru_cache
from pathlib import Path

from qa_tool.errors import InstallationError

__all__ = ["points"]

EDGE = 2
"""No point closer than this many letters to the start or the end (pyphen's defaults)."""


def _patterns_file() -> Path:
    spec = importlib.util.find_spec("pyphen")
    if spec is None or not spec.submodule_search_locations:
        raise InstallationError(
            "the pyphen package, which ships the hyphenation patterns, is not installed"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "dictionaries" / "hyph_en_US.dic"


@lru_cache(maxsize=1)
def _patterns() -> tuple[dict[str, str], int]:
    """``({letters: pattern as written}, longest)``: the letters of each pattern found by
    one ``translate`` of the whole file, its digits read only when a word needs it."""
    raw = _patterns_file().read_bytes().replace(b"\r", b"")
    first, _, rest = raw.partition(b"\n")
    encoding = first.decode("ascii").strip() or "utf-8"  # an ASCII-compatible one
    text = rest.decode(encoding)
    letters = rest.translate(None, b"0123456789").decode(encoding)  # bytes: far faster
    if "\n " in text or " \n" in text or "\t" in text:
        text = "\n".join(line.strip() for line in text.split("\n"))
        letters = "\n".join(line.strip() for line in letters.split("\n"))
    # Comments and settings ("%", "LEFTHYPHENMIN 2") stay in: no lower-case word holds them.
    table = dict(zip(letters.split("\n"), text.split("\n"), strict=True))
    table.pop("", None)
    return table, max(map(len, table))


@cache
def _weights(pattern: str) -> tuple[int, tuple[int, ...]] | None:
    """``(offset, values)`` of a pattern ("a1b2c": the digit before each letter and after
    the last), zeros at either end cut as pyphen cuts them; None when all are zero."""
    values = [0]
    for char in pattern:
        if char.isdigit():
            values[-1] = int(char)
        else:
            values.append(0)
    if not any(values):
        return None
    start, end = 0, len(values)
    while not values[start]:
        start += 1
    while not values[end - 1]:
        end -= 1
    return start, tuple(values[start:end])


@lru_cache(maxsize=65536)
def points(word: str) -> list[int]:
    """Where ``word`` may be hyphenated: the offsets of the letters a point comes before."""
    patterns, longest = _patterns()
    word = word.lower()
    dotted = f".{word}."
    size = len(dotted)
    weights = [0] * (size + 1)
    for i in range(size - 1):
        for j in range(i + 1, min(i + longest, size) + 1):
            pattern = patterns.get(dotted[i:j])
            found = _weights(pattern) if pattern is not None else None
            if found is None:
                continue
            offset, values = found
            for k, value in enumerate(values, start=i + offset):
                if value > weights[k]:
                    weights[k] = value
    last = len(word) - EDGE
    return [i - 1 for i, weight in enumerate(weights) if weight % 2 and EDGE <= i - 1 <= last]
