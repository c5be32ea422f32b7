"""schemas/answer.schema.json: a valid 2020-12 schema that the shipped answers meet."""

from __future__ import annotations

import json

import frontmatter
import jsonschema
import pytest
from helpers import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_tool.schema import quick_valid, to_json_value

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


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 3000)
    | st.sampled_from(
        [
            "",
            "x",
            "1",
            "0123",
            "2026-01-05",
            "2026-02-30",
            "10.1000/x",
            "published",
            "draft",
            "moderate",
            "very-low",
            "Oncology",
            "a b",
            "a$b",
            "PMC12",
            "https://x.org",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "PMID",
                    "DOI",
                    "title",
                    "issued",
                    "date-parts",
                    "type",
                    "credentials",
                    "source",
                    "sha256",
                    "converted",
                    "tool",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
FIELDS = [
    "id",
    "title",
    "topic",
    "status",
    "confidence",
    "created",
    "last_reviewed",
    "review_due",
    "reviewed_by",
    "authors",
    "references",
    "tags",
    "expiryDate",
    "legacy",
    "review_fingerprint",
    "extra",
]


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(meta=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=10))
def test_quick_check_never_passes_what_jsonschema_rejects(meta):
    """The fast gate may send valid data on to jsonschema, but never wave invalid data through."""
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    if quick_valid(meta):
        assert list(validator.iter_errors(meta)) == []


def test_quick_check_is_in_use():
    base = {
        "id": "x",
        "title": "A question?",
        "topic": "Oncology",
        "status": "draft",
        "created": "2026-01-05",
    }
    assert quick_valid(base) is True
    assert quick_valid({**base, "created": "2026-02-30"}) is False
