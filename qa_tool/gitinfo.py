"""What git knows about the answers: one ``git log`` pass, blobs read in one batch.

Like Hugo's ``enableGitInfo``, the history of the whole answers folder is read
with a single ``git log --raw`` call, never one git call per file. Each change
comes with the blob ids before and after, so a later look at a few files needs
only one ``git cat-file --batch`` process for all of them. Example::

    repo = open_repo(config.root)           # None outside a git work tree
    for change in file_changes(repo, "answers"):
        print(change.path, change.date, change.status)

Limits: merge commits are skipped (their changes are seen on the merged
branch's own commits); renames are followed when git detects them inside one
commit (``-M``); uncommitted edits are not history and are not seen here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import subprocess
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa_tool.errors import GitError

_NULL_SHA = "0" * 40
_RECORD = "\x1e"


@dataclass(frozen=True)
class Repo:
    """A git work tree as seen from the library root.

    ``prefix`` is the library root's path inside the repository ('' at the top
    level, else e.g. ``'content/'``); git prints paths from the top level.
    """

    cwd: Path
    prefix: str
    shallow: bool


@dataclass(frozen=True)
class FileChange:
    """One file touched by one commit (status A, M, T or R; renames name the old path)."""

    commit: str
    date: dt.date  # the committer's date, in the committer's own time zone
    status: str
    path: str  # relative to the repository's top level
    old_path: str | None
    old_blob: str | None
    new_blob: str | None


GIT_ENV = {
    "LC_ALL": "C",  # messages and dates in one language, whatever the user's locale
    "GIT_TERMINAL_PROMPT": "0",  # never wait for a password
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",  # reading must never take the index lock
}
"""What every git call made by qa sets, over the user's own environment."""


def git_env() -> dict[str, str]:
    """The environment for every git process: the user's, with :data:`GIT_ENV` over it."""
    return {**os.environ, **GIT_ENV}


GIT_CONFIG = (
    "core.quotePath=false",  # paths printed as they are, not octal-quoted
    # Bounded object reading: git's defaults (a 96 MB cache of delta bases, pack
    # windows of 1 GiB) let one `cat-file --batch` over a large library's history
    # grow to about 270 MB; with these it stays under 90 MB at the same speed.
    "core.deltaBaseCacheLimit=16m",
    "core.packedGitWindowSize=16m",
    "core.packedGitLimit=64m",
)
"""The ``-c`` settings of every git call made by qa."""


def git_argv(*args: str) -> list[str]:
    """The command line for ``git args...`` with :data:`GIT_CONFIG`."""
    return ["git", *(word for setting in GIT_CONFIG for word in ("-c", setting)), *args]


def call_git(cwd: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    """Run one git command and return it whatever its exit status.

    For callers that read a failure as an answer (``rev-parse --verify`` of a
    name that does not exist). GitError only when git cannot be run at all.
    A command :func:`prefetch` started with the same arguments is not run again:
    its result is taken.
    """
    started = _STARTED.pop((str(cwd), args), None) if input is None else None
    if started is not None:
        started.join()
        result = started.result
        if isinstance(result, subprocess.CompletedProcess):
            return result
    return _run(cwd, args, input)


def _run(cwd: Path | str, args: Sequence[str], input: bytes | None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            git_argv(*args), cwd=cwd, input=input, capture_output=True, env=git_env(), check=False
        )
    except OSError as exc:
        raise GitError(f"git could not be run: {exc.strerror or exc}") from None


class _Started:
    """One git command running while this process does other work (see :func:`prefetch`).

    Its output goes to unnamed files, not pipes: git never waits for this process to
    read, and no thread of this process reads while the command works (a thread would
    take its turns at the interpreter from the scan the command is doing meanwhile)."""

    def __init__(self, cwd: Path, args: tuple[str, ...]):
        self.cwd, self.args = cwd, args
        self.result: subprocess.CompletedProcess | GitError | None = None
        self._proc: subprocess.Popen | None = None
        self._files: tuple[int, int] | None = None

    def start(self) -> None:
        try:
            self._files = (_unnamed_file(), _unnamed_file())
            self._proc = subprocess.Popen(
                git_argv(*self.args),
                cwd=self.cwd,
                stdout=self._files[0],
                stderr=self._files[1],
                env=git_env(),
            )
        except OSError as exc:
            self._close()
            self.result = GitError(f"git could not be run: {exc.strerror or exc}")

    def join(self) -> None:
        """Wait for the command; its result is then in :attr:`result`."""
        if self.result is not None or self._proc is None or self._files is None:
            return
        code = self._proc.wait()
        out, err = (_read_all(fd) for fd in self._files)
        self._close()
        self.result = subprocess.CompletedProcess(self._proc.args, code, out, err)

    def drop(self) -> None:
        """A result no one took: the command is stopped (git only reads here)."""
        if self._proc is not None and self.result is None:
            with contextlib.suppress(OSError):
                self._proc.kill()
            self._proc.wait()
        self._close()

    def _close(self) -> None:
        for fd in self._files or ():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._files = None


def _unnamed_file() -> int:
    """A file with no name (in memory where the system has them), open for reading and
    writing: where a background git command writes its output."""
    if hasattr(os, "memfd_create"):
        with contextlib.suppress(OSError):
            return os.memfd_create("qa-git", getattr(os, "MFD_CLOEXEC", 0))
    import tempfile

    with tempfile.TemporaryFile() as file:
        return os.dup(file.fileno())


def _read_all(fd: int) -> bytes:
    size = os.lseek(fd, 0, os.SEEK_END)
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


_STARTED: dict[tuple[str, tuple[str, ...]], _Started] = {}


@contextlib.contextmanager
def prefetching(root: Path, folder: str, *, history: bool = False) -> Iterator[None]:
    """Ask git now, in the background, what a listing of ``folder`` will ask it later:
    :func:`clean_blobs`, and with ``history`` :func:`open_repo` and :func:`head_commit`.

    Each git process then runs while the command scans the library and reads its cache,
    instead of one after another. The first :func:`call_git` with the same arguments
    waits for the result and takes it; what was not taken is dropped on leaving, so
    nothing is ever answered from an earlier moment than the command's own.
    """
    commands = [_clean_args(folder)]
    if history:
        commands += [_REPO_ARGS, _HEAD_ARGS]
    keys = []
    for args in commands:
        key = (str(root), args)
        if key not in _STARTED:
            started = _STARTED[key] = _Started(root, args)
            started.start()
            keys.append(key)
    try:
        yield
    finally:
        for key in keys:
            dropped = _STARTED.pop(key, None)
            if dropped is not None:
                dropped.drop()


NOT_A_REPOSITORY = (
    "the library is not in a git repository (run git init, or give --root of a repository)"
)


def git_message(out: subprocess.CompletedProcess, default: str = "failed") -> str:
    """The last line git wrote on stderr (its reason), or ``default`` when it wrote none,
    in words for a person: without git's ``fatal:``/``error:`` prefix, and "not a git
    repository" said as where the library is.

    >>> import subprocess
    >>> git_message(subprocess.CompletedProcess([], 128, b"", b"fatal: not a git repository"
    ...     b" (or any of the parent directories): .git"))
    'the library is not in a git repository (run git init, or give --root of a repository)'
    """
    lines = out.stderr.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        return default
    line = lines[-1].strip()
    for prefix in ("fatal:", "error:"):
        if line.startswith(prefix):
            line = line[len(prefix) :].strip()
    if line.startswith("not a git repository"):
        return (
            "the library is not in a git repository (run git init, or give --root of a repository)"
        )
    return line


def run_git(cwd: Path, *args: str, input: bytes | None = None) -> bytes:
    """Run one git command; its stdout, or GitError with git's own message."""
    out = call_git(cwd, *args, input=input)
    if out.returncode != 0:
        command = next((a for a in args if not a.startswith("-")), "")
        raise GitError(f"git {command}: {git_message(out)}")
    return out.stdout


def has_changes(cwd: Path, *pathspecs: str) -> bool:
    """Whether any file under ``pathspecs`` differs from HEAD, untracked files included.

    GitError when git cannot answer (not a repository, git missing).
    """
    out = run_git(cwd, "status", "--porcelain", "-z", "--untracked-files=all", "--", *pathspecs)
    return bool(out.strip(b"\0"))


_REPO_ARGS = ("rev-parse", "--is-shallow-repository", "--show-prefix")
_HEAD_ARGS = ("rev-parse", "-q", "--verify", "HEAD^{commit}")


def _clean_args(folder: str) -> tuple[str, ...]:
    return ("ls-files", "-z", "-v", "-s", "-m", "-d", "--", folder or ".")


def open_repo(root: Path) -> Repo | None:
    """The repository holding ``root``, or None when ``root`` is not in a git work tree.

    GitError when git is missing or refuses the repository (e.g. unsafe ownership).
    """
    try:
        out = run_git(root, *_REPO_ARGS)
    except GitError as exc:
        if NOT_A_REPOSITORY in str(exc):
            return None
        raise
    lines = out.decode("utf-8", "replace").split("\n")
    return Repo(Path(root), lines[1] if len(lines) > 1 else "", lines[0].strip() == "true")


def clean_blobs(root: Path, folder: str) -> dict[str, str]:
    """``{path: blob id}`` for the files under ``folder`` that git says are unmodified.

    One ``git ls-files`` call: ``-s`` names each tracked file's blob, ``-m -d``
    the ones whose work-tree file differs (git trusts its index stat cache and
    compares the content of racily clean entries, as ``git status`` does).
    Left out, so callers look at the file itself: modified or deleted files,
    files marked assume-unchanged or skip-worktree (their index entry is not
    kept current), unmerged ones and anything but a regular file. Paths are
    relative to ``root``, with '/'. Empty when ``root`` is not in a git work
    tree or git fails: then every file is looked at.
    """
    try:
        out = run_git(root, *_clean_args(folder))
    except GitError:
        return {}
    # Records are "<tag> <mode> <blob> <stage>\t<path>\0"; one pass of each pattern over the
    # whole output, not a split per record (100,000 of them in a large library).
    text = "\0" + out.decode("utf-8", "surrogateescape")  # each record after a NUL
    clean = {path: blob for blob, path in _CLEAN_RECORD.findall(text)}
    # C (modified), R (deleted), lowercase (assume-unchanged), S (skip-worktree)...
    for name in _OTHER_RECORD.findall(text):
        clean.pop(name, None)
    return clean


_CLEAN_RECORD = re.compile("\0H 100(?:644|755) ([0-9a-f]+) 0\t([^\0]*)")
_OTHER_RECORD = re.compile("\0[^H\0][^\t\0]*\t([^\0]*)")


def head_commit(repo: Repo) -> str | None:
    """The commit HEAD points at, or None in a repository with no commits yet."""
    try:
        out = run_git(repo.cwd, *_HEAD_ARGS)
    except GitError:
        return None
    return out.decode("ascii", "replace").strip() or None


def file_changes(repo: Repo, folder: str) -> Iterator[FileChange]:
    """Every non-merge change to a file under ``folder`` (relative to the root), newest first.

    The whole history is walked: ``--since`` would stop at the first commit
    dated before it, and commit dates are not always in order (backdated or
    imported commits), so a cut-off could silently miss later changes. An empty
    repository has no history, not an error.
    """
    args = [
        "log",
        "-z",
        "--raw",
        "--no-abbrev",
        "-M",
        "--no-merges",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        f"--format={_RECORD}%H%x00%cs",
    ]
    args += ["--", folder]
    try:
        yield from parse_raw_tokens(stream_git(repo.cwd, *args))
    except GitError as exc:
        if "does not have any commits" in str(exc) or "bad default revision" in str(exc):
            return
        raise


def parse_raw_tokens(tokens: Iterator[bytes]) -> Iterator[FileChange]:
    """Parse ``git log -z --raw --format=<RS>%H%x00%cs`` output (see :func:`file_changes`),
    given as its NUL-separated pieces, as they come."""
    commit = ""
    date = dt.date.min
    for piece in tokens:
        token = piece.decode("utf-8", "surrogateescape").lstrip("\n")
        if token.startswith(_RECORD):
            commit = token[1:]
            date = dt.date.fromisoformat(next(tokens, b"").decode("ascii", "replace").strip()[:10])
            continue
        if not token.startswith(":"):
            continue  # the empty token after the last NUL
        fields = token[1:].split(" ")
        if len(fields) < 5:
            continue
        old_blob, new_blob, status = fields[2], fields[3], fields[4]
        kind = status[:1]
        if kind in ("R", "C"):
            old_path: str | None = next(tokens, b"").decode("utf-8", "surrogateescape")
        else:
            old_path = None
        path = next(tokens, b"").decode("utf-8", "surrogateescape")
        yield FileChange(
            commit,
            date,
            kind,
            path,
            old_path,
            None if old_blob == _NULL_SHA else old_blob,
            None if new_blob == _NULL_SHA else new_blob,
        )


STREAM_CHUNK = 1 << 20


def stream_git(cwd: Path, *args: str, sep: bytes = b"\0") -> Iterator[bytes]:
    """The pieces of one git command's stdout between ``sep`` bytes, read as git writes
    them: a large output (a whole history) is never held at once. GitError with git's own
    message when the command fails (after the pieces it wrote, which the caller drops)."""
    err = _unnamed_file()
    try:
        try:
            proc = subprocess.Popen(
                git_argv(*args), cwd=cwd, stdout=subprocess.PIPE, stderr=err, env=git_env()
            )
        except OSError as exc:
            raise GitError(f"git could not be run: {exc.strerror or exc}") from None
        assert proc.stdout is not None
        try:
            rest = b""
            while chunk := proc.stdout.read(STREAM_CHUNK):
                pieces = (rest + chunk).split(sep)
                rest = pieces.pop()
                yield from pieces
            if rest:
                yield rest
        finally:
            proc.stdout.close()
            if proc.poll() is None:
                proc.kill()
            code = proc.wait()
        if code != 0:
            command = next((a for a in args if not a.startswith("-")), "")
            failed = subprocess.CompletedProcess(proc.args, code, b"", _read_all(err))
            raise GitError(f"git {command}: {git_message(failed)}")
    finally:
        os.close(err)


PACK_ORDER_MIN = 2000


def pack_order(repo: Repo, blobs: Sequence[str]) -> list[str]:
    """``blobs`` in the order git stores them (packs first, then loose objects).

    Reading objects in storage order lets git resolve each delta from a base it
    has just read; in request order, on a large history, most deltas miss git's
    delta-base cache and reading takes several times longer. Listing every
    object's name is cheap (no contents are read). Ids git does not list keep
    their place at the end.
    """
    wanted = {b.encode("ascii", "replace"): b for b in blobs}
    ordered: dict[str, None] = {}
    try:
        for name in stream_git(
            repo.cwd,
            "cat-file",
            "--batch-check=%(objectname)",
            "--batch-all-objects",
            "--unordered",
            sep=b"\n",
        ):
            blob = wanted.get(name)
            if blob is not None:
                ordered[blob] = None
    except GitError:
        return list(blobs)
    return [*ordered, *(b for b in blobs if b not in ordered)]


def read_blobs(
    repo: Repo, blobs: Sequence[str], max_bytes: int | None = None
) -> Iterator[tuple[str, bytes | None]]:
    """``(blob id, content)`` for each id, from one ``git cat-file --batch`` process.

    Many blobs come in the order git stores them (see :func:`pack_order`), a few
    in the order asked. Contents are streamed, not kept: memory stays small
    however many blobs are asked for. A missing object yields None, and so does
    one over ``max_bytes``, which is skipped in small pieces rather than read
    whole (an old 50 MB version of an answer costs no memory).
    """
    if not blobs:
        return
    if len(blobs) >= PACK_ORDER_MIN:
        blobs = pack_order(repo, blobs)
    try:
        proc = subprocess.Popen(
            git_argv("cat-file", "--batch"),
            cwd=repo.cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=git_env(),
        )
    except OSError as exc:
        raise GitError(f"git could not be run: {exc.strerror or exc}") from None
    assert proc.stdin is not None and proc.stdout is not None

    def feed(stdin=proc.stdin) -> None:
        with contextlib.suppress(OSError):
            stdin.write("".join(f"{b}\n" for b in blobs).encode("ascii"))
        with contextlib.suppress(OSError):
            stdin.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for blob in blobs:
            header = proc.stdout.readline()
            if not header:
                raise GitError("git cat-file stopped early")
            parts = header.split()
            if len(parts) < 3 or parts[-1] == b"missing":
                yield blob, None
                continue
            size = int(parts[2])
            if max_bytes is not None and size > max_bytes:
                left = size + 1  # and the newline after the object
                while left > 0:
                    piece = proc.stdout.read(min(left, 1 << 16))
                    if not piece:
                        raise GitError("git cat-file stopped early")
                    left -= len(piece)
                yield blob, None
                continue
            data = proc.stdout.read(size)
            proc.stdout.read(1)  # the newline after each object
            yield blob, data
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait()
        writer.join(timeout=5)


def commit_paths(repo_cwd: Path, paths: Iterable[Path], message: str) -> str:
    """Commit exactly ``paths`` (whatever else is staged stays staged); the new commit's id."""
    names = [str(p) for p in paths]
    run_git(repo_cwd, "add", "--", *names)
    run_git(repo_cwd, "commit", "--quiet", "-F", "-", "--", *names, input=message.encode("utf-8"))
    return run_git(repo_cwd, "rev-parse", "HEAD").decode().strip()
