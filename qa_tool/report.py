"""``qa report``: the state of the library in numbers, for a page editors open, share and print.

:func:`build_report` gathers every number (from the summary cache, the
reading-level cache and, for "changed since review", git): the review
backlog by topic with the oldest overdue answers, what falls due over the next
12 months by month and topic, each reviewer's reviews and what is due for them,
evidence health (reference stubs, open conversion doubts, reading grades
against the target) and coverage (answers per topic and status, confidence).
:func:`qa_tool.report_html.render_html` draws it as one self-contained page.

Reviews recorded per reviewer come from what the answers record: each
answer's last review (``last_reviewed`` with ``reviewed_by``) and earlier
reviews logged with a note (``review_log``), counted once per answer, date and
reviewer.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_tool.config import Config
from qa_tool.dates import as_date, parse_interval
from qa_tool.model import Confidence, Status

if TYPE_CHECKING:
    from qa_tool.readability import FreshMeasures

REPORT_VERSION = 1
OLDEST_LISTED = 10
DEFAULT_WITHIN = "30d"
BACKLOG_KINDS = ("never-reviewed", "overdue", "changed-since-review", "due-soon")
"""Each answer in the backlog is counted once, under the first of these that applies
(the stacked bar adds up to the number of answers); ``reasons`` counts every reason."""
GRADE_BINS = ((None, 6), (6, 8), (8, 10), (10, 12), (12, 14), (14, 16), (16, None))
NO_CONFIDENCE = "(none)"


@dataclass(frozen=True)
class Link:
    """Where a named answer is: its exported page when a bundle lies beside the report."""

    path: str  # the answer file, relative to the library root
    href: str | None  # relative to the report's folder, when the page exists


def find_bundle_pages(out: Path | None) -> Path | None:
    """The ``html/`` folder of an exported bundle beside ``out`` (a folder export), or None.

    Looks in the report's folder and its ``data/`` (a BagIt bundle keeps its payload there).
    """
    if out is None:
        return None
    folder = out.parent
    for candidate in (folder / "html", folder / "data" / "html"):
        if (candidate / "index.html").is_file():
            return candidate
    return None


def _topic_of(answer: Any) -> str | None:
    """The answer's topic when it is a name (what ``--topic`` selects by)."""
    topic = answer.read_meta().get("topic")
    return topic if isinstance(topic, str) else None


def _bin_label(low: float | None, high: float | None) -> str:
    if low is None:
        return f"under {high}"
    if high is None:
        return f"{low} and over"
    return f"{low} to {high}"


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the sections read of one answer, taken from its front matter once (which is not
    kept: a report on 100,000 answers would otherwise hold every one of them)."""

    answer: Any
    status: Any
    topic: Any
    confidence: Any
    due: dt.date | None
    reviewers: tuple[str, ...]
    reviews: list[tuple[dt.date, list[str]]]
    facts: dict[str, Any]

    @classmethod
    def of(cls, answer: Any, config: Config) -> _Seen:
        from qa_tool.answerfile.read import FACTS_KEY
        from qa_tool.stale import known_due_date, reviewer_names

        meta = answer.read_meta()
        names = reviewer_names(meta)
        facts = meta.get(FACTS_KEY) or {}
        return cls(
            answer,
            meta.get("status"),
            meta.get("topic"),
            meta.get("confidence"),
            known_due_date(meta, config),
            names,
            _reviews(meta, names),
            {k: facts.get(k) for k in ("stubs", "doubts", "identified", "unidentified")},
        )

    @property
    def topic_name(self) -> str:
        topic = self.topic
        return topic if isinstance(topic, str) and topic else "(none)"


@dataclass
class _Scope:
    """What every section works from: the answers in scope, their topics, the dates."""

    config: Config
    as_of: dt.date
    seen: list[_Seen]
    topics: list[str]
    out: Path | None
    pages: Path | None

    def link(self, rel: str, path: Path) -> dict[str, Any]:
        """The answer's path, and its page's address when a bundle lies beside the report."""
        href = None
        if self.pages is not None:
            try:
                stem = path.relative_to(self.config.answers_dir).with_suffix("").as_posix()
            except ValueError:
                stem = None
            page = self.pages / f"{stem}.html"
            if stem is not None and page.is_file():
                base = self.out.parent if self.out else Path(".")
                href = os.path.relpath(page, base).replace(os.sep, "/")
        return {"path": rel, "href": href}


def build_report(
    config: Config,
    *,
    as_of: dt.date,
    topics: Sequence[str] | None = None,
    within: str = DEFAULT_WITHIN,
    out: Path | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Every number of the report, as JSON-ready data (see docs/commands/report.md)."""
    from qa_tool.library import LoadResult, load_library
    from qa_tool.stale import find_stale

    window = parse_interval(within)
    wanted = {config.topic_named(t).name for t in topics or () if t.strip()} or None
    from qa_tool.readability import FreshMeasures, measuring

    fresh = FreshMeasures(config)  # reading grades of the files read now
    also = measuring(config, fresh)
    loaded = load_library(config, None, summary=True, workers=workers, also=also)
    answers = loaded.answers
    if wanted is not None:
        answers = [a for a in answers if _topic_of(a) in wanted]
    # The backlog is what qa stale lists: all but drafts and retired answers. It runs
    # before the sections' records are made: its git pass and those records would
    # otherwise be held at once (on 100,000 answers, about 50 MB more at the peak).
    stale = find_stale(
        config, LoadResult(answers, loaded.failures, loaded.warnings), as_of=as_of, within=window
    )
    seen = [_Seen.of(a, config) for a in answers]
    names = [t.name for t in config.topics if wanted is None or t.name in wanted]
    others = {str(s.topic or "(none)") for s in seen} - set(names)
    scope = _Scope(
        config,
        as_of,
        seen,
        names + sorted(others, key=str.casefold),
        out,
        find_bundle_pages(out),
    )
    backlog, due_for = _backlog(scope, stale)
    due, due_12m_for = _due_by_month(scope)
    return {
        "version": REPORT_VERSION,
        "as_of": as_of.isoformat(),
        "within": within,
        "topics": scope.topics,
        "answers": len(answers),
        "unreadable": [
            {"path": _rel(config, e.path), "line": e.line, "message": e.message}
            for e in loaded.failures
        ],
        "notes": list(stale.notes),
        "backlog": backlog,
        "due_by_month": due,
        "reviewers": _reviewers(scope, due_for, due_12m_for),
        "evidence": _evidence(scope, workers, fresh),
        "coverage": _coverage(scope),
    }


def _backlog(scope: _Scope, stale: Any) -> tuple[dict[str, Any], dict[str, Counter]]:
    """Answers due by topic (each under its first reason), the oldest overdue, and per
    reviewer what is due now and within the window."""
    from qa_tool.stale import CHANGED, DUE_SOON, NEVER_REVIEWED, OVERDUE

    kind_of_reason = {
        NEVER_REVIEWED: "never-reviewed",
        OVERDUE: "overdue",
        CHANGED: "changed-since-review",
        DUE_SOON: "due-soon",
    }
    by_topic = {t: dict.fromkeys(BACKLOG_KINDS, 0) for t in scope.topics}
    reasons = {t: dict.fromkeys(BACKLOG_KINDS, 0) for t in scope.topics}
    due_for: dict[str, Counter] = defaultdict(Counter)
    for item in stale.items:
        topic = item.topic or "(none)"
        kinds = [kind_of_reason[r] for r in item.reasons]
        primary = next(k for k in BACKLOG_KINDS if k in kinds)
        by_topic.setdefault(topic, dict.fromkeys(BACKLOG_KINDS, 0))[primary] += 1
        for k in kinds:
            reasons.setdefault(topic, dict.fromkeys(BACKLOG_KINDS, 0))[k] += 1
        for name in item.reviewers:
            due_for[name]["due_soon" if primary == "due-soon" else "due_now"] += 1
    overdue = sorted(
        (i for i in stale.items if OVERDUE in i.reasons),
        key=lambda i: (-(i.days_overdue or 0), i.path),
    )
    in_scope = {s.answer.rel: s.answer for s in scope.seen}
    oldest = [
        {
            "id": i.id,
            "title": i.title,
            "topic": i.topic,
            "due_date": i.due_date.isoformat() if i.due_date else None,
            "days_overdue": i.days_overdue,
            "reviewers": list(i.reviewers),
            **scope.link(i.path, in_scope[i.path].path),
        }
        for i in overdue[:OLDEST_LISTED]
    ]
    backlog = {
        "checked": stale.checked,
        "kinds": list(BACKLOG_KINDS),
        "by_topic": by_topic,
        "reasons_by_topic": reasons,
        "totals": {k: sum(row[k] for row in by_topic.values()) for k in BACKLOG_KINDS},
        "oldest_overdue": oldest,
    }
    return backlog, due_for


def _due_by_month(scope: _Scope) -> tuple[dict[str, Any], Counter]:
    """What falls due after the as-of date in each of the next 12 months, by topic; and how
    much of it each reviewer reviewed last."""
    from qa_tool.stale import _months as forecast_months

    months = forecast_months(scope.as_of)  # the 12 calendar months of qa stale's forecast
    index = {m: n for n, m in enumerate(months)}
    by_topic = {t: [0] * len(months) for t in scope.topics}
    per_reviewer: Counter = Counter()
    for s in scope.seen:
        if s.status in (Status.draft, Status.retired):
            continue
        due = s.due
        n = index.get(f"{due.year:04d}-{due.month:02d}") if due and due > scope.as_of else None
        if n is None:
            continue
        by_topic.setdefault(s.topic_name, [0] * len(months))[n] += 1
        for name in s.reviewers:
            per_reviewer[name] += 1
    totals = [sum(row[n] for row in by_topic.values()) for n in range(len(months))]
    return {"months": months, "by_topic": by_topic, "totals": totals}, per_reviewer


def _reviewers(
    scope: _Scope, due_for: dict[str, Counter], due_12m_for: Counter
) -> list[dict[str, Any]]:
    """Per reviewer: reviews recorded in the last 12 months, and what is due for them."""
    since = scope.as_of - dt.timedelta(days=365)
    reviews: Counter = Counter()
    seen: set[tuple[str, str, str]] = set()
    for s in scope.seen:
        for day, names in s.reviews:
            if not since < day <= scope.as_of:
                continue
            for name in names:
                key = (s.answer.rel, day.isoformat(), name)
                if key not in seen:
                    seen.add(key)
                    reviews[name] += 1
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "reviews_last_12_months": reviews[name],
            "due_now": due_for[name]["due_now"],
            "due_within_window": due_for[name]["due_soon"],
            "due_next_12_months": due_12m_for[name],
        }
        for name in set(reviews) | set(due_for) | set(due_12m_for)
    ]
    return sorted(
        rows,
        key=lambda r: (
            -(r["due_now"] + r["due_within_window"]),
            -r["reviews_last_12_months"],
            r["name"].casefold(),
        ),
    )


def _evidence(scope: _Scope, workers: int | None, fresh: FreshMeasures) -> dict[str, Any]:
    """Reference stubs, open conversion doubts, retractions and reading grades (answers not
    retired)."""
    live = [s for s in scope.seen if s.status != Status.retired]
    stub_answers = stubs = doubt_answers = doubts = 0
    for s in live:
        facts = s.facts
        n_stubs, n_doubts = int(facts.get("stubs", 0) or 0), int(facts.get("doubts", 0) or 0)
        stubs += n_stubs
        doubts += n_doubts
        stub_answers += n_stubs > 0
        doubt_answers += n_doubts > 0
    return {
        "answers_with_stub_references": stub_answers,
        "stub_references": stubs,
        "answers_with_open_doubts": doubt_answers,
        "open_doubts": doubts,
        "retractions": _retraction_figures(scope.config, live),
        "reading": _reading(scope, live, workers, fresh),
    }


def _reading(
    scope: _Scope, live: list[_Seen], workers: int | None, fresh: FreshMeasures
) -> dict[str, Any]:
    """The distribution of reading grades against the target, and the hardest answers."""
    import heapq

    from qa_tool.readability import Measure, assess, iter_measures

    policy = scope.config.readability
    grades: list[float] = []
    verdicts: Counter = Counter()
    hardest: list[tuple[float, Any]] = []
    measured = iter_measures(scope.config, [s.answer for s in live], workers, fresh)
    for a, measure, _stored in measured:
        if not isinstance(measure, Measure):
            continue
        result = assess(a, policy, measure)
        verdicts[result.verdict] += 1
        if result.grade is not None and result.verdict != "too-short":
            grades.append(result.grade)
            if result.over_target:
                hardest.append((result.grade, a))
                if len(hardest) >= 4 * OLDEST_LISTED:  # only the hardest few are named
                    hardest = heapq.nsmallest(OLDEST_LISTED, hardest, key=_hardest_first)
    hardest.sort(key=_hardest_first)
    bins = [
        {
            "label": _bin_label(low, high),
            "from": low,
            "to": high,
            "count": sum(
                1 for g in grades if (low is None or g >= low) and (high is None or g < high)
            ),
        }
        for low, high in GRADE_BINS
    ]
    return {
        "formula": policy.formula,
        "target": policy.target,
        "targets_by_topic": dict(policy.by_topic),
        "measured": len(grades),
        "above_target": verdicts["above-target"],
        "accepted": verdicts["accepted"],
        "within_target": verdicts["ok"],
        "too_short": verdicts["too-short"],
        "median": _median(grades),
        "bins": bins,
        "hardest": [
            {
                "id": a.id,
                "title": str(a.read_meta().get("title") or ""),
                "grade": g,
                **scope.link(a.rel, a.path),
            }
            for g, a in hardest[:OLDEST_LISTED]
        ],
    }


def _hardest_first(pair: tuple[float, Any]) -> tuple[float, str]:
    return (-pair[0], pair[1].rel)


def _coverage(scope: _Scope) -> dict[str, Any]:
    """Answers per topic and status (all), and the confidence mix (answers not retired)."""
    statuses = [s.value for s in Status]
    by_status = {t: dict.fromkeys(statuses, 0) for t in scope.topics}
    levels = [c.value for c in Confidence] + [NO_CONFIDENCE]
    confidence = dict.fromkeys(levels, 0)
    for s in scope.seen:
        status = s.status
        row = by_status.setdefault(s.topic_name, dict.fromkeys(statuses, 0))
        if isinstance(status, str) and status in row:
            row[status] += 1
        if status == Status.retired:
            continue
        level = s.confidence
        confidence[level if isinstance(level, str) and level in confidence else NO_CONFIDENCE] += 1
    return {"statuses": statuses, "by_topic": by_status, "confidence": confidence}


def _rel(config: Config, path: Path) -> str:
    from qa_tool.library import relative

    return relative(config, path)


def _reviews(meta: dict, last_names: tuple[str, ...]) -> list[tuple[dt.date, list[str]]]:
    """The reviews an answer records: its last one, and earlier ones logged with a note."""
    found = []
    last = as_date(meta.get("last_reviewed"))
    if last is not None and last_names:
        found.append((last, list(last_names)))
    from qa_tool.answerfile.read import FACTS_KEY

    for day_text, by in (meta.get(FACTS_KEY) or {}).get("reviews", ()):
        day = as_date(day_text)
        if day is not None and isinstance(by, str):
            found.append((day, [n.strip() for n in by.split(",") if n.strip()]))
    return found


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    value = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return round(value, 2)


def _retraction_figures(config: Config, live: list[_Seen]) -> dict[str, Any]:
    """References checked against the retractions file (see ``retraction_summary``)."""
    from qa_tool.references.check import retraction_summary

    return retraction_summary(config, [s.answer for s in live], [s.facts for s in live])
