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
from typing import Any

from qa_tool.config import Config
from qa_tool.dates import as_date, parse_interval
from qa_tool.model import Confidence, Status

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


def _bin_label(low: float | None, high: float | None) -> str:
    if low is None:
        return f"under {high}"
    if high is None:
        return f"{low} and over"
    return f"{low} to {high}"


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
    from qa_tool.readability import assess, measures_for
    from qa_tool.reader import FACTS_KEY
    from qa_tool.stale import (
        CHANGED,
        DUE_SOON,
        NEVER_REVIEWED,
        OVERDUE,
        due_date,
        find_stale,
        reviewer_names,
    )
    from qa_tool.stale import _months as forecast_months

    window = parse_interval(within)
    wanted = {config.topic_named(t).name for t in topics or () if t.strip()} or None
    loaded = load_library(config, None, summary=True, workers=workers)
    answers = [
        a
        for a in loaded.answers
        if wanted is None or (isinstance(a.meta.get("topic"), str) and a.meta["topic"] in wanted)
    ]
    topic_names = [t.name for t in config.topics if wanted is None or t.name in wanted]
    known = set(topic_names)
    extra_topics = sorted(
        {str(a.meta.get("topic") or "(none)") for a in answers} - known, key=str.casefold
    )
    topic_order = topic_names + extra_topics

    def topic_of(meta: dict) -> str:
        topic = meta.get("topic")
        return topic if isinstance(topic, str) and topic else "(none)"

    pages = find_bundle_pages(out)

    def link(answer_rel: str, path: Path) -> dict[str, Any]:
        href = None
        if pages is not None:
            try:
                stem = path.relative_to(config.answers_dir).with_suffix("").as_posix()
            except ValueError:
                stem = None
            if stem is not None and (pages / f"{stem}.html").is_file():
                href = os.path.relpath(pages / f"{stem}.html", out.parent if out else ".")
                href = href.replace(os.sep, "/")
        return {"path": answer_rel, "href": href}

    by_rel = {a.rel: a for a in answers}

    # --- Review backlog (what qa stale lists: all but drafts and retired) -------------------
    stale = find_stale(
        config,
        LoadResult(answers, loaded.failures, loaded.warnings),
        as_of=as_of,
        within=window,
    )
    kind_of_reason = {
        NEVER_REVIEWED: "never-reviewed",
        OVERDUE: "overdue",
        CHANGED: "changed-since-review",
        DUE_SOON: "due-soon",
    }
    backlog = {t: dict.fromkeys(BACKLOG_KINDS, 0) for t in topic_order}
    reasons = {t: dict.fromkeys(BACKLOG_KINDS, 0) for t in topic_order}
    due_for: dict[str, Counter] = defaultdict(Counter)
    for item in stale.items:
        topic = item.topic or "(none)"
        kinds = [kind_of_reason[r] for r in item.reasons]
        primary = next(k for k in BACKLOG_KINDS if k in kinds)
        backlog.setdefault(topic, dict.fromkeys(BACKLOG_KINDS, 0))[primary] += 1
        for k in kinds:
            reasons.setdefault(topic, dict.fromkeys(BACKLOG_KINDS, 0))[k] += 1
        for name in item.reviewers:
            due_for[name]["due_soon" if primary == "due-soon" else "due_now"] += 1
    overdue = sorted(
        (i for i in stale.items if OVERDUE in i.reasons),
        key=lambda i: (-(i.days_overdue or 0), i.path),
    )
    oldest = [
        {
            "id": i.id,
            "title": i.title,
            "topic": i.topic,
            "due_date": i.due_date.isoformat() if i.due_date else None,
            "days_overdue": i.days_overdue,
            "reviewers": list(i.reviewers),
            **link(i.path, by_rel[i.path].path),
        }
        for i in overdue[:OLDEST_LISTED]
    ]
    totals = {k: sum(row[k] for row in backlog.values()) for k in BACKLOG_KINDS}

    # --- Due over the next 12 months, by month and topic ---------------------------------------
    months = forecast_months(as_of)  # the 12 calendar months of qa stale's forecast
    month_index = {m: n for n, m in enumerate(months)}
    due_by_topic = {t: [0] * len(months) for t in topic_order}
    due_12m_for: Counter = Counter()
    for a in answers:
        status = a.meta.get("status")
        if status in (Status.draft, Status.retired):
            continue
        due = due_date(a.meta, config)
        if due is None or due <= as_of:
            continue
        n = month_index.get(f"{due.year:04d}-{due.month:02d}")
        if n is None:
            continue
        due_by_topic.setdefault(topic_of(a.meta), [0] * len(months))[n] += 1
        for name in reviewer_names(a.meta):
            due_12m_for[name] += 1

    # --- Reviewer workload --------------------------------------------------------------------
    since = as_of - dt.timedelta(days=365)
    reviews: Counter = Counter()
    seen: set[tuple[str, str, str]] = set()
    for a in answers:
        for day, names in _reviews(a.meta, reviewer_names(a.meta)):
            if since < day <= as_of:
                for name in names:
                    key = (a.rel, day.isoformat(), name)
                    if key not in seen:
                        seen.add(key)
                        reviews[name] += 1
    people = set(reviews) | set(due_for) | set(due_12m_for)
    reviewers = sorted(
        (
            {
                "name": name,
                "reviews_last_12_months": reviews[name],
                "due_now": due_for[name]["due_now"],
                "due_within_window": due_for[name]["due_soon"],
                "due_next_12_months": due_12m_for[name],
            }
            for name in people
        ),
        key=lambda r: (
            -(r["due_now"] + r["due_within_window"]),
            -r["reviews_last_12_months"],
            r["name"].casefold(),
        ),
    )

    # --- Evidence health ------------------------------------------------------------------------
    live = [a for a in answers if a.meta.get("status") != Status.retired]
    stub_answers = stubs = doubt_answers = doubts = 0
    for a in live:
        facts = a.meta.get(FACTS_KEY) or {}
        n_stubs, n_doubts = int(facts.get("stubs", 0) or 0), int(facts.get("doubts", 0) or 0)
        stubs += n_stubs
        doubts += n_doubts
        stub_answers += n_stubs > 0
        doubt_answers += n_doubts > 0
    measures = measures_for(config, live, workers)
    grades: list[float] = []
    verdicts: Counter = Counter()
    hardest = []
    for a in live:
        measure = measures.get(a.rel)
        if measure is None or isinstance(measure, Exception):
            continue
        result = assess(a, config.readability, measure)
        verdicts[result.verdict] += 1
        if result.grade is not None and result.verdict != "too-short":
            grades.append(result.grade)
            if result.over_target:
                hardest.append((result.grade, a))
    bins = []
    for low, high in GRADE_BINS:
        count = sum(1 for g in grades if (low is None or g >= low) and (high is None or g < high))
        bins.append({"label": _bin_label(low, high), "from": low, "to": high, "count": count})
    hardest.sort(key=lambda pair: (-pair[0], pair[1].rel))
    reading = {
        "formula": config.readability.formula,
        "target": config.readability.target,
        "targets_by_topic": dict(config.readability.by_topic),
        "measured": len(grades),
        "above_target": verdicts["above-target"],
        "accepted": verdicts["accepted"],
        "within_target": verdicts["ok"],
        "too_short": verdicts["too-short"],
        "median": _median(grades),
        "bins": bins,
        "hardest": [
            {"id": a.id, "title": str(a.meta.get("title") or ""), "grade": g, **link(a.rel, a.path)}
            for g, a in hardest[:OLDEST_LISTED]
        ],
    }
    evidence = {
        "answers_with_stub_references": stub_answers,
        "stub_references": stubs,
        "answers_with_open_doubts": doubt_answers,
        "open_doubts": doubts,
        "retractions": _retraction_figures(config, live),
        "reading": reading,
    }

    # --- Coverage ---------------------------------------------------------------------------------
    statuses = [s.value for s in Status]
    by_status = {t: dict.fromkeys(statuses, 0) for t in topic_order}
    confidence_levels = [c.value for c in Confidence] + [NO_CONFIDENCE]
    confidence = dict.fromkeys(confidence_levels, 0)
    for a in answers:
        status = a.meta.get("status")
        row = by_status.setdefault(topic_of(a.meta), dict.fromkeys(statuses, 0))
        if isinstance(status, str) and status in row:
            row[status] += 1
        if status == Status.retired:
            continue
        level = a.meta.get("confidence")
        confidence[level if isinstance(level, str) and level in confidence else NO_CONFIDENCE] += 1

    return {
        "version": REPORT_VERSION,
        "as_of": as_of.isoformat(),
        "within": within,
        "topics": topic_order,
        "answers": len(answers),
        "unreadable": [
            {"path": _rel(config, e.path), "line": e.line, "message": e.message}
            for e in loaded.failures
        ],
        "notes": list(stale.notes),
        "backlog": {
            "checked": stale.checked,
            "kinds": list(BACKLOG_KINDS),
            "by_topic": backlog,
            "reasons_by_topic": reasons,
            "totals": totals,
            "oldest_overdue": oldest,
        },
        "due_by_month": {
            "months": months,
            "by_topic": due_by_topic,
            "totals": [sum(row[n] for row in due_by_topic.values()) for n in range(len(months))],
        },
        "reviewers": reviewers,
        "evidence": evidence,
        "coverage": {
            "statuses": statuses,
            "by_topic": by_status,
            "confidence": confidence,
        },
    }


def _rel(config: Config, path: Path) -> str:
    from qa_tool.library import relative

    return relative(config, path)


def _reviews(meta: dict, last_names: tuple[str, ...]) -> list[tuple[dt.date, list[str]]]:
    """The reviews an answer records: its last one, and earlier ones logged with a note."""
    found = []
    last = as_date(meta.get("last_reviewed"))
    if last is not None and last_names:
        found.append((last, list(last_names)))
    from qa_tool.reader import FACTS_KEY

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


def _retraction_figures(config: Config, answers: list[Any]) -> dict[str, Any] | None:
    """References checked against retractions, when the references module offers them."""
    try:
        from qa_tool import references  # type: ignore[attr-defined]
    except ImportError:
        return None
    summarise = getattr(references, "retraction_summary", None)
    if summarise is None:
        return None
    return summarise(config, answers)
