"""``qa convert``: legacy answer texts into answer files."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa_tool.cli.common import (
    QuietOption,
    RootOption,
    errors_to_exit,
    load,
    plain,
    print_json,
    shown,
    stderr,
    stdout,
)
from qa_tool.errors import EXIT_FINDINGS, EXIT_OK
from qa_tool.model import ReportFormat, Status

if TYPE_CHECKING:
    from qa_tool.convert import ConvertReport, FileResult


def convert(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Legacy texts: files, folders (searched recursively for *.txt, *.text and "
            "*.md) or '-' for standard input.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    root: RootOption = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help="Report: text (a table) or json.", case_sensitive=False
        ),
    ] = ReportFormat.text,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic", help="Topic of every answer (wins over the footer's).", show_default=False
        ),
    ] = None,
    status: Annotated[
        Status | None,
        typer.Option(
            "--status",
            help=f"Status of every answer (default: {Status.published} when the text shows a "
            f"confidence, a review date and citations, else {Status.in_review}).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write DIR/TOPIC-FOLDER/ID.md instead of into the library.",
            metavar="DIR",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace existing answers (not ones already up to date)."),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Write nothing; show each file or its diff instead."),
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Convert legacy answer texts into answer files (exit 1 if any failed or was skipped)."""
    from qa_tool.convert import ConvertOptions, convert_sources, find_sources

    config = load(root)
    # Read no more of standard input than the size cap (and one byte to tell it was over).
    limit = config.max_file_bytes + 1
    stdin = typer.get_binary_stream("stdin").read(limit) if "-" in paths else None
    options = ConvertOptions(
        topic=topic,
        status=status.value if status else None,
        force=force,
        dry_run=dry_run,
        out_dir=out,
    )
    with errors_to_exit():
        sources = find_sources(paths, config, stdin=stdin, out_dir=out)
        show_progress = not quiet and len(sources) > 1 and sys.stderr.isatty()
        with _progress(len(sources), show_progress) as advance:
            report = convert_sources(config, sources, options, advance)
    if fmt is ReportFormat.json:
        print_json(report.to_dict())
    else:
        render_text(report)
    if not quiet and not sources:
        stderr().print("qa: no legacy texts found (files named *.txt, *.text or *.md)")
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FINDINGS)


@contextlib.contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[FileResult], None] | None]:
    """The per-file callback: one step of a Rich progress bar on stderr, or None."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=stderr(), transient=True) as progress:
        task = progress.add_task("Converting", total=total)
        yield lambda _result: progress.advance(task)


_STATUS_STYLES = {"converted": "green", "unchanged": "dim", "skipped": "yellow", "failed": "red"}


def render_text(report: ConvertReport) -> None:
    """Dry-run files or diffs first, then one table row per input, then a summary line."""
    from rich.table import Table

    from qa_tool.doubts import describe_stored

    console = stdout()
    if report.dry_run:
        for result in report.files:
            text = result.diff or result.text
            if text:
                heading = "diff" if result.diff else "would write"
                console.print(f"[bold]{heading} {shown(result.target or '')}[/]")
                text = plain(text, keep="\n\t")
                console.out(text, end="" if text.endswith("\n") else "\n", highlight=False)
                console.print()
    if report.files:
        table = Table(show_lines=False, pad_edge=False, box=None, header_style="bold")
        table.add_column("source", overflow="fold")
        table.add_column("target", overflow="fold")
        table.add_column("status")
        table.add_column("notes", overflow="fold")
        for result in report.files:
            notes = [f"[red]{shown(result.error)}[/]"] if result.error else []
            notes += [f"[yellow]{shown(warning)}[/]" for warning in result.warnings]
            notes += [f"[magenta]doubt, {shown(describe_stored(d))}[/]" for d in result.doubts]
            style = _STATUS_STYLES[result.status]
            table.add_row(
                shown(result.source),
                shown(result.target or "-"),
                f"[{style}]{result.status}[/]",
                "\n".join(notes),
            )
        console.print(table)
    counts = report.summary()
    # A dry run converts nothing: it says what a real run would do.
    words = {"converted": "would convert", "skipped": "would skip"} if report.dry_run else {}
    summary = ", ".join(
        f"{words[name]} {counts[name]}" if name in words else f"{counts[name]} {name}"
        for name in counts
    )
    if report.dry_run:
        summary = f"dry run, nothing written: {summary}"
    if counts["skipped"]:
        summary += " (skipped: the answer exists; --force replaces it)"
    doubtful = sum(1 for result in report.files if result.doubts)
    if doubtful:
        total = sum(len(result.doubts) for result in report.files)
        summary += (
            f"; {total} doubt{'s' if total != 1 else ''} in {doubtful} "
            f"file{'s' if doubtful != 1 else ''} to check (kept in legacy.doubts until qa review)"
        )
    style = "red" if counts["failed"] else ("yellow" if counts["skipped"] else "green")
    console.print(f"[{style}]{summary}[/]")


def register(app: typer.Typer) -> None:
    """Add this command to the ``qa`` app."""
    from qa_tool.cli.examples import epilog

    app.command("convert", epilog=epilog("convert"))(convert)
