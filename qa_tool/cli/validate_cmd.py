"""``qa validate``: check answers against the schema and the library's rules."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from qa_tool.cli.common import (
    FormatOption,
    OutputFormat,
    QuietOption,
    RootOption,
    errors_to_exit,
    github_annotation,
    load,
    print_csv,
    print_json,
    shown,
    stderr,
    stdout,
)
from qa_tool.errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from qa_tool.validate import ValidationReport


def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Answer files or folders (default: the whole library).", show_default=False
        ),
    ] = None,
    root: RootOption = None,
    fmt: FormatOption = OutputFormat.text,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings as errors for the exit code.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="GIT_REF",
            help="Only the answers added or changed since this commit, branch or tag "
            "(uncommitted and untracked ones too); ids are still checked against the "
            "whole library.",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Check answers against the schema and the library's rules (exit 1 on errors).

    Files given that are not in the answers folder (a README, docs, templates) are not
    answers: they are skipped, and a note on stderr names them.
    """
    from qa_tool.errors import UsageError
    from qa_tool.validate import ValidationReport, changed_answers, validate_library

    config = load(root)
    with errors_to_exit():
        if since is not None:
            if paths:
                raise UsageError("give paths or --since, not both")
            commit, paths = changed_answers(config, since)
            if not paths:
                report = ValidationReport(files_checked=0, since=commit)
        if since is None or paths:
            report = validate_library(config, paths)
            report.since = commit if since is not None else None
    if not quiet:
        _notes(report, since)
    {
        OutputFormat.text: render_text,
        OutputFormat.json: lambda r: print_json(r.to_dict()),
        OutputFormat.csv: render_csv,
        OutputFormat.github: render_github,
    }[fmt](report)
    failed = report.errors > 0 or (strict and report.warnings > 0)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def _notes(report: ValidationReport, since: str | None) -> None:
    if not report.skipped and since is None:
        return  # nothing to say: Rich stays unimported
    console = stderr()
    if report.skipped:
        count = len(report.skipped)
        console.print(
            f"[yellow]note:[/] {count} file{'s' if count != 1 else ''} not in the answers "
            f"folder, not checked (not answers): {shown(', '.join(report.skipped))}",
            soft_wrap=True,
        )
    if since is not None:
        console.print(
            f"[yellow]note:[/] {report.files_checked} answer"
            f"{'s' if report.files_checked != 1 else ''} added or changed since "
            f"{shown(since)} ({(report.since or '')[:12]})",
            soft_wrap=True,
        )


def render_text(report: ValidationReport) -> None:
    """The findings grouped by file, then a one-line summary."""
    console = stdout()
    current = None
    for f in report.findings:
        if f.path != current:
            current = f.path
            console.print(f"\n[bold]{shown(f.path)}[/]")
        colour = "red" if f.severity == "error" else "yellow"
        where = f"{f.line}" if f.line else "-"
        field = f" [dim]{shown(f.field)}[/]" if f.field else ""
        console.print(
            f"  [dim]{where:>5}[/]  [{colour}]{f.severity:<7}[/] {shown(f.message)}"
            f"  [dim]({f.rule})[/]{field}"
        )
    summary = (
        f"{report.files_checked} file{'s' if report.files_checked != 1 else ''} checked: "
        f"{report.errors} error{'s' if report.errors != 1 else ''}, "
        f"{report.warnings} warning{'s' if report.warnings != 1 else ''}"
    )
    style = "red" if report.errors else ("yellow" if report.warnings else "green")
    if report.findings:
        console.print()
    console.print(f"[{style}]{summary}[/]")


def render_csv(report: ValidationReport) -> None:
    """One CSV row per finding."""
    print_csv(
        ["path", "line", "field", "rule", "severity", "message"],
        (
            [f.path, f.line or "", f.field or "", f.rule, f.severity, f.message]
            for f in report.findings
        ),
    )


def render_github(report: ValidationReport) -> None:
    """One GitHub Actions annotation per finding, at its error or warning level."""
    for f in report.findings:
        level = "notice" if f.severity == "note" else f.severity  # GitHub's word for a note
        sys.stdout.write(github_annotation(level, f.message, f.path, f.line, f"qa {f.rule}") + "\n")


def register(app: typer.Typer) -> None:
    """Add this command to the ``qa`` app."""
    from qa_tool.cli.examples import epilog

    app.command("validate", epilog=epilog("validate"))(validate)
