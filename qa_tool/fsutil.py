"""Safe writes and edit locks.

Every file qa writes goes to a temporary file in the target folder, is
flushed to disk, and is renamed into place, so a crash or Ctrl-C leaves
either the old file or the new one, never half of one. Edits of an existing
answer hold a lock (``.qa/locks/``) so two qa processes never mix their edits.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from qa_tool.errors import LockError, LockTimeout

LOCK_TIMEOUT_SECONDS = 10.0


def atomic_write(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    With ``overwrite=False`` the rename is a hard link, which fails if ``path``
    appeared in the meantime (FileExistsError): a new file never replaces one.
    The mode of a replaced file is kept. A symbolic link is never replaced by
    a file (OSError ELOOP): a caller editing a linked file writes its target.
    """
    path = Path(path)
    folder = path.parent
    if path.is_symlink():
        raise OSError(errno.ELOOP, "is a symbolic link; not replaced", str(path))
    remove_stale_temporaries(folder, path.name)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            if not path.exists():
                os.chmod(tmp, 0o644 & ~current_umask())
            os.replace(tmp, path)
        else:
            os.chmod(tmp, 0o644 & ~current_umask())
            os.link(tmp, path)
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(folder)


class NotRegularFile(OSError):
    """A path that leads to a device, a pipe or a socket: never read."""


class FileTooLarge(OSError):
    """A regular file over the size limit of what reads it."""


def open_regular(path: Path | str, max_bytes: int | None = None) -> BinaryIO:
    """``path`` opened for reading in binary, only if it leads to a regular file.

    The one way qa opens a file a user names (an answer, a legacy text, qa.toml, a
    template, a reference or retractions file, a bundle): it is opened without
    blocking and checked on the open descriptor, so a pipe cannot hold the open
    waiting for a writer and a device (``/dev/zero``) is never read for ever.
    A link to a regular file is fine. Raises IsADirectoryError for a folder,
    :class:`NotRegularFile` for anything else that is not a regular file, and
    :class:`FileTooLarge` when ``max_bytes`` is given and the file is larger
    (callers reading it whole still read at most ``max_bytes + 1`` bytes, see
    :func:`read_regular`). Example::

        with open_regular(Path("qa.toml"), 1 << 20) as handle:
            data = handle.read()
    """
    return open_regular_stat(path, max_bytes)[0]


def open_regular_stat(
    path: Path | str, max_bytes: int | None = None
) -> tuple[BinaryIO, os.stat_result]:
    """:func:`open_regular`, with the status taken from the open file (its size as checked)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(
                errno.EINVAL, "not a regular file (a device or a pipe); not read", str(path)
            )
        if max_bytes is not None and st.st_size > max_bytes:
            limit = f"is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit"
            raise FileTooLarge(errno.EFBIG, limit, str(path))
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb"), st


def read_regular(path: Path | str, max_bytes: int) -> bytes:
    """The whole of a regular file of at most ``max_bytes`` (:func:`open_regular`);
    at most ``max_bytes + 1`` bytes are read, so a file that grows is still refused."""
    with open_regular(path, max_bytes) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(errno.EFBIG, f"is over the {max_bytes:,}-byte limit", str(path))
    return data


def real_path(path: Path | str) -> Path:
    """Where ``path`` really leads, whether or not it exists yet: absolute, every link in
    its existing part followed and ``..`` taken after them, the missing rest appended.

    Every check of a target against the library (inside the answers folder? the
    library itself?) compares real paths from here, so a link anywhere on the
    way, even above a folder that does not exist yet, cannot carry a write past it.
    """
    return Path(os.path.realpath(path))


def real_folder_problem(folder: Path) -> str | None:
    """Why ``folder`` is not a real folder (a link, a file), or None (one, or nothing yet).

    ``.qa`` and its ``locks`` must be real folders: through a link, a cache,
    a lock or a ``.gitignore`` would be written wherever the link points.
    """
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{folder} cannot be checked ({exc.strerror})"
    if stat.S_ISLNK(st.st_mode):
        return f"{folder} is a link, not a folder"
    if not stat.S_ISDIR(st.st_mode):
        return f"{folder} is not a folder"
    return None


def write_new_small(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data`` unless something is there already (a link included).

    For qa's own small files (``.qa/.gitignore``): ``O_EXCL`` with ``O_NOFOLLOW``,
    so a link planted there is never followed. FileExistsError when it exists.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


STALE_TEMPORARY_SECONDS = 3600
"""A temporary of qa's older than this was left by a process killed outright (SIGKILL,
power loss): no write of one file or bundle takes an hour."""


_CLEANED: set[Path] = set()
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.(tmp|old)")  # tempfile's names for qa's prefixes


def remove_stale_temporaries(
    folder: Path, name: str, older_than: float = STALE_TEMPORARY_SECONDS
) -> None:
    """Remove ``.*.tmp`` and ``.*.old`` entries (qa's temporaries) that a killed run left in
    ``folder``, where ``name`` is about to be written; fresh ones may be another
    process's, and are kept.

    Readers never see them: scans skip hidden entries.
    """
    import shutil
    import time

    if folder in _CLEANED:  # one look per folder and process: a batch stays linear
        return
    _CLEANED.add(folder)
    limit = time.time() - older_than
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not _TEMPORARY.match(entry.name):
                continue
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                if st.st_mtime >= limit:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)


def current_umask() -> int:
    """The process's umask (reading it means setting it; it is put back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk, where the system allows."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def edit_lock(
    state_dir: Path, target: Path, timeout: float = LOCK_TIMEOUT_SECONDS, shown: str | None = None
) -> Iterator[None]:
    """Hold the lock for editing ``target``; LockTimeout after ``timeout`` seconds.

    ``shown`` is how messages name the file (default: ``target`` as given).
    LockError when the lock file cannot be made at all.
    """
    name = shown or str(target)
    from filelock import FileLock, Timeout

    locks = state_dir / "locks"
    problem = real_folder_problem(state_dir) or real_folder_problem(locks)
    if problem is not None:
        raise LockError(
            f"{name}: cannot take the edit lock: {problem} (remove it; qa makes its own); "
            "nothing was changed"
        )
    try:
        locks.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            write_new_small(state_dir / ".gitignore", b"*\n")
        key = hashlib.sha256(str(real_path(target)).encode()).hexdigest()[:24]
        lock = FileLock(str(locks / f"{key}.lock"))
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockTimeout(
            f"{name}: another qa process is editing this file; try again when it has finished"
        ) from None
    except OSError as exc:
        raise LockError(
            f"{name}: cannot take the edit lock in {locks}: {exc.strerror or exc}; "
            "nothing was changed"
        ) from None
    try:
        yield
    finally:
        lock.release()
