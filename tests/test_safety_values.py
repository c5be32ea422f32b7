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

from qa_tool.answerfile import front_matter_text, inline_value
from qa_tool.config import load_config
from qa_tool.legacy import parse_legacy
from qa_tool.reader import load_front_matter, read_answer
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
