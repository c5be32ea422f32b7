"""``qa list``: one row per answer, with counts by topic and status, from summaries.

Everything a row shows comes from the summary read (:func:`qa_tool.answerfile.read.read_summary`),
so a warm listing of a large library reads the cache and no answer file: the due
date is worked out as ``qa stale`` does, and the counts of reference stubs and open
conversion doubts are facts the summary carries (:data:`qa_tool.answerfile.read.FACTS_KEY`).
Example::

    inventory = list_answers(config, load_library(config, summary=True), topics=["oncology"])
    for row in inventory.rows:
        print(row.id, row.status, row.due_date)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from qa_tool.answerfile.read import FACTS_KEY
from qa_tool.config import Config
from qa_tool.dates import as_date
from qa_tool.errors import UsageError
from qa_tool.library import LoadResult, relative
from qa_tool.model import Confidence, choices
from qa_tool.stale import known_due_date, person_names, status_filter

CSV_FIELDS = (
    "id",
    "title",
    "topic",
    "status",
    "confidence",
    "last_reviewed",
    "due_date",
    "reviewers",
    "authors",
    "reading_grade",
    "stubs",
    "doubts",
    "path",
)


@dataclass(frozen=True, slots=True)
class ListRow:
    """One answer as ``qa list`` shows it (``reading_grade`` None when not measured)."""

    id: str
    title: str
    topic: str | None
    status: str | None
    confidence: str | None
    last_reviewed: dt.date | None
    due_date: dt.date | None
    reviewers: tuple[str, ...]
    authors: tuple[str, ...]
    reading_grade: float | None
    stubs: int
    doubts: int
    path: str

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape (dates as ISO strings, people as lists of names)."""
        return {
            "id": self.id,
            "title": self.title,
            "topic": self.topic,
            "status": self.status,
            "confidence": self.confidence,
            "last_reviewed": self.last_reviewed.isoformat() if self.last_reviewed else None,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "reviewers": list(self.reviewers),
            "authors": list(self.authors),
            "reading_grade": self.reading_grade,
            "stubs": self.stubs,
            "doubts": self.doubts,
            "path": self.path,
        }

    def csv_row(self) -> list[Any]:
        data = self.to_dict()
        data["reviewers"] = "; ".join(self.reviewers)
        data["authors"] = "; ".join(self.authors)
        return ["" if data[k] is None else data[k] for k in CSV_FIELDS]


@dataclass
class Inventory:
    """The rows (in path order), what could not be read (``notes``), and the counts."""

    rows: list[ListRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts_by(self, attribute: str) -> dict[str, int]:
        """``{"Oncology": 3, ...}``, largest first; an answer without the field counts as (none)."""
        counts = Counter(getattr(r, attribute) or "(none)" for r in self.rows)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_dict(self, lazy: bool = False) -> dict[str, Any]:
        """The JSON shape; ``lazy``: ``answers`` is an iterator of the rows' dicts (for a writer
        that streams them), not a list."""
        answers = (r.to_dict() for r in self.rows)
        return {
            "version": 1,
            "answers": answers if lazy else list(answers),
            "total": len(self.rows),
            "by_topic": self.counts_by("topic"),
            "by_status": self.counts_by("status"),
        }


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _parts(values: Iterable[str] | None) -> list[str]:
    return [v.strip().casefold() for v in values or () if v.strip()]


def _confidence_filter(levels: Iterable[str] | None) -> set[str] | None:
    wanted = {v.strip().lower() for v in levels or () if v.strip()}
    unknown = sorted(wanted - set(Confidence))
    if unknown:
        raise UsageError(f"unknown confidence {unknown[0]!r}; use one of: {choices(Confidence)}")
    return wanted or None


def list_answers(
    config: Config,
    loaded: LoadResult,
    *,
    topics: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    confidences: Iterable[str] | None = None,
    authors: Iterable[str] | None = None,
    reviewers: Iterable[str] | None = None,
) -> Inventory:
    """Every loaded answer that passes the filters, in path order.

    ``topics`` are names or folders (checked against ``qa.toml``), ``statuses`` and
    ``confidences`` words of the vocabulary (UsageError otherwise); ``authors`` and
    ``reviewers`` match a case-insensitive part of a name. No filter: every answer,
    retired ones too (an inventory hides nothing).
    """
    status_set = status_filter(statuses)
    level_set = _confidence_filter(confidences)
    topic_set = {config.topic_named(t).name for t in topics or () if t.strip()} or None
    author_parts, reviewer_parts = _parts(authors), _parts(reviewers)
    inventory = Inventory()
    for failure in loaded.failures:
        where = relative(config, failure.path)
        where += f":{failure.line}" if failure.line else ""
        inventory.notes.append(f"{where}: {failure.message}; not listed")
    from qa_tool.readability import cached_grades

    grades = cached_grades(config, loaded.answers)
    for answer in loaded.answers:
        meta = answer.read_meta()  # not kept: a row holds what it shows
        status, topic = _text(meta.get("status")), _text(meta.get("topic"))
        confidence = _text(meta.get("confidence"))
        if status_set is not None and status not in status_set:
            continue
        if topic_set is not None and topic not in topic_set:
            continue
        if level_set is not None and confidence not in level_set:
            continue
        names = person_names(meta, "reviewed_by")
        writers = person_names(meta, "authors")
        if reviewer_parts and not _matches(reviewer_parts, names):
            continue
        if author_parts and not _matches(author_parts, writers):
            continue
        facts = meta.get(FACTS_KEY) or {}
        grade = grades.get(answer.rel)
        inventory.rows.append(
            ListRow(
                id=_text(meta.get("id")) or answer.path.stem,
                title=str(meta.get("title") or ""),
                topic=topic,
                status=status,
                confidence=confidence,
                last_reviewed=as_date(meta.get("last_reviewed")),
                due_date=known_due_date(meta, config),
                reviewers=names,
                authors=writers,
                reading_grade=grade,
                stubs=int(facts.get("stubs", 0)),
                doubts=int(facts.get("doubts", 0)),
                path=answer.rel,
            )
        )
    return inventory


def _matches(parts: list[str], names: tuple[str, ...]) -> bool:
    return any(part in name.casefold() for part in parts for name in names)
