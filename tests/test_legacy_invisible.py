"""Invisible characters of CMS exports never stop a line being recognised."""

from __future__ import annotations

import pytest
from helpers import QA, build_tree

from qa_tool.answerfile.read import read_answer
from qa_tool.legacy import parse_legacy, visible

FOOTER = (
    "This question is drawn from common patient questions about Cardiology and answered "
    "using cited medical research. We do not provide individualized advice."
)
INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "arabic letter mark": "\u061c",
    "word joiner": "\u2060",
    "invisible separator": "\u2063",
    "BOM in mid-text": "\ufeff",
    "soft hyphen": "\u00ad",
    "mongolian vowel separator": "\u180e",
    "left-to-right embedding": "\u202a",
    "pop directional formatting": "\u202c",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "pop directional isolate": "\u2069",
    "no-break space": "\u00a0",
    "narrow no-break space": "\u202f",
    "thin space": "\u2009",
    "figure space": "\u2007",
    "ideographic space": "\u3000",
}
SPACES = {"\u00a0", "\u202f", "\u2009", "\u2007", "\u3000"}
REVIEW = "Low confidence \u00b7 Last reviewed 2025-11-01"


def legacy(review: str, mark: str) -> str:
    return "\n".join(
        [
            f"{mark}Is it safe?{mark}",
            review,
            f"{mark}Mostly safe 1.",
            f"What the research says{mark}",
            "Some text 1.",
            f"{mark}What to ask your doctor",
            f"- {mark}Ask?",
            f"References{mark}",
            f"{mark}1. Smith J. A title. BMJ. 2001;1:2-3.",
            FOOTER,
        ]
    )


def placed(mark: str, where: str) -> str:
    if where == "before":
        return mark + REVIEW
    if where == "between words":
        return REVIEW.replace(" \u00b7 ", f"{mark} \u00b7 {mark}")
    if where == "after":
        return REVIEW + mark
    # inside a word: a space-like one replaces a space, a format one splits "reviewed"
    if mark in SPACES:
        return REVIEW.replace("Last reviewed", f"Last{mark}reviewed")
    return REVIEW.replace("reviewed", f"re{mark}viewed")


@pytest.mark.parametrize("where", ["before", "between words", "inside a word", "after"])
@pytest.mark.parametrize("mark", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_an_invisible_character_never_hides_the_review_line(mark: str, where: str) -> None:
    answer = parse_legacy(legacy(placed(mark, where), mark))

    assert answer.confidence == "low"
    assert str(answer.last_reviewed) == "2025-11-01"
    assert answer.question == "Is it safe?"
    assert answer.summary == "Mostly safe [@1]."
    assert answer.research == ["Some text [@1]."]
    assert answer.doctor_questions == ["Ask?"]
    assert answer.references[0]["title"] == "A title"
    assert answer.doubts == []


def test_an_invalid_date_after_a_zero_width_space_is_a_doubt() -> None:
    text = legacy("\u200bLow confidence \u2014 last reviewed: 2025-13-01", "")

    answer = parse_legacy(text)

    assert answer.confidence == "low"
    assert answer.last_reviewed is None
    assert answer.summary == "Mostly safe [@1]."
    (doubt,) = answer.doubts
    assert doubt.to_dict()["kind"] == "review-date"
    assert doubt.to_dict()["text"] == "Low confidence \u2014 last reviewed: 2025-13-01"


def test_entities_decode_to_characters_that_are_normalised_too() -> None:
    answer = parse_legacy(
        legacy("&#8203;Low confidence &middot; Last re&shy;viewed 2025-11-01", "")
    )

    assert (answer.confidence, str(answer.last_reviewed)) == ("low", "2025-11-01")


def test_joiners_and_marks_inside_a_word_of_their_script_are_kept() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ is spelling here
    emoji = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    hebrew = "\u05e9\u05dc\u200f\u05d5\u05dd"
    for word in (persian, emoji, hebrew):
        assert visible(f"\u200b{word}\u200e ") == f"{word} "
    assert visible("30\u00a0minutes\u202fof walking") == "30\u00a0minutes\u202fof walking"
    assert visible("re\u200dviewed and medi\u00adcation") == "reviewed and medication"


def test_convert_reads_the_review_line_after_a_zero_width_space(library, qa: QA) -> None:
    build_tree(library.parent, {"in/safe.txt": legacy("\u200b" + REVIEW, "\u2060")})

    result, report = qa.json("convert", str(library.parent / "in"), "--format", "json")

    assert result.exit_code == 0, result.output
    (entry,) = report["files"]
    assert entry["doubts"] == []
    meta = read_answer(library / entry["target"], entry["target"], 10**6).meta
    assert (meta["confidence"], str(meta["last_reviewed"])) == ("low", "2025-11-01")
    assert meta["status"] == "published"
    body = (library / entry["target"]).read_text(encoding="utf-8")
    assert "\u200b" not in body
    assert "\u2060" not in body
