"""``qa refs``: import references from reference-manager files; check them (and retractions)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
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
from qa_tool.cli.examples import epilog
from qa_tool.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from qa_tool.fsutil import LOCK_TIMEOUT_SECONDS
from qa_tool.model import OutputFormat, ReportFormat

if TYPE_CHECKING:
    from qa_tool.references.importer import ImportOutcome

refs_app = typer.Typer(
    name="refs",
    help="References: import them from BibTeX, RIS, CSL-JSON or PubMed files; check them.",
    no_args_is_help=True,
)


class SourceFormat(StrEnum):
    """``qa refs import --from``: the format of the reference files (default: by extension)."""

    csl_json = "csl-json"
    bibtex = "bibtex"
    ris = "ris"
    medline = "medline"


@refs_app.command("import", epilog=epilog("refs import"))
def import_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FILE...",
            help="Reference files: .json (CSL-JSON), .bib (BibTeX/BibLaTeX), .ris, .nbib "
            "(PubMed MEDLINE).",
            show_default=False,
        ),
    ] = None,
    answer: Annotated[
        str | None,
        typer.Option(
            "--answer", "-a", metavar="ID|PATH", help="The answer to fill.", show_default=False
        ),
    ] = None,
    as_id: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="REF_ID",
            help="Fill reference REF_ID (e.g. a stub from conversion) with the one entry given.",
            show_default=False,
        ),
    ] = None,
    source_format: Annotated[
        SourceFormat | None,
        typer.Option(
            "--from",
            help="The files' format, when neither extension nor content tells.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show the change as a diff; write nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace details that differ from the file's (kept otherwise)."
        ),
    ] = False,
    lock_timeout: LockTimeoutOption = LOCK_TIMEOUT_SECONDS,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="Output: text or json.", case_sensitive=False),
    ] = ReportFormat.text,
    root: RootOption = None,
) -> None:
    """Fill an answer's references from reference files (exit 1 when details conflict).

    Entries are matched to the answer's references by DOI, then PMID, PMCID, key;
    the rest are added under their own key. Example:

        qa refs import pubmed-36109639.nbib --answer what-new-treatments --as 1
    """
    from qa_tool.references.importer import import_references

    if not files:
        raise fail(UsageError("name the reference files to import"))
    if not answer:
        raise fail(UsageError("name the answer with --answer ID|PATH"))
    config = load(root)
    with errors_to_exit():
        outcome = import_references(
            config,
            answer,
            files,
            as_id=as_id,
            fmt=source_format.value if source_format else None,
            force=force,
            dry_run=dry_run,
            lock_timeout=lock_timeout,
        )
    if fmt == ReportFormat.json:
        print_json(outcome.to_dict())
    else:
        render_import(outcome)
    raise typer.Exit(EXIT_FINDINGS if outcome.conflicts else EXIT_OK)


def _show(value: object) -> str:
    import json

    from qa_tool.references.importer import _plain

    if isinstance(value, str):
        return repr(value)
    return json.dumps(_plain(value), ensure_ascii=False)


def render_import(outcome: ImportOutcome) -> None:
    """What each import changed, per answer, on stdout; problems on stderr."""
    out, err = stdout(), stderr()
    for e in outcome.entries:
        where = shown(e.entry.where)
        ref = shown(f"[@{e.reference}]")
        for c in e.conflicts:
            err.print(
                f"[bold red]conflict:[/] {ref} from {where}: {shown(c.field)} has "
                f"{shown(_show(c.old))}, the file says {shown(_show(c.new))}; kept "
                "(--force replaces it)",
                soft_wrap=True,
            )
        if e.action != "conflict" or e.changes:
            how = f", matched by {e.matched_by}" if e.matched_by and e.matched_by != "as" else ""
            fields = ", ".join(c.field for c in e.changes)
            detail = f": {shown(fields)}" if fields else ""
            action = "updated" if e.action == "conflict" else e.action
            out.print(f"{action} {ref} from {where}{how}{detail}", soft_wrap=True)
        for note in e.all_notes:
            err.print(f"[yellow]note:[/] {where}: {shown(note)}", soft_wrap=True)
    uncited = [e.reference for e in outcome.entries if not e.cited and e.action == "added"]
    for key in uncited:
        err.print(
            f"[yellow]warning:[/] {shown(f'[@{key}]')} is not cited in the body yet: "
            f"qa validate reports it (reference-uncited, an error outside drafts) until the "
            f"body cites it as {shown(f'[@{key}]')} or it is removed",
            soft_wrap=True,
        )
    if outcome.dry_run:
        if outcome.diff:
            sys.stdout.write(outcome.diff)
        err.print(f"dry run: {shown(outcome.path)} not written", soft_wrap=True)
    elif outcome.written:
        out.print(f"wrote {shown(outcome.path)}", soft_wrap=True)
    else:
        out.print(f"{shown(outcome.path)} unchanged", soft_wrap=True)


@refs_app.command("check", epilog=epilog("refs check"))
def check_command(
    answers: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID|PATH...]",
            help="Answers by id, or files and folders (default: the whole library).",
            show_default=False,
        ),
    ] = None,
    retractions: Annotated[
        Path | None,
        typer.Option(
            "--retractions",
            metavar="FILE",
            help="The Retraction Watch CSV (default: [references] retractions in qa.toml).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output: text, json or github (GitHub Actions annotations).",
            case_sensitive=False,
        ),
    ] = OutputFormat.text,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings as errors for the exit code.")
    ] = False,
    root: RootOption = None,
) -> None:
    """Check references: cited and listed, not stubs, no duplicates, well-formed, not retracted.

    Exit 1 on errors (a retracted paper, a malformed DOI, a citation with no
    reference...), or on warnings too with --strict. Example:

        qa refs check --retractions retraction_watch.csv --format json
    """
    from qa_tool.cli.validate_cmd import render_github, render_text
    from qa_tool.references.check import check_library

    if fmt == OutputFormat.csv:
        raise fail(UsageError("--format csv: qa refs check writes text, json or github"))
    config = load(root)
    with errors_to_exit():
        report = check_library(config, answers, retractions)
    if fmt == OutputFormat.json:
        print_json(report.to_dict())
    elif fmt == OutputFormat.github:
        render_github(report)
    else:
        render_text(report)
    failed = report.errors > 0 or (strict and report.warnings > 0)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def register(app: typer.Typer) -> None:
    """Add the ``qa refs`` commands to the ``qa`` app."""
    app.add_typer(refs_app, name="refs")
