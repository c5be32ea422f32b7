"""The simple block-YAML reader (``yamlload.load_simple``) gives the full loader's values or none.

``load_simple`` reads the common shape of front matter without libyaml's nodes; whatever it
returns must be exactly what :class:`~qa_tool.answerfile.yamlload.PlainLoader` builds (types
included: ``True`` is not ``1``, a date is not its text), and where the loader fails it must
step aside (return None) so that the error still comes from libyaml.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_tool.answerfile.read import decode_text, load_front_matter, split_front_matter
from qa_tool.answerfile.yamlload import PlainLoader, load_simple
from qa_tool.errors import AnswerFileError

ROOT = Path(__file__).resolve().parent.parent


def full(front: str) -> str:
    """What the full loader builds, as a text that tells types apart (or the error's class)."""
    try:
        return repr(yaml.load(front, Loader=PlainLoader))
    except Exception as exc:  # noqa: BLE001 - any failure means: the simple reader must step aside
        return f"error: {type(exc).__name__}"


def check(front: str) -> object:
    """``load_simple``'s value, after checking it against the full loader's."""
    got = load_simple(front)
    if got is not None:
        assert repr(got) == full(front), front
    return got


# -- the common shape -------------------------------------------------------------


def test_an_answer_of_the_usual_shape_is_read_with_its_types():
    front = """id: a-b
title: What is it? A question
topic: Oncology
status: published
last_reviewed: 2026-11-03
created: 2026-02-30
draft: no
published: yes
weight: 12
ratio: 1.50
nothing:
empty_list: []
empty_map: {}
reviewed_by:
  - name: Nadia Khan   # a comment
    credentials: "MBChB, neurosurgeon"
authors:
- name: 'O''Brien'
- name: Amara Doe
tags:
  - one
  - C#
  - two:three
references:
  - id: "1"
    issued: 2022
    PMID: "19196133"
    nested:
      deeper: x
# a comment line

  # another, indented
after: done"""
    meta = check(front)
    assert meta == {
        "id": "a-b",
        "title": "What is it? A question",
        "topic": "Oncology",
        "status": "published",
        "last_reviewed": dt.date(2026, 11, 3),
        "created": "2026-02-30",
        "draft": False,
        "published": True,
        "weight": 12,
        "ratio": 1.5,
        "nothing": None,
        "empty_list": [],
        "empty_map": {},
        "reviewed_by": [{"name": "Nadia Khan", "credentials": "MBChB, neurosurgeon"}],
        "authors": [{"name": "O'Brien"}, {"name": "Amara Doe"}],
        "tags": ["one", "C#", "two:three"],
        "references": [{"id": "1", "issued": 2022, "PMID": "19196133", "nested": {"deeper": "x"}}],
        "after": "done",
    }


@pytest.mark.parametrize(
    "front",
    [
        "on: x",  # YAML 1.1 reads the key as True
        "null: x",
        "a: 1\na: 2",  # a duplicate key: the full loader's error
        "a: 0123",  # octal in YAML 1.1
        "a: 1_000",
        "a: 190:20:30",  # sexagesimal
        "a: -5",
        "a: 2026-05-22 10:00:00",
        "a: .inf",
        "a: =",
        "a: &x b\nc: *x",
        "a: !!str 12",
        'a: "say \\"hi\\""',
        "a: [x, y]",
        "a: {k: v}",
        "a: |\n  block",
        "a: >\n  folded",
        "a: b: c",
        "a: b:",
        "a: plain\n  continued",
        "a: 'two\n  lines'",
        "a:\tb",
        "a: b\u2028c: d",
        "a: b\x85c",
        "a: \ufeffb",
        "a: b\x7f",
        "- a\n- b",
        "a",
        "a : b",
        "'a': b",
        "a:\n  - x\n   - y",
        "a:\n  b: 1\n c: 2",
        "-a: b",
        "a: %x",
        "a: @x",
        "a: `x",
        "a: ? x",
        "a: - x",
        "a:\n  -\n    b: 1",
        "a:\n  - - x",
        '"a": "b" x',
        "a: 'b' x",
        'a: "b"#x',
        "a: " + "1" * 4301,  # past int()'s digit limit: the loader's error
        "".join(" " * i + f"k{i}:\n" for i in range(498)),  # deep: the loader's shape check
        "x:\n" + "".join(" " * (2 * i) + f"- k{i}:\n" for i in range(248)),
    ],
)
def test_anything_else_is_left_to_libyaml(front: str):
    assert check(front) is None


def test_what_yaml_1_1_reads_as_text_stays_text():
    assert check("a: 1e3\nb: 2026-5-2\nc: y\nd: <b>") == {
        "a": "1e3",
        "b": "2026-5-2",
        "c": "y",
        "d": "<b>",
    }


def test_a_quoted_value_followed_by_a_comment_is_the_quoted_text():
    assert check("a: 'x #y' # z\nb: \"u\"   # v") == {"a": "x #y", "b": "u"}


def test_load_front_matter_still_names_a_duplicate_key_and_its_line():
    with pytest.raises(AnswerFileError) as caught:
        load_front_matter("a: 1\nb: 2\na: 3\n", Path("x.md"))
    assert (caught.value.rule, caught.value.line) == ("duplicate-key", 4)


# -- every front matter this project holds ----------------------------------------


def fronts_on_disk() -> list[tuple[str, str]]:
    found = []
    for folder in ("answers", "tests", "docs"):
        for path in sorted((ROOT / folder).rglob("*.md")):
            try:
                text = decode_text(path.read_bytes(), path)
                front = split_front_matter(text, path)[0]
            except (AnswerFileError, OSError):
                continue
            found.append((str(path.relative_to(ROOT)), front))
    return found


def test_every_front_matter_in_the_project_reads_the_same():
    fronts = fronts_on_disk()
    assert len(fronts) > 20
    simple = [name for name, front in fronts if check(front) is not None]
    assert "answers/oncology/are-there-therapeutic-opportunities-for-autoimmune-disorders.md" in (
        simple
    )


def test_generated_library_answers_read_the_same(tmp_path: Path):
    import subprocess
    import sys

    out = tmp_path / "lib"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--n", "300", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    paths = sorted((out / "answers").rglob("*.md"))
    assert len(paths) == 300
    for path in paths:
        front = split_front_matter(decode_text(path.read_bytes(), path), path)[0]
        assert check(front) is not None, path  # the usual shape, all of it


# -- anything, line by line --------------------------------------------------------

KEYS = ["a", "b", "title", "on", "Null", "yes", "y", "n-1", "x y", "'q'", '"d"', "1", "<<", "-k"]
VALUES = [
    "",
    "plain text",
    "text # comment",
    "text#not",
    "a: b",
    "a:b",
    "ends:",
    "'it''s'",
    "'open",
    '"dq"',
    '"dq \\u00e9"',
    '"dq" # c',
    "[]",
    "{}",
    "[a, 1]",
    "{k: v}",
    "0",
    "12",
    "-3",
    "+4",
    "0123",
    "0x1f",
    "1_000",
    "1.5",
    "1.",
    ".5",
    "1e3",
    "1.0e+3",
    ".nan",
    "2026-05-22",
    "2026-5-2",
    "2026-02-30",
    "2026-05-22T10:00:00Z",
    "~",
    "null",
    "NULL",
    "yes",
    "No",
    "TRUE",
    "off",
    "&anchor v",
    "*alias",
    "!!str 12",
    "!tag v",
    "|",
    ">-",
    "- item",
    "? q",
    "%x",
    "@x",
    "`x",
    "é ü",
    "x\u2028y",
    "x\ty",
    "=",
    "#only comment",
]
line = st.tuples(
    st.sampled_from(["", " ", "  ", "   ", "    ", "      "]),
    st.sampled_from(["", "- ", "-  ", "-"]),
    st.one_of(st.none(), st.sampled_from(KEYS)),
    st.sampled_from([": ", ":", ":  ", " : "]),
    st.sampled_from(VALUES),
).map(lambda t: t[0] + t[1] + ((t[2] + t[3]) if t[2] is not None else "") + t[4])
documents = st.lists(st.one_of(line, st.sampled_from(["", "# c", "  # c"])), max_size=12).map(
    "\n".join
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=documents)
def test_any_document_reads_as_the_full_loader_reads_it_or_not_at_all(front: str):
    check(front)


@settings(max_examples=300, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(VALUES)), max_size=6
    ),
    nested=st.booleans(),
)
def test_lists_of_mappings_read_as_the_full_loader_reads_them(pairs, nested):
    indent = "  " if nested else ""
    body = "".join(
        f"{indent}{'- ' if n % 2 == 0 else '  '}{k}: {v}\n" for n, (k, v) in enumerate(pairs)
    )
    check(f"items:\n{body}after: 1")


def test_the_simple_reader_types_by_the_loaders_own_table():
    """It reads PlainLoader's resolver table itself, not a copy: a resolver added to the loader
    (which gives the class a table of its own) would make this fail, not drift silently."""
    from qa_tool.answerfile import yamlload

    assert yamlload._IMPLICIT is PlainLoader.yaml_implicit_resolvers
    assert yamlload._BOOL_VALUES is PlainLoader.bool_values
