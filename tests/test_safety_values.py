"""Hostile values: answers written that read back the same, and no input that takes
quadratic time. Each test is named by what it guards."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from helpers import LEGACY_SAMPLES, answer_text, build_tree
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qa_tool.answerfile.read import load_front_matter, read_answer, read_summary
from qa_tool.answerfile.write import front_matter_text, inline_value
from qa_tool.config import load_config
from qa_tool.errors import AnswerFileError
from qa_tool.legacy import parse_legacy
from qa_tool.review import Reviewer, review_answers
from qa_tool.validate import ERROR, check_answer


def _legacy(paragraph: str) -> str:
    return (
        "Is this a question?\nA short answer.\nWhat the research says\n"
        f"{paragraph}\nWhat to ask your doctor\n- Is it safe?\n"
    )


def assert_linear(run: Callable[[int], object], small: int, large: int) -> None:
    """``run(large)`` takes at most 10 times what linear growth from ``run(small)`` allows.

    The budget has a floor of one second, so a busy machine never makes it fail; a
    quadratic algorithm is still far over it (``large / small`` times more again).
    """
    started = time.perf_counter()
    run(small)
    base = time.perf_counter() - started
    started = time.perf_counter()
    run(large)
    took = time.perf_counter() - started
    budget = max(1.0, 10 * base * large / small)
    assert took < budget, f"{took:.2f}s for n={large}, over {budget:.2f}s (base {base:.3f}s)"


# --- quadratic time in the legacy converter -------------------------------------------


def test_bracket_run_before_a_parenthesis_is_linear():
    assert_linear(lambda n: parse_legacy(_legacy("Text " + "[1]" * n + "(")), 1000, 20000)


def test_number_list_not_ending_a_sentence_is_linear():
    assert_linear(lambda n: parse_legacy(_legacy("Text a " + "1, " * n + "x")), 1000, 20000)


def test_bracket_runs_keep_their_meaning():
    # a run before a link is cut after its last group followed by a space
    answer = parse_legacy(_legacy("Seen in trials [1] [2](https://example.org) and [3]."))
    assert "trials [@1] [2](https://example.org) and [@3]." in answer.body_markdown()
    answer = parse_legacy(_legacy("A label [1][2]: kept, and a stop moves. [2]"))
    assert "A label [1][2]: kept, and a stop moves [@2]." in answer.body_markdown()
    answer = parse_legacy(_legacy("Listed at the end 1, 2."))
    assert "Listed at the end [@1; @2]." in answer.body_markdown()


# --- every value written reads back as the same string (item 3, 4) --------------------

TRICKY = [
    "Yes, NO",
    "On",
    "Off",
    "No",
    "yes",
    "y",
    "N",
    "1:20",
    "1:20.5",
    "190:20:30",
    "~",
    "null",
    "Null",
    "true",
    "2026-01-01",
    "2026-01-01 10:00",
    "0o17",
    "017",
    "0x1F",
    "1_000",
    "1e5",
    ".inf",
    "-.Inf",
    ".NaN",
    "=",
    "<<",
    "- x",
    "? x",
    "&a",
    "*a",
    "!x",
    "%x",
    "@x",
    "`x",
    "a: b",
    "a #b",
    "a:",
    "#x",
    "x\x85y",
    "x\u2028y",
    "x\u2029y",
    "\ufeffx",
    " x",
    "x ",
    "...",
    "---",
    "'q'",
    '"q"',
    "a\nb",
    "a\tb",
    "\x7f",
    "\x00",
    "é ünïcödé 🙂",
    "[a]",
    "{a}",
]
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(),
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["Zl", "Zp", "Cc", "Po", "Sm", "Nd", "Zs"])
    ),
)


def _reads_back(yaml_text: str) -> list:
    from ruamel.yaml import YAML

    return [
        yaml.load(yaml_text, Loader=yaml.CSafeLoader),
        yaml.load(yaml_text, Loader=yaml.SafeLoader),
        YAML(typ="safe", pure=True).load(yaml_text),
        load_front_matter(yaml_text, Path("x.md")),
    ]


@settings(max_examples=400, deadline=None)
@given(key=TEXT, value=TEXT, items=st.lists(TEXT, max_size=3))
def test_block_writer_reads_back_the_same_text(key, value, items):
    meta = {"title": value, key: {"k": value, "list": items}, "refs": [{"id": value}]}
    for loaded in _reads_back(front_matter_text(meta)):
        assert loaded == meta


@settings(max_examples=400, deadline=None)
@given(value=TEXT, items=st.lists(TEXT, max_size=3))
def test_inline_writer_reads_back_the_same_text(value, items):
    meta = {"title": value, "authors": [{"name": v} for v in items], "tags": items}
    text = "".join(f"{key}: {inline_value(v)}\n" for key, v in meta.items())
    for loaded in _reads_back(text):
        assert loaded == meta


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, note=TEXT)
def test_review_writes_what_reads_back_and_still_validates(name, note):
    name = " ".join(name.replace(",", " ").split())
    assume(name and note.strip())
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build_tree(root, {"answers/oncology/sample-answer.md": answer_text()})
        config = load_config(root)
        outcome = review_answers(
            config,
            ["sample-answer"],
            [Reviewer(name, note)],
            note=note,
            today=dt.date(2026, 6, 1),
        )
        assert not outcome.refused
        path = root / "answers/oncology/sample-answer.md"
        answer = read_answer(path, "answers/oncology/sample-answer.md", config.max_file_bytes)
        assert answer.meta["reviewed_by"][-1] == {"name": name, "credentials": note}
        assert answer.meta["review_log"][-1]["note"] == note.strip()
        assert answer.meta["review_log"][-1]["by"] == name
        stems = {"sample-answer": ["answers/oncology/sample-answer.md"]}
        errors = [
            f
            for f in check_answer(answer, config, stems, dt.date(2026, 6, 1))
            if f.severity == ERROR
        ]
        assert errors == []
        for loaded in _reads_back(answer.front_matter):
            assert loaded["reviewed_by"][-1]["name"] == name


@pytest.mark.parametrize("by", ["Yes, NO", "On", "1:20", "y"])
def test_review_by_and_note_that_yaml_would_retype_stay_text(library, qa, by):
    build_tree(library, {"answers/oncology/sample-answer.md": answer_text()})
    result = qa("review", "sample-answer", "--by", by, "--note", "No", "--date", "2026-03-01")
    assert result.exit_code == 0, result.output
    result, data = qa.json("stale", "--format", "json", "--as-of", "2026-03-02")
    meta = yaml.safe_load(
        (library / "answers/oncology/sample-answer.md").read_text().split("---\n")[1]
    )
    assert meta["reviewed_by"][-1]["name"] == by.split(",")[0]
    assert meta["review_log"][-1] == {
        "date": dt.date(2026, 3, 1),
        "event": "reviewed",
        "by": by.split(",")[0],
        "note": "No",
    }
    assert qa("validate").exit_code == 0


def test_undecodable_argument_is_refused_and_nothing_written(library, qa):
    build_tree(library, {"answers/oncology/sample-answer.md": answer_text()})
    before = (library / "answers/oncology/sample-answer.md").read_bytes()
    result = qa("review", "sample-answer", "--by", "Ren\udce9 Roux")
    assert result.exit_code == 2
    assert "'Ren\\xe9 Roux' is not valid UTF-8" in result.output
    assert (library / "answers/oncology/sample-answer.md").read_bytes() == before


def test_undecodable_argument_from_a_real_command_line(library):
    build_tree(library, {"answers/oncology/sample-answer.md": answer_text()})
    result = subprocess.run(
        [sys.executable, "-m", "qa_tool", "review", "sample-answer", "--by", b"Ren\xe9"],
        cwd=library,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "not valid UTF-8" in result.stderr and "internal error" not in result.stderr


def test_convert_refuses_a_file_name_that_is_not_utf8(library, qa):
    legacy = library / "legacy"
    legacy.mkdir()
    good = (LEGACY_SAMPLES / sorted(os.listdir(LEGACY_SAMPLES))[0]).read_bytes()
    (legacy / "good.txt").write_bytes(good)
    bad = os.fsencode(str(legacy)) + b"/caf\xe9.txt"
    with open(bad, "wb") as handle:
        handle.write(good.replace(b"What new", b"Which new"))
    result, data = qa.json("convert", str(legacy), "--topic", "Oncology", "--format", "json")
    assert "internal error" not in result.output
    by_name = {os.path.basename(r["source"]): r for r in data["files"]}
    failed = by_name["caf\\xe9.txt"]
    assert failed["status"] == "failed" and "not valid UTF-8" in failed["error"]
    assert by_name["good.txt"]["status"] == "converted"
    assert result.exit_code == 1
    assert qa("validate").exit_code == 0


# --- a review never takes a file over max_file_bytes (item 5) ------------------------


def test_review_that_would_pass_max_file_bytes_is_refused_and_writes_nothing(library, qa):
    text = answer_text()
    build_tree(
        library,
        {
            "answers/oncology/sample-answer.md": text,
            "qa.toml": f"max_file_bytes = {len(text.encode()) + 40}\n",
        },
    )
    before = (library / "answers/oncology/sample-answer.md").read_bytes()
    result = qa("review", "sample-answer", "--by", "Jane Doe", "--note", "x" * 200)
    assert result.exit_code == 1
    assert "over the" in result.output and "nothing written" in result.output
    assert (library / "answers/oncology/sample-answer.md").read_bytes() == before
    assert qa("validate").exit_code == 0


# --- the alias guard sees every anchor the parser sees (item 8) -----------------------


def _hidden_anchor_bomb(separator: str) -> str:
    items = [f"{separator}&l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    items += [f"{separator}&l{n} [" + ",".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, 9)]
    return f"---\nid: bomb\ntags: [{', '.join(items)}]\n---\nBody\n"


@pytest.mark.parametrize("separator", ["\u0085", "\u2028", "\u2029"])
def test_alias_bomb_behind_a_yaml_11_line_break_is_refused_by_every_reader(
    library, qa, tmp_path, separator
):
    build_tree(
        library,
        {
            "answers/oncology/sample-answer.md": answer_text(),
            "answers/oncology/bomb.md": _hidden_anchor_bomb(separator),
        },
    )
    path = library / "answers/oncology/bomb.md"
    for read in (read_answer, read_summary):
        with pytest.raises(AnswerFileError) as caught:
            read(path, "bomb.md", 1024 * 1024)
        assert caught.value.rule == "yaml-too-complex"
    result, data = qa.json("validate", "--format", "json")
    assert {f["rule"] for f in data["findings"] if "bomb" in f["path"]} == {"yaml-too-complex"}
    result, data = qa.json("stale", "--format", "json", "--as-of", "2030-01-01")
    assert [i["id"] for i in data] == ["sample-answer"]
    assert "bomb.md" in result.stderr
    result = qa("export", "--out", str(tmp_path / "out"), "--format", "json")
    assert result.exit_code == 1 and "bomb.md" in result.output


# --- dates that leave the calendar (item 7) --------------------------------------------


def test_a_due_date_past_9999_is_a_note_on_that_answer_only(library, qa, tmp_path):
    build_tree(
        library,
        {
            "answers/oncology/sample-answer.md": answer_text(last_reviewed="2026-01-01"),
            "answers/oncology/far.md": answer_text("far", last_reviewed="9999-12-01"),
        },
    )
    result, data = qa.json("stale", "--format", "json", "--as-of", "2027-01-01")
    assert result.exit_code == 1
    assert [i["id"] for i in data] == ["sample-answer"]
    assert (
        "answers/oncology/far.md: the due date, 9999-12-01 plus 6m is past the year 9999; "
        "not checked"
    ) in result.stderr
    result = qa("export", "--out", str(tmp_path / "out"), "--format", "json")
    assert "internal error" not in result.output
    assert (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "toml", "message"),
    [
        (["--within", "9000y"], "", "'9000y' is longer than 100 years"),
        (["--as-of", "9999-12-30", "--within", "30d"], "", "--within 30d: 9999-12-30 plus 30d"),
        ([], '[review]\ndefault = "9000y"\n', "review.default: '9000y' is longer than 100"),
    ],
)
def test_out_of_range_options_and_settings_are_usage_errors(library, qa, args, toml, message):
    build_tree(library, {"answers/oncology/sample-answer.md": answer_text(), "qa.toml": toml})
    result = qa("stale", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "internal error" not in result.output


@pytest.mark.parametrize("epoch", ["4354819200", "100000000000000000000"])
def test_source_date_epoch_past_2107_is_a_usage_error(library, qa, tmp_path, epoch):
    build_tree(library, {"answers/oncology/sample-answer.md": answer_text()})
    result = qa("export", "--out", str(tmp_path / "out"), env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 2, result.output
    assert "after 2107-12-31" in result.output
    assert not (tmp_path / "out").exists()


# --- a listing reads the values the full reader reads (item 15) ------------------------

LINES = st.sampled_from(
    [
        "id: sample-answer",
        "title: Is this a question?",
        'title: "A title continued',
        "title: 'A title continued",
        "last_reviewed: 2026-02-10",
        'last_reviewed: 2020-01-01"',
        "last_reviewed: 2020-01-01'",
        "review_due: 2026-03-01",
        "review_due: 2026-13-45",
        "status: published",
        "status: !!python/object:os.system published",
        "topic: !bad Oncology",
        "references:",
        "  - id: '1'",
        '  - note: "continued',
        "    PMID: !!int x",
        "legacy:",
        "  converted: 2026-99-01",
        "k" * 2000 + ": x",
        "tags: [a, b",
        "]",
        "x: &a [1]",
        "y: *a",
        "# a comment",
        "",
    ]
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINES, min_size=1, max_size=8))
def test_summary_reader_gives_the_full_readers_values_or_its_error(tmp_path_factory, lines):
    from qa_tool.answerfile.read import summary_of

    path = tmp_path_factory.mktemp("a") / "a.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\nBody\n", encoding="utf-8")
    outcomes = []
    for read in (read_answer, read_summary):
        try:
            outcomes.append(read(path, "a.md", 1024 * 1024).meta)
        except AnswerFileError as exc:
            outcomes.append((exc.rule, exc.line))
    full, summary = outcomes
    assert summary == (summary_of(full) if isinstance(full, dict) else full)


def test_stale_and_validate_agree_on_a_value_continued_at_column_0(library, qa):
    text = answer_text(
        last_reviewed=None, title='"Is this a sample question?\nlast_reviewed: 2020-01-01"'
    )
    build_tree(library, {"answers/oncology/sample-answer.md": text})
    meta = read_answer(library / "answers/oncology/sample-answer.md", "x", 1 << 20).meta
    assert "last_reviewed" not in meta
    result, data = qa.json("stale", "--format", "json", "--as-of", "2026-03-01")
    assert [i["reasons"] for i in data] == [["never-reviewed"]]


def test_stale_names_a_file_validate_refuses_for_a_skipped_field(library, qa):
    build_tree(
        library,
        {
            "answers/oncology/sample-answer.md": answer_text(),
            "answers/oncology/huge-key.md": answer_text("huge-key", extra="k" * 100_000 + ": x\n"),
            "answers/oncology/bad-tag.md": answer_text(
                "bad-tag", extra="legacy: !!python/name:os.system x\n"
            ),
        },
    )
    result, data = qa.json("validate", "--format", "json")
    refused = {f["path"].rsplit("/", 1)[1] for f in data["findings"] if f["severity"] == "error"}
    assert {"huge-key.md", "bad-tag.md"} <= refused
    result, data = qa.json("stale", "--format", "json", "--as-of", "2030-01-01")
    assert [i["id"] for i in data] == ["sample-answer"]
    assert "huge-key.md" in result.stderr and "bad-tag.md" in result.stderr


def test_rendering_a_huge_citation_group_is_linear():
    from qa_tool.answerfile.read import Answer
    from qa_tool.render import Renderer

    renderer = Renderer()

    def render(n: int) -> None:
        body = (
            "A summary [" + "; ".join(f"@{k}" for k in range(1, n + 1)) + "].\n\n"
            "## What the research says\n\nA claim [@1].\n"
        )
        meta = {"id": "x", "title": "A title?", "references": [{"id": "1"}]}
        doc = renderer.render(Answer("x.md", "x.md", meta, body, 5))
        assert len(doc.references) == 1

    assert_linear(render, 2000, 50000)


# --- a file name that is not UTF-8 under answers/ (item 6) -----------------------------


def test_a_file_name_that_is_not_utf8_is_a_finding_and_the_rest_is_served(library, qa, tmp_path):
    build_tree(library, {"answers/oncology/sample-answer.md": answer_text()})
    with open(os.fsencode(library / "answers/oncology") + b"/caf\xe9.md", "wb") as handle:
        handle.write(answer_text("other").encode())
    shown = "answers/oncology/caf\\xe9.md"
    result, data = qa.json("validate", "--format", "json")
    assert [(f["path"], f["rule"]) for f in data["findings"] if f["severity"] == "error"] == [
        (shown, "name-not-utf8")
    ]
    for _ in range(2):  # the second run goes through the cache
        result, data = qa.json("stale", "--format", "json", "--as-of", "2030-01-01")
        assert [i["id"] for i in data] == ["sample-answer"]
        assert f"{shown}: the file name is not valid UTF-8" in result.stderr
    result = qa("export", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and shown in result.stderr
    assert "internal error" not in result.output
    result = qa("review", "sample-answer", "--by", "Jane Doe", "--date", "2026-03-01")
    assert result.exit_code == 0, result.output


@settings(max_examples=800, deadline=None)
@given(lines=st.lists(LINES, min_size=1, max_size=8), title=TEXT)
def test_title_block_parses_to_the_full_readers_title(lines, title):
    from qa_tool.answerfile.read import title_block

    front = "\n".join([*lines, f"title: {inline_value(title)}"] if title else lines) + "\n"
    try:
        full = load_front_matter(front, Path("x.md")).get("title")
    except AnswerFileError:
        return  # a file the full reader refuses has no title to agree on
    block = title_block(front)
    assert load_front_matter(block, Path("x.md")).get("title") == full
