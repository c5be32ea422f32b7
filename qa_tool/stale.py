"""``qa stale``: which answers are due for review, and why.

An answer's due date is ``review_due`` when set, else ``last_reviewed`` plus the
library's review interval (per topic and confidence level, ``qa.toml``). An
answer is listed with every reason that applies:

- ``overdue``: the due date is ``as_of`` or earlier (an answer is due on its due date);
- ``never-reviewed``: not a draft, and no ``last_reviewed``;
- ``changed-since-review``: the title or body changed after the last review.
  When the answer has a ``review_fingerprint`` (written by ``qa review``) the
  current text is compared with it, exactly and without git. Otherwise git
  decides: a commit dated after ``last_reviewed`` (committer date, in the
  committer's time zone; a commit on the review day itself counts as reviewed)
  that changed the title or body of a file that already existed. The commit
  that added the file does not count, nor one that changed only front matter;
- ``due-soon``: with ``within``, the due date falls after ``as_of`` and within
  that window;
- ``cites-retracted``: with a retractions file configured (``qa.toml``
  ``[references] retractions``), a published answer cites a paper the file says
  is retracted, and no reviewer has acknowledged it: due now, whatever its dates.

Example::

    report = find_stale(config, load_library(config), as_of=dt.date(2026, 11, 22))
    for item in report.items:
        print(item.path, item.days_overdue, item.reasons)

The per-answer work is a few dictionary look-ups on the already-loaded front
matter (and one SHA-256 for answers with a fingerprint); git is one
``git log`` pass plus one ``git cat-file`` process for the few files whose
history has a commit after their review.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from qa_tool.answerfile.read import (
    Answer,
    blob_text_key,
    decode_text,
    front_matter_span,
    load_front_matter,
)
from qa_tool.cache import ROW_COLUMNS, names_of
from qa_tool.config import Config
from qa_tool.dates import Interval, as_date
from qa_tool.errors import AnswerFileError, DateOutOfRange, GitError, UsageError
from qa_tool.library import CachedRow, LoadResult, relative
from qa_tool.model import NOT_LISTED_BY_DEFAULT, SortKey, Status, choices

OVERDUE = "overdue"
NEVER_REVIEWED = "never-reviewed"
CHANGED = "changed-since-review"
DUE_SOON = "due-soon"
CITES_RETRACTED = "cites-retracted"
REASONS = (CITES_RETRACTED, OVERDUE, NEVER_REVIEWED, CHANGED, DUE_SOON)

FORECAST_MONTHS = 12
GROUP_BY = ("reviewer", "topic", "author")

NOT_A_REPO = "not a git repository: changed-since-review skipped"
_DRAFT = str(Status.draft)


_NOT_DUE = ((), (DUE_SOON,))


@dataclass(frozen=True)
class StaleItem:
    """One answer that is due, with every reason that applies.

    ``days_overdue`` is ``as_of - due_date`` in days: 0 on the due date,
    negative for an answer due soon, None when there is no due date.
    ``line`` (the line of the date that made it due) is for annotations only.
    """

    id: str
    title: str
    topic: str | None
    status: str | None
    last_reviewed: dt.date | None
    due_date: dt.date | None
    days_overdue: int | None
    reasons: tuple[str, ...]
    reviewers: tuple[str, ...]
    path: str
    line: int | None = field(default=None, compare=False)
    authors: tuple[str, ...] = ()
    cites_retracted: tuple[str, ...] = ()

    @property
    def is_due(self) -> bool:
        """Due now: any reason but ``due-soon`` (reasons are never repeated)."""
        return self.reasons not in _NOT_DUE

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape (dates as ISO strings)."""
        last, due = self.last_reviewed, self.due_date
        data = {
            "id": self.id,
            "title": self.title,
            "topic": self.topic,
            "status": self.status,
            "last_reviewed": last.isoformat() if last else None,
            "due_date": due.isoformat() if due else None,
            "days_overdue": self.days_overdue,
            "reasons": list(self.reasons),
            "reviewers": list(self.reviewers),
            "path": self.path,
        }
        if self.cites_retracted:
            data["cites_retracted"] = list(self.cites_retracted)
        return data


@dataclass
class StaleReport:
    """What ``qa stale`` lists, plus what it could not check (``notes``) and a forecast.

    ``checked`` counts the answers that passed the filters; ``due_by_month``
    gives, for the 12 calendar months from ``as_of``'s month on, how many of
    them fall due after ``as_of`` in that month (``("2026-12", 3)``).
    """

    as_of: dt.date
    items: list[StaleItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0
    due_by_month: list[tuple[str, int]] = field(default_factory=list)

    @property
    def due(self) -> list[StaleItem]:
        return [i for i in self.items if i.is_due]

    def counts_by_reason(self) -> dict[str, int]:
        counts = Counter(r for i in self.items for r in i.reasons)
        return {r: counts[r] for r in REASONS if counts[r]}

    def groups(self, by: str) -> dict[str, list[StaleItem]]:
        """The items under each reviewer, author or topic (``by``: one of :data:`GROUP_BY`).

        An answer with several reviewers (or authors) is listed under each of them, so each
        person's list is complete; one with none goes under ``(no reviewer)`` (``(no
        author)``, ``(no topic)``), last. Groups come in name order, items in report order.
        """
        if by not in GROUP_BY:
            raise UsageError(f"unknown grouping {by!r}; use one of: {', '.join(GROUP_BY)}")
        grouped: dict[str, list[StaleItem]] = {}
        for item in self.items:
            if by == "topic":
                names: tuple[str, ...] = (item.topic,) if item.topic else ()
            else:
                names = item.reviewers if by == "reviewer" else item.authors
            for name in dict.fromkeys(names or (f"(no {by})",)):
                grouped.setdefault(name, []).append(item)
        return dict(
            sorted(grouped.items(), key=lambda kv: (kv[0].startswith("(no "), kv[0].casefold()))
        )

    def counts_by_topic(self) -> dict[str, int]:
        counts = Counter(i.topic or "(none)" for i in self.items)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@lru_cache(maxsize=4096)
def _after(interval: Interval, start: dt.date) -> dt.date:
    return interval.after(start)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def due_date(meta: dict, config: Config) -> dt.date | None:
    """``review_due`` when set, else ``last_reviewed`` plus the interval; None when neither.

    A due date past the year 9999 is :class:`~qa_tool.errors.DateOutOfRange`.

    >>> import tempfile
    >>> from qa_tool.config import load_config
    >>> with tempfile.TemporaryDirectory() as folder:  # no qa.toml: every interval is 6m
    ...     config = load_config(Path(folder))
    >>> due_date({"last_reviewed": dt.date(2026, 5, 22)}, config)
    datetime.date(2026, 11, 22)
    >>> due_date({"last_reviewed": dt.date(2026, 5, 22), "review_due": "2026-07-01"}, config)
    datetime.date(2026, 7, 1)
    """
    return due_from(
        as_date(meta.get("last_reviewed")),
        as_date(meta.get("review_due")),
        _text(meta.get("topic")),
        _text(meta.get("confidence")),
        config,
    )


def known_due_date(meta: dict, config: Config) -> dt.date | None:
    """:func:`due_date`, but None for a due date past the year 9999, for listings that
    show dates (``qa list``, ``qa report``, ``qa export``); ``qa stale`` names it."""
    try:
        return due_date(meta, config)
    except DateOutOfRange:
        return None


def due_from(
    last: dt.date | None,
    review_due: dt.date | None,
    topic: str | None,
    confidence: str | None,
    config: Config,
    intervals: dict[tuple[str | None, str | None], Interval] | None = None,
) -> dt.date | None:
    """The due-date rule, once: ``review_due``, else ``last`` plus the interval of the
    topic and confidence (``intervals`` caches them over a listing), else None.
    DateOutOfRange when that sum is past the year 9999."""
    if review_due is not None:
        return review_due
    if last is None:
        return None
    key = (topic, confidence)
    interval = intervals.get(key) if intervals is not None else None
    if interval is None:
        interval = config.review.interval_for(*key)
        if intervals is not None:
            intervals[key] = interval
    return _after(interval, last)


def reviewer_names(meta: dict) -> tuple[str, ...]:
    """The names in ``reviewed_by``, in order (entries without a name left out)."""
    return person_names(meta, "reviewed_by")


def person_names(meta: dict, key: str) -> tuple[str, ...]:
    """The names in a list of people (``reviewed_by``, ``authors``), trimmed, in order."""
    people = meta.get(key)
    if not isinstance(people, list):
        return ()
    names = []
    for person in people:
        name = person.get("name") if isinstance(person, dict) else person
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return tuple(names)


def status_filter(statuses: Iterable[str] | None) -> frozenset[str] | None:
    """The statuses to list; None means the default (everything but drafts and retired)."""
    if statuses is None:
        return None
    wanted = {s.strip().lower() for s in statuses if s.strip()}
    unknown = sorted(wanted - set(Status))
    if unknown:
        raise UsageError(f"unknown status {unknown[0]!r}; use one of: {choices(Status)}")
    return frozenset(wanted) if wanted else None


def _months(as_of: dt.date) -> list[str]:
    year, month = as_of.year, as_of.month
    keys = []
    for _ in range(FORECAST_MONTHS):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _answer_line(answer: Answer) -> int | None:
    """The line of the date that made ``answer`` due; None if the file cannot be read again."""
    try:
        front = answer.front_matter
    except AnswerFileError:  # changed or removed since it was listed
        return None
    return _field_line(front, "review_due", "last_reviewed", "status")


def _field_line(front: str, *keys: str) -> int | None:
    """The file line of the first top-level key found (cheap: no YAML parsing)."""
    lines = front.split("\n")
    for key in keys:
        prefix = f"{key}:"
        for n, line in enumerate(lines):
            if line.startswith(prefix):
                return n + 2  # 1-based, after the opening '---'
    return None


def find_stale(
    config: Config,
    loaded: LoadResult,
    *,
    as_of: dt.date,
    within: Interval | None = None,
    statuses: Iterable[str] | None = None,
    topics: Iterable[str] | None = None,
    reviewers: Iterable[str] | None = None,
    use_git: bool = True,
    with_lines: bool = False,
    with_authors: bool = False,
) -> StaleReport:
    """Every loaded answer that is due as of ``as_of``, most overdue first.

    ``statuses`` (default: all but draft and retired), ``topics`` (names or
    folders, checked against ``qa.toml``) and ``reviewers`` (a case-insensitive
    part of a reviewer's name) narrow what is checked. ``use_git=False`` skips
    the git history (answers with a ``review_fingerprint`` are still compared).
    ``with_lines`` fills each item's ``line`` (for annotations; it reads the file);
    ``with_authors`` each item's ``authors`` (for grouping by author).
    UsageError for an unknown status or topic.
    """
    admits = _answer_filter(config, statuses, topics, reviewers)
    report = StaleReport(as_of=as_of)
    for failure in loaded.failures:
        report.notes.append(f"{_where(config, failure)}: {failure.message}; not checked")
    for warning in loaded.warnings:  # folders named like answer files
        report.notes.append(f"{_where(config, warning)}: {warning.message}")
    scan = _Scan(config, as_of, within, use_git, report.notes)
    scan.answer_of = loaded.answer_of
    entries = loaded.listing if loaded.listing is not None else loaded.answers
    scan.retracted = _citing_retracted(config, entries, scan.answer)
    # Kept lean on purpose: this loop runs once per answer of the library. A cached row
    # (see load_library's rows) is judged from its SQL values, no Answer made of it.
    add, add_row = scan.add, scan.add_row
    status_at, topic_at = _ROW + 2, _ROW + 3
    checked = 0
    for entry in entries:
        if isinstance(entry, tuple):
            row = entry[1]
            if admits(row[status_at], row[topic_at], entry) and add_row(entry):
                checked += 1
            continue
        fields = entry.columns
        if fields is None:
            fields = _fields(entry)
        if admits(fields[2], fields[3], entry) and add(entry, fields):
            checked += 1
    report.checked = checked
    changed = scan.changed_in_git(entries)
    report.items = sort_items(scan.items(changed, with_lines, with_authors))
    report.due_by_month = scan.forecast()
    return report


def _answer_filter(
    config: Config,
    statuses: Iterable[str] | None,
    topics: Iterable[str] | None,
    reviewers: Iterable[str] | None,
) -> Callable[[str | None, str | None, Answer | CachedRow], bool]:
    """Whether an answer (its status, topic and, for reviewers, the answer or cached row)
    passes the status, topic and reviewer filters."""
    status_set = status_filter(statuses)
    topic_set = (
        {config.topic_named(t).name.casefold() for t in topics if t.strip()} if topics else None
    )
    reviewer_parts = [r.strip().casefold() for r in reviewers or () if r.strip()]

    def admits(status: str | None, topic: str | None, entry: Answer | CachedRow) -> bool:
        if status_set is None:
            if status in NOT_LISTED_BY_DEFAULT:
                return False
        elif status not in status_set:
            return False
        if topic_set is not None and (topic or "").casefold() not in topic_set:
            return False
        return not reviewer_parts or any(
            part in name.casefold() for part in reviewer_parts for name in _entry_names(entry)
        )

    return admits


class _Scan:
    """One pass over the admitted answers: their dates, reasons and the month forecast.

    Answers whose change since review only git can tell are held (``needs_git``)
    until one git pass for all of them (:meth:`changed_in_git`).
    """

    def __init__(
        self,
        config: Config,
        as_of: dt.date,
        within: Interval | None,
        use_git: bool,
        notes: list[str],
    ):
        self.config, self.as_of, self.use_git, self.notes = config, as_of, use_git, notes
        try:
            self.soon_until = within.after(as_of) if within is not None else None
        except DateOutOfRange as exc:
            raise UsageError(f"--within {within}: {exc}") from None
        self.first_month = as_of.year * 12 + as_of.month - 1
        self.due_in_month = [0] * FORECAST_MONTHS
        self.intervals: dict[tuple[str | None, str | None], Interval] = {}
        # due dates by (last review, topic, confidence): a library has far fewer of these
        self.dues: dict[tuple[dt.date, str | None, str | None], dt.date | None] = {}
        # the same for cached rows: {(topic, confidence): {last review's text: dates}}
        self.row_dues: dict[tuple, dict[str, tuple[dt.date, dt.date | None]]] = {}
        self.dues_by_interval: dict[Interval, dict[str, tuple[dt.date, dt.date | None]]] = {}
        self.rows: list[tuple[Answer | CachedRow, dt.date | None, dt.date | None, list[str]]] = []
        self.needs_git: dict[str, dt.date] = {}
        self.retracted: dict[str, tuple[str, ...]] = {}
        self.answer_of: Callable[[CachedRow], Answer] | None = None

    def answer(self, entry: Answer | CachedRow) -> Answer:
        """The :class:`Answer` of an entry (made from the cache for a cached row)."""
        if isinstance(entry, tuple):
            assert self.answer_of is not None  # rows come with their maker
            return self.answer_of(entry)
        return entry

    def dates(self, answer: Answer, fields: tuple) -> tuple[dt.date | None, dt.date | None]:
        """``(last_reviewed, due_date)``; a value that is not a date is noted and left out."""
        last_value, due_value = fields[5], fields[6]
        last = last_value if last_value is None or type(last_value) is dt.date else None
        due = due_value if due_value is None or type(due_value) is dt.date else None
        if last is None and last_value is not None:
            last = as_date(last_value)
        if due is None and due_value is not None:
            due = as_date(due_value)
        if last is None and last_value is not None:
            self.notes.append(
                f"{answer.rel}: last_reviewed {last_value!r} is not a date; "
                "treated as never reviewed"
            )
        if due is None and due_value is not None:
            self.notes.append(f"{answer.rel}: review_due {due_value!r} is not a date; ignored")
        due = due_from(last, due, fields[3], fields[4], self.config, self.intervals)
        return last, due

    def forecast(self) -> list[tuple[str, int]]:
        """``[("2026-12", 3), ...]``: the answers falling due after ``as_of``, by month."""
        return list(zip(_months(self.as_of), self.due_in_month, strict=True))

    def _due(self, answer: Answer, fields: tuple) -> tuple[dt.date | None, dt.date | None]:
        """:meth:`dates`, with the due dates of plain dates remembered over the listing."""
        last, due = fields[5], fields[6]
        if due is None and type(last) is dt.date:
            key = (last, fields[3], fields[4])
            known = self.dues.get(key)
            if known is None:
                known = self.dues[key] = due_from(
                    last, None, fields[3], fields[4], self.config, self.intervals
                )
            return last, known
        if (last is None or type(last) is dt.date) and (due is None or type(due) is dt.date):
            return last, due  # review_due as it is, or no dates at all
        return self.dates(answer, fields)

    def add(self, answer: Answer, fields: tuple) -> bool:
        """Decide one answer's reasons (all but a change only git can see); False when its
        due date cannot be computed (past the year 9999: noted, not checked)."""
        try:
            last, due = self._due(answer, fields)
        except DateOutOfRange as exc:
            self.notes.append(f"{answer.rel}: the due date, {exc}; not checked")
            return False
        return self._judge(answer, answer.rel, fields[2], last, due, fields[7])

    def add_row(self, entry: CachedRow) -> bool:
        """:meth:`add` for a cached row (its SQL values: dates as ISO text, checked by the
        cache). Due dates are remembered by interval and last review's text: a library has
        far fewer of these than answers, or than (topic, confidence, last review)."""
        rel, row = entry
        last: dt.date | None
        due: dt.date | None
        last_text, due_text = row[_ROW + 5], row[_ROW + 6]
        if due_text is None and last_text is not None:
            kind = row[_ROW + 3 : _ROW + 5]  # topic, confidence
            dues = self.row_dues.get(kind)
            if dues is None:
                dues = self._row_dues_of(kind)
            known = dues.get(last_text)
            if known is None:
                day = _day(last_text)
                try:
                    due = due_from(day, None, kind[0], kind[1], self.config, self.intervals)
                except DateOutOfRange as exc:
                    self.notes.append(f"{rel}: the due date, {exc}; not checked")
                    return False
                known = dues[last_text] = (day, due)
            last, due = known
        else:  # review_due as it is, or no dates at all
            last = _day(last_text) if last_text is not None else None
            due = _day(due_text) if due_text is not None else None
        return self._judge(entry, rel, row[_ROW + 2], last, due, row[_ROW + 7])

    def _row_dues_of(self, kind: tuple) -> dict[str, tuple[dt.date, dt.date | None]]:
        """The due dates by last review's text for a (topic, confidence): one table per
        interval, shared by every (topic, confidence) that has it."""
        interval = self.intervals.get(kind)
        if interval is None:
            interval = self.intervals[kind] = self.config.review.interval_for(*kind)
        dues = self.row_dues[kind] = self.dues_by_interval.setdefault(interval, {})
        return dues

    def _judge(
        self,
        entry: Answer | CachedRow,
        rel: str,
        status: str | None,
        last: dt.date | None,
        due: dt.date | None,
        fingerprint: object,
    ) -> bool:
        as_of = self.as_of
        reasons: list[str] = []
        if due is not None:
            if due <= as_of:
                reasons.append(OVERDUE)
            else:
                month = due.year * 12 + due.month - 1 - self.first_month
                if month < FORECAST_MONTHS:
                    self.due_in_month[month] += 1
        if last is None:
            if status != _DRAFT:
                reasons.append(NEVER_REVIEWED)
        else:
            if isinstance(fingerprint, str) and fingerprint:
                digest = entry[1][2] if isinstance(entry, tuple) else entry.digest
                if fingerprint != digest:
                    reasons.append(CHANGED)
            elif self.use_git:
                self.needs_git[rel] = last
        if self.soon_until is not None and due is not None and as_of < due <= self.soon_until:
            reasons.append(DUE_SOON)
        if self.retracted and rel in self.retracted:
            reasons.append(CITES_RETRACTED)
        if reasons or rel in self.needs_git:
            self.rows.append((entry, last, due, reasons))
        return True

    def changed_in_git(self, entries: Iterable[Answer | CachedRow]) -> set[str]:
        """The held answers whose text git shows changed since their review (one git pass)."""
        if not self.needs_git:
            return set()
        needs_git = self.needs_git

        def seeds() -> dict[str, _TextKey]:
            found = {}
            for entry in entries:
                if isinstance(entry, tuple):
                    if entry[0] not in needs_git:
                        continue
                    a = self.answer(entry)  # a row judged holds no text key
                else:
                    a = entry
                if a.git_blob is not None and a.rel in needs_git:
                    found[a.git_blob[0]] = _TextKey(a.git_blob[1], a.git_blob[2])
            return found

        return _changed_in_git(self.config, needs_git, self.notes, seeds)

    def items(
        self, changed: set[str], with_lines: bool, with_authors: bool = False
    ) -> list[StaleItem]:
        """The answers with a reason, as report items (unsorted)."""
        out = []
        as_of, retracted = self.as_of, self.retracted
        days: dict[dt.date, int] = {}  # days overdue, by due date
        reviewers: dict[str, tuple[str, ...]] = {}  # a row's reviewers, by its text
        for entry, last, due, reasons in self.rows:
            if isinstance(entry, tuple):
                rel, row = entry
                fields = row[_ROW : _ROW + 8]
                text = row[_ROW + 8]
                names = reviewers.get(text) if text else ()
                if names is None:
                    names = reviewers[text] = names_of(text)
            else:
                answer = entry
                rel = answer.rel
                fields = answer.columns or _fields(answer)
                names = _names(answer, fields)
            if rel in changed:
                reasons.append(CHANGED)
            if not reasons:
                continue
            if len(reasons) > 1:
                reasons.sort(key=REASONS.index)
                if CITES_RETRACTED in reasons and (due is None or due > as_of):
                    due = as_of  # due now, whatever the review dates say
            elif reasons[0] == CITES_RETRACTED and (due is None or due > as_of):
                due = as_of
            overdue = None
            if due is not None:
                overdue = days.get(due)
                if overdue is None:
                    overdue = days[due] = (as_of - due).days
            out.append(
                StaleItem(
                    id=fields[0] or PurePosixPath(rel).stem,
                    title=str(fields[1] or ""),
                    topic=fields[3],
                    status=fields[2],
                    last_reviewed=last,
                    due_date=due,
                    days_overdue=overdue,
                    reasons=tuple(reasons),
                    reviewers=names,
                    path=rel,
                    line=_answer_line(self.answer(entry)) if with_lines else None,
                    authors=(
                        person_names(self.answer(entry).meta, "authors") if with_authors else ()
                    ),
                    cites_retracted=retracted.get(rel, ()) if retracted else (),
                )
            )
        return out


def _fields(answer: Answer) -> tuple:
    """What the judging reads, in :data:`qa_tool.cache.COLUMNS` order: the cache's columns
    when the answer came from there (no front matter decoded), else its front matter's
    values. Text fields are text or None; dates are as found (checked by the caller);
    reviewers are None here when they are to be taken from the front matter."""
    if answer.columns is not None:
        return answer.columns
    meta = answer.meta
    return (
        _text(meta.get("id")),
        meta.get("title"),
        _text(meta.get("status")),
        _text(meta.get("topic")),
        _text(meta.get("confidence")),
        meta.get("last_reviewed"),
        meta.get("review_due"),
        meta.get("review_fingerprint"),
        None,
    )


def _names(answer: Answer, fields: tuple) -> tuple[str, ...]:
    names = fields[8]
    return names if names is not None else reviewer_names(answer.meta)


def _entry_names(entry: Answer | CachedRow) -> tuple[str, ...]:
    if isinstance(entry, tuple):
        return names_of(entry[1][_ROW + 8])
    return _names(entry, _fields(entry))


_ROW = ROW_COLUMNS
_DAYS: dict[str, dt.date] = {}


def _day(text: str) -> dt.date:
    """A cached row's date (ISO text, checked by the cache), each text parsed once."""
    day = _DAYS.get(text)
    if day is None:
        day = _DAYS[text] = dt.date.fromisoformat(text)
    return day


def _citing_retracted(
    config: Config,
    entries: Iterable[Answer | CachedRow],
    answer: Callable[[Answer | CachedRow], Answer],
) -> dict[str, tuple[str, ...]]:
    """Published answers citing a retracted paper: {rel: reference ids}; {} with no file."""
    if not config.references.retractions:
        return {}
    from qa_tool.references.check import answers_citing_retracted
    from qa_tool.references.retractions import load_index

    index = load_index(config)
    published = []
    for entry in entries:
        if isinstance(entry, tuple):
            if entry[1][_ROW + 2] == Status.published:
                published.append((entry[0], answer(entry).path))
        elif _fields(entry)[2] == Status.published:
            published.append((entry.rel, entry.path))
    found = answers_citing_retracted(config, published, index)
    return {rel: tuple(dict.fromkeys(h.reference for h in hits)) for rel, hits in found.items()}


def _where(config: Config, exc: AnswerFileError) -> str:
    rel = relative(config, exc.path)
    return f"{rel}:{exc.line}" if exc.line else rel


def _overdue_key(item: StaleItem) -> tuple:
    # Never reviewed and no due date: no review covers it at all, so it comes first.
    if item.days_overdue is None:
        return (0, 0, item.path)
    return (1, -item.days_overdue, item.path)


def sort_items(items: Iterable[StaleItem], key: str = SortKey.overdue) -> list[StaleItem]:
    """Sort by one of :class:`~qa_tool.model.SortKey`; ties go most overdue first, then by path.

    ``last-reviewed`` puts the oldest review (and never-reviewed answers) first.
    """
    if key not in set(SortKey):
        raise UsageError(f"unknown sort order {key!r}; use one of: {choices(SortKey)}")
    ordered = sorted(items, key=_overdue_key)
    if key == SortKey.overdue:
        return ordered
    if key == SortKey.last_reviewed:
        return sorted(ordered, key=lambda i: i.last_reviewed or dt.date.min)
    attribute = key.replace("-", "_")
    return sorted(ordered, key=lambda i: (getattr(i, attribute) or "").casefold())


# --- changed-since-review from git ---------------------------------------------------------


def _changed_in_git(
    config: Config,
    last_reviewed: dict[str, dt.date],
    notes: list[str],
    seeds: Callable[[], dict[str, _TextKey]] | None = None,
) -> set[str]:
    """The answers (by path relative to the root) whose title or body a commit changed after
    their last review. One ``git log`` pass; blobs only for the commits that qualify.
    ``seeds`` gives the text keys of the versions just read (by blob id), asked for only
    when the verdicts of this HEAD are not cached."""
    from qa_tool import gitinfo

    try:
        repo = gitinfo.open_repo(config.root)
    except GitError as exc:
        notes.append(f"{exc}: changed-since-review skipped")
        return set()
    if repo is None:
        notes.append(NOT_A_REPO)
        return set()
    if repo.shallow:
        notes.append(
            "shallow git clone: changed-since-review sees only the fetched history "
            "(fetch it all, e.g. actions/checkout with fetch-depth: 0)"
        )
    from qa_tool.cache import FILE_NAME, GitVerdicts

    head = gitinfo.head_commit(repo)
    if head is None:
        return set()  # no commits yet: no history to look at
    verdicts = GitVerdicts(config.state_dir / FILE_NAME)
    days = {day: day.isoformat() for day in set(last_reviewed.values())}
    wanted = {rel: days[day] for rel, day in last_reviewed.items()}
    known = verdicts.get(head, wanted)
    if known is not None:
        return known
    changed = _changed_in_history(config, repo, last_reviewed, notes, seeds() if seeds else {})
    if changed is not None and config.state_dir.parent.is_dir():
        from qa_tool.config import ensure_state_dir

        with contextlib.suppress(OSError):
            ensure_state_dir(config)
            verdicts.put(head, wanted, changed)
    return changed or set()


def _changed_in_history(
    config: Config,
    repo: Any,
    last_reviewed: dict[str, dt.date],
    notes: list[str],
    seeds: dict[str, _TextKey],
) -> set[str] | None:
    """The work behind :func:`_changed_in_git`; None when git failed (noted)."""
    from qa_tool import gitinfo

    # Paths as git prints them (from the repository's top level) -> the answer they are now.
    tracked = {repo.prefix + rel: rel for rel in last_reviewed}
    folder = relative(config, config.answers_dir)
    candidates: list[tuple[str, str, str]] = []
    try:
        for change in gitinfo.file_changes(repo, folder):
            rel = tracked.get(change.path)
            if rel is None:
                continue
            if change.status == "A":
                # The commit that added the file: earlier history under this name is another file.
                del tracked[change.path]
                continue
            if change.status == "R" and change.old_path is not None:
                del tracked[change.path]
                tracked[change.old_path] = rel
            if change.date <= last_reviewed[rel]:
                continue
            if change.old_blob and change.new_blob and change.old_blob != change.new_blob:
                candidates.append((rel, change.old_blob, change.new_blob))
        if not candidates:
            return set()
        blobs = list(dict.fromkeys(b for _, old, new in candidates for b in (old, new)))
        keys = _blob_keys(config, repo, blobs, seeds)
    except GitError as exc:
        notes.append(f"{exc}: changed-since-review skipped")
        return None
    return {
        rel for rel, old, new in candidates if not _same_reader_text(keys.get(old), keys.get(new))
    }


def _blob_keys(
    config: Config, repo: Any, blobs: list[str], seeds: dict[str, _TextKey]
) -> dict[str, _TextKey | None]:
    """Each blob's reader-text key: from ``seeds`` (files just read, by their git blob id),
    the cache, or else git (then cached)."""
    from qa_tool import gitinfo
    from qa_tool.cache import FILE_NAME, BlobKeys

    memo = BlobKeys(config.state_dir / FILE_NAME)
    seeded = {b: seeds[b] for b in blobs if b in seeds}
    for blob, seed in seeded.items():
        memo.put(blob, (seed.body_digest, seed.title_yaml))
    keys: dict[str, _TextKey | None] = dict(seeded)
    unseeded = [b for b in blobs if b not in keys]
    keys.update((blob, _TextKey(*key)) for blob, key in memo.get_many(unseeded).items())
    missing = [b for b in blobs if b not in keys]
    blobs_read = gitinfo.read_blobs(repo, missing, config.max_file_bytes) if missing else ()
    for blob, data in blobs_read:
        key = keys[blob] = _text_key(data)
        if key is not None:
            memo.put(blob, (key.body_digest, key.title_yaml))
    if (missing or seeds) and config.state_dir.parent.is_dir():
        from qa_tool.config import ensure_state_dir

        with contextlib.suppress(OSError):
            ensure_state_dir(config)
            memo.save()
    return keys


_BLOB = Path("<git blob>")
_TOP_LEVEL_KEY = re.compile(r"^[^\s#]", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class _TextKey:
    """What a reader sees in one stored version: the body's digest and the title's YAML lines."""

    body_digest: str
    title_yaml: str


def _text_key(data: bytes | None) -> _TextKey | None:
    if data is None:
        return None
    try:
        text = decode_text(data, _BLOB)
        start, end, body_start = front_matter_span(text, _BLOB)
    except AnswerFileError:
        return _TextKey(hashlib.sha256(data).hexdigest(), "")
    return _TextKey(*blob_text_key(text[start:end], text[body_start:]))


def _title_value(title_yaml: str) -> str | None:
    try:
        value = load_front_matter(title_yaml, _BLOB).get("title")
    except AnswerFileError:
        return None
    return value.strip() if isinstance(value, str) else None


def _same_reader_text(old: _TextKey | None, new: _TextKey | None) -> bool:
    if old is None or new is None or old.body_digest != new.body_digest:
        return False
    if old.title_yaml == new.title_yaml:
        return True
    old_title, new_title = _title_value(old.title_yaml), _title_value(new.title_yaml)
    return old_title is not None and old_title == new_title
