"""Conversion doubts: what ``qa convert`` could not decide for sure, kept until a review.

A doubt names one thing in a legacy text (a number that may or may not be a citation,
a date that may be day-first, a question with no question mark...), the line of the
text it stands on, a snippet of that text, and which way the converter went. Doubts
are written into the converted answer under ``legacy.doubts``; ``qa validate`` reports
each open one as a warning (rule ``conversion-doubt``), an answer with any open doubt
is never converted as ``published``, and ``qa review`` clears them (logged in
``review_log``). Example front matter::

    legacy:
      source: 004_asthma.txt
      ...
      doubts:
        - kind: citation
          line: 7
          number: 2
          text: "... inhaled steroids at lower doses 2."
          decision: converted to [@2]

This module holds the vocabulary and the reading of stored doubts; it never prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CITATION",
    "CONFIDENCE",
    "DOUBT_KINDS",
    "QUESTION",
    "REFERENCE",
    "REVIEW_DATE",
    "TOPIC",
    "Doubt",
    "open_doubts",
]

CITATION = "citation"
"""A number that may be a citation: converted or kept as prose, not for sure."""
REVIEW_DATE = "review-date"
"""A review date that cannot be read for sure (day/month order, two-digit year...)."""
CONFIDENCE = "confidence"
"""A confidence word that is not one of the GRADE levels."""
QUESTION = "question"
"""A question taken from a line that is not plainly the page's question."""
TOPIC = "topic"
"""A topic that was guessed, or that the text names in two different ways."""
REFERENCE = "reference"
"""A References entry that could not be read or matched for sure."""

DOUBT_KINDS: tuple[str, ...] = (CITATION, REVIEW_DATE, CONFIDENCE, QUESTION, TOPIC, REFERENCE)

SNIPPET_LENGTH = 80
"""Longest snippet kept with a doubt (characters; a cut is marked with '...')."""


@dataclass(frozen=True)
class Doubt:
    """One undecided point of a conversion; ``line`` is 1-based in the legacy text."""

    kind: str
    line: int
    text: str
    decision: str
    number: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stored and reported shape: ``number`` only when there is one."""
        data: dict[str, Any] = {"kind": self.kind, "line": self.line}
        if self.number is not None:
            data["number"] = self.number
        data["text"] = self.text
        data["decision"] = self.decision
        return data

    def describe(self) -> str:
        """One line for people: ``line 7: citation 2? converted to [@2]: "...doses 2."``."""
        what = f"{self.kind} {self.number}" if self.number is not None else self.kind
        return f"line {self.line}: {what}? {self.decision}: {self.text!r}"


def snippet(text: str, start: int, end: int, width: int = SNIPPET_LENGTH) -> str:
    """The part of ``text`` around ``text[start:end]``, at most ``width`` characters.

    >>> snippet("One two three four five six.", 14, 18, 12)
    '...ree four fiv...'
    """
    text_length = len(text)
    if text_length <= width:
        return text.strip()
    half = max(0, (width - (end - start)) // 2)
    left = max(0, start - half)
    right = min(text_length, max(end, left + width))
    left = max(0, min(left, right - width))
    shown = text[left:right].strip()
    return ("..." if left else "") + shown + ("..." if right < text_length else "")


def open_doubts(meta: Mapping[str, Any] | Any) -> list[dict[str, Any]]:
    """The doubts still open on an answer's front matter (``legacy.doubts``), as maps.

    Tolerant of hand-edited files: anything that is not a list of maps gives no doubts
    (``qa validate``'s schema check reports the shape itself).

    >>> open_doubts({"legacy": {"doubts": [{"kind": "citation", "line": 3, "number": 2,
    ...              "text": "lower doses 2.", "decision": "converted to [@2]"}]}})[0]["line"]
    3
    >>> open_doubts({"title": "No legacy block"})
    []
    """
    if not isinstance(meta, Mapping):
        return []
    legacy = meta.get("legacy")
    if not isinstance(legacy, Mapping):
        return []
    doubts = legacy.get("doubts")
    if not isinstance(doubts, list):
        return []
    return [dict(doubt) for doubt in doubts if isinstance(doubt, Mapping)]


def describe_stored(doubt: Mapping[str, Any]) -> str:
    """A stored doubt (a map from front matter) as one line for people."""
    kind = str(doubt.get("kind") or "doubt")
    number = doubt.get("number")
    what = f"{kind} {number}" if isinstance(number, int) and not isinstance(number, bool) else kind
    line = doubt.get("line")
    where = f"legacy line {line}: " if isinstance(line, int) and not isinstance(line, bool) else ""
    decision = doubt.get("decision")
    text = doubt.get("text")
    tail = f": {text!r}" if isinstance(text, str) and text else ""
    return f"{where}{what}? {decision if isinstance(decision, str) else 'undecided'}{tail}"
