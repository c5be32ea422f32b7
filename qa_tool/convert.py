"""``qa convert``: legacy answer texts into answer files, with their provenance.

The legacy parser (:mod:`qa_tool.legacy`) reads a text into its parts; this module
decides where the answer goes, what its front matter says, and whether the file may
be written, and reports one :class:`FileResult` per input. It never prints: the
command layer renders the :class:`ConvertReport`.

Example::

    report = convert_sources(config, find_sources(["legacy/"], config), ConvertOptions())
    report.summary()   # {"converted": 2, "unchanged": 0, "skipped": 0, "failed": 0}

Rules, in the order they apply to each input:

* the text must parse (:func:`~qa_tool.legacy.parse_legacy`), or the file fails;
* the topic is ``--topic``, else the footer's, else (with a "guessed topic" warning)
  the input's folder name when it names a topic; none of these fails the file;
* the id is made from the question (:func:`~qa_tool.ids.make_id`); an id that another
  answer of the library uses, or that an earlier input of the same run made, fails the
  file, naming the other one;
* an existing target whose ``legacy.sha256`` equals the input's is ``unchanged`` and is
  never written (not even with ``--force``: a reviewer may have edited it since);
  one converted from another source file fails; any other existing file is
  ``skipped`` unless ``--force``, which rewrites it under the file's edit lock;
* every write is atomic; a new file never replaces one that appeared meanwhile.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_tool import __version__, fsutil
from qa_tool.answerfile.read import read_answer, read_bytes_checked
from qa_tool.answerfile.write import check_text, escaped, front_matter_text
from qa_tool.config import Config, Topic, topic_key
from qa_tool.dates import as_date
from qa_tool.doubts import TOPIC, Doubt
from qa_tool.errors import (
    AnswerExists,
    AnswerFileError,
    LegacyFormatError,
    PathOutsideLibrary,
    QAError,
    UsageError,
    WriteFailed,
    shorten,
)
from qa_tool.ids import check_id, make_id
from qa_tool.legacy import NO_FOOTER_TOPIC, LegacyAnswer, parse_legacy
from qa_tool.library import answer_paths, relative, scan_markdown
from qa_tool.model import Confidence, Status, choices

__all__ = [
    "CONVERTED",
    "FAILED",
    "LEGACY_SUFFIXES",
    "SKIPPED",
    "STATUSES",
    "UNCHANGED",
    "ConvertOptions",
    "ConvertReport",
    "FileResult",
    "LegacySource",
    "answer_file_text",
    "convert_sources",
    "default_status",
    "find_sources",
    "front_matter_text",
]

CONVERTED = "converted"
UNCHANGED = "unchanged"
SKIPPED = "skipped"
FAILED = "failed"
STATUSES = (CONVERTED, UNCHANGED, SKIPPED, FAILED)

LEGACY_SUFFIXES: tuple[str, ...] = (".txt", ".text", ".md")
"""Names taken when walking a folder (also in capitals); a file named directly is always read."""

STDIN_NAME = "stdin"
WRITER_THREADS = 4
"""Threads writing answer files: each write waits for its fsync, so they overlap well."""
_MIN_TITLE_LENGTH = 3


@dataclass(frozen=True)
class LegacySource:
    """One input: a file, or standard input (``path`` None, ``data`` its bytes).

    ``name`` is how reports show it: the path as given on the command line (a file
    found in a folder: the folder as given, joined with its path inside), or ``stdin``;
    bytes of a name that are not UTF-8 are shown as escapes (``caf\\xe9.txt``).
    """

    name: str
    path: Path | None = None
    data: bytes | None = None
    refused: str | None = None
    """Why the file is not read at all (a link out of the folder walked), else None."""

    @property
    def file_name(self) -> str:
        """What ``legacy.source`` records: the file's name, or ``stdin``."""
        return self.path.name if self.path is not None else STDIN_NAME


@dataclass(frozen=True)
class ConvertOptions:
    """The switches of ``qa convert``; ``today`` is the ``legacy.converted`` date."""

    topic: str | None = None
    status: str | None = None
    force: bool = False
    dry_run: bool = False
    out_dir: Path | None = None
    today: dt.date | None = None


@dataclass
class FileResult:
    """What happened to one input. ``error`` says why it failed or was skipped.

    ``text`` (the file that would be written) and ``diff`` (a unified diff against the
    existing target) are kept on dry runs only.
    """

    source: str
    target: str | None = None
    status: str = FAILED
    id: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    text: str | None = None
    diff: str | None = None
    doubts: list[dict[str, Any]] = field(default_factory=list)
    """The conversion's doubts (``legacy.doubts`` of the answer), each a map."""
    kept: list[str] = field(default_factory=list)
    """Review fields, then ``reference ID``s, that ``--force`` kept from the answer it replaced."""

    def to_dict(self, dry_run: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "target": self.target,
            "status": self.status,
            "id": self.id,
            "warnings": list(self.warnings),
            "doubts": [dict(doubt) for doubt in self.doubts],
            "kept": list(self.kept),
            "error": self.error,
        }
        if dry_run:
            data["text"] = self.text
            data["diff"] = self.diff
        return data


@dataclass
class ConvertReport:
    """The results of one ``qa convert`` run, one per input, in input order."""

    files: list[FileResult] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for result in self.files:
            counts[result.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        """True when every file was converted or unchanged (exit 0)."""
        return all(result.status in (CONVERTED, UNCHANGED) for result in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "dry_run": self.dry_run,
            "files": [result.to_dict(self.dry_run) for result in self.files],
            "summary": self.summary(),
        }


# --- inputs -------------------------------------------------------------------------


def find_sources(
    paths: Sequence[str],
    config: Config,
    *,
    stdin: bytes | None = None,
    out_dir: Path | None = None,
) -> list[LegacySource]:
    """The inputs named on the command line, in order, each file once.

    Folders are walked recursively for :data:`LEGACY_SUFFIXES` files, skipping hidden
    entries, folders behind symlinks, and the folders answers are written to (the
    library's answers folder and ``out_dir``), so a re-run over a folder holding its own
    output does not read that output as input. ``-`` stands for ``stdin`` (its bytes).
    UsageError for a path that does not exist or ``-`` given twice.
    """
    sources: list[LegacySource] = []
    seen: set[Path] = set()
    skip = [config.answers_dir]
    if out_dir is not None:
        skip.append(fsutil.real_path(out_dir.expanduser()))
    suffixes = LEGACY_SUFFIXES + tuple(suffix.upper() for suffix in LEGACY_SUFFIXES)
    stdin_taken = False
    for given in paths:
        if given == "-":
            if stdin_taken:
                raise UsageError("'-' (standard input) is given more than once")
            stdin_taken = True
            sources.append(LegacySource(STDIN_NAME, None, stdin or b""))
            continue
        path = Path(given)
        if not path.exists():
            raise UsageError(f"{given}: no such file or folder")
        found: list[tuple[Path, Path, str | None]]
        if not path.is_dir():
            found = [(path, fsutil.real_path(path), None)]
        else:
            # The walk does not follow folder links, so paths under the real folder are real.
            real = fsutil.real_path(path)
            walked = [
                (path / item.path.relative_to(real), item.path, item.is_link)
                for item in scan_markdown(real, suffixes)[0]
                if not any(item.path.is_relative_to(folder) for folder in skip)
            ]
            found = [
                (file, key, _link_out_of(key, real) if is_link else None)
                for file, key, is_link in walked
            ]
        for file, key, refused in found:
            if key not in seen:
                seen.add(key)
                sources.append(LegacySource(escaped(str(file)), file, refused=refused))
    return sources


def _link_out_of(path: Path, folder: Path) -> str | None:
    """Why a link found in ``folder`` is not followed: it leads out of the folder walked."""
    try:
        inside = fsutil.real_path(path).is_relative_to(folder)
    except (OSError, RuntimeError):  # a loop of links
        inside = False
    return None if inside else f"is a link to a file outside {folder}; not read"


# --- conversion ---------------------------------------------------------------------


def default_status(answer: LegacyAnswer) -> str:
    """``published`` when the page showed a confidence and a review date and cites
    research (it was live and reviewed), and the conversion has no doubt; else
    ``in-review`` (it needs a reviewer first).

    >>> default_status(parse_legacy("Why?\\nBecause.\\nWhat to ask your doctor\\n- Sure?\\n")) == (
    ...     Status.in_review
    ... )
    True
    """
    if answer.confidence and answer.last_reviewed and answer.references and not answer.doubts:
        return Status.published.value
    return Status.in_review.value


@dataclass
class _Run:
    """State shared by the files of one run: the library's ids, scanned once."""

    config: Config
    options: ConvertOptions
    topic: Topic | None
    out_dir: Path
    today: dt.date
    library_ids: dict[str, list[Path]]
    existing: set[Path]
    """The answer files under ``out_dir`` when the run started (one scan, no stat per file)."""
    claimed: dict[str, str] = field(default_factory=dict)
    """Ids made earlier in this run, and the source that made each."""


def convert_sources(
    config: Config,
    sources: Sequence[LegacySource],
    options: ConvertOptions,
    on_result: Callable[[FileResult], None] | None = None,
) -> ConvertReport:
    """Convert every source; one result each, in order. ``on_result`` sees each as it ends.

    Raises UsageError only for the options themselves (unknown ``--topic`` or
    ``--status``, ``--out`` naming a file); a bad input fails its own result.

    Each input is read and decided in turn (ids are claimed in input order), while the
    writes go to a few threads: each write waits for its fsync, and overlapping them
    makes a batch of a thousand files several times faster on a busy disk.
    """
    topic = config.topic_named(options.topic) if options.topic else None
    if options.status is not None and options.status not in set(Status):
        raise UsageError(f"unknown status {options.status!r}; use one of: {choices(Status)}")
    out_dir = config.answers_dir
    if options.out_dir is not None:
        out_dir = fsutil.real_path(options.out_dir.expanduser())
        if out_dir.exists() and not out_dir.is_dir():
            raise UsageError(f"--out {options.out_dir}: is a file, not a folder")
        if out_dir != config.answers_dir and out_dir.is_relative_to(config.answers_dir):
            raise UsageError(
                f"--out {options.out_dir}: inside the answers folder, where its "
                "<topic-folder>/<id>.md would be misplaced answers; choose a folder outside it"
            )
    library_ids: dict[str, list[Path]] = {}
    library_files = answer_paths(config)
    for path in library_files:
        library_ids.setdefault(path.stem, []).append(path)
    if out_dir == config.answers_dir:
        existing = set(library_files)
    else:
        existing = {found.path for found in scan_markdown(out_dir)[0]}
    run = _Run(
        config,
        options,
        topic,
        out_dir,
        options.today or dt.date.today(),
        library_ids,
        existing,
    )
    report = ConvertReport(dry_run=options.dry_run)
    notify = on_result or (lambda _result: None)
    pending: deque[tuple[FileResult, Future[None] | None]] = deque()
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as writers:
        for source in sources:
            result = FileResult(source.name)
            job = None
            try:
                job = _convert_one(run, source, result)
            except QAError as error:
                _fail(result, str(error), source)
            except Exception as error:  # a fault of the converter: this file fails, not the batch
                _fail(result, internal_failure(source.name, error), source)
            report.files.append(result)
            write = writers.submit(_run_job, job, result, source) if job else None
            pending.append((result, write))
            while pending and (pending[0][1] is None or pending[0][1].done()):
                _finish(*pending.popleft(), notify)
        while pending:
            _finish(*pending.popleft(), notify)
    return report


def _run_job(job: Callable[[], None], result: FileResult, source: LegacySource) -> None:
    try:
        job()
    except QAError as error:
        _fail(result, str(error), source)


def internal_failure(name: str, error: Exception) -> str:
    """The message of a file that a fault of qa itself failed: named, and to report.

    >>> internal_failure("old/a.txt", TypeError("boom"))  # doctest: +ELLIPSIS
    'internal error while converting old/a.txt: TypeError: boom (please report it; ...)'
    """
    return (
        f"internal error while converting {name}: {type(error).__name__}: {error} "
        "(please report it; the other files go on)"
    )


def _finish(
    result: FileResult, write: Future[None] | None, notify: Callable[[FileResult], None]
) -> None:
    if write is not None:
        write.result()
    notify(result)


def _fail(result: FileResult, message: str, source: LegacySource) -> None:
    result.status = FAILED
    result.error = message.removeprefix(f"{source.name}: ")


def _convert_one(run: _Run, source: LegacySource, result: FileResult) -> Callable[[], None] | None:
    """Read, parse and decide one input; the write, if any, is returned as a job."""
    config, options = run.config, run.options
    if source.refused is not None:
        raise LegacyFormatError(source.refused)
    if source.path is None:
        data = source.data or b""
        if len(data) > config.max_file_bytes:
            raise LegacyFormatError(
                f"input is over the {config.max_file_bytes:,}-byte limit "
                "(max_file_bytes in qa.toml); not read"
            )
    else:
        try:
            data = read_bytes_checked(source.path, config.max_file_bytes)
        except AnswerFileError as error:
            raise LegacyFormatError(error.message) from None
    check_text(source.file_name, "the file name")  # legacy.source must read back as written
    answer = parse_legacy(data, source.name, today=run.today)
    # Where the topic came from is reported below: a guess warns, no topic fails.
    result.warnings.extend(warning for warning in answer.warnings if warning != NO_FOOTER_TOPIC)
    topic = _topic(run, source, answer, result.warnings)
    result.doubts = [doubt.to_dict() for doubt in answer.doubts]

    title = answer.question
    if len(title) < _MIN_TITLE_LENGTH:
        raise LegacyFormatError(f"the question {title!r} is too short to be a title")
    try:
        answer_id = check_id(make_id(title))
    except UsageError:
        raise LegacyFormatError(f"cannot make an id from the question {title!r}") from None
    result.id = answer_id
    target = run.out_dir / topic.folder / f"{answer_id}.md"
    rel = relative(config, target)
    result.target = rel
    _check_folder_inside(run, target.parent)
    _check_id_free(run, answer_id, target)
    run.claimed[answer_id] = source.name

    status = options.status or default_status(answer)
    _check_status(answer, status, options.status is not None, result.warnings)
    digest = hashlib.sha256(data).hexdigest()
    render = functools.partial(
        answer_file_text,
        answer,
        answer_id=answer_id,
        topic=topic.name,
        status=status,
        source=source.file_name,
        sha256=digest,
        converted=run.today,
    )
    text = render()
    change = _Change(
        source, target, rel, digest, text, result, config.max_file_bytes, render, answer
    )
    if target not in run.existing:
        result.status = CONVERTED
        if options.dry_run:
            result.text = text
            return None
        return change.write_new
    if options.force and not options.dry_run:
        return lambda: change.replace_locked(config.state_dir)
    change.replace(force=options.force, dry_run=options.dry_run)
    return None


def _topic(run: _Run, source: LegacySource, answer: LegacyAnswer, warnings: list[str]) -> Topic:
    """``--topic``, else the footer's topic, else the input's folder name when it is one."""
    config = run.config
    if run.topic is not None:
        if answer.topic and topic_key(answer.topic) != topic_key(run.topic.name):
            warnings.append(
                f"--topic {run.topic.name} replaces the footer's topic {answer.topic!r}"
            )
        return run.topic
    if answer.topic:
        try:
            return config.topic_named(answer.topic)
        except UsageError:
            known = ", ".join(topic.name for topic in config.topics)
            raise LegacyFormatError(
                f"the footer names the topic {answer.topic!r}, which is not one of the "
                f"library's topics ({known}); pass --topic"
            ) from None
    if source.path is not None:
        folder = source.path.absolute().parent.name
        try:
            topic = config.topic_named(folder)
        except UsageError:
            topic = None
        if topic is not None:
            warnings.append(f"guessed topic {topic.name!r} from the folder name {folder!r}")
            answer.doubts.append(
                Doubt(
                    TOPIC,
                    0,
                    folder,
                    f"guessed {topic.name!r} from the folder name: the text names no topic",
                )
            )
            return topic
    raise LegacyFormatError("no topic: the text has no standard footer; pass --topic")


def _check_folder_inside(run: _Run, folder: Path) -> None:
    """Fail when a topic folder is a link leading out of the folder answers are written to."""
    real = fsutil.real_path(folder)
    if not real.is_relative_to(run.out_dir):
        shown = relative(run.config, folder)
        raise PathOutsideLibrary(
            f"{shown} is a link to {real}, outside {relative(run.config, run.out_dir)}; "
            "nothing is written there"
        )


def _check_id_free(run: _Run, answer_id: str, target: Path) -> None:
    """Fail when another answer of the library, or an earlier input, has this id."""
    others = [path for path in run.library_ids.get(answer_id, []) if path != target]
    if others:
        names = ", ".join(relative(run.config, path) for path in others)
        raise AnswerExists(f"id {answer_id!r} is already used by {names}")
    claimed = run.claimed.get(answer_id)
    if claimed is not None:
        raise AnswerExists(f"id {answer_id!r} is also made by {claimed} in this run")


def _check_status(answer: LegacyAnswer, status: str, chosen: bool, warnings: list[str]) -> None:
    """A published answer needs what the schema asks of one; never write it without."""
    missing = [
        what
        for what, value in (
            ("a confidence", answer.confidence),
            ("a last-reviewed date", answer.last_reviewed),
            ("a citation", answer.references),
        )
        if not value
    ]
    if status == Status.published and missing:
        needed = " and ".join([", ".join(missing[:-1]), missing[-1]] if missing[:-1] else missing)
        raise UsageError(
            f"--status {Status.published} needs {needed}, which the text does not give"
        )
    if status == Status.published and answer.doubts:
        count = len(answer.doubts)
        raise UsageError(
            f"--status {Status.published}: the conversion has {count} "
            f"doubt{'s' if count != 1 else ''} a reviewer must check first; convert as "
            f"{Status.in_review} and record a review"
        )
    if not chosen and status != Status.published and answer.confidence and answer.last_reviewed:
        count = len(answer.doubts)
        why = (
            f"{count} conversion doubt{'s' if count != 1 else ''} to check first"
            if count
            else "it cites nothing"
        )
        warnings.append(f"status {Status.in_review} although the page shows a review: {why}")


@dataclass
class _Change:
    """The conversion of one input onto its target, decided and done under one roof."""

    source: LegacySource
    target: Path
    rel: str
    digest: str
    text: str
    result: FileResult
    max_bytes: int
    render: Callable[..., str]
    """The file's text again, given review fields to keep (``--force``)."""
    answer: LegacyAnswer

    def write_new(self) -> None:
        """Create the target; a file found there after all is decided on, never replaced."""
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            fsutil.atomic_write(self.target, self.text.encode("utf-8"), overwrite=False)
        except FileExistsError:
            self.replace(force=False, dry_run=False)
        except OSError as error:
            raise WriteFailed(f"cannot write {self.rel}: {error.strerror or error}") from None

    def replace_locked(self, state_dir: Path) -> None:
        """``--force``: decide and rewrite under the edit lock ``qa review`` takes too."""
        with fsutil.edit_lock(state_dir, self.target, fsutil.LOCK_TIMEOUT_SECONDS, self.rel):
            self.replace(force=True, dry_run=False)

    def replace(self, *, force: bool, dry_run: bool) -> None:
        """Decide (and with ``force``, do) the conversion onto the existing target."""
        result, rel = self.result, self.rel
        meta: dict[str, Any] = {}
        body = ""
        try:
            existing = read_answer(self.target, rel, self.max_bytes)
            meta, body = existing.meta, existing.body
            legacy = meta.get("legacy")
            reason = None
        except AnswerFileError as error:
            legacy, reason = None, f"exists but cannot be read ({error.message})"
        legacy = legacy if isinstance(legacy, dict) else {}
        if legacy.get("sha256") == self.digest:
            result.status = UNCHANGED
            return
        their_source = legacy.get("source")
        if their_source is not None and their_source != self.source.file_name:
            raise AnswerExists(
                f"{rel} holds the answer converted from {their_source}; this text makes "
                f"the same id {result.id!r}"
            )
        if force:
            self._keep_review(meta)
            self._name_replaced_lines(body)
        if dry_run:
            result.text = self.text
            result.diff = _diff(self.target, rel, self.text)
        if not force:
            result.status = SKIPPED
            if reason is None:
                reason = (
                    "exists, converted from another version of this text"
                    if legacy
                    else "exists and was not converted from a legacy text"
                )
            result.error = f"{rel} {reason}; pass --force to replace it"
            return
        result.status = CONVERTED
        if dry_run:
            return
        try:
            fsutil.atomic_write(self.target, self.text.encode("utf-8"))
        except OSError as error:
            raise WriteFailed(f"cannot write {rel}: {error.strerror or error}") from None

    def _name_replaced_lines(self, body: str) -> None:
        """A warning naming the lines of the replaced answer's body that the new text does
        not have (an edit made since the conversion), so that none goes unannounced."""
        written = set(self.text.split("\n"))
        gone = [line for line in body.split("\n") if line.strip() and line not in written]
        if gone:
            shown = "; ".join(repr(shorten(line)) for line in gone[:3])
            more = f" and {len(gone) - 3} more" if len(gone) > 3 else ""
            self.result.warnings.append(
                f"replaced {len(gone)} line{'s' if len(gone) != 1 else ''} of the answer's "
                f"body that this conversion does not write (edited since?): {shown}{more}"
            )

    def _keep_review(self, meta: dict[str, Any]) -> None:
        """Carry the review history, and references added since, into the new text."""
        kept = review_history(meta, self.answer)
        names = list(kept)
        merged = kept_references(meta.get("references"), self.answer.references)
        if merged.kept:
            kept["references"] = merged.references
            names += merged.kept
        if not kept:
            return
        try:
            self.text = self.render(kept=kept)
        except TypeError as error:
            raise QAError(
                f"{self.rel}: cannot carry its review fields over ({error}); fix them or "
                "move the file away"
            ) from None
        self.result.kept = names
        history = [name for name in kept if name != "references"]
        if history:
            self.result.warnings.append(
                f"kept from the existing answer: {', '.join(history)} (its review history)"
            )
        if "confidence" in kept:
            text_gives = self.answer.confidence or "none"
            self.result.warnings.append(
                f"kept confidence {kept['confidence']} set by the review of "
                f"{kept['last_reviewed']}; the legacy text gives {text_gives}"
            )
        self.result.warnings.extend(merged.notes)


REVIEW_FIELDS = ("reviewed_by", "review_fingerprint", "review_log", "review_due")
"""Fields a review writes: ``--force`` keeps them from the answer it replaces."""


def review_history(meta: dict[str, Any], answer: LegacyAnswer) -> dict[str, Any]:
    """The review fields of an existing answer that a re-conversion keeps.

    ``reviewed_by``, ``review_fingerprint``, ``review_log`` and ``review_due`` are kept
    as they are; ``last_reviewed`` when it is later than the legacy text's (or the text
    gives none), and then ``confidence`` too when it differs from the text's: a review
    after the text's set it.
    """
    kept: dict[str, Any] = {}
    previous = as_date(meta.get("last_reviewed"))
    if previous is not None and (answer.last_reviewed is None or previous > answer.last_reviewed):
        kept["last_reviewed"] = previous
        confidence = meta.get("confidence")
        reviewed = meta.get("reviewed_by") or meta.get("review_log")
        levels = {level.value for level in Confidence}
        if reviewed and confidence in levels and confidence != answer.confidence:
            kept["confidence"] = confidence
    for name in REVIEW_FIELDS:
        if meta.get(name) not in (None, [], ""):
            kept[name] = meta[name]
    return kept


@dataclass
class KeptReferences:
    """The references a re-conversion writes, and what it kept of the replaced answer's."""

    references: list[dict]
    kept: list[str] = field(default_factory=list)
    """``reference ID`` for each reference that keeps something added after conversion."""
    notes: list[str] = field(default_factory=list)
    """One line per kept reference (what was kept) and per conflict with the legacy text."""


def kept_references(existing: Any, converted: list[dict]) -> KeptReferences:
    """Merge the replaced answer's references into the ones the legacy text gives.

    A person may have filled a stub or added a reference since the conversion (by hand
    or with ``qa refs import``); that is never lost. For a reference of the same id,
    the legacy text's fields are the base and each field the existing one has and the
    text does not is kept; where both have a field and the values differ, the existing
    (a person's) value is kept and the conflict is noted. An existing reference with
    details whose id the text does not give is kept after the converted ones; a bare
    stub the text no longer cites is not (the conversion made it).

    >>> merged = kept_references(
    ...     [{"id": "1", "DOI": "10.1/x"}, {"id": "t1", "title": "Added"}, {"id": "9"}],
    ...     [{"id": "1"}, {"id": "2", "title": "Two"}],
    ... )
    >>> merged.references
    [{'id': '1', 'DOI': '10.1/x'}, {'id': '2', 'title': 'Two'}, {'id': 't1', 'title': 'Added'}]
    >>> merged.kept
    ['reference 1', 'reference t1']
    """
    from qa_tool.references import is_stub

    previous = {
        str(ref.get("id")): ref
        for ref in (existing if isinstance(existing, list) else [])
        if isinstance(ref, dict) and ref.get("id") not in (None, "")
    }
    result = KeptReferences(references=[])
    for ref in converted:
        ref_id = str(ref.get("id"))
        old = previous.pop(ref_id, None)
        if old is None:
            result.references.append(ref)
            continue
        merged = dict(ref)
        added: list[str] = []
        for key, value in old.items():
            if key == "id" or value in (None, "", [], {}):
                continue
            if key not in ref or ref[key] in (None, "", [], {}):
                merged[key] = value
                added.append(key)
            elif ref[key] != value:
                merged[key] = value
                result.notes.append(
                    f"reference {ref_id}: kept its {key} {_shown(value)}; the legacy text "
                    f"now gives {_shown(ref[key])} (check which is right)"
                )
                added.append(key)
        result.references.append(merged)
        if added:
            result.kept.append(f"reference {ref_id}")
            result.notes.append(
                f"kept from the existing answer: reference {ref_id}'s {', '.join(added)} "
                "(added after conversion)"
            )
    for ref_id, old in previous.items():
        if is_stub(old):
            continue
        result.references.append(old)
        result.kept.append(f"reference {ref_id}")
        result.notes.append(
            f"kept from the existing answer: reference {ref_id} (not in the legacy text)"
        )
    return result


def _shown(value: Any, limit: int = 60) -> str:
    """A field's value in a note: quoted, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def _diff(target: Path, rel: str, text: str) -> str:
    try:
        with fsutil.open_regular(target) as handle:
            old = handle.read().decode("utf-8", errors="replace")
    except OSError:
        old = ""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"{rel} (now)",
            tofile=f"{rel} (converted)",
        )
    )


# --- the answer file ----------------------------------------------------------------


def answer_file_text(
    answer: LegacyAnswer,
    *,
    answer_id: str,
    topic: str,
    status: str,
    source: str,
    sha256: str,
    converted: dt.date,
    kept: dict[str, Any] | None = None,
) -> str:
    """The whole answer file: front matter in the content model's order, then the body.

    Only what the text gave is written: ``confidence`` and ``last_reviewed`` are left
    out when the text has none. ``kept`` holds review fields carried over from the
    answer being replaced (:func:`review_history`); the conversion's doubts go under
    ``legacy.doubts``.
    """
    kept = kept or {}
    meta: dict[str, Any] = {"id": answer_id, "title": answer.question, "topic": topic}
    meta["status"] = status
    confidence = kept.get("confidence") or answer.confidence
    if confidence:
        meta["confidence"] = confidence
    last_reviewed = kept.get("last_reviewed") or answer.last_reviewed
    if last_reviewed:
        meta["last_reviewed"] = last_reviewed
    for name in ("review_due", "reviewed_by", "review_fingerprint", "review_log"):
        if name in kept:
            meta[name] = kept[name]
    meta["references"] = kept.get("references", answer.references)
    meta["legacy"] = {
        "source": source,
        "sha256": sha256,
        "converted": converted,
        "tool": f"qa {__version__}",
    }
    if answer.doubts:
        meta["legacy"]["doubts"] = [doubt.to_dict() for doubt in answer.doubts]
    return f"---\n{front_matter_text(meta)}---\n{answer.body_markdown()}"
