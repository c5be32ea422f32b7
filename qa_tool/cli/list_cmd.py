"""``qa list``: the library's inventory, one row per answer, with counts at the end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qa_tool.cli.common import (
    QuietOption,
    RootOption,
    TopicsOption,
    errors_to_exit,
    load,
    print_csv,
    print_json,
    shown,
    split_list,
    stderr,
    terminal_width,
)
from qa_tool.errors import EXIT_OK
from qa_tool.model import Status, TableFormat, choices

if TYPE_CHECKING:
    from qa_tool.inventory import Inventory


def list_answers(
    topic: TopicsOption = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help=f"Only this status: {choices(Status)} (repeatable, or "
            "comma-separated; default: all).",
            show_default=False,
        ),
    ] = None,
    confidence: Annotated[
        list[str] | None,
        typer.Option(
            "--confidence",
            metavar="LEVEL",
            help="Only this GRADE level: high, moderate, low, very-low (repeatable, or "
            "comma-separated).",
            show_default=False,
        ),
    ] = None,
    author: Annotated[
        list[str] | None,
        typer.Option(
            "--author",
            metavar="NAME",
            help="Only answers with an author whose name contains this (repeatable, or "
            "comma-separated).",
            show_default=False,
        ),
    ] = None,
    reviewer: Annotated[
        list[str] | None,
        typer.Option(
            "--reviewer",
            metavar="NAME",
            help="Only answers with a reviewer whose name contains this (repeatable, or "
            "comma-separated).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        TableFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output: text (a table and counts), json (rows and counts) or csv (rows).",
            case_sensitive=False,
        ),
    ] = TableFormat.text,
    quiet: QuietOption = False,
    root: RootOption = None,
) -> None:
    """List the answers, one row each, with counts by topic and status at the end.

    A row: id, title, topic, status, confidence, review dates, reviewers, reading
    grade, reference stubs and open conversion doubts.
    """
    from qa_tool.inventory import list_answers as build
    from qa_tool.library import load_library

    config = load(root)
    with errors_to_exit():
        inventory = build(
            config,
            load_library(config, summary=True),
            topics=split_list(topic, "--topic"),
            statuses=split_list(status, "--status"),
            confidences=split_list(confidence, "--confidence"),
            authors=split_list(author, "--author"),
            reviewers=split_list(reviewer, "--reviewer"),
        )
    if not quiet:
        console = stderr()
        for note in inventory.notes:
            console.print(f"[yellow]note:[/] {shown(note)}", soft_wrap=True)
    if fmt == TableFormat.json:
        print_json(inventory.to_dict(lazy=True))
    elif fmt == TableFormat.csv:
        from qa_tool.inventory import CSV_FIELDS

        print_csv(list(CSV_FIELDS), (row.csv_row() for row in inventory.rows))
    else:
        render_text(inventory)
    raise typer.Exit(EXIT_OK)


def _grade(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


WIDE = 120  # from this width on, topic, reviewer and the counts get columns of their own


def render_text(inventory: Inventory) -> None:
    """The inventory as a table on stdout, fitted to the terminal."""
    import sys

    from qa_tool.cli.table import Column, printable, render

    width = terminal_width()
    wide = width >= WIDE
    out = sys.stdout
    if inventory.rows:
        columns = [Column("Answer", "words")]
        if wide:
            columns.append(Column("Topic", "words"))
        columns += [Column("Status"), Column("Confidence"), Column("Reviewed"), Column("Due")]
        if wide:
            columns += [
                Column("Reviewer", "words"),
                Column("Grade", align="right"),
                Column("Stubs", align="right"),
                Column("Doubts", align="right"),
            ]
        rows = []
        for r in inventory.rows:
            reviewers = ", ".join(r.reviewers) or "-"
            answer = [r.title or r.id, r.id]
            if not wide:
                who = f"reviewed by {reviewers}" if r.reviewers else "no reviewer named"
                answer.insert(1, f"{r.topic or '-'} · {who}")
                answer.append(
                    f"grade {_grade(r.reading_grade)} · {r.stubs} stub{'s' * (r.stubs != 1)}"
                    f" · {r.doubts} doubt{'s' * (r.doubts != 1)}"
                )
            row = ["\n".join(answer)]
            if wide:
                row.append(r.topic or "-")
            row += [
                r.status or "-",
                r.confidence or "-",
                r.last_reviewed.isoformat() if r.last_reviewed else "never",
                r.due_date.isoformat() if r.due_date else "-",
            ]
            if wide:
                row += [reviewers, _grade(r.reading_grade), str(r.stubs), str(r.doubts)]
            rows.append(row)
        out.write(render(columns, rows, width, gap_rows=True))
        out.write("\n")
    total = len(inventory.rows)
    out.write(f"{total} answer{'s' if total != 1 else ''}\n")
    for label, attribute in (("By topic:", "topic"), ("By status:", "status")):
        counts = "  ".join(f"{name} {n}" for name, n in inventory.counts_by(attribute).items())
        out.write(printable(f"{label:<11} {counts}".rstrip()) + "\n")


def register(app: typer.Typer) -> None:
    """Add this command to the ``qa`` app."""
    from qa_tool.cli.examples import epilog

    app.command("list", epilog=epilog("list"))(list_answers)
