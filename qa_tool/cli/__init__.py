"""The ``qa`` command: option parsing and rendering over the core library.

``main`` answers ``qa --version`` before importing Typer, so the version check
costs only the interpreter's start-up.
"""

from __future__ import annotations

import sys


def main() -> None:
    """The ``qa`` command: ``--version`` answered at once, else the Typer app."""
    if sys.argv[1:] in (["--version"], ["-V"]):
        from qa_tool import __version__

        sys.stdout.write(f"qa {__version__}\n")
        return
    from qa_tool.cli.app import run

    # Called by the program itself (the qa script, python -m qa_tool), nothing runs after
    # it: the process may end as soon as the command is done (see app.end_without_teardown).
    # Called from other code (a profiler's script), it returns as usual.
    run(program=sys._getframe(1).f_code.co_filename == sys.argv[0])
