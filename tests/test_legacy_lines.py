"""How ``qa convert`` cleans and classifies the lines of a legacy text.

Page chrome, "Related questions" lists, feedback buttons, the confidence and review
lines, tables and quotes: each case is a small legacy text written here. The rule they
check: a line is never dropped without a warning naming it, and a line that carries a
citation, a number with a unit or a sentence of content is never taken for chrome.
"""

from __future__ import annotations

import pytest

from qa_tool.legacy import LegacyAnswer, parse_legacy

FOOTER = (
    "This question is drawn from common patient questions about Cardiology and answered "
    "using cited medical research. We do not provide individualized advice."
)
REFERENCES = (
    "References",
    "1. Doe J, Roe R. Walking and the heart. BMJ. 2020;1(2):3-4.",
    "2. Poe P. Salt and strokes. Lancet. 2021;5(1):6-7.",
    "3. Low L. Sugar labels. Annu Rev Nutr. 2021;41:529-550.",
    "4. Ray K. Face arm speech test. Stroke. 2003;34(1):71-76.",
)


def text_with(
    *,
    meta: tuple[str, ...] = ("moderate confidence · Last reviewed 3 December 2024",),
    summary: tuple[str, ...] = ("Yes, regular walking helps most hearts.",),
    research: tuple[str, ...] = ("Walking lowers blood pressure [1]. Salt raises it [2].",),
    doctor: tuple[str, ...] = ("- How much should I walk?",),
    cite_all: bool = True,
) -> str:
    """A legacy answer with the given parts; the research cites references 1 to 4."""
    cited = ("Labels help [3]. Fast help matters [4].",) if cite_all else ()
    lines = [
        "Is walking good for my heart?",
        *meta,
        *summary,
        "What the research says",
        *research,
        *cited,
        "What to ask your doctor",
        *doctor,
        *REFERENCES,
        FOOTER,
    ]
    return "\n".join(lines) + "\n"


def line_of(text: str, wanted: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), 1) if line == wanted)


def chrome_warning(answer: LegacyAnswer) -> str:
    return next((w for w in answer.warnings if w.startswith("page chrome was not used")), "")


# --- chrome never takes content (copyright, breadcrumb look-alikes) -------------------------

CONTENT_LIKE_CHROME = [
    "(c) physical inactivity, linked to about a third of strokes [1];",
    "(c) physical inactivity, linked to about a third of strokes;",
    "(c) diet",
    "(C) Physical inactivity",
    "Symptoms to act on: face drooping / arm weakness / speech problems [4].",
    "Symptoms to act on: face drooping / arm weakness / speech problems.",
    "face drooping / arm weakness / speech problems",
    "Home > work > school: sugary snacks are eaten in all three settings [1].",
    "Home > work > school: sugary snacks are eaten everywhere.",
    "Home / work / school: 30 minutes of walking a day",
    "Copyright 2025 rules require sugar labels on the front of packs in some countries [4].",
    "Copyright 2025 rules require sugar labels on the front of packs.",
    "© 2 in 3 adults walk less than 30 minutes a day",
    "Blood sugar > 11 mmol/L > 2 hours after meals is a sign to see a doctor",
    "Salt > blood pressure > strokes 3.",
    "We use cookies-free recipes in 9 of 10 trials [2].",
]


@pytest.mark.parametrize("line", CONTENT_LIKE_CHROME)
def test_a_content_line_that_looks_like_chrome_is_kept(line: str) -> None:
    answer = parse_legacy(text_with(research=("Walking helps [1]. Salt [2].", line)))

    body = answer.body_markdown()
    kept = line.replace(" [1]", " [@1]").replace(" [4]", " [@4]").replace(" [2]", " [@2]")
    assert kept.rstrip(" 3.") in body
    assert line not in chrome_warning(answer)
    assert not [doubt for doubt in answer.doubts if doubt.kind == "reference"]


def test_c_in_a_lettered_list_is_an_item_not_a_copyright_line() -> None:
    items = ("(a) High blood pressure [1];", "(b) Smoking [1];", "(c) Inactivity 2020", "(d) Diet.")
    answer = parse_legacy(text_with(research=("The main risks [2]:", *items)))

    assert "(c) Inactivity 2020" in answer.body_markdown()


CHROME = [
    "© 2026 Patient Answers. All rights reserved.",
    "(c) 2019 Health Answers Ltd",
    "Copyright © 2024 NHS England",
    "All rights reserved.",
    "Home > Health A-Z > Asthma",
    "You are here: Home / Conditions / Heart",
    "Health A-Z / Conditions / Asthma",
    "Home › Heart › Walking",
    "We use cookies to improve your experience on this site. Accept",
    "Share | Print",
    "Read more",
    "Show more",
]


@pytest.mark.parametrize("where", ["summary", "research", "doctor"])
@pytest.mark.parametrize("chrome", CHROME)
def test_chrome_is_dropped_and_each_line_named(chrome: str, where: str) -> None:
    parts = {
        "summary": {"summary": ("Yes, walking helps.", chrome)},
        "research": {"research": ("Walking helps [1]. Salt [2].", chrome)},
        "doctor": {"doctor": ("- How far?", chrome, "- How fast?")},
    }[where]
    text = text_with(**parts)  # type: ignore[arg-type]

    answer = parse_legacy(text)

    assert chrome not in answer.body_markdown()
    assert f"line {line_of(text, chrome)} {chrome!r}" in chrome_warning(answer)


# --- "Read more", "See also", "Related questions" ------------------------------------------


def test_read_more_is_a_button_and_the_text_after_it_is_kept() -> None:
    text = text_with(
        research=(
            "The vaccine lowered flu from 2.3% to 0.9% [1].",
            "Read more",
            "In people over 65 it meant fewer hospital stays [2].",
            "Protection starts 2 weeks after the injection.",
        )
    )

    answer = parse_legacy(text)

    assert answer.research[1:3] == [
        "In people over 65 it meant fewer hospital stays [@2].",
        "Protection starts 2 weeks after the injection.",
    ]
    assert f"line {line_of(text, 'Read more')} 'Read more'" in chrome_warning(answer)
    assert not [doubt for doubt in answer.doubts if doubt.kind == "reference"]


@pytest.mark.parametrize(
    "label", ["See also", "Related articles", "**Related questions**", "Read next"]
)
def test_prose_after_a_related_label_is_kept(label: str) -> None:
    text = text_with(
        research=("Walking helps [1].", label, "Salt raised blood pressure by 5 mmHg [2].")
    )

    answer = parse_legacy(text)

    assert "Salt raised blood pressure by 5 mmHg [@2]." in answer.research
    assert f"line {line_of(text, label)} {label!r}" in chrome_warning(answer)


@pytest.mark.parametrize("section", ["research", "doctor"])
def test_each_link_of_a_related_list_is_named_in_a_warning(section: str) -> None:
    links = ("- Can I have the flu and COVID-19 vaccines together?", "Is coffee bad for me?")
    parts = (
        {"research": ("Walking helps [1]. Salt [2].", "See also", *links)}
        if section == "research"
        else {"doctor": ("- How far?", "See also", *links)}
    )
    text = text_with(**parts)  # type: ignore[arg-type]

    answer = parse_legacy(text)

    for link in links:
        assert link.removeprefix("- ") not in answer.body_markdown()
        assert (
            f"line {line_of(text, link)}: a link of the 'See also' list "
            f"(line {line_of(text, 'See also')}) was not used: {link!r}"
        ) in answer.warnings


def test_more_questions_inside_the_doctor_section_heads_more_questions_with_a_doubt() -> None:
    text = text_with(doctor=("- How far?", "More questions", "- When can I run again?"))

    answer = parse_legacy(text)

    assert answer.doctor_questions == ["How far?", "When can I run again?"]
    (doubt,) = [doubt for doubt in answer.doubts if doubt.kind == "question"]
    assert (doubt.line, doubt.text) == (line_of(text, "More questions"), "More questions")


# --- "Was this page helpful?" and its buttons -------------------------------------------


@pytest.mark.parametrize(
    "buttons", [("Yes", "No"), ("Yes", "", "No"), ("YES", "NO"), ("Yes No",), ("Yes / No",)]
)
def test_feedback_buttons_on_lines_of_their_own_are_chrome(buttons: tuple[str, ...]) -> None:
    text = text_with(research=("Walking helps [1]. Salt [2].", "Was this page helpful?", *buttons))

    answer = parse_legacy(text)

    assert answer.research[-1] == "Labels help [@3]. Fast help matters [@4]."
    assert "\n\nYes" not in answer.body_markdown()
    for button in filter(None, buttons):
        assert f"line {line_of(text, button)} {button!r}" in chrome_warning(answer)


def test_a_bare_yes_elsewhere_is_kept_with_a_warning() -> None:
    text = text_with(research=("Walking helps [1]. Salt [2].", "Yes"))

    answer = parse_legacy(text)

    assert "Salt [@2]. Yes" in answer.body_markdown()
    assert any(w.startswith(f"line {line_of(text, 'Yes')}: kept 'Yes'") for w in answer.warnings)


def test_a_one_word_answer_with_its_stop_is_not_warned() -> None:
    answer = parse_legacy(text_with(summary=("No.", "Not in the studies so far.")))

    assert answer.summary.startswith("No.")
    assert not [w for w in answer.warnings if "button" in w]
