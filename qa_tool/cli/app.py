"""The Typer application: global options and the list of commands."""

from __future__ import annotations

import importlib
import os
import sys

import typer

from qa_tool import __version__

app = typer.Typer(
    name="qa",
    help="Editorial toolkit for a library of patient-facing medical answers "
    "(Markdown with YAML front matter, kept in git).",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

# Each module under qa_tool.cli defines register(app); the order is the order in --help.
COMMAND_MODULES = (
    "new_cmd",
    "convert_cmd",
    "validate_cmd",
    "stale_cmd",
    "review_cmd",
    "export_cmd",
    "verify_cmd",
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


for _name in COMMAND_MODULES:
    importlib.import_module(f"qa_tool.cli.{_name}").register(app)


def run() -> None:
    """Run the app; an unexpected exception becomes one line on stderr, not a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("qa: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug: say so briefly; QA_DEBUG=1 shows the traceback
        if os.environ.get("QA_DEBUG"):
            raise
        sys.stderr.write(
            f"qa: internal error: {type(exc).__name__}: {exc} (set QA_DEBUG=1 for details)\n"
        )
        sys.exit(1)
