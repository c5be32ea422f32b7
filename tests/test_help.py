"""Every command's --help: examples and exit codes, and none of the rough edges seen in use."""

from __future__ import annotations

import re

import pytest
import typer
from helpers import QA, answer_text, build_tree

from qa_tool.cli.app import app

TYPE_LABEL = re.compile(r"<[^<>|\s]*>")


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
    # A type label (<str>, <path>, <int>, <directory>) where a named value belongs; a list
    # of choices (<text|json>) says what the option takes, and stays.
    assert TYPE_LABEL.findall(text) == []
    assert not re.search(r"\w \.(\s|$)", text), "a stray space before a full stop"


def test_review_help_says_by_is_required(tmp_path):
    text = QA(tmp_path)("review", "--help", root=False, env={"COLUMNS": "200"}).stdout
    assert "Who reviewed (required; repeatable)" in text


def test_options_and_arguments_show_named_values(tmp_path):
    def flat(*command: str) -> str:
        text = QA(tmp_path)(*command, "--help", root=False, env={"COLUMNS": "200"}).stdout
        return " ".join(text.replace("│", " ").split())

    new = flat("new")
    for shown in ("--topic -t TOPIC", "--id ID", "--author NAME", "--root PATH", "QUESTION The"):
        assert shown in new, shown
    assert "--format -f <text|json>" in new  # choices are listed, not named
    assert "--topic -t TOPIC" in flat("report")
    assert "FILE... Reference files" in flat("refs", "import")
    assert "BUNDLE A bundle" in flat("verify")


def test_named_values_still_parse_as_before(library, qa):
    """The arguments' types lose only their label: a missing file is still refused."""
    build_tree(library, {"answers/oncology/sample-answer.md": answer_text()})
    result = qa("refs", "import", "missing.bib", "--answer", "sample-answer")
    assert result.exit_code == 2
    assert "missing.bib" in result.stderr
