"""The one-line summaries `qa --help` lists: one sentence each, never broken mid-line."""

from __future__ import annotations

import typer

from qa_tool.cli.app import app


def test_every_command_summary_is_one_line():
    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        summary = (command.help or "").strip().split("\n\n")[0]
        assert summary, f"qa {name} has no help text"
        assert "\n" not in summary, f"qa {name}: the first paragraph of its help wraps: {summary!r}"
