"""``qa report``: the library's health as one self-contained HTML page, or its numbers as JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from qa_tool.cli.common import (
    RootOption,
    TopicsOption,
    errors_to_exit,
    fail,
    load,
    print_json,
    split_list,
    stderr,
)

GENERATOR = "qa report"


class ReportOutput(StrEnum):
    """``--format`` of ``qa report``: a page for people, or the numbers for scripts."""

    html = "html"
    json = "json"


def report(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Where to write the report (HTML needs it; JSON goes to stdout without it).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Report as of this date (YYYY-MM-DD) instead of today.",
            show_default=False,
        ),
    ] = None,
    topic: TopicsOption = None,
    within: Annotated[
        str,
        typer.Option(
            "--within",
            metavar="INTERVAL",
            help="The window for 'due soon': 30d, 2w, 3m or 1y.",
        ),
    ] = "30d",
    fmt: Annotated[
        ReportOutput,
        typer.Option(
            "--format", "-f", help="html (a page to open and print) or json.", case_sensitive=False
        ),
    ] = ReportOutput.html,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an existing file that is not an earlier report."),
    ] = False,
    root: RootOption = None,
) -> None:
    """The state of the library as one self-contained HTML page, or its numbers as JSON.

    Sections: review backlog, what falls due, reviewer workload, evidence health
    and coverage.

    Answers named in the page link to their exported pages when the report is written
    beside an exported HTML bundle (its html/ or data/html/ folder), else name their paths.

    Examples:

        qa report --out report.html

        qa report --format json --as-of 2026-12-01 --topic Oncology
    """
    import datetime as dt

    from qa_tool.dates import parse_iso_date
    from qa_tool.report import build_report

    config = load(root)
    if fmt == ReportOutput.html and out is None:
        from qa_tool.errors import UsageError

        raise fail(UsageError("an HTML report needs --out FILE (e.g. --out report.html)"))
    with errors_to_exit():
        day = parse_iso_date(as_of, "--as-of") if as_of is not None else dt.date.today()
        target = out.absolute() if out is not None else None
        if target is not None:
            _check_target(target, force)
        data = build_report(
            config, as_of=day, topics=split_list(topic, "--topic"), within=within, out=target
        )
    if fmt == ReportOutput.json:
        data = {"generator": GENERATOR, **data}
        if target is None:
            print_json(data)
            return
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        try:
            from qa_tool.report_html import render_html
        except ImportError:  # pragma: no cover - pygal is a dependency
            raise fail("the HTML report needs pygal: pip install pygal") from None
        text = render_html(data).replace(
            "<head>", f'<head><meta name="generator" content="{GENERATOR}"/>', 1
        )
    assert target is not None
    from qa_tool.fsutil import atomic_write

    try:
        atomic_write(target, text.encode("utf-8"))
    except OSError as exc:
        raise fail(f"{out}: cannot write the report: {exc.strerror or exc}") from None
    stderr().print(f"wrote {out} ({data['answers']} answers, as of {data['as_of']})")


def _check_target(target: Path, force: bool) -> None:
    """Refuse to replace a file that is not an earlier report, unless --force."""
    from qa_tool.errors import UsageError
    from qa_tool.fsutil import open_regular

    if not target.parent.is_dir():
        raise UsageError(f"{target.parent}: no such folder")
    if target.is_dir():
        raise UsageError(f"{target}: is a folder; give a file name")
    if not target.exists() or force:
        return
    try:
        with open_regular(target) as handle:
            head = handle.read(4096)
    except OSError:
        head = b""
    ours = (
        f'content="{GENERATOR}"'.encode() in head or f'"generator": "{GENERATOR}"'.encode() in head
    )
    if not ours:
        raise UsageError(
            f"{target}: exists and is not an earlier qa report; choose another name or --force"
        )


def register(app: typer.Typer) -> None:
    """Add ``qa report`` to the application."""
    from qa_tool.cli.examples import epilog

    app.command("report", epilog=epilog("report"))(report)
