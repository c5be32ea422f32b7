"""qa validate through the real CLI, on the shipped library and on broken ones."""

from __future__ import annotations

import json

from helpers import QA, REPO, answer_text, build_tree, run_qa


def test_shipped_library_is_valid():
    result = QA(REPO)("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["files_checked"] == 2
    assert report["errors"] == 0
    # The converted answers cite references the legacy text never detailed, and read above
    # grade 8: warnings only.
    assert {f["rule"] for f in report["findings"]} == {"reference-stub", "readability-above-target"}


def test_valid_answer_has_no_findings(library, qa):
    build_tree(library, {"answers/oncology/sample-answer.md": answer_text()})
    result, report = qa.json("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    assert report == {
        "version": 1,
        "files_checked": 1,
        "errors": 0,
        "warnings": 0,
        "findings": [],
        "skipped": [],
    }


BROKEN = {
    "answers/oncology/broken-yaml.md": "---\nid: broken-yaml\ntitle: [unclosed\n---\nbody\n",
    "answers/oncology/missing-field.md": answer_text("missing-field").replace(
        "status: published\n", ""
    ),
    "answers/oncology/no-reference.md": answer_text(
        "no-reference",
        body="Summary.\n\n## What the research says\n\nA claim [@9].\n\n"
        "## What to ask your doctor\n\n- Why?\n",
        refs=(),
    ),
    "answers/oncology/pmid-letters.md": answer_text("pmid-letters").replace(
        'PMID: "23736641"', 'PMID: "2373abc"'
    ),
    "answers/oncology/latin1.md": answer_text("latin1", title="Caf\u00e9 question?").encode(
        "latin-1"
    ),
    "answers/oncology/no-front-matter.md": "Just text, no front matter.\n",
    "answers/oncology/good-one.md": answer_text("good-one"),
}


def test_broken_library_reports_every_file_with_line(library, qa):
    build_tree(library, BROKEN)
    result, report = qa.json("validate", "--format", "json")
    assert result.exit_code == 1
    assert report["files_checked"] == 7
    by_path = {}
    for f in report["findings"]:
        by_path.setdefault(f["path"].rsplit("/", 1)[-1], []).append(f)
    assert "good-one.md" not in by_path
    got = {
        name: {(f["rule"], f["line"], f["field"]) for f in fs if f["severity"] == "error"}
        for name, fs in by_path.items()
    }
    assert got == {
        "broken-yaml.md": {("yaml-syntax", 4, None)},
        "missing-field.md": {("schema-required", 2, "$.status")},
        "no-reference.md": {("citation-unknown", 19, None), ("schema-required", 2, "$.references")},
        "pmid-letters.md": {("schema-pattern", 21, "$.references[0].PMID")},
        "latin1.md": {("not-utf8", 3, None)},
        "no-front-matter.md": {("no-front-matter", 1, None)},
    }


def test_github_and_csv_formats(library, qa):
    build_tree(library, {"answers/oncology/no-front-matter.md": "text\n"})
    result = qa("validate", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=answers/oncology/no-front-matter.md,line=1,title=qa no-front-matter::"
        "no front matter: an answer starts with a '---' line, then YAML, then '---'\n"
    )
    result = qa("validate", "--format", "csv")
    assert result.stdout.splitlines()[0] == "path,line,field,rule,severity,message"
    assert result.stdout.splitlines()[1].startswith(
        "answers/oncology/no-front-matter.md,1,,no-front-matter,error,"
    )


def test_rules_a_schema_cannot_state(library, qa):
    build_tree(
        library,
        {
            "answers/oncology/wrong-stem.md": answer_text("other-id"),
            "answers/cardiology/wrong-folder.md": answer_text("wrong-folder"),
            "answers/oncology/bad-dates.md": answer_text(
                "bad-dates", extra="review_due: 2026-01-01"
            ),
            "answers/oncology/no-sections.md": answer_text(
                "no-sections", body="Only a summary citing [@1].\n"
            ),
            "answers/oncology/no-questions.md": answer_text(
                "no-questions",
                body="S.\n\n## What the research says\n\nA [@1].\n\n"
                "## What to ask your doctor\n\nNothing listed.\n",
            ),
            "answers/oncology/uncited.md": answer_text(
                "uncited",
                refs=("1", "2"),
                body=(
                    "S.\n\n## What the research says\n\nA [@1].\n\n## What to ask your doctor\n\n"
                    "- Q?\n"
                ),
            ),
            "answers/oncology/unknown-topic.md": answer_text("unknown-topic", topic="Astrology"),
            "answers/oncology/good-one.md": answer_text("good-one"),
            "answers/cardiology/good-one.md": answer_text("good-one", topic="Cardiology"),
        },
    )
    result, report = qa.json("validate", "--format", "json")
    assert result.exit_code == 1
    rules = {(f["path"].split("/", 1)[1], f["rule"]) for f in report["findings"]}
    assert rules == {
        ("oncology/wrong-stem.md", "id-stem"),
        ("cardiology/wrong-folder.md", "topic-folder"),
        ("oncology/bad-dates.md", "review-due-order"),
        ("oncology/no-sections.md", "section-missing"),
        ("oncology/no-questions.md", "no-doctor-questions"),
        ("oncology/uncited.md", "reference-uncited"),
        ("oncology/unknown-topic.md", "topic-unknown"),
        ("oncology/good-one.md", "id-unique"),
        ("cardiology/good-one.md", "id-unique"),
    }
    missing = [f for f in report["findings"] if f["rule"] == "section-missing"]
    assert len(missing) == 2


def test_draft_may_leave_review_fields_empty(library, qa):
    build_tree(
        library,
        {
            "answers/oncology/a-draft.md": answer_text(
                "a-draft", status="draft", confidence=None, last_reviewed=None, body="Summary.\n"
            )
        },
    )
    result = qa("validate")
    assert result.exit_code == 0, result.output


def test_published_needs_review_fields(library, qa):
    build_tree(
        library,
        {"answers/oncology/early.md": answer_text("early", confidence=None, last_reviewed=None)},
    )
    result, report = qa.json("validate", "--format", "json")
    assert result.exit_code == 1
    assert {f["field"] for f in report["findings"]} == {
        "$.confidence",
        "$.last_reviewed",
        "$.reviewed_by",
    }


def test_paths_argument_and_usage_errors(library, qa):
    build_tree(
        library,
        {
            "answers/oncology/good-one.md": answer_text("good-one"),
            "answers/oncology/bad.md": "nope\n",
        },
    )
    result, report = qa.json(
        "validate", str(library / "answers/oncology/good-one.md"), "--format", "json"
    )
    assert result.exit_code == 0 and report["files_checked"] == 1
    result = qa("validate", str(library / "missing.md"))
    assert result.exit_code == 2
    result = qa("validate", "--format", "yaml")
    assert result.exit_code == 2


def test_no_traceback_and_stderr_message_from_a_real_process(tmp_path):
    result = run_qa("validate", "--root", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nowhere" in result.stderr
    assert result.stdout == ""


def test_parallel_and_serial_validation_agree(library, monkeypatch):
    """Worker processes (which inherit the id table) report exactly what one process does."""
    import qa_tool.validate as validate_module
    import qa_tool.workers as workers
    from qa_tool.config import load_config

    files = {f"answers/oncology/a{n}.md": answer_text(f"a{n}") for n in range(12)}
    files.update(BROKEN)
    files["answers/cardiology/a3.md"] = answer_text("a3", topic="Cardiology")  # id used twice
    build_tree(library, files)
    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 2)
    config = load_config(library)
    serial = validate_module.validate_library(config, workers=1)
    parallel = validate_module.validate_library(config, workers=2)
    assert parallel.to_dict() == serial.to_dict()
    assert {f.rule for f in parallel.findings} >= {"id-unique", "yaml-syntax", "not-utf8"}
    assert workers._SHARED is None
