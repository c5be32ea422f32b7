"""``qa convert --force``: what a person added after conversion is kept and named."""

from __future__ import annotations

import json

import yaml
from helpers import QA, build_tree, commit_all, git_init

from qa_tool.answerfile.read import read_answer
from qa_tool.answerfile.write import front_matter_text

FOOTER = (
    "This question is drawn from common patient questions about Cardiology and answered "
    "using cited medical research. We do not provide individualized advice."
)
# references 1 and 2 are stubs (no list); 3 is listed with a title only
LEGACY = "\n".join(
    [
        "What are the side effects of statins?",
        "high confidence \u00b7 Last reviewed 1 October 2025",
        "Statins are safe for most people.",
        "What the research says",
        "Muscle symptoms were as common on placebo [1]. Lower doses help [2].",
        "Diabetes risk rose slightly [3].",
        "What to ask your doctor",
        "- Could my muscle pain be from something else?",
        "References",
        "3. Sattar N. Statins and risk of incident diabetes. Lancet. 2010;375:735-42.",
        FOOTER,
    ]
)
TARGET = "answers/cardiology/what-are-the-side-effects-of-statins.md"
IMPORTED = {
    "id": "x",
    "type": "article-journal",
    "title": "Statin therapy and muscle symptoms",
    "author": [{"family": "Herrett", "given": "E"}],
    "DOI": "10.1136/bmj.l6744",
    "issued": {"date-parts": [[2019, 10, 2]]},
}
ADDED = {"id": "t1", "type": "report", "title": "A guideline a reviewer added"}


def references(library) -> list[dict]:
    return read_answer(library / TARGET, TARGET, 1_000_000).meta["references"]


def test_force_keeps_references_filled_or_added_after_conversion(library, qa: QA):
    git_init(library)
    build_tree(library.parent, {"in/statins.txt": LEGACY, "one.json": json.dumps([IMPORTED])})
    result = qa("convert", str(library.parent / "in/statins.txt"))
    assert result.exit_code == 0, result.output
    result = qa("refs", "import", str(library.parent / "one.json"), "--answer",
                "what-are-the-side-effects-of-statins", "--as", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    # by hand: ref 3 gets a DOI and a corrected title; a reference is added
    path = library / TARGET
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "title: Statins and risk of incident diabetes",
        "title: Statins and risk of incident diabetes (meta-analysis)\n    DOI: 10.1016/x",
    )
    text = text.replace(
        "references:\n",
        f"references:\n  - id: t1\n    type: report\n    title: {ADDED['title']}\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    commit_all(library, "references filled", "2026-11-01T12:00:00")
    before = references(library)
    assert {ref["id"] for ref in before} == {"1", "2", "3", "t1"}
    changed = LEGACY.replace("safe for most people", "safe for nearly everyone")
    build_tree(library.parent, {"in/statins.txt": changed})

    result, report = qa.json(
        "convert", str(library.parent / "in/statins.txt"), "--force", "--format", "json"
    )

    assert result.exit_code == 0, result.output
    (entry,) = report["files"]
    assert entry["status"] == "converted"
    assert entry["kept"] == ["reference 1", "reference 3", "reference t1"]
    after = references(library)
    by_id = {ref["id"]: ref for ref in after}
    assert [ref["id"] for ref in after] == ["1", "2", "3", "t1"]
    assert by_id["1"] == {ref["id"]: ref for ref in before}["1"]
    assert by_id["1"]["DOI"] == "10.1136/bmj.l6744"
    assert by_id["1"]["author"] == [{"family": "Herrett", "given": "E"}]
    assert by_id["1"]["issued"] == {"date-parts": [[2019, 10, 2]]}
    assert by_id["2"] == {"id": "2"}
    assert by_id["3"]["title"] == "Statins and risk of incident diabetes (meta-analysis)"
    assert by_id["3"]["DOI"] == "10.1016/x"
    assert by_id["3"]["author"] == [{"family": "Sattar", "given": "N"}]
    assert by_id["t1"] == ADDED
    assert "nearly everyone" in path.read_text(encoding="utf-8")
    warnings = entry["warnings"]
    assert any(w.startswith("kept from the existing answer: reference 1's ") for w in warnings)
    assert "kept from the existing answer: reference t1 (not in the legacy text)" in warnings
    assert (
        "reference 3: kept its title 'Statins and risk of incident diabetes (meta-analysis)'; "
        "the legacy text now gives 'Statins and risk of incident diabetes' (check which is right)"
    ) in warnings

    # the text report names them too
    build_tree(library.parent, {"in/statins.txt": changed.replace("nearly", "almost")})
    result = qa(
        "convert", str(library.parent / "in/statins.txt"), "--force", env={"COLUMNS": "1000"}
    )
    assert result.exit_code == 0, result.output
    assert "reference t1 (not in the legacy text)" in result.output
    assert "reference 3: kept its title" in result.output
    assert references(library) == after


def test_force_drops_only_stubs_the_text_no_longer_cites(library, qa: QA):
    build_tree(library.parent, {"in/statins.txt": LEGACY})
    assert qa("convert", str(library.parent / "in/statins.txt")).exit_code == 0
    fewer = LEGACY.replace(" Lower doses help [2].", "")
    build_tree(library.parent, {"in/statins.txt": fewer})

    result, report = qa.json(
        "convert", str(library.parent / "in/statins.txt"), "--force", "--format", "json"
    )

    assert result.exit_code == 0, result.output
    assert report["files"][0]["kept"] == []
    assert [ref["id"] for ref in references(library)] == ["1", "3"]


def test_lists_in_lists_are_written_whole():
    meta = {
        "references": [{"id": "1", "issued": {"date-parts": [[2022, 10], [2023]]}}],
        "nested": [[["a, b", {"k": [1, [2]]}]], [], {}],
    }

    text = front_matter_text(meta)

    assert yaml.safe_load(text) == meta


def test_force_names_the_body_lines_it_replaces(library, qa: QA):
    git_init(library)
    build_tree(library.parent, {"in/statins.txt": LEGACY})
    assert qa("convert", str(library.parent / "in/statins.txt")).exit_code == 0
    path = library / TARGET
    edited = path.read_text(encoding="utf-8").replace(
        "Diabetes risk rose slightly [@3].",
        "Diabetes risk rose slightly [@3]. A reviewer added: bleeding risk doubles over 70.",
    )
    path.write_text(edited, encoding="utf-8")
    build_tree(library.parent, {"in/statins.txt": LEGACY.replace("most people", "nearly all")})

    result, report = qa.json(
        "convert", str(library.parent / "in/statins.txt"), "--force", "--format", "json"
    )

    assert result.exit_code == 0, result.output
    (named,) = [w for w in report["files"][0]["warnings"] if w.startswith("replaced")]
    assert named == (
        "replaced 2 lines of the answer's body that this conversion does not write (edited "
        "since?): 'Statins are safe for most people.'; 'Diabetes risk rose slightly [@3]. A "
        "reviewer added: bleeding risk doubles over…'"
    )
