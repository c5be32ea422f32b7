"""``qa review``: record a full review in answers' front matter, optionally as one commit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qa_tool.cli.common import (
    LockTimeoutOption,
    RootOption,
    errors_to_exit,
    fail,
    load,
    print_json,
    shown,
    stderr,
    stdout,
)
from qa_tool.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from qa_tool.fsutil import LOCK_TIMEOUT_SECONDS
from qa_tool.model import Confidence, ReportFormat

if TYPE_CHECKING:
    from qa_tool.review import ReviewOutcome


def review(
    answers: Annotated[
        list[str] | None,
        typer.Argument(metavar="ID|PATH...", help="The answers reviewed, by id or path."),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="'NAME[, CREDENTIALS]'",
            help="Who reviewed (required; repeatable), e.g. --by 'Jane Doe, MD, oncologist'.",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="The review date (YYYY-MM-DD; default: today; not in the future).",
            show_default=False,
        ),
    ] = None,
    confidence: Annotated[
        Confidence | None,
        typer.Option(
            "--confidence",
            help="Set the GRADE confidence level as assessed in this review.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option(
            "--note",
            metavar="TEXT",
            help="A note on the review, kept in review_log (and the commit message).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Record the review even if the answer has validation errors."),
    ] = False,
    commit: Annotated[
        bool,
        typer.Option(
            "--commit",
            help="Commit the reviewed files (only those) with a Reviewed-by trailer per reviewer.",
        ),
    ] = False,
    lock_timeout: LockTimeoutOption = LOCK_TIMEOUT_SECONDS,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="Output: text or json.", case_sensitive=False),
    ] = ReportFormat.text,
    root: RootOption = None,
) -> None:
    """Record a full review: last_reviewed, reviewed_by, review_due, confidence, fingerprint."""
    from qa_tool.dates import parse_iso_date
    from qa_tool.review import parse_reviewer, review_answers

    if not answers:
        raise fail(UsageError("name the answers reviewed (ids or paths)"))
    if not by:
        raise fail(UsageError("name the reviewer with --by 'NAME[, CREDENTIALS]'"))
    config = load(root)
    with errors_to_exit():
        reviewers = [parse_reviewer(text) for text in by]
        day = parse_iso_date(date, "--date") if date is not None else None
        outcome = review_answers(
            config,
            answers,
            reviewers,
            date=day,
            confidence=confidence.value if confidence else None,
            note=note,
            force=force,
            commit=commit,
            lock_timeout=lock_timeout,
        )
    report_problems(outcome)
    if fmt == ReportFormat.json:
        print_json(outcome.to_dict())
    else:
        render_text(outcome)
    raise typer.Exit(EXIT_OK if outcome.ok else EXIT_FINDINGS)


def report_problems(outcome: ReviewOutcome) -> None:
    """Each refused answer and why, on stderr."""
    console = stderr()
    for note in outcome.notes:
        console.print(f"[yellow]note:[/] {shown(note)}", soft_wrap=True)
    for refused in outcome.refused:
        console.print(f"[bold red]qa:[/] {shown(refused.message)}", soft_wrap=True)
        for f in refused.findings:
            where = f"line {f.line}" if f.line else "file"
            console.print(f"  {where}: {shown(f.message)} [dim]({f.rule})[/]", soft_wrap=True)
    if outcome.commit_error:
        console.print(f"[bold red]qa:[/] {shown(outcome.commit_error)}", soft_wrap=True)


def render_text(outcome: ReviewOutcome) -> None:
    """One line per answer reviewed, and the commit when one was made."""
    console = stdout()
    for r in outcome.reviewed:
        verb = "recorded" if r.changed else "already recorded"
        due = f", review_due {r.review_due}" if r.review_due else ""
        link = f" (a link; written to {shown(r.file)})" if r.file else ""
        plural = "s" if r.cleared_doubts != 1 else ""
        cleared = (
            f"; cleared {r.cleared_doubts} conversion doubt{plural} (in review_log)"
            if r.cleared_doubts
            else ""
        )
        console.print(
            f"{verb}: {shown(r.path)}{link}: last_reviewed {r.last_reviewed}{due}, "
            f"reviewed by {shown(', '.join(r.reviewed_by))}{cleared}",
            soft_wrap=True,
        )
    if outcome.commit:
        console.print(f"committed {outcome.commit[:12]}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this command to the ``qa`` app."""
    from qa_tool.cli.examples import epilog

    app.command("review", epilog=epilog("review"))(review)
