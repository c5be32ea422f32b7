"""qa validate --since REF (what a pull request changed) and files outside the answers folder."""

from __future__ import annotations

import yaml
from helpers import REPO, answer_text, build_tree, commit_all, git_init

ONC = "answers/oncology"


def test_since_checks_only_changed_answers_but_ids_against_the_whole_library(library, qa):
    build_tree(
        library,
        {
            f"{ONC}/old-broken.md": answer_text("old-broken", body="No sections [@1].\n"),
            f"{ONC}/kept.md": answer_text("kept"),
        },
    )
    git_init(library)
    commit_all(library, "start", "2026-11-01T10:00:00")
    base = qa("validate", "--format", "json")
    assert base.exit_code == 1  # old-broken is broken, but is not what changed
    build_tree(
        library,
        {
            f"{ONC}/kept.md": answer_text("kept", title="Is this a changed question?"),
            "answers/cardiology/old-broken.md": answer_text("old-broken", topic="Cardiology"),
        },
    )
    result, out = qa.json("validate", "--since", "HEAD", "--format", "json")
    assert result.exit_code == 1
    assert out["files_checked"] == 2
    assert {(f["path"], f["rule"]) for f in out["findings"]} == {
        ("answers/cardiology/old-broken.md", "id-unique")
    }
    assert "2 answers added or changed since HEAD" in result.stderr
    commit_all(library, "more", "2026-11-02T10:00:00")
    result, out = qa.json("validate", "--since", "HEAD", "--format", "json")
    assert (result.exit_code, out["files_checked"], out["findings"]) == (0, 0, [])
    assert "0 answers added or changed since HEAD" in result.stderr


def test_since_outside_git_and_unknown_ref_are_clear_usage_errors(library, qa):
    build_tree(library, {f"{ONC}/kept.md": answer_text("kept")})
    result = qa("validate", "--since", "HEAD")
    assert result.exit_code == 2
    assert "the library is not in a git repository" in result.stderr
    assert "fatal" not in result.stderr
    git_init(library)
    commit_all(library, "start", "2026-11-01T10:00:00")
    result = qa("validate", "--since", "no-such-branch")
    assert result.exit_code == 2
    assert "--since no-such-branch:" in result.stderr and "fatal" not in result.stderr
    both = qa("validate", f"{library}/{ONC}/kept.md", "--since", "HEAD")
    assert both.exit_code == 2


def test_files_outside_the_answers_folder_are_skipped_and_named(library, qa):
    build_tree(
        library,
        {
            "README.md": "# Our library\n",
            "docs/style.md": "# Style\n",
            "templates/default.md": "---\nid: $id\n---\n",
            f"{ONC}/kept.md": answer_text("kept"),
        },
    )
    given = [str(library / p) for p in ("README.md", "docs/style.md", "templates/default.md")]
    result, out = qa.json("validate", *given, str(library / ONC / "kept.md"), "-f", "json")
    assert result.exit_code == 0, result.output
    assert out["files_checked"] == 1
    assert out["skipped"] == ["README.md", "docs/style.md", "templates/default.md"]
    assert (
        "3 files not in the answers folder, not checked (not answers): README.md, "
        "docs/style.md, templates/default.md"
    ) in result.stderr
    whole = qa("validate", str(library), "-f", "json")
    assert whole.exit_code == 0


def test_the_shipped_hook_says_what_it_does_with_other_files():
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["entry"] == "qa validate" and hook["pass_filenames"] is True
    assert "skipped with a note" in hook["description"]
