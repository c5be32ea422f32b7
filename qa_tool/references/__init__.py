"""References: CSL items in an answer's front matter, imported, checked and screened.

This package holds what every command needs to know about one reference
(:func:`is_stub`, the identifier rules in :mod:`.identifiers`); the importers
(:mod:`.formats`, :mod:`.importer`), the checks (:mod:`.check`) and the
retraction index (:mod:`.retractions`) are imported where they are used, which
keeps start-up fast. Example::

    >>> is_stub({"id": "6"})
    True
    >>> is_stub({"id": "1", "DOI": "10.1038/nrclinonc.2013.84"})
    False
"""

from __future__ import annotations

from typing import Any

# A reference with none of these has no details: a reader cannot find the work.
DETAIL_FIELDS = ("title", "DOI", "PMID", "PMCID", "URL", "container-title")


def is_stub(ref: Any) -> bool:
    """True when ``ref`` (a mapping from front matter) has an id and nothing to find it by.

    The publish gate and ``qa refs check`` use it; a value that is empty or only
    blanks does not count as a detail.
    """
    if not hasattr(ref, "get"):
        return True
    for key in DETAIL_FIELDS:
        value = ref.get(key)
        if isinstance(value, str):
            if value.strip():
                return False
        elif value is not None and value != [] and value != {}:
            return False
    return True
