"""``qa validate``: every rule an answer must meet, as findings.

Field rules come from ``schemas/answer.schema.json``; this module adds the
rules a schema cannot state (sections in the body, citations against
references, id against file name, topic against folder, dates against each
other). Findings never stop the run: every file is checked.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qa_tool.answerfile.read import Answer
from qa_tool.body import PLACEHOLDER_MARKER, malformed_citations, parse_body, placeholder_lines
from qa_tool.config import Config
from qa_tool.dates import as_date
from qa_tool.doubts import describe_stored, open_doubts
from qa_tool.errors import AnswerFileError, shorten
from qa_tool.library import (
    Found,
    LoadResult,
    answer_paths,
    load_answers,
    relative,
    scan_markdown,
    select_paths,
)
from qa_tool.model import REQUIRED_SECTIONS, SectionTitle, Status
from qa_tool.references import is_stub
from qa_tool.schema import SchemaIssue, check_front_matter, json_path
from qa_tool.schema import prepare as prepare_schema
from qa_tool.workers import map_chunks

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem in one file. ``field`` is a JSON path such as ``$.references[0].PMID``."""

    path: str
    line: int | None
    field: str | None
    rule: str
    severity: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ValidationReport:
    """What ``qa validate`` found: how many files were checked, and every finding."""

    files_checked: int
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # given, but not in the answers folder
    since: str | None = None  # the commit --since resolved to

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)

    @property
    def files_with_errors(self) -> int:
        return len({f.path for f in self.findings if f.severity == ERROR})

    def to_dict(self) -> dict:
        return {
            "version": 1,
            "files_checked": self.files_checked,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_dict() for f in self.findings],
            "skipped": self.skipped,
        }


def is_reference_stub(ref: object) -> bool:
    """A reference that says nothing a reader could find (:func:`qa_tool.references.is_stub`)."""
    return isinstance(ref, dict) and is_stub(ref)


def file_error_finding(config: Config, exc: AnswerFileError, severity: str = ERROR) -> Finding:
    """A file that could not be read, as a finding on that file."""
    return Finding(relative(config, exc.path), exc.line, None, exc.rule, severity, exc.message)


def validate_library(
    config: Config,
    paths: Sequence[str] | None = None,
    today: dt.date | None = None,
    workers: int | None = None,
) -> ValidationReport:
    """Check the answers at ``paths`` (default: the whole library).

    Files are read and checked in worker processes when there are many; the
    report is the same either way.
    """
    today = today or dt.date.today()
    files, odd = select_paths(config, paths)
    skipped: list[str] = []
    if paths:
        # Only answers are checked: a README, docs or templates named (say, by a hook
        # running on every *.md) are said to be skipped, not reported as broken answers.
        skipped = [_shown(config, f.path) for f in files if not _in_answers(config, f.path)]
        files = [f for f in files if _in_answers(config, f.path)]
        odd = [p for p in odd if _in_answers(config, p)]
    all_files = files if not paths else scan_markdown(config.answers_dir)[0]
    stems = _stems(config, [f.path for f in all_files])
    prepare_schema()  # compiled once, before workers fork
    if config.references.retractions:  # a missing file is an error now; workers inherit it
        from qa_tool.references.retractions import load_index

        load_index(config)
    # The id table can be large: forked workers inherit it instead of receiving a
    # copy with every chunk.
    shared = (config, stems, today)
    parts = list(map_chunks(_validate_chunk, files, shared=shared, workers=workers))
    parts.append(_validate_files(config, [], odd, stems, today))
    report = ValidationReport(files_checked=sum(p.files_checked for p in parts), skipped=skipped)
    for part in parts:
        report.findings.extend(part.findings)
    report.findings.sort(key=lambda f: (f.path, f.line or 0, f.rule))
    return report


def changed_answers(config: Config, ref: str) -> tuple[str, list[str]]:
    """``(commit, paths)``: the answer files added or changed since ``ref`` (a commit, branch
    or tag; uncommitted and untracked changes count), for ``qa validate --since``."""
    from qa_tool.export import changed_since

    commit, paths = changed_since(config, ref)
    return commit, sorted(str(p) for p in paths if p.suffix == ".md" and p.is_file())


def _in_answers(config: Config, path: Path) -> bool:
    try:
        where = Path(os.path.realpath(path.parent)) / path.name
    except OSError:
        where = path
    return where.is_relative_to(config.answers_dir)


def _shown(config: Config, path: Path) -> str:
    try:
        return relative(config, path)
    except ValueError:
        return str(path)


def _validate_chunk(
    shared: tuple[Config, dict[str, list[str]], dt.date], files: Sequence[Found]
) -> list[ValidationReport]:
    """One chunk's report (in a worker, or for every file in this process)."""
    config, stems, today = shared
    return [_validate_files(config, files, (), stems, today)]


def _stems(config: Config, paths: Sequence[Path]) -> dict[str, list[str]]:
    stems: dict[str, list[str]] = defaultdict(list)
    for p in paths:
        stems[p.stem].append(relative(config, p))
    return stems


def _validate_files(
    config: Config, files: Sequence[Found], odd: Sequence[Path], stems, today: dt.date
) -> ValidationReport:
    loaded = load_answers(config, files, odd, workers=1)
    return _check_loaded(config, loaded, stems, today)


def validate_loaded(
    config: Config, loaded: LoadResult, today: dt.date | None = None
) -> ValidationReport:
    """Check answers already read (for callers that loaded them for another purpose)."""
    stems = _stems(config, answer_paths(config))
    report = _check_loaded(config, loaded, stems, today or dt.date.today())
    report.findings.sort(key=lambda f: (f.path, f.line or 0, f.rule))
    return report


def _check_loaded(
    config: Config, loaded: LoadResult, stems: dict[str, list[str]], today: dt.date
) -> ValidationReport:
    report = ValidationReport(files_checked=loaded.files_seen)
    report.findings.extend(file_error_finding(config, e) for e in loaded.failures)
    report.findings.extend(file_error_finding(config, e, WARNING) for e in loaded.warnings)
    for answer in loaded.answers:
        report.findings.extend(check_answer(answer, config, stems, today))
    report.findings.extend(_readability_findings(config, loaded.answers))
    return report


def _readability_findings(config: Config, answers: Sequence[Answer]) -> list[Finding]:
    """Advisory: an answer reading above its target grade (measures come from the cache)."""
    from qa_tool.readability import assess, measures_for

    findings = []
    measures = measures_for(config, list(answers), workers=1)
    for answer in answers:
        measure = measures.get(answer.rel)
        if measure is None or isinstance(measure, AnswerFileError):
            continue
        result = assess(answer, config.readability, measure)
        if result.over_target:
            hard = result.hardest_lines()
            line = hard[0][0] if hard else answer.body_line
            findings.append(
                Finding(
                    answer.rel, line, None, "readability-above-target", WARNING, result.message()
                )
            )
    return findings


def check_answer(
    answer: Answer, config: Config, stems: dict[str, list[str]], today: dt.date
) -> list[Finding]:
    """Every finding for one parsed answer."""
    out: list[Finding] = []

    def add(rule: str, message: str, parts: tuple = (), severity: str = ERROR, line=None) -> None:
        if line is None and parts:
            line = answer.line_of(parts)
        out.append(
            Finding(answer.rel, line, json_path(parts) if parts else None, rule, severity, message)
        )

    meta = answer.meta
    for issue in check_front_matter(meta):
        line = answer.line_of(issue.field_path) if issue.field_path else None
        message = _octal_message(answer, issue, line) or issue.message
        add(f"schema-{issue.keyword}", message, issue.field_path, line=line)

    _check_identity(answer, config, stems, add)
    _check_dates(meta, today, add)
    _check_body(answer, add)
    _check_references(answer, config, add)
    _check_placeholders(answer, add)
    _check_doubts(answer, add)
    return out


def _check_references(answer: Answer, config: Config, add) -> None:
    """The references rules (:mod:`qa_tool.references.check`); with a retractions file
    configured, each reference is also screened against it."""
    from qa_tool.references.check import check_references
    from qa_tool.references.retractions import load_index

    index = load_index(config) if config.references.retractions else None
    check_references(answer, config, add, index=index)


def _check_doubts(answer: Answer, add) -> None:
    """Each doubt ``qa convert`` left open is a warning until a review clears it."""
    for n, doubt in enumerate(open_doubts(answer.meta)):
        add(
            "conversion-doubt",
            f"conversion doubt, {describe_stored(doubt)}; check it, then record a review "
            "(qa review) to clear it",
            ("legacy", "doubts", n),
            WARNING,
        )


_OCTAL = re.compile(r":[ \t]*([-+]?0[0-7_]+)[ \t]*(?:#.*)?$")


def _octal_message(answer: Answer, issue: SchemaIssue, line: int | None) -> str | None:
    """YAML 1.1 reads ``PMID: 034741536`` as the octal number 7586654: say so, and to quote it."""
    if issue.keyword != "type" or type(issue.value) is not int or line is None:
        return None
    lines = answer.front_matter.split("\n")
    match = _OCTAL.search(lines[line - 2]) if 0 <= line - 2 < len(lines) else None
    if match is None:
        return None
    key = issue.field_path[-1] if issue.field_path else "value"
    written = match.group(1)
    return (
        f"{key}: YAML reads {written} as the octal number {issue.value}; quote it to keep it "
        f'as written, e.g. {key}: "{written}"'
    )


def _check_identity(answer: Answer, config: Config, stems, add) -> None:
    stem = answer.path.stem
    if answer.id is not None and answer.id != stem:
        add(
            "id-stem",
            f"id {answer.id!r} differs from the file name {stem!r}.md; "
            "rename the file or fix the id (ids never change once published)",
            ("id",),
        )
    others = [p for p in stems.get(stem, []) if p != answer.rel]
    if others:
        add(
            "id-unique",
            f"id {stem!r} is also used by {', '.join(others)}; ids must be unique",
            ("id",) if "id" in answer.meta else (),
        )
    topic = answer.meta.get("topic")
    if not isinstance(topic, str):
        return
    names = {t.name: t for t in config.topics}
    if topic not in names:
        known = ", ".join(names)
        add(
            "topic-unknown",
            f"topic {topic!r} is not one of the library's topics ({known})",
            ("topic",),
        )
        return
    folder = answer.path.parent.name
    if folder != names[topic].folder:
        add(
            "topic-folder",
            f"topic {topic!r} belongs in {names[topic].folder}/, "
            f"but the file is in {folder}/; move it",
            ("topic",),
        )


def _check_dates(meta: dict, today: dt.date, add) -> None:
    last = as_date(meta.get("last_reviewed"))
    due = as_date(meta.get("review_due"))
    created = as_date(meta.get("created"))
    if last and due and due < last:
        add(
            "review-due-order",
            f"review_due {due} is before last_reviewed {last}; set a later review_due or remove it",
            ("review_due",),
        )
    if last and last > today:
        add("date-in-future", f"last_reviewed {last} is in the future", ("last_reviewed",), WARNING)
    if created and last and last < created:
        add(
            "review-before-created",
            f"last_reviewed {last} is before created {created}",
            ("last_reviewed",),
            WARNING,
        )


def _check_placeholders(answer: Answer, add) -> None:
    """Template placeholders may stay in a draft; anything further along must have none.

    One finding per marked line, so the writer sees every spot left to fill.
    """
    if answer.status == Status.draft:
        return
    status = answer.status or f"not {Status.draft}"
    message = (
        f"placeholder text from the template is still here ({PLACEHOLDER_MARKER}); "
        f"replace it and remove the marker, or set status back to {Status.draft} "
        f"(status is {status})"
    )
    for line in placeholder_line_numbers(answer):
        add("placeholder-left", message, line=line)


def placeholder_line_numbers(answer: Answer) -> list[int]:
    """The file lines (1-based) that still carry the template's placeholder marker."""
    lines = [n + 2 for n in placeholder_lines(answer.front_matter)]  # +1 for the opening '---'
    lines += [answer.body_line + n for n in placeholder_lines(answer.body)]
    return lines


def placeholder_findings(answer: Answer) -> list[Finding]:
    """One error per line still holding template text, whatever the status (for gates)."""
    return [
        Finding(
            answer.rel,
            line,
            None,
            "placeholder-left",
            ERROR,
            f"placeholder text from the template is still here ({PLACEHOLDER_MARKER})",
        )
        for line in placeholder_line_numbers(answer)
    ]


def _check_body(answer: Answer, add) -> None:
    for n, group in malformed_citations(answer.body):
        add(
            "citation-syntax",
            f"malformed citation {shorten(group)}: each part between ';' needs a key, "
            "as in [@1; @2]",
            severity=WARNING,
            line=answer.body_line + n,
        )
    is_draft = answer.status == Status.draft
    body = parse_body(answer.body)
    if not is_draft:
        for title in REQUIRED_SECTIONS:
            if body.section(title) is None:
                add(
                    "section-missing",
                    f"the body has no '## {title}' section; add it",
                    line=answer.body_line,
                )
        doctor = body.section(SectionTitle.doctor)
        if doctor is not None and not doctor.list_items:
            add(
                "no-doctor-questions",
                f"'{SectionTitle.doctor}' lists no question; add '- question?' lines",
                line=answer.body_line + doctor.line,
            )
