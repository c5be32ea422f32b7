"""Answer ids: lowercase ASCII words joined by '-', made from the question.

python-slugify does the transliteration ("é" -> "e", "ß" -> "ss") and cuts at a
word boundary, so ids stay readable. An id made from a question has at most
:data:`MAX_ID_LENGTH` (60) characters: the words that fit, in order, and no
word after the first one that does not (a single longer word is cut)::

    >>> make_id("Can I drink coffee après chemotherapy?")
    'can-i-drink-coffee-apres-chemotherapy'
    >>> make_id("What should I know about the long-term side effects of immunotherapy?")
    'what-should-i-know-about-the-long-term-side-effects-of'
"""

from __future__ import annotations

import re

from qa_tool.errors import UsageError

MAX_ID_LENGTH = 60
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def make_id(question: str, max_length: int = MAX_ID_LENGTH) -> str:
    """The id for a question; UsageError when nothing usable is left."""
    from slugify import slugify

    slug = slugify(
        question,
        max_length=max_length,
        word_boundary=True,
        save_order=True,  # without it, slugify skips a long word and fills up with later ones
        separator="-",
        lowercase=True,
    )
    if not slug:
        raise UsageError(f"cannot make an id from {question!r}; give one with --id")
    return slug


def check_id(value: str) -> str:
    """``value`` if it is a safe, well-formed id; UsageError saying why not otherwise."""
    if not ID_PATTERN.fullmatch(value or "") or len(value) > 80:
        raise UsageError(
            f"id {value!r} is not valid: use lowercase ASCII letters and digits in words "
            "joined by '-' (at most 80 characters)"
        )
    if value in _WINDOWS_RESERVED:
        raise UsageError(f"id {value!r} is a name reserved on Windows; choose another")
    return value
