"""``qa refs import`` on hard input: nothing lost, nothing invented, nothing merged wrongly.

Each test builds a library, writes a reference file as a tool (or a broken tool)
exports it, runs the real command and checks the answer's references as read back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import build_tree

from qa_tool.answerfile.read import read_answer

ANSWER = """---
id: walking
title: Does walking help?
topic: Cardiology
status: draft
# references from the legacy page
references:
  - id: "1"
  - id: "2"
---
A summary.

## What the research says

A claim [@1]. Another [@2].

## What to ask your doctor

- A question?
"""
TARGET = "answers/cardiology/walking.md"


@pytest.fixture
def answer(library: Path) -> Path:
    build_tree(library, {TARGET: ANSWER})
    return library / TARGET


def refs_of(path: Path) -> list[dict]:
    return read_answer(path, path.name, 10**7).meta["references"]


def run_import(library: Path, qa, name: str, content: str | bytes, *extra: str):
    """Write the reference file ``name`` and import it; (result, parsed JSON or None)."""
    source = library.parent / name
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    result = qa("refs", "import", str(source), "--answer", "walking", "-f", "json", *extra)
    out = None
    if result.stdout.strip().startswith("{"):
        import json

        out = json.loads(result.stdout)
    return result, out


def by_id(path: Path) -> dict[str, dict]:
    return {str(r["id"]): r for r in refs_of(path)}


# ---------------------------------------------------------------------------- unreadable text


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('[{"id": "s", "title": "Lone \\ud800 here", "DOI": "10.1000/s"}]', "title"),
        ('[{"id": "s", "title": "Low \\udc80", "DOI": "10.1000/s"}]', "title"),
        ('[{"id": "s\\udfff", "title": "A key", "DOI": "10.1000/s"}]', "key"),
        (
            '[{"id": "s", "title": "T", "author": [{"family": "B\\ud83d", "given": "A"}]}]',
            "author",
        ),
    ],
)
def test_a_lone_surrogate_is_a_file_error_and_nothing_is_written(
    library, qa, answer, content, field
):
    before = answer.read_bytes()
    result, out = run_import(library, qa, "surr.json", content)
    assert result.exit_code == 2, result.output
    assert out is None
    assert "surr.json:1: item 1" in result.stderr
    assert f"{field} " in result.stderr and "lone UTF-16 surrogate" in result.stderr
    assert "internal error" not in result.stderr
    assert answer.read_bytes() == before


def test_an_edit_that_would_not_read_back_is_refused(library, answer):
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from qa_tool.answerfile.edit import edit_front_matter
    from qa_tool.errors import AnswerFileError, UnwritableText

    before = answer.read_bytes()

    def number_key(meta):
        meta[7] = "a key that is not text"

    with pytest.raises(AnswerFileError) as caught:
        edit_front_matter(answer, number_key)
    assert caught.value.rule == "write-refused"
    assert "does not read back" in caught.value.message
    assert answer.read_bytes() == before

    def styled_surrogate(meta):
        meta["title"] = DoubleQuotedScalarString("Broken \ud800")

    with pytest.raises(UnwritableText):
        edit_front_matter(answer, styled_surrogate)
    assert answer.read_bytes() == before
