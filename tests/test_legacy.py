"""Tests for the legacy-text parser behind ``qa convert``.

The two real samples are kept under tests/fixtures/legacy/; the
other cases are small legacy texts written here, one per variation the archives show.
"""

from __future__ import annotations

import dataclasses
import datetime
import doctest
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_tool import legacy
from qa_tool.errors import LegacyFormatError
from qa_tool.legacy import LegacyAnswer, decode_legacy, parse_legacy

SAMPLES_DIR = Path(__file__).resolve().parent / "fixtures" / "legacy"


def sample_bytes(prefix: str) -> bytes:
    """The bytes of the shared legacy sample whose name starts with ``prefix``."""
    matches = sorted(SAMPLES_DIR.glob(f"{prefix}_*.txt")) if SAMPLES_DIR.is_dir() else []
    if not matches:
        pytest.skip(f"legacy sample {prefix}_*.txt not found in {SAMPLES_DIR}")
    return matches[0].read_bytes()


# --- the real samples -----------------------------------------------------------------


def test_plain_text_export_sample_000() -> None:
    answer = parse_legacy(sample_bytes("000"), "000.txt")

    assert answer.question == (
        "What new treatments for autoimmune diseases are emerging from cancer research?"
    )
    assert answer.summary.startswith("Researchers are adapting therapies originally designed")
    assert answer.summary.endswith("drive both cancer and autoimmunity.")
    assert answer.topic == "Oncology"
    assert answer.confidence is None
    assert answer.last_reviewed is None
    assert answer.citations == [1, 2, 3, 6]
    assert answer.references == [{"id": "1"}, {"id": "2"}, {"id": "3"}, {"id": "6"}]
    assert len(answer.research) == 4
    assert len(answer.doctor_questions) == 4
    assert answer.doctor_questions[0] == (
        "Are there clinical trials for CAR-T or CAR-Treg therapies available for my "
        "specific autoimmune condition?"
    )
    assert answer.warnings == [
        "reference 1 has no details (stub)",
        "reference 2 has no details (stub)",
        "reference 3 has no details (stub)",
        "reference 6 has no details (stub)",
    ]


def test_sample_000_citation_after_type_1_diabetes_and_interleukin_1_kept() -> None:
    answer = parse_legacy(sample_bytes("000"), "000.txt")

    assert "Multiple Sclerosis and Type 1 Diabetes [@1]. These therapies" in answer.research[0]
    assert "autologous cell sources [@1]." in answer.research[0]
    assert "pathways of interleukin-1 and Toll-like receptors" in answer.research[3]
    assert answer.research[3].endswith("stopping this specific kinase from overactivating [@6].")


def test_sample_000_body_markdown() -> None:
    body = parse_legacy(sample_bytes("000"), "000.txt").body_markdown()

    assert body.startswith("Researchers are adapting therapies")
    assert "\n\n## What the research says\n\nOne major area of development" in body
    assert "\n\n## What to ask your doctor\n\n- Are there clinical trials" in body
    assert body.endswith("type of autoimmune disease?\n")
    assert not body.endswith("\n\n")
    assert "This question is drawn from" not in body
    assert "individualized advice" not in body


def test_copied_live_page_sample_001() -> None:
    answer = parse_legacy(sample_bytes("001"), "001.txt")

    assert answer.question == (
        "Are there therapeutic opportunities for autoimmune disorders in cancer research?"
    )
    assert answer.summary.startswith("Scientists are finding that the same biological")
    assert answer.confidence == "moderate"
    assert answer.last_reviewed == datetime.date(2026, 5, 22)
    assert answer.topic == "Oncology"
    assert answer.citations == [1, 5, 6, 4]
    assert [reference["id"] for reference in answer.references] == ["1", "5", "6", "4"]
    assert answer.doctor_questions == [
        "Are there clinical trials for Siglec-targeting therapies or mitochondrial "
        "treatments that might be relevant to my condition?",
        "Could my specific autoimmune disorder and any cancer risks be linked through "
        "shared metabolic pathways?",
        "How might regulating my immune system's energy use affect my treatment plan?",
        "Is there a role for regulatory T cell therapy in managing my autoimmune symptoms?",
    ]
    assert answer.research[0].endswith("new therapeutic options for both conditions [@1].")
    assert answer.research[3].endswith("balance the immune system in various diseases [@4].")


def test_sample_001_body_has_no_chrome_review_line_or_footer() -> None:
    answer = parse_legacy(sample_bytes("001"), "001.txt")
    body = answer.body_markdown()

    for chrome in ("Mode", "Text Size", "Log in", "Sign up"):
        assert chrome not in body
        assert chrome not in answer.question
    assert "confidence" not in body
    assert "Last reviewed" not in body
    assert "\u00a0" not in body
    assert "This question is drawn from" not in body
    assert "individualized advice" not in body
    assert body.endswith("managing my autoimmune symptoms?\n")


# --- shared helpers for the written cases ------------------------------------------------


FOOTER = (
    "This question is drawn from common patient questions about Cardiology and answered "
    "using cited medical research. We do not provide individualized advice."
)


def legacy_text(
    *,
    question: str = "Is walking good for my heart?",
    meta: str | None = None,
    summary: str = "Yes, regular walking helps most hearts.",
    research: tuple[str, ...] = ("Walking lowers blood pressure 1.",),
    doctor: tuple[str, ...] = ("- How much should I walk?",),
    references: tuple[str, ...] | None = None,
    footer: str | None = FOOTER,
) -> str:
    """A plain-text legacy answer in the 000 layout, with the given parts."""
    lines = [question]
    if meta is not None:
        lines.append(meta)
    lines.append(summary)
    lines.extend(["What the research says", *research, "What to ask your doctor", *doctor])
    if references is not None:
        lines.extend(["References", *references])
    if footer is not None:
        lines.append(footer)
    return "\n".join(lines) + "\n"


def research_of(paragraph: str, references: tuple[str, ...] | None = None) -> LegacyAnswer:
    """Parse a legacy text whose research section is the one paragraph given."""
    return parse_legacy(legacy_text(research=(paragraph,), references=references))


def test_parse_legacy_accepts_text_as_well_as_bytes() -> None:
    text = legacy_text()

    assert parse_legacy(text) == parse_legacy(text.encode("utf-8"))


def test_empty_input_is_rejected_naming_the_source() -> None:
    with pytest.raises(LegacyFormatError, match=r"^old/empty\.txt: empty input"):
        parse_legacy(b"", "old/empty.txt")


# --- encodings and line endings ---------------------------------------------------------


def test_utf8_bom_is_dropped() -> None:
    answer = parse_legacy(b"\xef\xbb\xbf" + legacy_text().encode("utf-8"))

    assert answer.question == "Is walking good for my heart?"


def test_windows_1252_curly_quotes_and_dashes_are_decoded() -> None:
    data = (
        legacy_text(summary="SUMMARY")
        .encode("ascii")
        .replace(
            b"SUMMARY", b"It\x92s \x93brisk\x94 walking \x96 not strolling \x97 that counts\x85"
        )
    )

    answer = parse_legacy(data)

    assert answer.summary == "It’s “brisk” walking – not strolling — that counts…"


def test_latin1_is_the_fallback_when_windows_1252_cannot_decode() -> None:
    # 0x81 is undefined in Windows-1252; the stray control it becomes in Latin-1 is dropped.
    data = (
        legacy_text(summary="SUMMARY")
        .encode("ascii")
        .replace(b"SUMMARY", b"Caf\xe9 au lait\x81 is fine for most people.")
    )

    assert parse_legacy(data).summary == "Café au lait is fine for most people."


def test_utf16_with_bom_is_decoded() -> None:
    assert parse_legacy(legacy_text().encode("utf-16")) == parse_legacy(legacy_text())


@pytest.mark.parametrize("line_end", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_line_endings_parse_like_lf(line_end: str) -> None:
    text = legacy_text(summary="First part.\n\nSecond part.")

    answer = parse_legacy(text.replace("\n", line_end).encode("utf-8"))

    assert answer == parse_legacy(text)
    assert answer.summary == "First part.\n\nSecond part."


def test_decode_legacy_normalises_encodings_and_line_ends() -> None:
    assert decode_legacy(b"\xef\xbb\xbfcaf\xc3\xa9\r\nnext\rlast") == "café\nnext\nlast"
    assert decode_legacy(b"\x93quoted\x94\r\n") == "“quoted”\n"
    assert decode_legacy(b"") == ""


# --- page chrome ----------------------------------------------------------------------------

CHROME_LINES = [
    "Mode",
    "Text Size",
    "Log in / Sign up",
    "Share",
    "Print",
    "Back to top",
    "Share | Print",
    "We use cookies to improve your experience on this site. Accept",
    "This website uses cookies. Accept all",
    "  TEXT\u00a0SIZE  ",
    "Text Size  A  A  A",
    "Text size A- A A+",
    "Share Print Back to top",
    "Dark mode Log in Sign up",
]


@pytest.mark.parametrize("chrome", CHROME_LINES)
@pytest.mark.parametrize("position", ["top", "middle", "bottom"])
def test_page_chrome_is_removed_wherever_it_stands(chrome: str, position: str) -> None:
    clean = legacy_text()
    lines = clean.splitlines()
    index = {"top": 0, "middle": 3, "bottom": len(lines)}[position]
    lines.insert(index, chrome)

    answer = parse_legacy("\n".join(lines))
    expected = parse_legacy(clean)
    named = f"page chrome was not used: line {index + 1} {chrome.strip()!r}"

    assert answer.warnings == [named, *expected.warnings]
    assert dataclasses.replace(answer, doubts=[], warnings=[]) == dataclasses.replace(
        expected, doubts=[], warnings=[]
    )
    assert [(doubt.kind, doubt.number) for doubt in answer.doubts] == [
        (doubt.kind, doubt.number) for doubt in expected.doubts
    ]


@pytest.mark.parametrize(
    "first",
    ["Text Size  A  A  A", "Font size A A A", "Share Print", "Health Library", "Patient answers"],
)
@pytest.mark.parametrize("marked", [False, True])
def test_a_line_before_the_question_is_never_joined_into_it(first: str, marked: bool) -> None:
    question = "Does acupuncture help with migraine?"
    shown = f"**{question}**" if marked else question

    answer = parse_legacy(legacy_text(question=f"{first}\n{shown}"))

    assert answer.question == question
    assert not [doubt for doubt in answer.doubts if doubt.kind == "question"]


def test_a_wrapped_question_is_still_joined() -> None:
    answer = parse_legacy(
        legacy_text(
            question="What should I know about the vaccine if I am over 50 and\nhave had it?"
        )
    )

    assert (
        answer.question == "What should I know about the vaccine if I am over 50 and have had it?"
    )


def test_chrome_buttons_alone_or_inside_text_are_not_chrome() -> None:
    for line in ("A A", "Print a leaflet", "Contact us about your care"):
        assert not legacy._is_chrome(line)


def test_chrome_words_inside_sentences_are_kept() -> None:
    answer = parse_legacy(
        legacy_text(summary="Share this page with your family.\nPrint your walking log.")
    )

    assert answer.summary == "Share this page with your family.\n\nPrint your walking log."


# --- headings ---------------------------------------------------------------------------


def test_markdown_headings_and_question_heading() -> None:
    text = (
        "# Is walking good for my heart?\n\n"
        "Yes.\n\n"
        "## What the research says\n\n"
        "Walking lowers blood pressure 1.\n\n"
        "### What to ask your doctor ###\n\n"
        "- How much should I walk?\n"
    )

    answer = parse_legacy(text)

    assert answer.question == "Is walking good for my heart?"
    assert answer.summary == "Yes."
    assert answer.research == ["Walking lowers blood pressure [@1]."]
    assert answer.doctor_questions == ["How much should I walk?"]


@pytest.mark.parametrize(
    ("research_heading", "doctor_heading"),
    [
        ("**What the research says**", "**What to ask your doctor:**"),
        ("WHAT THE RESEARCH SAYS", "What To Ask Your Doctor"),
        ("What the research says:", "Questions to ask your doctor"),
        ("## What does the research say?", "## What to ask your doctor"),
    ],
)
def test_heading_variants(research_heading: str, doctor_heading: str) -> None:
    text = legacy_text().replace("What the research says", research_heading)
    text = text.replace("What to ask your doctor", doctor_heading)

    assert parse_legacy(text) == parse_legacy(legacy_text())


def test_question_prefix_and_emphasis_are_stripped() -> None:
    answer = parse_legacy(legacy_text(question="**Question: Is walking good for my heart?**"))

    assert answer.question == "Is walking good for my heart?"
    assert answer.warnings == ["reference 1 has no details (stub)"]


def test_heading_without_question_mark_is_taken_with_a_doubt() -> None:
    answer = parse_legacy(legacy_text(question="# Walking and the heart"))

    assert answer.question == "Walking and the heart"
    assert [(doubt.kind, doubt.line, doubt.decision) for doubt in answer.doubts][0] == (
        "question",
        1,
        "taken as the question although it has no '?'",
    )


def test_plain_line_without_question_mark_is_no_question() -> None:
    with pytest.raises(LegacyFormatError, match="no question found"):
        parse_legacy(legacy_text(question="Walking and the heart"), "a.txt")


def test_summary_is_everything_between_question_and_first_section() -> None:
    text = legacy_text(
        summary="Walking helps most people,\nwhatever their age or\nfitness level.\n\nStart slowly."
    )

    answer = parse_legacy(text)

    assert answer.summary == (
        "Walking helps most people, whatever their age or fitness level.\n\nStart slowly."
    )


def test_summary_label_line_is_dropped() -> None:
    answer = parse_legacy(legacy_text(summary="## Summary\nYes, it helps."))

    assert answer.summary == "Yes, it helps."


# --- doctor questions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("- ", "- "),
        ("* ", "* "),
        ("+ ", "+ "),
        ("•", "•"),
        ("• ", "• "),
        ("  • ", "  • "),
        ("1. ", "2. "),
        ("1) ", "2) "),
        ("(1) ", "(2) "),
    ],
    ids=["dash", "star", "plus", "dot-tight", "dot", "dot-indented", "1.", "1)", "(1)"],
)
def test_doctor_question_bullet_styles(first: str, second: str) -> None:
    doctor = (f"{first}How far should I walk?", f"{second}Is running better?")

    answer = parse_legacy(legacy_text(doctor=doctor))

    assert answer.doctor_questions == ["How far should I walk?", "Is running better?"]
    assert answer.warnings == ["reference 1 has no details (stub)"]


def test_wrapped_doctor_question_continues_on_next_line() -> None:
    doctor = ("- How far should I walk each day if I have", "  heart failure?", "- Is it safe?")

    answer = parse_legacy(legacy_text(doctor=doctor))

    assert answer.doctor_questions == [
        "How far should I walk each day if I have heart failure?",
        "Is it safe?",
    ]


def test_doctor_questions_without_bullets_are_one_per_line() -> None:
    answer = parse_legacy(legacy_text(doctor=("How far should I walk?", "Is running better?")))

    assert answer.doctor_questions == ["How far should I walk?", "Is running better?"]
    assert answer.warnings == ["reference 1 has no details (stub)"]


def test_doctor_line_without_bullet_among_bullets_is_kept_with_warning() -> None:
    answer = parse_legacy(legacy_text(doctor=("- How far should I walk?", "Is running better?")))

    assert answer.doctor_questions == ["How far should I walk?", "Is running better?"]
    assert answer.warnings == [
        "line 7: a line in 'What to ask your doctor' has no bullet; kept as a question: "
        "'Is running better?'",
        "reference 1 has no details (stub)",
    ]


# --- confidence and review line ------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("High confidence", "high"),
        ("moderate confidence", "moderate"),
        ("Moderate Confidence", "moderate"),
        ("low confidence", "low"),
        ("very low confidence", "very-low"),
        ("Very-low confidence", "very-low"),
        ("VERY LOW CONFIDENCE", "very-low"),
        ("Confidence: moderate", "moderate"),
        ("*low certainty*", "low"),
    ],
)
def test_confidence_words_are_normalised(line: str, expected: str) -> None:
    answer = parse_legacy(legacy_text(meta=line))

    assert answer.confidence == expected
    assert answer.last_reviewed is None
    assert answer.summary == "Yes, regular walking helps most hearts."


def test_unknown_confidence_word_is_left_empty_with_warning() -> None:
    answer = parse_legacy(legacy_text(meta="medium confidence"))

    assert answer.confidence is None
    assert [(d.kind, d.line, d.text) for d in answer.doubts if d.kind == "confidence"] == [
        ("confidence", 2, "medium confidence")
    ]
    assert "'medium' is not a GRADE level" in answer.doubts[0].decision
    assert "medium" not in answer.body_markdown()


@pytest.mark.parametrize(
    ("raw_date", "expected"),
    [
        ("May 22, 2026", datetime.date(2026, 5, 22)),
        ("May 22 2026", datetime.date(2026, 5, 22)),
        ("Friday, May 22, 2026", datetime.date(2026, 5, 22)),
        ("22 May 2026", datetime.date(2026, 5, 22)),
        ("14 March 2025", datetime.date(2025, 3, 14)),
        ("14th of March, 2025", datetime.date(2025, 3, 14)),
        ("Sept. 3, 2024", datetime.date(2024, 9, 3)),
        ("2026-02-10", datetime.date(2026, 2, 10)),
        ("2026/02/10", datetime.date(2026, 2, 10)),
        ("25/12/2025", datetime.date(2025, 12, 25)),
        ("12/25/2025", datetime.date(2025, 12, 25)),
        ("03/03/2025", datetime.date(2025, 3, 3)),
    ],
)
def test_last_reviewed_date_forms(raw_date: str, expected: datetime.date) -> None:
    answer = parse_legacy(legacy_text(meta=f"Last reviewed {raw_date}"))

    assert answer.last_reviewed == expected
    assert answer.confidence is None
    assert answer.warnings == ["reference 1 has no details (stub)"]


@pytest.mark.parametrize("raw_date", ["03/04/2025", "3.4.2025", "03-04-2025"])
def test_ambiguous_numeric_date_is_never_guessed(raw_date: str) -> None:
    answer = parse_legacy(legacy_text(meta=f"Last reviewed {raw_date}"))

    assert answer.last_reviewed is None
    (doubt,) = [doubt for doubt in answer.doubts if doubt.kind == "review-date"]
    assert doubt.line == 2
    assert doubt.text == f"Last reviewed {raw_date}"
    assert doubt.decision.startswith(f"left empty: {raw_date!r} is ambiguous: 2025-04-03 if")


@pytest.mark.parametrize(
    ("raw_date", "problem"),
    [
        ("February 30, 2026", "is not a date this tool reads"),
        ("Smarch 3, 2026", "is not a date this tool reads"),
        ("13/13/2025", "is not a date this tool reads"),
        ("May 2026", "gives no day"),
        ("03/04/25", "has a two-digit year"),
    ],
)
def test_unreadable_date_is_left_empty_with_warning(raw_date: str, problem: str) -> None:
    answer = parse_legacy(legacy_text(meta=f"Last reviewed: {raw_date}"))

    assert answer.last_reviewed is None
    (doubt,) = [doubt for doubt in answer.doubts if doubt.kind == "review-date"]
    assert doubt.decision == f"left empty: {raw_date!r} {problem}"
    assert raw_date not in answer.body_markdown()


@pytest.mark.parametrize(
    "line",
    [
        "moderate confidence \u00a0\u00b7\u00a0 Last reviewed May 22, 2026",
        "moderate confidence · Last reviewed May 22, 2026",
        "moderate confidence·Last reviewed May 22, 2026",
        "Moderate confidence | Last reviewed: May 22, 2026",
        "**moderate confidence** · *Last reviewed May 22, 2026*",
        "moderate confidence\nLast reviewed May 22, 2026",
    ],
    ids=["nbsp", "spaces", "tight", "pipe", "emphasis", "two-lines"],
)
def test_review_line_with_both_parts(line: str) -> None:
    answer = parse_legacy(legacy_text(meta=line))

    assert answer.confidence == "moderate"
    assert answer.last_reviewed == datetime.date(2026, 5, 22)
    assert answer.summary == "Yes, regular walking helps most hearts."
    assert answer.warnings == ["reference 1 has no details (stub)"]


def test_review_line_may_stand_before_the_question() -> None:
    text = "Low confidence · Last reviewed 2026-02-10\n" + legacy_text()

    answer = parse_legacy(text)

    assert answer.question == "Is walking good for my heart?"
    assert (answer.confidence, answer.last_reviewed) == ("low", datetime.date(2026, 2, 10))


def test_sentence_about_confidence_stays_in_the_summary() -> None:
    summary = "Doctors have high confidence that walking helps."

    answer = parse_legacy(legacy_text(summary=summary))

    assert answer.summary == summary
    assert answer.confidence is None


# --- citations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "rewritten", "citations"),
    [
        ("Walking helps 1.", "Walking helps [@1].", [1]),
        ("Seen in Type 1 Diabetes 1.", "Seen in Type 1 Diabetes [@1].", [1]),
        (
            "It helps 2, 5. Also hearts 6,7.",
            "It helps [@2; @5]. Also hearts [@6; @7].",
            [2, 5, 6, 7],
        ),
        (
            "Does it help 3? Yes 4! Often 5; not always 6",
            "Does it help [@3]? Yes [@4]! Often [@5]; not always [@6]",
            [3, 4, 5, 6],
        ),
        ("It helps [4].", "It helps [@4].", [4]),
        ("It helps[4].", "It helps [@4].", [4]),
        ("It helps.[4] More text.", "It helps [@4]. More text.", [4]),
        ("It helps. [2, 5] More text.", "It helps [@2; @5]. More text.", [2, 5]),
        ("It helps [2-4].", "It helps [@2; @3; @4].", [2, 3, 4]),
        ("It helps [2–4].", "It helps [@2; @3; @4].", [2, 3, 4]),
        ("It helps [1][3].", "It helps [@1; @3].", [1, 3]),
        ("It helps [@3; @4].", "It helps [@3; @4].", [3, 4]),
    ],
)
def test_citation_forms(paragraph: str, rewritten: str, citations: list[int]) -> None:
    answer = research_of(paragraph)

    assert answer.research == [rewritten]
    assert answer.citations == citations
    assert answer.references == [{"id": str(number)} for number in citations]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Type 1 Diabetes is an autoimmune disease.",
        "Blocking interleukin-1 calms inflammation.",
        "The dose was semaglutide 1.0 mg once a week.",
        "It is used in stages 3 and 4.",
        "Screening is advised among people over 65.",
        "Many people caught COVID-19.",
        "Benefits appear after 12 weeks of walking.",
        "Risk fell by 7%.",
        "Risk fell by 7 %.",
        "Most patients have type 2.",
        "About 1 in 5.",
        "The trial enrolled 1,000.",
        "The trial enrolled 150.",
        "Check-ups are due on day 3.",
        "It was approved in May 2021.",
        "Results differ (see table 2).",
        "Phase 3.",
        "Patients aged 40 to 75.",
        "A ratio of 3:1.",
        "Version 2.0 of the guideline.",
        "See [the guideline](https://example.org/1) and [1](https://example.org/2).",
        "The range [5-2] is reversed.",
        "Published [2020].",
    ],
)
def test_prose_numbers_are_not_citations(paragraph: str) -> None:
    answer = research_of(paragraph)

    assert answer.research == [paragraph]
    assert answer.citations == []
    assert answer.references == []


@pytest.mark.parametrize(
    ("paragraph", "rewritten"),
    [
        ("[1] Walking helps.", "[@1] Walking helps."),
        ("Walking helps (see [1]).", "Walking helps (see [@1])."),
        ("Walking helps “[1]”.", "Walking helps “[@1]”."),
    ],
)
def test_bracket_citation_gets_no_space_at_start_or_after_an_opening_mark(
    paragraph: str, rewritten: str
) -> None:
    assert research_of(paragraph).research == [rewritten]


def test_citations_are_ordered_by_first_citation_across_summary_and_research() -> None:
    text = legacy_text(
        summary="Walking helps 4.",
        research=("Blood pressure falls 2. Mood improves 4, 1.", "Sleep improves [3]."),
    )

    answer = parse_legacy(text)

    assert answer.summary == "Walking helps [@4]."
    assert answer.research == [
        "Blood pressure falls [@2]. Mood improves [@4; @1].",
        "Sleep improves [@3].",
    ]
    assert answer.citations == [4, 2, 1, 3]
    assert [reference["id"] for reference in answer.references] == ["4", "2", "1", "3"]


def test_rewriting_keeps_the_rest_of_the_sentence_byte_identical() -> None:
    paragraph = "“Brisk” walking\u00a0— 30\u00a0minutes — helps 1. Its effect is small 2."

    answer = research_of(paragraph)

    assert answer.research == [
        "“Brisk” walking\u00a0— 30\u00a0minutes — helps [@1]. Its effect is small [@2]."
    ]


def test_doctor_questions_are_not_scanned_for_citations() -> None:
    answer = parse_legacy(legacy_text(doctor=("- Should I walk if I have stage 2?",)))

    assert answer.doctor_questions == ["Should I walk if I have stage 2?"]
    assert answer.citations == [1]


# --- references ------------------------------------------------------------------------

VANCOUVER_ENTRY = (
    "1. Schiller JT, Lowy DR. Clinical trials of human papillomavirus vaccines and beyond. "
    "Nat Rev Clin Oncol. 2013;10(7):400-410. doi:10.1038/nrclinonc.2013.84. PMID: 23736648"
)


def test_reference_list_fills_csl_details() -> None:
    answer = research_of("Vaccines work 1.", references=(VANCOUVER_ENTRY,))

    assert answer.references == [
        {
            "id": "1",
            "type": "article-journal",
            "author": [
                {"family": "Schiller", "given": "JT"},
                {"family": "Lowy", "given": "DR"},
            ],
            "title": "Clinical trials of human papillomavirus vaccines and beyond",
            "container-title": "Nat Rev Clin Oncol",
            "issued": 2013,
            "volume": "10",
            "issue": "7",
            "page": "400-410",
            "DOI": "10.1038/nrclinonc.2013.84",
            "PMID": "23736648",
        }
    ]
    assert answer.warnings == []


def test_reference_entry_styles_and_wrapped_lines() -> None:
    references = (
        "[1] Author. Title of the study. Journal of Walking. 2019;37(5):100-110.",
        "2) Roe R, van Dijk A, et al. Habitual exercise. Lancet. 2020 Mar 5;395(10227):e1.",
        "   https://doi.org/10.1016/S0140-6736(20)30183-5",
        "3. Brown K (2017). Steps and hearts. Nutrients, 9(3), 220-231. PMID: 28123456",
    )

    answer = research_of("Walking helps 1. It lasts 2. Steps count 3.", references=references)

    assert answer.references == [
        {
            "id": "1",
            "type": "article-journal",
            "title": "Title of the study",
            "container-title": "Journal of Walking",
            "issued": 2019,
            "volume": "37",
            "issue": "5",
            "page": "100-110",
            # "Author" reads as no name: the entry is kept whole, and doubted.
            "note": "Author. Title of the study. Journal of Walking. 2019;37(5):100-110.",
        },
        {
            "id": "2",
            "type": "article-journal",
            "author": [
                {"family": "Roe", "given": "R"},
                {"family": "van Dijk", "given": "A"},
                {"literal": "et al."},
            ],
            "title": "Habitual exercise",
            "container-title": "Lancet",
            "issued": {"date-parts": [[2020, 3, 5]]},
            "volume": "395",
            "issue": "10227",
            "page": "e1",
            "DOI": "10.1016/S0140-6736(20)30183-5",
        },
        {
            "id": "3",
            "type": "article-journal",
            "author": [{"family": "Brown", "given": "K"}],
            "title": "Steps and hearts",
            "container-title": "Nutrients",
            "issued": 2017,
            "volume": "9",
            "issue": "3",
            "page": "220-231",
            "PMID": "28123456",
        },
    ]
    assert [(d.kind, d.number, d.line) for d in answer.doubts] == [("reference", 1, 8)]


@pytest.mark.parametrize(
    ("entry", "unread"),
    [
        (
            "1. Smith J, Doe A. Walking and the heart. J Heart Stud. 2020;12(3):45-67. "
            "doi:10.1000/xyz123. Erratum in: J Heart Stud. 2021;13:1.",
            "Erratum in J Heart Stud 2021 13 1",
        ),
        (
            "1. Brown K. Short walks. Lancet. 2019;1:2. PMID: 12345678 [Retracted] "
            "(accessed 3 March 2020)",
            "Retracted accessed 3 March 2020",
        ),
        ("1. Brown Kate, Roe R. Short walks. Lancet. 2019;1:2.", "Brown Kate Roe R"),
        ("1. Roe R. Walking. Lancet. 2019 Suppl;1:2.", "Suppl"),
    ],
)
def test_a_reference_read_in_part_is_kept_whole_as_note_and_doubted(entry, unread) -> None:
    # Whatever the entry says that no field holds (an erratum, a retraction, a name
    # that does not read) is never dropped: the whole entry is its note, and a doubt
    # asks a reviewer to look.
    answer = research_of("Walking helps 1.", references=(entry,))

    (item,) = answer.references
    assert item["note"] == entry[3:]
    (doubt,) = answer.doubts
    assert (doubt.kind, doubt.number) == ("reference", 1)
    assert f"not in any field: {unread!r}" in doubt.decision


def test_a_reference_read_whole_has_no_note_and_no_doubt() -> None:
    answer = research_of("Vaccines work 1.", references=(VANCOUVER_ENTRY,))

    assert "note" not in answer.references[0] and answer.doubts == []


def test_reference_without_readable_title_keeps_only_what_was_read() -> None:
    references = ("1. Walking guidance, see doi:10.1000/xyz123 for details",)

    answer = research_of("Walking helps 1.", references=references)

    assert answer.references == [
        {
            "id": "1",
            "DOI": "10.1000/xyz123",
            "note": "Walking guidance, see doi:10.1000/xyz123 for details",
        }
    ]
    assert answer.warnings == ["reference 1: title and journal could not be read; kept as note"]
    (doubt,) = answer.doubts
    assert (doubt.kind, doubt.number, doubt.decision) == (
        "reference",
        1,
        "title and journal could not be read; the whole entry is kept as its note",
    )


def test_a_title_with_a_question_and_a_subtitle_is_read_whole() -> None:
    entry = "1. Doe J, Roe R. Does it last? A review of trials. BMJ. 2013;11(1):5-13."

    answer = research_of("Walking helps 1.", references=(entry,))

    (item,) = answer.references
    assert (item["title"], item["container-title"]) == ("Does it last? A review of trials", "BMJ")
    assert "note" not in item and answer.doubts == []


def test_listed_but_uncited_reference_is_kept_last_with_warning() -> None:
    references = (VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1.")

    answer = research_of("Vaccines work 1.", references=references)

    assert [reference["id"] for reference in answer.references] == ["1", "2"]
    assert answer.citations == [1]
    assert answer.warnings == ["reference 2 is listed but never cited"]


def test_cited_number_missing_from_the_list_is_a_stub() -> None:
    answer = research_of("Vaccines work 1. Boosters help [7].", references=(VANCOUVER_ENTRY,))

    assert answer.citations == [1, 7]
    assert answer.references[1] == {"id": "7"}
    assert "reference 7 is cited but not in the References list (stub)" in answer.warnings


def test_reference_list_decides_which_sentence_final_numbers_are_citations() -> None:
    references = (VANCOUVER_ENTRY, "4. Roe R. Walking. Lancet. 2020;1:1.")

    answer = research_of(
        "Vaccines work 1. The trial enrolled 12. It is given in stages 3 and 4.",
        references=references,
    )

    assert answer.research == [
        "Vaccines work [@1]. The trial enrolled 12. It is given in stages 3 and 4."
    ]
    assert answer.citations == [1]
    assert answer.warnings == ["reference 4 is listed but never cited"]
    assert [doubt.to_dict() for doubt in answer.doubts] == [
        {
            "kind": "citation",
            "line": 4,
            "number": 12,
            "text": "Vaccines work 1. The trial enrolled 12. It is given in stages 3 and 4.",
            "decision": "kept as prose: the References list has no 12",
        },
        {
            "kind": "citation",
            "line": 4,
            "number": 4,
            "text": "Vaccines work 1. The trial enrolled 12. It is given in stages 3 and 4.",
            "decision": "kept as prose: after '3 and', although the References list has 4",
        },
        {
            "kind": "reference",
            "line": 9,
            "number": 4,
            "text": "Walking",
            "decision": "kept in the references, but the text cites it nowhere: qa validate "
            "reports it (reference-uncited, an error) until it is cited or removed",
        },
    ]


def test_a_number_right_after_a_number_cites_a_listed_reference_nothing_else_cites() -> None:
    references = (VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1.")

    answer = research_of(
        "Rest helps 1. Patients walked on day 2. Pain eased by week 6 2. Most were well.",
        references=references,
    )

    assert answer.research == [
        "Rest helps [@1]. Patients walked on day 2. Pain eased by week 6 [@2]. Most were well."
    ]
    assert [(d.number, d.decision.split(":")[0]) for d in answer.doubts] == [
        (2, "kept as prose"),
        (2, "converted to [@2]"),
    ]
    assert not [d for d in answer.doubts if d.kind == "reference"]


def test_a_number_after_a_number_stays_prose_when_its_reference_is_cited_elsewhere() -> None:
    references = (VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1.")

    answer = research_of("Rest helps [1]. Walking helps [2]. Pain eased by week 6 2.", references)

    assert answer.research == ["Rest helps [@1]. Walking helps [@2]. Pain eased by week 6 2."]
    assert [(d.number, d.decision) for d in answer.doubts] == [
        (2, "kept as prose: after the number '6', although the References list has 2")
    ]


@pytest.mark.parametrize("count", ["2 of 3", "1 in 3", "2 to 3", "2 or 3"])
def test_a_count_between_two_numbers_stays_prose_with_a_doubt(count: str) -> None:
    references = (VANCOUVER_ENTRY, "3. Roe R. Walking. Lancet. 2020;1:1.")

    answer = research_of(f"Rest helps 1. Symptoms improved in {count}.", references)

    assert answer.research == [f"Rest helps [@1]. Symptoms improved in {count}."]
    citation_doubts = [d for d in answer.doubts if d.kind == "citation"]
    assert [d.number for d in citation_doubts] == [3]
    assert citation_doubts[0].decision.startswith("kept as prose: after ")


def test_a_listed_reference_nothing_cites_is_a_doubt_naming_the_validate_error() -> None:
    references = (VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1.")

    answer = research_of("Rest helps 1.", references)

    assert [(d.kind, d.number, d.line) for d in answer.doubts] == [("reference", 2, 9)]
    assert "reference-uncited" in answer.doubts[0].decision


def test_each_number_of_a_doubtful_citation_has_its_own_doubt() -> None:
    references = (VANCOUVER_ENTRY,)

    answer = research_of("Rest helps 1. Boosters help [7, 8].", references)

    assert [(d.kind, d.number) for d in answer.doubts] == [("citation", 7), ("citation", 8)]


def test_reference_list_without_heading_is_found_after_the_questions() -> None:
    text = legacy_text(doctor=("- Is it safe?", VANCOUVER_ENTRY))

    answer = parse_legacy(text)

    assert answer.doctor_questions == ["Is it safe?"]
    assert answer.references[0]["DOI"] == "10.1038/nrclinonc.2013.84"
    assert "the References list has no heading" in answer.warnings


def test_numbered_research_line_with_a_year_is_not_taken_for_a_reference() -> None:
    answer = research_of("1. In 2019; 5 trials were run and 3 showed a benefit.")

    assert answer.research == ["1. In 2019; 5 trials were run and 3 showed a benefit."]
    assert answer.references == []
    assert answer.warnings == []


def test_repeated_warning_is_reported_once() -> None:
    answer = research_of("It enrolled 12. It enrolled 12.", references=(VANCOUVER_ENTRY,))

    assert answer.warnings == ["reference 1 is listed but never cited"]


def test_a_list_without_numbers_is_matched_to_the_citations_by_place_and_doubted() -> None:
    references = (
        "Lee, K. and Roe, R. (2015) 'Walks', BMJ, 3(1), pp. 4-9.",
        "van Straten, A. et al. (2018) 'Sleep', Sleep Med Rev, 38, pp. 3-16.",
    )
    answer = research_of("Walking helps [1]. Sleep too [2].", references=references)

    assert [r["title"] for r in answer.references] == ["Walks", "Sleep"]
    assert answer.references[1]["author"][0] == {"family": "van Straten", "given": "A"}
    assert [(d.number, d.decision) for d in answer.doubts] == [
        (n, f"the list has no numbers: matched to citation {n} by its place; check that "
         "it is the work cited")
        for n in (1, 2)
    ]  # fmt: skip


def test_entries_without_numbers_that_match_no_citation_are_kept_apart() -> None:
    references = ("- Smith J. Walking. BMJ. 2001;1:1.", "- Roe R. Running. BMJ. 2002;2:2.")
    answer = research_of("Walking helps [1].", references=references)

    assert answer.references == [
        {"id": "1"},
        {
            "id": "unnumbered-1",
            "type": "article-journal",
            "author": [{"family": "Smith", "given": "J"}],
            "title": "Walking",
            "container-title": "BMJ",
            "issued": 2001,
            "volume": "1",
            "page": "1",
        },
        {
            "id": "unnumbered-2",
            "type": "article-journal",
            "author": [{"family": "Roe", "given": "R"}],
            "title": "Running",
            "container-title": "BMJ",
            "issued": 2002,
            "volume": "2",
            "page": "2",
        },
    ]
    assert answer.warnings == [
        "a References entry has no number; kept as reference unnumbered-1",
        "a References entry has no number; kept as reference unnumbered-2",
        "reference 1 has no details (stub)",
    ]
    assert [d.kind for d in answer.doubts] == ["reference", "reference"]


# --- footer -------------------------------------------------------------------------------


def test_footer_names_the_topic_and_is_removed() -> None:
    footer = (
        "This question is drawn from common patient questions about Heart and Vascular\n"
        "Health and answered using cited medical research.\n"
        "We do not provide individualised advice."
    )

    answer = parse_legacy(legacy_text(footer=footer))

    assert answer.topic == "Heart and Vascular Health"
    assert "drawn from" not in answer.body_markdown()
    assert "advice" not in answer.body_markdown()
    assert answer.doctor_questions == ["How much should I walk?"]


def test_footer_joined_to_the_last_question_is_cut_off() -> None:
    text = legacy_text(footer=None).rstrip("\n") + " " + FOOTER

    answer = parse_legacy(text)

    assert answer.topic == "Cardiology"
    assert answer.doctor_questions == ["How much should I walk?"]


def test_footers_naming_different_topics_keep_the_first_with_warning() -> None:
    other_footer = FOOTER.replace("Cardiology", "Oncology")

    answer = parse_legacy(legacy_text(footer=f"{FOOTER}\n{other_footer}"))

    assert answer.topic == "Cardiology"
    assert [(d.kind, d.text, d.decision) for d in answer.doubts if d.kind == "topic"] == [
        ("topic", "Oncology", "used 'Cardiology' (line 7); the text also names 'Oncology'")
    ]


def test_missing_footer_leaves_topic_empty_with_warning() -> None:
    answer = parse_legacy(legacy_text(footer=None))

    assert answer.topic is None
    assert answer.warnings == ["topic not found in footer", "reference 1 has no details (stub)"]


# --- rejected input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input"),
        (b" \r\n\t\n  ", "empty input"),
        ("   \n", "empty input"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
        (bytes(range(1, 32)) * 4, "looks binary"),
        (b"\xff\xfeA", "not valid UTF-16"),
        (b"What the research says\nWalking helps 1.\n", "no question found"),
        (b"Mode\nShare\nWhat to ask your doctor\n- Is it safe?\n", "no question found"),
        (b"Is walking good?\nYes it is.\n", "no 'What the research says' or"),
        (b"Is walking good?\nReferences\n1. Smith J. Walking. BMJ. 2001;1:1.\n", "no 'What"),
        (b"---\nid: walking\ntitle: Walking\n---\nWhat the research says\nx\n", "front matter"),
        (b"x" * 400 + b"\nWhat the research says\nx\n", "no question found"),
        (b"Why? " * 80 + b"\nWhat the research says\nx\n", "399 characters"),
    ],
    ids=[
        "empty",
        "whitespace",
        "whitespace-text",
        "png",
        "controls",
        "bad-utf16",
        "no-question",
        "only-chrome-before-section",
        "no-sections",
        "only-references",
        "front-matter",
        "paragraph-as-question",
        "question-too-long",
    ],
)
def test_input_that_is_not_an_answer_is_rejected(data: bytes | str, message: str) -> None:
    with pytest.raises(LegacyFormatError) as caught:
        parse_legacy(data, "archive/bad.txt")

    assert str(caught.value).startswith("archive/bad.txt: ")
    assert message in str(caught.value)


def test_decode_legacy_rejects_binary() -> None:
    with pytest.raises(LegacyFormatError, match=r"^dump\.bin: looks binary"):
        decode_legacy(b"\x00\x01\x02", "dump.bin")


# --- body -------------------------------------------------------------------------------


def test_body_markdown_layout() -> None:
    text = legacy_text(
        research=("Walking lowers blood pressure 1.", "It also helps mood [2]."),
        doctor=("- How much should I walk?", "- Is running better?"),
    )

    body = parse_legacy(text).body_markdown()

    assert body == (
        "Yes, regular walking helps most hearts.\n"
        "\n"
        "## What the research says\n"
        "\n"
        "Walking lowers blood pressure [@1].\n"
        "\n"
        "It also helps mood [@2].\n"
        "\n"
        "## What to ask your doctor\n"
        "\n"
        "- How much should I walk?\n"
        "- Is running better?\n"
    )


def test_missing_doctor_section_is_a_warning_and_left_out_of_the_body() -> None:
    text = "Is walking good?\nYes.\nWhat the research says\nIt helps 1.\n"

    answer = parse_legacy(text)

    assert answer.doctor_questions == []
    assert answer.warnings == [
        "topic not found in footer",
        "no 'What to ask your doctor' section",
        "reference 1 has no details (stub)",
    ]
    assert answer.body_markdown() == "Yes.\n\n## What the research says\n\nIt helps [@1].\n"


def test_missing_research_section_is_a_warning() -> None:
    text = "Is walking good?\nYes.\nWhat to ask your doctor\n- How far?\n" + FOOTER

    answer = parse_legacy(text)

    assert answer.research == []
    assert answer.warnings == ["no 'What the research says' section"]
    assert answer.body_markdown() == "Yes.\n\n## What to ask your doctor\n\n- How far?\n"


# --- properties and speed -------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes_give_an_answer_or_a_legacy_format_error(data: bytes) -> None:
    try:
        answer = parse_legacy(data)
    except LegacyFormatError:
        return
    assert isinstance(answer, LegacyAnswer)
    assert answer.body_markdown().endswith("\n")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_an_answer_or_a_legacy_format_error(text: str) -> None:
    try:
        answer = parse_legacy(text)
    except LegacyFormatError:
        return
    assert isinstance(answer, LegacyAnswer)


LEGACY_FRAGMENTS = st.sampled_from(
    [
        "What the research says",
        "## What to ask your doctor",
        "References",
        "# Is it safe?",
        "- Is it safe?",
        "  • Is it safe?",
        "1. Smith J. Walking. BMJ. 2001;1(2):3-4. doi:10.1/abc PMID: 12",
        "moderate confidence\u00a0·\u00a0Last reviewed 03/04/2025",
        "Last reviewed February 30, 2026",
        "very low confidence",
        "Mode",
        "It helps 1.",
        "It helps [2-4].",
        "[0-999]",
        "over 65.",
        FOOTER,
        "\n",
        "\r\n",
        " ",
        ",",
        "·",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(LEGACY_FRAGMENTS, st.text(max_size=8)), max_size=25))
def test_shuffled_legacy_fragments_give_an_answer_or_a_legacy_format_error(
    fragments: list[str],
) -> None:
    text = "".join(fragments)
    try:
        answer = parse_legacy(text)
    except LegacyFormatError:
        return
    assert answer.body_markdown().endswith("\n")
    assert not answer.body_markdown().endswith("\n\n")
    cited = answer.references[: len(answer.citations)]  # then listed ones, kept apart ones
    assert [int(reference["id"]) for reference in cited] == answer.citations


PROSE_WITHOUT_DIGITS = (
    st.text(
        alphabet=st.characters(
            categories=("L", "Zs"), exclude_characters="[]@#*_", max_codepoint=0x2FF
        ),
        min_size=1,
        max_size=80,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=200, deadline=None)
@given(PROSE_WITHOUT_DIGITS)
def test_prose_without_numbers_passes_through_unchanged(prose: str) -> None:
    paragraph = f"Walking helps {prose}."

    answer = research_of(paragraph)

    assert answer.research == [paragraph]
    assert answer.citations == []


def test_docstring_examples_hold() -> None:
    results = doctest.testmod(legacy, optionflags=doctest.NORMALIZE_WHITESPACE)

    assert results.attempted > 0
    assert results.failed == 0


# --- behaviours of the evidence model and the input forms --------------------------------


def _hostile(n: int) -> str:
    """A legacy text whose research paragraph repeats every shape the parser scans for."""
    unit = (
        "[1] [2, 3](x) (4) (5, 6 ¹²³ ^7^ <sup>8</sup> <b <i>x</i> &amp; &#99999999; "
        "over 65 1, 2, 3 Home > A > B **Confidence:** x 03/04/2026 doi:10.1/x "
    )
    paragraph = (unit * n)[: n * len(unit)]
    return legacy_text(research=(paragraph + " 1.",), doctor=("- Is it?",))


def test_hostile_text_of_60_kb_converts_in_linear_time() -> None:
    assert len(_hostile(600)) > 60_000
    timings = []
    for n in (60, 600):
        started = time.perf_counter()
        parse_legacy(_hostile(n))
        timings.append(time.perf_counter() - started)
    assert timings[1] < max(1.0, 10 * timings[0] * 10), timings


def test_hostile_long_line_of_spaces_and_brackets_is_linear() -> None:
    started = time.perf_counter()
    parse_legacy(legacy_text(research=("x" + " " * 30_000 + "[" * 30_000 + " 1.",)))
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("paragraph", "references", "expected", "doubted"),
    [
        # the References list decides; grammar keeps quantities as prose
        ("It helps 1. Lower doses help too 2.", ("1. A.", "2. B."), "too [@2].", []),
        ("It helps 1. It works at lower doses 2.", ("1. A.", "3. B."), "doses 2.", [2]),
        ("It helps 1. It lasts 2. Most were over 65.", None, "over 65.", []),
        ("It helps 1. It is given as dose 2.", ("1. A.", "2. B."), "dose 2.", [2]),
        ("It helps 1. It lasts 2. In 2019.", None, "In 2019.", []),
        ("It helps 1. Seen in stages 3 and 4.", ("1. A.", "4. B."), "3 and 4.", [4]),
        # styles: parentheses, superscripts, <sup>, carets, brackets
        ("It helps (1). It lasts (2).", None, "helps [@1]. It lasts [@2].", []),
        ("It helps 10% (1,2). It lasts (3).", ("1. A.", "2. B.", "3. C."), "10% [@1; @2].", []),
        ("Steps: (1) rest, (2) fluids. It helps (1).", ("1. A.",), "(1) rest, (2) fluids", []),
        ("It helps¹. It lasts²˒³.", None, "helps [@1]. It lasts [@2; @3].", []),
        ("Area of 10 m². It helps¹.", None, "10 m².", []),
        ("It helps<sup>1</sup>. Also^2^.", None, "helps [@1]. Also [@2].", []),
        ("It helps.[1] Also [2-3].", None, "helps [@1]. Also [@2; @3].", []),
        # an explicit citation of an unlisted number is kept, with a doubt
        ("It helps [1]. Also [4].", ("1. A.",), "Also [@4].", [4]),
        # a single bare number in a text with no list: converted, with a doubt
        ("It helps 1.", None, "helps [@1].", [1]),
        # a bare number in a text that cites in brackets elsewhere
        ("It helps [1]. It lasts 2.", None, "lasts [@2].", [2]),
    ],
)
def test_citation_decisions_on_the_evidence(
    paragraph: str, references: tuple[str, ...] | None, expected: str, doubted: list[int]
) -> None:
    answer = research_of(paragraph, references=references)

    assert expected in answer.research[0]
    assert [d.number for d in answer.doubts if d.kind == "citation"] == doubted
    assert all(d.line == 4 for d in answer.doubts if d.kind == "citation")


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-32", b""),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16", b""),
    ],
)
def test_encodings_by_bom_then_by_content(encoding: str, bom: bytes) -> None:
    text = legacy_text(question="Is caf\u00e9 coffee safe?").replace("\n", "\r\n")

    answer = parse_legacy(bom + text.encode(encoding))

    assert answer.question == "Is caf\u00e9 coffee safe?"
    assert answer.research == ["Walking lowers blood pressure [@1]."]


def test_html_entities_and_stray_tags_are_decoded_or_removed() -> None:
    text = legacy_text(
        question="<h1>Is walking good for my heart?</h1>",
        summary="<p>Yes &amp; it&#8217;s <b>cheap</b>.</p>",
        research=("<p>Walking lowers blood pressure 1.</p>",),
        doctor=("<ul><li>How far?</li><li>How fast?</li></ul>",),
    )

    answer = parse_legacy(text)

    assert answer.question == "Is walking good for my heart?"
    assert answer.summary == "Yes & it\u2019s cheap."
    assert answer.doctor_questions == ["How far?", "How fast?"]
    assert "<" not in answer.body_markdown()


@pytest.mark.parametrize(
    "chrome",
    [
        "Home > Health A-Z > Asthma",
        "You are here: Home / Conditions / Heart",
        "Home › Heart › Walking",
        "Was this page helpful?",
        "Yes | No",
        "\u00a9 2026 Patient Answers. All rights reserved.",
        "Share on Facebook | Tweet | Email",
    ],
)
def test_breadcrumbs_and_more_chrome_are_never_the_question(chrome: str) -> None:
    answer = parse_legacy(f"{chrome}\n" + legacy_text())

    assert answer.question == "Is walking good for my heart?"
    assert chrome not in answer.body_markdown()
    assert [doubt.kind for doubt in answer.doubts] == ["citation"]  # the one bare citation


def test_wrapped_question_is_joined() -> None:
    answer = parse_legacy(legacy_text(question="Is walking good\nfor my heart?"))

    assert answer.question == "Is walking good for my heart?"
    assert answer.summary == "Yes, regular walking helps most hearts."


def test_labelled_fields_give_question_topic_confidence_and_date() -> None:
    text = (
        "Question: Is walking good for my heart?\nTopic: Cardiology\n"
        "**Confidence:** Moderate\nReviewed: 2025-11-03\nYes.\n"
        "What the research says\nWalking helps 1. Running too 1.\n"
        "What to ask your doctor\n- How far?\n"
    )

    answer = parse_legacy(text)

    assert (answer.question, answer.topic, answer.confidence, answer.last_reviewed) == (
        "Is walking good for my heart?",
        "Cardiology",
        "moderate",
        datetime.date(2025, 11, 3),
    )
    assert answer.summary == "Yes."
    assert answer.doubts == []


def test_review_line_with_a_plain_hyphen_is_read_and_removed() -> None:
    answer = parse_legacy(legacy_text(meta="low confidence  -  Last reviewed 14 March 2025"))

    assert (answer.confidence, answer.last_reviewed) == ("low", datetime.date(2025, 3, 14))
    assert "confidence" not in answer.summary


def test_a_sentence_ending_in_confidence_is_not_a_review_line() -> None:
    text = legacy_text(research=("Walking builds confidence.", "Walking helps 1. Running too 1."))

    answer = parse_legacy(text)

    assert answer.research[0] == "Walking builds confidence."
    assert answer.confidence is None


def test_last_updated_is_not_a_review() -> None:
    answer = parse_legacy(legacy_text(meta="Last updated: 2 February 2025"))

    assert answer.last_reviewed is None
    assert any("not a review date" in warning for warning in answer.warnings)


def test_apa_authors_keep_initials_and_et_al() -> None:
    answer = research_of(
        "It helps 1. Also 1.",
        references=("1. Chiu, H. Y., Lee, K., et al. (2020). Sleep. Sleep Med, 1(2), 3-4.",),
    )

    assert answer.references[0]["author"] == [
        {"family": "Chiu", "given": "HY"},
        {"family": "Lee", "given": "K"},
        {"literal": "et al."},
    ]


def test_related_links_after_the_answer_are_chrome_not_questions() -> None:
    text = legacy_text(
        doctor=("- How far should I walk?", "Related questions", "- Is coffee bad for me?")
    )

    answer = parse_legacy(text)

    assert answer.doctor_questions == ["How far should I walk?"]
    assert "coffee" not in answer.body_markdown()


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Rest helps [1]. One study [2], [3].", "Rest helps [@1]. One study [@2; @3]."),
        ("Rest helps [1]. One study [2]; [3].", "Rest helps [@1]. One study [@2; @3]."),
        (
            "Rest helps [1]. One study [2],[3] shows it.",
            "Rest helps [@1]. One study [@2; @3] shows it.",
        ),
        ("Rest helps [1]. One study, [3].", "Rest helps [@1]. One study, [@3]."),
        (
            "Rest helps [1]. One study.[2] Also, [3].",
            "Rest helps [@1]. One study [@2]. Also, [@3].",
        ),
    ],
)
def test_a_comma_between_or_before_brackets_is_never_moved_into_a_stray_stop(
    paragraph: str, expected: str
) -> None:
    answer = research_of(paragraph)

    assert answer.research == [expected]
    assert ",." not in answer.research[0]


@pytest.mark.parametrize("joiner", ["\n", " ", "\n\n"])
def test_text_after_the_footer_is_reported_never_dropped_silently(joiner: str) -> None:
    text = legacy_text(references=(VANCOUVER_ENTRY,)).rstrip("\n") + joiner + "Extra line\n"

    answer = parse_legacy(text)
    lines = text.split("\n")
    line = next(number for number, shown in enumerate(lines, 1) if "Extra line" in shown)

    assert f"line {line}: text after the footer was not used: 'Extra line'" in answer.warnings
    assert "Extra line" not in json_dump(answer)


def test_chrome_and_closing_tags_after_the_footer_are_not_reported() -> None:
    text = legacy_text(footer=f"<p>{FOOTER}</p>") + "Back to top\n</body>\n"

    answer = parse_legacy(text)

    assert not [w for w in answer.warnings if "after the footer" in w]


def json_dump(answer: LegacyAnswer) -> str:
    return repr(dataclasses.replace(answer, warnings=[]))


@pytest.mark.parametrize("noun", ["lower doses", "both types", "later stages"])
def test_a_bare_number_after_a_plural_noun_with_no_list_cites_with_a_doubt(noun: str) -> None:
    answer = research_of(f"Statins help 1. Switch to {noun} 2. Diabetes rose over 4 years 3.")

    assert answer.research == [
        f"Statins help [@1]. Switch to {noun} [@2]. Diabetes rose over 4 years [@3]."
    ]
    assert [(d.number, d.decision.split(":")[0]) for d in answer.doubts] == [
        (2, "converted to [@2]")
    ]


def test_a_lone_bare_number_after_a_plural_noun_with_no_list_is_a_doubt() -> None:
    answer = research_of("Switch to lower doses 2.")

    assert [d.number for d in answer.doubts if d.kind == "citation"] == [2]


def test_a_plural_noun_number_the_list_and_sequence_confirm_has_no_doubt() -> None:
    answer = research_of(
        "Aspirin helps 1. It works at higher doses 2.",
        references=(VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1."),
    )

    assert answer.research == ["Aspirin helps [@1]. It works at higher doses [@2]."]
    assert not answer.doubts


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "2. ASCEND Study Collaborative Group. Effects of aspirin. N Engl J Med. "
            "2018;379(16):1529-1539.",
            {"author": [{"literal": "ASCEND Study Collaborative Group"}], "page": "1529-1539"},
        ),
        (
            "2. PALISADE Group of Clinical Investigators, Vickery BP, et al. AR101 oral "
            "immunotherapy. N Engl J Med. 2018;379(21):1991-2001.",
            {
                "author": [
                    {"literal": "PALISADE Group of Clinical Investigators"},
                    {"family": "Vickery", "given": "BP"},
                    {"literal": "et al."},
                ]
            },
        ),
        (
            "2. Halmos EP, Muir JG. A diet low in FODMAPs. Gastroenterology. 2014;146(1):67-75.e5.",
            {"page": "67-75.e5", "volume": "146", "issue": "1"},
        ),
        (
            "2. Cooney, G. M., Dwan, K., et al. (2013). Exercise for depression. Cochrane "
            "Database of Systematic Reviews, (9), CD004366.",
            {
                "container-title": "Cochrane Database of Systematic Reviews",
                "issue": "9",
                "page": "CD004366",
                "author": [
                    {"family": "Cooney", "given": "GM"},
                    {"family": "Dwan", "given": "K"},
                    {"literal": "et al."},
                ],
            },
        ),
    ],
)
def test_references_keep_group_authors_page_suffixes_and_apa_issue_only_sources(
    entry: str, expected: dict
) -> None:
    answer = research_of("Aspirin helps [2].", references=(entry,))

    (reference,) = answer.references
    assert {key: reference.get(key) for key in expected} == expected


# --- links in pasted HTML -------------------------------------------------------------------


def test_a_link_in_pasted_html_keeps_its_target_as_a_markdown_link() -> None:
    answer = research_of(
        '<p>See the <a class="x" href="https://ods.od.nih.gov/VitaminD/?a=1&amp;b=2">NIH '
        "fact sheet</a> and <a href='https://example.org/a (b)'>this</a> 1.</p>"
    )

    assert answer.research == [
        "See the [NIH fact sheet](https://ods.od.nih.gov/VitaminD/?a=1&b=2) and "
        "[this](<https://example.org/a (b)>) [@1]."
    ]
    assert answer.warnings == ["reference 1 has no details (stub)"]


def test_a_link_target_a_page_may_not_link_to_is_named_in_a_warning() -> None:
    answer = research_of(
        '<p>Read <a href="/factsheets/">the list</a>, <a href="javascript:x()">this</a> '
        'and <a href="#top">the top</a> [1].</p>'
    )

    assert answer.research == ["Read the list, this and the top [@1]."]
    assert answer.warnings[:2] == [
        "line 4: the link target '/factsheets/' of 'the list' was not kept (not an http, "
        "https or mailto address)",
        "line 4: the link target 'javascript:x()' of 'this' was not kept (not an http, "
        "https or mailto address)",
    ]


def test_a_bracketed_citation_in_a_superscript_leaves_no_tag_behind() -> None:
    answer = research_of(
        "<p>It was linked to fewer attacks<sup>[1]</sup>, from the 2<sup>nd</sup> week "
        "on<sup>1&ndash;2</sup>.</p>",
        references=(VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1."),
    )

    assert answer.research == [
        "It was linked to fewer attacks [@1], from the 2nd week on [@1; @2]."
    ]


def test_footnotes_after_the_doctor_questions_are_doubted_and_marked_numbers_cited() -> None:
    text = legacy_text(
        summary="Most sore throats get better within a week.*",
        research=("It shortened a sore throat by 16 hours 1.† Strep causes 1 in 4 2‡.",),
        doctor=("- Do I need a test?", "* In adults who are otherwise well.", "† Data from 2000."),
        references=(VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1."),
    )
    answer = parse_legacy(text)

    assert answer.research == [
        "It shortened a sore throat by 16 hours [@1].† Strep causes 1 in 4 [@2]‡."
    ]
    assert answer.doctor_questions == [
        "Do I need a test?",
        "In adults who are otherwise well.",
        "† Data from 2000.",
    ]
    # "1 in 4 2": the 2 after a number is doubted; each footnote too.
    assert [(d.kind, d.line) for d in answer.doubts] == [
        ("citation", 4),
        ("question", 7),
        ("question", 8),
    ]


def test_markdown_footnotes_are_citations_and_their_definitions_the_references() -> None:
    text = legacy_text(
        research=(
            "Flying did not raise the risk of miscarriage[^1]. Long flights raise the risk "
            "of clots slightly[^2].",
            "",
            "[^1]: Magann EF, et al. Air travel. Obstet Gynecol Surv. 2010;65(6):396-402.",
            "[^2]: Royal College of Obstetricians. Air Travel. Scientific Impact Paper No. 1. "
            "2013. doi:10.1000/rcog.1",
        ),
    )
    answer = parse_legacy(text)

    assert answer.research == [
        "Flying did not raise the risk of miscarriage [@1]. Long flights raise the risk of "
        "clots slightly [@2]."
    ]
    first, second = answer.references
    assert (first["volume"], first["issue"], first["page"]) == ("65", "6", "396-402")
    assert second["DOI"] == "10.1000/rcog.1" and "Paper No. 1" in second["note"]
    assert [d.kind for d in answer.doubts] == ["reference"]  # the second reads in part


def test_a_number_after_an_abbreviation_that_names_it_is_prose() -> None:
    answer = research_of(
        "It is set out in Paper No. 2. Walking helps 1.",
        references=(VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1."),
    )

    assert answer.research[0].startswith("It is set out in Paper No. 2. Walking helps [@1].")


def test_a_hand_wrapped_line_starting_with_a_citation_number_is_joined() -> None:
    answer = research_of(
        "Weight loss of at least 10% of body weight added to the\n"
        "benefit in the trials\n"
        "2. Injections of steroids gave short relief but were not better\n"
        "than exercise 1.",
        references=(VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1."),
    )

    assert answer.research == [
        "Weight loss of at least 10% of body weight added to the benefit in the trials [@2]. "
        "Injections of steroids gave short relief but were not better than exercise [@1]."
    ]


def test_a_few_windows_1252_bytes_in_a_utf8_text_leave_the_utf8_alone() -> None:
    text = legacy_text(
        meta="moderate confidence · Last reviewed 22 May 2025",
        summary="Most hay fever \x00DASH the doctor\x00APOSs view, says Schünemann.",
    )
    data = text.encode("utf-8").replace(b"\x00DASH", b"\x96").replace(b"\x00APOS", b"\x92")
    answer = parse_legacy(data)

    assert answer.summary == "Most hay fever – the doctor’s view, says Schünemann."
    assert answer.confidence == "moderate"
    assert "line 3: bytes that are not UTF-8 in a UTF-8 text, read as Windows-1252" in (
        answer.warnings
    )


def test_indented_sub_questions_stay_under_their_question() -> None:
    answer = parse_legacy(
        legacy_text(
            doctor=(
                "- When can I go back to:",
                "  - work or school?",
                "  - driving?",
                "- Do I need a scan?",
                "Call 999 if you cannot stay awake.",
            )
        )
    )

    assert answer.doctor_questions == [
        "When can I go back to:\n  - work or school?\n  - driving?",
        "Do I need a scan?",
        "Call 999 if you cannot stay awake.",
    ]
    assert [(d.kind, d.line) for d in answer.doubts if d.kind == "question"] == [("question", 10)]


def test_a_page_that_asks_two_questions_is_doubted() -> None:
    on_one_line = parse_legacy(legacy_text(question="Is coffee safe? How much is too much?"))
    on_two_lines = parse_legacy(legacy_text(question="Is coffee safe?\nHow much is too much?"))

    assert on_one_line.question == "Is coffee safe? How much is too much?"
    assert [(d.kind, d.line) for d in on_one_line.doubts if d.kind == "question"] == [
        ("question", 1)
    ]
    assert on_two_lines.question == "Is coffee safe?"
    assert [(d.kind, d.line, d.text) for d in on_two_lines.doubts if d.kind == "question"] == [
        ("question", 2, "How much is too much?")
    ]


def test_title_lines_before_a_labelled_question_are_dropped_with_a_warning() -> None:
    answer = parse_legacy(
        legacy_text(question="Health Answers - Women's Health\nQuestion: Is it safe?")
    )

    assert answer.question == "Is it safe?"
    assert answer.summary == "Yes, regular walking helps most hearts."
    assert """line 1: dropped "Health Answers - Women's Health" before the question""" in (
        answer.warnings
    )


def test_a_doi_or_url_wrapped_at_a_stop_or_slash_is_read_whole() -> None:
    answer = research_of(
        "Exercise prevents falls 1. Sleep helps 2.",
        references=(
            "1. Sherrington C. Exercise for falls. Cochrane Database Syst Rev. 2019;1:CD012424."
            " doi:10.1002/14651858.",
            "   CD012424.pub2",
            "2. Roe R. Sleep. JAMA Intern Med. 2018;1:2. https://doi.org/10.1001/",
            "   jamainternmed.2018.3915",
        ),
    )

    assert [r["DOI"] for r in answer.references] == [
        "10.1002/14651858.CD012424.pub2",
        "10.1001/jamainternmed.2018.3915",
    ]


def test_a_range_of_bracketed_numbers_cites_every_number_in_it() -> None:
    refs = (
        VANCOUVER_ENTRY,
        "2. Roe R. Walking. Lancet. 2020;1:1.",
        "3. Doe J. Sleep. BMJ. 2021;2:2.",
    )
    answer = research_of("Effects last about 2 weeks after stopping [1]–[3].", references=refs)

    assert answer.research == ["Effects last about 2 weeks after stopping [@1; @2; @3]."]


def test_citations_in_words_or_with_a_page_are_kept_as_written_with_a_doubt() -> None:
    refs = (VANCOUVER_ENTRY, "2. Roe R. Walking. Lancet. 2020;1:1.")
    answer = research_of("It acts in the liver [1, p. 12]. It fails (see ref. 2).", references=refs)

    assert answer.research == ["It acts in the liver [1, p. 12]. It fails (see ref. 2)."]
    assert [(d.kind, d.number) for d in answer.doubts if d.kind == "citation"] == [
        ("citation", 1),
        ("citation", 2),
    ]


def test_emphasis_in_the_question_goes_whole() -> None:
    answer = parse_legacy(legacy_text(question="*Starred* question: is it **really** safe?"))

    assert answer.question == "Starred question: is it really safe?"


def test_an_inline_sources_line_is_the_references_list() -> None:
    answer = parse_legacy(
        legacy_text(
            research=("Breastfeeding delays fertility [1].",),
            doctor=(
                "- Is it reliable for me?",
                "Sources: Van der Wijden C, Manion C. Lactational amenorrhoea. Cochrane "
                "Database Syst Rev. 2015;(10):CD001329.",
            ),
        )
    )

    assert answer.doctor_questions == ["Is it reliable for me?"]
    (item,) = answer.references
    assert item["author"] == [
        {"family": "Van der Wijden", "given": "C"},
        {"family": "Manion", "given": "C"},
    ]
    assert (item["issue"], item["page"]) == ("10", "CD001329")
    assert [d.decision for d in answer.doubts] == [
        "the list has no numbers: matched to citation 1 by its place; check that it is the "
        "work cited"
    ]


def test_a_superscript_after_a_year_is_a_doubted_citation_not_a_power() -> None:
    refs = tuple(f"{n}. Roe R. Walking {n}. Lancet. 2020;1:{n}." for n in range(1, 5))
    answer = research_of(
        "Weight returned after stopping in 2022⁴. It was 10⁶ cells 1.", references=refs
    )

    assert "10⁶ cells" in answer.research[0]
    assert [(d.kind, d.number) for d in answer.doubts if d.kind == "citation"] == [("citation", 4)]


def test_a_letter_label_of_a_reference_is_kept_in_its_note() -> None:
    answer = research_of(
        "Omega-3 did not help [a].",
        references=(
            "a. Abdelhamid AS, Brown TJ. Omega-3 fatty acids. Cochrane Database Syst Rev. "
            "2020;3:CD003177.",
        ),
    )

    (item,) = answer.references  # nothing cites by number: kept apart, as unnumbered-1
    assert item["title"] == "Omega-3 fatty acids"
    assert item["note"].startswith("a. Abdelhamid AS")


def test_links_on_citation_numbers_and_identifiers_keep_the_citation_and_the_doi() -> None:
    answer = research_of(
        '<p>Cramps were no fewer<sup><a href="https://pubmed.ncbi.nlm.nih.gov/32956481/">1'
        '</a></sup>. Results were mixed<a href="https://pubmed.ncbi.nlm.nih.gov/1/">[1]</a>.</p>',
        references=(
            "<ol><li>Roe R. Magnesium for cramps. Cochrane Database Syst Rev. 2020;9:CD009402. "
            '<a href="https://doi.org/10.1002/14651858.CD009402.pub3">'
            "doi:10.1002/14651858.CD009402.pub3</a></li></ol>",
        ),
    )

    assert answer.research == ["Cramps were no fewer [@1]. Results were mixed [@1]."]
    assert answer.references[0]["DOI"] == "10.1002/14651858.CD009402.pub3"
    assert (
        "line 4: the link target 'https://pubmed.ncbi.nlm.nih.gov/32956481/' of '1' was not "
        "kept (read as a citation)"
    ) in answer.warnings


def test_a_superscript_flattened_onto_its_word_is_a_doubted_citation() -> None:
    refs = tuple(f"{n}. Roe R. Walking {n}. Lancet. 2020;1:{n}." for n in range(1, 4))
    answer = research_of(
        "Exercise helped in 21 trials1. It prevented symptoms2,3. COVID19 and B12 did not.",
        references=refs,
    )

    assert answer.research == [
        "Exercise helped in 21 trials [@1]. It prevented symptoms [@2; @3]. COVID19 and B12 "
        "did not."
    ]
    assert [d.number for d in answer.doubts] == [1, 2, 3]


def test_markdown_reference_links_are_inlined_and_are_no_references() -> None:
    answer = research_of(
        "Wait until 12 weeks, as the [NHS advises][nhs]. See the [UKTIS][2]. Dye is safe 1.\n"
        "\n"
        "[nhs]: https://www.nhs.uk/hair-dye/\n"
        "[2]: https://uktis.org/",
        references=(VANCOUVER_ENTRY,),
    )

    assert answer.research == [
        "Wait until 12 weeks, as the [NHS advises](https://www.nhs.uk/hair-dye/). See the "
        "[UKTIS](https://uktis.org/). Dye is safe [@1]."
    ]
    assert [r["id"] for r in answer.references] == ["1"]
    assert "URL" not in answer.references[0]


def test_signs_of_plain_text_are_not_markdown() -> None:
    answer = research_of(
        "> 7.0 mmol/L fasting means diabetes [1].\n\n+ 10% develop it each year [1].\n\n"
        "Treatment pauses below 1.0 x 10*9/L [1].",
        references=(VANCOUVER_ENTRY,),
    )

    assert answer.research == [
        "\\> 7.0 mmol/L fasting means diabetes [@1].",
        "\\+ 10% develop it each year [@1].",
        "Treatment pauses below 1.0 x 10\\*9/L [@1].",
    ]


def test_a_references_list_below_the_footer_is_still_the_answers() -> None:
    text = legacy_text(references=None) + "References\n" + VANCOUVER_ENTRY + "\n"
    answer = parse_legacy(text)

    assert answer.references[0]["PMID"] == "23736648"
    assert not any("after the footer" in warning for warning in answer.warnings)


def test_a_nested_html_list_of_questions_stays_nested() -> None:
    answer = parse_legacy(
        legacy_text(
            doctor=(
                "<ul><li>If I get muscle aches, should I:<ul><li>stop the statin?</li>"
                "<li>try a lower dose?</li></ul></li><li>Is my risk high?</li></ul>",
            )
        )
    )

    assert answer.doctor_questions == [
        "If I get muscle aches, should I:\n  - stop the statin?\n  - try a lower dose?",
        "Is my risk high?",
    ]


def test_a_references_list_numbered_with_superscripts_is_read_entry_by_entry() -> None:
    answer = research_of(
        "Aspirin helps 1. Bleeding rose 2.",
        references=(
            "¹ McNeil JJ. Aspirin in the elderly. N Engl J Med. 2018;379:1509-18.",
            "² Zheng SL. Aspirin use. JAMA. 2019;321:277-87. PMID: 30667501",
        ),
    )

    first, second = answer.references
    assert (first["id"], first["title"], "PMID" in first) == ("1", "Aspirin in the elderly", False)
    assert (second["id"], second["PMID"]) == ("2", "30667501")


def test_a_section_title_with_its_text_after_a_colon_opens_the_section() -> None:
    text = (
        "Is coffee safe in pregnancy?\nUp to 200 mg a day is safe.\n"
        "What the research says: Higher intake was linked to lower birth weight [1].\n"
        "What to ask your doctor: Does decaf count?\n" + FOOTER + "\n"
    )
    answer = parse_legacy(text)

    assert answer.research == ["Higher intake was linked to lower birth weight [@1]."]
    assert answer.doctor_questions == ["Does decaf count?"]


def test_links_and_superscripts_on_the_question_and_links_in_references() -> None:
    answer = parse_legacy(
        legacy_text(
            question='<h1><a href="https://example.org/a">Does vitamin D help?</a>'
            "<sup>1</sup></h1>",
            references=(
                '1. Roe R. <a href="https://pubmed.ncbi.nlm.nih.gov/1/">Vitamin D and colds</a>.'
                " *BMJ*. 2017;356:i6583.",
            ),
        )
    )

    assert answer.question == "Does vitamin D help?"
    (item,) = answer.references
    assert (item["title"], item["container-title"]) == ("Vitamin D and colds", "BMJ")
    assert item["URL"] == "https://pubmed.ncbi.nlm.nih.gov/1/"


def test_a_number_after_a_noun_that_names_it_is_prose() -> None:
    refs = tuple(f"{n}. Roe R. Walking {n}. Lancet. 2020;1:{n}." for n in range(1, 5))
    answer = research_of("It is shown in appendix 4. It helps 1.", references=refs)

    assert answer.research[0].startswith("It is shown in appendix 4.")


def test_text_a_page_does_not_show_is_not_kept_and_is_named() -> None:
    answer = research_of(
        "<p>Take <del>25 micrograms</del> <ins>10 micrograms</ins> a day [1].</p>\n"
        "<script>\nwindow.track = 1;\n</script>\n"
        '<p><img src="x.png" alt="Warning: high doses raise calcium"> Platelets below '
        "50 &times; 10<sup>9</sup>/L were excluded 1.</p>",
        references=(VANCOUVER_ENTRY,),
    )

    assert answer.research == [
        "Take 10 micrograms a day [@1].",
        "Platelets below 50 × 10⁹/L were excluded [@1].",
    ]
    assert [w for w in answer.warnings if "not kept" in w] == [
        "line 4: struck-out text was not kept: '25 micrograms'",
        "line 7: a <script> block was not kept: 'window.track = 1;'",
        "line 8: an image was not kept; its description: 'Warning: high doses raise calcium'",
    ]


def test_plural_references_in_words_are_doubted_each() -> None:
    refs = tuple(f"{n}. Roe R. Walking {n}. Lancet. 2020;1:{n}." for n in range(1, 6))
    answer = research_of("It helps (Refs 1, 2). It lasts (References 3-5).", references=refs)

    assert answer.research == ["It helps (Refs 1, 2). It lasts (References 3-5)."]
    assert [d.number for d in answer.doubts if d.kind == "citation"] == [1, 2, 3, 4, 5]


def test_a_range_of_superscripts_cites_every_number_in_it() -> None:
    refs = tuple(f"{n}. Roe R. Walking {n}. Lancet. 2020;1:{n}." for n in range(1, 4))
    answer = research_of(
        "<p>It was not linked to asthma in children¹-³. Nor in "
        "adults<sup>1</sup>-<sup>3</sup>.</p>",
        references=refs,
    )

    assert answer.research == [
        "It was not linked to asthma in children [@1; @2; @3]. Nor in adults [@1; @2; @3]."
    ]


def test_a_box_of_other_questions_above_the_question_is_dropped_with_a_doubt() -> None:
    answer = parse_legacy(
        legacy_text(
            question="Popular questions\nIs asthma curable?\nCan it go away?\n"
            "Can I exercise if I have asthma?"
        )
    )

    assert answer.question == "Can I exercise if I have asthma?"
    assert answer.summary == "Yes, regular walking helps most hearts."
    assert [(d.kind, d.line) for d in answer.doubts if d.kind == "question"] == [("question", 4)]


def test_a_long_menu_of_short_lines_before_the_question_is_dropped_with_warnings() -> None:
    menu = "\n".join(["Health A-Z", "Live Well", "Mental health", "Care and support", "Overview",
                      "Symptoms", "Causes", "Treatment", "Living with"])  # fmt: skip
    answer = parse_legacy(legacy_text(question=f"{menu}\nCan I exercise if I have asthma?"))

    assert answer.question == "Can I exercise if I have asthma?"
    assert sum("before the question" in w for w in answer.warnings) == 9


def test_another_sites_front_matter_is_named_and_the_page_after_it_read() -> None:
    text = (
        '---\nlayout: post\ntitle: "Is it safe?"\ncategories: [immunology]\n---\n' + legacy_text()
    )
    answer = parse_legacy(text)

    assert answer.question == "Is walking good for my heart?"
    assert answer.warnings[0] == (
        "lines 1-5: another site's front matter was not used (layout: post, title: "
        '"Is it safe?", categories: [immunology])'
    )


def test_a_sources_list_that_is_no_references_stays_in_the_text() -> None:
    answer = research_of(
        "Supplements helped a little [1].\nSources\n- A glass of milk (200 ml): about 240 mg\n"
        "- A pot of yoghurt: about 200 mg",
        references=(VANCOUVER_ENTRY,),
    )

    assert "- A glass of milk (200 ml): about 240 mg" in answer.research
    assert [r["id"] for r in answer.references] == ["1"]
