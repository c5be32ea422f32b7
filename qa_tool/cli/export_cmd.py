"""``qa export``: write the chosen answers as a reproducible bundle (folder, .zip, .tar.gz)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa_tool.cli.common import (
    QuietOption,
    RootOption,
    TopicsOption,
    errors_to_exit,
    load,
    print_json,
    shown,
    split_list,
    stderr,
)
from qa_tool.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from qa_tool.model import (
    DEFAULT_EXPORT_STATUSES,
    ExportFormat,
    ReportFormat,
    Status,
    choices,
)

if TYPE_CHECKING:
    from qa_tool.config import Config
    from qa_tool.export import ExportReport, Progress


def export(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Where to write: a folder, or an archive named *.zip or *.tar.gz.",
            show_default=False,
        ),
    ],
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=f"What to write: {choices(ExportFormat)} (repeatable, or comma-separated; "
            "default: jsonl).",
            show_default=False,
        ),
    ] = None,
    statuses: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Export answers with this status (repeatable, or comma-separated; "
            f"default: {choices(DEFAULT_EXPORT_STATUSES)}). "
            f"Drafts come out only with --status {Status.draft}.",
            show_default=False,
        ),
    ] = None,
    include_retired: Annotated[
        bool,
        typer.Option(
            "--include-retired",
            help="Also export retired answers (left out unless asked, like drafts).",
        ),
    ] = False,
    topics: TopicsOption = None,
    ids: Annotated[
        list[str] | None,
        typer.Option(
            "--id",
            metavar="ID",
            help="Only the answer with this id (repeatable, or comma-separated).",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="GIT_REF",
            help="Only answers added or changed since this commit (uncommitted and untracked "
            "changes included).",
            show_default=False,
        ),
    ] = None,
    exclude_due: Annotated[
        bool,
        typer.Option("--exclude-due", help="Leave out the answers that qa stale would list."),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The date --exclude-due judges by (YYYY-MM-DD; default: today).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --out (a file or a bundle).")
    ] = False,
    quiet: QuietOption = False,
    report: Annotated[
        ReportFormat,
        typer.Option(
            "--report",
            help="text: the one-line summary on stderr; json: the summary as JSON on stdout too.",
            case_sensitive=False,
        ),
    ] = ReportFormat.text,
    root: RootOption = None,
) -> None:
    """Write the chosen answers as a reproducible bundle (folder, .zip or .tar.gz)."""
    from qa_tool.dates import parse_iso_date
    from qa_tool.export import export_bundle, make_selection

    config = load(root)
    with errors_to_exit():
        if as_of is not None and not exclude_due:
            raise UsageError("--as-of only applies with --exclude-due")
        wanted = split_list(statuses, "--status") or [s.value for s in DEFAULT_EXPORT_STATUSES]
        if include_retired and Status.retired not in wanted:
            wanted.append(Status.retired.value)
        selection = make_selection(
            config,
            statuses=wanted,
            topics=split_list(topics, "--topic") or (),
            ids=split_list(ids, "--id") or (),
            since=since,
            exclude_due=exclude_due,
            as_of=parse_iso_date(as_of, "--as-of") if as_of is not None else None,
        )
        with _progress_bar(quiet) as progress:
            result = export_bundle(
                config,
                selection,
                split_list(formats, "--format") or [],
                out,
                force=force,
                progress=progress,
            )
    _report(config, result, quiet, report)
    raise typer.Exit(EXIT_FINDINGS if result.skipped else EXIT_OK)


@contextlib.contextmanager
def _progress_bar(quiet: bool) -> Iterator[Progress | None]:
    """A Rich progress bar on stderr, only for a person watching a terminal.

    It starts at the first answer written, after the answers are read: reading
    may fork worker processes, which must not happen while the bar's thread runs.
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr(),
        transient=True,
    )
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("Exporting", total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if task is not None:
            bar.stop()


def _size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{n:,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n:,} bytes"  # pragma: no cover


def summary_line(result: ExportReport) -> str:
    """``Exported 12 answers (jsonl, html) to out.tar.gz: 27 files, 1.2 MB.``"""
    answers = f"{result.answers} answer{'s' if result.answers != 1 else ''}"
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    line = (
        f"Exported {answers} ({', '.join(result.formats)}) to {result.out}: "
        f"{files}, {_size(result.bundle_bytes)}"
    )
    if result.excluded_due:
        line += f"; {len(result.excluded_due)} due for review left out"
    if result.skipped:
        n = len(result.skipped)
        line += f"; {n} file{'s' if n != 1 else ''} could not be exported"
    return line + "."


def _report(config: Config, result: ExportReport, quiet: bool, report: ReportFormat) -> None:
    from qa_tool.library import relative

    console = stderr()
    for failure in result.skipped:
        where = relative(config, failure.path) + (f":{failure.line}" if failure.line else "")
        console.print(
            f"[bold red]qa:[/] {shown(where)}: {shown(failure.message)}; not exported",
            soft_wrap=True,
        )
    if not quiet:
        for note in result.notes:
            console.print(f"note: {shown(note)}", soft_wrap=True)
        if result.answers == 0:
            console.print("note: no answer matched the selection", soft_wrap=True)
        if result.state.dirty:
            console.print(
                "note: the answers have uncommitted changes (recorded as dirty in the manifest)",
                soft_wrap=True,
            )
        console.print(shown(summary_line(result)), soft_wrap=True)
    if report == ReportFormat.json:
        print_json(result.to_dict(config))


def register(app: typer.Typer) -> None:
    """Add this command to the ``qa`` app."""
    from qa_tool.cli.examples import epilog

    app.command("export", epilog=epilog("export"))(export)
