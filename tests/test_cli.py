"""The command layer as a whole: version, help, and the README staying true."""

from __future__ import annotations

import re
import subprocess
import sys

import typer.main
from helpers import QA, REPO


def test_version_is_printed_without_heavy_imports():
    code = (
        "import sys; sys.argv=['qa','--version']; from qa_tool.cli import main; main(); "
        "heavy=[m for m in ('rich','ruamel.yaml','jsonschema','typer') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    from qa_tool import __version__

    assert out.splitlines() == [f"qa {__version__}", "[]"]


def _commands():
    from qa_tool.cli.app import app

    return {c.name: c for c in typer.main.get_group(app).commands.values()}


def test_help_lists_every_command_with_a_description(tmp_path):
    result = QA(tmp_path)("--help", root=False)
    assert result.exit_code == 0
    for name, command in _commands().items():
        assert command.help, name
        first_line = command.help.strip().splitlines()[0]
        assert re.search(rf"│ {name}\s+{re.escape(first_line[:30])}", result.stdout), name


def test_readme_documents_every_command_and_option():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in _commands().items():
        assert f"### `qa {name}`" in readme, name
        section = readme.split(f"### `qa {name}`", 1)[1].split("\n### ", 1)[0]
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in section, f"qa {name}: {opt} missing from README"


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 dev.py test" in readme
    assert "python3 dev.py test" in ci
