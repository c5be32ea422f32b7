"""qa publish (the gate: every reason at once) and qa retire, through the real CLI."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from helpers import answer_text, build_tree, commit_all, git_init

from qa_tool.answerfile.read import text_digest

ONC = "answers/oncology"
BODY = (
    "A plain-language summary.\n\n## What the research says\n\n"
    "A claim with its citation [@1].\n\n## What to ask your doctor\n\n- Is this right for me?\n"
)


def ready(id: str = "ready", *, status: str = "in-review", reviewer: str = "Jane Doe", **kw) -> str:
    """An answer that passes every check: reviewed (fingerprint of its text) by a non-author."""
    text = answer_text(id, status=status, body=BODY, **kw)
    fingerprint = text_digest("Is this a sample question?", BODY)
    text = text.replace("  - name: Jane Doe", f"  - name: {reviewer}", 1)
    return text.replace("authors:", f"review_fingerprint: {fingerprint}\nauthors:", 1)


def meta_of(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_ready_answer_is_published_and_the_change_logged(library, qa):
    build_tree(library, {f"{ONC}/ready.md": ready()})
    before = (library / ONC / "ready.md").read_text(encoding="utf-8")
    result, out = qa.json("publish", "ready", "--by", "Ed Itor", "--format", "json")
    assert result.exit_code == 0, result.output
    assert out["answers"][0]["result"] == "published"
    assert out["answers"][0]["reasons"] == []
    meta = meta_of(library / ONC / "ready.md")
    assert meta["status"] == "published"
    assert meta["review_log"] == [
        {
            "date": dt.date.today(),
            "event": "published",
            "by": "Ed Itor",
            "note": "published (was in-review); every publish check passed",
        }
    ]
    after = (library / ONC / "ready.md").read_text(encoding="utf-8")
    # Only the status line changed and the log was added: the rest is byte for byte.
    assert (
        after.replace("status: published", "status: in-review").split("review_log:")[0]
        == (before.split("authors:")[0])
    )
    assert after.endswith(BODY)
    assert qa("validate").exit_code == 0
    again = qa("publish", "ready", "--by", "Ed Itor")
    assert again.exit_code == 0
    assert "already published: answers/oncology/ready.md" in again.stdout


def test_refusal_names_every_reason_and_writes_nothing(library, qa):
    text = ready(
        "messy",
        reviewer="Sam Writer",  # the author reviewed it
        extra="legacy:\n  source: 004.txt\n  sha256: " + "a" * 64 + "\n  converted: 2026-01-01\n"
        "  tool: qa 0.1.0\n  doubts:\n    - kind: citation\n      line: 7\n      number: 2\n"
        '      text: "lower doses 2."\n      decision: converted to [@2]',
    )
    text = text.replace("title: Study number 1", "note: no details")  # a stub reference
    text = text.replace("    container-title: Journal of Examples\n", "")
    text = text.replace("    DOI: 10.1000/example.1\n", "").replace('    PMID: "23736641"\n', "")
    text = text.replace("- Is this right for me?", "- <!-- qa:placeholder --> A question?")
    build_tree(library, {f"{ONC}/messy.md": text})
    result, out = qa.json("publish", "messy", "--format", "json")
    assert result.exit_code == 1, out
    reasons = out["answers"][0]["reasons"]
    assert out["answers"][0]["message"] is None, out
    assert out["answers"][0]["result"] == "refused"
    assert [r["check"] for r in reasons] == [
        "placeholders",
        "doubts",
        "reference-stubs",
        "review",
        "four-eyes",
    ]
    assert "changed after the review" in reasons[3]["message"]
    assert "reviewed only by its author (Sam Writer)" in reasons[4]["message"]
    assert (library / ONC / "messy.md").read_text(encoding="utf-8") == text
    shown = qa("publish", "messy")
    count = len(out["answers"][0]["reasons"])
    assert f"not published: answers/oncology/messy.md: {count} reasons" in shown.stdout
    assert "[doubts] conversion doubt still open, legacy line 7: citation 2?" in shown.stdout


def test_qa_toml_relaxes_four_eyes_and_stubs(library, qa):
    text = ready(reviewer="Sam Writer").replace("    title: Study number 1\n", "")
    text = text.replace("    container-title: Journal of Examples\n", "")
    text = text.replace("    DOI: 10.1000/example.1\n", "").replace('    PMID: "23736641"\n', "")
    build_tree(library, {f"{ONC}/ready.md": text})
    result, out = qa.json("publish", "ready", "--dry-run", "-f", "json")
    assert [r["check"] for r in out["answers"][0]["reasons"]] == ["reference-stubs", "four-eyes"]
    build_tree(library, {"qa.toml": "[publish]\nfour_eyes = false\nallow_reference_stubs = true\n"})
    result, out = qa.json("publish", "ready", "--dry-run", "-f", "json")
    assert result.exit_code == 0, result.output
    assert out["answers"][0]["result"] == "would-publish"
    assert meta_of(library / ONC / "ready.md")["status"] == "in-review"  # dry run
    build_tree(library, {"qa.toml": "[publish]\nfour_eyes = 'no'\n"})
    bad = qa("publish", "ready")
    assert bad.exit_code == 2
    assert "publish.four_eyes must be true or false" in bad.stderr


def test_review_without_fingerprint_is_judged_from_git(library, qa):
    text = ready().replace("review_fingerprint:", "x_remove:")
    text = "\n".join(line for line in text.split("\n") if not line.startswith("x_remove:"))
    build_tree(library, {f"{ONC}/ready.md": text})
    result, out = qa.json("publish", "ready", "--dry-run", "-f", "json")
    assert "cannot tell whether the review" in out["answers"][0]["reasons"][0]["message"]
    git_init(library)
    commit_all(library, "add", "2026-01-20T10:00:00")
    result, out = qa.json("publish", "ready", "--dry-run", "-f", "json")
    assert out["answers"][0]["result"] == "would-publish", out["answers"][0]["reasons"]
    path = library / ONC / "ready.md"
    path.write_text(text.replace("A claim", "A changed claim"), encoding="utf-8")
    commit_all(library, "edit after the review", "2026-03-01T10:00:00")
    result, out = qa.json("publish", "ready", "--dry-run", "-f", "json")
    assert result.exit_code == 1
    assert "a commit after the review of 2026-02-10" in out["answers"][0]["reasons"][0]["message"]


def test_retire_keeps_the_file_logs_the_reason_and_export_leaves_it_out(library, qa, tmp_path):
    build_tree(library, {f"{ONC}/old.md": ready("old", status="published")})
    missing = qa("retire", "old")
    assert missing.exit_code == 2
    assert "--reason" in missing.stderr
    result = qa("retire", "old", "--reason", "Replaced by new-one", "--by", "Ed Itor")
    assert result.exit_code == 0, result.output
    assert "retired: answers/oncology/old.md (was published)" in result.stdout
    meta = meta_of(library / ONC / "old.md")
    assert meta["status"] == "retired"
    assert meta["review_log"][-1]["event"] == "retired"
    assert meta["review_log"][-1]["note"] == "Replaced by new-one"
    assert qa("validate").exit_code == 0
    again = qa("retire", "old", "--reason", "x")
    assert "already retired" in again.stdout
    out_dir = tmp_path / "bundle"
    exported = qa("export", "--out", str(out_dir), "--format", "jsonl")
    assert exported.exit_code == 0, exported.output
    assert (out_dir / "data" / "answers.jsonl").read_text(encoding="utf-8") == ""
    with_retired = tmp_path / "bundle2"
    exported = qa("export", "--out", str(with_retired), "--format", "jsonl", "--include-retired")
    assert exported.exit_code == 0, exported.output
    assert '"id": "old"' in (with_retired / "data" / "answers.jsonl").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("publish",), "name the answers to publish"),
        (("publish", "nope"), "no answer with id 'nope'"),
        (("publish", "ready", "--by", "  "), "--by: give the name"),
        (("retire", "ready", "--reason", " "), "--reason: say why"),
    ],
)
def test_usage_errors_exit_2(library, qa, args, message):
    build_tree(library, {f"{ONC}/ready.md": ready()})
    result = qa(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_reading_grade_over_target_is_a_reason_until_accepted(library, qa):
    hard = (
        "Immunotherapy can make some people feel very tired, and it can also cause "
        "skin rashes or an upset stomach that lasts for several weeks after treatment. "
    ) * 4
    body = BODY.replace("A plain-language summary.", hard.strip())
    text = ready().replace(BODY, body)
    fingerprint = text_digest("Is this a sample question?", body)
    text = text.replace(text_digest("Is this a sample question?", BODY), fingerprint)
    build_tree(library, {f"{ONC}/ready.md": text})
    result, out = qa.json("publish", "ready", "--dry-run", "-f", "json")
    assert result.exit_code == 1
    [reason] = out["answers"][0]["reasons"]
    assert reason["check"] == "readability"
    assert "is above the target 8" in reason["message"]
    accepted = text.replace(
        "authors:",
        "readability:\n  accepted_grade: 20\n  accepted_by: Jane Doe\n  accepted_on: 2026-02-10\n"
        "  reason: The drug names cannot be made simpler.\nauthors:",
        1,
    )
    build_tree(library, {f"{ONC}/ready.md": accepted})
    result, out = qa.json("publish", "ready", "--dry-run", "-f", "json")
    assert out["answers"][0]["result"] == "would-publish", out["answers"][0]["reasons"]


def four_eyes_reasons(qa) -> list[dict]:
    result, out = qa.json("publish", "ready", "--dry-run", "--format", "json")
    return [r for r in out["answers"][0]["reasons"] if r["check"] == "four-eyes"]


def test_an_earlier_independent_review_does_not_cover_the_authors_own_review(library, qa):
    """reviewed_by keeps Jane Doe, but the review of the current text was the author's alone."""
    build_tree(library, {f"{ONC}/ready.md": ready(reviewer="Sam Writer")})
    assert qa("review", "ready", "--by", "Jane Doe, MD").exit_code == 0
    assert four_eyes_reasons(qa) == []
    assert qa("review", "ready", "--by", "Sam Writer", "--note", "Reworded").exit_code == 0
    meta = meta_of(library / ONC / "ready.md")
    assert [p["name"] for p in meta["reviewed_by"]] == ["Sam Writer", "Jane Doe"]
    assert [(e["event"], e["by"]) for e in meta["review_log"]] == [
        ("reviewed", "Jane Doe"),
        ("reviewed", "Sam Writer"),
    ]
    (reason,) = four_eyes_reasons(qa)
    assert reason["message"].startswith(
        f"the current review ({dt.date.today()}) was by its author only (Sam Writer)"
    )
    result = qa("publish", "ready", "--by", "Ed Itor")
    assert result.exit_code == 1
    assert meta_of(library / ONC / "ready.md")["status"] == "in-review"


def test_the_authors_review_then_an_independent_one_is_published(library, qa):
    build_tree(library, {f"{ONC}/ready.md": ready(reviewer="Sam Writer")})
    assert qa("review", "ready", "--by", "Sam Writer").exit_code == 0
    (reason,) = four_eyes_reasons(qa)
    assert "was by its author only (Sam Writer)" in reason["message"]
    assert qa("review", "ready", "--by", "Jane Doe, MD").exit_code == 0
    assert four_eyes_reasons(qa) == []
    result, out = qa.json("publish", "ready", "--by", "Ed Itor", "--format", "json")
    assert result.exit_code == 0, out
    assert out["answers"][0]["result"] == "published"
    assert [e["event"] for e in meta_of(library / ONC / "ready.md")["review_log"]] == [
        "reviewed",
        "reviewed",
        "published",
    ]


def test_repeating_a_review_adds_no_log_entry(library, qa):
    build_tree(library, {f"{ONC}/ready.md": ready()})
    assert qa("review", "ready", "--by", "Jane Doe").exit_code == 0
    before = (library / ONC / "ready.md").read_text(encoding="utf-8")
    result, out = qa.json("review", "ready", "--by", "Jane Doe", "--format", "json")
    assert out["reviewed"][0]["changed"] is False
    assert (library / ONC / "ready.md").read_text(encoding="utf-8") == before


def test_four_eyes_says_when_the_history_cannot_tell_who_reviewed(library, qa):
    """No review_log entry for the review, and reviewed_by names the author and another."""
    text = ready().replace("reviewed_by:\n", "reviewed_by:\n  - name: Sam Writer\n", 1)
    build_tree(library, {f"{ONC}/ready.md": text})
    (reason,) = four_eyes_reasons(qa)
    assert reason["message"].startswith(
        "cannot tell who did the review of 2026-02-10: review_log has no entry for it, "
        "and reviewed_by names authors (Sam Writer) as well as others"
    )
    # Without the author among the reviewers, whoever reviewed was independent.
    build_tree(library, {f"{ONC}/ready.md": ready()})
    assert four_eyes_reasons(qa) == []
