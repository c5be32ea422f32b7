"""The reference in docs/ stays true to --help: a page for every command, every option on it.

Each registered command, subcommands included (``qa refs import``), has a page
``docs/commands/<command>.md`` (a subcommand: a ``qa refs import`` heading on its
group's page). Every option ``--help`` lists is named in the page (or section), and
every option its usage block shows exists. ``docs/commands/README.md`` links every
page, and the README stays a short guide.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from helpers import REPO

DOCS = REPO / "docs" / "commands"
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
README_LIMIT = 15_000


def _is_group(command: Any) -> bool:
    """A command with subcommands (typer's own click, or click's: anything with commands)."""
    return isinstance(getattr(command, "commands", None), dict)


def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    from qa_tool.cli.app import app

    def walk(group: Any, path: tuple[str, ...]):
        for name, command in group.commands.items():
            yield (*path, name), command
            if _is_group(command):
                yield from walk(command, (*path, name))

    yield from walk(typer.main.get_group(app), ())


COMMANDS = dict(_commands())


def _options(command: Any) -> set[str]:
    return {
        opt
        for param in command.params
        for opt in (*param.opts, *param.secondary_opts)
        if opt.startswith("--") and opt != "--help"
    }


def _page(path: tuple[str, ...]) -> str:
    page = DOCS / f"{path[0]}.md"
    assert page.is_file(), (
        f"qa {' '.join(path)} has no reference page: write {page.relative_to(REPO)} "
        "(what it does, its usage line, every option, an example with real output, exit "
        "codes) and link it from docs/commands/README.md"
    )
    return page.read_text(encoding="utf-8")


def _section(text: str, path: tuple[str, ...]) -> str:
    """The part of the page about this command: all of it, or a subcommand's heading on."""
    if len(path) == 1:
        return text
    title = f"qa {' '.join(path)}"
    lines = text.splitlines()
    for n, line in enumerate(lines):
        heading = re.match(r"^(#+) ", line)
        if heading and title in line:
            level = len(heading.group(1))
            end = next(
                (
                    m
                    for m in range(n + 1, len(lines))
                    if (h := re.match(r"^(#+) ", lines[m])) and len(h.group(1)) <= level
                ),
                len(lines),
            )
            return "\n".join(lines[n:end])
    pytest.fail(f"docs/commands/{path[0]}.md has no heading naming `{title}`; add its section")


def _usage_lines(section: str, path: tuple[str, ...]) -> list[str]:
    """The usage lines in code blocks: ``qa <command> ...`` and the indented lines after."""
    out: list[str] = []
    prefix = f"qa {' '.join(path)}"
    in_block = taking = False
    for line in section.splitlines():
        if line.startswith("```"):
            in_block, taking = not in_block, False
            continue
        if not in_block:
            continue
        if line.startswith(prefix + " ") or line == prefix:
            taking = True
            out.append(line)
        elif taking and line.startswith(" ") and line.strip().startswith(("[", "--", "|")):
            out.append(line)
        else:
            taking = False
    return out


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_option_of_the_command_is_on_its_page(path):
    command = COMMANDS[path]
    section = _section(_page(path), path)
    named = set(OPTION.findall(section))
    missing = sorted(_options(command) - named)
    assert missing == [], f"qa {' '.join(path)}: {missing} in --help but not in its docs page"


@pytest.mark.parametrize(
    "path", sorted(p for p, c in COMMANDS.items() if not _is_group(c)), ids=" ".join
)
def test_the_usage_block_shows_only_real_options(path):
    usage = _usage_lines(_section(_page(path), path), path)
    assert usage, f"docs/commands/{path[0]}.md: no usage block starting `qa {' '.join(path)}`"
    shown = {opt for line in usage for opt in OPTION.findall(line)}
    unknown = sorted(shown - _options(COMMANDS[path]) - {"--help"})
    assert unknown == [], f"qa {' '.join(path)}: the usage block shows {unknown}, not in --help"


def test_the_index_links_every_page():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for name in sorted({path[0] for path in COMMANDS}):
        assert f"({name}.md)" in index, f"docs/commands/README.md does not link {name}.md"


def test_every_page_is_a_registered_command():
    names = {path[0] for path in COMMANDS}
    pages = {p.stem for p in DOCS.glob("*.md")} - {"README"}
    assert pages - names == set(), "a page in docs/commands/ names no command"


def test_readme_is_a_short_guide_that_points_at_every_page():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < README_LIMIT
    assert "python3 dev.py demo" in readme
    assert "python3 dev.py test" in readme
    for name in sorted({path[0] for path in COMMANDS}):
        assert f"(docs/commands/{name}.md)" in readme, f"the README's tour lacks qa {name}"
