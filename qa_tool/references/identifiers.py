"""DOI, PMID, PMCID and URL: how each is written in an answer, and how to tidy one.

An answer stores identifiers bare (the schema's patterns): a DOI without
``https://doi.org/`` or ``doi:``, a PMID as digits, a PMCID as ``PMC`` and
digits. The ``normal_*`` functions accept what reference managers and
publishers write and return the bare form, or None when the text is not such an
identifier::

    >>> normal_doi("https://doi.org/10.1038/NRCLINONC.2013.84")
    '10.1038/NRCLINONC.2013.84'
    >>> normal_doi("doi: 10.1000/xyz123.")
    '10.1000/xyz123'
    >>> normal_pmid("PMID: 23736648")
    '23736648'
    >>> normal_pmcid("pmc1234567")
    'PMC1234567'
    >>> normal_doi("not a doi") is None
    True

DOIs compare without regard to case (:func:`doi_key`), as the DOI system does.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

DOI_RE = re.compile(r"^10\.[0-9]{4,9}/\S+$")
PMID_RE = re.compile(r"^[1-9][0-9]{0,8}$")
PMCID_RE = re.compile(r"^PMC[0-9]+$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

_DOI_PREFIX = re.compile(
    r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi\s*:\s*|doi\s+|info:doi/|urn:doi:)",
    re.IGNORECASE,
)
_PMID_PREFIX = re.compile(r"^(?:pmid|pubmed(?:\s*id)?)\s*[:=]?\s*", re.IGNORECASE)


def normal_doi(text: object) -> str | None:
    """The bare DOI in ``text`` (a DOI, a doi.org link, ``doi:...``), or None."""
    if not isinstance(text, str):
        return None
    value = text.strip()
    for _ in range(2):  # "doi: https://doi.org/10..." is seen in the wild
        value = _DOI_PREFIX.sub("", value).strip()
    if "%" in value:
        value = unquote(value)
    value = value.rstrip(".,;")  # sentence punctuation copied with it
    return value if DOI_RE.match(value) else None


def normal_pmid(text: object) -> str | None:
    """The PMID in ``text`` (digits, ``PMID: ...``, an int), or None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        text = str(text)
    if not isinstance(text, str):
        return None
    value = _PMID_PREFIX.sub("", text.strip()).strip()
    return value if PMID_RE.match(value) else None


def normal_pmcid(text: object) -> str | None:
    """``PMC`` and digits from ``PMC123``, ``pmc123``, ``PMCID: PMC123``; or None."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = f"PMC{text}"
    if not isinstance(text, str):
        return None
    value = re.sub(r"^pmcid\s*[:=]?\s*", "", text.strip(), flags=re.IGNORECASE).strip()
    value = value.upper()
    if value.isdigit():
        value = "PMC" + value
    return value if PMCID_RE.match(value) else None


def is_url(text: object) -> bool:
    """Whether the text is an http(s) URL."""
    return isinstance(text, str) and bool(URL_RE.match(text.strip()))


def doi_key(doi: str) -> str:
    """How two DOIs are compared: case-insensitively (the DOI system ignores case)."""
    return doi.strip().casefold()
