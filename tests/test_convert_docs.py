"""The conversion example in docs/commands/convert.md reruns to the output it shows."""

from __future__ import annotations

import json
import re

import pytest
from helpers import REPO

PAGE = (REPO / "docs" / "commands" / "convert.md").read_text(encoding="utf-8")
INPUT = re.compile(r"^`legacy/([\w-]+\.txt)`:\n\n```text\n(.*?)```$", re.M | re.S)
JSON_RUN = re.compile(r"^\$ qa convert (legacy/[\w-]+\.txt) --format json\n(\{.*\})$", re.M)


def write_inputs(library) -> None:
    """The page's legacy texts, saved under legacy/ as the page says."""
    (library / "legacy").mkdir()
    for name, text in INPUT.findall(PAGE):
        (library / "legacy" / name).write_text(text, encoding="utf-8")


def test_the_page_holds_the_example_inputs():
    assert sorted(name for name, _ in INPUT.findall(PAGE)) == [
        "not-found.txt",
        "shingles.txt",
        "statins.txt",
    ]


@pytest.mark.parametrize("source", [source for source, _ in JSON_RUN.findall(PAGE)])
def test_the_json_example_reruns_to_what_the_page_shows(library, qa, source, monkeypatch):
    monkeypatch.chdir(library)  # the page runs qa from the library's root
    write_inputs(library)
    shown = json.loads(dict(JSON_RUN.findall(PAGE))[source])
    result, out = qa.json("convert", source, "--format", "json")
    assert result.exit_code == 0, result.output
    assert out == shown


def test_the_text_example_reruns_to_what_the_page_shows(library, qa, monkeypatch):
    monkeypatch.chdir(library)
    write_inputs(library)
    shown = re.search(r"^\$ qa convert legacy/\n(.*?)^\$ echo \$\?\n1\n", PAGE, re.M | re.S)
    assert shown is not None
    result = qa("convert", "legacy/", env={"COLUMNS": "100"})
    assert result.exit_code == 1
    assert [line.rstrip() for line in result.output.splitlines()] == shown[1].splitlines()
