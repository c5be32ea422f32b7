"""Screening references against the Retraction Watch database (Crossref's open CSV).

The file is one CSV of about 60 MB and 65,000+ rows, with the columns Record
ID, Title, Subject, Institution, Journal, Publisher, Country, Author, URLS,
ArticleType, RetractionDate, RetractionDOI, RetractionPubMedID,
OriginalPaperDate, OriginalPaperDOI, OriginalPaperPubMedID, RetractionNature,
Reason, Paywalled, Notes. A reference matches a record when its DOI equals
OriginalPaperDOI (without regard to case) or its PMID equals
OriginalPaperPubMedID.

How the file is read:

- **Encoding**: UTF-8 (a BOM is fine). The real file holds some bytes that are
  not valid UTF-8; each field holding such bytes is read as Windows-1252
  instead (the encoding those bytes come from), and the count of such fields is
  kept in the index (:attr:`RetractionIndex.recoded_fields`), so nothing is
  dropped and nothing stops the run.
- **Multiple values** in one cell are split on ``;`` (Reason is written
  ``+Concerns/Issues About Data;+Duplication of Image;``); the ``+`` marks are removed.
- **Missing identifiers** are written ``0`` or ``unavailable``: neither matches.
- **Dates** look like ``4/15/2021 0:00`` (month first); they become ISO dates,
  and one that does not parse is kept as written.

The index is built once per content of the file (SHA-256) into
``.qa/retractions-<digest>.sqlite`` (written to a temporary file and renamed),
so a later run reads only the identifiers it needs. Example::

    index = load_index(config)            # RetractionsFileError if missing or unreadable
    for record in index.lookup(doi="10.1000/xyz", pmid=None):
        print(record.nature, record.date, record.reasons)
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from qa_tool.errors import RetractionsFileError
from qa_tool.fsutil import FileTooLarge, NotRegularFile, open_regular
from qa_tool.references.identifiers import doi_key, normal_doi, normal_pmid

INDEX_VERSION = 1
REQUIRED_COLUMNS = (
    "Record ID",
    "Title",
    "RetractionDate",
    "RetractionDOI",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
    "Reason",
)
MISSING = {"", "0", "unavailable", "na", "n/a", "none", "null"}
RETRACTION = "Retraction"
MAX_RETRACTIONS_BYTES = 1 << 30
"""The largest retractions file read (the real one is about 60 MB)."""


@dataclass(frozen=True)
class RetractionRecord:
    """One Retraction Watch record about an original paper."""

    record_id: str
    nature: str
    date: str | None
    reasons: tuple[str, ...]
    title: str
    retraction_doi: str | None

    @property
    def is_retraction(self) -> bool:
        return self.nature.casefold() == RETRACTION.casefold()

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "nature": self.nature,
            "date": self.date,
            "reasons": list(self.reasons),
            "title": self.title,
            "retraction_doi": self.retraction_doi,
        }


class RetractionIndex:
    """The identifiers of a retractions file, in memory, and their records in sqlite."""

    def __init__(self, path: Path, source: Path, rows: int, recoded_fields: int):
        self.path = path
        self.source = source
        self.rows = rows
        self.recoded_fields = recoded_fields
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            keys = db.execute("SELECT kind, key FROM hits").fetchall()
        self._dois = {k for kind, k in keys if kind == "doi"}
        self._pmids = {k for kind, k in keys if kind == "pmid"}
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def candidates(self, doi: str | None, pmid: str | None) -> bool:
        """True when a DOI or PMID is in the file at all (a set lookup, no database)."""
        return bool((doi and doi_key(doi) in self._dois) or (pmid and pmid.strip() in self._pmids))

    def lookup(self, doi: str | None = None, pmid: str | None = None) -> list[RetractionRecord]:
        """Every record for this DOI or PMID (each record once), in file order."""
        if not self.candidates(doi, pmid):
            return []
        if self._db is None or self._pid != os.getpid():  # a connection never crosses a fork
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._pid = os.getpid()
        wanted = []
        if doi and doi_key(doi) in self._dois:
            wanted.append(("doi", doi_key(doi)))
        if pmid and pmid.strip() in self._pmids:
            wanted.append(("pmid", pmid.strip()))
        rows: dict[int, RetractionRecord] = {}
        for kind, key in wanted:
            for row in self._db.execute(
                "SELECT r.rowid, r.record_id, r.nature, r.date, r.reasons, r.title, r.rdoi "
                "FROM hits h JOIN records r ON r.rowid = h.record WHERE h.kind = ? AND h.key = ?",
                (kind, key),
            ):
                rows[row[0]] = RetractionRecord(
                    row[1], row[2], row[3], tuple(filter(None, row[4].split("\n"))), row[5], row[6]
                )
        return [rows[k] for k in sorted(rows)]


def retractions_path(config: Any, given: Path | str | None = None) -> Path | None:
    """The retractions file: ``given`` (``--retractions``), else ``qa.toml``'s setting."""
    if given is not None:
        return Path(given).expanduser().absolute()
    setting = getattr(getattr(config, "references", None), "retractions", None)
    if not setting:
        return None
    return (config.root / setting).absolute()


def load_index(config: Any, given: Path | str | None = None) -> RetractionIndex | None:
    """The index of the configured (or ``given``) file, built when its content is new.

    None when no file is configured. RetractionsFileError when it is missing,
    unreadable or not a Retraction Watch CSV.
    """
    source = retractions_path(config, given)
    if source is None:
        return None
    return _load(source, config.state_dir)


@cache
def _cached(source: Path, state_dir: Path, digest: str) -> RetractionIndex:
    target = state_dir / f"retractions-{digest[:32]}.sqlite"
    if not _usable(target):
        _build(source, target)
    with contextlib.closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as db:
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
    return RetractionIndex(target, source, int(meta["rows"]), int(meta["recoded_fields"]))


_MEMO: dict[tuple[Path, Path], tuple[tuple[int, int, int], RetractionIndex]] = {}


def _load(source: Path, state_dir: Path) -> RetractionIndex:
    """The index for the file's content; within one process, a file whose size and
    modification time are unchanged is not hashed again (a check per answer stays cheap)."""
    try:
        st = source.stat()
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
    except OSError:
        stamp = None
    memo = _MEMO.get((source, state_dir))
    if stamp is not None and memo is not None and memo[0] == stamp:
        return memo[1]
    index = _cached(source, state_dir, file_digest(source))
    if stamp is not None:
        _MEMO[(source, state_dir)] = (stamp, index)
    return index


def file_digest(source: Path) -> str:
    """The SHA-256 of the file's content: what its index is keyed by."""
    with open_retractions(source) as handle:
        digest = hashlib.sha256()
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            if handle.tell() > MAX_RETRACTIONS_BYTES:
                raise RetractionsFileError(
                    f"retractions file {source}: is over the {MAX_RETRACTIONS_BYTES:,}-byte limit"
                )
        return digest.hexdigest()


def open_retractions(source: Path) -> BinaryIO:
    """The retractions file opened for reading: only a regular file of at most
    :data:`MAX_RETRACTIONS_BYTES` (a pipe or a device would hang every command that
    reads it); RetractionsFileError naming the file otherwise."""
    try:
        return open_regular(source, MAX_RETRACTIONS_BYTES)
    except FileNotFoundError:
        raise RetractionsFileError(
            f"retractions file {source}: no such file (set [references] retractions in "
            "qa.toml, or --retractions, to the Retraction Watch CSV)"
        ) from None
    except IsADirectoryError:
        raise RetractionsFileError(f"retractions file {source}: is a folder") from None
    except NotRegularFile:
        raise RetractionsFileError(
            f"retractions file {source}: not a regular file (a device or a pipe); not read"
        ) from None
    except FileTooLarge as exc:
        raise RetractionsFileError(f"retractions file {source}: {exc.strerror}") from None
    except OSError as exc:
        raise RetractionsFileError(
            f"retractions file {source}: cannot be read: {exc.strerror or exc}"
        ) from None


def _usable(target: Path) -> bool:
    if not target.is_file():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as db:
            meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        return meta.get("version") == str(INDEX_VERSION)
    except sqlite3.Error:
        return False  # damaged or from another version: built again


def _field(raw: str) -> tuple[str, bool]:
    """A field read with ``surrogateescape``: bytes that were not UTF-8 re-read as cp1252."""
    if not any("\udc80" <= c <= "\udcff" for c in raw):
        return raw, False
    data = raw.encode("utf-8", "surrogateescape")
    return data.decode("cp1252", "replace"), True


def split_values(cell: str) -> list[str]:
    """``"+Concerns/Issues About Data;+Duplication of Image;"`` -> the two reasons."""
    return [v.strip().lstrip("+").strip() for v in cell.split(";") if v.strip().lstrip("+").strip()]


_US_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")


def iso_date(cell: str) -> str | None:
    """``4/15/2021 0:00`` -> ``2021-04-15``; blank or a sentinel -> None; else as written."""
    text = cell.strip()
    if text.casefold() in MISSING:
        return None
    match = _US_DATE.match(text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return text


def _build(source: Path, target: Path) -> None:
    """Read the CSV and write the index to a temporary file, then rename it into place."""
    handle, reader, columns = _open_csv(source)
    with handle:
        records, hits, rows, recoded = _collect(reader, columns, source)
    target.parent.mkdir(parents=True, exist_ok=True)
    for old in target.parent.glob("retractions-*.sqlite"):
        with contextlib.suppress(OSError):
            old.unlink()  # an index of an earlier version of the file
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    meta = [
        ("version", str(INDEX_VERSION)),
        ("rows", str(rows)),
        ("recoded_fields", str(recoded)),
        ("source", str(source)),
    ]
    try:
        with contextlib.closing(sqlite3.connect(temp)) as db:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute(
                "CREATE TABLE records (record_id TEXT, nature TEXT, date TEXT, reasons TEXT, "
                "title TEXT, rdoi TEXT)"
            )
            db.execute("CREATE TABLE hits (kind TEXT, key TEXT, record INTEGER)")
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
            db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", records)
            db.executemany("INSERT INTO hits VALUES (?, ?, ?)", hits)
            db.execute("CREATE INDEX hits_key ON hits (kind, key)")
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta)
            db.commit()
        os.replace(temp, target)
    except sqlite3.Error as exc:
        raise RetractionsFileError(
            f"retractions index {target}: cannot be written: {exc}"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def _open_csv(source: Path) -> tuple[Any, Any, dict[str, int]]:
    """The open file, a CSV reader past the header, and the column of each required name.

    The file is streamed (a 60 MB file is never held whole), decoded as UTF-8 with
    ``surrogateescape`` so that :func:`_field` can re-read odd bytes as cp1252.
    """
    raw = open_retractions(source)
    try:
        head = raw.read(8192)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise RetractionsFileError(
            f"retractions file {source}: cannot be read: {exc.strerror or exc}"
        ) from None
    handle = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
    if b"\0" in head:
        handle.close()
        raise RetractionsFileError(f"retractions file {source}: is a binary file, not a CSV")
    reader = csv.reader(handle)
    try:
        header = [_field(h)[0].strip() for h in next(reader)]
    except StopIteration:
        handle.close()
        raise RetractionsFileError(f"retractions file {source}: is empty") from None
    except csv.Error as exc:
        handle.close()
        raise RetractionsFileError(f"retractions file {source}:1: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        handle.close()
        raise RetractionsFileError(
            f"retractions file {source}: not the Retraction Watch CSV: no column "
            + ", ".join(repr(c) for c in missing)
        )
    return handle, reader, {name: header.index(name) for name in REQUIRED_COLUMNS}


def _collect(reader: Any, columns: dict[str, int], source: Path) -> tuple[list, list, int, int]:
    """``(records, hits, rows, recoded fields)``: each record naming an original paper, and
    one hit per DOI or PMID of it (record numbers count from 1, as sqlite's rowid)."""
    records: list[tuple] = []
    hits: list[tuple[str, str, int]] = []
    rows = recoded = 0
    width = max(columns.values()) + 1
    try:
        for row in reader:
            if not row or all(not c.strip() for c in row):
                continue
            row = row + [""] * (width - len(row))
            values = {}
            for name, n in columns.items():
                values[name], was_recoded = _field(row[n])
                recoded += was_recoded
            rows += 1
            dois = {doi_key(d) for d in map(normal_doi, values["OriginalPaperDOI"].split(";")) if d}
            pmid_cells = values["OriginalPaperPubMedID"].split(";")
            pmids = set(filter(None, map(normal_pmid, pmid_cells)))
            if not dois and not pmids:
                continue
            records.append(
                (
                    values["Record ID"].strip(),
                    values["RetractionNature"].strip() or RETRACTION,
                    iso_date(values["RetractionDate"]),
                    "\n".join(split_values(values["Reason"])),
                    " ".join(values["Title"].split()),
                    normal_doi(values["RetractionDOI"].split(";")[0]),
                )
            )
            hits.extend(("doi", d, len(records)) for d in dois)
            hits.extend(("pmid", p, len(records)) for p in pmids)
    except csv.Error as exc:
        raise RetractionsFileError(
            f"retractions file {source}:{reader.line_num}: not valid CSV: {exc}"
        ) from None
    return records, hits, rows, recoded
