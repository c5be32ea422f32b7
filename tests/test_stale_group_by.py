"""qa stale --group-by reviewer|topic|author: each person's (or topic's) own list."""

from __future__ import annotations

import csv
import io

import pytest
from helpers import answer_text, build_tree


@pytest.fixture
def due(library):
    two = answer_text("two-reviewers", last_reviewed="2025-01-01").replace(
        "    credentials: MD, medical oncologist",
        "    credentials: MD, medical oncologist\n  - name: Raj Patel",
    )
    build_tree(
        library,
        {
            "answers/oncology/jane-only.md": answer_text("jane-only", last_reviewed="2025-03-01"),
            "answers/oncology/two-reviewers.md": two,
            "answers/cardiology/nobody.md": answer_text(
                "nobody", topic="Cardiology", status="in-review", last_reviewed=None
            ),
            "answers/oncology/fresh.md": answer_text("fresh", last_reviewed="2026-11-01"),
        },
    )
    return library


def test_json_by_reviewer_lists_each_answer_under_each_of_its_reviewers(due, qa):
    result, out = qa.json(
        "stale", "--group-by", "reviewer", "--format", "json", "--as-of", "2026-11-22", "--no-git"
    )
    assert result.exit_code == 1
    assert out["group_by"] == "reviewer" and out["as_of"] == "2026-11-22"
    groups = {g["name"]: [a["id"] for a in g["answers"]] for g in out["groups"]}
    assert list(groups) == ["Jane Doe", "Raj Patel", "(no reviewer)"]
    assert groups == {
        "Jane Doe": ["two-reviewers", "jane-only"],
        "Raj Patel": ["two-reviewers"],
        "(no reviewer)": ["nobody"],
    }
    assert [g["due"] for g in out["groups"]] == [2, 1, 1]


def test_by_topic_and_author(due, qa):
    _, out = qa.json("stale", "--group-by", "topic", "-f", "json", "--as-of", "2026-11-22")
    assert [(g["name"], len(g["answers"])) for g in out["groups"]] == [
        ("Cardiology", 1),
        ("Oncology", 2),
    ]
    _, out = qa.json("stale", "--group-by", "author", "-f", "json", "--as-of", "2026-11-22")
    assert [(g["name"], len(g["answers"])) for g in out["groups"]] == [("Sam Writer", 3)]


def test_text_and_csv(due, qa):
    result = qa("stale", "--group-by", "reviewer", "--as-of", "2026-11-22", "--no-git")
    text = result.stdout
    assert text.startswith("Jane Doe (2 due)\n")
    assert "\nRaj Patel (1 due)\n" in text and "\n(no reviewer) (1 due)\n" in text
    assert "answers/oncology/jane-only.md" in text
    assert text.rstrip().endswith(
        "3 answers due for review as of 2026-11-22 (4 checked), grouped by reviewer"
    )
    assert all(line == line.rstrip() for line in text.split("\n"))
    result = qa("stale", "--group-by", "reviewer", "-f", "csv", "--as-of", "2026-11-22")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["reviewer"], r["id"]) for r in rows][:2] == [
        ("Jane Doe", "two-reviewers"),
        ("Jane Doe", "jane-only"),
    ]


def test_unknown_grouping_is_a_usage_error(due, qa):
    result = qa("stale", "--group-by", "colour")
    assert result.exit_code == 2


@pytest.mark.parametrize("width", ["50", "80", "100"])
def test_stale_table_never_cuts_a_path_and_has_no_trailing_spaces(due, qa, width):
    result = qa("stale", "--as-of", "2026-11-22", "--no-git", env={"COLUMNS": width})
    lines = result.stdout.split("\n")
    assert all(line == line.rstrip() for line in lines)
    # Each path is whole on a line, or broken only right after a '/'.
    for name in ("jane-only.md", "two-reviewers.md", "nobody.md"):
        assert any(line.strip().endswith(name) for line in lines), name
    for line in lines:
        part = line.strip().split("  ")[-1]
        if part.startswith("answers") and not part.endswith(".md"):
            assert part.endswith("/"), part
