"""``qa readability``: the reading grade of each answer and section, against the target."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa_tool.cli.common import (
    FormatOption,
    OutputFormat,
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
from qa_tool.errors import shorten

if TYPE_CHECKING:
    from qa_tool.config import Config
    from qa_tool.readability import Assessment, ReadabilityReport

CSV_FIELDS = [
    "path",
    "id",
    "topic",
    "section",
    "fkgl",
    "smog",
    "smog_caveat",
    "words",
    "sentences",
    "syllables",
    "polysyllables",
    "grade",
    "target",
    "verdict",
]
SMOG_NOTE = (
    "SMOG was normed on samples of 30 sentences; for texts with fewer (marked *) "
    "the figure is an estimate."
)


def readability(
    answers: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID|PATH]...",
            help="Answers by id, or answer files and folders (default: the whole library).",
            show_default=False,
        ),
    ] = None,
    root: RootOption = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Reading grade (Flesch-Kincaid, SMOG) of each answer and section; exit 1 above target.

    Each answer and section is measured with its word, sentence and polysyllable
    counts and the hardest sentences, so a writer knows what to rewrite.

    The target is [readability] target in qa.toml (default 8, settable per topic);
    a reviewer can accept a higher grade in the answer's front matter (readability:
    accepted_grade, accepted_by, accepted_on, reason).

    Examples:

        qa readability

        qa readability immunotherapy-side-effects --format json
    """
    from qa_tool.readability import measure_library

    config = load(root)
    with errors_to_exit():
        paths = _paths(config, answers)
        report = measure_library(config, paths)
    {
        OutputFormat.text: render_text,
        OutputFormat.json: lambda r: print_json(r.to_dict(lazy=True)),
        OutputFormat.csv: render_csv,
        OutputFormat.github: render_github,
    }[fmt](report)
    if report.errors and fmt != OutputFormat.json:
        console = stderr()
        for e in report.errors:
            where = f"{e['path']}:{e['line']}" if e["line"] else e["path"]
            console.print(f"[bold red]qa:[/] {shown(where)}: {shown(e['message'])}")
    raise typer.Exit(1 if report.over_target or report.errors else 0)


def _paths(config: Config, given: list[str] | None) -> list[str] | None:
    """Existing files and folders as they are; anything else is an answer id."""
    if not given:
        return None
    from qa_tool.library import find_answer

    out = []
    for ref in given:
        if Path(ref).exists() or ref.endswith(".md") or "/" in ref:
            out.append(ref)
        else:
            out.append(str(find_answer(config, ref)))
    return out


def _grade(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render_text(report: ReadabilityReport) -> None:
    """The grade of each answer as a table, those above target marked, then a summary."""
    from rich.table import Table

    from qa_tool.readability import SECTION_TITLES

    console = stdout()
    caveat = False
    for a in report.assessments():
        colour = {"above-target": "red", "accepted": "yellow"}.get(a.verdict, "green")
        verdict = {
            "above-target": f"above target {a.target:g}",
            "accepted": f"above target {a.target:g}, accepted to grade "
            f"{a.accepted.grade:g} by {a.accepted.by}"
            if a.accepted
            else "",
            "too-short": "too short to grade",
        }.get(a.verdict, f"within target {a.target:g}")
        console.print(
            f"\n[bold]{shown(a.rel)}[/]  grade [{colour}]{_grade(a.grade)}[/] "
            f"({a.formula.upper() if a.formula != 'max' else 'higher of FKGL and SMOG'}): "
            f"[{colour}]{shown(verdict)}[/]"
        )
        table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 2, 0, 2))
        for name in ("section", "FKGL", "SMOG", "words", "sentences", "polysyllables"):
            table.add_column(name, justify="left" if name == "section" else "right")
        rows = [("Whole answer", a.measure.total)] + [
            (SECTION_TITLES[k], c) for k, c in a.measure.sections.items() if c.words
        ]
        for title, c in rows:
            star = "*" if c.smog_caveat and c.sentences else ""
            caveat = caveat or bool(star)
            table.add_row(
                shown(title),
                _grade(c.fkgl),
                _grade(c.smog) + star,
                str(c.words),
                str(c.sentences),
                str(c.polysyllables),
            )
        console.print(table)
        if a.hardest_lines() and a.verdict != "ok":
            console.print("  [dim]hardest sentences (line, how much each raises the grade):[/]")
            for line, h in a.hardest_lines():
                console.print(
                    f"  [dim]{line:>5}[/]  +{h.raises_by:.2f}  {shown(shorten(h.text, 110))}"
                )
    n = report.measured
    above = report.over_target
    style = "red" if above else "green"
    console.print(
        f"\n[{style}]{n} answer{'s' if n != 1 else ''} measured: "
        f"{above} above target[/]" + (f"  [dim]{SMOG_NOTE}[/]" if caveat else "")
    )


def render_csv(report: ReadabilityReport) -> None:
    """One CSV row per answer and section (``all`` for the whole body)."""

    def rows(a: Assessment):
        counts = [("all", a.measure.total), *a.measure.sections.items()]
        for section, c in counts:
            whole = section == "all"
            yield [
                a.rel,
                a.id or "",
                a.topic or "",
                section,
                "" if c.fkgl is None else c.fkgl,
                "" if c.smog is None else c.smog,
                str(c.smog_caveat).lower(),
                c.words,
                c.sentences,
                c.syllables,
                c.polysyllables,
                ("" if a.grade is None else a.grade) if whole else "",
                a.target if whole else "",
                a.verdict if whole else "",
            ]

    print_csv(CSV_FIELDS, (row for a in report.assessments() for row in rows(a)))


def render_github(report: ReadabilityReport) -> None:
    """One GitHub Actions warning per answer above target, on its hardest line."""
    for a in report.above_target():
        hard = a.hardest_lines()
        line = hard[0][0] if hard else a.body_line
        sys.stdout.write(
            github_annotation("warning", a.message(), a.rel, line, "qa readability") + "\n"
        )


def register(app: typer.Typer) -> None:
    """Add this command to the ``qa`` app."""
    from qa_tool.cli.examples import epilog

    app.command("readability", epilog=epilog("readability"))(readability)
