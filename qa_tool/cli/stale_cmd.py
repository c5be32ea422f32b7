"""``qa stale``: list the answers due for review, with the reasons, as a table or data."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from json.encoder import encode_basestring as _json_text
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qa_tool.cli.common import (
    FormatOption,
    OutputFormat,
    QuietOption,
    RootOption,
    TopicsOption,
    errors_to_exit,
    github_annotation,
    load,
    print_csv,
    print_json,
    shown,
    split_list,
    stderr,
    stdout,
    terminal_width,
)
from qa_tool.errors import EXIT_FINDINGS, EXIT_OK
from qa_tool.model import NOT_LISTED_BY_DEFAULT, SortKey

if TYPE_CHECKING:
    from qa_tool.stale import StaleItem, StaleReport

CSV_FIELDS = [
    "id",
    "title",
    "topic",
    "status",
    "last_reviewed",
    "due_date",
    "days_overdue",
    "reasons",
    "reviewers",
    "path",
]
BAR_WIDTH = 30
_EIGHTHS = " ▏▎▍▌▋▊▉"


def stale(
    root: RootOption = None,
    fmt: FormatOption = OutputFormat.text,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Check as of this date (YYYY-MM-DD) instead of today.",
            show_default=False,
        ),
    ] = None,
    within: Annotated[
        str | None,
        typer.Option(
            "--within",
            metavar="INTERVAL",
            help="Also list answers falling due within this window: 30d, 2w, 3m or 1y.",
            show_default=False,
        ),
    ] = None,
    topic: TopicsOption = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Only answers with this status (repeatable; default: all but "
            f"{' and '.join(sorted(NOT_LISTED_BY_DEFAULT))}).",
            show_default=False,
        ),
    ] = None,
    reviewer: Annotated[
        list[str] | None,
        typer.Option(
            "--reviewer",
            metavar="NAME",
            help="Only answers with a reviewer whose name contains this (repeatable).",
            show_default=False,
        ),
    ] = None,
    group_by: Annotated[
        GroupBy | None,
        typer.Option(
            "--group-by",
            help="List what is due under each reviewer, topic or author (an answer with two "
            "reviewers is under both).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    sort: Annotated[
        SortKey, typer.Option("--sort", help="Order of the rows.", case_sensitive=False)
    ] = SortKey.overdue,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when answers are due.")
    ] = False,
    no_git: Annotated[
        bool,
        typer.Option(
            "--no-git",
            help="Do not read git history (review fingerprints are still compared).",
        ),
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """List the answers due for review, and why (exit 1 when any is due)."""
    with collector_paused():
        from qa_tool.dates import parse_interval, parse_iso_date
        from qa_tool.gitinfo import prefetching
        from qa_tool.library import load_library, relative
        from qa_tool.stale import find_stale, sort_items

        config = load(root)
        folder = relative(config, config.answers_dir)
        with errors_to_exit(), prefetching(config.root, folder, history=not no_git):
            day = parse_iso_date(as_of, "--as-of") if as_of is not None else dt.date.today()
            window = parse_interval(within) if within is not None else None
            loaded = load_library(config, summary=True, keep_meta=False, rows=True)
            report = find_stale(
                config,
                loaded,
                as_of=day,
                within=window,
                statuses=split_list(status, "--status"),
                topics=split_list(topic, "--topic"),
                reviewers=split_list(reviewer, "--reviewer"),
                use_git=not no_git,
                with_lines=fmt == OutputFormat.github,
                with_authors=group_by == GroupBy.author,
            )
            if sort != SortKey.overdue:  # find_stale's own order
                report.items = sort_items(report.items, sort.value)
        if report.notes and not quiet:
            notes = stderr()
            for note in report.notes:
                notes.print(f"[yellow]note:[/] {shown(note)}", soft_wrap=True)
        if group_by is not None and fmt != OutputFormat.github:
            {
                OutputFormat.text: render_groups_text,
                OutputFormat.json: render_groups_json,
                OutputFormat.csv: render_groups_csv,
            }[fmt](report, group_by.value)
        else:
            {
                OutputFormat.text: render_text,
                OutputFormat.json: render_json,
                OutputFormat.csv: render_csv,
                OutputFormat.github: render_github,
            }[fmt](report)
        from qa_tool.cli.app import end_without_teardown

        end_without_teardown()  # nothing left to close: the listing need not be freed
        raise typer.Exit(EXIT_FINDINGS if not exit_zero and report.due else EXIT_OK)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the command: the tens of thousands of small
    objects of a large listing hold no reference cycles, yet every few hundred allocations
    the collector would walk them all again (most of a warm run's time at 100,000 answers)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            # What the command made is still on the youngest generation's list: the first
            # collection after enabling would walk it all. Moved to the oldest instead, it
            # waits for a full collection, as anything long-lived does.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def render_json(report: StaleReport) -> None:
    """The items as a JSON list (:meth:`~qa_tool.stale.StaleItem.to_dict`): for a person at a
    terminal through :func:`print_json` (indented); piped, each item made by :func:`item_json`."""
    if sys.stdout.isatty():
        print_json([i.to_dict() for i in report.items])
    else:
        sys.stdout.write("[" + ", ".join(map(item_json, report.items)) + "]\n")


def _text_or_null(value: str | None) -> str:
    return "null" if value is None else _json_text(value)


def _texts(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(map(_json_text, values)) + "]"


def _day_or_null(day: dt.date | None) -> str:
    return f'"{day.isoformat()}"' if day else "null"


class _Encoded(dict):
    """Values that repeat over a listing (topics, statuses, dates, reasons, reviewers),
    each encoded once."""

    def __init__(self, encode: Callable[[Any], str]):
        super().__init__()
        self.encode = encode

    def __missing__(self, value: Any) -> str:
        text = self[value] = self.encode(value)
        return text


def item_json(item: StaleItem) -> str:
    """``json.dumps(item.to_dict(), ensure_ascii=False)``, written directly: the keys are
    known, so only the values are encoded, each by the function json.dumps uses for text,
    and the values that repeat (topics, dates, reasons, reviewers) once per listing
    (several times faster on a listing of 100,000 answers; ``tests/test_stale.py`` compares)."""
    days = item.days_overdue
    text = (
        f'{{"id": {_json_text(item.id)}, "title": {_json_text(item.title)}, '
        f'"topic": {_TEXT_OR_NULL[item.topic]}, "status": {_TEXT_OR_NULL[item.status]}, '
        f'"last_reviewed": {_DAY[item.last_reviewed]}, "due_date": {_DAY[item.due_date]}, '
        f'"days_overdue": {"null" if days is None else int.__repr__(days)}, '
        f'"reasons": {_TEXTS[item.reasons]}, "reviewers": {_TEXTS[item.reviewers]}, '
        f'"path": {_json_text(item.path)}'
    )
    if item.cites_retracted:
        return f'{text}, "cites_retracted": {_texts(item.cites_retracted)}}}'
    return text + "}"


_TEXT_OR_NULL = _Encoded(_text_or_null)
_DAY = _Encoded(_day_or_null)
_TEXTS = _Encoded(_texts)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def bar(count: int, largest: int, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of block characters, ``count / largest`` of ``width`` cells long."""
    if count <= 0 or largest <= 0:
        return ""
    eighths = max(1, round(count / largest * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def render_text(report: StaleReport) -> None:
    """The answers due as a table, with the reasons and a forecast by month."""
    from qa_tool.cli.table import Column, render

    console = stdout()
    if report.items:
        # The short columns come first and never wrap; the answer (title, then topic,
        # status and reviewers, then the path, which holds the id) takes the rest of
        # the width, its text wrapped between words and its path only after a '/'.
        columns = [
            Column("Days\noverdue", align="right"),
            Column("Due"),
            Column("Last\nreviewed"),
            Column("Reasons"),
            Column("Answer", "words"),
        ]
        rows = []
        for item in report.items:
            about = " · ".join(x for x in (item.topic, item.status) if x)
            if item.reviewers:
                about += f" · reviewed by {', '.join(item.reviewers)}"
            rows.append(
                [
                    "-" if item.days_overdue is None else str(item.days_overdue),
                    _iso(item.due_date) or "-",
                    _iso(item.last_reviewed) or "never",
                    "\n".join(item.reasons),
                    f"{item.title or item.id}\n{about}\n{item.path}",
                ]
            )
        sys.stdout.write(render(columns, rows, terminal_width(), gap_rows=True) + "\n")
    due = len(report.due)
    soon = len(report.items) - due
    headline = (
        f"{due} answer{'s' if due != 1 else ''} due for review" if due else "Nothing due for review"
    )
    if soon:
        headline += f", {soon} due soon"
    headline += f" as of {report.as_of} ({report.checked} checked)"
    console.print(f"[bold {'red' if due else 'green'}]{headline}[/]")
    if report.items:
        reasons = "  ".join(f"{r} {n}" for r, n in report.counts_by_reason().items())
        topics = "  ".join(f"{shown(t)} {n}" for t, n in report.counts_by_topic().items())
        console.print(f"By reason:  {reasons}")
        console.print(f"By topic:   {topics}")
    console.print()
    console.print("Falling due in the next 12 months:")
    largest = max((n for _, n in report.due_by_month), default=0)
    for month, count in report.due_by_month:
        drawn = bar(count, largest)
        console.print(f"  {month}  {count:>5}" + (f"  [cyan]{drawn}[/]" if drawn else ""))


class GroupBy(StrEnum):
    """What ``--group-by`` groups the answers due under."""

    reviewer = "reviewer"
    topic = "topic"
    author = "author"


def render_groups_json(report: StaleReport, by: str) -> None:
    """``{"group_by": ..., "as_of": ..., "groups": [{"name", "due", "answers": [...]}]}``."""
    print_json(
        {
            "group_by": by,
            "as_of": report.as_of.isoformat(),
            "groups": [
                {
                    "name": name,
                    "due": sum(i.is_due for i in items),
                    "answers": [i.to_dict() for i in items],
                }
                for name, items in report.groups(by).items()
            ],
        }
    )


def render_groups_csv(report: StaleReport, by: str) -> None:
    """The CSV rows, each with a first column naming its group."""
    print_csv(
        [by, *CSV_FIELDS],
        ([name, *_csv_row(i)] for name, items in report.groups(by).items() for i in items),
    )


def render_groups_text(report: StaleReport, by: str) -> None:
    """One block per person or topic: a heading with the count, then one line per answer."""
    from qa_tool.cli.table import Column, printable, render

    out = sys.stdout
    columns = [
        Column("Days", align="right"),
        Column("Due"),
        Column("Reasons", "words"),
        Column("Answer", "path"),
    ]
    width = terminal_width() - 2
    for name, items in report.groups(by).items():
        due = sum(i.is_due for i in items)
        soon = len(items) - due
        count = f"{due} due" + (f", {soon} due soon" if soon else "")
        out.write(printable(f"{name} ({count})") + "\n")
        rows = [
            [
                "-" if i.days_overdue is None else str(i.days_overdue),
                _iso(i.due_date) or "-",
                ", ".join(i.reasons),
                i.path,
            ]
            for i in items
        ]
        table = render(columns, rows, width)
        out.write("".join(f"  {line}".rstrip() + "\n" for line in table.splitlines()) + "\n")
    due = len(report.due)
    out.write(
        f"{due} answer{'s' if due != 1 else ''} due for review as of {report.as_of} "
        f"({report.checked} checked), grouped by {by}\n"
    )


def _csv_row(i: StaleItem) -> list:
    return [
        i.id,
        i.title,
        i.topic or "",
        i.status or "",
        _iso(i.last_reviewed),
        _iso(i.due_date),
        "" if i.days_overdue is None else i.days_overdue,
        ";".join(i.reasons),
        "; ".join(i.reviewers),
        i.path,
    ]


def render_csv(report: StaleReport) -> None:
    """One CSV row per answer due (:data:`CSV_FIELDS`)."""
    print_csv(CSV_FIELDS, (_csv_row(i) for i in report.items))


def describe(item: StaleItem) -> str:
    """One sentence per answer, e.g. ``x is due for review: overdue by 3 days (due 2026-11-19)``."""
    parts = []
    for reason in item.reasons:
        if reason == "overdue":
            days = item.days_overdue or 0
            parts.append(
                f"due today ({item.due_date})"
                if days == 0
                else f"overdue by {days} day{'s' if days != 1 else ''} (due {item.due_date})"
            )
        elif reason == "never-reviewed":
            parts.append("never reviewed")
        elif reason == "changed-since-review":
            parts.append(f"title or body changed since the review of {item.last_reviewed}")
        elif reason == "due-soon":
            days = -(item.days_overdue or 0)
            parts.append(f"due in {days} day{'s' if days != 1 else ''} ({item.due_date})")
        elif reason == "cites-retracted":
            refs = ", ".join(item.cites_retracted)
            parts.append(f"cites a retracted paper (reference {refs}; see qa refs check)")
    verb = "is due for review" if item.is_due else "falls due soon"
    return f"{item.id} {verb}: {'; '.join(parts)}"


def render_github(report: StaleReport) -> None:
    """One GitHub Actions warning per answer due, on its file and line."""
    for item in report.items:
        sys.stdout.write(
            github_annotation("warning", describe(item), item.path, item.line, "qa stale") + "\n"
        )


def register(app: typer.Typer) -> None:
    """Add this command to the ``qa`` app."""
    from qa_tool.cli.examples import epilog

    app.command("stale", epilog=epilog("stale"))(stale)
