"""The one exception hierarchy of the core.

The command layer maps each class to an exit code and prints ``str(error)`` as
a one-line message on stderr; the core never prints.

Exit codes (the one map; the command layer takes every code from here): 0
success, 1 findings or a failed operation (``QAError`` and the classes that
keep its code), 2 usage error (the classes with ``exit_code = 2``).
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
"""Done, and nothing found."""
EXIT_FINDINGS = 1
"""Findings (answers due, invalid, refused) or an operation that failed."""
EXIT_USAGE = 2
"""The command was called wrongly."""

MESSAGE_VALUE_WIDTH = 80
"""The longest value a message quotes whole; a longer one is cut with an ellipsis."""


def shorten(text: str, width: int = MESSAGE_VALUE_WIDTH) -> str:
    """A value quoted in a message, cut with ``…`` past ``width`` characters, so a
    200,000-character title never fills the terminal. ``shorten("abcdef", 4)`` -> ``'abc…'``.
    """
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class QAError(Exception):
    """Base class: an expected failure with a message meant for a person."""

    exit_code = EXIT_FINDINGS


class UsageError(QAError):
    """The command was called wrongly: a bad option value, unknown topic, bad date."""

    exit_code = EXIT_USAGE


class ConfigError(QAError):
    """``qa.toml`` is unreadable or holds a value of the wrong kind."""

    exit_code = EXIT_USAGE


class AnswerFileError(QAError):
    """One file could not be read as an answer; names the file and, where known, the line.

    ``rule`` is the stable name reported in findings (e.g. ``yaml-syntax``).
    """

    rule = "unreadable"

    def __init__(
        self, path: Path | str, message: str, line: int | None = None, rule: str | None = None
    ):
        self.path = Path(path)
        self.line = line
        self.message = message
        if rule is not None:
            self.rule = rule
        super().__init__(self.__str__())

    def __reduce__(self):  # picklable across worker processes
        return (self.__class__, (self.path, self.message, self.line, self.rule))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class AnswerNotFound(QAError):
    """No answer with the given id or path exists in the library."""

    exit_code = EXIT_USAGE


class AnswerExists(QAError):
    """A write would overwrite an existing answer (and --force was not given)."""


class TemplateError(QAError):
    """An answer template cannot be used: bad ``$`` syntax, an unknown variable, or a result
    that is not a valid answer. Names the template file (and line where known)."""

    exit_code = EXIT_USAGE


class BatchInputError(UsageError):
    """A batch input (``qa new --from-file``) has problems; ``problems`` lists every one.

    Nothing is written when this is raised, so the input can be fixed and run again.
    """

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(
            f"{source}: {count} problem{'s' if count != 1 else ''}, nothing written:\n{lines}"
        )


class PathOutsideLibrary(QAError):
    """A path, id, topic or archive member would lead outside the library or output."""

    exit_code = EXIT_USAGE


class LockError(QAError):
    """The edit lock of a file could not be taken (``.qa/locks/`` cannot be written)."""


class LockTimeout(LockError):
    """Another qa process holds the lock on a file being edited."""


class LegacyFormatError(QAError):
    """A legacy text could not be read as an answer (empty, binary, no question...)."""


class GitError(QAError):
    """git failed or is missing where it was required."""


class EditorError(QAError):
    """The editor named by $VISUAL or $EDITOR could not be run, or exited with an error."""


class OutputExists(QAError):
    """An export's --out already exists (and --force was not given, or it is not a bundle)."""


class WriteFailed(QAError):
    """A write failed half way (disk full, no permission); what was there before is kept."""


class RefusedTarget(OutputExists):
    """An export's --out holds something qa did not write (the library, a .git, notes):
    never replaced, even with --force."""

    exit_code = EXIT_USAGE


class ReferenceFileError(QAError):
    """A reference file (BibTeX, RIS, CSL-JSON, MEDLINE) cannot be read; names the file and the
    line or entry. Nothing is written to any answer when this is raised."""

    exit_code = EXIT_USAGE

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(self.__str__())

    def __reduce__(self):
        return (self.__class__, (self.path, self.message, self.line))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class RetractionsFileError(QAError):
    """The retractions file is missing, unreadable or not the Retraction Watch CSV."""

    exit_code = EXIT_USAGE


class UnwritableText(UsageError):
    """Text that cannot be written to an answer as it is (bytes that are not UTF-8)."""


class InstallationError(QAError):
    """A package qa needs, or the data it ships, is missing: the installation is broken."""


class DateOutOfRange(QAError):
    """Date arithmetic that leaves the calendar (past the year 9999)."""
