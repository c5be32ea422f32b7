"""``qa publish`` (through the gate) and ``qa retire``: the two status changes with a record."""

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
    stdout,
)
from qa_tool.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from qa_tool.fsutil import LOCK_TIMEOUT_SECONDS
from qa_tool.model import ReportFormat

if TYPE_CHECKING:
    from qa_tool.publish import Outcome

AnswersArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="ID|PATH", help="The answers, by id or path (one or more).", show_default=False
    ),
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="NAME",
        help="Who makes the change, for review_log (default: git's user.name, else the login).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    ReportFormat,
    typer.Option("--format", "-f", help="Output: text or json.", case_sensitive=False),
]


def publish(
    answers: AnswersArgument = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the verdicts; change nothing.")
    ] = False,
    by: ByOption = None,
    lock_timeout: LockTimeoutOption = LOCK_TIMEOUT_SECONDS,
    fmt: FormatOption = ReportFormat.text,
    root: RootOption = None,
) -> None:
    """Publish answers that pass every check of the gate; a refusal names every reason."""
    from qa_tool.publish import default_actor, publish_answers

    if not answers:
        raise fail(UsageError("name the answers to publish (ids or paths)"))
    config = load(root)
    with errors_to_exit():
        outcome = publish_answers(
            config,
            answers,
            by=by if by is not None else default_actor(config.root),
            dry_run=dry_run,
            lock_timeout=lock_timeout,
        )
    _render(outcome, fmt)


def retire(
    answers: AnswersArgument = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            metavar="TEXT",
            help="Why the answer is retired, kept in review_log. Required.",
            show_default=False,
        ),
    ] = None,
    by: ByOption = None,
    lock_timeout: LockTimeoutOption = LOCK_TIMEOUT_SECONDS,
    fmt: FormatOption = ReportFormat.text,
    root: RootOption = None,
) -> None:
    """Retire answers: status retired, the reason logged; the file stays (and in git)."""
    from qa_tool.publish import default_actor, retire_answers

    if not answers:
        raise fail(UsageError("name the answers to retire (ids or paths)"))
    if reason is None:
        raise fail(UsageError("say why with --reason TEXT"))
    config = load(root)
    with errors_to_exit():
        outcome = retire_answers(
            config,
            answers,
            reason=reason,
            by=by if by is not None else default_actor(config.root),
            lock_timeout=lock_timeout,
        )
    _render(outcome, fmt)


def _verbs() -> dict[str, str]:
    from qa_tool import publish as p

    return {
        p.PUBLISHED: p.PUBLISHED,
        p.WOULD_PUBLISH: "would publish",
        p.ALREADY_PUBLISHED: "already published",
        p.RETIRED: p.RETIRED,
        p.ALREADY_RETIRED: "already retired",
        p.REFUSED: "not published",
    }


def _render(outcome: Outcome, fmt: ReportFormat) -> None:
    if fmt == ReportFormat.json:
        print_json(outcome.to_dict())
    else:
        render_text(outcome)
    raise typer.Exit(EXIT_OK if outcome.ok else EXIT_FINDINGS)


def render_text(outcome: Outcome) -> None:
    """One line per answer (each reason of a refusal below it), then the counts."""
    from qa_tool.publish import PUBLISHED, REFUSED, RETIRED

    verbs = _verbs()
    console = stdout()
    for r in outcome.results:
        was = f" (was {r.status})" if r.status and r.result in (PUBLISHED, RETIRED) else ""
        if r.message:
            console.print(f"[bold red]failed:[/] {shown(r.message)}")
            continue
        if r.result == REFUSED:
            count = f"{len(r.reasons)} reason{'s' if len(r.reasons) != 1 else ''}"
            console.print(f"[bold red]not published:[/] {shown(r.path)}: {count}")
            for reason in r.reasons:
                where = f"line {reason.line}" if reason.line else "file"
                console.print(f"  {where}: \\[{reason.check}] {shown(reason.message)}")
        else:
            console.print(f"{verbs[r.result]}: {shown(r.path)}{was}")
    counts: dict[str, int] = {}
    for r in outcome.results:
        counts[r.result] = counts.get(r.result, 0) + 1
    console.print(", ".join(f"{n} {verbs[k]}" for k, n in counts.items()))


def register(app: typer.Typer) -> None:
    """Add ``qa publish`` and ``qa retire`` to the app."""
    from qa_tool.cli.examples import epilog

    app.command("publish", epilog=epilog("publish"))(publish)
    app.command("retire", epilog=epilog("retire"))(retire)
