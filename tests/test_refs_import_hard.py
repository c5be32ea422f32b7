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
    from qa_tool.errors import AnswerFileError

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

    with pytest.raises(AnswerFileError) as caught:  # ruamel writes "\uD800": unreadable
        edit_front_matter(answer, styled_surrogate)
    assert caught.value.rule == "write-refused"
    assert answer.read_bytes() == before


# ---------------------------------------------------------------------------- key matches


NUMBERED_RIS = """TY  - JOUR
ID  - 1
TI  - An EndNote record numbered 1
AU  - Numbered, Record
PY  - 2011
DO  - 10.1000/endnote.1
ER  -
TY  - JOUR
ID  - 1
TI  - Another record also numbered 1
AU  - Other, Author
PY  - 2012
VL  - 99
DO  - 10.1000/endnote.2
ER  -
"""


def test_a_key_match_whose_doi_differs_is_another_work_never_merged(library, qa, answer):
    result, out = run_import(library, qa, "numbered.ris", NUMBERED_RIS)
    assert result.exit_code == 0, result.output
    first, second = out["entries"]
    assert (first["reference"], first["action"], first["matched_by"]) == ("1", "filled", "key")
    assert (second["reference"], second["action"], second["matched_by"]) == ("1a", "added", None)
    assert "not the same work" in second["notes"][0]
    refs = by_id(answer)
    assert refs["1"] == {
        "id": "1",
        "type": "article-journal",
        "title": "An EndNote record numbered 1",
        "author": [{"family": "Numbered", "given": "Record"}],
        "issued": 2011,
        "DOI": "10.1000/endnote.1",
    }
    assert refs["1a"]["volume"] == "99"
    assert refs["1a"]["DOI"] == "10.1000/endnote.2"
    assert refs["2"] == {"id": "2"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "other.bib",
            "@article{2, title = {Paper B}, year = {2012}, volume = {99}, pmid = {22222222}}\n",
        ),
        ("other.json", '[{"id": "2", "title": "Paper B", "volume": "99", "PMID": "22222222"}]'),
        ("other.nbib", "PMID- 22222222\nTI  - Paper B.\nVI  - 99\nDP  - 2012\n"),
    ],
)
def test_a_key_match_across_files_with_another_pmid_is_added_apart(
    library, qa, answer, name, content
):
    text = answer.read_text(encoding="utf-8").replace(
        '  - id: "2"\n', '  - id: "2"\n    title: Paper A\n    PMID: "11111111"\n'
    )
    text = text.replace('  - id: "1"\n', '  - id: "1"\n  - id: "pmid:22222222x"\n')
    answer.write_text(text.replace("pmid:22222222x", "pmid:11111111"), encoding="utf-8")
    result, out = run_import(library, qa, name, content)
    assert result.exit_code == 0, result.output
    (entry,) = out["entries"]
    if name.endswith(".nbib"):  # its key pmid:22222222 names no reference: simply added
        assert entry["reference"] == "pmid:22222222"
    else:
        assert entry["reference"] == "2a"
        assert "PMID 22222222 (the reference has 11111111) differs" in entry["notes"][0]
    assert entry["action"] == "added"
    refs = by_id(answer)
    assert refs["2"] == {"id": "2", "title": "Paper A", "PMID": "11111111"}
    assert refs[entry["reference"]]["volume"] == "99"


def test_two_entries_matching_one_reference_are_reported(library, qa, answer):
    twice = NUMBERED_RIS.replace("10.1000/endnote.2", "10.1000/endnote.1").replace("VL  - 99\n", "")
    result, out = run_import(library, qa, "twice.ris", twice)
    first, second = out["entries"]
    assert first["reference"] == second["reference"] == "1"
    assert first["notes"] == []
    assert second["notes"] == [
        f"[@1] was matched by {library.parent / 'twice.ris'}:1 (record 1) of this import too: "
        "the file lists one work twice, or two works share a key or identifier"
    ]
    assert second["action"] == "conflict"  # its title and year differ: kept, reported
    result = qa("refs", "import", str(library.parent / "twice.ris"), "--answer", "walking")
    assert "note:" in result.stderr and "of this import too" in result.stderr
