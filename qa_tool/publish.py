"""``qa publish`` and ``qa retire``: the gate a page passes before it goes live.

The gate is a list of checks (:data:`CHECKS`), each a function from an answer (read
in full) to the reasons it is not ready; publishing names every reason of every check
at once, so one run tells the writer and the reviewer all that is left to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def open_doubts(meta: Mapping[str, Any] | Any) -> list[dict[str, Any]]:
    """The conversion doubts still open on an answer (``legacy.doubts``; a review clears them).

    >>> len(open_doubts({"legacy": {"doubts": [{"kind": "citation", "line": 3}]}}))
    1
    """
    if not isinstance(meta, Mapping):
        return []
    legacy = meta.get("legacy")
    doubts = legacy.get("doubts") if isinstance(legacy, Mapping) else None
    if not isinstance(doubts, list):
        return []
    return [dict(doubt) for doubt in doubts if isinstance(doubt, Mapping)]
