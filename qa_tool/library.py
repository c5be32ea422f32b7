"""Finding and reading the answers of a library.

Answers are the ``*.md`` files under the answers folder. Hidden folders are
skipped, folders behind symlinks are not followed, and a file whose real path
lies outside the library root is reported instead of read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa_tool.config import Config
from qa_tool.errors import AnswerFileError, AnswerNotFound, PathOutsideLibrary, UsageError
from qa_tool.reader import Answer, read_answer


@dataclass
class LoadResult:
    """The answers that could be read, and one error per file that could not."""

    answers: list[Answer] = field(default_factory=list)
    failures: list[AnswerFileError] = field(default_factory=list)
    warnings: list[AnswerFileError] = field(default_factory=list)

    @property
    def files_seen(self) -> int:
        return len(self.answers) + len(self.failures)


def relative(config: Config, path: Path) -> str:
    """The path as shown to people: relative to the library root, with '/'."""
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def walk_markdown(folder: Path) -> Iterator[tuple[Path, bool]]:
    """``(path, is_file)`` for every ``*.md`` below ``folder``, sorted, hidden folders skipped.

    Folders named like ``x.md`` come back with ``is_file`` False so callers can
    say so instead of silently skipping them.
    """
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        for d in dirnames:
            if d.endswith(".md"):
                yield here / d, False
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                yield here / name, True


def answer_paths(config: Config) -> list[Path]:
    """Every answer file of the library (not parsed), sorted."""
    if not config.answers_dir.is_dir():
        return []
    return [p for p, is_file in walk_markdown(config.answers_dir) if is_file]


def select_paths(config: Config, given: Sequence[str] | None) -> tuple[list[Path], list[Path]]:
    """Answer files named on the command line (files or folders); all answers when none.

    Returns ``(files, folders_named_like_files)``. UsageError for a path that does
    not exist.
    """
    roots = [Path(p) for p in given] if given else [config.answers_dir]
    files: list[Path] = []
    odd: list[Path] = []
    for root in roots:
        if not root.exists() and not root.is_symlink():
            if given:
                raise UsageError(f"{root}: no such file or folder")
            continue
        if root.is_dir() and not root.is_symlink():
            for p, is_file in walk_markdown(root):
                (files if is_file else odd).append(p.absolute())
        else:
            files.append(root.absolute())
    return files, odd


def inside_root(config: Config, path: Path) -> bool:
    """True when the file's real location (symlinks resolved) is inside the library root."""
    try:
        return Path(os.path.realpath(path)).is_relative_to(config.root)
    except OSError:
        return False


def load_answers(config: Config, files: Iterable[Path], odd: Iterable[Path] = ()) -> LoadResult:
    """Read every file; failures are collected, never raised, so a batch always finishes."""
    result = LoadResult()
    for folder in odd:
        result.warnings.append(
            AnswerFileError(
                folder, "is a folder named like an answer file; not read", rule="not-a-file"
            )
        )
    for path in files:
        rel = relative(config, path)
        if not inside_root(config, path):
            result.failures.append(
                AnswerFileError(
                    path,
                    "is a link to a file outside the library; not read",
                    rule="outside-library",
                )
            )
            continue
        try:
            result.answers.append(read_answer(path, rel, config.max_file_bytes))
        except AnswerFileError as exc:
            result.failures.append(exc)
    return result


def load_library(config: Config, given: Sequence[str] | None = None) -> LoadResult:
    files, odd = select_paths(config, given)
    return load_answers(config, files, odd)


def find_answer(config: Config, ref: str) -> Path:
    """The file of an answer given by id or by path; AnswerNotFound otherwise."""
    candidate = Path(ref)
    if ref.endswith(".md") or os.sep in ref or "/" in ref:
        path = candidate if candidate.is_absolute() else Path.cwd() / candidate
        if not path.is_file():
            raise AnswerNotFound(f"{ref}: no such answer file")
        if not inside_root(config, path):
            raise PathOutsideLibrary(f"{ref}: outside the library at {config.root}")
        return path.absolute()
    matches = [p for p in answer_paths(config) if p.stem == ref]
    if not matches:
        raise AnswerNotFound(
            f"no answer with id {ref!r} under {relative(config, config.answers_dir)}/"
        )
    if len(matches) > 1:
        names = ", ".join(relative(config, p) for p in matches)
        raise UsageError(f"id {ref!r} is used by several files ({names}); give a path")
    return matches[0]
