"""qa_tool/model.py: the one vocabulary, in step with the schema and used everywhere."""

from __future__ import annotations

import ast
import json

import pytest
from helpers import REPO

from qa_tool.model import (
    DEFAULT_EXPORT_STATUSES,
    FIELD_ORDER,
    NEW_STATUSES,
    NOT_LISTED_BY_DEFAULT,
    REQUIRED_SECTIONS,
    SUMMARY_FIELDS,
    Confidence,
    NewStatus,
    SectionTitle,
    Status,
    choices,
)

SCHEMA = json.loads((REPO / "schemas" / "answer.schema.json").read_text(encoding="utf-8"))
PROPERTIES = SCHEMA["properties"]


def test_statuses_are_the_schema_statuses_in_its_order():
    assert [s.value for s in Status] == PROPERTIES["status"]["enum"]


def test_confidence_levels_are_the_schema_levels_in_its_order():
    assert [c.value for c in Confidence] == [v for v in PROPERTIES["confidence"]["enum"] if v]
    published = SCHEMA["allOf"][0]["then"]["properties"]["confidence"]["enum"]
    assert [c.value for c in Confidence] == published


def test_field_orders_name_schema_fields_once_each():
    for order in (FIELD_ORDER, SUMMARY_FIELDS):
        assert len(set(order)) == len(order)
        assert set(order) <= set(PROPERTIES), set(order) - set(PROPERTIES)
    # The summary is a part of the full order, in the same order.
    assert [f for f in FIELD_ORDER if f in SUMMARY_FIELDS] == list(SUMMARY_FIELDS)
    # Every field the schema requires of every answer is in the summary.
    assert set(SCHEMA["required"]) <= set(SUMMARY_FIELDS)


def test_subsets_are_statuses():
    assert set(NEW_STATUSES) <= set(Status)
    assert [s.value for s in NewStatus] == [s.value for s in NEW_STATUSES]
    assert Status.published not in NEW_STATUSES
    assert set(NOT_LISTED_BY_DEFAULT) <= set(Status)
    assert set(DEFAULT_EXPORT_STATUSES) <= set(Status)
    assert (SectionTitle.research, SectionTitle.doctor) == REQUIRED_SECTIONS


def test_members_are_their_text():
    assert Status("in-review") is Status.in_review
    assert f"{Status.in_review}" == "in-review"
    assert json.dumps([Confidence.very_low]) == '["very-low"]'
    assert choices(Confidence) == "high, moderate, low, very-low"


def _words() -> dict[str, str]:
    words = {s.value: f"Status.{s.name}" for s in Status}
    words |= {c.value: f"Confidence.{c.name}" for c in Confidence}
    words |= {t.value: f"SectionTitle.{t.name}" for t in SectionTitle}
    return words


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (prose and examples may use the words)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for stmt in body:
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                    found.add(id(stmt.value))
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (REPO / "qa_tool").rglob("*.py") if p.name != "model.py"),
    ids=lambda p: str(p.relative_to(REPO / "qa_tool")),
)
def test_no_module_spells_the_vocabulary_again(path):
    """A status, confidence level or section title written as a literal outside model.py
    would be missed when the vocabulary changes: use the enum member instead."""
    words = _words()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    spelled = [
        f"line {node.lineno}: {node.value!r} (use qa_tool.model.{words[node.value]})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in words
        and id(node) not in docstrings
    ]
    assert spelled == []
