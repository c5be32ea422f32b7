"""Bundles: a payload plus its manifest, as a folder, a ``.zip`` or a ``.tar.gz``.

A bundle is a BagIt bag (RFC 8493), written here with the standard library::

    bagit.txt                 BagIt-Version 1.0, UTF-8
    bag-info.txt              Bag-Software-Agent, Bagging-Date, Payload-Oxum
    manifest.json             qa's manifest (schemas/bundle-manifest.schema.json)
    manifest-sha256.txt       BagIt's payload manifest: "<sha256>  data/<path>"
    tagmanifest-sha256.txt    SHA-256 of the four files above
    data/...                  the payload

so archivists' tools (``bagit.py --validate``, the Library of Congress's
bagit-java) check a bundle as well as ``qa verify`` does; ``manifest.json``
carries what BagIt has no place for (selection, git commit, formats).

Why it is the same bytes every time: every file is first written to a staging
folder next to the target; the archive is then written from it with entries in
sorted order, one fixed timestamp (see ``qa_tool.export.bundle_epoch``), mode
0644, owner 0/0 with empty names, and a gzip header without file name or time.
Why nothing is ever half-written: the staging folder and the archive have
temporary names in the target's folder; only a complete bundle is renamed into
place, and any failure (Ctrl-C included) removes what was written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

from qa_tool.errors import OutputExists, RefusedTarget, UsageError
from qa_tool.fsutil import (
    NotRegularFile,
    current_umask,
    fsync_dir,
    open_regular,
    real_path,
    remove_stale_temporaries,
)

BUNDLE_FORMAT = 1
PAYLOAD_DIR = "data"
MANIFEST = "manifest.json"
BAGIT_TXT = "bagit.txt"
BAG_INFO = "bag-info.txt"
BAG_MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"
TAG_FILES = frozenset({BAGIT_TXT, BAG_INFO, BAG_MANIFEST, MANIFEST, TAG_MANIFEST})
BAGIT_DECLARATION = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
FIXED_EPOCH = 315532800
"""1980-01-01T00:00:00Z: the timestamp when neither SOURCE_DATE_EPOCH nor a git commit gives one
(the earliest time a zip entry can hold)."""
ZIP_MIN_EPOCH = FIXED_EPOCH
MAX_EPOCH = 4354819199
"""2107-12-31T23:59:59Z: the last time a zip member can record (SOURCE_DATE_EPOCH's limit)."""
FILE_MODE = 0o644
GZIP_LEVEL = 6  # gzip's and tar czf's default; level 9 costs twice the time for ~1% smaller
CHUNK = 1 << 20
MAX_TAG_FILE_BYTES = 64 * 1024 * 1024
"""manifest.json is read whole up to this size (a 100,000-answer bundle's is about 30 MB)."""
MAX_SMALL_TAG_BYTES = 64 * 1024
"""bagit.txt and bag-info.txt: a few lines each."""
MAX_BAG_LINE = 16 * 1024
"""A BagIt manifest line longer than this is not one qa wrote (nor any path a system allows)."""
MAX_TRAILING_ZEROS = 64 * 1024
"""What may follow a tar's end-of-archive blocks: zero padding up to a record, nothing else."""
ARCHIVE_SUFFIXES = {".zip": "zip", ".tar.gz": "tar.gz"}
REFUSED_SUFFIXES = (".tgz", ".tar", ".tar.bz2", ".tar.xz", ".tar.zst", ".gz", ".7z", ".rar")
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "bundle-manifest.schema.json"


def bundle_kind(out: Path) -> str:
    """``"zip"``, ``"tar.gz"`` or ``"folder"`` from the name; UsageError for other archives.

    ``bundle.tar.gz`` -> ``"tar.gz"``; ``site`` -> ``"folder"``; ``x.tgz`` -> UsageError.
    """
    name = out.name.lower()
    for suffix, kind in ARCHIVE_SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return kind
    for suffix in REFUSED_SUFFIXES:
        if name.endswith(suffix):
            raise UsageError(
                f"--out {out}: qa writes .zip and .tar.gz archives, or a folder (no suffix)"
            )
    return "folder"


MAX_JSON_DEPTH = 64
"""Deeper JSON than any manifest qa writes (it nests 4 levels) is refused unread."""
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def load_json_capped(data: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses (ValueError) nesting deeper than ``max_depth``.

    The depth is counted on the text with its strings left out, before parsing,
    so a 100,000-deep document costs one linear scan, never a RecursionError.
    """
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", data)):
        depth += 1 if match.group() in (b"[", b"{") else -1
        if depth > max_depth:
            raise ValueError(f"nested more than {max_depth} levels deep")
    return json.loads(data.decode("utf-8"))


def _read_small_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (links not followed) of at most ``limit``."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > limit:
            raise ValueError(f"larger than {limit:,} bytes")
        return handle.read(limit + 1)[:limit]


def _manifest_paths(data: bytes) -> set[str]:
    """The payload paths a qa ``manifest.json`` lists; ValueError when it is not one."""
    manifest = load_json_capped(data)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise ValueError("it has no list of files")
    tool = manifest.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "qa_tool":
        raise ValueError("it was not written by qa")
    paths = set()
    for item in manifest["files"]:
        path = item.get("path") if isinstance(item, dict) else None
        if (
            not isinstance(path, str)
            or member_problem(path)
            or not path.startswith(f"{PAYLOAD_DIR}/")
        ):
            raise ValueError(f"it lists {path!r}, not a payload file")
        paths.add(path)
    return paths


def _folder_bundle_problem(folder: Path) -> str | None:
    """Why ``folder`` is not wholly an earlier bundle of qa's, or None.

    Every entry under it must be one of its tag files or a payload file its
    ``manifest.json`` lists (and a regular file); every folder must lead to
    one. A ``.git``, a link, a stray note or an unlisted folder is a reason.
    """
    try:
        listed = _manifest_paths(_read_small_regular(folder / MANIFEST, MAX_TAG_FILE_BYTES))
    except FileNotFoundError:
        return "a folder that is not a qa bundle (it has no manifest.json)"
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return f"a folder whose manifest.json is not a qa manifest ({exc})"
    allowed = TAG_FILES | listed
    folders = {PAYLOAD_DIR, *(p for path in listed for p in _parents(path))}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for name in [*dirnames, *filenames]:
            rel = (here / name).relative_to(folder).as_posix()
            if name == ".git":
                return f"a folder holding a git repository ({rel})"
            if name in dirnames and not (here / name).is_symlink():
                if rel not in folders:
                    return f"a folder holding {rel}/, which its manifest does not list"
                continue
            if rel not in allowed:
                return f"a folder holding {rel}, which its manifest does not list"
            if not stat.S_ISREG((here / name).lstat().st_mode):
                return f"a folder holding {rel}, which is not a regular file"
    return None


def _parents(path: str) -> Iterator[str]:
    parts = path.split("/")
    for n in range(1, len(parts)):
        yield "/".join(parts[:n])


def _archive_problem(path: Path, kind: str) -> str | None:
    """Why the regular file ``path`` is not an archive qa wrote, or None.

    qa's archives list their members sorted, so ``bag-info.txt`` comes first
    and names qa as the agent; that is read, nothing more (the rest may be
    large). A zip must also hold a qa ``manifest.json``.
    """
    agent = b"Bag-Software-Agent: qa_tool"
    not_a_bundle: tuple[type[BaseException], ...] = (KeyError, *_archive_errors())
    try:
        if kind == "zip":
            import zipfile

            with zipfile.ZipFile(path) as archive:
                with archive.open(BAG_INFO) as handle:
                    info = handle.read(4096)
                with archive.open(MANIFEST) as handle:
                    _manifest_paths(handle.read(MAX_TAG_FILE_BYTES))
        else:
            import tarfile

            with tarfile.open(path, mode="r|gz") as archive:
                first = archive.next()
                if first is None or first.name != BAG_INFO or not first.isfile():
                    raise ValueError(f"its first member is not {BAG_INFO}")
                member = archive.extractfile(first)
                info = member.read(4096) if member is not None else b""
    except not_a_bundle as exc:
        return f"a file that is not a {kind} bundle of qa's ({exc})"
    if agent not in info:
        return f"a {kind} archive that qa did not write ({BAG_INFO} names another agent)"
    return None


def _holds(folder: Path, protected: Iterable[Path]) -> Path | None:
    """The first of ``protected`` that is ``folder`` or lies inside it, or None."""
    real = real_path(folder)
    for path in protected:
        with contextlib.suppress(OSError):
            inner = real_path(path)
            if inner == real or inner.is_relative_to(real):
                return Path(path)
    return None


def _cwd() -> list[Path]:
    try:
        return [Path.cwd()]
    except OSError:  # the current folder was removed: nothing there to protect
        return []


def check_target(out: Path, force: bool, protected: Iterable[Path] = ()) -> None:
    """Refuse to replace an existing ``out`` unless ``force``; never replace what qa did not write.

    ``--force`` replaces only an earlier bundle of qa's: for an archive name, a
    regular file that is a qa archive (:func:`_archive_problem`); for a folder,
    one whose every entry its own manifests list (:func:`_folder_bundle_problem`)
    and that holds none of ``protected`` (the library) nor the current folder.
    Anything else (another folder, a device such as ``/dev/null``, a pipe, a
    link, a bundle someone added notes or a ``.git`` to) is refused even then
    (RefusedTarget, exit 2), so no slip of ``--out`` can delete a library.
    """
    try:
        st = out.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputExists(
            f"{out}: cannot be checked ({exc.strerror}); choose another --out"
        ) from None
    kind = bundle_kind(out)
    why: str | None
    if stat.S_ISDIR(st.st_mode):
        if kind != "folder":
            why = f"a folder, not a {kind} archive"
        elif (inside := _holds(out, [*protected, *_cwd()])) is not None:
            why = f"a folder holding {inside}"
        else:
            why = _folder_bundle_problem(out)
    elif stat.S_ISREG(st.st_mode):
        why = "a file, not a qa bundle folder" if kind == "folder" else _archive_problem(out, kind)
    else:
        why = "a link" if stat.S_ISLNK(st.st_mode) else "not a regular file or folder"
    if why is not None:
        raise RefusedTarget(
            f"{out} is {why}; not replaced, even with --force: choose another --out"
        )
    if not force:
        raise OutputExists(f"{out} already exists; add --force to replace it")


@dataclass(frozen=True)
class FileEntry:
    """One file of a bundle: its path inside the bundle ('/'-separated), size and SHA-256."""

    path: str
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "bytes": self.bytes, "sha256": self.sha256}


class _HashingWriter:
    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)


class Staging:
    """Where a payload is written before it becomes a bundle.

    ``add("html/index.html", data)`` writes one file; ``stream("answers.jsonl")``
    gives a writer for a file written piece by piece. Names are payload-relative
    and end up under ``data/``; sizes and SHA-256 are taken while writing.
    """

    def __init__(self, root: Path):
        self.root = root
        self.payload = root / PAYLOAD_DIR
        self.payload.mkdir()
        self.entries: dict[str, FileEntry] = {}
        self._folders: set[Path] = {self.payload}

    def _path(self, name: str) -> Path:
        if name in self.entries:
            raise ValueError(f"payload file {name} written twice")
        path = self.payload / name
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        return path

    def add(self, name: str, data: bytes) -> None:
        path = self._path(name)
        with open(path, "wb") as handle:
            handle.write(data)
        entry = f"{PAYLOAD_DIR}/{name}"
        self.entries[name] = FileEntry(entry, len(data), hashlib.sha256(data).hexdigest())

    @contextlib.contextmanager
    def stream(self, name: str) -> Iterator[_HashingWriter]:
        path = self._path(name)
        with open(path, "wb", buffering=CHUNK) as handle:
            writer = _HashingWriter(handle)
            yield writer
        entry = f"{PAYLOAD_DIR}/{name}"
        self.entries[name] = FileEntry(entry, writer.size, writer.digest.hexdigest())

    def files(self) -> list[FileEntry]:
        return sorted(self.entries.values(), key=lambda e: e.path)


@dataclass
class BundleResult:
    """What :func:`write_bundle` wrote: the bundle's kind, files and manifest."""

    kind: str
    files: list[FileEntry]
    manifest: dict[str, Any]

    @property
    def payload_bytes(self) -> int:
        return sum(f.bytes for f in self.files)


def iso_utc(epoch: int) -> str:
    """``0`` -> ``1970-01-01T00:00:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _bag_path(path: str) -> str:
    """A path as BagIt manifests write it: %, CR and LF percent-encoded (RFC 8493 2.1.3)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _tag_files(
    manifest: dict[str, Any], files: list[FileEntry], agent: str, epoch: int
) -> dict[str, bytes]:
    manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    bag_manifest = "".join(f"{f.sha256}  {_bag_path(f.path)}\n" for f in files).encode("utf-8")
    oxum = f"{sum(f.bytes for f in files)}.{len(files)}"
    bag_info = (
        f"Bag-Software-Agent: {agent}\nBagging-Date: {iso_utc(epoch)[:10]}\nPayload-Oxum: {oxum}\n"
    ).encode()
    tags = {
        BAGIT_TXT: BAGIT_DECLARATION,
        BAG_INFO: bag_info,
        BAG_MANIFEST: bag_manifest,
        MANIFEST: manifest_bytes,
    }
    tag_manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(tags.items())
    ).encode()
    tags[TAG_MANIFEST] = tag_manifest
    return tags


def write_bundle(
    out: Path,
    fill: Callable[[Staging], None],
    manifest_fields: dict[str, Any],
    *,
    agent: str,
    epoch: int,
    force: bool = False,
    protected: Iterable[Path] = (),
) -> BundleResult:
    """Write a bundle at ``out``: ``fill(staging)`` writes the payload, then the tag files.

    The manifest is ``{"bundle_format": 1, **manifest_fields, "files": [...]}``.
    Raises OutputExists (see :func:`check_target`, which keeps ``protected``)
    before any work, and again if ``out`` appeared meanwhile; on any exception
    nothing is left behind.
    """
    out = Path(out)
    kind = bundle_kind(out)
    protected = tuple(protected)
    check_target(out, force, protected)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out.parent, out.name)
    staging_dir = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    archive_tmp: Path | None = None
    try:
        staging = Staging(staging_dir)
        fill(staging)
        files = staging.files()
        manifest = {"bundle_format": BUNDLE_FORMAT, **manifest_fields}
        manifest["files"] = [f.to_dict() for f in files]
        for name, data in _tag_files(manifest, files, agent, epoch).items():
            (staging_dir / name).write_bytes(data)
        names = sorted([*TAG_FILES, *(f.path for f in files)])
        if kind == "folder":
            _finish_folder(staging_dir, names, epoch)
            _put_in_place(staging_dir, out, force, protected)
        else:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
            archive_tmp = Path(tmp_name)
            with os.fdopen(fd, "wb") as raw:
                if kind == "zip":
                    _write_zip(raw, staging_dir, names, epoch)
                else:
                    _write_tar_gz(raw, staging_dir, names, epoch)
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(archive_tmp, FILE_MODE & ~current_umask())
            _put_in_place(archive_tmp, out, force, protected)
            archive_tmp = None
            shutil.rmtree(staging_dir)
        fsync_dir(out.parent)
        return BundleResult(kind, files, manifest)
    except BaseException:
        if archive_tmp is not None:
            with contextlib.suppress(OSError):
                archive_tmp.unlink()
        shutil.rmtree(staging_dir, ignore_errors=True)
        raise


def _finish_folder(root: Path, names: list[str], epoch: int) -> None:
    """Fixed mtimes and ordinary permissions (mkdtemp makes its folder 0700)."""
    folders = {root}
    for name in names:
        path = root / name
        os.utime(path, (epoch, epoch))
        folders.update(path.parents)
    for folder in sorted((f for f in folders if f.is_relative_to(root)), reverse=True):
        os.chmod(folder, 0o755 & ~current_umask())
        os.utime(folder, (epoch, epoch))


def _put_in_place(new: Path, out: Path, force: bool, protected: tuple[Path, ...]) -> None:
    """Rename ``new`` to ``out``; an old ``out`` (allowed by --force) is set aside, then removed.

    A file over a file is one atomic ``os.replace``. A folder cannot be replaced
    atomically: the old one is renamed aside first, for a moment leaving no
    ``out``; if the second rename fails, the old one is put back.
    """
    if not (out.exists() or out.is_symlink()):
        if new.is_dir():
            new.rename(out)
        else:
            # a hard link fails if out appeared meanwhile: a new file never replaces one
            os.link(new, out)
            new.unlink()
        return
    check_target(out, force, protected)
    if new.is_file() and (out.is_file() or out.is_symlink()):
        os.replace(new, out)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    old = aside / "old"
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        aside.rmdir()
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _write_tar_gz(raw: IO[bytes], root: Path, names: list[str], epoch: int) -> None:
    import gzip
    import tarfile

    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name in names:
            path = root / name
            info = tarfile.TarInfo(name)
            info.size = path.stat().st_size
            info.mtime = epoch
            info.mode = FILE_MODE
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            with open(path, "rb") as handle:
                tar.addfile(info, handle)


def _write_zip(raw: IO[bytes], root: Path, names: list[str], epoch: int) -> None:
    import zipfile

    stamp = time.gmtime(max(epoch, ZIP_MIN_EPOCH))[:6]
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            path = root / name
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
            info.file_size = path.stat().st_size
            with open(path, "rb") as handle, archive.open(info, "w") as member:
                shutil.copyfileobj(handle, member, CHUNK)


# ---------------------------------------------------------------------------
# Verifying


MISSING, EXTRA, ALTERED, UNSAFE, MANIFEST_PROBLEM, UNREADABLE = (
    "missing",
    "extra",
    "altered",
    "unsafe",
    "manifest",
    "unreadable",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle: its kind, the file it concerns, and what to know."""

    kind: str
    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "path": self.path, "message": self.message}


@dataclass
class VerifyReport:
    """What ``qa verify`` found: files checked and every problem, with the manifest read."""

    bundle: str
    kind: str
    files_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    manifest: dict[str, Any] | None = None

    @property
    def intact(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        m = self.manifest or {}
        summary = None
        if self.manifest is not None:
            summary = {
                "bundle_format": m.get("bundle_format"),
                "tool": m.get("tool"),
                "created": m.get("created"),
                "library": m.get("library"),
                "answer_count": m.get("answer_count"),
            }
        return {
            "version": 1,
            "bundle": self.bundle,
            "kind": self.kind,
            "intact": self.intact,
            "files_checked": self.files_checked,
            "problems": [p.to_dict() for p in self.problems],
            "manifest": summary,
        }


@dataclass
class _Seen:
    size: int
    sha256: str
    data: bytes | None = None  # manifest.json, bagit.txt, bag-info.txt, within their caps
    entries: dict[str, str] | None = None  # the two BagIt manifests, parsed as they stream
    too_large: bool = False


def member_problem(name: str) -> str | None:
    """Why an archive member name is unsafe to trust, or None: absolute, drive, '..', NUL."""
    if not name:
        return "empty name"
    if "\x00" in name:
        return "NUL in its name"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "absolute path"
    if "\\" in name:
        return "backslash in its name"
    if ".." in name.split("/"):
        return "'..' in its path"
    return None


def _normal(name: str) -> str:
    return "/".join(p for p in name.split("/") if p not in ("", "."))


class _BagLines:
    """A BagIt manifest parsed chunk by chunk: ``{path: digest}``, never the whole text held.

    A line past :data:`MAX_BAG_LINE` marks the file as not one qa wrote (``entries`` None).
    """

    def __init__(self) -> None:
        self.entries: dict[str, str] | None = {}
        self._rest = b""

    def feed(self, chunk: bytes) -> None:
        if self.entries is None:
            return
        lines = (self._rest + chunk).split(b"\n")
        self._rest = lines.pop()
        if len(self._rest) > MAX_BAG_LINE:
            self.entries = None
            return
        for line in lines:
            self._line(line)

    def _line(self, raw: bytes) -> None:
        line = raw.decode("utf-8", "replace").strip()
        if line and self.entries is not None:
            digest, _sep, name = line.partition(" ")
            name = name.strip().replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
            self.entries[name] = digest.lower()

    def close(self) -> dict[str, str] | None:
        self._line(self._rest)
        return self.entries


def _hash_stream(handle: IO[bytes], name: str) -> _Seen:
    """Size and SHA-256 of one member, read as a stream; tag files kept or parsed, capped."""
    digest = hashlib.sha256()
    size = 0
    cap = {MANIFEST: MAX_TAG_FILE_BYTES, BAGIT_TXT: MAX_SMALL_TAG_BYTES}.get(
        name, MAX_SMALL_TAG_BYTES if name == BAG_INFO else 0
    )
    kept: list[bytes] | None = [] if cap else None
    bag = _BagLines() if name in (BAG_MANIFEST, TAG_MANIFEST) else None
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if kept is not None:
            if size > cap:
                kept = None
            else:
                kept.append(chunk)
        if bag is not None:
            bag.feed(chunk)
    seen = _Seen(size, digest.hexdigest())
    if cap:
        seen.data = b"".join(kept) if kept is not None else None
        seen.too_large = kept is None
    if bag is not None:
        seen.entries = bag.close()
    return seen


class _Scan:
    def __init__(self, report: VerifyReport):
        self.report = report
        self.seen: dict[str, _Seen] = {}
        self.folded: dict[str, str] = {}

    def problem(self, kind: str, path: str, message: str) -> None:
        self.report.problems.append(Problem(kind, path, message))

    def member(self, raw_name: str, opener: Callable[[], IO[bytes]]) -> None:
        why = member_problem(raw_name)
        if why:
            self.problem(UNSAFE, raw_name, f"unsafe archive member ({why}); not read")
            return
        name = _normal(raw_name)
        if name in self.seen:
            self.problem(UNSAFE, name, "appears more than once in the archive")
            return
        folded = unicodedata.normalize("NFC", name).casefold()
        twin = self.folded.setdefault(folded, name)
        if twin != name:
            self.problem(
                UNSAFE,
                name,
                f"differs from {twin} only in letter case or Unicode normalisation "
                "(the two are one file on many systems)",
            )
        with opener() as handle:
            self.seen[name] = _hash_stream(handle, name)


def _scan_folder(root: Path, scan: _Scan) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in sorted(dirnames):
            if (here / name).is_symlink():
                rel = (here / name).relative_to(root).as_posix()
                scan.problem(UNSAFE, rel, "is a symbolic link; not followed")
        dirnames[:] = sorted(d for d in dirnames if not (here / d).is_symlink())
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                scan.problem(UNSAFE, rel, "is not a regular file (a link or a device); not read")
                continue
            scan.member(rel, functools.partial(_open_binary, path))


def _scan_zip(raw: IO[bytes], scan: _Scan) -> None:
    import zipfile

    with zipfile.ZipFile(raw) as archive:
        for info in archive.infolist():
            mode = info.external_attr >> 16
            if info.is_dir():
                if info.file_size or info.compress_size:
                    scan.problem(
                        UNSAFE, info.filename, "a folder entry that carries data; not read"
                    )
                continue
            kind = stat.S_IFMT(mode)
            if info.create_system == 3 and kind and kind != stat.S_IFREG:
                what = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
                scan.problem(UNSAFE, info.filename, f"is {what}; not read")
                continue
            scan.member(info.filename, functools.partial(archive.open, info))


def _scan_tar(raw: IO[bytes], scan: _Scan) -> None:
    import gzip
    import tarfile

    with gzip.GzipFile(fileobj=raw, mode="rb") as gz:
        with tarfile.open(fileobj=gz, mode="r|") as archive:
            for member in archive:
                if member.isdir():
                    continue
                if not member.isfile():
                    what = "a link" if member.issym() or member.islnk() else "not a regular file"
                    scan.problem(UNSAFE, member.name, f"is {what}; not read")
                    continue
                handle = archive.extractfile(member)
                if handle is None:  # pragma: no cover - isfile() members always have data
                    continue
                scan.member(member.name, functools.partial(_same, handle))
        # tarfile stops at the end-of-archive blocks; whatever follows (a second archive,
        # another gzip member) would be unpacked by other tools, so it must be only padding
        rest = gz.read(MAX_TRAILING_ZEROS + 1)
        if rest.strip(b"\0") or len(rest) > MAX_TRAILING_ZEROS:
            scan.problem(
                UNSAFE,
                "(end of archive)",
                "data after the tar's end-of-archive blocks (a second archive?); not read",
            )


def _open_regular(path: Path) -> IO[bytes]:
    """``path`` opened for reading only if it is a regular file (a link to one is fine).

    Opened without blocking and checked on the open descriptor, so a pipe or a
    device named ``x.zip`` (``/dev/zero``) is refused at once instead of hanging
    or reading for ever: UsageError.
    """
    try:
        return open_regular(path)
    except NotRegularFile:
        raise UsageError(f"{path}: not a regular file (a pipe or a device); not read") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be opened ({exc.strerror})") from None


def _same(handle: IO[bytes]) -> IO[bytes]:
    return handle


def _open_binary(path: Path) -> IO[bytes]:
    return path.open("rb")


def _archive_errors() -> tuple[type[BaseException], ...]:
    import gzip
    import tarfile
    import zipfile
    import zlib

    return (
        tarfile.TarError,
        zipfile.BadZipFile,
        gzip.BadGzipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    )


def verify_bundle(path: Path) -> VerifyReport:
    """Check a bundle (folder, .zip or .tar.gz) against its manifest; nothing is extracted.

    Every problem is collected: files missing, extra or altered; unsafe archive
    members (absolute paths, '..', links); a manifest that breaks its schema.
    UsageError when ``path`` does not exist or is no kind of bundle.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    kind = "folder" if path.is_dir() else bundle_kind(path)
    if kind == "folder" and not path.is_dir():
        raise UsageError(f"{path}: not a folder, .zip or .tar.gz bundle")
    report = VerifyReport(str(path), kind)
    scan = _Scan(report)
    try:
        if kind == "folder":
            _scan_folder(path, scan)
        else:
            with _open_regular(path) as raw:
                (_scan_zip if kind == "zip" else _scan_tar)(raw, scan)
    except RecursionError:  # pragma: no cover - archives are read iteratively
        scan.problem(UNREADABLE, path.name, "the archive cannot be read: nested too deeply")
        _sort(report)
        return report
    except _archive_errors() as exc:
        scan.problem(UNREADABLE, path.name, f"the archive cannot be read: {exc}")
        _sort(report)
        return report
    _check_against_manifest(scan)
    _sort(report)
    return report


def _sort(report: VerifyReport) -> None:
    report.problems.sort(key=lambda p: (p.path, p.kind))


def _check_against_manifest(scan: _Scan) -> None:
    report, seen = scan.report, scan.seen
    report.files_checked = len(seen)
    entry = seen.get(MANIFEST)
    if entry is None:
        scan.problem(MISSING, MANIFEST, "no manifest.json: not a qa bundle, or it was removed")
        return
    try:
        if entry.data is None:
            raise ValueError(f"larger than {MAX_TAG_FILE_BYTES:,} bytes; not read")
        manifest = load_json_capped(entry.data)
    except (ValueError, UnicodeDecodeError) as exc:
        scan.problem(MANIFEST_PROBLEM, MANIFEST, f"not readable JSON: {exc}")
        return
    schema_problems = manifest_schema_problems(manifest)
    for where, message in schema_problems:
        scan.problem(MANIFEST_PROBLEM, MANIFEST, f"{where}: {message}")
    if not isinstance(manifest, dict):
        return
    report.manifest = manifest
    if schema_problems:
        return
    if manifest["bundle_format"] > BUNDLE_FORMAT:
        scan.problem(
            MANIFEST_PROBLEM,
            MANIFEST,
            f"bundle format {manifest['bundle_format']} is newer than this qa reads "
            f"({BUNDLE_FORMAT}); upgrade qa",
        )
        return
    listed: dict[str, dict[str, Any]] = {}
    for item in manifest["files"]:
        if item["path"] in listed or item["path"] in TAG_FILES:
            scan.problem(MANIFEST_PROBLEM, item["path"], "listed twice, or as a payload file")
        listed[item["path"]] = item
    for name, item in listed.items():
        got = seen.get(name)
        if got is None:
            scan.problem(MISSING, name, "listed in the manifest but not in the bundle")
        elif got.size != item["bytes"] or got.sha256 != item["sha256"]:
            scan.problem(ALTERED, name, _difference(got, item["bytes"], item["sha256"]))
    for name in seen:
        if name not in listed and name not in TAG_FILES:
            scan.problem(EXTRA, name, "not listed in the manifest")
    _check_bagit(scan, listed)


def _difference(got: _Seen, size: int, sha256: str) -> str:
    if got.size != size:
        return f"altered: {got.size:,} bytes where the manifest says {size:,}"
    return f"altered: SHA-256 {got.sha256[:12]}… where the manifest says {sha256[:12]}…"


def _check_bagit(scan: _Scan, listed: dict[str, dict[str, Any]]) -> None:
    """The BagIt files must be there and agree: with manifest.json and with the tag files."""
    seen = scan.seen
    for name in (BAGIT_TXT, BAG_INFO, BAG_MANIFEST, TAG_MANIFEST):
        if name not in seen:
            scan.problem(MISSING, name, "a BagIt file of the bundle is missing")
    bagit = seen.get(BAGIT_TXT)
    if bagit is not None and bagit.data != BAGIT_DECLARATION:
        scan.problem(ALTERED, BAGIT_TXT, "altered: not the BagIt 1.0 declaration qa writes")
    for name in (BAG_INFO, BAG_MANIFEST, TAG_MANIFEST):
        got = seen.get(name)
        if got is not None and (got.too_large or (got.data is None and got.entries is None)):
            scan.problem(ALTERED, name, "altered: too large, or a line too long, for a tag file")
    bag_manifest = seen.get(BAG_MANIFEST)
    if bag_manifest is not None and bag_manifest.entries is not None:
        entries = bag_manifest.entries
        expected = {name: item["sha256"] for name, item in listed.items()}
        if entries != expected:
            differing = sorted(set(entries.items()) ^ set(expected.items()))
            first = differing[0][0] if differing else "?"
            scan.problem(
                ALTERED,
                BAG_MANIFEST,
                f"altered: disagrees with manifest.json (first about {first})",
            )
    tag_manifest = seen.get(TAG_MANIFEST)
    if tag_manifest is not None and tag_manifest.entries is not None:
        for name, digest in sorted(tag_manifest.entries.items()):
            got = seen.get(name)
            if name not in TAG_FILES or name == TAG_MANIFEST:
                scan.problem(ALTERED, TAG_MANIFEST, f"altered: lists {name}, not a tag file")
            elif got is not None and got.sha256 != digest:
                scan.problem(ALTERED, name, f"altered: its SHA-256 differs from {TAG_MANIFEST}'s")


def manifest_schema_problems(manifest: Any) -> list[tuple[str, str]]:
    """``[(json_path, message)]`` for every way ``manifest`` breaks the bundle manifest schema."""
    from qa_tool.schema import json_path

    problems = []
    for error in _manifest_validator().iter_errors(manifest):
        problems.append((json_path(tuple(error.absolute_path)), error.message))
    return sorted(problems)


@cache
def _manifest_validator() -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())
