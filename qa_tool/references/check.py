"""The references rules: what ``qa refs check`` reports, and ``qa validate`` with it.

For one answer (:func:`check_references`):

- ``citation-unknown``: ``[@key]`` in the body with no reference (error; warning in a draft);
- ``reference-uncited``: a reference the body never cites (error; warning in a draft);
- ``reference-stub``: a reference with no details (warning; for a published answer,
  ``qa.toml``'s ``[references] published_stubs``, default warning);
- ``reference-duplicate``: the same DOI (any case) or PMID under two ids (error);
- ``reference-malformed``: a DOI, PMID, PMCID or URL that is not one (error), with the
  tidy form when there is one (``https://doi.org/10...`` -> ``10...``);
- ``reference-retracted``: the paper is retracted (error), or has an expression of
  concern, a correction or another notice (warning), per the Retraction Watch file;
  a reference with ``retraction_acknowledged: {by, date}`` gets a note instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_tool.model import Status
from qa_tool.references import is_stub
from qa_tool.references.identifiers import (
    DOI_RE,
    PMCID_RE,
    PMID_RE,
    doi_key,
    is_url,
    normal_doi,
    normal_pmcid,
    normal_pmid,
)
from qa_tool.validate import ERROR, WARNING, Finding

NOTE = "note"  # a finding that is told, not counted (an acknowledged retraction)
RETRACTED_RULE = "reference-retracted"

Add = Callable[..., None]


@dataclass(frozen=True)
class Retracted:
    """One reference of one answer that a retractions file names."""

    reference: str
    index: int
    nature: str
    date: str | None
    reasons: tuple[str, ...]
    record_id: str
    acknowledged: dict[str, str] | None = None
    severity: str = ERROR
    matched: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        how = ", ".join(f"{k} {v}" for k, v in self.matched.items())
        when = f" on {self.date}" if self.date else ""
        why = f"; reason: {'; '.join(self.reasons)}" if self.reasons else ""
        text = (
            f"reference {self.reference} ({how}): {self.nature}{when} "
            f"(Retraction Watch record {self.record_id}){why}"
        )
        if self.acknowledged:
            text += (
                f"; cited on purpose, acknowledged by {self.acknowledged['by']} "
                f"on {self.acknowledged['date']}"
            )
        elif self.severity == ERROR:
            text += "; replace it, or acknowledge it (retraction_acknowledged: {by, date})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "nature": self.nature,
            "date": self.date,
            "reasons": list(self.reasons),
            "record_id": self.record_id,
            "matched": dict(self.matched),
            "acknowledged": self.acknowledged,
        }


def _references(meta: Any) -> list[tuple[int, str, Any]]:
    refs = meta.get("references") if hasattr(meta, "get") else None
    if not isinstance(refs, list):
        return []
    return [
        (n, str(ref["id"]), ref)
        for n, ref in enumerate(refs)
        if hasattr(ref, "get") and ref.get("id") is not None
    ]


def acknowledgement(ref: Any) -> dict[str, str] | None:
    """``retraction_acknowledged`` as ``{by, date[, note]}`` when complete, else None."""
    value: Any = ref.get("retraction_acknowledged") if hasattr(ref, "get") else None
    if value is None or not hasattr(value, "get"):
        return None
    by, date = value.get("by"), value.get("date")
    if not isinstance(by, str) or not by.strip():
        return None
    if isinstance(date, dt.date):
        date = date.isoformat()
    if not isinstance(date, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.strip()):
        return None
    out = {"by": by.strip(), "date": date.strip()}
    if isinstance(value.get("note"), str):
        out["note"] = value["note"]
    return out


def severity_of(nature: str) -> str:
    """Retraction: error; expression of concern, correction and other notices: warning;
    a reinstatement (the retraction was withdrawn): a note."""
    folded = nature.strip().casefold()
    if folded == "retraction":
        return ERROR
    if folded == "reinstatement":
        return NOTE
    return WARNING


def retractions_in(meta: Any, index: Any) -> list[Retracted]:
    """Every reference of ``meta`` that the retraction index names (one per record)."""
    found = []
    for n, ref_id, ref in _references(meta):
        doi = normal_doi(ref.get("DOI"))
        pmid = normal_pmid(ref.get("PMID"))
        if not index.candidates(doi, pmid):
            continue
        ack = acknowledgement(ref)
        for record in index.lookup(doi=doi, pmid=pmid):
            matched = {}
            if doi:
                matched["DOI"] = doi
            if pmid:
                matched["PMID"] = pmid
            severity = severity_of(record.nature)
            if ack and severity != NOTE:
                severity = NOTE
            found.append(
                Retracted(
                    ref_id,
                    n,
                    record.nature,
                    record.date,
                    record.reasons,
                    record.record_id,
                    ack,
                    severity,
                    matched,
                )
            )
    return found


def check_references(
    answer: Any,
    config: Any,
    add: Add,
    *,
    index: Any = None,
    malformed: bool = False,
) -> None:
    """Report every references finding of one answer through ``add(rule, message, parts,
    severity, line)`` (the validate callback). ``malformed``: also the identifier rules
    (``qa validate`` has them from the schema already)."""
    from qa_tool.body import citations

    status = answer.status
    is_draft = status == Status.draft
    refs = _references(answer.meta)
    ref_ids: dict[str, int] = {}
    for n, ref_id, _ref in refs:
        ref_ids.setdefault(ref_id, n)
    severity = WARNING if is_draft else ERROR
    cited: set[str] = set()
    for cite in citations(answer.body):
        cited.add(cite.key)
        if cite.key not in ref_ids:
            add(
                "citation-unknown",
                f'[@{cite.key}] has no entry in references; add one with id: "{cite.key}"',
                severity=severity,
                line=answer.body_line + cite.line,
            )
    stub_severity = WARNING
    if status == Status.published and config.references.published_stubs == ERROR:
        stub_severity = ERROR
    seen: dict[tuple[str, str], str] = {}
    for n, ref_id, ref in refs:
        if ref_ids.get(ref_id) != n:
            continue  # a second entry with the same id: the schema check's business
        if ref_id not in cited:
            add(
                "reference-uncited",
                f"reference {ref_id} is never cited; cite it as [@{ref_id}] or remove it",
                ("references", n),
                severity,
            )
        if is_stub(ref):
            where = " (published answer)" if status == Status.published else ""
            add(
                "reference-stub",
                f"reference {ref_id} has no details{where}; add its title, DOI or PMID "
                f"(qa refs import FILE --answer {answer.id or answer.path.stem} --as {ref_id})",
                ("references", n),
                stub_severity,
            )
        for key, value in (("DOI", ref.get("DOI")), ("PMID", ref.get("PMID"))):
            tidy = normal_doi(value) if key == "DOI" else normal_pmid(value)
            if not tidy:
                continue
            marker = (key, doi_key(tidy) if key == "DOI" else tidy)
            if marker in seen and seen[marker] != ref_id:
                add(
                    "reference-duplicate",
                    f"reference {ref_id} has the same {key} as reference {seen[marker]} "
                    f"({tidy}); cite one id for one work",
                    ("references", n, key),
                    ERROR,
                )
            seen.setdefault(marker, ref_id)
        if malformed:
            _check_identifiers(ref, n, ref_id, add)
    if index is not None:
        for hit in retractions_in(answer.meta, index):
            add(RETRACTED_RULE, hit.message, ("references", hit.index), hit.severity)


def _check_identifiers(ref: Any, n: int, ref_id: str, add: Add) -> None:
    checks = (
        ("DOI", DOI_RE, normal_doi, "a DOI such as 10.1038/nrclinonc.2013.84"),
        ("PMID", PMID_RE, normal_pmid, 'a PubMed id in digits, quoted, e.g. "23736648"'),
        ("PMCID", PMCID_RE, normal_pmcid, "PMC and digits, e.g. PMC1234567"),
    )
    for key, pattern, tidy, shape in checks:
        value = ref.get(key)
        if value is None:
            continue
        if isinstance(value, str) and pattern.match(value):
            continue
        fixed = tidy(value)
        hint = f"write {key}: {fixed}" if fixed else f"it should be {shape}"
        add(
            "reference-malformed",
            f"reference {ref_id}: {key} {value!r} is not well-formed; {hint}",
            ("references", n, key),
            ERROR,
        )
    url = ref.get("URL")
    if url is not None and not is_url(url):
        add(
            "reference-malformed",
            f"reference {ref_id}: URL {url!r} is not a web address (http:// or https://)",
            ("references", n, "URL"),
            ERROR,
        )


# ---------------------------------------------------------------------------- qa stale

_ID_LINE = re.compile(rb"^\s*-?\s*(DOI|PMID)\s*:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


def answers_citing_retracted(
    config: Any, paths: Sequence[tuple[str, Path]], index: Any
) -> dict[str, list[Retracted]]:
    """Of the answers at ``paths`` ((rel, path) pairs), those citing a retracted paper
    (an unacknowledged Retraction), with what they cite.

    Built for ``qa stale``, which reads summaries without references: each file's
    front matter is scanned for DOI and PMID lines first, and only a file with an
    identifier in the index is read in full.
    """
    from qa_tool.answerfile.read import read_answer
    from qa_tool.errors import AnswerFileError

    out: dict[str, list[Retracted]] = {}
    for rel, path in paths:
        if not _front_names_candidate(config, path, index):
            continue
        try:
            answer = read_answer(path, rel, config.max_file_bytes)
        except AnswerFileError:
            continue
        hits = [h for h in retractions_in(answer.meta, index) if h.severity == ERROR]
        if hits:
            out[rel] = hits
    return out


def _front_names_candidate(config: Any, path: Path, index: Any) -> bool:
    """Whether the front matter of the file at ``path`` has a DOI or PMID line that the
    retraction index holds (a scan of its bytes; no YAML is parsed)."""
    from qa_tool.fsutil import open_regular

    try:
        with open_regular(path) as handle:
            head = handle.read(config.max_file_bytes)
    except OSError:
        return False  # reported by the summary pass
    end = head.find(b"\n---", 3)
    front = head[: end if end > 0 else len(head)]
    return any(
        index.candidates(
            normal_doi(value.decode("utf-8", "replace")) if kind == b"DOI" else None,
            normal_pmid(value.decode("utf-8", "replace")) if kind == b"PMID" else None,
        )
        for kind, value in _ID_LINE.findall(front)
    )


# ---------------------------------------------------------------------------- qa refs check


@dataclass(frozen=True)
class ReferenceFinding(Finding):
    """A validate :class:`~qa_tool.validate.Finding` plus the answer and reference it is
    about, and the retraction record when there is one (``qa refs check --format json``)."""

    answer: str | None = None
    reference: str | None = None
    retraction: dict[str, Any] | None = None


def check_library(
    config: Any, targets: Sequence[str] | None = None, retractions: Path | str | None = None
) -> Any:
    """``qa refs check``: the references rules (identifiers included) for the answers named
    by id or path (default: all), screened against the retractions file when one is given
    or configured. Returns a :class:`~qa_tool.validate.ValidationReport` of
    :class:`ReferenceFinding`; RetractionsFileError for a file that cannot be used.

    Files are read and checked in worker processes when there are many (each sends back
    its findings only, not the answers it read); the report is the same either way.
    """
    from qa_tool.library import find_answer, select_paths
    from qa_tool.references.retractions import load_index
    from qa_tool.validate import ValidationReport
    from qa_tool.workers import map_chunks

    index = load_index(config, retractions)  # before workers fork: they inherit it
    paths = None
    if targets:
        paths = []
        for target in targets:
            if Path(target).exists() or Path(target).is_symlink():
                paths.append(target)
            else:
                paths.append(str(find_answer(config, target)))
    files, _folders = select_paths(config, paths)  # a folder named x.md is no answer to check
    report = ValidationReport(files_checked=0)
    for files_seen, findings in map_chunks(_check_chunk, files, shared=(config, index)):
        report.files_checked += files_seen
        report.findings.extend(findings)
    report.findings.sort(key=lambda f: (f.path, f.line or 0, f.rule))
    return report


def _check_chunk(shared: tuple[Any, Any], files: Sequence[Any]) -> list[tuple[int, list[Any]]]:
    """One chunk's files read and checked (in a worker, or all of them here): how many files
    were seen, and their findings."""
    from qa_tool.library import load_answers
    from qa_tool.validate import file_error_finding

    config, index = shared
    loaded = load_answers(config, files, workers=1)
    findings: list[ReferenceFinding] = []
    for failure in loaded.failures:
        f = file_error_finding(config, failure)
        findings.append(ReferenceFinding(f.path, f.line, None, f.rule, f.severity, f.message))
    for answer in loaded.answers:
        findings.extend(_answer_findings(config, answer, index))
    return [(loaded.files_seen, findings)]


def _answer_findings(config: Any, answer: Any, index: Any) -> list[ReferenceFinding]:
    """Every references finding of one answer, as ``qa refs check`` reports it."""
    from qa_tool.schema import json_path

    found: list[ReferenceFinding] = []
    refs = {n: ref_id for n, ref_id, _ in _references(answer.meta)}
    hits = {h.message: h for h in retractions_in(answer.meta, index)} if index else {}

    def add(rule, message, parts=(), severity=ERROR, line=None):
        if line is None and parts:
            line = answer.line_of(parts)
        n = parts[1] if len(parts) > 1 and parts[0] == "references" else None
        hit = hits.get(message) if rule == RETRACTED_RULE else None
        found.append(
            ReferenceFinding(
                answer.rel,
                line,
                json_path(parts) if parts else None,
                rule,
                severity,
                message,
                answer.id or answer.path.stem,
                refs.get(n) if n is not None else None,
                hit.to_dict() if hit else None,
            )
        )

    check_references(answer, config, add, index=index, malformed=True)
    return found


# ---------------------------------------------------------------------------- qa export


def export_notes(config: Any, answers: Sequence[Any]) -> list[str]:
    """One line per exported published answer whose page shows stub references or cites a
    retracted paper (the retractions file as configured), for ``qa export`` to say on stderr.

    The answers may be summaries: the stub count is the summary's fact
    (:data:`qa_tool.answerfile.read.FACTS_KEY`); retractions are found as ``qa stale`` finds them.
    """
    from qa_tool.answerfile.read import FACTS_KEY

    published = [a for a in answers if a.status == Status.published]
    notes = []
    retracted: dict[str, list[Retracted]] = {}
    if config.references.retractions and published:
        from qa_tool.references.retractions import load_index

        index = load_index(config)
        retracted = answers_citing_retracted(config, [(a.rel, a.path) for a in published], index)
    for answer in published:
        facts = answer.read_meta().get(FACTS_KEY) or {}  # not kept: an export holds many
        stubs = int(facts.get("stubs", 0) or 0)
        if stubs:
            notes.append(
                f"{answer.rel}: published with {stubs} stub reference{'s' if stubs != 1 else ''} "
                "(the page says 'details not recorded'; qa refs check lists them)"
            )
        for hit in retracted.get(answer.rel, []):
            when = f" {hit.date}" if hit.date else ""
            notes.append(
                f"{answer.rel}: published, cites a retracted paper: reference {hit.reference} "
                f"({hit.nature}{when}, Retraction Watch record {hit.record_id})"
            )
    return notes


# ---------------------------------------------------------------------------- qa report


def retraction_summary(
    config: Any, answers: Sequence[Any], facts: Sequence[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """References screened against the retractions file, counted over ``answers``.

    The answers may be summaries: how many references have a DOI or PMID
    (``identified``, searched for in the file) and how many have neither
    (``unidentified``: they cannot be checked) are the summary's facts
    (:data:`qa_tool.answerfile.read.FACTS_KEY`); the notices found are looked up as
    ``qa stale`` does, reading in full only a file with an identifier in the index.
    Each notice is counted once per reference; ``acknowledged`` counts the
    references with a notice whose ``retraction_acknowledged`` is complete. ``facts``:
    each answer's facts when the caller has them already (the front matter is not decoded).

    With no retractions file configured, ``configured`` is false and every count
    that needs the file is None; a file that cannot be used gives ``error``.
    """
    from qa_tool.answerfile.read import FACTS_KEY
    from qa_tool.errors import RetractionsFileError
    from qa_tool.references.retractions import load_index, retractions_path

    identified = unidentified = answers_identified = 0
    if facts is None:
        facts = [answer.read_meta().get(FACTS_KEY) or {} for answer in answers]
    for known in facts:
        n = int(known.get("identified", 0) or 0)
        identified += n
        unidentified += int(known.get("unidentified", 0) or 0)
        answers_identified += n > 0
    source = retractions_path(config)
    out: dict[str, Any] = {
        "configured": source is not None,
        "file": _shown_path(config, source) if source is not None else None,
        "error": None,
        "references_checked": None,
        "references_unchecked": unidentified,
        "answers_checked": None,
        "retracted": None,
        "expression_of_concern": None,
        "correction": None,
        "other_notices": None,
        "acknowledged": None,
        "answers_citing_retracted": None,
    }
    if source is None:
        return out
    try:
        index = load_index(config)
    except RetractionsFileError as exc:
        out["error"] = str(exc)
        return out
    assert index is not None
    counts: Counter[str] = Counter()
    acknowledged: set[tuple[str, str]] = set()
    citing: set[str] = set()
    for rel, meta in _answers_with_candidates(config, answers, index):
        seen: dict[str, set[str]] = {}
        for hit in retractions_in(meta, index):
            kind = _notice_kind(hit.nature)
            if hit.reference in seen.setdefault(kind, set()):
                continue
            seen[kind].add(hit.reference)
            counts[kind] += 1
            if hit.acknowledged:
                acknowledged.add((rel, hit.reference))
            elif kind == "retracted":
                citing.add(rel)
    out.update(
        references_checked=identified,
        answers_checked=answers_identified,
        retracted=counts["retracted"],
        expression_of_concern=counts["expression_of_concern"],
        correction=counts["correction"],
        other_notices=counts["other_notices"],
        acknowledged=len(acknowledged),
        answers_citing_retracted=len(citing),
    )
    return out


def _notice_kind(nature: str) -> str:
    folded = " ".join(nature.casefold().split())
    if folded == "retraction":
        return "retracted"
    if folded == "expression of concern":
        return "expression_of_concern"
    if folded == "correction":
        return "correction"
    return "other_notices"


def _shown_path(config: Any, path: Path) -> str:
    try:
        return path.relative_to(config.root.absolute()).as_posix()
    except ValueError:
        return str(path)


def _answers_with_candidates(
    config: Any, answers: Sequence[Any], index: Any
) -> Iterator[tuple[str, Any]]:
    """(rel, full front matter) of each answer whose front matter names a DOI or PMID
    in the index: a scan of its bytes first, a full read only then."""
    from qa_tool.answerfile.read import read_answer
    from qa_tool.errors import AnswerFileError

    for answer in answers:
        if not _front_names_candidate(config, answer.path, index):
            continue
        try:
            yield answer.rel, read_answer(answer.path, answer.rel, config.max_file_bytes).meta
        except AnswerFileError:
            continue
