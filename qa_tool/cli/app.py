"""The Typer application: global options and the list of commands.

Start-up is part of every run (a pre-commit hook calls ``qa`` once per commit,
scripts call it per file), so the app imports a command's module only when
that command runs, or when ``--help`` (or a mistyped name) needs them all:
``qa stale`` never imports what ``qa export`` or ``qa convert`` need.

Each module under ``qa_tool.cli`` defines ``register(app)``, which adds its
commands to the Typer app it is given, as usual. :data:`COMMANDS` says which
module holds which top-level command; ``tests/test_cli.py`` checks it against
what the modules register.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from qa_tool import __version__

# Top-level command -> the module under qa_tool.cli that registers it; the order is --help's.
COMMANDS: dict[str, str] = {
    "new": "new_cmd",
    "convert": "convert_cmd",
    "validate": "validate_cmd",
    "readability": "readability_cmd",
    "stale": "stale_cmd",
    "list": "list_cmd",
    "review": "review_cmd",
    "publish": "publish_cmd",
    "retire": "publish_cmd",
    "export": "export_cmd",
    "verify": "verify_cmd",
    "refs": "refs_cmd",
    "report": "report_cmd",
}
# Every command module, in --help order (a module may register several commands).
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))

SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "pretty_exceptions_enable": False,
}


class LazyGroup(TyperGroup):
    """A command group that imports a command's module on first use.

    ``get_command`` (running one command) loads only that command's module;
    anything that reads :attr:`commands` (``--help``, suggestions for a
    mistyped name, completion) loads every module first.
    """

    def __init__(self, **attrs: Any) -> None:
        self._loaded: set[str] = set()
        self._all_loaded = False
        super().__init__(**attrs)

    @property  # type: ignore[override]
    def commands(self) -> dict[str, Any]:
        self._load_all()
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, Any]) -> None:
        self._commands = dict(value)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """An argument that is not valid UTF-8 is a usage error (exit 2): it could be
        neither written to an answer nor shown as typed."""
        from qa_tool.answerfile.write import check_text
        from qa_tool.errors import UnwritableText

        for arg in args:
            try:
                check_text(arg, "the argument")
            except UnwritableText as exc:
                typer.echo(f"qa: {exc}", err=True)
                raise typer.Exit(exc.exit_code) from None
        return super().parse_args(ctx, args)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        module = COMMANDS.get(cmd_name)
        if module is not None:
            self._load(module)
        if cmd_name not in self._commands:
            self._load_all()  # a module missing from COMMANDS still works, just not lazily
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def _load(self, module: str) -> None:
        if module in self._loaded:
            return
        self._loaded.add(module)
        holder = typer.Typer(**SETTINGS)
        importlib.import_module(f"qa_tool.cli.{module}").register(holder)
        group = typer.main.get_group(holder)
        from qa_tool.cli.common import name_values

        for name, command in group.commands.items():
            name_values(command)
            self._commands.setdefault(name, command)

    def _load_all(self) -> None:
        if self._all_loaded:
            return
        self._all_loaded = True
        for module in COMMAND_MODULES:
            self._load(module)
        order = {name: n for n, name in enumerate(COMMANDS)}
        self._commands = dict(
            sorted(self._commands.items(), key=lambda kv: order.get(kv[0], len(order)))
        )


app = typer.Typer(
    name="qa",
    cls=LazyGroup,
    help="Editorial toolkit for a library of patient-facing medical answers "
    "(Markdown with YAML front matter, kept in git).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    **SETTINGS,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qa {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        help="Print the version and exit.",
        callback=_version,
        is_eager=True,
    ),
) -> None:
    """Editorial toolkit for a library of patient-facing medical answers."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP: raised where qa is, so every ``finally`` and cleanup of a
    temporary file or folder runs (as for Ctrl-C), then qa exits 143."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated(signum)


_ended: list[bool] = []


def end_without_teardown() -> None:
    """Say that the command has finished all it does but write its exit status: the real
    ``qa`` process then ends at once (:func:`_end_now`) instead of freeing every object
    it made, one by one (about 90 ms after a ``qa stale`` of 100,000 answers). Only
    :func:`run` acts on it, for the program itself: a command run in-process (the tests,
    a profiler's script) is not ended."""
    _ended.append(True)


def _end_now(code: int) -> None:
    """Flush what was written and end the process with ``code``; on any doubt (the flush
    fails: a closed pipe), return, and the usual exit reports it as always."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def run(program: bool = False) -> None:
    """Run the app; an unexpected exception becomes one line on stderr, not a traceback.
    ``program``: this is the whole process (:func:`end_without_teardown` may end it)."""
    import signal

    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, _terminated)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, _terminated)
    try:
        app()
    except SystemExit as exc:
        if program and _ended and isinstance(exc.code, int | None):
            _end_now(exc.code or 0)
        raise
    except Terminated:
        sys.stderr.write("qa: terminated; what was being written is removed\n")
        sys.exit(143)
    except KeyboardInterrupt:
        sys.stderr.write("qa: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug: say so briefly; QA_DEBUG=1 shows the traceback
        if os.environ.get("QA_DEBUG"):
            raise
        from qa_tool.cli.common import plain

        sys.stderr.write(
            f"qa: internal error: {type(exc).__name__}: {plain(exc)} (set QA_DEBUG=1 for details)\n"
        )
        sys.exit(1)
