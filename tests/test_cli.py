"""The command layer as a whole: version, help, lazy imports (docs: tests/test_docs.py)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from helpers import QA, REPO, answer_text, build_tree, commit_all, git_init


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


# Loaded by no command that is not about rendering Markdown, checking a failing schema or
# reading HTML: each costs tens of milliseconds at every start.
NEVER_AT_START = ("pydantic", "typer.rich_utils", "rich.markdown", "rich.traceback")


def _modules_after(*argv: str, cwd: Path) -> set[str]:
    """The modules imported by one real run of ``qa ARGV`` (in a child process)."""
    code = (
        "import sys, atexit\n"
        "atexit.register(lambda: sys.__stderr__.write('\\nMODULES ' + ' '.join(sys.modules)))\n"
        f"sys.argv = ['qa', *{list(argv)!r}]\n"
        "from qa_tool.cli import main\n"
        "main()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    lines = [line for line in out.stderr.splitlines() if line.startswith("MODULES ")]
    assert lines, out.stderr
    return set(lines[-1].split()[1:])


def _loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in prefixes or m in prefixes)


def _commands():
    from qa_tool.cli.app import app

    return {c.name: c for c in typer.main.get_group(app).commands.values()}


def test_the_command_table_names_every_registered_command():
    """COMMANDS (what lets a run import one command module) matches what modules register."""
    from qa_tool.cli.app import COMMANDS, SETTINGS

    for module in dict.fromkeys(COMMANDS.values()):
        holder = typer.Typer(**SETTINGS)
        importlib.import_module(f"qa_tool.cli.{module}").register(holder)
        for name in typer.main.get_group(holder).commands:
            assert COMMANDS.get(name) == module, f"add {name!r}: {module!r} to COMMANDS"
    assert list(_commands()) == list(COMMANDS)


@pytest.mark.parametrize("name", sorted(__import__("qa_tool.cli.app").cli.app.COMMANDS))
def test_each_command_imports_only_its_own_module(name, tmp_path):
    from qa_tool.cli.app import COMMANDS

    modules = _modules_after(name, "--help", cwd=tmp_path)
    commands = sorted(m for m in modules if m.startswith("qa_tool.cli.") and m.endswith("_cmd"))
    assert commands == [f"qa_tool.cli.{COMMANDS[name]}"]
    assert "pydantic" not in modules


@pytest.mark.slow
def test_reading_commands_import_only_what_they_use(tmp_path):
    """Machine-readable runs on a small valid library: no Rich, no jsonschema, no Markdown."""
    lib = tmp_path / "lib"
    build_tree(lib, {"answers/oncology/sample-answer.md": answer_text()})
    git_init(lib)
    commit_all(lib, "add", "2026-02-01T10:00:00")
    heavy = (*NEVER_AT_START, "rich", "jsonschema", "markdown_it", "ruamel")
    for argv in (
        ("validate", "--format", "json"),
        ("stale", "--format", "json", "--as-of", "2026-03-01"),
        ("stale", "--format", "json", "--as-of", "2026-03-01"),  # warm: from the cache
        ("stale", "--format", "csv", "--as-of", "2026-03-01"),
    ):
        assert _loaded(_modules_after(*argv, cwd=lib), heavy) == [], argv
    text = _modules_after("stale", "--as-of", "2026-03-01", cwd=lib)
    assert _loaded(text, NEVER_AT_START) == []
    assert "rich.console" in text  # the table is Rich's


def test_help_lists_every_command_with_a_description(tmp_path):
    result = QA(tmp_path)("--help", root=False)
    assert result.exit_code == 0
    for name, command in _commands().items():
        assert command.help, name
        first_line = command.help.strip().splitlines()[0]
        assert re.search(rf"│ {name}\s+{re.escape(first_line[:30])}", result.stdout), name


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 dev.py test" in readme
    assert "python3 dev.py test" in ci
