"""Messages a writer reads: each names the field, its own line, and what to do."""

from __future__ import annotations

import pytest
from helpers import answer_text, build_tree

ONC = "answers/oncology"


def findings(qa, text: str) -> list[dict]:
    build_tree(qa.root, {f"{ONC}/sample-answer.md": text})
    result, out = qa.json("validate", "--format", "json")
    assert result.exit_code == 1, result.output
    return out["findings"]


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith(start))


def test_null_names_the_field_and_what_it_must_be(qa):
    text = answer_text().replace(
        "reviewed_by:\n  - name: Jane Doe\n    credentials: MD, medical oncologist",
        "reviewed_by: null",
    )
    text = text.replace("confidence: moderate", "confidence: null")
    found = {f["field"]: f for f in findings(qa, text)}
    assert found["$.reviewed_by"]["message"] == "reviewed_by is empty (null); it must be a list"
    assert found["$.reviewed_by"]["line"] == line_of(text, "reviewed_by:")
    assert found["$.confidence"]["message"] == (
        "confidence is empty (null); set it to one of: high, moderate, low, very-low"
    )


def test_octal_pmid_is_explained_with_how_to_quote_it(qa):
    text = answer_text().replace('PMID: "23736641"', "PMID: 034741536")
    [finding] = findings(qa, text)
    assert finding["message"] == (
        "PMID: YAML reads 034741536 as the octal number 7586654; quote it to keep it as "
        'written, e.g. PMID: "034741536"'
    )
    assert finding["line"] == line_of(text, "    PMID:")


def test_misspelt_field_on_its_own_line_with_did_you_mean(qa):
    text = answer_text().replace("last_reviewed:", "last_reviewd:")
    found = [f for f in findings(qa, text) if f["rule"] == "schema-additionalProperties"]
    assert found[0]["message"] == "unknown field 'last_reviewd'; did you mean last_reviewed?"
    assert found[0]["line"] == line_of(text, "last_reviewd:")
    assert found[0]["field"] == "$.last_reviewd"


@pytest.mark.parametrize("day", ["2026-13-01", "2026-02-30"])
def test_impossible_date_is_named_on_its_line_and_not_dropped_from_stale(qa, day):
    text = answer_text(last_reviewed=day)
    found = [f for f in findings(qa, text) if f["field"] == "$.last_reviewed"]
    assert found[0]["message"] == (
        f"last_reviewed: '{day}' is not a real date; write dates as YYYY-MM-DD with a real "
        "month and day"
    )
    assert found[0]["line"] == line_of(text, "last_reviewed:")
    result, out = qa.json("stale", "--format", "json", "--no-git")
    assert [item["id"] for item in out] == ["sample-answer"]
    assert out[0]["reasons"] == ["never-reviewed"]
    assert f"last_reviewed '{day}' is not a date; treated as never reviewed" in result.stderr
