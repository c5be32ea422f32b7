"""Options and helpers shared by every command: --root, --format, errors, consoles."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qa_tool.errors import QAError, UsageError
from qa_tool.model import OutputFormat

if TYPE_CHECKING:
    from rich.console import Console

    from qa_tool.config import Config


RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Library root (default: nearest folder with qa.toml, else the git top level, "
        "else the current folder).",
        file_okay=False,
        show_default=False,
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="Output: text (a readable report), json, csv or github (GitHub Actions annotations).",
        case_sensitive=False,
    ),
]
LockTimeoutOption = Annotated[
    float,
    typer.Option(
        "--lock-timeout",
        metavar="SECONDS",
        min=0,
        help="How long to wait for another qa process editing the same file.",
    ),
]
TopicsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-t",
        metavar="TOPIC",
        help="Only this topic, by name or folder (repeatable, or comma-separated).",
        show_default=False,
    ),
]
"""The topic filter of every listing (qa list, stale, export, report): names or
folders, any case, checked against qa.toml."""
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes on stderr.")]


def split_list(values: list[str] | None, option: str) -> list[str] | None:
    """The one rule for list options: repeat the option, or give a comma-separated list, or
    both (``--status published,in-review --status retired``); None when none was given.

    An empty item (``--id ''``, ``--topic a,,b``, ``--status ,``) is a UsageError naming
    ``option``: a script passing an empty variable must not lose its filter and get
    the whole library.
    """
    if not values:
        return None
    parts = [part.strip() for value in values for part in value.split(",")]
    if not all(parts):
        given = ", ".join(repr(value) for value in values)
        raise UsageError(f"{option}: an empty value ({given}); give one or more names")
    return parts


def terminal_width(default: int = 100) -> int:
    """The width to lay text out in: the terminal's (``COLUMNS`` wins), else ``default``."""
    import os
    import shutil

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size((default, 24)).columns


def stdout() -> Console:
    """The console for results (stdout), without highlighting or hard wrapping."""
    from rich.console import Console

    return Console(soft_wrap=True, highlight=False, emoji=False)


def stderr() -> Console:
    """The console for progress, notes and errors (stderr)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def fail(error: QAError | str) -> typer.Exit:
    """Print ``qa: message`` on stderr and return the Exit to raise, with the error's code.

    ``raise fail(UsageError("name the answers"))`` exits 2; a plain message exits 1.
    """
    if isinstance(error, str):
        error = QAError(error)
    stderr().print(f"[bold red]qa:[/] {shown(str(error), keep=NEWLINE)}")  # a list of problems
    return typer.Exit(error.exit_code)


_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
NEWLINE = "\n"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(text: object, *, keep: str = "") -> str:
    """``text`` safe for a terminal: every control character as a visible escape.

    Escape sequences (``\x1b[2K``), carriage returns and backspaces that would
    overprint a line, new lines that would forge one, bidirectional overrides
    and undecodable bytes of file names all come out as ``\x1b``, ``\r``,
    ``\u202e``, ``\xe9``. ``plain("a\x1b[31mb")`` -> ``'a\\x1b[31mb'``.
    ``keep`` names characters left as they are: ``"\n"`` for a table cell of
    several lines, ``"\n\t"`` for a whole file's text or a diff.
    """
    if keep:
        return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _visible(m), str(text))
    return _CONTROL.sub(_visible, str(text))


def shown(text: object, *, keep: str = "") -> str:
    """One value (a file name, a title, a message) for Rich text output: :func:`plain`,
    then Rich markup escaped. Every value printed as text goes through here."""
    from rich.markup import escape

    return escape(plain(text, keep=keep))


@contextlib.contextmanager
def errors_to_exit() -> Iterator[None]:
    """Turn core errors into a one-line message on stderr and the error's exit code."""
    try:
        yield
    except QAError as exc:
        raise fail(exc) from None


def load(root: Path | None) -> Config:
    """The library's settings for ``--root``; a bad root or qa.toml exits with its message.

    A ``.qa`` that cannot hold the cache (a link, a file) is said once on stderr."""
    from qa_tool.config import load_config, state_dir_problem

    with errors_to_exit():
        config = load_config(root)
    problem = state_dir_problem(config)
    if problem is not None:
        stderr().print(f"note: {shown(problem)}", soft_wrap=True)
    return config


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, one trailing newline; indented for a person at a terminal.

    Piped output is compact, which lets the json module use its C encoder (several
    times faster on large listings); the data is the same.
    """
    indent = 2 if sys.stdout.isatty() else None
    if isinstance(data, dict) and any(isinstance(v, Iterator) for v in data.values()):
        _stream_json(data, indent)
        return
    sys.stdout.write(json.dumps(data, indent=indent, ensure_ascii=False) + "\n")


WRITE_BATCH = 500
"""Items of a streamed list (JSON items, CSV rows) encoded and written at a time."""


def _stream_json(data: dict[str, Any], indent: int | None) -> None:
    """:func:`print_json` of a dict whose values may be iterators (of the items of a list):
    each item is written as it comes, so a listing of 100,000 answers is never one string.
    The bytes are those of ``json.dumps`` of the same dict with lists for the iterators."""

    def dumps(value: Any, level: int) -> str:
        text = json.dumps(value, indent=indent, ensure_ascii=False)
        if indent is None or "\n" not in text:
            return text
        return text.replace("\n", "\n" + " " * (indent * level))

    write = sys.stdout.write
    if not data:
        write("{}\n")
        return
    inner = "" if indent is None else "\n" + " " * indent
    item_sep = ", " if indent is None else ","
    write("{")
    for n, (key, value) in enumerate(data.items()):
        write(("" if n == 0 else item_sep) + inner + dumps(key, 1) + ": ")
        if not isinstance(value, Iterator):
            write(dumps(value, 1))
            continue
        deeper = "" if indent is None else "\n" + " " * (indent * 2)
        batch: list[str] = []
        first = True
        for item in value:
            batch.append(deeper + dumps(item, 2))
            if len(batch) >= WRITE_BATCH:
                write(("[" if first else item_sep) + item_sep.join(batch))
                batch, first = [], False
        if batch:
            write(("[" if first else item_sep) + item_sep.join(batch))
            first = False
        write("[]" if first else inner + "]")
    write(("" if indent is None else "\n") + "}\n")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes for the start of a formula in a cell (OWASP's CSV-injection list)."""


def csv_cell(value: Any) -> Any:
    """One CSV cell, safe to open in a spreadsheet and to print on a terminal.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` (so ``=HYPERLINK(...)`` is shown, not run), then every control
    character (C0, C1, bidirectional overrides) is escaped as in text output
    (:func:`plain`). Numbers, booleans and None are written as they are (``-3`` stays
    a number). ``csv_cell("=1+1")`` -> ``"'=1+1"``.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_START):
        text = "'" + text
    return plain(text)


def print_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> None:
    """A header and rows as CSV on stdout (``\n`` line ends): every cell through
    :func:`csv_cell`. The one CSV writer of every ``--format csv``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in header])
    for n, row in enumerate(rows, 1):
        writer.writerow([csv_cell(value) for value in row])
        if n % WRITE_BATCH == 0:  # written as it comes: a large listing is never one string
            sys.stdout.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    sys.stdout.write(buffer.getvalue())


def github_annotation(
    level: str, message: str, file: str, line: int | None = None, title: str | None = None
) -> str:
    """One GitHub Actions workflow command, e.g. ``::error file=a.md,line=3::message``."""

    def prop(value: str) -> str:
        return (
            value.replace("%", "%25")
            .replace("\r", "%0D")
            .replace("\n", "%0A")
            .replace(":", "%3A")
            .replace(",", "%2C")
        )

    def data(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    props = [f"file={prop(file)}"]
    if line:
        props.append(f"line={line}")
    if title:
        props.append(f"title={prop(title)}")
    return f"::{level} {','.join(props)}::{data(message)}"


METAVARS = {"root": "PATH", "out": "PATH", "topic": "TOPIC", "id": "ID", "author": "NAME"}
"""The value an option takes, by its long name, where it declares no ``metavar`` of its own."""


_UNLABELLED: dict[type, type] = {}


def _unlabelled(kind: type) -> type:
    """``kind`` (a parameter type) without its ``<str>``-like label in --help."""
    if kind not in _UNLABELLED:
        body = {"get_metavar": lambda *_a, **_k: ""}
        _UNLABELLED[kind] = type(f"Unlabelled{kind.__name__}", (kind,), body)
    return _UNLABELLED[kind]


def name_values(command: Any) -> None:
    """Give every option and argument of ``command`` (and its subcommands) a named value.

    Without a ``metavar``, --help shows a type label (``<str>``, ``<directory>``): an
    option is given the name :data:`METAVARS` has for it, else its long name in
    capitals (``--reason`` -> ``REASON``); an argument keeps its metavar (``ID|PATH``,
    else its name in capitals) and loses the label after it. Choices keep their list
    (``<text|json>``), and the values are parsed as before.
    """
    for sub in getattr(command, "commands", {}).values():
        name_values(sub)
    for param in command.params:
        if hasattr(param.type, "choices") or getattr(param, "is_flag", False):
            continue
        if param.param_type_name == "argument":
            if param.metavar is None:
                param.metavar = (param.name or "").upper()
            if param.type.get_metavar(param=param, ctx=None) is None:
                unlabelled = copy.copy(param.type)
                unlabelled.__class__ = _unlabelled(type(param.type))
                param.type = unlabelled
        elif param.metavar is None:
            long = next((o for o in param.opts if o.startswith("--")), param.opts[0])
            name = long.lstrip("-")
            param.metavar = METAVARS.get(name, name.upper())
