"""The metadata cache: a second run reads only the answers that changed.

``.qa/cache.sqlite3`` (ignored by git) keeps, per version of an answer file,
its summary front matter (:data:`~qa_tool.answerfile.read.SUMMARY_FIELDS`), body line,
text digest and git text key, keyed by the git blob id of the file's bytes:
content-addressed, so an entry can never be stale, and a ``.qa/`` copied into
another clone of the same repository (a CI cache) is as good there.

Which blob a file holds now comes from one of two places:

- git, for tracked files that git reports unmodified (``git ls-files -s``
  with ``-m -d``, see :func:`qa_tool.gitinfo.clean_blobs`): git keeps its
  index stat cache current and compares the content of racily clean entries,
  so one git call replaces a ``stat`` per file;
- the file's path, size, modification time, change time and inode, all in
  nanoseconds, recorded when it was last read, for everything else (outside
  git, untracked, modified). An entry is used only when all five match.

Racy entries, as git calls them: a file changed within the same clock tick as
the moment it was cached could change again without its times moving. So an
entry whose file was modified less than :data:`RACY_NS` before it was recorded
is never trusted; the file is read again (and cached again, now safely).

The cache can only make a run faster, never different: any doubt (a missing,
corrupt, locked or older-format database) means reading the files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from qa_tool import __version__
from qa_tool.answerfile.read import Answer
from qa_tool.fsutil import real_folder_problem
from qa_tool.model import SUMMARY_COLUMNS

FORMAT = 11  # 11: facts hold only review entries (10: identified references counted)
RACY_NS = 2_000_000_000  # two seconds covers filesystems with coarse timestamps
FILE_NAME = "cache.sqlite3"
WHOLE_ROWS_ASKED = 200
"""Whole rows read one by one from a cache opened for judging, before all are read at once."""

StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def _database_files(path: Path) -> tuple[Path, Path, Path]:
    """The database and its write-ahead log and shared-memory files."""
    return path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _connect(path: Path, timeout: float = 2) -> sqlite3.Connection:
    """The one way the cache database is opened: a regular file in a real folder.

    ``.qa`` that is a link (committed to a repository, say), or a database or
    journal file that is a link or a device, would make qa read and write
    wherever it points: sqlite3.OperationalError instead, which every caller
    takes as "no cache" (the command says so once: ``config.state_dir_problem``).
    """
    problem = real_folder_problem(path.parent)
    for part in _database_files(path):
        if problem is None:
            with contextlib.suppress(FileNotFoundError):
                if not stat.S_ISREG(os.lstat(part).st_mode):
                    problem = f"{part} is not a regular file"
    if problem is not None:
        raise sqlite3.OperationalError(problem)
    return sqlite3.connect(path, timeout=timeout)


def _write(path: Path, body: Callable[[sqlite3.Connection], None], timeout: float = 2) -> None:
    """Run ``body`` in one transaction on the database at ``path``, made if need be.

    A file there that is not a database, or a damaged one, is replaced by a
    new, empty database and ``body`` run again: the cache only ever speeds a
    run up, so a corrupt one is rebuilt rather than ignored for ever. A locked
    database (sqlite3.OperationalError) is left alone.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):
        try:
            with contextlib.closing(_connect(path, timeout)) as con, con:
                body(con)
            return
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError:
            if attempt == 2:
                raise
            for part in _database_files(path):
                with contextlib.suppress(FileNotFoundError):
                    part.unlink()


def stat_key(st: os.stat_result) -> StatKey:
    """What says a file is unchanged without reading it: size, times and inode."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


COLUMNS = SUMMARY_COLUMNS
"""The summary facts kept as columns (:data:`qa_tool.model.SUMMARY_COLUMNS`; reviewers
by :func:`qa_tool.stale.reviewer_names`). Only answers whose values are all plain
(text or absent; dates as YAML dates) have columns."""
_TEXT_COLUMNS = COLUMNS[:5] + ("review_fingerprint",)
_DATE_COLUMNS = ("last_reviewed", "review_due")
_NAMES_SEP = "\x1f"


def _columns_of(meta: dict[str, Any]) -> tuple | None:
    """The SQL values of :data:`COLUMNS` for ``meta``; None when one is not plain."""
    from qa_tool.stale import reviewer_names

    values: dict[str, Any] = {}
    for key in _TEXT_COLUMNS:
        value = meta.get(key)
        if value is not None and type(value) is not str:
            return None
        values[key] = value
    for key in _DATE_COLUMNS:
        value = meta.get(key)
        if value is not None and type(value) is not dt.date:
            return None
        values[key] = value.isoformat() if value is not None else None
    names = reviewer_names(meta)
    if any(_NAMES_SEP in name for name in names):
        return None
    values["reviewers"] = _NAMES_SEP.join(names)
    return tuple(values[key] for key in COLUMNS)


def pack(meta: dict[str, Any]) -> tuple[str, tuple | None] | None:
    """A summary's front matter as the cache keeps it: its text and its :data:`COLUMNS` (SQL
    values, None when one is not plain). None when the text would not give back exactly
    this front matter (a value JSON cannot hold, a key that is not text): then the front
    matter itself is kept.

    A worker packs what it read, so that the parent holds a short text per answer instead
    of its decoded front matter, and revives it on use (:func:`unpacked`).
    """
    try:
        text = _encode(meta)
        if _decode(text) != meta:
            return None
    except (TypeError, ValueError):
        return None
    return text, _columns_of(meta)


def unpacked(text: str) -> Callable[[], dict[str, Any]]:
    """The decoder of a :func:`pack`ed front matter: a new dict at each call."""
    return partial(_decode, text)


class CachedSummary:
    """One cached summary; ``meta`` is decoded on first use (see :meth:`SummaryCache.meta`)."""

    __slots__ = ("_meta", "_load", "body_line", "digest", "git_blob", "columns")

    def __init__(
        self,
        load: Callable[[], dict[str, Any]],
        body_line: int,
        digest: str,
        git_blob: tuple[str, str, str] | None = None,
        columns: tuple | None = None,
    ):
        self._meta: dict[str, Any] | None = None
        self._load = load
        self.body_line = body_line
        self.digest = digest
        self.git_blob = git_blob  # (blob id, body digest, title YAML)
        self.columns = columns  # in COLUMNS order, dates as dates, reviewers as a tuple

    @property
    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            self._meta = self._load()
        return self._meta

    def load_meta(self) -> dict[str, Any]:
        """The front matter decoded for an answer, not kept here: the answer keeps it, or
        (:meth:`~qa_tool.answerfile.read.Answer.read_meta`) lets it go after use."""
        return self._meta if self._meta is not None else self._load()


def _encode(meta: dict[str, Any]) -> str:
    """Meta as text. Dates at the top level (the usual case) are listed by key, so decoding
    needs no per-object hook; dates deeper down are tagged objects (``{"$date": ...}``)."""
    top_dates = [k for k, v in meta.items() if type(v) is dt.date]
    plain = (
        {k: (v.isoformat() if k in top_dates else v) for k, v in meta.items()}
        if top_dates
        else meta
    )

    def default(value: object) -> object:
        if isinstance(value, dt.datetime):
            return {"$datetime": value.isoformat()}
        if isinstance(value, dt.date):
            return {"$date": value.isoformat()}
        raise TypeError(type(value).__name__)

    text = json.dumps(
        [plain, top_dates], default=default, ensure_ascii=False, separators=(",", ":")
    )
    return ("T" if '"$date' in text else "D") + text


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text is not None else None


def _revive(value: dict) -> object:
    if len(value) == 1:
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
    return value


def _decode(text: str) -> dict[str, Any]:
    if text[:1] == "T":
        meta, top_dates = json.loads(text[1:], object_hook=_revive)
    else:
        meta, top_dates = json.loads(text[1:])
    for key in top_dates:
        meta[key] = dt.date.fromisoformat(meta[key])
    return meta


_FILES = (
    "CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
    "ctime_ns INTEGER, ino INTEGER, recorded_ns INTEGER, blob TEXT)"
)
_SUMMARIES = (
    "CREATE TABLE IF NOT EXISTS summaries (blob TEXT PRIMARY KEY, meta TEXT, body_line INTEGER, "
    "digest TEXT, body_key TEXT, title_yaml TEXT, plain INTEGER, "
    + ", ".join(f"{c} TEXT" for c in COLUMNS)
    + ")"
)
_SUMMARY_VALUES = "(" + ", ".join("?" * (7 + len(COLUMNS))) + ")"
_SELECT_ROWS = (
    "SELECT blob, body_line, digest, body_key, title_yaml, plain, "
    + ", ".join(COLUMNS)
    + " FROM summaries"
)
"""A summary's row as :meth:`SummaryCache.open` keeps it: everything but the meta text. A
row recorded in this run has the same shape, with the meta text in place of the blob id."""
_SELECT_ROWS_WITH_META = "SELECT meta" + _SELECT_ROWS.removeprefix("SELECT blob")
"""A stored row in the shape of one recorded in this run (see :data:`_SELECT_ROWS`)."""
SAVE_SUMMARIES_EVERY = 5_000
"""Versions recorded before they are written ahead of :meth:`SummaryCache.save` (about
0.7 KB a row in memory: some 70 MB at 100,000 answers held to the end otherwise)."""
_SELECT_JUDGED = (
    "SELECT blob, NULL, CASE WHEN review_fingerprint IS NOT NULL THEN digest END, NULL, NULL, "
    "plain, " + ", ".join(COLUMNS) + " FROM summaries"
)
"""The rows as a listing that only judges them needs them (``SummaryCache.open(judged=True)``):
the same shape, without what it does not read (each value costs an object per answer):
no body line or text key, and the digest only where a fingerprint is to be compared."""
ROW_COLUMNS = 6
"""Where :data:`COLUMNS` begin in a row of :data:`_SELECT_ROWS` (see :meth:`SummaryCache.row`):
as SQL values, dates as ISO text and reviewers as one text (:func:`names_of`)."""


def names_of(text: str | None) -> tuple[str, ...]:
    """The reviewers of a row's ``reviewers`` column, in order."""
    return tuple(text.split(_NAMES_SEP)) if text else ()


def _current(con: sqlite3.Connection) -> bool:
    info = dict(con.execute("SELECT key, value FROM info"))
    return info.get("format") == str(FORMAT) and info.get("tool") == __version__


class SummaryCache:
    """Open with :meth:`open`; look entries up, record new ones, :meth:`save` at the end.

    Entries by blob id are read at :meth:`open`; the path table (the stat
    rule) only when a file needs it.
    """

    def __init__(
        self, path: Path, summaries: dict[str, tuple], valid: bool = True, judged: bool = False
    ):
        self.path = path
        self._summaries = summaries
        self._judged = judged  # rows of _SELECT_JUDGED: whole rows are read on first need
        self._rows_asked: set[str] = set()
        self._files: dict[str, tuple] | None = None if valid else {}
        self._new_files: list[tuple] = []
        self._new_summaries: dict[str, tuple] = {}
        self._known_files: set[str] | None = None
        self._dates: dict[str | None, dt.date | None] = {}
        self._meta_texts: dict[str, str] | None = None
        # Versions recorded in this run whose rows were written ahead of save (see
        # SAVE_SUMMARIES_EVERY); None once writing ahead failed: the rest wait for save.
        self._saved_ahead: set[str] | None = set()

    @classmethod
    def open(cls, state_dir: Path, judged: bool = False) -> SummaryCache:
        """The cache in ``state_dir``; with ``judged``, its rows only as :meth:`row` gives
        them (see :data:`_SELECT_JUDGED`), whole rows read when first needed."""
        path = state_dir / FILE_NAME
        summaries: dict[str, tuple] = {}
        valid = False
        if path.exists():
            with (
                contextlib.suppress(sqlite3.Error, OSError, ValueError),
                contextlib.closing(_connect(path)) as con,
            ):
                if _current(con):
                    # Whole rows, in _ROW order: one tuple per version, nothing copied.
                    query = _SELECT_JUDGED if judged else _SELECT_ROWS
                    summaries = {r[0]: r for r in con.execute(query)}
                    valid = True
        return cls(path, summaries, valid, judged and valid)

    def _whole_row(self, blob: str) -> tuple | None:
        """The whole row of ``blob``: one query while few are asked for (an answer whose
        columns are not plain, in a library judged by rows), then all rows at once."""
        if not self._judged:
            return self._summaries.get(blob)
        row = self._summaries.get(blob)
        if row is None:
            return None
        if len(self._rows_asked) >= WHOLE_ROWS_ASKED:
            return self._whole().get(blob)
        if blob not in self._rows_asked:
            with (
                contextlib.suppress(sqlite3.Error, OSError, ValueError),
                contextlib.closing(_connect(self.path)) as con,
            ):
                whole = con.execute(_SELECT_ROWS + " WHERE blob = ?", (blob,)).fetchone()
                if whole is not None:
                    row = self._summaries[blob] = whole
            self._rows_asked.add(blob)
        return row

    def _whole(self) -> dict[str, tuple]:
        """The rows, whole (read again once if :meth:`open` read them for judging only)."""
        if self._judged:
            self._judged = False
            with (
                contextlib.suppress(sqlite3.Error, OSError, ValueError),
                contextlib.closing(_connect(self.path)) as con,
            ):
                whole = {r[0]: r for r in con.execute(_SELECT_ROWS)}
                # The versions known at open, whole; one gone since (another run pruned it)
                # keeps what was read: its Answer then reads what it lacks from the file.
                self._summaries = {
                    b: (r if b in self._rows_asked else whole.get(b, r))
                    for b, r in self._summaries.items()
                }
        return self._summaries

    def _load_files(self) -> dict[str, tuple]:
        if self._files is None:
            self._files = {}
            with (
                contextlib.suppress(sqlite3.Error, OSError, ValueError),
                contextlib.closing(_connect(self.path)) as con,
            ):
                self._files = {
                    r[0]: r[1:]
                    for r in con.execute(
                        "SELECT rel, size, mtime_ns, ctime_ns, ino, recorded_ns, blob FROM files"
                    )
                }
            self._known_files = set(self._files)
        return self._files

    def get_blob(self, blob: str) -> CachedSummary | None:
        """The summary of the file version with this git blob id, if cached."""
        row = self._whole_row(blob)
        if row is None:
            return None
        text_key = (blob, row[3], row[4]) if row[3] is not None else None
        return CachedSummary(partial(self.meta, blob), row[1], row[2], text_key, self._columns(row))

    def answer(self, blob: str, path: str, rel: str, max_bytes: int) -> Answer | None:
        """The answer at ``path`` from the cached summary of its version ``blob`` (None when
        not cached): :meth:`get_blob` made straight into an :class:`Answer`, as listings
        need one per file. A version recorded in this run (:meth:`put`) is cached too."""
        row = self._whole_row(blob) or self._new_summaries.get(blob) or self._ahead(blob)
        if row is None:
            return None
        return Answer(
            path,
            rel,
            None,  # decoded on first use: listings read the columns
            None,
            row[1],
            digest=row[2],
            partial=True,
            git_blob=(blob, row[3], row[4]) if row[3] is not None else None,
            max_bytes=max_bytes,
            load_meta=partial(self.meta, blob),
            columns=self._columns(row),
        )

    def row(self, blob: str) -> tuple | None:
        """The stored row of the version ``blob`` (:data:`_SELECT_ROWS`: blob id, body line,
        digest, body key, title YAML, plain, then :data:`COLUMNS` from :data:`ROW_COLUMNS`;
        opened ``judged``, only what judging reads: see :data:`_SELECT_JUDGED`),
        for a listing that judges every answer by its columns without making an
        :class:`Answer` of each: None when it is not stored (or only in this run), or has
        no columns, or a damaged date (:meth:`answer` gives it then, as the file says)."""
        row = self._summaries.get(blob)
        if row is None or not row[5]:
            return None
        dates = self._dates
        last, due = row[11], row[12]
        if (last is None or last in dates) and (due is None or due in dates):
            return row  # dates seen before (most are): nothing to check
        for text in (last, due):
            if text is not None and text not in dates:
                try:
                    dates[text] = _date(text)
                except ValueError:
                    return None
        return row

    def _columns(self, row: tuple) -> tuple | None:
        """:data:`COLUMNS` of a row: dates as dates (each date text parsed once), reviewers as
        a tuple; None for a row without columns or with a damaged date."""
        if not row[5]:
            return None
        dates = self._dates
        last, due = row[11], row[12]
        try:
            if last is not None:
                last = dates.get(last) or dates.setdefault(last, _date(last))
            if due is not None:
                due = dates.get(due) or dates.setdefault(due, _date(due))
        except ValueError:
            return None
        names = row[14]
        return (
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            last,
            due,
            row[13],
            names_of(names),
        )

    @property
    def has_paths(self) -> bool:
        """False when no file is recorded by path (a cold run, an older-format cache), so that
        :meth:`blob_at` would find nothing for any path: the caller need not take a stat."""
        return self._files is None or bool(self._files)

    def blob_at(self, rel: str, key: StatKey) -> str | None:
        """The version recorded for the file at ``rel`` if its stat key still matches (and
        is not racy): the stat rule, for files git does not vouch for."""
        row = self._load_files().pop(rel, None)  # each row is used once; let it go
        if row is None or tuple(row[:4]) != key:
            return None
        recorded_ns = row[4]
        if recorded_ns - key[1] < RACY_NS:
            return None
        return row[5]

    def meta(self, blob: str) -> dict[str, Any]:
        """The summary front matter of a cached version. The texts are read in one query, on
        first use: a listing that needs only :data:`COLUMNS` never reads them.
        ValueError when the entry is gone or damaged (the caller reads the file instead)."""
        if self._meta_texts is None:
            self._meta_texts = {}
            with (
                contextlib.suppress(sqlite3.Error, OSError),
                contextlib.closing(_connect(self.path)) as con,
            ):
                self._meta_texts = dict(con.execute("SELECT blob, meta FROM summaries"))
        text = self._new_summaries.get(blob, (None,))[0] or self._meta_texts.get(blob)
        if text is None:  # written ahead after the texts were read
            text = (self._ahead(blob) or (None,))[0]
        if text is None:
            raise ValueError(f"no cached summary for {blob}")
        return _decode(text)

    def get(self, rel: str, key: StatKey) -> CachedSummary | None:
        """The summary of the file at ``rel`` if its stat key still matches (and is not racy)."""
        blob = self.blob_at(rel, key)
        return self.get_blob(blob) if blob is not None else None

    def put(
        self,
        rel: str,
        key: StatKey | None,
        meta: dict[str, Any] | None,
        body_line: int,
        digest: str,
        git_blob: tuple[str, str, str] | None = None,
        packed: tuple[str, tuple | None] | None = None,
    ) -> None:
        """Record a file just read: its summary under its blob id; its stat key under its path.

        ``key`` None records the summary only (a file git vouches for by blob id).
        ``packed``: what :func:`pack` made of ``meta`` already (``meta`` is then not read).
        """
        if packed is None:
            packed = pack(meta) if meta is not None else None
            if packed is None:
                return  # a value its text cannot give back exactly (binary data): not cached
        encoded, columns = packed
        blob = git_blob[0] if git_blob is not None else f"path:{rel}"
        body_key, title_yaml = (git_blob[1], git_blob[2]) if git_blob is not None else (None, None)
        if blob not in self._summaries:
            if len(self._new_summaries) >= SAVE_SUMMARIES_EVERY and self._saved_ahead is not None:
                self._save_ahead()
            plain = (1, *columns) if columns is not None else (0, *([None] * len(COLUMNS)))
            self._new_summaries[blob] = (encoded, body_line, digest, body_key, title_yaml, *plain)
        if key is not None:
            self._new_files.append((rel, *key, time.time_ns(), blob))

    def save(self, keep: Iterable[str] | None = None, keep_blobs: Iterable[str] = ()) -> None:
        """Write new entries; with ``keep`` (a full scan's paths) drop entries of files gone.

        ``keep_blobs`` (with ``keep``) are the blob ids of the scan's files: other
        summaries belong to versions no file holds any more and are dropped too.
        """
        stale_files: set[str] = set()
        stale_blobs: set[str] = set()
        if keep is not None:
            if self._known_files is not None:
                stale_files = self._known_files - set(keep)
            wanted = set(keep_blobs) | {row[-1] for row in self._new_files}
            stale_blobs = set(self._summaries) - wanted
        if not (self._new_files or self._new_summaries or stale_files or stale_blobs):
            return

        def write(con: sqlite3.Connection) -> None:
            self._store_summaries(con)
            con.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", self._new_files
            )
            if keep is not None and self._known_files is None:
                # The path table was never read (git vouched for every file): prune in SQL.
                con.execute("CREATE TEMP TABLE keep (rel TEXT PRIMARY KEY)")
                con.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((r,) for r in keep))
                con.execute("DELETE FROM files WHERE rel NOT IN (SELECT rel FROM keep)")
            con.executemany("DELETE FROM files WHERE rel = ?", [(r,) for r in stale_files])
            con.executemany("DELETE FROM summaries WHERE blob = ?", [(b,) for b in stale_blobs])

        with contextlib.suppress(sqlite3.Error, OSError):
            _write(self.path, write, timeout=2)
        self._new_files = []
        self._new_summaries = {}

    def _store_summaries(self, con: sqlite3.Connection) -> None:
        """Write the versions recorded since the last write (the tables made, or made
        again when they are of another format)."""
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT)")
        if not _current(con):
            for table in ("files", "summaries", "git_verdicts", "blob_keys", "rendered"):
                con.execute(f"DROP TABLE IF EXISTS {table}")
            con.executemany(
                "INSERT OR REPLACE INTO info VALUES (?, ?)",
                [("format", str(FORMAT)), ("tool", __version__)],
            )
        con.execute(_FILES)
        con.execute(_SUMMARIES)
        con.executemany(
            f"INSERT OR REPLACE INTO summaries VALUES {_SUMMARY_VALUES}",
            ((blob, *row) for blob, row in self._new_summaries.items()),
        )

    def _save_ahead(self) -> None:
        """Write the versions recorded so far, ahead of :meth:`save`, so that a cold read
        of a large library does not hold every one of their rows until the end; they are
        read back, one at a time, if asked for again in this run (:meth:`_ahead`). If the
        write fails, nothing more is written ahead: :meth:`save` writes the rest."""
        assert self._saved_ahead is not None
        try:
            _write(self.path, self._store_summaries, timeout=2)
        except (sqlite3.Error, OSError):
            self._saved_ahead = None
            return
        self._saved_ahead.update(self._new_summaries)
        self._new_summaries = {}

    def _ahead(self, blob: str) -> tuple | None:
        """The row of a version written ahead in this run (:meth:`_save_ahead`), or None."""
        if not self._saved_ahead or blob not in self._saved_ahead:
            return None
        with (
            contextlib.suppress(sqlite3.Error, OSError, ValueError),
            contextlib.closing(_connect(self.path)) as con,
        ):
            row = con.execute(_SELECT_ROWS_WITH_META + " WHERE blob = ?", (blob,)).fetchone()
            return tuple(row) if row is not None else None
        return None


class BlobKeys:
    """What a stored git blob shows a reader, by blob id: content-addressed, so never stale.

    ``qa stale`` compares the reader-visible text of the versions before and
    after each commit; remembering each blob's key means a warm run reads no
    blobs from git. Keys are ``(body_digest, title_yaml)`` pairs.
    """

    def __init__(self, path: Path):
        self.path = path
        self._new: dict[str, tuple[str, str]] = {}

    def get_many(self, blobs: Iterable[str]) -> dict[str, tuple[str, str]]:
        wanted = list(blobs)
        found: dict[str, tuple[str, str]] = {}
        if not wanted or not self.path.exists():
            return found
        with (
            contextlib.suppress(sqlite3.Error, OSError),
            contextlib.closing(_connect(self.path)) as con,
        ):
            con.execute("CREATE TEMP TABLE wanted (sha TEXT PRIMARY KEY)")
            con.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((b,) for b in wanted))
            rows = con.execute(
                "SELECT b.sha, b.body_digest, b.title_yaml FROM blob_keys b "
                "JOIN wanted w ON w.sha = b.sha"
            )
            found = {sha: (digest, title) for sha, digest, title in rows}
        return found

    def put(self, blob: str, key: tuple[str, str]) -> None:
        self._new[blob] = key

    def save(self) -> None:
        if not self._new:
            return

        def write(con: sqlite3.Connection) -> None:
            con.execute(
                "CREATE TABLE IF NOT EXISTS blob_keys "
                "(sha TEXT PRIMARY KEY, body_digest TEXT, title_yaml TEXT)"
            )
            con.executemany(
                "INSERT OR REPLACE INTO blob_keys VALUES (?, ?, ?)",
                ((sha, d, t) for sha, (d, t) in self._new.items()),
            )

        with contextlib.suppress(sqlite3.Error, OSError):
            _write(self.path, write, timeout=2)
        self._new = {}


class GitVerdicts:
    """``qa stale``'s "changed since review" verdicts, valid for one git HEAD.

    Whether a commit after an answer's last review changed its text depends
    only on the history up to HEAD, the answer's path and its last-review date.
    So the changed paths of the last run are kept under a digest of HEAD and
    every (path, date) pair it was asked about, and reused only for exactly the
    same question: one row, however large the library.
    """

    def __init__(self, path: Path):
        self.path = path

    @staticmethod
    def question(head: str, wanted: dict[str, str]) -> str:
        text = "".join([head, *(f"\0{rel}\0{wanted[rel]}" for rel in sorted(wanted))])
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, head: str, wanted: dict[str, str]) -> set[str] | None:
        """The changed paths among ``wanted`` ({path: ISO date}), or None when not known."""
        if not self.path.exists():
            return None
        with (
            contextlib.suppress(sqlite3.Error, OSError, ValueError),
            contextlib.closing(_connect(self.path)) as con,
        ):
            row = con.execute(
                "SELECT changed FROM git_verdicts WHERE question = ?",
                (self.question(head, wanted),),
            ).fetchone()
            if row is not None:
                return set(json.loads(row[0]))
        return None

    def put(self, head: str, wanted: dict[str, str], changed: set[str]) -> None:
        def write(con: sqlite3.Connection) -> None:
            con.execute(
                "CREATE TABLE IF NOT EXISTS git_verdicts (question TEXT PRIMARY KEY, changed TEXT)"
            )
            con.execute("DELETE FROM git_verdicts")
            con.execute(
                "INSERT INTO git_verdicts VALUES (?, ?)",
                (self.question(head, wanted), json.dumps(sorted(changed))),
            )

        with contextlib.suppress(sqlite3.Error, OSError):
            _write(self.path, write, timeout=2)


def pack_parts(parts: Iterable[bytes | None]) -> tuple[bytes | None, ...]:
    """Payload pieces as the render cache stores them: each zlib-compressed (level 1)."""
    import zlib

    return tuple(zlib.compress(p, 1) if p is not None else None for p in parts)


def unpack_parts(packed: Iterable[bytes | None]) -> tuple[bytes | None, ...]:
    """The pieces :func:`pack_parts` packed (zlib.error for damaged ones)."""
    import zlib

    return tuple(zlib.decompress(p) if p is not None else None for p in packed)


class RenderCache:
    """What ``qa export`` made of each answer, so a repeat export renders only what changed.

    Entries are keyed like :class:`SummaryCache`: by the git blob id of the
    bytes rendered, for files git vouches for, else by path, size, nanosecond
    times and inode (racy entries are not trusted); plus ``context``, a digest
    of all else the output depends on (tool version, formats, the library's
    settings, none of them tied to one clone). Payload pieces are stored
    zlib-compressed. New entries are written when :meth:`save` is called; a large export
    calls it every :data:`SAVE_EVERY` entries, so that they do not wait in memory.
    """

    SAVE_EVERY = 1000
    """Entries a caller lets wait before it saves them (a few MB of compressed pieces)."""

    def __init__(self, path: Path, context: str):
        self.path = path
        self.context = context
        self._new: list[tuple] = []

    @property
    def pending(self) -> int:
        """New entries not written yet."""
        return len(self._new)

    def valid(self, wanted: dict[str, StatKey | str]) -> set[str]:
        """The paths among ``wanted`` whose entries can be trusted.

        ``wanted`` maps each path to the blob id git vouches for, or to its stat key.
        """
        found: set[str] = set()
        if not wanted or not self.path.exists():
            return found
        with (
            contextlib.suppress(sqlite3.Error, OSError),
            contextlib.closing(_connect(self.path)) as con,
        ):
            rows = con.execute(
                "SELECT rel, size, mtime_ns, ctime_ns, ino, recorded_ns, blob FROM rendered "
                "WHERE context = ?",
                (self.context,),
            )
            for rel, size, mtime, ctime, ino, recorded, blob in rows:
                key = wanted.get(rel)
                if isinstance(key, str):
                    if blob == key:
                        found.add(rel)
                elif (
                    key is not None
                    and (size, mtime, ctime, ino) == key
                    and recorded - key[1] >= RACY_NS
                ):
                    found.add(rel)
        return found

    def fetch(self, rels: list[str]) -> dict[str, tuple[bytes | None, ...]]:
        """``{rel: (line, page, entry_json)}`` for entries :meth:`valid` vouched for."""
        import zlib

        found: dict[str, tuple[bytes | None, ...]] = {}
        if not rels:
            return found
        with (
            contextlib.suppress(sqlite3.Error, OSError, zlib.error),
            contextlib.closing(_connect(self.path)) as con,
        ):
            marks = ",".join("?" * len(rels))
            rows = con.execute(
                f"SELECT rel, line, page, entry FROM rendered WHERE context = ? "
                f"AND rel IN ({marks})",
                (self.context, *rels),
            )
            for rel, line, page, entry in rows:
                found[rel] = unpack_parts((line, page, entry))
        return found

    def put(
        self,
        rel: str,
        key: StatKey | None,
        parts: tuple[bytes | None, ...],
        blob: str | None = None,
    ) -> None:
        """Record one rendering: ``blob`` is the id of the bytes rendered; ``key`` the file's
        stat key when git does not vouch for it (None: the blob alone identifies it)."""
        self.put_packed(rel, key, pack_parts(parts), blob)

    def put_packed(
        self,
        rel: str,
        key: StatKey | None,
        packed: tuple[bytes | None, ...],
        blob: str | None = None,
    ) -> None:
        """:meth:`put` of parts already packed by :func:`pack_parts` (in a worker process)."""
        if key is None and blob is None:
            return
        stat = key if key is not None else (None, None, None, None)
        self._new.append((rel, *stat, time.time_ns(), self.context, *packed, blob))

    def save(self) -> None:
        if not self._new:
            return

        def write(con: sqlite3.Connection) -> None:
            con.execute(
                "CREATE TABLE IF NOT EXISTS rendered (rel TEXT PRIMARY KEY, size INTEGER, "
                "mtime_ns INTEGER, ctime_ns INTEGER, ino INTEGER, recorded_ns INTEGER, "
                "context TEXT, line BLOB, page BLOB, entry BLOB, blob TEXT)"
            )
            con.executemany(
                "INSERT OR REPLACE INTO rendered VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._new,
            )

        with contextlib.suppress(sqlite3.Error, OSError):
            _write(self.path, write, timeout=5)
        self._new = []


class MeasureCache:
    """Measures of answer texts (reading level), by text digest: content-addressed, so never
    stale. ``kind`` names the measure and its version; a new version simply misses."""

    SAVE_EVERY = 2000
    """New measures a caller lets wait before it saves them (a few MB of text)."""

    def __init__(self, path: Path, kind: str):
        self.path = path
        self.kind = kind
        self._new: dict[str, str] = {}

    @property
    def pending(self) -> int:
        """New measures not written yet."""
        return len(self._new)

    def get_many(self, digests: Iterable[str]) -> dict[str, str]:
        return dict(self.each(digests))

    def digests(self) -> set[str]:
        """Every digest measured (of this kind)."""
        found: set[str] = set()
        if not self.path.exists():
            return found
        with (
            contextlib.suppress(sqlite3.Error, OSError),
            contextlib.closing(_connect(self.path)) as con,
        ):
            rows = con.execute("SELECT digest FROM measures WHERE kind = ?", (self.kind,))
            found = {digest for (digest,) in rows}
        return found

    def each(self, digests: Iterable[str]) -> Iterator[tuple[str, str]]:
        """``(digest, value)`` of each of ``digests`` measured before, as the rows are read:
        a caller that keeps only a figure of each never holds every value at once."""
        wanted = list(digests)
        if not wanted or not self.path.exists():
            return
        with (
            contextlib.suppress(sqlite3.Error, OSError),
            contextlib.closing(_connect(self.path)) as con,
        ):
            con.execute("CREATE TEMP TABLE wanted (digest TEXT PRIMARY KEY)")
            con.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((d,) for d in wanted))
            rows = con.execute(
                "SELECT m.digest, m.value FROM measures m JOIN wanted w "
                "ON w.digest = m.digest WHERE m.kind = ?",
                (self.kind,),
            )
            yield from rows

    def put(self, digest: str, value: str) -> None:
        self._new[digest] = value

    def save(self) -> None:
        if not self._new:
            return

        def write(con: sqlite3.Connection) -> None:
            con.execute(
                "CREATE TABLE IF NOT EXISTS measures (digest TEXT, kind TEXT, value TEXT, "
                "PRIMARY KEY (digest, kind))"
            )
            con.executemany(
                "INSERT OR REPLACE INTO measures VALUES (?, ?, ?)",
                ((d, self.kind, v) for d, v in self._new.items()),
            )

        with contextlib.suppress(sqlite3.Error, OSError):
            _write(self.path, write, timeout=5)
        self._new = {}
