"""``qa publish`` and ``qa retire``: the gate a page passes before it goes live, and its end.

The gate is a list of checks (:data:`CHECKS`), each a function from one answer (read in
full, as it would be once published) to the reasons it is not ready. Publishing runs
every check and names every reason at once, so one run tells the writer and the
reviewer all that is left to do:

- ``rules``: everything ``qa validate`` requires of a published answer (the schema's
  rules for ``status: published``, sections, citations, ids, topics, dates);
- ``placeholders``: no template text left (``qa:placeholder``);
- ``doubts``: no conversion doubt still open (``legacy.doubts``; a review settles them);
- ``reference-stubs``: no reference without details, unless ``qa.toml`` allows them
  (``[publish] allow_reference_stubs = true``);
- ``readability``: the reading grade within the topic's target, or accepted by a reviewer;
- ``review``: a review recorded after the last change of the title or body
  (``review_fingerprint``, else the git history);
- ``four-eyes``: the current review (its ``review_log`` entry) had a reviewer who is not
  one of the authors (``[publish] four_eyes = false`` relaxes it).

A status change is a round-trip edit of the front matter under the file's edit lock
(only ``status`` and a new ``review_log`` entry change; every other byte stays), and
the entry says what happened, when and by whom::

    outcome = publish_answers(config, ["can-i-drink-coffee"], by="Jane Doe")
    outcome.results[0].result     # PUBLISHED, or REFUSED with .reasons
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_tool.answerfile.read import Answer, read_answer
from qa_tool.config import Config
from qa_tool.doubts import describe_stored, open_doubts
from qa_tool.errors import AnswerFileError, LockError, UsageError
from qa_tool.fsutil import LOCK_TIMEOUT_SECONDS, edit_lock
from qa_tool.library import answer_paths, find_answer, relative
from qa_tool.model import Status

PUBLISHED = Status.published.value
WOULD_PUBLISH = "would-publish"
ALREADY_PUBLISHED = "already-published"
RETIRED = Status.retired.value
ALREADY_RETIRED = "already-retired"
REFUSED = "refused"


@dataclass(frozen=True)
class Reason:
    """One reason an answer may not be published: which check, what to do, where."""

    check: str
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "line": self.line, "message": self.message}


@dataclass
class Candidate:
    """What the checks look at: the answer as it would be published, and the library."""

    config: Config
    answer: Answer
    stems: dict[str, list[str]]
    today: dt.date


@dataclass(frozen=True)
class Check:
    """One check of the gate: its name (shown with each reason) and the function."""

    name: str
    run: Callable[[Candidate], list[Reason]]


def _as_published(answer: Answer) -> Answer:
    meta = dict(answer.meta)
    meta["status"] = Status.published.value
    return Answer(answer.path, answer.rel, meta, answer.body, answer.body_line, answer.front_matter)


def check_rules(c: Candidate) -> list[Reason]:
    """Every error ``qa validate`` finds in the answer as it would be once published."""
    from qa_tool.validate import ERROR, check_answer

    findings = check_answer(_as_published(c.answer), c.config, c.stems, c.today)
    return [
        Reason("rules", f"{f.message} ({f.rule})", f.line)
        for f in findings
        if f.severity == ERROR and f.rule != "placeholder-left"  # the next check says it
    ]


def check_placeholders(c: Candidate) -> list[Reason]:
    """One reason per line still holding template text."""
    from qa_tool.validate import placeholder_findings

    return [Reason("placeholders", f.message, f.line) for f in placeholder_findings(c.answer)]


def check_doubts(c: Candidate) -> list[Reason]:
    """One reason per conversion doubt still open."""
    return [
        Reason(
            "doubts",
            f"conversion doubt still open, {describe_stored(doubt)}; check it against the "
            "source and record a review (qa review settles the doubts)",
            c.answer.line_of(("legacy", "doubts", n)),
        )
        for n, doubt in enumerate(open_doubts(c.answer.meta))
    ]


def check_reference_stubs(c: Candidate) -> list[Reason]:
    """One reason per reference without details, unless ``qa.toml`` allows stubs."""
    from qa_tool.validate import is_reference_stub

    if c.config.publish.allow_reference_stubs:
        return []
    refs = c.answer.meta.get("references")
    return [
        Reason(
            "reference-stubs",
            f"reference {ref.get('id', n + 1)} is a stub (no title, DOI, PMID, URL or journal); "
            "add its details (or allow stubs: [publish] allow_reference_stubs = true in qa.toml)",
            c.answer.line_of(("references", n)),
        )
        for n, ref in enumerate(refs if isinstance(refs, list) else [])
        if is_reference_stub(ref)
    ]


def check_readability(c: Candidate) -> list[Reason]:
    """The reading grade above the topic's target, unless a reviewer accepted it."""
    from qa_tool.readability import over_target

    result = over_target(c.answer, c.config.readability)
    if result is None:
        return []
    return [
        Reason(
            "readability",
            f"{result.message()}; rewrite those sentences, or have a reviewer accept the grade "
            "(readability.accepted_grade, see qa readability)",
            c.answer.body_line,
        )
    ]


def check_review(c: Candidate) -> list[Reason]:
    """A review recorded after the last change of the title or body."""
    from qa_tool.dates import as_date

    meta = c.answer.meta
    last = as_date(meta.get("last_reviewed"))
    line = c.answer.line_of(("last_reviewed",))
    if last is None:
        return [Reason("review", "never reviewed; record a review with qa review --by NAME", line)]
    fingerprint = meta.get("review_fingerprint")
    if isinstance(fingerprint, str) and fingerprint:
        if fingerprint == c.answer.digest:
            return []
        return [
            Reason(
                "review",
                f"the title or body changed after the review of {last}; review it again "
                "(qa review)",
                line,
            )
        ]
    from qa_tool.stale import _changed_in_git

    notes: list[str] = []
    changed = _changed_in_git(c.config, {c.answer.rel: last}, notes)
    if c.answer.rel in changed:
        return [
            Reason(
                "review",
                f"a commit after the review of {last} changed the title or body; review it "
                "again (qa review)",
                line,
            )
        ]
    if notes:
        return [
            Reason(
                "review",
                f"cannot tell whether the review of {last} covers the current text ({notes[0]}); "
                "record the review with qa review, which fingerprints the text",
                line,
            )
        ]
    return []


def _same_person(name: str) -> str:
    return " ".join(name.split()).casefold()


def check_four_eyes(c: Candidate) -> list[Reason]:
    """The current review (the latest, on ``last_reviewed``) had a reviewer who is not an author.

    ``reviewed_by`` gathers every reviewer there ever was, so it cannot show who did
    the review that covers the current text; that review's ``review_log`` entry does.
    Without the entry, ``reviewed_by`` settles it only when none of its people is an
    author (whoever reviewed was independent); otherwise the check says it cannot tell.
    ``qa.toml`` may relax the rule.
    """
    from qa_tool.dates import as_date
    from qa_tool.review import entry_reviewers, review_entry
    from qa_tool.stale import person_names

    if not c.config.publish.four_eyes:
        return []
    relax = "; or relax the rule: [publish] four_eyes = false in qa.toml"
    meta = c.answer.meta
    reviewers = person_names(meta, "reviewed_by")
    authors = {_same_person(a) for a in person_names(meta, "authors")}
    last = as_date(meta.get("last_reviewed"))
    entry = review_entry(meta, last) if last is not None else None
    if entry is not None:
        reviewers = tuple(entry_reviewers(entry))
    if not reviewers:
        return [
            Reason(
                "four-eyes",
                "no reviewer is named (reviewed_by); a reviewer who is not an author records "
                "the review with qa review --by NAME",
                c.answer.line_of(("reviewed_by",)),
            )
        ]
    if not authors:
        return [
            Reason(
                "four-eyes",
                "no author is named (authors), so nothing shows the reviewer is not the author; "
                f"add the authors{relax}",
                c.answer.line_of(("authors",)),
            )
        ]
    independent = [r for r in reviewers if _same_person(r) not in authors]
    if not independent:
        what = (
            f"the current review ({last}) was by its author only"
            if entry is not None
            else "reviewed only by its author"
        )
        return [
            Reason(
                "four-eyes",
                f"{what} ({', '.join(reviewers)}); a reviewer who is not an "
                f"author must review it{relax}",
                c.answer.line_of(("review_log",) if entry is not None else ("reviewed_by",)),
            )
        ]
    if entry is None and len(independent) < len(reviewers):
        named = ", ".join(r for r in reviewers if r not in independent)
        return [
            Reason(
                "four-eyes",
                f"cannot tell who did the review of {last or 'this text'}: review_log has no "
                f"entry for it, and reviewed_by names authors ({named}) "
                "as well as others; a reviewer who is not an author records the review with "
                f"qa review --by NAME{relax}",
                c.answer.line_of(("reviewed_by",)),
            )
        ]
    return []


CHECKS: tuple[Check, ...] = (
    Check("rules", check_rules),
    Check("placeholders", check_placeholders),
    Check("doubts", check_doubts),
    Check("reference-stubs", check_reference_stubs),
    Check("readability", check_readability),
    Check("review", check_review),
    Check("four-eyes", check_four_eyes),
)
"""The publish gate, in the order its reasons are reported."""


def gate(candidate: Candidate, checks: Sequence[Check] = CHECKS) -> list[Reason]:
    """Every reason ``candidate`` may not be published (empty: ready)."""
    return [reason for check in checks for reason in check.run(candidate)]


@dataclass
class Result:
    """What happened to one answer: ``result`` is one of the module's result words."""

    path: str
    id: str
    status: str | None  # before
    result: str
    reasons: list[Reason] = field(default_factory=list)
    message: str | None = None  # why it could not be handled at all (unreadable, locked)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "id": self.id,
            "status": self.status,
            "result": self.result,
            "reasons": [r.to_dict() for r in self.reasons],
            "message": self.message,
        }


@dataclass
class Outcome:
    """Every answer's result; ``ok`` when none was refused."""

    results: list[Result] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.result != REFUSED for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = defaultdict(int)
        for r in self.results:
            counts[r.result] += 1
        return {"version": 1, "answers": [r.to_dict() for r in self.results], "counts": counts}


def _stems(config: Config) -> dict[str, list[str]]:
    stems: dict[str, list[str]] = defaultdict(list)
    for p in answer_paths(config):
        stems[p.stem].append(relative(config, p))
    return stems


def _paths(config: Config, refs: Sequence[str]) -> list[Path]:
    paths = list(dict.fromkeys(find_answer(config, ref) for ref in refs))
    if not paths:
        raise UsageError("name at least one answer (id or path)")
    return paths


def _by(by: str) -> str:
    name = " ".join(by.split())
    if not name:
        raise UsageError("--by: give the name of who makes the change")
    return name


def _change_status(
    path: Path, config: Config, status: str, today: dt.date, by: str, note: str
) -> None:
    from qa_tool.answerfile.edit import edit_front_matter
    from qa_tool.review import append_log, set_field

    def change(front: Any) -> None:
        set_field(front, "status", status)
        append_log(front, today, by, note, event=status)

    edit_front_matter(path, change, config.max_file_bytes)


def _each(
    config: Config,
    paths: Sequence[Path],
    handle: Callable[[Path, str], Result],
    lock_timeout: float,
    locked: bool,
) -> Outcome:
    outcome = Outcome()
    for path in paths:
        rel = relative(config, path)
        try:
            if locked:
                with edit_lock(config.state_dir, path, timeout=lock_timeout, shown=rel):
                    result = handle(path, rel)
            else:
                result = handle(path, rel)
        except AnswerFileError as exc:
            where = f"{rel}:{exc.line}" if exc.line else rel
            result = Result(rel, path.stem, None, REFUSED, message=f"{where}: {exc.message}")
        except LockError as exc:
            result = Result(rel, path.stem, None, REFUSED, message=str(exc))
        outcome.results.append(result)
    return outcome


def publish_answers(
    config: Config,
    refs: Sequence[str],
    *,
    by: str,
    dry_run: bool = False,
    today: dt.date | None = None,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
) -> Outcome:
    """Publish every answer in ``refs`` (ids or paths) that passes the gate.

    An answer that fails any check is refused with every reason and left as it was;
    the others carry on. ``dry_run`` gives the same verdicts and writes nothing.
    UsageError (before any file is touched) for an unknown id or an empty ``by``.
    """
    today = today or dt.date.today()
    by = _by(by)
    paths = _paths(config, refs)
    stems = _stems(config)

    def handle(path: Path, rel: str) -> Result:
        answer = read_answer(path, rel, config.max_file_bytes)  # anew, under the lock
        status = answer.status
        result = Result(rel, answer.id or path.stem, status, PUBLISHED)
        if status == Status.published:
            result.result = ALREADY_PUBLISHED
            return result
        result.reasons = gate(Candidate(config, answer, stems, today))
        if result.reasons:
            result.result = REFUSED
        elif dry_run:
            result.result = WOULD_PUBLISH
        else:
            note = f"published (was {status or 'without a status'}); every publish check passed"
            _change_status(path, config, Status.published.value, today, by, note)
        return result

    return _each(config, paths, handle, lock_timeout, locked=not dry_run)


def retire_answers(
    config: Config,
    refs: Sequence[str],
    *,
    reason: str,
    by: str,
    today: dt.date | None = None,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
) -> Outcome:
    """Retire every answer in ``refs``: status ``retired``, the reason in ``review_log``.

    The file stays where it is (and in git); ``qa export`` leaves retired answers out
    unless asked, and ``qa stale`` does not list them.
    """
    today = today or dt.date.today()
    by = _by(by)
    reason = " ".join(reason.split())
    if not reason:
        raise UsageError("--reason: say why the answer is retired")
    paths = _paths(config, refs)

    def handle(path: Path, rel: str) -> Result:
        answer = read_answer(path, rel, config.max_file_bytes)
        result = Result(rel, answer.id or path.stem, answer.status, RETIRED)
        if answer.status == Status.retired:
            result.result = ALREADY_RETIRED
            return result
        _change_status(path, config, Status.retired.value, today, by, reason)
        return result

    return _each(config, paths, handle, lock_timeout, locked=True)


def default_actor(root: Path) -> str:
    """Who makes a change when ``--by`` is not given: git's ``user.name``, else the login."""
    import getpass

    from qa_tool import gitinfo
    from qa_tool.errors import GitError

    try:
        name = gitinfo.run_git(root, "config", "user.name").decode("utf-8", "replace").strip()
    except GitError:
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
