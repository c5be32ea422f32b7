"""schemas/answer.schema.json: a valid 2020-12 schema that the shipped answers meet."""

from __future__ import annotations

import json

import frontmatter
import jsonschema
import pytest
from conftest import REPO

from qa_tool.schema import to_json_value

SCHEMA = json.loads((REPO / "schemas" / "answer.schema.json").read_text(encoding="utf-8"))


def test_schema_passes_the_2020_12_meta_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", sorted((REPO / "answers").rglob("*.md")), ids=lambda p: p.name)
def test_shipped_answers_validate_with_jsonschema_directly(path):
    meta = frontmatter.load(path).metadata
    instance = json.loads(json.dumps(to_json_value(meta)))
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    assert list(validator.iter_errors(instance)) == []


def test_yaml_traps_are_caught():
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    base = {
        "id": "x",
        "title": "A question?",
        "topic": "Oncology",
        "status": "draft",
        "created": "2026-01-05",
    }
    assert list(validator.iter_errors(base)) == []
    unquoted_pmid = {**base, "references": [{"id": "1", "PMID": 83}]}
    assert [e.validator for e in validator.iter_errors(unquoted_pmid)] == ["type"]
    bad_date = {**base, "created": "2026-02-30"}
    assert [e.validator for e in validator.iter_errors(bad_date)] == ["format"]
