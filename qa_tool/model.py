"""The library's vocabulary: every status, level, section title, field order and format.

Each word is spelled here once; the core checks values against these enums and the
command-line options take their choices from them, so adding a status (after adding
it to ``schemas/answer.schema.json``, which ``tests/test_model.py`` compares with
this module) is one edit that nothing can miss.

The enums are :class:`~enum.StrEnum`: a member *is* its text, so it compares equal
to the value read from a file and prints as that value.

>>> Status("in-review") is Status.in_review
True
>>> Status.published == "published"
True
>>> [str(level) for level in Confidence]
['high', 'moderate', 'low', 'very-low']

This module imports nothing beyond :mod:`enum`, so any module (and ``qa --help``) can
import it without slowing start-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "DEFAULT_EXPORT_STATUSES",
    "FIELD_ORDER",
    "REFERENCE_FIELD_ORDER",
    "NEW_STATUSES",
    "NOT_LISTED_BY_DEFAULT",
    "REQUIRED_SECTIONS",
    "SUMMARY_COLUMNS",
    "SUMMARY_FIELDS",
    "Confidence",
    "NewStatus",
    "SortKey",
    "TableFormat",
    "ExportFormat",
    "OutputFormat",
    "ReportFormat",
    "SectionTitle",
    "Status",
    "choices",
]


class Status(StrEnum):
    """Where an answer is in its life: written, checked, live, withdrawn."""

    draft = "draft"
    in_review = "in-review"
    published = "published"
    retired = "retired"


class NewStatus(StrEnum):
    """The statuses ``qa new`` may give a new answer: a new answer is never yet live."""

    draft = Status.draft.value
    in_review = Status.in_review.value


NEW_STATUSES: tuple[Status, ...] = tuple(Status(s.value) for s in NewStatus)
""":class:`NewStatus` as statuses."""

NOT_LISTED_BY_DEFAULT: frozenset[Status] = frozenset({Status.draft, Status.retired})
"""Statuses ``qa stale`` leaves out unless asked: not yet written, or withdrawn."""

DEFAULT_EXPORT_STATUSES: tuple[Status, ...] = (Status.published,)
"""What ``qa export`` writes when no ``--status`` is given."""


class Confidence(StrEnum):
    """GRADE certainty of the evidence behind an answer."""

    high = "high"
    moderate = "moderate"
    low = "low"
    very_low = "very-low"


class SectionTitle(StrEnum):
    """The ``##`` sections every answer's body has, in their order."""

    research = "What the research says"
    doctor = "What to ask your doctor"


REQUIRED_SECTIONS: tuple[SectionTitle, ...] = tuple(SectionTitle)
"""Sections ``qa validate`` requires in every answer's body."""

FIELD_ORDER: tuple[str, ...] = (
    "id",
    "title",
    "topic",
    "status",
    "confidence",
    "created",
    "last_reviewed",
    "review_due",
    "reviewed_by",
    "review_fingerprint",
    "review_log",
    "readability",
    "authors",
    "references",
)
"""Where a writer puts a field an answer lacks: after the nearest field before it here."""

REFERENCE_FIELD_ORDER: tuple[str, ...] = (
    "id",
    "type",
    "title",
    "author",
    "container-title",
    "container-title-short",
    "issued",
    "volume",
    "issue",
    "page",
    "DOI",
    "PMID",
    "PMCID",
    "URL",
    "retraction_acknowledged",
)
"""The order of a reference's CSL fields, as ``qa refs import`` writes them."""

SUMMARY_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "topic",
    "status",
    "confidence",
    "created",
    "last_reviewed",
    "review_due",
    "reviewed_by",
    "review_fingerprint",
    "readability",
    "authors",
)
"""The front-matter fields a listing needs (``qa stale``, the cache): read without the rest."""

SUMMARY_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "status",
    "topic",
    "confidence",
    "last_reviewed",
    "review_due",
    "review_fingerprint",
    "reviewers",
)
"""The summary facts the cache keeps as columns (``Answer.columns``), in this order:
text fields, the two review dates (as dates) and ``reviewers`` (the names in
``reviewed_by``). A listing reads them without decoding any front matter."""


class OutputFormat(StrEnum):
    """``--format`` of the commands that report findings: a person, a script, a CI log."""

    text = "text"
    json = "json"
    csv = "csv"
    github = "github"


class ReportFormat(StrEnum):
    """``--format`` of the commands whose report is for a person or a script only."""

    text = "text"
    json = "json"


class TableFormat(StrEnum):
    """``--format`` of the commands that list rows: for a person, a script, a spreadsheet."""

    text = "text"
    json = "json"
    csv = "csv"


class ExportFormat(StrEnum):
    """What ``qa export`` writes into a bundle (``--format``, repeatable)."""

    jsonl = "jsonl"
    json = "json"
    html = "html"
    md = "md"


class SortKey(StrEnum):
    """The orders ``qa stale --sort`` offers."""

    overdue = "overdue"
    id = "id"
    title = "title"  # type: ignore[assignment]  # the member hides str.title, as Enum allows
    topic = "topic"
    status = "status"
    last_reviewed = "last-reviewed"
    path = "path"


def choices(values: Iterable[StrEnum]) -> str:
    """The values of an enum (or some of its members) for a message.

    >>> choices(Status)
    'draft, in-review, published, retired'
    >>> choices(NEW_STATUSES)
    'draft, in-review'
    """
    return ", ".join(member.value for member in values)
