"""``qa review``: record a full expert review in an answer's front matter.

A review sets ``last_reviewed``, recomputes ``review_due`` when the file has
one, adds each reviewer to ``reviewed_by`` (an entry with the same name is kept,
its credentials updated when new ones are given), optionally sets
``confidence``, and stores ``review_fingerprint``: the SHA-256 of the title and
body as reviewed, which ``qa stale`` compares with the current text to tell
whether the review still covers it. Every review adds a ``review_log`` entry
(date, ``event: reviewed``, reviewers, and the ``note`` when given), so the log
tells who did the review that covers the current text (the four-eyes check of
``qa publish`` reads it); the note goes in the commit message too with ``commit``.
Example::

    outcome = review_answers(
        config, ["immunotherapy-side-effects"], [parse_reviewer("Jane Doe, MD")]
    )

Each file is edited under its edit lock (:func:`qa_tool.fsutil.edit_lock`) and
read again once the lock is held, so two reviews of one file at the same time
are both recorded; a review that cannot get the lock in time is refused with a
message. Only front matter changes (through the ruamel.yaml round-trip): every
other line stays byte-identical, and recording a review never counts as a
change of the text.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_tool.answerfile.read import read_answer, text_digest
from qa_tool.body import PLACEHOLDER_MARKER
from qa_tool.config import Config
from qa_tool.doubts import describe_stored, open_doubts
from qa_tool.errors import AnswerFileError, GitError, LockError, PathOutsideLibrary, UsageError
from qa_tool.fsutil import LOCK_TIMEOUT_SECONDS, edit_lock, real_path
from qa_tool.library import answer_paths, find_answer, relative
from qa_tool.model import FIELD_ORDER, Confidence, choices
from qa_tool.stale import reviewer_names
from qa_tool.validate import ERROR, Finding, check_answer, placeholder_findings


@dataclass(frozen=True)
class Reviewer:
    """Who reviewed: a name, and credentials when given (``--by 'Name, MD'``)."""

    name: str
    credentials: str | None = None


def parse_reviewer(text: str) -> Reviewer:
    """``"Jane Doe, MD, medical oncologist"`` -> name ``Jane Doe``, credentials the rest."""
    name, _, credentials = text.partition(",")
    name = " ".join(name.split())
    if not name:
        raise UsageError(f"--by {text!r}: give the reviewer's name, e.g. --by 'Jane Doe, MD'")
    return Reviewer(name, credentials.strip() or None)


@dataclass
class Reviewed:
    """One answer whose review was recorded (``changed`` False: it already said so)."""

    path: str
    id: str
    changed: bool
    last_reviewed: dt.date
    review_due: dt.date | None
    confidence: str | None
    reviewed_by: list[str]
    review_fingerprint: str
    cleared_doubts: int = 0
    """How many conversion doubts (``legacy.doubts``) this review cleared."""
    file: str | None = None
    """When ``path`` is a link: the file the review was written to (said in text output)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "id": self.id,
            "changed": self.changed,
            "last_reviewed": self.last_reviewed.isoformat(),
            "review_due": self.review_due.isoformat() if self.review_due else None,
            "confidence": self.confidence,
            "reviewed_by": self.reviewed_by,
            "review_fingerprint": self.review_fingerprint,
            "cleared_doubts": self.cleared_doubts,
        }


@dataclass
class Refused:
    """One answer whose review was not recorded, and why."""

    path: str
    message: str
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "message": self.message,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class ReviewOutcome:
    """What ``qa review`` did: the answers reviewed, those refused, the commit made."""

    reviewed: list[Reviewed] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    commit: str | None = None
    commit_error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused and self.commit_error is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviewed": [r.to_dict() for r in self.reviewed],
            "refused": [r.to_dict() for r in self.refused],
            "commit": self.commit,
        }


def review_answers(
    config: Config,
    refs: Sequence[str],
    reviewers: Sequence[Reviewer],
    *,
    date: dt.date | None = None,
    today: dt.date | None = None,
    confidence: str | None = None,
    note: str | None = None,
    force: bool = False,
    commit: bool = False,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
) -> ReviewOutcome:
    """Record one review of every answer in ``refs`` (ids or paths).

    Usage problems (no reviewer, a future date, an unknown id) raise before any
    file is touched. A file with validation errors is refused unless ``force``;
    so is one whose ``last_reviewed`` is later than ``date``. Other files carry on.
    """
    today = today or dt.date.today()
    date = date or today
    if date > today:
        raise UsageError(f"--date {date} is in the future; a review is recorded when it is done")
    if not reviewers:
        raise UsageError("name the reviewer with --by 'NAME[, CREDENTIALS]'")
    if confidence is not None and confidence not in set(Confidence):
        raise UsageError(f"confidence {confidence!r} is not one of: {choices(Confidence)}")
    if note is not None and not note.strip():
        raise UsageError("--note is empty")
    unique: dict[str, Reviewer] = {}
    for person in reviewers:
        unique[person.name] = person
    reviewers = list(unique.values())
    paths = list(dict.fromkeys(find_answer(config, ref) for ref in refs))
    if not paths:
        raise UsageError("name at least one answer (id or path)")

    repo = None
    if commit:
        from qa_tool import gitinfo

        repo = gitinfo.open_repo(config.root)
        if repo is None:
            raise GitError(f"--commit: {config.root} is not in a git repository")

    stems: dict[str, list[str]] = defaultdict(list)
    for p in answer_paths(config):
        stems[p.stem].append(relative(config, p))

    outcome = ReviewOutcome()
    for path in paths:
        rel = relative(config, path)
        try:
            with edit_lock(config.state_dir, path, timeout=lock_timeout, shown=rel):
                result = _review_one(
                    config, path, rel, stems, reviewers, date, today, confidence, note, force
                )
        except AnswerFileError as exc:  # unreadable, or the write failed: the file is as it was
            where = f"{rel}:{exc.line}" if exc.line else rel
            result = Refused(rel, f"{where}: {exc.message}")
        except (LockError, PathOutsideLibrary) as exc:
            result = Refused(rel, str(exc))
        if isinstance(result, Refused):
            outcome.refused.append(result)
        else:
            outcome.reviewed.append(result)

    if commit and outcome.reviewed:
        _commit(config, outcome, reviewers, note)
    return outcome


def _edited_file(config: Config, path: Path, rel: str) -> Path:
    """The file a review of ``path`` writes: itself, or a link's target, edited in place.

    The answer is read, validated and named at ``path`` (where the library
    has it); a link is followed only to a file inside the library root, else
    PathOutsideLibrary (the answer is refused).
    """
    if not path.is_symlink():
        return path
    target = real_path(path)
    if not target.is_relative_to(config.root):
        raise PathOutsideLibrary(f"{rel}: is a link to a file outside the library; not reviewed")
    return target


def _review_one(
    config: Config,
    path: Path,
    rel: str,
    stems: dict[str, list[str]],
    reviewers: Sequence[Reviewer],
    date: dt.date,
    today: dt.date,
    confidence: str | None,
    note: str | None,
    force: bool,
) -> Reviewed | Refused:
    """Validate, then edit; called with the file's edit lock held, so it reads the file anew."""
    from qa_tool.answerfile.edit import edit_front_matter
    from qa_tool.dates import as_date

    written = _edited_file(config, path, rel)
    answer = read_answer(path, rel, config.max_file_bytes)
    placeholders = placeholder_findings(answer)
    if placeholders:
        # A review vouches for the text: a template still being filled in has none to vouch
        # for, so not even --force records it.
        count = f"{len(placeholders)} line{'s' if len(placeholders) != 1 else ''}"
        return Refused(
            rel,
            f"{rel}: not reviewed: template placeholder text is still on {count} "
            f"({PLACEHOLDER_MARKER}); write the answer and remove the markers first",
            placeholders,
        )
    errors = [f for f in check_answer(answer, config, stems, today) if f.severity == ERROR]
    if errors and not force:
        count = f"{len(errors)} validation error{'s' if len(errors) != 1 else ''}"
        return Refused(rel, f"{rel}: not reviewed: {count} (fix them, or use --force)", errors)
    previous = as_date(answer.meta.get("last_reviewed"))
    if previous is not None and previous > date and not force:
        return Refused(
            rel,
            f"{rel}: not reviewed: last_reviewed is already {previous}, later than {date} "
            "(use --force to set the earlier date)",
        )

    meta = answer.meta
    topic = meta.get("topic") if isinstance(meta.get("topic"), str) else None
    level = confidence or (
        meta.get("confidence") if isinstance(meta.get("confidence"), str) else None
    )
    new_due = None
    if meta.get("review_due") is not None:
        new_due = config.review.interval_for(topic, level).after(date)
    fingerprint = text_digest(meta.get("title"), answer.body)
    doubts = open_doubts(meta)
    log_note = note.strip() if note is not None else None
    if doubts:
        cleared = _cleared_note(doubts)
        log_note = f"{log_note} ({cleared})" if log_note else cleared

    def change(front: Any) -> None:
        # The same reviewers again, the same day, on the same text: already logged.
        repeat = front.get("review_fingerprint") == fingerprint
        set_field(front, "last_reviewed", date)
        if new_due is not None:
            set_field(front, "review_due", new_due)
        if confidence is not None:
            set_field(front, "confidence", confidence)
        _add_reviewers(front, reviewers)
        set_field(front, "review_fingerprint", fingerprint)
        if doubts:
            del front["legacy"]["doubts"]
        by = REVIEWERS_SEPARATOR.join(p.name for p in reviewers)
        if log_note is not None or not (repeat and _logged(front, date, by)):
            append_log(front, date, by, log_note, event=REVIEWED)

    changed = edit_front_matter(written, change, config.max_file_bytes)
    names = list(reviewer_names(meta))
    for person in reviewers:
        if person.name not in names:
            names.append(person.name)
    return Reviewed(
        path=rel,
        id=answer.id or path.stem,
        changed=changed,
        last_reviewed=date,
        review_due=new_due,
        confidence=level,
        reviewed_by=names,
        review_fingerprint=fingerprint,
        cleared_doubts=len(doubts),
        file=relative(config, written) if written != path else None,
    )


def _cleared_note(doubts: Sequence[dict[str, Any]]) -> str:
    """The review-log words for the conversion doubts a review clears."""
    count = f"{len(doubts)} conversion doubt{'s' if len(doubts) != 1 else ''}"
    return f"cleared {count}: " + "; ".join(describe_stored(doubt) for doubt in doubts)


def set_field(front: Any, key: str, value: Any) -> None:
    """Set ``key``; a new key goes after the nearest key that precedes it in FIELD_ORDER."""
    from qa_tool.answerfile.edit import set_in_order

    set_in_order(front, key, value, FIELD_ORDER)


def _add_reviewers(front: Any, reviewers: Sequence[Reviewer]) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    people = front.get("reviewed_by")
    if not isinstance(people, list):
        people = CommentedSeq()
        set_field(front, "reviewed_by", people)
    for person in reviewers:
        entry = next(
            (
                p
                for p in people
                if hasattr(p, "get")
                and isinstance(p.get("name"), str)
                and " ".join(p["name"].split()) == person.name
            ),
            None,
        )
        if entry is None:
            entry = CommentedMap()
            entry["name"] = person.name
            if person.credentials:
                entry["credentials"] = person.credentials
            people.append(entry)
        elif person.credentials and entry.get("credentials") != person.credentials:
            entry["credentials"] = person.credentials


REVIEWED = "reviewed"
"""The ``review_log`` event of a review (``qa review``)."""
REVIEWERS_SEPARATOR = ", "
"""How a review's reviewers are joined in its ``review_log`` entry's ``by``."""


def _logged(front: Any, date: dt.date, by: str) -> bool:
    """Whether the last ``review_log`` entry already records this review (a repeat adds none)."""
    log = front.get("review_log")
    if not isinstance(log, list) or not log or not hasattr(log[-1], "get"):
        return False
    last = log[-1]
    return last.get("event") == REVIEWED and last.get("date") == date and last.get("by") == by


def review_entry(meta: dict[str, Any], date: dt.date) -> dict[str, Any] | None:
    """The ``review_log`` entry of the review on ``date`` (the latest, when several).

    A review entry has ``event: reviewed``, or (written before reviews named their
    event) no event and a note. None when the log has no entry for that review.
    """
    from qa_tool.dates import as_date

    log = meta.get("review_log")
    if not isinstance(log, list):
        return None
    for entry in reversed(log):
        if not isinstance(entry, dict) or as_date(entry.get("date")) != date:
            continue
        if entry.get("event", REVIEWED) == REVIEWED and isinstance(entry.get("by"), str):
            return entry
    return None


def entry_reviewers(entry: dict[str, Any]) -> list[str]:
    """The reviewers' names in one ``review_log`` entry's ``by``."""
    return [name for name in (n.strip() for n in entry["by"].split(",")) if name]


def append_log(
    front: Any, date: dt.date, by: str, note: str | None, event: str | None = None
) -> None:
    """Add one ``review_log`` entry (``event``: what happened; ``note`` left out when None)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    log = front.get("review_log")
    if not isinstance(log, list):
        log = CommentedSeq()
        set_field(front, "review_log", log)
    entry = CommentedMap()
    # A date object of its own: ruamel.yaml writes one object used twice as an &anchor/*alias.
    entry["date"] = dt.date.fromordinal(date.toordinal())
    if event is not None:
        entry["event"] = event
    entry["by"] = by
    if note is not None:
        entry["note"] = note
    log.append(entry)


def commit_message(
    reviewed: Sequence[Reviewed], reviewers: Sequence[Reviewer], note: str | None
) -> str:
    """The ``--commit`` message: a subject, the files, the note, one trailer per reviewer."""
    if len(reviewed) == 1:
        subject = f"Review {reviewed[0].id}"
    else:
        subject = f"Review {len(reviewed)} answers"
    lines = [subject, ""]
    lines += [f"- {r.path} (last_reviewed {r.last_reviewed})" for r in reviewed]
    if note:
        lines += ["", note.strip()]
    lines.append("")
    lines += [f"Reviewed-by: {p.name}" for p in reviewers]
    return "\n".join(lines) + "\n"


def _commit(
    config: Config, outcome: ReviewOutcome, reviewers: Sequence[Reviewer], note: str | None
) -> None:
    from qa_tool import gitinfo

    paths = [config.root / (r.file or r.path) for r in outcome.reviewed]
    try:
        if not gitinfo.has_changes(config.root, *map(str, paths)):
            outcome.notes.append("nothing to commit: the reviews were already committed")
            return
        message = commit_message(outcome.reviewed, reviewers, note)
        outcome.commit = gitinfo.commit_paths(config.root, paths, message)
    except GitError as exc:
        outcome.commit_error = f"the reviews are recorded in the files, but not committed: {exc}"
