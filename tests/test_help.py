"""Every command's --help: examples and exit codes, and none of the rough edges seen in use."""

from __future__ import annotations

import re

import pytest
import typer
from helpers import QA

from qa_tool.cli.app import app


def _commands() -> list[tuple[str, ...]]:
    group = typer.main.get_group(app)
    out = []
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        if subcommands:
            out += [(name, sub) for sub in subcommands]
        else:
            out.append((name,))
    return out


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
@pytest.mark.parametrize("width", ["80", "120"])
def test_help_has_examples_exit_codes_and_no_rough_edges(tmp_path, command, width):
    result = QA(tmp_path)(*command, "--help", root=False, env={"COLUMNS": width})
    assert result.exit_code == 0, result.output
    text = result.stdout
    flat = " ".join(text.replace("│", " ").split())
    assert "Examples:" in text and f"qa {' '.join(command)}" in flat
    assert "Exit codes: 0 " in flat and "2 usage error" in flat
    for rough in ("<bool>", "<list", "Value error", "...]...", "<function>"):
        assert rough not in text, rough
    assert not re.search(r"\w \.(\s|$)", text), "a stray space before a full stop"


def test_review_help_says_by_is_required(tmp_path):
    text = QA(tmp_path)("review", "--help", root=False, env={"COLUMNS": "200"}).stdout
    assert "Who reviewed (required; repeatable)" in text
