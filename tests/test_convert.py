"""qa convert through the real CLI, on the shared legacy samples and on texts written here."""

from __future__ import annotations

import datetime as dt
import doctest
import hashlib
import json
import tempfile
from pathlib import Path

import pytest
import yaml
from helpers import LEGACY_SAMPLES, QA, REPO, answer_text, build_tree, run_qa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qa_tool import __version__, convert, fsutil
from qa_tool.answerfile.edit import load_round_trip
from qa_tool.answerfile.read import read_answer
from qa_tool.answerfile.write import front_matter_text
from qa_tool.body import citations, parse_body
from qa_tool.legacy import parse_legacy
from qa_tool.model import SectionTitle

TODAY = dt.date.today()
TOOL = f"qa {__version__}"
FOOTER = (
    "This question is drawn from common patient questions about {topic} and answered "
    "using cited medical research. We do not provide individualized advice."
)


def legacy(
    question: str = "Is walking good for my heart?",
    *,
    meta: str | None = None,
    summary: str = "Yes, regular walking helps most hearts.",
    research: str = "Walking lowers blood pressure 1. It eases stress too 1.",
    doctor: str = "- How much should I walk?",
    references: str | None = None,
    topic: str | None = "Cardiology",
) -> str:
    """A plain-text legacy answer with the given parts (the 000 layout)."""
    parts = [question, *([meta] if meta else []), summary, "What the research says", research]
    parts += ["What to ask your doctor", doctor]
    if references is not None:
        parts += ["References", references]
    if topic is not None:
        parts.append(FOOTER.format(topic=topic))
    return "\n".join(parts) + "\n"


def sample(prefix: str) -> Path:
    matches = sorted(LEGACY_SAMPLES.glob(f"{prefix}_*.txt")) if LEGACY_SAMPLES.is_dir() else []
    if not matches:
        pytest.skip(f"legacy sample {prefix}_*.txt not found in {LEGACY_SAMPLES}")
    return matches[0]


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def convert_json(qa: QA, *args: str, **kwargs):
    result, report = qa.json("convert", *args, "--format", "json", **kwargs)
    assert result.exit_code in (0, 1), result.output
    return result, report


def read(library: Path, rel: str):
    return read_answer(library / rel, rel, 1_000_000)


def validate(qa: QA) -> dict:
    return qa.json("validate", "--format", "json")[1]


# --- the shared samples ---------------------------------------------------------------


def test_sample_000_becomes_an_in_review_oncology_answer(library, qa):
    path = sample("000")

    result, report = convert_json(qa, str(path))

    assert result.exit_code == 0
    answer_id = "what-new-treatments-for-autoimmune-diseases-are-emerging"
    rel = f"answers/oncology/{answer_id}.md"
    assert report["files"] == [
        {
            "source": str(path),
            "target": rel,
            "status": "converted",
            "id": answer_id,
            "warnings": [f"reference {n} has no details (stub)" for n in (1, 2, 3, 6)],
            "doubts": [],
            "kept": [],
            "error": None,
        }
    ]
    answer = read(library, rel)
    assert answer.meta == {
        "id": answer_id,
        "title": "What new treatments for autoimmune diseases are emerging from cancer research?",
        "topic": "Oncology",
        "status": "in-review",
        "references": [{"id": "1"}, {"id": "2"}, {"id": "3"}, {"id": "6"}],
        "legacy": {
            "source": path.name,
            "sha256": sha(path.read_bytes()),
            "converted": TODAY,
            "tool": TOOL,
        },
    }
    assert [c.key for c in citations(answer.body)] == ["1", "1", "2", "2", "3", "3", "6", "6"]
    assert len(parse_body(answer.body).section(SectionTitle.doctor).list_items) == 4
    checked = validate(qa)
    assert checked["errors"] == 0
    assert {f["rule"] for f in checked["findings"]} == {
        "reference-stub",
        "readability-above-target",
    }


def test_sample_001_becomes_a_published_answer_without_chrome_or_footer(library, qa):
    path = sample("001")

    result, report = convert_json(qa, str(path))

    assert result.exit_code == 0
    answer_id = "are-there-therapeutic-opportunities-for-autoimmune-disorders"
    rel = f"answers/oncology/{answer_id}.md"
    assert report["files"][0]["status"] == "converted"
    answer = read(library, rel)
    assert answer.meta == {
        "id": answer_id,
        "title": "Are there therapeutic opportunities for autoimmune disorders in cancer research?",
        "topic": "Oncology",
        "status": "published",
        "confidence": "moderate",
        "last_reviewed": dt.date(2026, 5, 22),
        "references": [{"id": "1"}, {"id": "5"}, {"id": "6"}, {"id": "4"}],
        "legacy": {
            "source": path.name,
            "sha256": sha(path.read_bytes()),
            "converted": TODAY,
            "tool": TOOL,
        },
    }
    assert [c.key for c in citations(answer.body)] == ["1", "5", "6", "4"]
    assert parse_body(answer.body).section(SectionTitle.doctor).list_items == [
        "Are there clinical trials for Siglec-targeting therapies or mitochondrial treatments "
        "that might be relevant to my condition?",
        "Could my specific autoimmune disorder and any cancer risks be linked through shared "
        "metabolic pathways?",
        "How might regulating my immune system's energy use affect my treatment plan?",
        "Is there a role for regulatory T cell therapy in managing my autoimmune symptoms?",
    ]
    for chrome in ("Mode", "Text Size", "Log in", "Sign up", "confidence", "Last reviewed"):
        assert chrome not in answer.body
    assert "This question is drawn from" not in answer.body
    assert "individualized advice" not in answer.body
    checked = validate(qa)
    assert checked["errors"] == 0
    assert {f["rule"] for f in checked["findings"]} == {
        "reference-stub",
        "readability-above-target",
    }


def test_shipped_answers_are_the_converters_output(tmp_path):
    sample("000")
    out = tmp_path / "out"

    samples = [str(sample("000")), str(sample("001"))]
    result = QA(tmp_path)("convert", *samples, "--out", str(out), "--quiet")

    assert result.exit_code == 0, result.output
    shipped = REPO / "answers"
    assert files_under(out) == files_under(shipped)
    for rel in files_under(out):
        written = (out / rel).read_text(encoding="utf-8")
        assert f"  converted: {TODAY.isoformat()}\n" in written
        shipped_text = (shipped / rel).read_text(encoding="utf-8")
        assert written.replace(TODAY.isoformat(), "2026-11-22") == shipped_text, rel


# --- variations, on texts written here ------------------------------------------------


def test_cp1252_file_with_crlf_line_ends(library, qa, tmp_path):
    text = (
        "Is \u201cdecaf\u201d coffee safe for my heart?\r\n"
        "Mostly \u2013 in moderation.\r\n"
        "What the research says\r\n"
        "Decaf does not raise blood pressure 3.\r\n"
        "What to ask your doctor\r\n"
        "\u2022 How many cups a day are safe?\r\n"
        "\u2022 Does decaf interact with my medicines?\r\n" + FOOTER.format(topic="Cardiology")
    )
    data = text.encode("cp1252")
    assert b"\r\n" in data and b"\x93" in data
    build_tree(tmp_path, {"in/decaf.txt": data})

    result, report = convert_json(qa, str(tmp_path / "in/decaf.txt"))

    assert result.exit_code == 0
    rel = "answers/cardiology/is-decaf-coffee-safe-for-my-heart.md"
    assert report["files"][0]["target"] == rel
    raw = (library / rel).read_bytes()
    assert b"\r" not in raw
    answer = read(library, rel)
    assert answer.meta["title"] == "Is \u201cdecaf\u201d coffee safe for my heart?"
    assert answer.meta["topic"] == "Cardiology"
    assert answer.meta["references"] == [{"id": "3"}]
    assert answer.meta["legacy"]["sha256"] == sha(data)
    assert answer.body == (
        "Mostly \u2013 in moderation.\n\n"
        "## What the research says\n\n"
        "Decaf does not raise blood pressure [@3].\n\n"
        "## What to ask your doctor\n\n"
        "- How many cups a day are safe?\n"
        "- Does decaf interact with my medicines?\n"
    )
    assert validate(qa)["errors"] == 0


REFERENCES = (
    "1. Schiller JT, Lowy DR. Walking and the heart. Nat Rev Cardiol. 2013;10(7):400-410. "
    "doi:10.1038/nrcardio.2013.84 PMID: 23736648\n"
    "2. Smith A, Jones B. Exercise in older adults. BMJ. 2019;365:l1234. "
    "https://doi.org/10.1136/bmj.l1234"
)


def test_references_list_fills_the_references(library, qa, tmp_path):
    build_tree(
        tmp_path,
        {
            "in/walk.txt": legacy(
                "Does walking help after a heart attack?",
                research="Supervised walking improves fitness [1]. Older adults benefit [2].",
                references=REFERENCES,
            )
        },
    )

    result, report = convert_json(qa, str(tmp_path / "in/walk.txt"))

    assert result.exit_code == 0
    assert report["files"][0]["warnings"] == []
    rel = "answers/cardiology/does-walking-help-after-a-heart-attack.md"
    answer = read(library, rel)
    assert answer.meta["references"] == [
        {
            "id": "1",
            "type": "article-journal",
            "author": [{"family": "Schiller", "given": "JT"}, {"family": "Lowy", "given": "DR"}],
            "title": "Walking and the heart",
            "container-title": "Nat Rev Cardiol",
            "issued": 2013,
            "volume": "10",
            "issue": "7",
            "page": "400-410",
            "DOI": "10.1038/nrcardio.2013.84",
            "PMID": "23736648",
        },
        {
            "id": "2",
            "type": "article-journal",
            "author": [{"family": "Smith", "given": "A"}, {"family": "Jones", "given": "B"}],
            "title": "Exercise in older adults",
            "container-title": "BMJ",
            "issued": 2019,
            "volume": "365",
            "page": "l1234",
            "DOI": "10.1136/bmj.l1234",
        },
    ]
    assert "References" not in answer.body
    assert "Schiller" not in answer.body
    front = answer.front_matter
    assert '  - id: "1"\n    type: article-journal\n    author:\n      - family: Sch' in front
    assert '    PMID: "23736648"\n' in front
    assert '    volume: "10"\n' in front
    checked = validate(qa)
    assert (checked["errors"], checked["warnings"]) == (0, 0)


def test_bracketed_citations(library, qa, tmp_path):
    build_tree(
        tmp_path,
        {
            "in/salt.txt": legacy(
                "Should I cut down on salt?",
                research="Less salt lowers blood pressure [2, 5]. Effects add up [3-4].\n"
                "Trials in 12 countries agree [1].",
            )
        },
    )

    result, report = convert_json(qa, str(tmp_path / "in/salt.txt"))

    assert result.exit_code == 0
    answer = read(library, "answers/cardiology/should-i-cut-down-on-salt.md")
    research = parse_body(answer.body).section("What the research says").paragraphs
    assert research == [
        "Less salt lowers blood pressure [@2; @5]. Effects add up [@3; @4].",
        "Trials in 12 countries agree [@1].",
    ]
    assert [ref["id"] for ref in answer.meta["references"]] == ["2", "5", "3", "4", "1"]
    assert {c.key for c in citations(answer.body)} == {"1", "2", "3", "4", "5"}


def test_no_footer_fails_without_topic_and_converts_with_it(library, qa, tmp_path):
    build_tree(tmp_path, {"in/bp.txt": legacy("Is my blood pressure too high?", topic=None)})
    source = str(tmp_path / "in/bp.txt")

    result, report = convert_json(qa, source)

    assert result.exit_code == 1
    assert report["files"][0]["status"] == "failed"
    assert report["files"][0]["error"] == "no topic: the text has no standard footer; pass --topic"
    assert report["files"][0]["target"] is None
    assert files_under(library) == []

    result, report = convert_json(qa, source, "--topic", "cardiology")

    assert result.exit_code == 0
    assert report["files"][0]["warnings"] == ["reference 1 has no details (stub)"]
    answer = read(library, "answers/cardiology/is-my-blood-pressure-too-high.md")
    assert answer.meta["topic"] == "Cardiology"


def test_topic_option_wins_over_the_footer(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy(topic="Oncology")})

    result, report = convert_json(qa, str(tmp_path / "in/a.txt"), "--topic", "Cardiology")

    assert report["files"][0]["target"] == "answers/cardiology/is-walking-good-for-my-heart.md"
    assert (
        "--topic Cardiology replaces the footer's topic 'Oncology'"
        in (report["files"][0]["warnings"])
    )


def test_topic_is_guessed_from_the_folder_name(library, qa, tmp_path):
    text = legacy("Do migraines run in families?", topic=None)
    build_tree(tmp_path, {"in/neurology/a.txt": text})

    result, report = convert_json(qa, str(tmp_path / "in"))

    assert result.exit_code == 0
    assert report["files"][0]["warnings"] == [
        "reference 1 has no details (stub)",
        "guessed topic 'Neurology' from the folder name 'neurology'",
    ]
    answer = read(library, "answers/neurology/do-migraines-run-in-families.md")
    assert answer.meta["topic"] == "Neurology"
    # A guess is a doubt kept in the answer, so it is not published before a review.
    assert report["files"][0]["doubts"] == [
        {
            "kind": "topic",
            "line": 0,
            "text": "neurology",
            "decision": "guessed 'Neurology' from the folder name: the text names no topic",
        }
    ]
    assert answer.meta["legacy"]["doubts"] == report["files"][0]["doubts"]


def test_footer_topic_unknown_to_the_library_fails(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy(topic="Astrology")})

    result, report = convert_json(qa, str(tmp_path / "in/a.txt"))

    assert result.exit_code == 1
    error = report["files"][0]["error"]
    assert error.startswith("the footer names the topic 'Astrology', which is not one of")
    assert error.endswith("; pass --topic")
    assert files_under(library) == []


def test_status_rule_and_override(library, qa, tmp_path):
    reviewed = "high confidence \u00b7 Last reviewed 2026-02-10"
    build_tree(
        tmp_path,
        {
            "in/a.txt": legacy("Is rowing good for my heart?", meta=reviewed),
            "in/b.txt": legacy("Is cycling good for my heart?", meta=reviewed, research="Yes."),
            "in/c.txt": legacy("Is running good for my heart?"),
        },
    )

    result, report = convert_json(qa, str(tmp_path / "in"))

    assert result.exit_code == 0
    statuses = {f["id"]: read(library, f["target"]).meta["status"] for f in report["files"]}
    assert statuses == {
        "is-rowing-good-for-my-heart": "published",
        "is-cycling-good-for-my-heart": "in-review",
        "is-running-good-for-my-heart": "in-review",
    }
    rowing = read(library, "answers/cardiology/is-rowing-good-for-my-heart.md").meta
    assert (rowing["confidence"], rowing["last_reviewed"]) == ("high", dt.date(2026, 2, 10))
    assert (
        "status in-review although the page shows a review: it cites nothing"
        in (report["files"][1]["warnings"])
    )
    assert validate(qa)["errors"] == 0

    out = tmp_path / "out"
    result, report = convert_json(qa, str(tmp_path / "in"), "--out", str(out), "--status", "draft")
    assert [f["status"] for f in report["files"]] == ["failed"] * 3  # the library has the ids
    assert files_under(out) == []


def test_status_option_published_needs_a_reviewed_text(library, qa, tmp_path):
    build_tree(
        tmp_path,
        {
            "in/a.txt": legacy("Is swimming good for my heart?"),
            "in/b.txt": legacy("Is dancing good for my heart?"),
        },
    )

    result, report = convert_json(
        qa, str(tmp_path / "in/a.txt"), "--status", "published", "--topic", "Cardiology"
    )

    assert result.exit_code == 1
    assert report["files"][0]["error"] == (
        "--status published needs a confidence and a last-reviewed date, which the text does "
        "not give"
    )
    assert files_under(library) == []

    result, report = convert_json(qa, str(tmp_path / "in/b.txt"), "--status", "draft")
    assert read(library, report["files"][0]["target"]).meta["status"] == "draft"


# --- existing targets -----------------------------------------------------------------


def test_rerun_on_unchanged_input_writes_nothing_even_with_force(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy()})
    source = str(tmp_path / "in/a.txt")
    convert_json(qa, source)
    target = library / "answers/cardiology/is-walking-good-for-my-heart.md"
    before = target.read_bytes(), target.stat().st_mtime_ns, target.stat().st_ino

    for extra in ((), ("--force",)):
        result, report = convert_json(qa, source, *extra)

        assert result.exit_code == 0
        assert report["files"][0]["status"] == "unchanged"
        assert report["summary"] == {"converted": 0, "unchanged": 1, "skipped": 0, "failed": 0}
        assert (target.read_bytes(), target.stat().st_mtime_ns, target.stat().st_ino) == before


def test_changed_input_is_skipped_unless_forced(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy()})
    source = tmp_path / "in/a.txt"
    convert_json(qa, str(source))
    rel = "answers/cardiology/is-walking-good-for-my-heart.md"
    first = (library / rel).read_bytes()
    source.write_text(legacy(research="Walking lowers blood pressure 2."), encoding="utf-8")

    result, report = convert_json(qa, str(source))

    assert result.exit_code == 1
    assert report["files"][0]["status"] == "skipped"
    assert report["files"][0]["error"] == (
        f"{rel} exists, converted from another version of this text; pass --force to replace it"
    )
    assert (library / rel).read_bytes() == first

    result, report = convert_json(qa, str(source), "--force")

    assert result.exit_code == 0
    assert report["files"][0]["status"] == "converted"
    answer = read(library, rel)
    assert answer.meta["references"] == [{"id": "2"}]
    assert answer.meta["legacy"]["sha256"] == sha(source.read_bytes())


def test_hand_written_answer_is_not_replaced_without_force(library, qa, tmp_path):
    rel = "answers/cardiology/is-walking-good-for-my-heart.md"
    mine = answer_text("is-walking-good-for-my-heart", topic="Cardiology")
    build_tree(library, {rel: mine})
    build_tree(tmp_path, {"in/a.txt": legacy()})

    result, report = convert_json(qa, str(tmp_path / "in/a.txt"))

    assert result.exit_code == 1
    assert report["files"][0]["status"] == "skipped"
    assert report["files"][0]["error"] == (
        f"{rel} exists and was not converted from a legacy text; pass --force to replace it"
    )
    assert (library / rel).read_text(encoding="utf-8") == mine


def test_force_takes_the_edit_lock(library, qa, tmp_path, monkeypatch):
    build_tree(tmp_path, {"in/a.txt": legacy()})
    source = tmp_path / "in/a.txt"
    convert_json(qa, str(source))
    target = library / "answers/cardiology/is-walking-good-for-my-heart.md"
    before = target.read_bytes()
    source.write_text(legacy(research="Walking lowers blood pressure 2."), encoding="utf-8")
    monkeypatch.setattr(fsutil, "LOCK_TIMEOUT_SECONDS", 0.1)

    with fsutil.edit_lock(library / ".qa", target):  # as a running `qa review` would
        result, report = convert_json(qa, str(source), "--force")

    assert result.exit_code == 1
    assert "another qa process is editing this file" in report["files"][0]["error"]
    assert target.read_bytes() == before


def test_id_used_by_an_answer_in_another_topic_folder_fails(library, qa, tmp_path):
    other = "answers/oncology/is-walking-good-for-my-heart.md"
    build_tree(library, {other: answer_text("is-walking-good-for-my-heart")})
    build_tree(tmp_path, {"in/a.txt": legacy()})

    for extra in ((), ("--force",)):
        result, report = convert_json(qa, str(tmp_path / "in/a.txt"), *extra)

        assert result.exit_code == 1
        assert report["files"][0]["error"] == (
            f"id 'is-walking-good-for-my-heart' is already used by {other}"
        )
        assert files_under(library / "answers") == ["oncology/is-walking-good-for-my-heart.md"]


def test_same_target_converted_from_another_source_fails(library, qa, tmp_path):
    build_tree(tmp_path, {"in/first.txt": legacy(), "later/second.txt": legacy(summary="Yes.")})
    convert_json(qa, str(tmp_path / "in/first.txt"))
    rel = "answers/cardiology/is-walking-good-for-my-heart.md"
    before = (library / rel).read_bytes()

    result, report = convert_json(qa, str(tmp_path / "later/second.txt"), "--force")

    assert result.exit_code == 1
    assert report["files"][0]["error"] == (
        f"{rel} holds the answer converted from first.txt; this text makes the same id "
        "'is-walking-good-for-my-heart'"
    )
    assert (library / rel).read_bytes() == before


def test_two_inputs_with_the_same_question_in_one_run(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy(), "in/b.txt": legacy(summary="Yes.")})

    result, report = convert_json(qa, str(tmp_path / "in"))

    assert result.exit_code == 1
    assert [f["status"] for f in report["files"]] == ["converted", "failed"]
    assert report["files"][1]["error"] == (
        f"id 'is-walking-good-for-my-heart' is also made by {tmp_path / 'in/a.txt'} in this run"
    )


# --- inputs ---------------------------------------------------------------------------


def test_standard_input(library, qa):
    text = legacy("Can I fly after a stent?")

    result, report = convert_json(qa, "-", input=text)

    assert result.exit_code == 0
    assert report["files"][0]["source"] == "stdin"
    answer = read(library, "answers/cardiology/can-i-fly-after-a-stent.md")
    assert answer.meta["legacy"] == {
        "source": "stdin",
        "sha256": sha(text),
        "converted": TODAY,
        "tool": TOOL,
    }


def test_folders_are_walked_for_text_files(library, qa, tmp_path):
    build_tree(
        tmp_path,
        {
            "in/b/two.md": legacy("Question two?"),
            "in/a.txt": legacy("Question one?"),
            "in/c/d/three.TXT": legacy("Question three?"),
            "in/c/four.text": legacy("Question four?"),
            "in/.hidden.txt": legacy("Hidden file?"),
            "in/.git/x.txt": legacy("Hidden folder?"),
            "in/notes.csv": legacy("Not a text name?"),
            "page.html": legacy("Named directly?"),
        },
    )
    folder = tmp_path / "in"

    result, report = convert_json(qa, str(folder), str(tmp_path / "page.html"), str(folder))

    assert result.exit_code == 0
    assert [f["source"] for f in report["files"]] == [
        str(folder / "a.txt"),
        str(folder / "b/two.md"),
        str(folder / "c/d/three.TXT"),
        str(folder / "c/four.text"),
        str(tmp_path / "page.html"),
    ]


def test_a_folder_holding_its_own_output_is_not_read_again(tmp_path):
    build_tree(tmp_path, {"legacy/a.txt": legacy()})
    qa = QA(tmp_path)
    out = tmp_path / "legacy/converted"

    convert_json(qa, str(tmp_path / "legacy"), "--out", str(out))
    result, report = convert_json(qa, str(tmp_path / "legacy"), "--out", str(out))

    assert result.exit_code == 0
    assert [f["status"] for f in report["files"]] == ["unchanged"]


def test_inputs_that_are_not_answers_fail_and_the_batch_goes_on(library, qa, tmp_path):
    build_tree(
        tmp_path,
        {
            "in/1-empty.txt": b"",
            "in/2-blank.txt": b" \n\r\n\t\n",
            "in/3-binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "in/4-utf16.txt": b"\xff\xfeI\x00s\x00\x00\xd8",
            "in/5-no-sections.txt": "Is this a question?\nJust some text.\n",
            "in/6-no-question.txt": "What the research says\nIt helps 1.\n",
            "in/7-answer-file.md": answer_text("x"),
            "in/8-good.txt": legacy(),
        },
    )

    result, report = convert_json(qa, str(tmp_path / "in"))

    assert result.exit_code == 1
    errors = {Path(f["source"]).name: f["error"] for f in report["files"]}
    assert errors == {
        "1-empty.txt": "empty file",
        "2-blank.txt": "empty file",
        "3-binary.txt": "looks binary (contains NUL bytes), not a text",
        "4-utf16.txt": "starts with a UTF-16 byte-order mark but is not valid UTF-16",
        "5-no-sections.txt": "not a legacy answer: no 'What the research says' or "
        "'What to ask your doctor' section",
        "6-no-question.txt": (
            "no question found: expected the page's question (a line ending with '?') "
            "before the summary"
        ),
        "7-answer-file.md": "starts with front matter holding an answer's fields: this "
        "looks like an answer file, not a legacy text",
        "8-good.txt": None,
    }
    assert report["summary"] == {"converted": 1, "unchanged": 0, "skipped": 0, "failed": 7}
    assert files_under(library) == ["answers/cardiology/is-walking-good-for-my-heart.md"]


def test_out_writes_outside_the_library(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy()})
    out = tmp_path / "out"

    result, report = convert_json(qa, str(tmp_path / "in/a.txt"), "--out", str(out))

    assert result.exit_code == 0
    target = out / "cardiology/is-walking-good-for-my-heart.md"
    assert report["files"][0]["target"] == str(target)
    assert read_answer(target, "x", 1_000_000).meta["topic"] == "Cardiology"
    assert files_under(library) == []


# --- dry run, report, exit codes ------------------------------------------------------


def test_dry_run_shows_the_file_and_writes_nothing(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy()})
    source = str(tmp_path / "in/a.txt")
    rel = "answers/cardiology/is-walking-good-for-my-heart.md"

    result = qa("convert", source, "--dry-run")

    assert result.exit_code == 0, result.output
    assert files_under(library) == []
    assert f"would write {rel}\n---\nid: is-walking-good-for-my-heart\n" in result.stdout
    assert "dry run, nothing written: would convert 1, 0 unchanged, would skip 0, 0 failed" in (
        result.stdout
    )

    result, report = convert_json(qa, source, "--dry-run")
    would_write = report["files"][0]["text"]
    assert report["dry_run"] is True
    assert report["files"][0]["diff"] is None

    convert_json(qa, source)
    assert (library / rel).read_text(encoding="utf-8") == would_write


def test_dry_run_shows_a_diff_against_the_existing_answer(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy()})
    source = tmp_path / "in/a.txt"
    convert_json(qa, str(source))
    rel = "answers/cardiology/is-walking-good-for-my-heart.md"
    before = (library / rel).read_bytes()
    source.write_text(legacy(summary="Yes, walking helps."), encoding="utf-8")

    result, report = convert_json(qa, str(source), "--dry-run", "--force")

    assert result.exit_code == 0
    entry = report["files"][0]
    assert entry["status"] == "converted"
    diff = entry["diff"].splitlines()
    assert diff[:2] == [f"--- {rel} (now)", f"+++ {rel} (converted)"]
    assert "-Yes, regular walking helps most hearts." in diff
    assert "+Yes, walking helps." in diff
    assert (library / rel).read_bytes() == before

    result = qa("convert", str(source), "--dry-run")
    assert result.exit_code == 1
    assert f"diff {rel}\n--- {rel} (now)\n" in result.stdout


def test_text_report(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy(), "in/b.txt": b""})

    result = qa("convert", str(tmp_path / "in"))

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["source", "target", "status", "notes"]
    assert lines[1].split()[1:4] == [
        "answers/cardiology/is-walking-good-for-my-heart.md",
        "converted",
        "reference",
    ]
    assert lines[2].split()[1:] == ["-", "failed", "empty", "file"]
    assert lines[-1] == "1 converted, 0 unchanged, 0 skipped, 1 failed"


def test_usage_errors_exit_2(library, qa, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy(), "a-file": "x"})
    source = str(tmp_path / "in/a.txt")

    unknown_topic = qa("convert", source, "--topic", "Astrology")
    missing = qa("convert", str(tmp_path / "nowhere"))
    out_is_a_file = qa("convert", source, "--out", str(tmp_path / "a-file"))
    bad_status = qa("convert", source, "--status", "live")

    assert unknown_topic.exit_code == 2
    assert "unknown topic 'Astrology'" in unknown_topic.stderr
    assert missing.exit_code == 2
    assert "no such file or folder" in missing.stderr
    assert out_is_a_file.exit_code == 2
    assert "is a file, not a folder" in out_is_a_file.stderr
    assert bad_status.exit_code == 2
    assert files_under(library) == []


def test_no_progress_or_notes_on_a_stderr_that_is_not_a_terminal(library, tmp_path):
    build_tree(tmp_path, {"in/a.txt": legacy(), "in/b.txt": legacy("Is jogging fine?")})

    done = run_qa("convert", str(tmp_path / "in"), "--root", str(library), cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines()[-1] == "2 converted, 0 unchanged, 0 skipped, 0 failed"


# --- properties -----------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "Is it safe?",
        "Q: Can I?",
        "What the research says",
        "## What to ask your doctor",
        "References",
        "1. Smith J. Walking. BMJ. 2001;1(2):3-4. doi:10.1/abc PMID: 12",
        "- Is it safe?",
        "  \u2022 Should I?",
        "It helps 1.",
        "It helps [2-4].",
        "moderate confidence \u00b7 Last reviewed May 22, 2026",
        "Mode",
        FOOTER.format(topic="Oncology"),
        "---",
        "id: x",
        'title: "No"',
        ": #",
        "\u00a0",
        "\n",
        "\r\n",
        " ",
    ]
)
NOISE = st.lists(st.one_of(FRAGMENTS, st.text(max_size=6)), max_size=4)


@st.composite
def answer_shaped(draw) -> bytes:
    """A question, sections and a footer, with noise between them, in some encoding."""
    question = draw(st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=40))
    parts = [f"{question}?", *draw(NOISE)]
    for heading in ("What the research says", "What to ask your doctor"):
        if draw(st.booleans()):
            parts += [heading, *draw(NOISE)]
    if draw(st.booleans()):
        parts.append(FOOTER.format(topic=draw(st.sampled_from(["Oncology", "Astrology"]))))
    text = draw(st.sampled_from(["\n", "\r\n"])).join(parts)
    encoding = draw(st.sampled_from(["utf-8", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


LEGACY_BYTES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=6)), max_size=20).map(
        lambda parts: "\n".join(parts).encode()
    ),
    answer_shaped(),
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=LEGACY_BYTES, topic=st.sampled_from([None, "Oncology"]))
def test_any_input_converts_to_an_answer_that_reads_back_or_fails_writing_nothing(data, topic):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "lib/answers").mkdir(parents=True)
        (root / "in.txt").write_bytes(data)
        args = ["convert", str(root / "in.txt"), "--format", "json"]
        result = QA(root / "lib")(*args, *(["--topic", topic] if topic else []))

        assert result.exit_code in (0, 1), result.output
        entry = json.loads(result.stdout)["files"][0]
        event(entry["status"])
        written = files_under(root / "lib")
        if entry["status"] == "failed":
            assert entry["error"]
            assert result.exit_code == 1
            assert written == []
            return
        assert entry["status"] == "converted"
        assert written == [entry["target"]]
        parsed = parse_legacy(data)
        answer = read_answer(root / "lib" / entry["target"], entry["target"], 1_000_000)
        assert answer.meta["id"] == entry["id"] == Path(entry["target"]).stem
        assert answer.meta["title"] == parsed.question
        assert answer.meta["references"] == parsed.references
        assert answer.meta.get("confidence") == parsed.confidence
        assert answer.meta.get("last_reviewed") == parsed.last_reviewed
        assert answer.meta["legacy"]["sha256"] == sha(data)
        assert answer.body == parsed.body_markdown()


SCALARS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["1", "0o17", "1e5", "yes", "No", "~", "null", ".inf", "2026-05-22", "a: b"]),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.dates(),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    title=st.text(max_size=80),
    fields=st.dictionaries(st.sampled_from(["title", "page", "DOI", "note", "x"]), SCALARS),
    names=st.lists(st.fixed_dictionaries({"family": st.text(max_size=10)}), max_size=2),
)
def test_front_matter_reads_back_equal_in_yaml_1_1_and_1_2(title, fields, names):
    meta = {
        "id": "x",
        "title": title,
        "references": [{"id": "1", **fields, "author": names}, {"id": "2"}],
        "legacy": {"converted": dt.date(2026, 11, 22)},
        "empty": [],
    }
    text = front_matter_text(meta)

    assert yaml.load(text, Loader=yaml.CSafeLoader) == meta
    assert yaml.load(text, Loader=yaml.SafeLoader) == meta
    assert load_round_trip(text, Path("x.md")) == meta


def test_docstring_examples_hold():
    results = doctest.testmod(convert)

    assert results.attempted > 0
    assert results.failed == 0


def test_a_footer_topic_with_a_typographic_apostrophe_is_the_library_topic(tmp_path):
    library = tmp_path / "lib"
    build_tree(
        library, {"qa.toml": '[[topics]]\nname = "Women\'s Health"\nfolder = "womens-health"\n'}
    )
    legacy = tmp_path / "old.txt"
    legacy.write_text(
        "Is ibuprofen safe in pregnancy?\nMostly not after 20 weeks.\nWhat the research says\n"
        "Trials found risks [1].\nWhat to ask your doctor\n- What else can I take?\n"
        "This question is drawn from common patient questions about Women\u2019s Health and "
        "answered using cited medical research. We do not provide individualized advice.\n",
        encoding="utf-8",
    )
    result = QA(library)("convert", str(legacy), "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["files"]
    assert row["target"] == "answers/womens-health/is-ibuprofen-safe-in-pregnancy.md"
    assert read_answer(library / row["target"], "x", 1_000_000).meta["topic"] == "Women's Health"


def test_a_fault_while_converting_one_file_fails_that_file_only(library, qa, tmp_path, monkeypatch):
    build_tree(tmp_path, {"in/a.txt": legacy(), "in/b.txt": legacy("Does running help?")})
    real = convert.parse_legacy

    def parse(data, source="<stdin>", today=None):
        if source.endswith("a.txt"):
            raise TypeError("'NoneType' object is not subscriptable")
        return real(data, source, today)

    monkeypatch.setattr(convert, "parse_legacy", parse)
    result, report = convert_json(qa, str(tmp_path / "in"))

    assert result.exit_code == 1
    first, second = report["files"]
    assert first["status"] == "failed" and first["error"] == (
        f"internal error while converting {tmp_path / 'in' / 'a.txt'}: TypeError: 'NoneType' "
        "object is not subscriptable (please report it; the other files go on)"
    )
    assert second["status"] == "converted"
