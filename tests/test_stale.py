"""qa stale: due dates, every reason, filters, output formats and exit codes.

Git cases run on real temporary repositories whose commits carry controlled
dates (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE through helpers.git).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat
from pathlib import Path

import pytest
from helpers import QA, REPO, answer_text, build_tree, commit_all, git, git_init, run_qa

from qa_tool.answerfile.read import reader_text
from qa_tool.answerfile.read import text_digest as text_fingerprint
from qa_tool.config import load_config
from qa_tool.library import load_library
from qa_tool.stale import (
    NOT_A_REPO,
    StaleItem,
    due_date,
    find_stale,
)

ONC = "answers/oncology"
SHIPPED_REVIEWED = "are-there-therapeutic-opportunities-for-autoimmune-disorders"
SHIPPED_IN_REVIEW = "what-new-treatments-for-autoimmune-diseases-are-emerging"


def by_id(items: list[dict]) -> dict[str, dict]:
    return {i["id"]: i for i in items}


def at(day: str) -> str:
    return f"{day}T12:00:00"


# --- the shipped library (the "done when") -----------------------------------------


def test_shipped_answers_as_of_2026_11_22():
    # The exact rows come from front matter alone (--no-git): later commits to the shipped
    # answers may add changed-since-review, which the next test allows for.
    args = ("stale", "--as-of", "2026-11-22", "--format", "json", "--no-git")
    result, items = QA(REPO).json(*args)
    assert result.exit_code == 1, result.output
    assert items == [
        {
            "id": SHIPPED_IN_REVIEW,
            "title": "What new treatments for autoimmune diseases are emerging "
            "from cancer research?",
            "topic": "Oncology",
            "status": "in-review",
            "last_reviewed": None,
            "due_date": None,
            "days_overdue": None,
            "reasons": ["never-reviewed"],
            "reviewers": [],
            "path": f"{ONC}/{SHIPPED_IN_REVIEW}.md",
        },
        {
            "id": SHIPPED_REVIEWED,
            "title": "Are there therapeutic opportunities for autoimmune disorders "
            "in cancer research?",
            "topic": "Oncology",
            "status": "published",
            "last_reviewed": "2026-05-22",
            "due_date": "2026-11-22",
            "days_overdue": 0,
            "reasons": ["overdue"],
            "reviewers": [],
            "path": f"{ONC}/{SHIPPED_REVIEWED}.md",
        },
    ]


def test_shipped_answers_with_git_history():
    result, items = QA(REPO).json("stale", "--as-of", "2026-11-22", "--format", "json")
    assert result.exit_code == 1, result.output
    reviewed = by_id(items)[SHIPPED_REVIEWED]
    assert (reviewed["due_date"], reviewed["days_overdue"]) == ("2026-11-22", 0)
    assert reviewed["reasons"][0] == "overdue"
    assert by_id(items)[SHIPPED_IN_REVIEW]["reasons"][0] == "never-reviewed"


def test_shipped_answers_text_table_and_summary():
    result = QA(REPO)("stale", "--as-of", "2026-11-22", "--no-git")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert f"answers/oncology/{SHIPPED_REVIEWED}.md" in out.replace("\n", "")  # may fold
    row = next(line for line in out.splitlines() if "2026-05-22" in line)
    assert row.split()[:4] == ["0", "2026-11-22", "2026-05-22", "overdue"]
    assert "Oncology · published" in out
    assert "2 answers due for review as of 2026-11-22 (2 checked)" in out
    assert "By reason:  overdue 1  never-reviewed 1" in out
    assert "By topic:   Oncology 2" in out
    assert "Falling due in the next 12 months:" in out


def test_day_before_the_due_date_lists_only_the_never_reviewed_one():
    result, items = QA(REPO).json("stale", "--as-of", "2026-11-21", "--format", "json", "--no-git")
    assert [(i["id"], i["reasons"]) for i in items] == [(SHIPPED_IN_REVIEW, ["never-reviewed"])]


# --- due dates --------------------------------------------------------------------------------


def test_due_date_rules(tmp_path):
    build_tree(
        tmp_path,
        {
            "qa.toml": '[review]\ndefault = "1y"\n[review.topics]\nCardiology = "3m"\n'
            '[review.confidence]\nlow = "30d"\n'
        },
    )
    config = load_config(tmp_path)
    last = dt.date(2026, 2, 10)
    assert due_date({"last_reviewed": last, "topic": "Oncology"}, config) == dt.date(2027, 2, 10)
    assert due_date({"last_reviewed": last, "topic": "Cardiology"}, config) == dt.date(2026, 5, 10)
    # Both set: the shorter interval applies.
    meta = {"last_reviewed": last, "topic": "Cardiology", "confidence": "low"}
    assert due_date(meta, config) == dt.date(2026, 3, 12)
    # review_due wins over any interval; ISO strings count as dates.
    meta = {"last_reviewed": last, "review_due": "2026-04-01", "topic": "Cardiology"}
    assert due_date(meta, config) == dt.date(2026, 4, 1)
    assert due_date({"review_due": dt.date(2026, 4, 1)}, config) == dt.date(2026, 4, 1)
    assert due_date({"topic": "Oncology"}, config) is None
    assert due_date({"last_reviewed": "not a date"}, config) is None


def test_default_interval_is_six_calendar_months(tmp_path):
    config = load_config(tmp_path)
    assert due_date({"last_reviewed": dt.date(2026, 8, 31)}, config) == dt.date(2027, 2, 28)


# --- reasons ----------------------------------------------------------------------------------


def test_overdue_on_the_due_date_not_the_day_before(library, qa):
    build_tree(library, {f"{ONC}/a.md": answer_text("a", last_reviewed="2026-02-10")})
    args = ("stale", "--format", "json", "--no-git")
    result, items = qa.json(*args, "--as-of", "2026-08-09")
    assert (result.exit_code, items) == (0, [])
    result, items = qa.json(*args, "--as-of", "2026-08-10")
    assert result.exit_code == 1
    assert [(i["due_date"], i["days_overdue"], i["reasons"]) for i in items] == [
        ("2026-08-10", 0, ["overdue"])
    ]
    result, items = qa.json(*args, "--as-of", "2026-08-15")
    assert items[0]["days_overdue"] == 5


def test_never_reviewed_applies_to_non_drafts_only(library, qa):
    build_tree(
        library,
        {
            f"{ONC}/in-review.md": answer_text(
                "in-review", status="in-review", last_reviewed=None, confidence=None
            ),
            f"{ONC}/draft.md": answer_text(
                "draft", status="draft", last_reviewed=None, confidence=None
            ),
        },
    )
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-03-01")
    assert result.exit_code == 1
    assert [(i["id"], i["reasons"], i["days_overdue"]) for i in items] == [
        ("in-review", ["never-reviewed"], None)
    ]
    # Asked for drafts explicitly: a draft is not "never reviewed", so nothing is due.
    result, items = qa.json(
        "stale", "--format", "json", "--as-of", "2026-03-01", "--status", "draft"
    )
    assert (result.exit_code, items) == (0, [])


@pytest.mark.parametrize(
    ("window", "listed"),
    [("30d", ["soon-10d"]), ("2w", ["soon-10d"]), ("3m", ["soon-10d", "soon-60d"])],
)
def test_due_soon_within_a_window(library, qa, window, listed):
    build_tree(
        library,
        {
            f"{ONC}/soon-10d.md": answer_text("soon-10d", extra="review_due: 2026-03-11"),
            f"{ONC}/soon-60d.md": answer_text("soon-60d", extra="review_due: 2026-04-30"),
            f"{ONC}/later.md": answer_text("later", extra="review_due: 2026-09-01"),
        },
    )
    result, items = qa.json(
        "stale", "--format", "json", "--as-of", "2026-03-01", "--within", window
    )
    assert [i["id"] for i in items] == listed
    assert items[0]["reasons"] == ["due-soon"]
    assert items[0]["days_overdue"] == -10
    # Due soon is not due yet: nothing fails.
    assert result.exit_code == 0, result.output


def test_bad_within_and_as_of_are_usage_errors(library, qa):
    build_tree(library, {f"{ONC}/a.md": answer_text("a")})
    for args in (("--within", "soon"), ("--as-of", "22/11/2026"), ("--status", "live")):
        result = qa("stale", *args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


def git_library(library: Path) -> Path:
    """A library in git where each answer was reviewed 2026-02-10 and then...

    a: body changed 2026-03-01            -> changed
    b: added 2026-03-01 (after its review) -> not changed (the adding commit)
    c: front matter only changed 2026-03-01 -> not changed
    d: body changed 2026-02-01 (before)   -> not changed
    e: title changed 2026-03-01           -> changed
    f: body changed on the review day     -> not changed (the review covers its day)
    g: renamed without change 2026-03-01  -> not changed
    h: body changed 2026-03-01, renamed 2026-03-05 -> changed (followed through the rename)
    i: body reworded but only in whitespace at its end -> not changed
    j: title re-quoted, same words               -> not changed
    """
    git_init(library)
    names = "acdefghij"
    build_tree(library, {f"{ONC}/{n}.md": answer_text(n) for n in names})
    commit_all(library, "add answers", at("2026-01-05"))

    build_tree(library, {f"{ONC}/d.md": answer_text("d", body=_body("Changed early."))})
    commit_all(library, "edit d before its review", at("2026-02-01"))
    build_tree(library, {f"{ONC}/f.md": answer_text("f", body=_body("Changed on review day."))})
    commit_all(library, "edit f on its review day", at("2026-02-10"))

    build_tree(
        library,
        {
            f"{ONC}/a.md": answer_text("a", body=_body("A new claim.")),
            f"{ONC}/b.md": answer_text("b"),
            f"{ONC}/c.md": answer_text("c", extra="tags:\n  - immunotherapy"),
            f"{ONC}/e.md": answer_text("e", title="Is this a better question?"),
            f"{ONC}/h.md": answer_text("h", body=_body("Edited before the move.")),
            f"{ONC}/i.md": answer_text("i") + "\n\n\n",
            f"{ONC}/j.md": answer_text("j").replace(
                "title: Is this a sample question?", "title: 'Is this a sample question?'"
            ),
        },
    )
    git(library, "mv", f"{ONC}/g.md", f"{ONC}/g2.md")
    commit_all(library, "edits after the reviews", at("2026-03-01"))
    git(library, "mv", f"{ONC}/h.md", f"{ONC}/h2.md")
    commit_all(library, "move h", at("2026-03-05"))
    return library


def _body(claim: str) -> str:
    return (
        f"A plain-language summary.\n\n## What the research says\n\n{claim} [@1].\n\n"
        "## What to ask your doctor\n\n- Is this right for me?\n"
    )


def test_changed_since_review_from_git(library, qa):
    git_library(library)
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-04-01")
    assert result.exit_code == 1, result.output
    assert {i["path"].rsplit("/", 1)[1]: i["reasons"] for i in items} == {
        "a.md": ["changed-since-review"],
        "e.md": ["changed-since-review"],
        "h2.md": ["changed-since-review"],
    }
    assert result.stderr == ""


def test_no_git_skips_history(library, qa):
    git_library(library)
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-04-01", "--no-git")
    assert (result.exit_code, items) == (0, [])


@pytest.mark.slow
def test_git_is_one_log_pass_and_one_cat_file(library, tmp_path):
    """Count git invocations through a wrapper on PATH: never one per file."""
    git_library(library)
    for n in range(20):  # more files, some changed after review: still the same calls
        build_tree(library, {f"{ONC}/x{n}.md": answer_text(f"x{n}")})
    # Dated before its parent on purpose: commit dates are not always in order.
    commit_all(library, "more answers", at("2026-01-06"))
    for n in range(0, 20, 2):
        build_tree(library, {f"{ONC}/x{n}.md": answer_text(f"x{n}", body=_body(f"New {n}."))})
    commit_all(library, "edit half of them", at("2026-03-02"))

    shim = tmp_path / "bin"
    shim.mkdir()
    calls = tmp_path / "git-calls.txt"
    real_git = next(
        Path(d) / "git"
        for d in os.environ["PATH"].split(os.pathsep)
        if (Path(d) / "git").is_file() and os.access(Path(d) / "git", os.X_OK)
    )
    wrapper = shim / "git"
    wrapper.write_text(
        f'#!/bin/sh\necho "$*" >> "{calls}"\nexec "{real_git}" "$@"\n', encoding="utf-8"
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
    result = run_qa("stale", "--format", "json", "--as-of", "2026-04-01", cwd=library, env=env)
    assert result.returncode == 1, result.stderr
    changed = {i["id"] for i in json.loads(result.stdout)}
    assert changed == {"a", "e", "h", *(f"x{n}" for n in range(0, 20, 2))}
    subcommands = [
        next(a for a in line.split(" ") if not a.startswith("-") and "=" not in a)
        # split("\n"), not splitlines(): the log format holds a \x1e, which splitlines breaks at.
        for line in calls.read_text().split("\n")
        if line
    ]
    # rev-parse for the root (config), the repository and HEAD; one ls-files (which files
    # are unmodified, by blob id); one log; one cat-file.
    assert sorted(subcommands) == [
        "cat-file",
        "log",
        "ls-files",
        "rev-parse",
        "rev-parse",
        "rev-parse",
    ]

    # A second run at the same HEAD reuses the verdicts: no log, no blobs read.
    calls.write_text("")
    again = run_qa("stale", "--format", "json", "--as-of", "2026-04-01", cwd=library, env=env)
    assert again.stdout == result.stdout
    again_subcommands = [
        next(a for a in line.split(" ") if not a.startswith("-") and "=" not in a)
        for line in calls.read_text().split("\n")
        if line
    ]
    assert sorted(again_subcommands) == ["ls-files", "rev-parse", "rev-parse", "rev-parse"]


@pytest.mark.slow
def test_cached_verdicts_follow_new_commits_and_new_reviews(tmp_path):
    """The HEAD-keyed verdicts are redone when HEAD moves or a review date changes."""
    library = tmp_path / "lib"
    build_tree(library, {"answers/oncology/a.md": answer_text("a", last_reviewed="2026-02-10")})
    git_init(library)
    commit_all(library, "add", "2026-01-05T10:00:00")

    def listed():
        out = run_qa("stale", "--format", "json", "--as-of", "2026-03-01", cwd=library)
        return [(i["id"], i["reasons"]) for i in json.loads(out.stdout)]

    assert listed() == []
    path = library / "answers/oncology/a.md"
    path.write_text(path.read_text().replace("A claim", "An edited claim"))
    commit_all(library, "edit the body", "2026-02-20T10:00:00")
    assert listed() == [("a", ["changed-since-review"])]  # HEAD moved: worked out again
    path.write_text(
        path.read_text().replace("last_reviewed: 2026-02-10", "last_reviewed: 2026-02-25")
    )
    assert listed() == []  # a newer review covers the edit, even before it is committed


def test_fingerprint_decides_without_git(library, qa):
    reviewed = answer_text("reviewed")
    title = "Is this a sample question?"
    body = reviewed.split("\n---\n", 1)[1]
    fp = text_fingerprint(title, body)
    build_tree(
        library,
        {
            f"{ONC}/same.md": answer_text("same", extra=f"review_fingerprint: {fp}"),
            f"{ONC}/edited.md": answer_text(
                "edited", extra=f"review_fingerprint: {fp}", body=_body("Edited after review.")
            ),
            f"{ONC}/retitled.md": answer_text(
                "retitled", extra=f"review_fingerprint: {fp}", title="A new question?"
            ),
            f"{ONC}/no-fingerprint.md": answer_text("no-fingerprint"),
        },
    )
    # Not a git repository: fingerprints still decide, one note for the rest.
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-04-01")
    assert {i["id"]: i["reasons"] for i in items} == {
        "edited": ["changed-since-review"],
        "retitled": ["changed-since-review"],
    }
    assert result.stderr.count("note:") == 1
    assert NOT_A_REPO in result.stderr


def test_fingerprint_wins_over_git(library, qa):
    """A commit changed the body after the review date, but the fingerprint says the
    review saw this text (e.g. reviewed later the same day): not changed. And an
    uncommitted edit, which git cannot see, is caught by the fingerprint."""
    git_init(library)
    build_tree(library, {f"{ONC}/a.md": answer_text("a"), f"{ONC}/b.md": answer_text("b")})
    commit_all(library, "add", at("2026-01-05"))
    title = "Is this a sample question?"
    new_body = _body("Rewritten.")
    old_body = answer_text("b").split("\n---\n", 1)[1]
    a_print = f"review_fingerprint: {text_fingerprint(title, new_body)}"
    b_print = f"review_fingerprint: {text_fingerprint(title, old_body)}"
    build_tree(
        library,
        {
            f"{ONC}/a.md": answer_text("a", body=new_body, extra=a_print),
            f"{ONC}/b.md": answer_text("b", extra=b_print),
        },
    )
    commit_all(library, "rewrite a; fingerprint b", at("2026-03-01"))
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-04-01")
    assert (result.exit_code, items) == (0, [])
    build_tree(library, {f"{ONC}/b.md": answer_text("b", body=new_body, extra=b_print)})
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-04-01")
    assert {i["id"]: i["reasons"] for i in items} == {"b": ["changed-since-review"]}


def test_reader_text_ignores_surrounding_whitespace():
    assert reader_text(" Why? ", "\n\nBody.\n\n\n") == "Why?\n\nBody.\n"
    assert text_fingerprint("Why?", "Body.") == text_fingerprint("Why? ", "\nBody.\n")
    assert text_fingerprint("Why?", "Body.") != text_fingerprint("Why?", "Body!")


def test_outside_git_one_note_on_stderr(library):
    build_tree(library, {f"{ONC}/a.md": answer_text("a"), f"{ONC}/b.md": answer_text("b")})
    result = run_qa("stale", "--as-of", "2026-04-01", "--format", "json", cwd=library)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert result.stderr.strip() == f"note: {NOT_A_REPO}"


def test_shallow_clone_says_history_is_partial(library, tmp_path):
    git_library(library)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{library}", str(clone))
    result = run_qa("stale", "--as-of", "2026-04-01", "--format", "json", cwd=clone)
    assert "shallow git clone" in result.stderr
    assert json.loads(result.stdout) == []  # every file looks newly added


def test_empty_repository_is_no_history(library, qa):
    git_init(library)
    build_tree(library, {f"{ONC}/a.md": answer_text("a")})
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-04-01")
    assert (result.exit_code, items, result.stderr) == (0, [], "")


def test_library_in_a_subfolder_of_the_repository(tmp_path):
    repo = tmp_path / "repo"
    lib = repo / "content"
    build_tree(lib, {"qa.toml": "", f"{ONC}/a.md": answer_text("a")})
    git_init(repo)
    commit_all(repo, "add", at("2026-01-05"))
    build_tree(lib, {f"{ONC}/a.md": answer_text("a", body=_body("Changed."))})
    commit_all(repo, "edit", at("2026-03-01"))
    result, items = QA(lib).json("stale", "--format", "json", "--as-of", "2026-04-01")
    assert [(i["path"], i["reasons"]) for i in items] == [(f"{ONC}/a.md", ["changed-since-review"])]


# --- filters, sorting, unreadable files --------------------------------------------------------


@pytest.fixture
def mixed(library: Path) -> Path:
    build_tree(
        library,
        {
            f"{ONC}/onc-old.md": answer_text("onc-old", last_reviewed="2025-01-10"),
            f"{ONC}/onc-recent.md": answer_text("onc-recent", last_reviewed="2026-01-20"),
            "answers/cardiology/card.md": answer_text(
                "card", topic="Cardiology", last_reviewed="2025-06-01"
            ).replace("Jane Doe", "Raj Patel"),
            f"{ONC}/retired.md": answer_text(
                "retired", status="retired", last_reviewed="2024-01-01"
            ),
            f"{ONC}/draft.md": answer_text("draft", status="draft", last_reviewed="2024-01-01"),
            f"{ONC}/fresh.md": answer_text("fresh", last_reviewed="2026-03-01"),
        },
    )
    return library


def ids(qa, *args):
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-08-01", "--no-git", *args)
    return result.exit_code, [i["id"] for i in items]


def test_default_lists_all_but_drafts_and_retired_most_overdue_first(mixed, qa):
    assert ids(qa) == (1, ["onc-old", "card", "onc-recent"])


def test_status_filter(mixed, qa):
    assert ids(qa, "--status", "retired") == (1, ["retired"])
    assert ids(qa, "--status", "draft,retired") == (1, ["draft", "retired"])
    assert ids(qa, "--status", "published", "--status", "draft") == (
        1,
        ["draft", "onc-old", "card", "onc-recent"],
    )


def test_topic_filter(mixed, qa):
    assert ids(qa, "--topic", "Cardiology") == (1, ["card"])
    assert ids(qa, "--topic", "oncology") == (1, ["onc-old", "onc-recent"])  # folder or any case
    assert ids(qa, "--topic", "Neurology") == (0, [])
    result = qa("stale", "--topic", "Astrology")
    assert result.exit_code == 2
    assert "unknown topic 'Astrology'" in result.stderr


def test_reviewer_filter(mixed, qa):
    assert ids(qa, "--reviewer", "patel") == (1, ["card"])
    assert ids(qa, "--reviewer", "Jane Doe") == (1, ["onc-old", "onc-recent"])
    assert ids(qa, "--reviewer", "nobody") == (0, [])


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("overdue", ["onc-old", "card", "onc-recent"]),
        ("id", ["card", "onc-old", "onc-recent"]),
        ("topic", ["card", "onc-old", "onc-recent"]),
        ("last-reviewed", ["onc-old", "card", "onc-recent"]),
        ("path", ["card", "onc-old", "onc-recent"]),
    ],
)
def test_sort_orders(mixed, qa, order, expected):
    assert ids(qa, "--sort", order) == (1, expected)


def test_unreadable_file_is_a_note_and_the_rest_is_checked(mixed, qa):
    build_tree(mixed, {f"{ONC}/broken.md": "---\nid: broken\ntitle: [unclosed\n---\nbody\n"})
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-08-01", "--no-git")
    assert [i["id"] for i in items] == ["onc-old", "card", "onc-recent"]
    assert f"{ONC}/broken.md:" in result.stderr
    assert "not checked" in result.stderr


def test_quiet_drops_notes(mixed, qa):
    build_tree(mixed, {f"{ONC}/broken.md": "no front matter\n"})
    result = qa("stale", "--as-of", "2026-08-01", "--format", "json", "--quiet")
    assert result.stderr == ""


# --- output formats and exit codes --------------------------------------------------------------


def test_json_days_overdue_and_reviewers(mixed, qa):
    result, items = qa.json("stale", "--format", "json", "--as-of", "2026-08-01", "--no-git")
    card = by_id(items)["card"]
    assert card == {
        "id": "card",
        "title": "Is this a sample question?",
        "topic": "Cardiology",
        "status": "published",
        "last_reviewed": "2025-06-01",
        "due_date": "2025-12-01",
        "days_overdue": 243,
        "reasons": ["overdue"],
        "reviewers": ["Raj Patel"],
        "path": "answers/cardiology/card.md",
    }


def test_csv_output(mixed, qa):
    result = qa("stale", "--format", "csv", "--as-of", "2026-08-01", "--no-git", "--within", "3m")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "id",
        "title",
        "topic",
        "status",
        "last_reviewed",
        "due_date",
        "days_overdue",
        "reasons",
        "reviewers",
        "path",
    ]
    got = {r["id"]: (r["due_date"], r["days_overdue"], r["reasons"], r["reviewers"]) for r in rows}
    assert got == {
        "onc-old": ("2025-07-10", "387", "overdue", "Jane Doe"),
        "card": ("2025-12-01", "243", "overdue", "Raj Patel"),
        "onc-recent": ("2026-07-20", "12", "overdue", "Jane Doe"),
        "fresh": ("2026-09-01", "-31", "due-soon", "Jane Doe"),
    }


def test_github_annotations(mixed, qa):
    build_tree(
        mixed,
        {
            f"{ONC}/new.md": answer_text(
                "new", status="in-review", last_reviewed=None, confidence=None
            )
        },
    )
    result = qa(
        "stale", "--format", "github", "--as-of", "2026-08-01", "--no-git", "--within", "3m"
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"::warning file={ONC}/new.md,line=5,title=qa stale::new is due for review: never reviewed",
        f"::warning file={ONC}/onc-old.md,line=8,title=qa stale::onc-old is due for review: "
        "overdue by 387 days (due 2025-07-10)",
        "::warning file=answers/cardiology/card.md,line=8,title=qa stale::card is due for review: "
        "overdue by 243 days (due 2025-12-01)",
        f"::warning file={ONC}/onc-recent.md,line=8,title=qa stale::onc-recent is due for review: "
        "overdue by 12 days (due 2026-07-20)",
        f"::warning file={ONC}/fresh.md,line=8,title=qa stale::fresh falls due soon: "
        "due in 31 days (2026-09-01)",
    ]


def test_text_output_has_table_summary_and_month_chart(mixed, qa):
    result = qa("stale", "--as-of", "2026-08-01", "--no-git", "--within", "30d")
    assert result.exit_code == 1
    out = result.stdout
    assert "3 answers due for review as of 2026-08-01 (4 checked)" in out
    assert "By reason:  overdue 3" in out
    assert "By topic:   Oncology 2  Cardiology 1" in out
    chart = out.split("Falling due in the next 12 months:\n", 1)[1].splitlines()
    assert [line.split()[:2] for line in chart] == [
        ["2026-08", "0"],
        ["2026-09", "1"],
        *[[m, "0"] for m in ("2026-10", "2026-11", "2026-12")],
        *[[f"2027-{n:02d}", "0"] for n in range(1, 8)],
    ]
    assert chart[1].split()[2] == "█" * 30  # the busiest month gets the full bar


def test_only_due_soon_is_listed_but_exits_0(mixed, qa):
    result = qa("stale", "--as-of", "2025-02-01", "--no-git", "--within", "6m")
    assert result.exit_code == 0, result.output
    assert "Nothing due for review, 1 due soon as of 2025-02-01 (4 checked)" in result.stdout
    assert "By reason:  due-soon 1" in result.stdout


def test_exit_codes(mixed, qa):
    assert qa("stale", "--as-of", "2026-08-01", "--no-git").exit_code == 1
    assert qa("stale", "--as-of", "2026-08-01", "--no-git", "--exit-zero").exit_code == 0
    assert qa("stale", "--as-of", "2025-02-01", "--no-git").exit_code == 0
    assert qa("stale", "--as-of", "2026-08-01", "--sort", "colour").exit_code == 2
    assert qa("stale", "--as-of", "yesterday").exit_code == 2
    nothing = qa("stale", "--as-of", "2025-02-01", "--no-git")
    assert "Nothing due for review as of 2025-02-01 (4 checked)" in nothing.stdout


def test_real_process_exit_code_and_stdout_only_results(mixed):
    result = run_qa("stale", "--as-of", "2026-08-01", "--format", "json", cwd=mixed)
    assert result.returncode == 1
    assert len(json.loads(result.stdout)) == 3
    assert "Traceback" not in result.stderr


# --- the API others call ----------------------------------------------------------------------


def test_find_stale_api(mixed):
    config = load_config(mixed)
    report = find_stale(
        config, load_library(config), as_of=dt.date(2026, 8, 1), topics=["Oncology"]
    )
    assert [i.id for i in report.items] == ["onc-old", "onc-recent"]
    assert all(isinstance(i, StaleItem) for i in report.items)
    assert report.notes == [NOT_A_REPO]
    assert report.items[0].to_dict()["due_date"] == "2025-07-10"
    assert report.checked == 3


def test_the_docs_show_the_real_output_for_the_shipped_answers():
    page = (REPO / "docs" / "commands" / "stale.md").read_text(encoding="utf-8")
    after = page.split("`COLUMNS=100 qa stale --as-of 2026-11-22`", 1)[1]
    shown = after.split("```text\n", 1)[1].split("```", 1)[0]
    result = QA(REPO)("stale", "--as-of", "2026-11-22", "--no-git", env={"COLUMNS": "100"})
    assert result.exit_code == 1
    assert [line.rstrip() for line in result.stdout.splitlines()] == shown.splitlines()


def test_blobs_read_in_storage_order_are_the_same_blobs(tmp_path, monkeypatch):
    """Large reads ask git in pack order; what comes back is exactly what was asked for."""
    from qa_tool import gitinfo

    library = tmp_path / "lib"
    build_tree(library, {f"answers/oncology/a{n}.md": answer_text(f"a{n}") for n in range(6)})
    git_init(library)
    commit_all(library, "add", "2026-01-05T10:00:00")
    git(library, "gc", "-q")  # a pack, as in any library with some history
    for n in range(3):
        path = library / f"answers/oncology/a{n}.md"
        path.write_text(path.read_text() + "\nMore text.\n")
    commit_all(library, "edit", "2026-02-05T10:00:00")
    repo = gitinfo.open_repo(library)
    blobs = git(library, "rev-list", "--objects", "--all").split()
    blobs = [
        b for b in blobs if len(b) == 40 and git(library, "cat-file", "-t", b).strip() == "blob"
    ]
    wanted = [*reversed(blobs), "0" * 40]  # a missing one too
    monkeypatch.setattr(gitinfo, "PACK_ORDER_MIN", 10**9)
    as_asked = list(gitinfo.read_blobs(repo, wanted))
    monkeypatch.setattr(gitinfo, "PACK_ORDER_MIN", 1)
    in_pack_order = list(gitinfo.read_blobs(repo, wanted))
    assert [b for b, _ in as_asked] == wanted
    assert sorted(in_pack_order, key=lambda p: p[0]) == sorted(as_asked, key=lambda p: p[0])
    assert dict(in_pack_order)["0" * 40] is None
    assert len(blobs) == 9


@pytest.mark.parametrize(
    "item",
    [
        StaleItem(
            id="a",
            title='Quotes " and \\ backslash, tab\t, ünïcödé, emoji \U0001f600, \u2028',
            topic=None,
            status=None,
            last_reviewed=None,
            due_date=None,
            days_overdue=None,
            reasons=("never-reviewed",),
            reviewers=(),
            path="answers/x/a.md",
        ),
        StaleItem(
            id="b\x00\x1f",
            title="",
            topic="Oncology",
            status="published",
            last_reviewed=dt.date(2026, 1, 31),
            due_date=dt.date(2026, 7, 31),
            days_overdue=-3,
            reasons=("overdue", "changed-since-review", "cites-retracted"),
            reviewers=('Dr. Ann "Q" Lee', "Bo"),
            path="answers/x/b.md",
            cites_retracted=("smith2020", "doe"),
        ),
    ],
)
def test_item_json_is_json_dumps_of_to_dict(item):
    from qa_tool.cli.stale_cmd import item_json

    assert item_json(item) == json.dumps(item.to_dict(), ensure_ascii=False)


def test_the_process_ends_with_all_output_written_and_its_exit_status(tmp_path):
    """qa stale ends its process without freeing the listing: what it wrote is all there
    (more than a pipe's buffer), and the exit status is the command's."""
    files = {f"{ONC}/a{n:03}.md": answer_text(f"a{n:03}", title="Q" * 200) for n in range(300)}
    library = build_tree(tmp_path, files)
    due = run_qa("stale", "--format", "json", "--as-of", "2026-11-22", cwd=library)
    assert due.returncode == 1, due.stderr
    assert len(json.loads(due.stdout)) == 300
    zero = run_qa("stale", "--format", "csv", "--as-of", "2026-11-22", "--exit-zero", cwd=library)
    assert zero.returncode == 0
    assert len(list(csv.reader(io.StringIO(zero.stdout)))) == 301
    none = run_qa("stale", "--format", "json", "--as-of", "2026-03-01", cwd=library)
    assert (none.returncode, none.stdout) == (0, "[]\n")


def test_main_called_from_other_code_returns_as_usual(tmp_path, monkeypatch, capsys):
    """Only the program itself is ended early: a script that calls main (a profiler's)
    gets its SystemExit back and runs on."""
    from qa_tool.cli import main

    library = build_tree(tmp_path, {f"{ONC}/a.md": answer_text("a")})
    monkeypatch.chdir(library)
    monkeypatch.setattr("sys.argv", ["qa", "stale", "--as-of", "2026-11-22", "--format", "json"])
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == 1
    assert [i["id"] for i in json.loads(capsys.readouterr().out)] == ["a"]
