"""qa review: what it writes, what it refuses, --commit, and two reviews at once."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import answer_text, build_tree, commit_all, git, git_init, run_qa

from qa_tool.answerfile.read import text_digest as text_fingerprint
from qa_tool.config import load_config
from qa_tool.fsutil import edit_lock
from qa_tool.review import commit_message, parse_reviewer

ONC = "answers/oncology"
TITLE = "What should I know about immunotherapy side effects?"
BODY = """Body text [@1] stays   exactly as it was.

## What the research says

A claim [@1].

## What to ask your doctor

- Is this right for me?
"""
# Comments, quotes, and keys in an unusual order: all of it must survive.
ORIGINAL = f"""---
# Reviewed yearly; see the policy.
title: '{TITLE}'
id: immunotherapy-side-effects   # never changes
topic: Oncology
status: published
review_due: 2026-08-10   # set by hand
last_reviewed: 2026-02-10
confidence: moderate
created: 2026-01-05
reviewed_by:
  - name: Jane Doe
    credentials: "MD, medical oncologist"   # as on her badge
references:
  - id: "1"
    title: Clinical trials of human papillomavirus vaccines and beyond
    PMID: "23736648"
    issued: 2013
---
{BODY}"""
ID = "immunotherapy-side-effects"
PATH = f"{ONC}/{ID}.md"
FINGERPRINT = text_fingerprint(TITLE, BODY)


def meta_of(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_round_trip_changes_only_the_lines_it_must(library, qa):
    build_tree(library, {PATH: ORIGINAL})
    result = qa(
        "review", "immunotherapy-side-effects", "--by", "Jane Doe", "--by", "Sam Smith, RN",
        "--date", "2026-11-20",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    expected = (
        ORIGINAL.replace(
            "review_due: 2026-08-10   # set by hand", "review_due: 2027-05-20   # set by hand"
        )
        .replace("last_reviewed: 2026-02-10", "last_reviewed: 2026-11-20")
        .replace(
            '    credentials: "MD, medical oncologist"   # as on her badge\n',
            '    credentials: "MD, medical oncologist"   # as on her badge\n'
            "  - name: Sam Smith\n    credentials: RN\n"
            f"review_fingerprint: {FINGERPRINT}\n"
            "review_log:\n  - date: 2026-11-20\n    event: reviewed\n    by: Jane Doe, Sam Smith\n",
        )
    )
    assert (library / PATH).read_text(encoding="utf-8") == expected
    assert "recorded: answers/oncology/immunotherapy-side-effects.md" in result.stdout
    assert qa("validate").exit_code == 0


def test_confidence_credentials_note_and_review_due_from_the_new_level(library, qa):
    build_tree(library, {"qa.toml": '[review.confidence]\nhigh = "1y"\n', PATH: ORIGINAL})
    result, out = qa.json(
        "review", PATH.rsplit("/", 1)[1].removesuffix(".md"), "--by", "Jane Doe, MD, PhD",
        "--confidence", "high", "--note", "Re-checked: dosing", "--date", "2026-11-21",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out == {
        "reviewed": [
            {
                "path": PATH,
                "id": "immunotherapy-side-effects",
                "changed": True,
                "last_reviewed": "2026-11-21",
                "review_due": "2027-11-21",
                "confidence": "high",
                "reviewed_by": ["Jane Doe"],
                "review_fingerprint": FINGERPRINT,
                "cleared_doubts": 0,
            }
        ],
        "refused": [],
        "commit": None,
    }
    meta = meta_of(library / PATH)
    assert meta["reviewed_by"] == [{"name": "Jane Doe", "credentials": "MD, PhD"}]
    assert meta["confidence"] == "high"
    assert meta["review_log"] == [
        {
            "date": dt.date(2026, 11, 21),
            "event": "reviewed",
            "by": "Jane Doe",
            "note": "Re-checked: dosing",
        }
    ]
    assert "&" not in (library / PATH).read_text(encoding="utf-8")  # no YAML anchors
    assert qa("validate").exit_code == 0  # review_log is in the schema


def test_never_reviewed_answer_gets_the_fields_in_order(library, qa):
    text = answer_text("new-one", status="in-review", last_reviewed=None, confidence=None)
    build_tree(library, {f"{ONC}/new-one.md": text})
    result = qa("review", "new-one", "--by", "Jane Doe, MD", "--confidence", "low")
    assert result.exit_code == 0, result.output
    after = (library / ONC / "new-one.md").read_text(encoding="utf-8")
    today = dt.date.today().isoformat()
    fingerprint = text_fingerprint("Is this a sample question?", text.split("\n---\n", 1)[1])
    assert after == text.replace(
        "status: in-review\n",
        "status: in-review\nconfidence: low\n",
    ).replace(
        "created: 2026-01-05\n",
        f"created: 2026-01-05\nlast_reviewed: {today}\nreviewed_by:\n  - name: Jane Doe\n"
        f"    credentials: MD\nreview_fingerprint: {fingerprint}\n"
        f"review_log:\n  - date: {today}\n    event: reviewed\n    by: Jane Doe\n",
    )


def test_same_reviewer_twice_is_not_duplicated(library, qa):
    build_tree(library, {PATH: ORIGINAL})
    for _ in range(2):
        assert (
            qa("review", str(library / PATH), "--by", "Jane Doe", "--date", "2026-11-20").exit_code
            == 0
        )
    meta = meta_of(library / PATH)
    assert [p["name"] for p in meta["reviewed_by"]] == ["Jane Doe"]
    # The second run found nothing to change and said so.
    result = qa("review", str(library / PATH), "--by", "Jane Doe", "--date", "2026-11-20")
    assert "already recorded" in result.stdout


def test_future_date_is_refused_and_nothing_is_written(library, qa):
    build_tree(library, {PATH: ORIGINAL})
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    result = qa("review", ID, "--by", "Jane Doe", "--date", tomorrow)
    assert result.exit_code == 2
    assert "in the future" in result.stderr
    assert (library / PATH).read_text(encoding="utf-8") == ORIGINAL


def test_earlier_date_than_the_last_review_needs_force(library, qa):
    build_tree(library, {PATH: ORIGINAL})
    result = qa("review", "immunotherapy-side-effects", "--by", "Jane Doe", "--date", "2026-01-31")
    assert result.exit_code == 1
    assert "last_reviewed is already 2026-02-10" in result.stderr
    assert (library / PATH).read_text(encoding="utf-8") == ORIGINAL
    forced = qa(
        "review",
        "immunotherapy-side-effects",
        "--by",
        "Jane Doe",
        "--date",
        "2026-01-31",
        "--force",
    )
    assert forced.exit_code == 0
    assert meta_of(library / PATH)["last_reviewed"] == dt.date(2026, 1, 31)


def test_validation_errors_refuse_unless_force(library, qa):
    broken = answer_text("broken", body="Summary citing [@9].\n")  # no sections, unknown cite
    good = answer_text("good")
    build_tree(library, {f"{ONC}/broken.md": broken, f"{ONC}/good.md": good})
    result = qa("review", "broken", "good", "--by", "Jane Doe")
    assert result.exit_code == 1
    assert f"{ONC}/broken.md: not reviewed: 4 validation errors (fix them, or use --force)" in (
        result.stderr
    )
    assert "(section-missing)" in result.stderr
    assert "(citation-unknown)" in result.stderr
    assert (library / ONC / "broken.md").read_text(encoding="utf-8") == broken
    # The other file in the batch carried on.
    assert meta_of(library / ONC / "good.md")["last_reviewed"] == dt.date.today()

    result, out = qa.json("review", "broken", "--by", "Jane Doe", "--format", "json")
    assert result.exit_code == 1
    assert out["reviewed"] == []
    assert [(f["rule"], f["line"]) for f in out["refused"][0]["findings"]] == [
        ("section-missing", 23),
        ("section-missing", 23),
        ("citation-unknown", 23),
        ("reference-uncited", 15),
    ]
    forced = qa("review", "broken", "--by", "Jane Doe", "--force")
    assert forced.exit_code == 0, forced.output
    assert meta_of(library / ONC / "broken.md")["last_reviewed"] == dt.date.today()


def test_a_template_still_holding_placeholders_is_refused_even_with_force(library, qa):
    """A fresh `qa new` draft is all template text: no review can vouch for it."""
    made = qa("new", "Can I drink coffee?", "--topic", "oncology", "--author", "Sam Writer")
    assert made.exit_code == 0, made.output
    path = library / ONC / "can-i-drink-coffee.md"
    before = path.read_bytes()
    for extra in ((), ("--force",)):
        result, out = qa.json(
            "review", "can-i-drink-coffee", "--by", "Jane Doe", "-f", "json", *extra
        )
        assert result.exit_code == 1, result.output
        assert out["reviewed"] == []
        refused = out["refused"][0]
        assert "template placeholder text is still on 5 lines" in refused["message"]
        assert {f["rule"] for f in refused["findings"]} == {"placeholder-left"}
        assert [f["line"] for f in refused["findings"]] == [12, 14, 18, 22, 23]
        assert path.read_bytes() == before
    text = qa("review", "can-i-drink-coffee", "--by", "Jane Doe")
    assert text.exit_code == 1
    assert "write the answer and remove the markers first" in text.stderr
    assert "line 12: placeholder text from the template" in text.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such-answer", "--by", "Jane Doe"), "no answer with id 'no-such-answer'"),
        ((ID,), "name the reviewer with --by"),
        ((ID, "--by", " , MD"), "give the reviewer's name"),
        ((ID, "--by", "Jane Doe", "--date", "20-11-2026"), "is not a date"),
        ((ID, "--by", "Jane Doe", "--confidence", "certain"), "certain"),
        (("--by", "Jane Doe"), "name the answers reviewed"),
    ],
)
def test_usage_errors_exit_2_and_touch_nothing(library, qa, args, message):
    build_tree(library, {PATH: ORIGINAL})
    result = qa("review", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert (library / PATH).read_text(encoding="utf-8") == ORIGINAL


def test_parse_reviewer():
    person = parse_reviewer(" Jane  Doe , MD, medical oncologist ")
    assert (person.name, person.credentials) == ("Jane Doe", "MD, medical oncologist")
    assert parse_reviewer("Sam").credentials is None


# --- --commit ---------------------------------------------------------------------------------


def git_env() -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": "Review Desk",
        "GIT_AUTHOR_EMAIL": "desk@example.org",
        "GIT_COMMITTER_NAME": "Review Desk",
        "GIT_COMMITTER_EMAIL": "desk@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def test_commit_has_only_the_reviewed_files_and_a_trailer_per_reviewer(library):
    git_init(library)
    build_tree(
        library,
        {PATH: ORIGINAL, f"{ONC}/other.md": answer_text("other"), f"{ONC}/b.md": answer_text("b")},
    )
    commit_all(library, "add answers", "2026-01-05T12:00:00")
    # Unrelated work in progress, staged and unstaged, must stay out of the commit.
    build_tree(library, {f"{ONC}/other.md": answer_text("other", title="Work in progress?")})
    git(library, "add", f"{ONC}/other.md")
    build_tree(library, {"notes.txt": "scratch\n"})

    result = run_qa(
        "review", "immunotherapy-side-effects", "b", "--by", "Jane Doe, MD", "--by", "Sam Smith",
        "--note", "Checked every dose.", "--commit", "--date", "2026-11-20",
        cwd=library, env=git_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert git(library, "rev-list", "--count", "HEAD").strip() == "2"
    changed = git(library, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == [f"{ONC}/b.md", PATH]
    message = git(library, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "Review 2 answers"
    assert "Checked every dose." in message
    trailers = git(library, "log", "-1", "--format=%(trailers:key=Reviewed-by,valueonly)")
    assert trailers.split("\n")[:2] == ["Jane Doe", "Sam Smith"]
    status = git(library, "status", "--porcelain")
    assert status.splitlines() == [f"M  {ONC}/other.md", "?? notes.txt"]


@pytest.mark.slow
def test_review_commit_is_not_a_change_of_the_text(library):
    """qa review --commit changes only front matter: neither the fingerprint nor git
    (once the fingerprint is gone) count it as changed-since-review."""
    git_init(library)
    build_tree(library, {PATH: ORIGINAL})
    commit_all(library, "add", "2026-01-05T12:00:00")
    result = run_qa("review", PATH, "--by", "Jane Doe", "--commit", "--date", "2026-02-20",
                    cwd=library, env=git_env())  # fmt: skip
    assert result.returncode == 0, result.stderr
    stale = run_qa("stale", "--format", "json", "--as-of", "2026-03-01", cwd=library)
    assert (stale.returncode, json.loads(stale.stdout)) == (0, [])
    # Without a fingerprint git decides: the review commit (dated today, after 2026-02-20)
    # changed only front matter, so it does not count either.
    text = (library / PATH).read_text(encoding="utf-8")
    (library / PATH).write_text(
        "".join(line for line in text.splitlines(True) if "review_fingerprint" not in line),
        encoding="utf-8",
    )
    commit_all(library, "drop the fingerprint", "2026-02-21T12:00:00")
    stale = run_qa("stale", "--format", "json", "--as-of", "2026-03-01", cwd=library)
    assert (stale.returncode, json.loads(stale.stdout)) == (0, [])
    # A body edit after the review does count.
    (library / PATH).write_text(text.replace("A claim [@1].", "A new claim [@1]."), "utf-8")
    commit_all(library, "edit", "2026-02-22T12:00:00")
    stale = run_qa("stale", "--format", "json", "--as-of", "2026-03-01", cwd=library)
    assert [i["reasons"] for i in json.loads(stale.stdout)] == [["changed-since-review"]]


def test_commit_outside_git_is_refused_before_editing(library, qa):
    build_tree(library, {PATH: ORIGINAL})
    result = qa("review", "immunotherapy-side-effects", "--by", "Jane Doe", "--commit")
    assert result.exit_code == 1
    assert "not in a git repository" in result.stderr
    assert (library / PATH).read_text(encoding="utf-8") == ORIGINAL


def test_commit_message_shape():
    from qa_tool.review import Reviewed, Reviewer

    one = Reviewed(PATH, "immunotherapy-side-effects", True, dt.date(2026, 11, 20), None,
                   "moderate", ["Jane Doe"], FINGERPRINT)  # fmt: skip
    assert commit_message([one], [Reviewer("Jane Doe", "MD")], None) == (
        "Review immunotherapy-side-effects\n\n"
        f"- {PATH} (last_reviewed 2026-11-20)\n\n"
        "Reviewed-by: Jane Doe\n"
    )


# --- two reviews at the same time -------------------------------------------------------------


def _start(library: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "qa_tool", "review", PATH, "--by", name, "--date", "2026-11-20",
         "--lock-timeout", "60"],
        cwd=library,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(4))
def test_two_reviews_at_once_are_both_recorded(library, round_):
    build_tree(library, {PATH: ORIGINAL})
    procs = [_start(library, f"Reviewer {round_}-{n}") for n in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    meta = meta_of(library / PATH)
    assert [p["name"] for p in meta["reviewed_by"]][:1] == ["Jane Doe"]
    assert sorted(p["name"] for p in meta["reviewed_by"][1:]) == [
        f"Reviewer {round_}-0",
        f"Reviewer {round_}-1",
    ]
    assert meta["last_reviewed"] == dt.date(2026, 11, 20)
    # The body is untouched and the file is still a valid answer.
    assert (library / PATH).read_text(encoding="utf-8").endswith("---\n" + BODY)
    assert run_qa("validate", cwd=library).returncode == 0


def test_a_review_that_cannot_get_the_lock_is_refused_clearly(library):
    build_tree(library, {PATH: ORIGINAL})
    config = load_config(library)
    with edit_lock(config.state_dir, library / PATH):
        result = run_qa("review", PATH, "--by", "Jane Doe", "--lock-timeout", "0.3", cwd=library)
    assert result.returncode == 1
    assert "another qa process is editing this file" in result.stderr
    assert "Traceback" not in result.stderr
    assert (library / PATH).read_text(encoding="utf-8") == ORIGINAL
