"""How ``qa convert`` cleans and classifies the lines of a legacy text.

Page chrome, "Related questions" lists, feedback buttons, the confidence and review
lines, tables and quotes: each case is a small legacy text written here. The rule they
check: a line is never dropped without a warning naming it, and a line that carries a
citation, a number with a unit or a sentence of content is never taken for chrome.
"""

from __future__ import annotations

import datetime

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


# --- confidence and review lines ------------------------------------------------------------

TODAY = datetime.date(2026, 12, 2)


def meta_of(*meta: str) -> LegacyAnswer:
    return parse_legacy(text_with(meta=meta), today=TODAY)


@pytest.mark.parametrize(
    ("line", "confidence", "reviewed", "decision"),
    [
        ("Confidence: moderate-to-high", None, None, "names more than one level"),
        ("Confidence: moderate to high", None, None, "names more than one level"),
        ("Low–moderate confidence · Last reviewed 3 December 2024", None, "2024-12-03", "more"),
        ("Confidence level — Low (GRADE)", "low", None, None),
        ("Evidence: very low certainty", "very-low", None, None),
        ("Certainty of evidence: ⊕⊕⊕◯ Moderate", "moderate", None, None),
        ("Certainty of evidence: ⊕⊕◯◯ Moderate", None, None, "disagree"),
        ("Our confidence: moderate (based on 3 trials)", "moderate", None, "based on 3 trials"),
        ("confidence: high, but only 2 small trials", "high", None, "but only 2 small trials"),
        ("Confidence: 3/5", None, None, "not a GRADE level"),
        ("Strength of evidence: strong", None, None, "not a GRADE level"),
        ("Quality of evidence: low", "low", None, None),
        ("Content last reviewed: 03 December 2024", None, "2024-12-03", None),
        ("Page last reviewed: 3 December 2024", None, "2024-12-03", None),
        ("Last reviewed 3 Dec 2024 by Dr Jane Smith, GP", None, "2024-12-03", "Dr Jane Smith"),
        ("Last reviewed 3 Dec 2024 (minor edits 5 Jan 2025)", None, "2024-12-03", "minor edits"),
        ("Last reviewed 2024-12-03T10:15:00Z", None, "2024-12-03", None),
        (
            "moderate confidence · Last reviewed 3 Dec 2024 · Last checked 9 Jan 2025",
            "moderate",
            "2024-12-03",
            "Last checked",
        ),
        ("Moderate confidence. Last reviewed 3 December 2024.", "moderate", "2024-12-03", None),
    ],
)
def test_a_metadata_line_is_read_as_far_as_it_can_be_and_never_joins_the_summary(
    line: str, confidence: str | None, reviewed: str | None, decision: str | None
) -> None:
    answer = meta_of(line)

    assert answer.summary == "Yes, regular walking helps most hearts."
    assert answer.confidence == confidence
    assert str(answer.last_reviewed) == str(reviewed)
    doubts = [doubt for doubt in answer.doubts if doubt.kind in ("confidence", "review-date")]
    if decision is None:
        assert doubts == []
    else:
        (doubt,) = doubts
        assert (doubt.line, doubt.text) == (2, line)
        assert decision in doubt.decision


@pytest.mark.parametrize(
    ("meta", "warning"),
    [
        (
            ("moderate confidence · Last reviewed 3 Dec 2024 · Next review Dec 2025",),
            "line 2: not used: 'Next review Dec 2025' (qa works the next review out",
        ),
        (
            ("Last reviewed: 3 December 2024", "Next review due: June 2026"),
            "line 3: not used: 'Next review due: June 2026'",
        ),
        (
            ("Confidence: moderate; Last reviewed: 3 December 2024; Reviewer: Dr A. Patel",),
            "line 2: the text names a reviewer ('Dr A. Patel')",
        ),
        (
            ("moderate confidence · Last reviewed 3 Dec 2024 · By Dr Jane Smith",),
            "line 2: the text names an author ('Dr Jane Smith')",
        ),
        (
            ("moderate confidence · Last reviewed 3 Dec 2024 · 4 min read",),
            "line 2: not used: '4 min",
        ),
    ],
)
def test_a_third_part_of_the_review_line_is_named_and_the_rest_still_read(
    meta: tuple[str, ...], warning: str
) -> None:
    answer = meta_of(*meta)

    assert answer.summary == "Yes, regular walking helps most hearts."
    assert answer.last_reviewed == datetime.date(2024, 12, 3)
    assert any(w.startswith(warning) for w in answer.warnings), answer.warnings


@pytest.mark.parametrize(
    "line",
    [
        "Certainty of the evidence: moderate for frequency, low for severity [1].",
        "Low confidence · the effect on severity is uncertain [1].",
        "Certainty of the evidence: moderate for frequency, low for severity.",
        "Confidence intervals were wide in the smaller trials [3].",
        "Reviewed: the side effects were mild, such as bruising, in about 1 in 20 people [3].",
    ],
)
def test_prose_with_review_words_stays_prose(line: str) -> None:
    answer = parse_legacy(text_with(research=("Walking helps [1]. Salt [2].", line)), today=TODAY)

    assert line.replace("[1]", "[@1]").replace("[3]", "[@3]") in answer.research
    assert answer.confidence == "moderate"


def test_two_review_dates_keep_the_later_with_a_doubt_naming_both() -> None:
    answer = meta_of("Last reviewed 3 Dec 2024", "Last reviewed 9 Jan 2025")

    assert answer.last_reviewed == datetime.date(2025, 1, 9)
    (doubt,) = answer.doubts
    assert (doubt.kind, doubt.line) == ("review-date", 3)
    assert "2024-12-03 (line 2) and 2025-01-09 (line 3)" in doubt.decision


def test_the_same_review_date_twice_is_no_doubt() -> None:
    answer = meta_of("Last reviewed 3 Dec 2024", "Reviewed: 2024-12-03")

    assert answer.last_reviewed == datetime.date(2024, 12, 3)
    assert answer.doubts == []


def test_two_confidence_levels_are_a_doubt() -> None:
    answer = meta_of("moderate confidence", "Confidence: low")

    assert answer.confidence == "moderate"
    (doubt,) = answer.doubts
    assert (doubt.kind, doubt.line) == ("confidence", 3)


@pytest.mark.parametrize("date", ["3 December 2034", "2026-12-03"])
def test_a_review_date_after_today_is_left_empty_with_a_doubt(date: str) -> None:
    answer = meta_of(f"moderate confidence · Last reviewed {date}")

    assert answer.last_reviewed is None
    (doubt,) = answer.doubts
    assert doubt.kind == "review-date"
    assert "is after today, 2026-12-02" in doubt.decision


def test_a_review_date_of_today_is_read() -> None:
    assert meta_of("Last reviewed 2 December 2026").last_reviewed == TODAY


def test_a_review_line_after_the_references_is_read_not_put_in_a_reference() -> None:
    text = text_with(meta=()).replace(
        FOOTER, "Page last reviewed: 3 December 2024\nNext review due: 3 December 2027\n" + FOOTER
    )

    answer = parse_legacy(text, today=TODAY)

    assert answer.last_reviewed == datetime.date(2024, 12, 3)
    assert not [doubt for doubt in answer.doubts if doubt.kind == "reference"]
    assert "note" not in answer.references[-1]


# --- tables and quotes ----------------------------------------------------------------------


HTML_TABLE = (
    "<table><tr><th>Dose</th><th>Effect</th></tr><tr><td>Daily 400-1000 IU</td>"
    "<td>Lower risk [1]</td></tr><tr><td>Monthly bolus 100,000 IU</td><td>No clear effect</td>"
    "</tr></table>"
)
PIPE_TABLE = (
    "| Dose | Effect |\n| --- | --- |\n| Daily 400-1000 IU | Lower risk [@1] |\n"
    "| Monthly bolus 100,000 IU | No clear effect |"
)


@pytest.mark.parametrize(
    "table",
    [
        HTML_TABLE,
        HTML_TABLE.replace("><", ">\n<"),  # a tag a line
        HTML_TABLE.replace("<th>", "<td>").replace("</th>", "</td>"),  # no header cells
        "<table>\n<tr>\n<td>Dose</td>\n<td>Effect</td>\n</tr>\n<tr><td>Daily 400-1000 IU</td>"
        "<td>Lower\nrisk [1]</td></tr><tr><td>Monthly bolus 100,000 IU</td><td>No clear effect"
        "</td></tr>\n</table>",  # a cell over two lines
    ],
)
def test_an_html_table_keeps_each_row_together(table: str) -> None:
    answer = parse_legacy(text_with(research=("<p>Vitamin D helps [2].</p>", table)))

    assert PIPE_TABLE in answer.research


def test_a_pipe_in_a_cell_is_escaped() -> None:
    answer = parse_legacy(text_with(research=("<table><tr><td>a|b</td><td>c</td></tr></table>",)))

    assert "| a\\|b | c |" in answer.research[0]


def test_an_html_table_of_review_fields_is_read_as_the_review_line() -> None:
    table = (
        "<table><tr><td>Last reviewed</td><td>3 December 2024</td></tr>"
        "<tr><td>Confidence</td><td>Moderate</td></tr></table>"
    )

    answer = parse_legacy(text_with(meta=(table,)), today=TODAY)

    assert (answer.confidence, answer.last_reviewed) == ("moderate", datetime.date(2024, 12, 3))
    assert answer.summary == "Yes, regular walking helps most hearts."


def test_a_markdown_table_keeps_its_rows_on_their_own_lines() -> None:
    rows = (
        "| Reading | Meaning |",
        "|---|---|",
        "| below 120/80 | normal |",
        "| 140/90 | high [1] |",
    )

    answer = parse_legacy(text_with(research=(*rows, "Home readings are 5 mmHg lower [2].")))

    assert answer.research[0] == "\n".join(rows).replace("[1]", "[@1]")
    assert answer.research[1] == "Home readings are 5 mmHg lower [@2]."


def test_a_table_with_tabs_becomes_a_pipe_table_with_a_warning() -> None:
    rows = ("Age\tClinic target\tHome target", "Under 80\t140/90\t135/85", "80 and over\t150/90")
    text = text_with(research=("Targets differ [1]. Salt [2].", *rows, "Lower is better."))

    answer = parse_legacy(text)

    assert answer.research[1] == (
        "| Age | Clinic target | Home target |\n| --- | --- | --- |\n"
        "| Under 80 | 140/90 | 135/85 |\n| 80 and over | 150/90 |  |"
    )
    assert answer.research[2].startswith("Lower is better.")
    line = line_of(text, rows[0])
    assert f"line {line}: a table with its cells between tabs was written as a Markdown table" in (
        " ".join(answer.warnings)
    )


@pytest.mark.parametrize("where", ["summary", "research"])
def test_a_quote_keeps_its_lines(where: str) -> None:
    quote = (
        "> **Key points**",
        "> - Fasting can lower weight and blood sugar.",
        "> - People on insulin risk low blood sugar [1].",
    )
    parts = (
        {"summary": ("Fasting helps some people.", *quote)}
        if where == "summary"
        else {"research": ("Fasting helps [2].", *quote)}
    )

    answer = parse_legacy(text_with(**parts))  # type: ignore[arg-type]

    assert "\n".join(quote).replace("[1]", "[@1]") + "\n\n" in answer.body_markdown()


def test_a_greater_than_sign_is_not_a_quote() -> None:
    answer = parse_legacy(text_with(research=("> 7.0 mmol/L means diabetes [1].", "Salt [2].")))

    assert answer.research[0].startswith("\\> 7.0 mmol/L")


# --- consent dialogs, share and feedback widgets --------------------------------------------


@pytest.mark.parametrize(
    "chrome",
    [
        "Was this page helpful? Yes (12) No (3)",
        "Was this page helpful? Yes No",
        "Share this page: Facebook Twitter Email",
        "Share this: Twitter | Facebook",
        "Like this:",
        "Like Loading...",
        "Your privacy",
        "Manage preferences",
        "We and our 143 partners store and/or access information on a device, such as unique "
        "IDs in cookies, to process personal data.",
    ],
)
def test_consent_share_and_feedback_widgets_are_chrome_and_never_citations(chrome: str) -> None:
    text = text_with(research=("Walking helps [1]. Salt [2].", chrome))

    answer = parse_legacy(text)

    assert chrome not in answer.body_markdown()
    assert f"line {line_of(text, chrome)} {chrome!r}" in chrome_warning(answer)
    assert not [doubt for doubt in answer.doubts if doubt.kind == "citation"]


@pytest.mark.parametrize(
    "line",
    [
        "Share: most adults in trials walked 30 minutes a day [1].",
        "Like this: a brisk walk counts as moderate exercise.",
        "Manage preferences for food with your dietitian.",
    ],
)
def test_a_sentence_that_starts_like_a_widget_is_kept(line: str) -> None:
    answer = parse_legacy(text_with(research=("Walking helps [1]. Salt [2].", line)))

    assert line.replace("[1]", "[@1]") in answer.body_markdown()
