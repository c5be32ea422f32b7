"""qa list: one row per answer from the summaries, filters, counts, text/json/csv."""

from __future__ import annotations

import csv
import io

import pytest
from helpers import answer_text, build_tree

ONC = "answers/oncology"
CARD = "answers/cardiology"
STUB_AND_DOUBT = """references:
  - id: "1"
    title: A real study
  - id: "2"
legacy:
  source: 004_asthma.txt
  sha256: 4f1c000000000000000000000000000000000000000000000000000000000000
  converted: 2026-11-22
  tool: qa 0.1.0
  doubts:
    - kind: citation
      line: 7
      number: 2
      text: "... lower doses 2."
      decision: converted to [@2]"""


@pytest.fixture
def mixed(library):
    converted = answer_text(
        "converted-one", topic="Cardiology", status="in-review", confidence="low", refs=()
    )
    converted = converted.replace("---\nA plain", STUB_AND_DOUBT + "\n---\nA plain", 1)
    converted = converted.replace("A claim with its citation [].", "Claims [@1] and [@2].")
    build_tree(
        library,
        {
            f"{ONC}/alpha.md": answer_text("alpha", title="Is alpha safe?"),
            f"{ONC}/beta.md": answer_text(
                "beta", status="draft", confidence=None, last_reviewed=None
            ),
            f"{CARD}/converted-one.md": converted,
            f"{ONC}/old.md": answer_text("old", status="retired", last_reviewed="2024-01-02"),
        },
    )
    return library


def test_json_rows_and_counts(mixed, qa):
    _, measured = qa.json("readability", "--format", "json")  # grades are listed once measured
    result, out = qa.json("list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in out["answers"]}
    assert [r["id"] for r in out["answers"]] == ["converted-one", "alpha", "beta", "old"]
    assert rows["alpha"] == {
        "id": "alpha",
        "title": "Is alpha safe?",
        "topic": "Oncology",
        "status": "published",
        "confidence": "moderate",
        "last_reviewed": "2026-02-10",
        "due_date": "2026-08-10",
        "reviewers": ["Jane Doe"],
        "authors": ["Sam Writer"],
        "reading_grade": rows["alpha"]["reading_grade"],
        "stubs": 0,
        "doubts": 0,
        "path": f"{ONC}/alpha.md",
    }
    # The reading grade is qa readability's, for the same text.
    grades = {a["id"]: a["grade"] for a in measured["answers"]}
    assert rows["alpha"]["reading_grade"] == grades["alpha"]
    assert isinstance(grades["alpha"], float)
    assert rows["beta"]["last_reviewed"] is None and rows["beta"]["due_date"] is None
    assert (rows["converted-one"]["stubs"], rows["converted-one"]["doubts"]) == (1, 1)
    assert out["total"] == 4
    assert out["by_topic"] == {"Oncology": 3, "Cardiology": 1}
    assert out["by_status"] == {"draft": 1, "in-review": 1, "published": 1, "retired": 1}
    # A second run comes from the cache and says the same.
    again, cached = qa.json("list", "--format", "json")
    assert cached == out


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (("--topic", "cardiology"), ["converted-one"]),
        (("--topic", "Oncology,cardiology"), ["converted-one", "alpha", "beta", "old"]),
        (("--status", "published,retired"), ["alpha", "old"]),
        (("--status", "draft", "--status", "in-review"), ["converted-one", "beta"]),
        (("--confidence", "low"), ["converted-one"]),
        (("--reviewer", "jane"), ["converted-one", "alpha", "old"]),
        (("--author", "sam", "--status", "draft"), ["beta"]),
        (("--author", "nobody"), []),
    ],
)
def test_filters(mixed, qa, args, ids):
    result, out = qa.json("list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in out["answers"]] == ids
    assert out["total"] == len(ids)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--status", "live"), "unknown status 'live'"),
        (("--confidence", "certain"), "unknown confidence 'certain'"),
        (("--topic", "astrology"), "unknown topic 'astrology'"),
    ],
)
def test_usage_errors_exit_2(mixed, qa, args, message):
    result = qa("list", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_csv(mixed, qa):
    result = qa("list", "--format", "csv", "--topic", "cardiology")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1
    assert rows[0]["id"] == "converted-one"
    assert rows[0]["reviewers"] == "Jane Doe"
    assert rows[0]["reading_grade"] == ""  # not measured yet: listing never measures
    qa("readability")
    result = qa("list", "--format", "csv", "--topic", "cardiology")
    assert float(next(csv.DictReader(io.StringIO(result.stdout)))["reading_grade"]) > 0
    assert (rows[0]["stubs"], rows[0]["doubts"]) == ("1", "1")


@pytest.mark.parametrize("width", ["60", "80", "100", "140"])
def test_text_table_never_cuts_an_id_and_has_no_trailing_spaces(library, qa, width):
    long_id = "a-very-long-answer-id-that-is-longer-than-any-narrow-column-can-hold"
    build_tree(library, {f"{ONC}/{long_id}.md": answer_text(long_id)})
    result = qa("list", env={"COLUMNS": width})
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("\n")
    assert any(line.strip() == long_id or line.startswith(long_id) for line in lines)
    assert all(line == line.rstrip() for line in lines)
    assert "1 answer\nBy topic:   Oncology 1\nBy status:  published 1\n" in result.stdout


def test_unreadable_file_is_a_note_and_the_rest_is_listed(mixed, qa):
    build_tree(mixed, {f"{ONC}/broken.md": "---\ntitle: [unclosed\n---\nBody\n"})
    result, out = qa.json("list", "--format", "json")
    assert result.exit_code == 0
    assert out["total"] == 4
    assert f"{ONC}/broken.md" in result.stderr and "not listed" in result.stderr
