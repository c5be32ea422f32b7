"""Property tests: the reader, the id maker and the round-trip editor never fail unexpectedly."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_tool.answerfile.edit import edit_front_matter
from qa_tool.answerfile.read import read_answer
from qa_tool.errors import AnswerFileError, UsageError
from qa_tool.ids import ID_PATTERN, MAX_ID_LENGTH, check_id, make_id

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


@pytest.mark.slow
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

    from qa_tool.answerfile.read import load_front_matter

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


# --- qa review's core on generated valid answers ----------------------------------------------

REVIEW_KEYS = frozenset(
    {"last_reviewed", "review_due", "reviewed_by", "review_fingerprint", "review_log", "confidence"}
)
LEVELS = ("high", "moderate", "low", "very-low")
STYLES = ("single", "ascii", "utf8")
AS_OF = dt.date(2026, 11, 22)
safe_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;:!?'-()\"#&*%@")),
        st.characters(whitelist_categories=("L",)),
    ),
    min_size=1,
    max_size=50,
).filter(lambda s: s.strip())
people = st.lists(names.map(lambda s: " ".join(s.split())), min_size=0, max_size=2, unique=True)


def quoted(text: str, style: str) -> str:
    import json

    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    # YAML's \u escapes stop at U+FFFF: JSON's surrogate pairs are no YAML for U+10000 on.
    ascii_only = style == "ascii" and all(ord(c) <= 0xFFFF for c in text)
    return json.dumps(text, ensure_ascii=ascii_only)


@st.composite
def valid_answers(draw) -> tuple[bytes, dict]:
    """A valid answer file (bytes) in one of many layouts, and what it was made from."""
    status = draw(st.sampled_from(["draft", "in-review", "published"]))
    last = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 6, 1)))
    reviewers = draw(people)
    if status == "published" and not reviewers:
        reviewers = ["Jane Doe"]
    dash = draw(st.sampled_from(["  - ", "- "]))
    pad = " " * (len(dash) - 2)
    comment = draw(st.sampled_from(["", "  # kept", "   # set by hand"]))
    refs = draw(st.integers(min_value=1, max_value=3))
    title = quoted(draw(safe_text.filter(lambda s: len(s) >= 3)), draw(st.sampled_from(STYLES)))
    blocks = {
        "id": ["id: sample-answer" + comment],
        "title": ["title: " + title],
        "topic": ["topic: Oncology"],
        "status": [f"status: {status}"],
        "confidence": [f"confidence: {draw(st.sampled_from(LEVELS))}" + comment],
        "created": ["created: 2019-12-31"],
        "last_reviewed": [f"last_reviewed: {last.isoformat()}" + comment],
    }
    if draw(st.booleans()):
        due = last + dt.timedelta(days=draw(st.integers(min_value=1, max_value=900)))
        blocks["review_due"] = [f"review_due: {due.isoformat()}"]
    if reviewers:
        blocks["reviewed_by"] = ["reviewed_by:"]
        for name in reviewers:
            blocks["reviewed_by"].append(f"{dash}name: {quoted(name, 'utf8')}")
            if draw(st.booleans()):
                blocks["reviewed_by"].append(f"{pad}  credentials: MD")
    if draw(st.booleans()):
        blocks["authors"] = ["authors:", f"{dash}name: Sam Writer"]
    blocks["references"] = ["references:"]
    for n in range(1, refs + 1):
        blocks["references"] += [f'{dash}id: "{n}"', f"{pad}  title: Study {n}"]
        blocks["references"].append(f'{pad}  PMID: "2373664{n}"')
    order = draw(st.permutations(list(blocks)))
    lines = ["# Front matter kept by hand."] if draw(st.booleans()) else []
    for key in order:
        lines += blocks[key]
    lines += [""] * draw(st.integers(min_value=0, max_value=2))
    summary = draw(safe_text).replace("#", "").replace("*", "").strip() or "Summary"
    cites = "; ".join(f"@{n}" for n in range(1, refs + 1))
    body = (
        f"{summary}\n\n## What the research says\n\nA claim [{cites}].\n\n"
        "## What to ask your doctor\n\n- Is this right for me?\n"
    )
    text = "---\n" + "\n".join(lines) + "\n---\n" + body
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data, {"last": last, "reviewers": reviewers}


def top_level_blocks(front: str) -> tuple[list[str], dict[str, list[str]], str]:
    """(lines before the first key, {key: its lines}, the blank lines at the end)."""
    body = front.rstrip("\n")
    preamble: list[str] = []
    blocks: dict[str, list[str]] = {}
    current = preamble
    for line in body.split("\n"):
        match = re.match(r"([A-Za-z_][\w-]*):", line)
        if match:
            current = blocks[match.group(1)] = [line]
        else:
            current.append(line)
    return preamble, blocks, front[len(body) :]


def split_file(data: bytes) -> tuple[bool, str, str, str]:
    """(has a BOM, newline, front matter text with LF, body text as written)."""
    from qa_tool.answerfile.read import front_matter_span

    bom = data.startswith(b"\xef\xbb\xbf")
    text = data[3 if bom else 0 :].decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    start, end, body_start = front_matter_span(text, Path("a.md"))
    return bom, newline, text[start:end].replace("\r\n", "\n"), text[body_start:]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answer=valid_answers(),
    reviewer=names.map(lambda s: " ".join(s.split())),
    credentials=st.one_of(st.none(), st.sampled_from(["RN", "MD, PhD"])),
    confidence=st.one_of(st.none(), st.sampled_from(LEVELS)),
    note=st.one_of(st.none(), safe_text),
    days_later=st.integers(min_value=0, max_value=400),
    same_reviewer=st.booleans(),
)
@pytest.mark.slow
def test_review_of_a_generated_valid_answer_changes_only_the_review_fields(
    tmp_path, answer, reviewer, credentials, confidence, note, days_later, same_reviewer
):
    from qa_tool.answerfile.read import text_digest
    from qa_tool.config import load_config
    from qa_tool.review import Reviewer, review_answers
    from qa_tool.validate import ERROR, check_answer

    data, made = answer
    if same_reviewer and made["reviewers"]:
        reviewer = made["reviewers"][0]  # an existing reviewer: kept once, credentials updated
    library = tmp_path / "lib"
    path = library / "answers" / "oncology" / "sample-answer.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    config = load_config(library)
    before = read_answer(path, "a.md", config.max_file_bytes)
    assert [f for f in check_answer(before, config, {}, AS_OF) if f.severity == ERROR] == []
    date = min(made["last"] + dt.timedelta(days=days_later), AS_OF)

    outcome = review_answers(
        config,
        [str(path)],
        [Reviewer(reviewer, credentials)],
        date=date,
        today=AS_OF,
        confidence=confidence,
        note=note,
    )

    assert outcome.refused == [] and len(outcome.reviewed) == 1
    after_data = path.read_bytes()
    old_bom, old_newline, old_front, old_body = split_file(data)
    new_bom, new_newline, new_front, new_body = split_file(after_data)
    assert (new_bom, new_body) == (old_bom, old_body)  # the body, byte for byte
    if old_newline == "\r\n":
        assert after_data.count(b"\n") == after_data.count(b"\r\n")
    # Every line outside the review fields is as it was, in the same order.
    old_pre, old_blocks, old_tail = top_level_blocks(old_front)
    new_pre, new_blocks, new_tail = top_level_blocks(new_front)
    assert (new_pre, new_tail) == (old_pre, old_tail)
    assert [b for k, b in new_blocks.items() if k not in REVIEW_KEYS] == [
        b for k, b in old_blocks.items() if k not in REVIEW_KEYS
    ]
    # The review fields say what was recorded.
    after = read_answer(path, "a.md", config.max_file_bytes)
    assert {k: v for k, v in after.meta.items() if k not in REVIEW_KEYS} == {
        k: v for k, v in before.meta.items() if k not in REVIEW_KEYS
    }
    assert after.meta["last_reviewed"] == date
    names_after = [p["name"] for p in after.meta["reviewed_by"]]
    assert names_after == list(dict.fromkeys([*made["reviewers"], reviewer]))
    if credentials:
        mine = next(p for p in after.meta["reviewed_by"] if p["name"] == reviewer)
        assert mine["credentials"] == credentials
    assert after.meta["review_fingerprint"] == text_digest(before.meta["title"], before.body)
    assert after.meta["confidence"] == (confidence or before.meta["confidence"])
    assert ("review_due" in after.meta) == ("review_due" in before.meta)
    if note is not None:
        assert after.meta["review_log"][-1]["note"] == note.strip()
    assert [f for f in check_answer(after, config, {}, AS_OF) if f.severity == ERROR] == []


# --- the summary reader (qa stale) refuses what the full reader refuses -----------------------

ALWAYS_REFUSED = frozenset(
    {"yaml-too-complex", "too-large", "empty", "binary", "not-utf8", "no-front-matter"}
    | {"unclosed-front-matter"}
)
# One value that expands to 10^5 items: each anchor is ten of the one before.
BOMB = (
    "[&a [x, x, x, x, x, x, x, x, x, x]"
    + "".join(f", &{n} [{', '.join([f'*{m}'] * 10)}]" for m, n in zip("abcd", "bcde", strict=True))
    + "]"
)
front_values = st.sampled_from(
    [
        "plain text",
        '"2026-05-22"',
        "2026-05-22",
        "&a [1, 2, 3]",
        "*a",
        "&b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "[*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "[" * 70 + "]" * 70,
        "\n  - x\n  - y",
        "\n" + "".join(" " * (2 * n + 2) + f"k{n}:\n" for n in range(70)) + " " * 142 + "v",
        BOMB,
        "{k: v}",
        "'quoted: yes'",
    ]
)
front_keys = st.sampled_from(["id", "title", "status", "last_reviewed", "references", "legacy"])


@SETTINGS
@given(
    pairs=st.lists(st.tuples(front_keys, front_values), max_size=7),
    max_bytes=st.sampled_from([60, 1_000_000]),
)
def test_summary_reader_agrees_with_the_full_reader(tmp_path, pairs, max_bytes):
    from qa_tool.answerfile.read import read_summary, summary_of

    path = tmp_path / "a.md"
    path.write_text("---\n" + "".join(f"{k}: {v}\n" for k, v in pairs) + "---\nBody\n")
    outcomes = []
    for read in (read_answer, read_summary):
        try:
            outcomes.append(read(path, "a.md", max_bytes).meta)
        except AnswerFileError as exc:
            outcomes.append(exc.rule)
    full, summary = outcomes
    if isinstance(full, str) and full in ALWAYS_REFUSED:
        assert summary == full
    elif isinstance(full, dict) and isinstance(summary, dict):
        assert summary == summary_of(full)
