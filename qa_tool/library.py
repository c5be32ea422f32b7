"""Finding and reading the answers of a library.

Answers are the ``*.md`` files under the answers folder. Hidden folders are
skipped, folders behind symlinks are not followed, and a file whose real path
lies outside the library root is reported instead of read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from qa_tool.answerfile.read import Answer, read_answer, read_summary, summary_answer
from qa_tool.answerfile.write import escaped, has_undecodable
from qa_tool.config import Config
from qa_tool.errors import AnswerFileError, AnswerNotFound, PathOutsideLibrary, UsageError
from qa_tool.fsutil import real_path
from qa_tool.workers import map_chunks

CachedRow = tuple[str, tuple]
"""``(rel, row)``: an answer as the cache stores it (:meth:`qa_tool.cache.SummaryCache.row`)."""


@dataclass
class LoadResult:
    """The answers that could be read, and one error per file that could not.

    With ``rows`` (see :func:`load_answers`), ``listing`` holds every answer in order,
    each an :class:`Answer` or a :data:`CachedRow`; ``answers`` then holds only the
    Answers among them, and ``answer_of`` makes the Answer of a row when one is needed.
    """

    answers: list[Answer] = field(default_factory=list)
    failures: list[AnswerFileError] = field(default_factory=list)
    warnings: list[AnswerFileError] = field(default_factory=list)
    listing: list[Answer | CachedRow] | None = None
    answer_of: Callable[[CachedRow], Answer] | None = None

    @property
    def files_seen(self) -> int:
        return len(self.answers) + len(self.failures)


def relative(config: Config, path: Path | str) -> str:
    """The path as shown to people: relative to the library root, with '/'."""
    text, root = str(path), str(config.root)
    if text.startswith(root) and text[len(root) : len(root) + 1] == os.sep:
        rel = text[len(root) + 1 :]
        return rel.replace(os.sep, "/") if os.sep != "/" else rel
    try:
        return Path(path).relative_to(config.root).as_posix()
    except ValueError:
        return text


class Found:
    """One ``*.md`` file found by a scan, with its stat (None when it could not be taken).

    ``name`` is the path as text; the :class:`~pathlib.Path` is made on first use,
    since a scan of 100,000 files would otherwise spend most of its time building them.
    The stat of a scanned file is taken on first use too: files that git vouches
    for (see :func:`qa_tool.gitinfo.clean_blobs`) never need one.
    """

    __slots__ = ("name", "_stat", "_entry", "is_link", "_path")

    def __init__(
        self,
        path: Path | str,
        stat: os.stat_result | None | bool = False,  # False: not taken yet
        is_link: bool = False,
        entry: os.DirEntry | None = None,
    ):
        self.name = str(path)
        self._stat = stat
        self._entry = entry
        self.is_link = is_link
        self._path = path if isinstance(path, Path) else None

    def __reduce__(self) -> tuple:
        # For worker processes: a DirEntry cannot be pickled; the stat is taken there if needed.
        return (Found, (self.name, self._stat, self.is_link))

    @property
    def stat(self) -> os.stat_result | None:
        if self._stat is False:
            try:
                self._stat = self._entry.stat() if self._entry is not None else os.stat(self.name)
            except OSError:
                self._stat = None
            self._entry = None
        return self._stat  # type: ignore[return-value]

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(self.name)
        return self._path

    def __repr__(self) -> str:
        return f"Found({self.name!r})"


class Scan:
    """The files a scan found, as text (:func:`scan_paths`): iterated, a :class:`Found` per
    file; a listing that needs no object per file (``qa stale``) reads ``names``."""

    __slots__ = ("names", "links")

    def __init__(self, names: list[str], links: set[str]):
        self.names = names  # sorted by path parts
        self.links = links  # the names that are symlinks

    def found(self, name: str) -> Found:
        return Found(name, False, name in self.links)

    def __iter__(self) -> Iterator[Found]:
        links = self.links
        return (Found(name, False, name in links) for name in self.names)

    def __len__(self) -> int:
        return len(self.names)


def scan_markdown(
    folder: Path, suffixes: tuple[str, ...] = (".md",)
) -> tuple[list[Found], list[Path]]:
    """Every ``*.md`` file below ``folder`` (sorted), and folders named like ``x.md``.

    See :func:`scan_paths`, which this is, with a :class:`Found` per file.
    """
    files, odd = scan_paths(folder, suffixes)
    return list(files), odd


def scan_paths(folder: Path, suffixes: tuple[str, ...] = (".md",)) -> tuple[Scan, list[Path]]:
    """Every ``*.md`` file below ``folder`` (sorted), and folders named like ``x.md``.

    One ``os.scandir`` pass: hidden entries are skipped, folders behind symlinks
    are not entered. ``suffixes`` widens the search to other file names (``qa
    convert`` reads ``*.txt`` too). Sorted by path parts, as a walk in name order
    gives them: each folder's names are sorted once, as text, and a folder's files
    come where its name sorts among its siblings (no key per file, nor a sort of
    the whole list). A folder that cannot be listed whole is left out whole.
    """
    names: list[str] = []
    links: set[str] = set()
    odd: list[Path] = []
    top = _listed(os.fspath(folder), suffixes, odd, links)
    stack = [top] if top is not None else []
    append = names.append
    while stack:
        prefix, entries, folders = stack[-1]
        for name in entries:
            if name in folders:
                inner = _listed(prefix + name, suffixes, odd, links)
                if inner is not None:
                    stack.append(inner)  # its names first; this folder's rest after them
                    break
            else:
                append(prefix + name)
        else:
            stack.pop()
    return Scan(names, links), odd


def _listed(
    folder: str, suffixes: tuple[str, ...], odd: list[Path], links: set[str]
) -> tuple[str, Iterator[str], set[str]] | None:
    """One folder for :func:`scan_paths`: ``(folder + separator, its names in order, the
    names that are folders)``, hidden names and other files left out; its folders named
    like answer files go to ``odd``, its files that are symlinks to ``links``. None when
    the folder cannot be listed whole."""
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    kept: list[str] = []
    folders: set[str] = set()
    try:
        with os.scandir(folder) as it:
            for entry in it:
                name = entry.name
                if name[:1] == ".":
                    continue
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                if is_dir:
                    folders.add(name)
                    kept.append(name)
                elif name.endswith(suffixes):
                    kept.append(name)
                    if entry.is_symlink():
                        links.add(prefix + name)
    except OSError:
        return None
    kept.sort()
    odd.extend(Path(prefix + name) for name in sorted(folders) if name.endswith(suffixes))
    return prefix, iter(kept), folders


def walk_markdown(folder: Path) -> Iterator[tuple[Path, bool]]:
    """``(path, is_file)`` for every ``*.md`` below ``folder`` (folders named ``x.md``: False)."""
    files, odd = scan_markdown(folder)
    for found in files:
        yield found.path, True
    for path in odd:
        yield path, False


def answer_paths(config: Config) -> list[Path]:
    """Every answer file of the library (not parsed), sorted."""
    if not config.answers_dir.is_dir():
        return []
    return [f.path for f in scan_markdown(config.answers_dir)[0]]


def select_paths(config: Config, given: Sequence[str] | None) -> tuple[list[Found], list[Path]]:
    """Answer files named on the command line (files or folders); all answers when none.

    Returns ``(files, folders_named_like_files)``. UsageError for a path that does
    not exist, PathOutsideLibrary for a folder outside the root. Files named
    directly are checked against the library root later.
    """
    files, odd = _selected(config, given)
    return list(files), odd


def _selected(config: Config, given: Sequence[str] | None) -> tuple[Scan | list[Found], list[Path]]:
    """:func:`select_paths`, the whole answers folder as its :class:`Scan`."""
    if not given and config.answers_dir.is_dir() and not config.answers_dir.is_symlink():
        root = config.answers_dir
        if not inside_root(config, root):  # as a file outside is refused: nothing read
            raise PathOutsideLibrary(
                f"{root}: a folder outside the library at {config.root}; not read"
            )
        return scan_paths(root.absolute())
    if given and not all(given):  # Path("") is ".": an empty variable must not mean "here"
        raise UsageError("an empty path ('') given; name a file or folder")
    roots = [Path(p) for p in given] if given else [config.answers_dir]
    files: list[Found] = []
    odd: list[Path] = []
    for root in roots:
        if not root.exists() and not root.is_symlink():
            if given:
                raise UsageError(f"{root}: no such file or folder")
            continue
        if root.is_dir() and not root.is_symlink():
            if not inside_root(config, root):  # as a file outside is refused: nothing read
                raise PathOutsideLibrary(
                    f"{root}: a folder outside the library at {config.root}; not read"
                )
            found, folders = scan_markdown(root.absolute())
            files.extend(found)
            odd.extend(folders)
        else:
            path = root.absolute()
            try:
                st = path.stat()
            except OSError:
                st = None
            files.append(Found(path, st, True))  # checked like a link: it may lie anywhere
    return files, odd


def inside_root(config: Config, path: Path) -> bool:
    """True when the file's real location (symlinks resolved) is inside the library root."""
    try:
        return real_path(path).is_relative_to(config.root)
    except OSError:
        return False


Packed = tuple[str, tuple | None]
"""A summary's front matter as the cache keeps it (see :func:`qa_tool.cache.pack`)."""


@dataclass(frozen=True)
class AlsoDo:
    """Work on each file's full read, done where a summary read parses it (see
    :func:`load_answers`), so a caller that needs both does not parse the file twice.

    ``func(shared, answer)`` runs in the worker that read the file (a module-level
    function: forked workers inherit it) on the full answer; ``take(rel, result)``
    receives what it returned, in this process, as the results arrive. ``prepare``, when
    given, runs here before workers are forked for a large read: what it loads (a table
    ``func`` needs) is then shared with every worker instead of loaded in each.
    """

    func: Callable[[Any, Answer], Any]
    shared: Any
    take: Callable[[str, Any], None]
    prepare: Callable[[], None] | None = None


def _parse_chunk(shared: tuple[int, bool, Any], items: Sequence[tuple[str, str]]) -> list[Any]:
    """Read each file: ``(answer or error, packed summary or None, also's result)``. A summary
    comes back packed when it can be (its front matter as the cache's text, revived on
    use), so the parent holds a short text per answer, not a dict."""
    max_bytes, summary, also = shared
    read = read_summary if summary else read_answer
    if summary:
        from qa_tool.cache import pack, unpacked
    out: list[Any] = []
    for path, rel in items:
        extra = None
        try:
            if also is None:
                answer = read(Path(path), rel, max_bytes)
            else:
                full = read_answer(Path(path), rel, max_bytes, with_blob=True)
                answer, extra = summary_answer(full), also.func(also.shared, full)
        except AnswerFileError as exc:
            out.append((exc, None, None))
            continue
        packed = pack(answer.meta) if summary else None
        if packed is not None:
            answer = Answer(
                path,
                rel,
                None,
                None,
                answer.body_line,
                digest=answer.digest,
                partial=True,
                git_blob=answer.git_blob,
                max_bytes=max_bytes,
                load_meta=unpacked(packed[0]),
            )
        out.append((answer, packed, extra))
    return out


def load_answers(
    config: Config,
    files: Iterable[Found] | Scan,
    odd: Iterable[Path] = (),
    *,
    summary: bool = False,
    workers: int | None = None,
    full_scan: bool = False,
    keep_meta: bool = True,
    also: AlsoDo | None = None,
    rows: bool = False,
) -> LoadResult:
    """Read every file; failures are collected, never raised, so a batch always finishes.

    ``summary=True`` reads only the summary fields and goes through the cache
    (``.qa/cache.sqlite3``), so unchanged files are not read at all. With
    ``keep_meta=False`` a file just read is kept as the cache will give it next time:
    its columns, and its front matter as the cache's text, decoded on first use (for a
    listing that reads only the columns: a dict per answer is most of a cold run's memory).
    ``also`` (with ``summary``) runs on the full read of each file that is parsed.
    ``rows`` (with ``summary``): a file the cache has plain columns for comes as its
    stored row (``result.listing``), no :class:`Answer` made, for a listing that judges
    every answer by its columns (``qa stale``).
    """
    result = LoadResult()
    for folder in odd:
        result.warnings.append(
            AnswerFileError(
                folder, "is a folder named like an answer file; not read", rule="not-a-file"
            )
        )
    cache, clean = _open_cache(config, judged=rows) if summary else (None, {})
    files, undecodable = _split_undecodable(files)
    result.failures.extend(undecodable)
    rows = rows and cache is not None
    slots, todo, rels, blobs = _known(config, files, cache, clean, rows)
    parsed = _parsed(config, [(f.name, rel) for _, f, rel in todo], summary, workers, also)
    for (index, found, rel), (item, packed) in zip(todo, parsed, strict=True):
        if cache is not None and isinstance(item, Answer):
            _record(cache, rel, found, item, clean, packed)
            if not keep_meta or packed is not None:  # packed: no dict came back to keep
                item = _as_cached(config, cache, item)
            if item.git_blob is not None:
                blobs.append(item.git_blob[0])
        slots[index] = item
    _sort_slots(result, slots, rows)
    if rows:
        prefix = str(config.root) + os.sep
        result.answer_of = partial(_row_answer, cache, prefix, config.max_file_bytes)
    if cache is not None and (todo or full_scan):
        from qa_tool.config import ensure_state_dir

        try:
            ensure_state_dir(config)
        except OSError:
            return result
        cache.save(keep=rels if full_scan else None, keep_blobs=blobs)
    return result


def _known(
    config: Config, files: list[Found] | Scan, cache: Any, clean: dict[str, str], rows: bool
) -> tuple[list[Any], list[tuple[int, Found, str]], list[str], list[str]]:
    """What the cache (or a refusal) says of each file: ``(slots, todo, rels, blobs)``: a
    slot per file (an Answer, a :data:`CachedRow` with ``rows``, an error, or None for a
    file to parse, listed in ``todo``), each file's path from the root, and the blob ids
    of the versions in use (so that the cache keeps exactly these).

    With ``rows`` and a :class:`Scan`, ``qa stale``'s common case is kept lean: a file
    git vouches for whose row is cached is taken by its name alone (no :class:`Found`)."""
    slots: list[Any] = []
    todo: list[tuple[int, Found, str]] = []
    rels: list[str] = []
    blobs: list[str] = []
    prefix = str(config.root) + os.sep
    cut = len(prefix)
    scan = files if isinstance(files, Scan) else Scan([], set())
    founds = None if files is scan else list(files)
    names = scan.names if founds is None else [f.name for f in founds]
    links = scan.links
    row_of = cache.row if rows and founds is None and os.sep == "/" else None
    for index, name in enumerate(names):
        found = founds[index] if founds is not None else None
        if os.sep == "/" and name.startswith(prefix):
            rel = name[cut:]
            rels.append(rel)
            if row_of is not None and name not in links:
                blob = clean.get(rel)
                row = row_of(blob) if blob is not None else None
                if row is not None:
                    blobs.append(row[0])
                    slots.append((rel, row))
                    continue
            if found is None:
                found = scan.found(name)
            if rows and not found.is_link:
                known: Any = _cached(config, cache, rel, found, clean, rows=True)
                if type(known) is tuple:
                    blobs.append(known[1][0])
                elif known is None:
                    todo.append((len(slots), found, rel))
                elif known.git_blob is not None:
                    blobs.append(known.git_blob[0])
                slots.append(known)
                continue
        else:
            rel = relative(config, name)
            rels.append(rel)
            if found is None:
                found = scan.found(name)
        known = _without_parsing(config, found, rel, cache, clean)
        if known is None:
            todo.append((len(slots), found, rel))
        elif isinstance(known, Answer) and known.git_blob is not None:
            blobs.append(known.git_blob[0])
        slots.append(known)
    return slots, todo, rels, blobs


def _sort_slots(result: LoadResult, slots: list[Any], rows: bool) -> None:
    """Each slot into ``result``: answers and failures; with ``rows``, ``listing`` too."""
    if rows:
        listing: list[Answer | CachedRow] = []
        result.listing = listing
        for slot in slots:
            if type(slot) is tuple:
                listing.append(slot)
            elif isinstance(slot, Answer):
                listing.append(slot)
                result.answers.append(slot)
            elif slot is not None:
                result.failures.append(slot)
        return
    for slot in slots:
        if isinstance(slot, Answer):
            result.answers.append(slot)
        elif slot is not None:
            result.failures.append(slot)


def _parsed(
    config: Config,
    items: list[tuple[str, str]],
    summary: bool,
    workers: int | None,
    also: AlsoDo | None,
) -> Iterator[tuple[Answer | AnswerFileError, Packed | None]]:
    """Each ``(path, rel)`` read, over worker processes, with its packed summary;
    ``also``'s results handed over."""
    also = also if summary else None
    if also is not None and also.prepare is not None:
        from qa_tool.workers import PARALLEL_MIN_ITEMS

        if len(items) >= PARALLEL_MIN_ITEMS:
            also.prepare()
    parsed = map_chunks(
        _parse_chunk, items, shared=(config.max_file_bytes, summary, also), workers=workers
    )
    for (_path, rel), (item, packed, extra) in zip(items, parsed, strict=True):
        if also is not None:
            also.take(rel, extra)
        yield item, packed


def _open_cache(config: Config, judged: bool = False) -> tuple[Any, dict[str, str]]:
    """The summary cache (``judged``: see :meth:`~qa_tool.cache.SummaryCache.open`), and
    the blob id of each file git vouches for."""
    from qa_tool.cache import SummaryCache
    from qa_tool.gitinfo import clean_blobs

    cache = SummaryCache.open(config.state_dir, judged=judged)
    clean: dict[str, str] = {}
    if config.answers_dir.is_dir():
        clean = clean_blobs(config.root, relative(config, config.answers_dir))
    return cache, clean


def _without_parsing(
    config: Config, found: Found, rel: str, cache: Any, clean: dict[str, str]
) -> Answer | AnswerFileError | None:
    """What can be said of a file without parsing it: a refusal, a cached summary, or None."""
    if found.is_link and not inside_root(config, found.path):
        # a file named on the command line is checked like a link, but may be a plain file
        what = "a link to a file outside" if found.path.is_symlink() else "outside"
        return AnswerFileError(
            found.path, f"is {what} the library; not read", rule="outside-library"
        )
    return _cached(config, cache, rel, found, clean) if cache is not None else None


def _cached(
    config: Config, cache: Any, rel: str, found: Found, clean: dict[str, str], rows: bool = False
) -> Any:
    """The answer from the cached summary of a file: by the blob git vouches for, else by
    its stat key; None when the cache does not have it. With ``rows``, its stored row
    (a :data:`CachedRow`) when the cache has plain columns for it."""
    blob = clean.get(rel)
    if blob is not None and not found.is_link:
        if rows:
            row = cache.row(blob)
            if row is not None:
                return (rel, row)
        hit = cache.answer(blob, found.name, rel, config.max_file_bytes)
        if hit is not None:
            return hit
    if not cache.has_paths:
        return None  # nothing recorded by path: no stat to take (a cold run keeps none)
    from qa_tool.cache import stat_key  # here: the path above runs once per answer

    st = found.stat
    blob = cache.blob_at(rel, stat_key(st)) if st is not None else None
    if not blob:
        return None
    if rows:
        row = cache.row(blob)
        if row is not None:
            return (rel, row)
    return cache.answer(blob, found.name, rel, config.max_file_bytes)


def _row_answer(cache: Any, prefix: str, max_bytes: int, entry: CachedRow) -> Answer:
    """The :class:`Answer` of a stored row (:func:`load_answers` with ``rows``)."""
    rel, row = entry
    answer = cache.answer(row[0], prefix + rel, rel, max_bytes)
    assert answer is not None  # the row came from this cache
    return answer


def _as_cached(config: Config, cache: Any, answer: Answer) -> Answer:
    """A file just read as the cache will give it next time (see :func:`load_answers`);
    as it is when the cache could not hold it."""
    blob = answer.git_blob[0] if answer.git_blob is not None else None
    if blob is None:
        return answer
    return cache.answer(blob, answer.path_text, answer.rel, config.max_file_bytes) or answer


def _record(
    cache: Any,
    rel: str,
    found: Found,
    answer: Answer,
    clean: dict[str, str],
    packed: Packed | None = None,
) -> None:
    """Cache a file just read; its stat key too unless git vouches for exactly these bytes."""
    from qa_tool.cache import stat_key

    blob = answer.git_blob[0] if answer.git_blob is not None else None
    vouched = blob is not None and clean.get(rel) == blob and not found.is_link
    st = None if vouched else found.stat
    if vouched or st is not None:
        key = stat_key(st) if st is not None else None
        meta = answer.meta if packed is None else None
        cache.put(rel, key, meta, answer.body_line, answer.digest, answer.git_blob, packed)


def _split_undecodable(
    files: Iterable[Found] | Scan,
) -> tuple[list[Found] | Scan, list[AnswerFileError]]:
    """The files to read, and a finding for each file whose name is not UTF-8 (its path
    shown with escapes): such a name could be neither shown, cached nor written into an
    answer, so the file is not read; the rest of the library is."""
    if isinstance(files, Scan) and not has_undecodable("\0".join(files.names)):
        return files, []
    files = list(files)
    if not has_undecodable("\0".join([f.name for f in files])):  # one search for them all
        return files, []
    named: list[Found] = []
    refused: list[AnswerFileError] = []
    for found in files:
        if has_undecodable(found.name):
            refused.append(
                AnswerFileError(
                    Path(escaped(found.name)),
                    "the file name is not valid UTF-8; rename it (it is not read until then)",
                    rule="name-not-utf8",
                )
            )
        else:
            named.append(found)
    return named, refused


def load_library(
    config: Config,
    given: Sequence[str] | None = None,
    *,
    summary: bool = False,
    workers: int | None = None,
    keep_meta: bool = True,
    also: AlsoDo | None = None,
    rows: bool = False,
) -> LoadResult:
    """The answers at ``given`` (files or folders; default: the whole library).

    ``summary=True``: only the summary fields, through the cache (for listings);
    ``keep_meta``, ``also`` and ``rows``: see :func:`load_answers`.
    """
    files, odd = _selected(config, given)
    return load_answers(
        config,
        files,
        odd,
        summary=summary,
        workers=workers,
        full_scan=not given,
        keep_meta=keep_meta,
        also=also,
        rows=rows,
    )


def find_answer(config: Config, ref: str) -> Path:
    """The file of an answer given by id or by path; AnswerNotFound otherwise.

    A path must name a file in the answers folder (a link there may point anywhere
    inside the library root): PathOutsideLibrary otherwise, checked before the
    file's existence, so nothing is told about files outside the library.
    """
    candidate = Path(ref)
    if ref.endswith(".md") or os.sep in ref or "/" in ref:
        path = candidate if candidate.is_absolute() else Path.cwd() / candidate
        if not inside_root(config, path):
            raise PathOutsideLibrary(f"{ref}: outside the library at {config.root}")
        try:
            where = real_path(path.parent) / path.name
        except OSError:
            where = path
        if not where.is_relative_to(config.answers_dir):
            folder = relative(config, config.answers_dir)
            raise PathOutsideLibrary(f"{ref}: not in the answers folder {folder}/")
        if path.is_dir():
            raise AnswerNotFound(f"{ref}: is a folder, not an answer file")
        if not path.exists():
            raise AnswerNotFound(f"{ref}: no such answer file")
        return path.absolute()  # a pipe or device is refused when read, like any bad file
    matches = [p for p in answer_paths(config) if p.stem == ref]
    if not matches:
        raise AnswerNotFound(
            f"no answer with id {ref!r} under {relative(config, config.answers_dir)}/"
        )
    if len(matches) > 1:
        names = ", ".join(relative(config, p) for p in matches)
        raise UsageError(f"id {ref!r} is used by several files ({names}); give a path")
    return matches[0]
