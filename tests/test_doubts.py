"""Conversion doubts: reported, stored with the answer, warned of, cleared by a review."""

from __future__ import annotations

import datetime as dt
import doctest

from helpers import QA, build_tree

from qa_tool import doubts
from qa_tool.answerfile.read import read_answer
from qa_tool.doubts import open_doubts

FOOTER = (
    "This question is drawn from common patient questions about Cardiology and answered "
    "using cited medical research. We do not provide individualized advice."
)
# "doses 2" cites, but the list has 1 and 3 only: a doubt; the date may be day-first.
DOUBTFUL = "\n".join(
    [
        "Can I take aspirin for my heart?",
        "high confidence \u00b7 Last reviewed 03/04/2025",
        "For some people, yes.",
        "What the research says",
        "Aspirin lowers the risk of a second heart attack 1. It works at lower doses 2.",
        "Bleeding is the main risk 3.",
        "What to ask your doctor",
        "- Should I take aspirin?",
        "References",
        "1. Smith J. Aspirin. BMJ. 2001;1(2):3-4.",
        "3. Roe R. Bleeding. Lancet. 2002;2:5.",
        FOOTER,
    ]
)
TARGET = "answers/cardiology/can-i-take-aspirin-for-my-heart.md"


def convert(qa: QA, library, *args: str) -> dict:
    build_tree(library.parent, {"in/aspirin.txt": DOUBTFUL})
    result, report = qa.json("convert", str(library.parent / "in"), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return report


def test_doubts_are_in_the_report_and_in_the_answer(library, qa):
    report = convert(qa, library)

    (entry,) = report["files"]
    assert entry["doubts"] == [
        {
            "kind": "review-date",
            "line": 2,
            "text": "high confidence \u00b7 Last reviewed 03/04/2025",
            "decision": "left empty: '03/04/2025' is ambiguous: 2025-04-03 if the day comes "
            "first, 2025-03-04 if the month does",
        },
        {
            "kind": "citation",
            "line": 5,
            "number": 2,
            "text": "Aspirin lowers the risk of a second heart attack 1. "
            "It works at lower doses 2.",
            "decision": "kept as prose: the References list has no 2",
        },
    ]
    meta = read_answer(library / TARGET, TARGET, 1_000_000).meta
    assert meta["legacy"]["doubts"] == entry["doubts"]
    assert open_doubts(meta) == entry["doubts"]
    assert meta["status"] == "in-review"
    assert "last_reviewed" not in meta


def test_validate_warns_of_each_doubt(library, qa):
    convert(qa, library)

    result, report = qa.json("validate", "--format", "json")

    findings = [f for f in report["findings"] if f["rule"] == "conversion-doubt"]
    assert [(f["severity"], f["field"]) for f in findings] == [
        ("warning", "$.legacy.doubts[0]"),
        ("warning", "$.legacy.doubts[1]"),
    ]
    assert "legacy line 5: citation 2? kept as prose" in findings[1]["message"]
    assert report["errors"] == 0


def test_status_published_is_refused_while_there_are_doubts(library, qa):
    dated = DOUBTFUL.replace("03/04/2025", "3 April 2025")
    build_tree(library.parent, {"in/aspirin.txt": dated})

    result, report = qa.json(
        "convert", str(library.parent / "in"), "--format", "json", "--status", "published"
    )

    assert result.exit_code == 1
    assert "the conversion has 1 doubt a reviewer must check" in report["files"][0]["error"]
    assert not (library / TARGET).exists()


def test_review_clears_the_doubts_and_logs_them(library, qa):
    convert(qa, library)

    result, report = qa.json(
        "review", "can-i-take-aspirin-for-my-heart", "--by", "Jane Doe, MD", "--format", "json"
    )

    assert result.exit_code == 0, result.output
    assert report["reviewed"][0]["cleared_doubts"] == 2
    meta = read_answer(library / TARGET, TARGET, 1_000_000).meta
    assert "doubts" not in meta["legacy"]
    (entry,) = meta["review_log"]
    assert entry["by"] == "Jane Doe"
    assert entry["note"].startswith("cleared 2 conversion doubts: legacy line 2: review-date?")
    _result, checked = qa.json("validate", "--format", "json")
    assert not [f for f in checked["findings"] if f["rule"] == "conversion-doubt"]


def test_force_keeps_the_review_history(library, qa):
    convert(qa, library)
    today = dt.date.today()
    qa("review", "can-i-take-aspirin-for-my-heart", "--by", "Jane Doe, MD", "--note", "Checked.")
    before = read_answer(library / TARGET, TARGET, 1_000_000).meta
    changed = DOUBTFUL.replace("Bleeding is the main risk 3.", "Bleeding is the main harm 3.")
    build_tree(library.parent, {"in/aspirin.txt": changed})

    result, report = qa.json("convert", str(library.parent / "in"), "--format", "json", "--force")

    assert result.exit_code == 0, result.output
    (entry,) = report["files"]
    assert entry["kept"] == ["last_reviewed", "reviewed_by", "review_fingerprint", "review_log"]
    assert any("kept from the existing answer: last_reviewed" in w for w in entry["warnings"])
    after = read_answer(library / TARGET, TARGET, 1_000_000).meta
    assert after["last_reviewed"] == today
    for name in ("reviewed_by", "review_fingerprint", "review_log"):
        assert after[name] == before[name]
    assert "main harm" in (library / TARGET).read_text()
    assert len(after["legacy"]["doubts"]) == 2  # the new text's doubts are open again


def test_force_keeps_a_confidence_set_by_a_later_review_and_says_so(library, qa):
    convert(qa, library)
    result = qa(
        "review", "can-i-take-aspirin-for-my-heart", "--by", "Jane Doe, MD",
        "--confidence", "moderate", "--note", "Downgraded.",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    changed = DOUBTFUL.replace("Bleeding is the main risk 3.", "Bleeding is the main harm 3.")
    build_tree(library.parent, {"in/aspirin.txt": changed})

    result, report = qa.json("convert", str(library.parent / "in"), "--format", "json", "--force")

    assert result.exit_code == 0, result.output
    (entry,) = report["files"]
    assert "confidence" in entry["kept"]
    assert any(
        w.startswith("kept confidence moderate set by the review of ")
        and w.endswith("the legacy text gives high")
        for w in entry["warnings"]
    )
    after = read_answer(library / TARGET, TARGET, 1_000_000).meta
    assert after["confidence"] == "moderate"


def test_force_takes_the_text_confidence_when_no_review_came_after_it(library, qa):
    convert(qa, library)
    text = (library / TARGET).read_text().replace("confidence: high", "confidence: low")
    (library / TARGET).write_text(text)
    changed = DOUBTFUL.replace("Bleeding is the main risk 3.", "Bleeding is the main harm 3.")
    build_tree(library.parent, {"in/aspirin.txt": changed})

    result, _report = qa.json("convert", str(library.parent / "in"), "--format", "json", "--force")

    assert result.exit_code == 0, result.output
    assert read_answer(library / TARGET, TARGET, 1_000_000).meta["confidence"] == "high"


def test_the_text_report_lists_each_doubt_with_line_number_and_decision(library, qa):
    build_tree(library.parent, {"in/aspirin.txt": DOUBTFUL})

    result = qa("convert", str(library.parent / "in"), env={"COLUMNS": "400"})

    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    assert "doubt, legacy line 2: review-date? left empty: '03/04/2025' is ambiguous" in shown
    assert "doubt, legacy line 5: citation 2? kept as prose: the References list has no 2" in shown
    assert "2 doubts in 1 file to check" in shown


def test_open_doubts_tolerates_any_shape():
    assert open_doubts(None) == []
    assert open_doubts({"legacy": "x"}) == []
    assert open_doubts({"legacy": {"doubts": "x"}}) == []
    assert open_doubts({"legacy": {"doubts": [1, {"kind": "topic"}]}}) == [{"kind": "topic"}]


def test_docstring_examples_hold():
    results = doctest.testmod(doubts)
    assert results.attempted > 0
    assert results.failed == 0
