"""Checking front matter against ``schemas/answer.schema.json``.

The schema is the single source of truth for field rules; this module only
loads it (once), turns YAML values into what JSON Schema sees (dates become ISO
strings), and reports each violation with a JSON path such as
``$.references[0].PMID``. jsonschema is imported here, never at start-up.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from qa_tool.errors import shorten
from qa_tool.model import Status

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
ANSWER_SCHEMA = SCHEMA_DIR / "answer.schema.json"

_HINTS = {
    ("type", "string"): 'quote the value, e.g. PMID: "23736648"',
    ("pattern", "date"): "write dates as YYYY-MM-DD",
    ("format", "date"): "write dates as YYYY-MM-DD with a real month and day",
}


@dataclass(frozen=True)
class SchemaIssue:
    """One schema violation: where (as a path of keys and indexes), which rule, what to do."""

    field_path: tuple[str | int, ...]
    keyword: str
    message: str
    value: Any = field(default=None, compare=False)  # the value found (for messages)

    @property
    def json_path(self) -> str:
        return json_path(self.field_path)


def json_path(parts: tuple[str | int, ...]) -> str:
    """``("references", 0, "PMID")`` -> ``"$.references[0].PMID"``."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("_", "").replace("-", "").isalnum() and "-" not in part:
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


_SCALARS = (str, int, float, bool, type(None))


def to_json_value(value: Any) -> Any:
    """A YAML-loaded value as JSON data: dates become ISO strings, mappings keep str keys."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, dict):
        return {
            (k if type(k) is str else str(k)): (v if type(v) in _SCALARS else to_json_value(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes of binary data>"
    if isinstance(value, set):
        return sorted(map(str, value))
    return value


@cache
def load_schema(path: Path = ANSWER_SCHEMA) -> dict:
    """The JSON Schema at ``path`` (default: the answer schema) as data."""
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(load_schema(), format_checker=FormatChecker())


@cache
def _quick_check() -> Any:
    """A compiled yes/no check of the schema (jsonschema-rs, in Rust), or None if unavailable.

    jsonschema walks the schema in Python for every value (about 2.5 ms an
    answer); jsonschema-rs compiles it once and answers "valid" in about 5 µs
    (fastjsonschema's generated Python took 50 µs). A "valid" from it ends the
    check; anything else goes to jsonschema, which stays the authority and
    reports every error with its path. Tests check that the quick check never
    passes what jsonschema rejects.
    """
    try:
        import jsonschema_rs

        return jsonschema_rs.validator_for(load_schema(), validate_formats=True).is_valid
    except Exception:  # not installed, or any trouble compiling: jsonschema alone
        return None


def prepare() -> None:
    """Compile the schema now (before worker processes fork, so they share it)."""
    _quick_check()


def quick_valid(data: Any) -> bool:
    """Whether ``data`` passes the schema, by the fast compiled check (False if unavailable)."""
    check = _quick_check()
    if check is None:
        return False
    try:
        return bool(check(data))
    except Exception:  # a value it cannot take: jsonschema decides
        return False


def check_front_matter(meta: dict[str, Any]) -> list[SchemaIssue]:
    """Every schema violation of one answer's front matter, in document order."""
    issues = list(_foreign_values(meta, ()))
    data = to_json_value(meta)
    if not issues and quick_valid(data):
        return []
    for error in _validator().iter_errors(data):
        for leaf in _leaves(error):
            issues.extend(_issues(leaf))
    issues.sort(key=lambda i: tuple(str(p) for p in i.field_path))
    return issues


_FOREIGN: dict[type, str] = {bytes: "binary data (!!binary)", set: "a set (!!set)"}


def _foreign_values(value: Any, parts: tuple[str | int, ...]) -> Iterator[SchemaIssue]:
    """Values no answer field can hold, whatever the schema says of their JSON form:
    ``!!binary`` and ``!!set`` (shown in JSON as text and as a list, they are neither)."""
    kind = _FOREIGN.get(type(value))
    if kind is not None:
        yield SchemaIssue(
            parts, "type", f"{_field_name(parts)} is {kind}; write plain text or a list"
        )
    elif isinstance(value, dict):
        for key, item in value.items():
            if type(item) not in _SCALARS:
                yield from _foreign_values(item, (*parts, str(key)))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            if type(item) not in _SCALARS:
                yield from _foreign_values(item, (*parts, n))


def _leaves(error: Any) -> list[Any]:
    """The most specific errors: anyOf/if-then wrappers say less than their causes."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        # Prefer the branch that got furthest; report its errors.
        best = max(error.context, key=lambda e: len(e.absolute_path))
        if len(best.absolute_path) > len(error.absolute_path):
            return _leaves(best)
        # A branch of the value's own type says what is wrong with it ("not a real date"),
        # where "not of type null" says nothing.
        typed = [e for e in error.context if e.validator != "type"]
        if typed and len({e.relative_schema_path[0] for e in typed}) == 1:
            return [leaf for e in typed for leaf in _leaves(e)]
    return [error]


_KINDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


def _field_name(parts: tuple[str | int, ...]) -> str:
    names = [p for p in parts if isinstance(p, str)]
    return json_path(parts)[2:] if len(names) > 1 else (names[0] if names else "the value")


def _issues(error: Any) -> list[SchemaIssue]:
    """One issue per problem; an unknown field each, with the field's own path (and line)."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        import difflib

        known = list(error.schema.get("properties", {}))
        parts = tuple(error.absolute_path)
        out = []
        for key in error.instance:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
            advice = f"did you mean {close[0]}?" if close else "check the spelling or remove it"
            message = f"unknown field {shorten(repr(str(key)))}; {advice}"
            out.append(SchemaIssue((*parts, str(key)), "additionalProperties", message))
        if out:
            return out
    return [_issue(error)]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _issue(error: Any) -> SchemaIssue:
    parts = tuple(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        if missing:
            parts = (*parts, missing)
    shown = shorten(repr(error.instance))
    message = error.message.replace(repr(error.instance), shown)  # "'x…' is too long"
    if error.instance is None and error.validator in ("type", "enum"):
        if error.validator == "enum":
            allowed = ", ".join(str(v) for v in error.validator_value if v is not None)
            need = f"set it to one of: {allowed}"
        else:
            wanted = error.validator_value
            kinds = [wanted] if isinstance(wanted, str) else list(wanted)
            need = f"it must be {' or '.join(_KINDS.get(k, k) for k in kinds if k != 'null')}"
        message = f"{_field_name(parts)} is empty (null); {need}"
    elif error.validator == "additionalProperties":
        message = f"{message}; check the spelling or remove it"
    elif (
        error.validator == "required"
        and parts
        and parts[-1] in ("confidence", "last_reviewed", "reviewed_by", "references")
        and not error.absolute_path
    ):
        message = (
            f"{message} for a {Status.published} answer; "
            f"fill it in or set status to {Status.in_review}"
        )
    elif error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value if v is not None)
        message = f"{shown} is not one of: {allowed}"
    elif error.validator == "format" and error.validator_value == "date":
        message = f"{_field_name(parts)}: {shown} is not a real date"
    elif error.validator == "type" and _is_number(error.instance):
        kind = _KINDS.get(error.validator_value, error.validator_value)
        message = f"{_field_name(parts)}: {shown} is a number, not {kind}"
    hint = _hint(error)
    if hint:
        message = f"{message}; {hint}"
    return SchemaIssue(parts, str(error.validator), message, error.instance)


def _hint(error: Any) -> str | None:
    if error.validator == "type" and error.validator_value == "string":
        return _HINTS[("type", "string")] if _is_number(error.instance) else None
    if error.validator in ("pattern", "format") and "date" in str(error.schema):
        return _HINTS[(str(error.validator), "date")]
    return None
