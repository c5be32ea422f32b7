"""Two qa processes at once on the same answer: one complete edit, the other, both in turn,
or a clear refusal; never a mixture.

Real processes, started together and repeated (`qa review` twice at once is in
tests/test_review.py). Each round checks the file byte for byte against the
outcomes allowed, computed beforehand by running the same commands one after the
other, and that the library still validates.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import QA, build_tree

from qa_tool.answerfile.read import read_answer
from qa_tool.config import load_config
from qa_tool.validate import validate_library

RACE_ROUNDS = 20
NEW_ROUNDS = 8
LOCKED = "another qa process is editing this file"
TODAY = dt.date.today().isoformat()

LEGACY = (
    "Does green tea protect the liver?\n"
    "Possibly, in moderate amounts.\n"
    "What the research says\n"
    "{research} 1.\n"
    "What to ask your doctor\n"
    "- How much tea is safe for me?\n"
    "This question is drawn from common patient questions about Gastroenterology and "
    "answered using cited medical research. We do not provide individualized advice.\n"
)
TARGET = "answers/gastroenterology/does-green-tea-protect-the-liver.md"
SUSHI = "answers/oncology/can-i-eat-sushi.md"
# The loser of two `qa new` runs, depending on how far it got when the winner's file appeared.
EXISTS = re.compile(
    rf"qa: (?:id 'can-i-eat-sushi' is already used by {SUSHI}; choose another with --id"
    rf"|{SUSHI} already exists; choose another with --id"
    rf"|{SUSHI} appeared while qa was writing; it was left as it is)\n"
)


def start(cwd: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "qa_tool", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in out + err, err
    return proc.returncode, out, err


def leftovers(library: Path) -> list[str]:
    return sorted(p.name for p in (library / "answers").rglob(".*.tmp"))


def validation_errors(library: Path) -> int:
    return validate_library(load_config(library), None).errors


@pytest.mark.slow
def test_convert_force_racing_a_review_gives_one_whole_edit_or_both(library, tmp_path):
    source = tmp_path / "in" / "tea.txt"
    build_tree(tmp_path, {"in/tea.txt": LEGACY.format(research="Tea may protect the liver")})
    convert = ("convert", str(source), "--force", "--format", "json")
    review = ("review", TARGET, "--by", "Rita Reviewer, MD", "--date", TODAY)
    review += ("--lock-timeout", "60", "--format", "json")
    target = library / TARGET
    # The same commands in this process, one after the other (faster than processes).
    qa = QA(library)
    in_process = {convert: convert, review: (review[0], str(target), *review[2:])}
    assert qa(*in_process[convert]).exit_code == 0
    original = target.read_bytes()
    errors_before = validation_errors(library)

    # The outcomes, one command after the other: the new conversion, the review of it,
    # the conversion after a review (which keeps the review history), and the review of
    # the original (if the conversion were refused).
    source.write_text(LEGACY.format(research="Tea protects the liver in mice"), encoding="utf-8")
    assert qa(*in_process[review]).exit_code == 0
    reviewed_original = target.read_bytes()
    # A conversion after the review keeps the review history it replaces.
    assert qa(*in_process[convert]).exit_code == 0
    converted_keeping_review = target.read_bytes()
    target.write_bytes(original)
    assert qa(*in_process[convert]).exit_code == 0
    converted = target.read_bytes()
    assert qa(*in_process[review]).exit_code == 0
    converted_then_reviewed = target.read_bytes()
    outcomes = {original, reviewed_original, converted, converted_then_reviewed}
    assert len(outcomes | {converted_keeping_review}) == 5

    seen = {}
    for _round in range(RACE_ROUNDS):
        target.write_bytes(original)
        # Alternate which process starts first, so either may take the lock first.
        first, second = (convert, review) if _round % 2 else (review, convert)
        procs = {first: start(library, *first), second: start(library, *second)}
        (c_code, c_out, _), (r_code, r_out, r_err) = finish(procs[convert]), finish(procs[review])
        c_report, r_report = json.loads(c_out), json.loads(r_out)
        if c_code:  # only a clear refusal may stop the conversion
            assert LOCKED in c_report["files"][0]["error"]
        if r_code:
            assert LOCKED in r_report["refused"][0]["message"] and LOCKED in r_err
        allowed = {
            (0, 0): {converted, converted_then_reviewed, converted_keeping_review},
            (0, 1): {converted},
            (1, 0): {reviewed_original},
        }[(c_code, r_code)]
        final = target.read_bytes()
        assert final in allowed, final.decode()
        seen[final] = seen.get(final, 0) + 1
        read_answer(target, TARGET, 1_000_000)  # parses
        assert validation_errors(library) == errors_before
        assert leftovers(library) == []
    assert sum(seen.values()) == RACE_ROUNDS


@pytest.mark.slow
def test_two_new_answers_with_the_same_id_at_once_exactly_one_wins(library):
    target = library / SUSHI
    for n in range(NEW_ROUNDS):
        # No topic folder yet: both processes also race to create it.
        if target.exists():
            target.unlink()
            target.parent.rmdir()
        authors = [f"Writer {n}-a", f"Writer {n}-b"]
        procs = [
            start(
                library,
                "new",
                "Can I eat sushi?",
                "--topic",
                "Oncology",
                "--author",
                author,
                "--no-input",
            )  # fmt: skip
            for author in authors
        ]
        results = [finish(p) for p in procs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 1], results
        winner = next(a for a, (code, _, _) in zip(authors, results, strict=True) if code == 0)
        loser_err = next(err for code, _, err in results if code == 1)
        assert EXISTS.fullmatch(loser_err), loser_err
        answer = read_answer(target, "x", 1_000_000)
        assert answer.meta["authors"] == [{"name": winner}]
        assert validation_errors(library) == 0
        assert leftovers(library) == []


def test_a_topic_folder_made_by_another_process_meanwhile_is_used(library, monkeypatch):
    # The race the test above runs into now and then, made certain: the folder appears
    # between the check that it is missing and qa's own mkdir.
    from qa_tool import scaffold

    planned = scaffold.PlannedAnswer(
        "can-i-eat-sushi", "Oncology", library / SUSHI, SUSHI, "text\n", "default.md"
    )
    real_mkdir = Path.mkdir

    def other_process_first(self, *args, **kwargs):
        real_mkdir(self)
        raise FileExistsError(17, "File exists", str(self))

    monkeypatch.setattr(Path, "mkdir", other_process_first)
    scaffold.write_answers([planned])
    monkeypatch.undo()
    assert (library / SUSHI).read_text() == "text\n"
