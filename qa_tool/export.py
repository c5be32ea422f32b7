"""``qa export``: choosing answers and writing them as a reproducible bundle.

Selection: published answers by default; ``statuses``, ``topics`` and ``ids``
narrow it; ``since`` keeps answers added or changed since a git commit (one
``git diff`` plus one ``git ls-files`` for untracked files); ``exclude_due``
leaves out what ``qa stale`` would list. Drafts only come out when asked for.

The payload (paths inside the bundle's ``data/``)::

    answers.jsonl                 --format jsonl: one JSON object per answer
    answers.json                  --format json: the same objects as one array
    html/index.html               --format html: the index, grouped by topic
    html/<topic-folder>/<id>.html     one page per answer
    md/<topic-folder>/<id>.md     --format md: each answer file byte for byte

Nothing here reads the clock: the bundle's one timestamp is SOURCE_DATE_EPOCH,
else the library's HEAD commit time, else 1980-01-01 (:func:`bundle_epoch`), so
the same library state and options give the same bytes. Example::

    selection = make_selection(config, statuses=[Status.published], topics=["Oncology"])
    report = export_bundle(config, selection, ["jsonl", "html"], Path("out.tar.gz"))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import os
import re
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from qa_tool import __version__
from qa_tool.answerfile.read import Answer, read_bytes_checked
from qa_tool.bundle import (
    FIXED_EPOCH,
    MAX_EPOCH,
    Staging,
    bundle_kind,
    check_target,
    iso_utc,
    write_bundle,
)
from qa_tool.config import CONFIG_NAME, Config
from qa_tool.errors import AnswerFileError, AnswerNotFound, GitError, UsageError, WriteFailed
from qa_tool.fsutil import real_path
from qa_tool.gitinfo import call_git, git_message, has_changes
from qa_tool.library import AlsoDo, LoadResult, load_answers, relative, scan_markdown
from qa_tool.model import DEFAULT_EXPORT_STATUSES, ExportFormat, Status, choices
from qa_tool.schema import to_json_value
from qa_tool.stale import find_stale, known_due_date
from qa_tool.workers import map_chunks

DEFAULT_FORMATS: tuple[str, ...] = (ExportFormat.jsonl.value,)
COMPUTED_FIELDS = (
    "path",
    "references",
    "summary",
    "sections",
    "body_markdown",
    "body_html",
    "due_date",
    "footer",
)
_UNSAFE_NAME = re.compile(r"[\\\x00-\x1f\x7f]")

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each answer is written."""


@dataclass(frozen=True)
class Selection:
    """Which answers an export takes; normalised so equal choices compare (and record) equal."""

    statuses: tuple[str, ...] = DEFAULT_EXPORT_STATUSES
    topics: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    since: str | None = None
    exclude_due: bool = False
    as_of: dt.date | None = None


def make_selection(
    config: Config,
    *,
    statuses: Iterable[str] = (),
    topics: Iterable[str] = (),
    ids: Iterable[str] = (),
    since: str | None = None,
    exclude_due: bool = False,
    as_of: dt.date | None = None,
) -> Selection:
    """Check and normalise the selection options; UsageError names a bad value.

    ``topics`` may be names or folders in any case (``oncology`` -> ``Oncology``);
    no statuses means published only. ``as_of`` (default today) only matters
    with ``exclude_due``.
    """
    wanted = sorted({s.strip().lower() for s in statuses}) or list(DEFAULT_EXPORT_STATUSES)
    for status in wanted:
        if status not in set(Status):
            raise UsageError(f"--status {status!r}: use one of {choices(Status)}")
    topic_names = sorted({config.topic_named(t).name for t in topics})
    id_list = sorted({i.strip() for i in ids if i.strip()})
    if since is not None:
        since = since.strip()
        if not since or since.startswith("-"):
            raise UsageError(f"--since {since!r}: give a commit, branch or tag")
    if exclude_due and as_of is None:
        as_of = dt.date.today()
    return Selection(
        tuple(wanted),
        tuple(topic_names),
        tuple(id_list),
        since,
        exclude_due,
        as_of if exclude_due else None,
    )


def normalise_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """Formats without repeats, in the fixed order jsonl, json, html, md; jsonl when none."""
    chosen = {f.strip().lower() for f in formats}
    for name in sorted(chosen):
        if name not in set(ExportFormat):
            raise UsageError(f"--format {name!r}: use one of {choices(ExportFormat)}")
    return tuple(f.value for f in ExportFormat if f in chosen) or DEFAULT_FORMATS


# ---------------------------------------------------------------------------
# git: one call per question, never per file


def _answers_pathspec(config: Config) -> str:
    return config.answers_dir.relative_to(config.root).as_posix() or "."


@dataclass(frozen=True)
class LibraryState:
    """The library's git HEAD, whether answers or settings have uncommitted changes, and when."""

    commit: str | None = None
    dirty: bool | None = None
    commit_time: int | None = None


_NOT_CONTENT = (":(exclude,glob)**/.*.tmp", ":(exclude,glob)**/.*.old")
"""qa's own temporaries (one a killed run left behind) are not changes to the library."""


def library_state(config: Config) -> LibraryState:
    """HEAD and the dirty flag from two git calls; all None outside git or without git.

    "Dirty" looks only at the answers folder and ``qa.toml``, untracked files
    included, so a bundle written inside the repository does not dirty the next.
    """
    try:
        log = call_git(config.root, "log", "-1", "--format=%H %ct", "HEAD", "--")
    except GitError:
        return LibraryState()
    if log.returncode != 0 or not log.stdout.strip():
        return LibraryState()
    commit, _, stamp = log.stdout.decode().strip().partition(" ")
    try:
        dirty: bool | None = has_changes(
            config.root, _answers_pathspec(config), CONFIG_NAME, *_NOT_CONTENT
        )
    except GitError:
        dirty = None
    return LibraryState(commit, dirty, int(stamp))


def bundle_epoch(state: LibraryState, environ: Mapping[str, str]) -> tuple[int, str]:
    """``(epoch, source)``: SOURCE_DATE_EPOCH, else the HEAD commit time, else 1980-01-01.

    The fallback is a constant on purpose: anything taken from the files (their
    mtimes, the newest review date) would change without the content changing,
    or claim a time the bundle was not made.
    """
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        if not value.isascii() or not value.isdigit():
            raise UsageError(
                f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970"
            )
        if int(value) > MAX_EPOCH:
            raise UsageError(
                f"SOURCE_DATE_EPOCH={value} is after 2107-12-31, the last time a zip file "
                "can record"
            )
        return int(value), "SOURCE_DATE_EPOCH"
    if state.commit_time is not None:
        return state.commit_time, "git-commit"
    return FIXED_EPOCH, "fixed"


def changed_since(config: Config, ref: str) -> tuple[str, set[Path]]:
    """``(commit, paths)``: answer files added or changed since ``ref``, untracked ones included.

    One ``git diff --name-status`` of the working tree against ``ref`` (renames
    count as added at their new path; deletions have nothing to export) and one
    ``git ls-files --others`` for new files not yet added to git.
    """
    resolved = call_git(config.root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if resolved.returncode != 0:
        reason = git_message(resolved, "no such commit, branch or tag")
        raise UsageError(f"--since {ref}: {reason}")
    commit = resolved.stdout.decode().strip()
    spec = _answers_pathspec(config)
    diff = call_git(
        config.root,
        "diff",
        "--name-status",
        "-z",
        "--no-renames",
        "--no-ext-diff",
        "--no-textconv",
        "--relative",
        commit,
        "--",
        spec,
    )
    if diff.returncode != 0:
        raise GitError(f"git diff: {git_message(diff)}")
    paths: set[Path] = set()
    fields = diff.stdout.split(b"\0")
    for status, name in zip(fields[0::2], fields[1::2], strict=False):
        if status[:1] in (b"A", b"M", b"T", b"U"):
            paths.add(config.root / os.fsdecode(name))
    others = call_git(config.root, "ls-files", "-z", "--others", "--exclude-standard", "--", spec)
    if others.returncode == 0:
        paths.update(config.root / os.fsdecode(n) for n in others.stdout.split(b"\0") if n)
    return commit, paths


# ---------------------------------------------------------------------------
# Selection


@dataclass
class Selected:
    """The answers chosen (sorted by path), and the files that could not be read."""

    answers: list[Answer]
    failures: list[AnswerFileError] = field(default_factory=list)
    since_commit: str | None = None
    excluded_due: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things seen but not answers (a folder named ``x.md``): said on stderr, not failures."""


def select_answers(config: Config, selection: Selection, also: AlsoDo | None = None) -> Selected:
    """Read the candidate files and keep the answers the selection asks for.

    ``--id`` and ``--since`` narrow the files before they are read; an unknown
    id is AnswerNotFound. Unreadable files among the candidates are returned
    as failures (their status is unknown, so they may have been wanted).
    ``also`` runs on the full read of each file parsed (see :class:`Prerendered`).
    """
    found, odd = scan_markdown(config.answers_dir) if config.answers_dir.is_dir() else ([], [])
    notes = [
        f"{relative(config, folder)}: is a folder named like an answer file; not read"
        for folder in odd
        if not selection.ids and selection.since is None
    ]
    since_commit = None
    if selection.ids:
        stems = {f.path.stem for f in found}
        unknown = [i for i in selection.ids if i not in stems]
        if unknown:
            raise AnswerNotFound(f"--id: no answer with id {', '.join(map(repr, unknown))}")
        wanted = set(selection.ids)
        found = [f for f in found if f.path.stem in wanted]
    if selection.since is not None:
        since_commit, changed = changed_since(config, selection.since)
        found = [f for f in found if f.path in changed]
    # status and topic are enough to choose
    loaded = load_answers(config, found, summary=True, also=also)
    statuses, topics = set(selection.statuses), set(selection.topics)
    chosen = [
        a
        for a in loaded.answers
        if a.status in statuses and (not topics or a.text_field("topic") in topics)
    ]
    failures = list(loaded.failures)
    safe = []
    for answer in chosen:
        if _UNSAFE_NAME.search(answer.rel):
            failures.append(
                AnswerFileError(
                    answer.path,
                    "its file name holds a backslash or a control character",
                    rule="unsafe-name",
                )
            )
        else:
            safe.append(answer)
    excluded: list[str] = []
    if selection.exclude_due:
        due = due_answers(config, safe, selection)
        excluded = sorted(a.rel for a in safe if a.rel in due)
        safe = [a for a in safe if a.rel not in due]
    safe.sort(key=lambda a: a.rel)
    failures.sort(key=lambda e: str(e.path))
    from qa_tool.references.check import export_notes

    # Stub or retracted references on a live page; each summary's front matter is decoded
    # without being kept (Answer.read_meta), so the notes hold no memory to the end.
    notes.extend(export_notes(config, safe))
    return Selected(safe, failures, since_commit, excluded, notes)


def due_answers(config: Config, answers: Sequence[Answer], selection: Selection) -> set[str]:
    """Paths (relative to the root) of the answers ``qa stale`` lists as due on ``as_of``.

    ``find_stale`` is asked with the export's statuses, so what is left out is
    what ``qa stale --status ... --as-of ...`` with the same statuses would list
    (git history included, as ``qa stale`` does by default).
    """
    report = find_stale(
        config,
        LoadResult(answers=list(answers)),
        as_of=selection.as_of or dt.date.today(),
        statuses=list(selection.statuses),
    )
    return {item.path for item in report.due}


# ---------------------------------------------------------------------------
# The payload


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def json_line(record: Mapping[str, Any]) -> bytes:
    """One record as compact-ish UTF-8 JSON on one line (NaN and infinities become text)."""
    try:
        text = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(record), ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a YAML escape
        return json.dumps(json.loads(text), ensure_ascii=True).encode("ascii")


def answer_record(doc: Any, config: Config) -> dict[str, Any]:
    """The JSON object of one answer (documented in docs/commands/export.md).

    ``path`` first, then every front-matter field in file order (dates as ISO
    strings), then what is computed: resolved ``references``, ``summary``,
    ``sections``, ``body_markdown``, ``body_html``, ``due_date``, ``footer``.
    """
    answer: Answer = doc.answer
    record: dict[str, Any] = {"path": answer.rel}
    for key, value in answer.meta.items():
        if key not in COMPUTED_FIELDS:
            record[key] = to_json_value(value)
    due = known_due_date(answer.meta, config)
    topic = answer.meta.get("topic")
    record.update(
        {
            "references": [r.to_dict() for r in doc.references],
            "summary": doc.summary,
            "sections": {"research": doc.research, "doctor_questions": doc.doctor_questions},
            "body_markdown": answer.body,
            "body_html": doc.body_html,
            "due_date": due.isoformat() if due else None,
            "footer": config.footer_for(topic) if isinstance(topic, str) and topic else None,
        }
    )
    return record


def payload_stem(config: Config, answer: Answer) -> str:
    """``answers/oncology/x.md`` -> ``oncology/x``: where its html and md files go."""
    try:
        rel = answer.path.relative_to(config.answers_dir)
    except ValueError:
        rel = Path(answer.path.name)
    return rel.with_suffix("").as_posix()


@dataclass
class _Rendered:
    """What one answer puts in the payload, made in a worker process."""

    rel: str
    stem: str
    line: bytes | None = None
    page: bytes | None = None
    entry: Any = None
    md: bytes | None = None
    error: AnswerFileError | None = None
    blob: str | None = None  # the git blob id of the bytes rendered


def _render_chunk(
    shared: tuple[Config, tuple[str, ...]], items: Sequence[tuple[str, str, str]]
) -> list[_Rendered]:
    """Read each answer in full and render everything its formats need.

    Runs in a worker process for large exports. A file that cannot be read in
    full comes back with its error.
    """
    from qa_tool.answerfile.read import read_answer

    config, formats = shared
    out: list[_Rendered] = []
    for path, rel, stem in items:
        try:
            answer = read_answer(Path(path), rel, config.max_file_bytes, with_blob=True)
            md = (  # the bytes as they are, within the same limit
                read_bytes_checked(answer.path, config.max_file_bytes)
                if ExportFormat.md in formats
                else None
            )
        except AnswerFileError as exc:
            out.append(_Rendered(rel, stem, error=exc))
            continue
        except OSError as exc:
            error = AnswerFileError(path, f"cannot be read: {exc.strerror}", rule="unreadable")
            out.append(_Rendered(rel, stem, error=error))
            continue
        item = _render_answer(config, formats, answer, stem)
        item.md = md
        out.append(item)
    return out


@functools.cache
def _renderer() -> Any:
    """This process's renderer (one per worker)."""
    from qa_tool.render import Renderer

    return Renderer()


def _render_answer(
    config: Config, formats: tuple[str, ...], answer: Answer, stem: str
) -> _Rendered:
    """The payload pieces of one answer read in full (all but its ``md`` copy)."""
    from qa_tool.render import IndexEntry, answer_page, confidence_line

    item = _Rendered(answer.rel, stem)
    item.blob = answer.git_blob[0] if answer.git_blob is not None else None
    wants_json = ExportFormat.jsonl in formats or ExportFormat.json in formats
    wants_html = ExportFormat.html in formats
    if not wants_json and not wants_html:
        return item
    doc = _renderer().render(answer)
    if wants_json:
        item.line = json_line(answer_record(doc, config))
    if wants_html:
        topic = answer.meta.get("topic")
        footer = config.footer_for(topic) if isinstance(topic, str) and topic else None
        page = answer_page(doc, footer, "../" * stem.count("/") + "index.html")
        item.page = page.encode("utf-8", "xmlcharrefreplace")
        item.entry = IndexEntry(
            doc.topic, doc.title, quote(stem) + ".html", confidence_line(answer.meta)
        )
    return item


def _cache_parts(item: _Rendered) -> tuple[bytes | None, ...]:
    """What the render cache keeps of a rendering: line, page and index entry (as JSON)."""
    entry = json.dumps(astuple(item.entry)).encode() if item.entry else None
    return (item.line, item.page, entry)


def _from_parts(rel: str, stem: str, parts: Sequence[bytes | None]) -> _Rendered:
    """A rendering from what the render cache keeps (:func:`_cache_parts`)."""
    from qa_tool.render import IndexEntry

    line, page, entry = parts
    item = _Rendered(rel, stem, line, page)
    if entry is not None:
        item.entry = IndexEntry(*json.loads(entry))
    return item


def _prerender(
    shared: tuple[Config, tuple[str, ...], frozenset[str], frozenset[str]], answer: Answer
) -> tuple[tuple[bytes | None, ...], str | None] | None:
    """In the worker that read ``answer`` in full to choose it: its rendering, packed as the
    render cache keeps it, when the selection will take it (else None)."""
    from qa_tool.cache import pack_parts

    config, formats, statuses, topics = shared
    if answer.status not in statuses or (topics and answer.text_field("topic") not in topics):
        return None
    if _UNSAFE_NAME.search(answer.rel):
        return None
    item = _render_answer(config, formats, answer, payload_stem(config, answer))
    return pack_parts(_cache_parts(item)), item.blob


class _Spill:
    """Packed renderings by path, kept in an unnamed temporary file in ``.qa/`` until they
    are taken (:meth:`pop`), so that a cold export of the whole library does not hold
    every answer's rendering in memory while it reads the rest. In memory when no such
    file can be made (``.qa`` cannot be created, a read-only library).
    """

    _HEAD = struct.Struct("<4i")  # the lengths of the blob id and the 3 pieces, -1 for None

    def __init__(self, config: Config):
        self.config = config
        self._file: Any = None  # the temporary file; False: none could be made
        self._at: dict[str, int] = {}  # where each path's record starts in the file
        self._kept: dict[str, tuple[tuple[bytes | None, ...], str | None]] = {}

    def __contains__(self, rel: object) -> bool:
        return rel in self._at or rel in self._kept

    def __len__(self) -> int:
        return len(self._at) + len(self._kept)

    def _opened(self) -> Any:
        if self._file is None:
            self._file = False
            if self.config.state_dir.parent.is_dir():
                import tempfile

                from qa_tool.config import ensure_state_dir

                with contextlib.suppress(OSError):
                    state = ensure_state_dir(self.config)
                    self._file = tempfile.TemporaryFile(dir=state)  # noqa: SIM115 (see close)
        return self._file

    def put(self, rel: str, packed: tuple[bytes | None, ...], blob: str | None) -> None:
        spill = self._opened()
        if spill is not False:
            parts = (blob.encode("ascii") if blob is not None else None, *packed)
            try:
                at = spill.seek(0, os.SEEK_END)
                spill.write(self._HEAD.pack(*(-1 if p is None else len(p) for p in parts)))
                spill.write(b"".join(p for p in parts if p is not None))
            except OSError:  # a full disk: this one and the rest stay in memory
                self._file = False
                with contextlib.suppress(OSError):
                    spill.close()
                # the records written so far cannot be read back: those answers render again
                self._at.clear()
            else:
                self._at[rel] = at
                return
        self._kept[rel] = (packed, blob)

    def pop(self, rel: str) -> tuple[tuple[bytes | None, ...], str | None]:
        """The packed pieces and blob id put for ``rel``, let go here (KeyError: none)."""
        if rel in self._kept:
            return self._kept.pop(rel)
        at = self._at.pop(rel)
        spill = self._file
        spill.seek(at)
        sizes = self._HEAD.unpack(spill.read(self._HEAD.size))
        data = spill.read(sum(n for n in sizes if n > 0))
        parts: list[bytes | None] = []
        start = 0
        for n in sizes:
            parts.append(data[start : start + n] if n >= 0 else None)
            start += max(n, 0)
        blob = parts[0].decode("ascii") if parts[0] is not None else None
        return tuple(parts[1:]), blob

    def close(self) -> None:
        if self._file:
            with contextlib.suppress(OSError):
                self._file.close()
        self._file = False
        self._at.clear()
        self._kept.clear()


class Prerendered:
    """Renderings made while answers are chosen, from the same full read of each file.

    A file the selection has to parse (its summary is not cached) is parsed once:
    the worker that reads it for its status and topic also renders it when it will
    be exported. The pieces are kept compressed, as the render cache keeps them,
    in a temporary file (:class:`_Spill`) until the payload is written.
    """

    def __init__(self, config: Config, formats: tuple[str, ...]):
        self.config = config
        self.formats = formats
        self.pieces = _Spill(config)

    def also(self, selection: Selection) -> AlsoDo | None:
        """The work to hand to the summary read, or None when nothing is rendered."""
        if not {ExportFormat.jsonl, ExportFormat.json, ExportFormat.html} & set(self.formats):
            return None
        statuses, topics = frozenset(selection.statuses), frozenset(selection.topics)
        return AlsoDo(_prerender, (self.config, self.formats, statuses, topics), self._take)

    def _take(self, rel: str, packed: Any) -> None:
        if packed is not None:
            self.pieces.put(rel, *packed)

    def close(self) -> None:
        """Let go of the renderings not taken (and their temporary file)."""
        self.pieces.close()


def _render_context(config: Config, formats: tuple[str, ...]) -> str:
    """A digest of everything besides the file itself that an answer's rendering depends on."""
    import hashlib

    parts = {
        "tool": __version__,
        "formats": sorted(formats),
        "answers_dir": relative(config, config.answers_dir),  # the same in every clone
        "max_file_bytes": config.max_file_bytes,
        "topics": [(t.name, t.folder, t.footer) for t in config.topics],
        "review": repr(config.review),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _rendered(
    config: Config,
    answers: Sequence[Answer],
    formats: tuple[str, ...],
    workers: int | None,
    pre: Prerendered | None = None,
) -> Iterator[_Rendered]:
    """Each answer's payload pieces, in order.

    Pieces the render cache (``.qa/cache.sqlite3``) holds for an unchanged file
    are reused, then those rendered while choosing (``pre``); the rest are
    rendered, over worker processes for a large export, and cached for next time.
    """
    from qa_tool.cache import FILE_NAME, RenderCache, pack_parts, stat_key, unpack_parts
    from qa_tool.gitinfo import clean_blobs

    pieces = pre.pieces if pre is not None else _Spill(config)
    items = [(a.path_text, a.rel, payload_stem(config, a)) for a in answers]
    # A file git vouches for is known by its blob id (valid in any clone); others by stat.
    clean = clean_blobs(config.root, relative(config, config.answers_dir)) if items else {}
    keys: dict[str, Any] = {}
    for path, rel, _stem in items:
        if rel in clean:
            keys[rel] = clean[rel]
            continue
        with contextlib.suppress(OSError):
            keys[rel] = stat_key(os.stat(path))
    cache = RenderCache(config.state_dir / FILE_NAME, _render_context(config, formats))
    cached = cache.valid(keys)
    misses = [item for item in items if item[1] not in cached and item[1] not in pieces]
    fresh = map_chunks(_render_chunk, misses, shared=(config, formats), workers=workers)
    batch = 256  # cached pieces are fetched a batch at a time, so memory stays flat
    saving: bool | None = None  # whether .qa/ is there for new entries (known at the first)
    for start in range(0, len(items), batch):
        part = items[start : start + batch]
        hits = cache.fetch([rel for _path, rel, _stem in part if rel in cached])
        for path, rel, stem in part:
            hit = hits.get(rel)
            if hit is None:
                if rel in pieces and rel not in cached:
                    packed, blob = pieces.pop(rel)
                    item = _from_parts(rel, stem, unpack_parts(packed))
                    item.blob = blob
                else:
                    item = (
                        next(fresh)
                        if rel not in cached
                        else _render_chunk((config, formats), [(path, rel, stem)])[0]
                    )  # an entry that vanished since valid(): render it here
                    packed = None
                if saving is None:
                    saving = _state_dir_ready(config)
                if saving and item.error is None and rel in keys:
                    key = keys[rel] if not isinstance(keys[rel], str) else None
                    packed = packed or pack_parts(_cache_parts(item))
                    cache.put_packed(rel, key, packed, item.blob)
                    if cache.pending >= RenderCache.SAVE_EVERY:
                        cache.save()  # a batch at a time: the renderings do not wait in memory
                if item.md is None and ExportFormat.md in formats and item.error is None:
                    _read_md(config, path, item)
                yield item
                continue
            item = _from_parts(rel, stem, hit)
            if ExportFormat.md in formats:
                _read_md(config, path, item)
            yield item
    if saving:
        cache.save()


def _state_dir_ready(config: Config) -> bool:
    """Whether ``.qa/`` is there (made now if need be) to cache renderings in."""
    if not config.state_dir.parent.is_dir():
        return False
    from qa_tool.config import ensure_state_dir

    try:
        ensure_state_dir(config)
    except OSError:
        return False
    return True


def _read_md(config: Config, path: str, item: _Rendered) -> None:
    """The answer file's bytes for the ``md`` format, within the size limit."""
    try:
        item.md = read_bytes_checked(Path(path), config.max_file_bytes)
    except AnswerFileError as exc:
        item.error = exc


def write_payload(
    sink: Staging,
    config: Config,
    answers: Sequence[Answer],
    formats: Sequence[str],
    progress: Progress | None = None,
    failures: list[AnswerFileError] | None = None,
    workers: int | None = None,
    pre: Prerendered | None = None,
) -> None:
    """Write every chosen format of ``answers`` into ``sink``, one answer at a time.

    Answers are read in full and rendered in worker processes when there are
    many; JSON lines go straight to the open ``answers.jsonl``/``answers.json``
    streams, pages straight to disk, in the answers' order. An answer that
    cannot be read in full is left out and added to ``failures``.
    """
    from contextlib import ExitStack

    from qa_tool.render import index_page

    formats = tuple(formats)
    wants_html = ExportFormat.html in formats
    entries: list[Any] = []
    total = len(answers)
    written = 0
    with ExitStack() as stack:
        jsonl = (
            stack.enter_context(sink.stream("answers.jsonl"))
            if ExportFormat.jsonl in formats
            else None
        )
        array = (
            stack.enter_context(sink.stream("answers.json"))
            if ExportFormat.json in formats
            else None
        )
        if array is not None:
            array.write(b"[")
        for n, item in enumerate(_rendered(config, answers, formats, workers, pre), 1):
            if item.error is not None:
                if failures is not None:
                    failures.append(item.error)
            else:
                written += 1
                if jsonl is not None and item.line is not None:
                    jsonl.write(item.line + b"\n")
                if array is not None and item.line is not None:
                    array.write((b"\n" if written == 1 else b",\n") + item.line)
                if item.page is not None:
                    sink.add(f"html/{item.stem}.html", item.page)
                    entries.append(item.entry)
                if item.md is not None:
                    sink.add(f"md/{item.stem}.md", item.md)
            if progress is not None:
                progress(n, total)
        if array is not None:
            array.write(b"\n]\n" if written else b"]\n")
    if wants_html:
        page = index_page(entries, [t.name for t in config.topics])
        sink.add("html/index.html", page.encode("utf-8", "xmlcharrefreplace"))


# ---------------------------------------------------------------------------
# The whole export


@dataclass
class ExportReport:
    """What an export did: the summary printed at the end (``--report json``)."""

    out: str
    kind: str
    formats: tuple[str, ...]
    answers: int
    files: int
    payload_bytes: int
    bundle_bytes: int
    created: str
    timestamp_source: str
    state: LibraryState
    skipped: list[AnswerFileError] = field(default_factory=list)
    excluded_due: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self, config: Config) -> dict[str, Any]:
        from qa_tool.library import relative

        return {
            "version": 1,
            "out": self.out,
            "kind": self.kind,
            "formats": list(self.formats),
            "answers": self.answers,
            "files": self.files,
            "payload_bytes": self.payload_bytes,
            "bundle_bytes": self.bundle_bytes,
            "created": self.created,
            "timestamp_source": self.timestamp_source,
            "git_commit": self.state.commit,
            "dirty": self.state.dirty,
            "excluded_due": self.excluded_due,
            "skipped": [
                {
                    "path": relative(config, e.path),
                    "line": e.line,
                    "rule": e.rule,
                    "message": e.message,
                }
                for e in self.skipped
            ],
        }


def check_out(config: Config, out: Path, force: bool) -> None:
    """Refuse an ``--out`` inside the answers folder (it would become part of the library)."""
    bundle_kind(out)
    target = real_path(out)
    answers = config.answers_dir
    if target == answers or target.is_relative_to(answers):
        raise UsageError(f"--out {out}: inside the answers folder; write the bundle elsewhere")
    if target == config.root:
        raise UsageError(f"--out {out}: that is the library itself")
    check_target(out, force, (config.root, config.answers_dir))


def _manifest_fields(
    state: LibraryState,
    stamp: tuple[int, str],
    selection: Selection,
    selected: Selected,
    formats: tuple[str, ...],
) -> dict[str, Any]:
    """What the manifest records of how the bundle was made: tool, time, source, choices."""
    epoch, source = stamp
    return {
        "tool": {"name": "qa_tool", "version": __version__},
        "created": iso_utc(epoch),
        "timestamp_source": source,
        "library": {"git_commit": state.commit, "dirty": state.dirty},
        "selection": {
            "statuses": list(selection.statuses),
            "topics": list(selection.topics),
            "ids": list(selection.ids),
            "since": (
                {"ref": selection.since, "commit": selected.since_commit}
                if selection.since is not None
                else None
            ),
            "exclude_due": selection.exclude_due,
            "as_of": selection.as_of.isoformat() if selection.as_of else None,
        },
        "formats": list(formats),
        "answer_count": len(selected.answers),
    }


def _bundle_bytes(out: Path, kind: str) -> int:
    """The size of the bundle written: the archive, or every file in the folder."""
    if kind == "folder":
        return sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return out.stat().st_size


def export_bundle(
    config: Config,
    selection: Selection,
    formats: Iterable[str],
    out: Path,
    *,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    on_selected: Callable[[Selected], None] | None = None,
) -> ExportReport:
    """Select, then write the bundle at ``out`` (folder, .zip or .tar.gz) atomically.

    ``environ`` (default ``os.environ``) is where SOURCE_DATE_EPOCH is read;
    ``on_selected`` sees the selection before writing starts (to size a progress bar).
    """
    formats = normalise_formats(formats)
    out = Path(out)
    check_out(config, out, force)
    environ = os.environ if environ is None else environ
    state = library_state(config)
    epoch, source = bundle_epoch(state, environ)
    pre = Prerendered(config, formats)
    try:
        selected = select_answers(config, selection, also=pre.also(selection))
        if on_selected is not None:
            on_selected(selected)
        fields = _manifest_fields(state, (epoch, source), selection, selected, formats)
        late_failures: list[AnswerFileError] = []
        try:
            result = write_bundle(
                out,
                lambda sink: write_payload(
                    sink, config, selected.answers, formats, progress, late_failures, pre=pre
                ),
                fields,
                agent=f"qa_tool {__version__}",
                epoch=epoch,
                force=force,
                protected=(config.root, config.answers_dir),
            )
        except OSError as exc:  # disk full, no permission: write_bundle removed its temporaries
            raise WriteFailed(
                f"--out {out}: the bundle could not be written ({exc.strerror or exc}); "
                "nothing was changed"
            ) from None
    finally:
        pre.close()  # the renderings no answer took (and their temporary file)
    return ExportReport(
        str(out),
        result.kind,
        formats,
        len(selected.answers),
        len(result.files),
        result.payload_bytes,
        _bundle_bytes(out, result.kind),
        iso_utc(epoch),
        source,
        state,
        sorted([*selected.failures, *late_failures], key=lambda e: str(e.path)),
        selected.excluded_due,
        selected.notes,
    )
