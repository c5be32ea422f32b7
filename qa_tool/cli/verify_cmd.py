"""``qa verify``: check a bundle against its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa_tool.cli.common import errors_to_exit, print_json, shown, stdout
from qa_tool.errors import EXIT_FINDINGS, EXIT_OK
from qa_tool.model import ReportFormat

if TYPE_CHECKING:
    from qa_tool.bundle import VerifyReport


def verify(
    bundle: Annotated[
        Path,
        typer.Argument(
            help="A bundle written by qa export: a folder, .zip or .tar.gz.", show_default=False
        ),
    ],
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="Output: text or json.", case_sensitive=False),
    ] = ReportFormat.text,
) -> None:
    """Check a bundle against its manifest (exit 1 naming each missing, extra or altered file)."""
    from qa_tool.bundle import verify_bundle

    with errors_to_exit():
        report = verify_bundle(bundle)
    if fmt == ReportFormat.json:
        print_json(report.to_dict())
    else:
        render_text(report)
    raise typer.Exit(EXIT_OK if report.intact else EXIT_FINDINGS)


def render_text(report: VerifyReport) -> None:
    """One line when the bundle is intact, else each problem on its own line."""
    console = stdout()
    manifest = report.manifest or {}
    if report.intact:
        commit = (manifest.get("library") or {}).get("git_commit")
        tool = manifest.get("tool") or {}
        count = manifest.get("answer_count")
        details = [
            f"{count} answer{'s' if count != 1 else ''}",
            f"made by {tool.get('name')} {tool.get('version')}",
            f"created {manifest.get('created')}",
        ]
        if commit:
            details.append(f"commit {commit[:12]}")
        console.print(
            f"[green]{shown(report.bundle)}: intact[/]: {report.files_checked} files match "
            f"the manifest ({shown(', '.join(details))})"
        )
        return
    n = len(report.problems)
    console.print(f"[red]{shown(report.bundle)}: {n} problem{'s' if n != 1 else ''}[/]")
    for problem in report.problems:
        console.print(
            f"  [red]{problem.kind:<10}[/] {shown(problem.path)}  [dim]{shown(problem.message)}[/]"
        )


def register(app: typer.Typer) -> None:
    """Add this command to the ``qa`` app."""
    from qa_tool.cli.examples import epilog

    app.command("verify", epilog=epilog("verify"))(verify)
