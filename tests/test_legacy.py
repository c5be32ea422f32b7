"""Tests for the legacy-text parser behind ``qa convert``.

The two real samples are read from the shared folder next to the repository; the
other cases are small legacy texts written here, one per variation the archives show.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from qa_tool.errors import LegacyFormatError
from qa_tool.legacy import LegacyAnswer, parse_legacy

SAMPLES_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "legacy-samples"


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
