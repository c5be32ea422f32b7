"""The bad-input corpus: every command reports each bad file and carries on.

A library is made of the shipped answers plus every file of
tests/fixtures/bad/, and what cannot be committed as is: a 50 MB file, a
folder named like an answer, a symlink out of the library and an unreadable file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import QA, REPO, run_qa

CORPUS = Path(__file__).parent / "fixtures" / "bad"
ONCOLOGY = "answers/oncology"

# file name -> the rule its finding carries (None: a tricky but valid file)
EXPECTED = {
    "empty.md": "empty",
    "binary.md": "binary",
    "latin1.md": "not-utf8",
    "bom.md": None,
    "crlf.md": None,
    "unclosed.md": "unclosed-front-matter",
    "broken-yaml.md": "yaml-syntax",
    "yaml-list.md": "not-a-mapping",
    "yaml-scalar.md": "not-a-mapping",
    "duplicate-keys.md": "duplicate-key",
    "tabs.md": "yaml-syntax",
    "alias-bomb.md": "yaml-too-complex",
    "deep-nesting.md": "yaml-too-complex",
    "dates-as-strings.md": "schema-pattern",
    "dates-as-numbers.md": "schema-type",
    "pmid-integer.md": "schema-type",
    "name with spaces été.md": "id-stem",
    "big.md": "too-large",
    "x.md": "not-a-file",
    "link.md": "outside-library",
}


def build_bad_library(root: Path) -> Path:
    """The shipped answers plus the whole bad corpus, under ``root``."""
    shutil.copytree(REPO / "answers", root / "answers")
    target = root / ONCOLOGY
    for path in CORPUS.glob("*.md"):
        shutil.copyfile(path, target / path.name)
    with (target / "big.md").open("wb") as handle:
        handle.write(b"---\nid: big\n---\n")
        handle.truncate(50 * 1024 * 1024)
    (target / "x.md").mkdir()
    outside = root.parent / "outside-secret.md"
    outside.write_text("---\nid: secret\n---\nsecret text\n", encoding="utf-8")
    (target / "link.md").symlink_to(outside)
    return root


@pytest.fixture
def bad_library(tmp_path: Path) -> Path:
    return build_bad_library(tmp_path / "lib")


def test_validate_reports_every_bad_file(bad_library):
    result, report = QA(bad_library).json("validate", "--format", "json")
    assert result.exit_code == 1
    rules_by_file: dict[str, set[str]] = {}
    for f in report["findings"]:
        rules_by_file.setdefault(f["path"].rsplit("/", 1)[-1], set()).add(f["rule"])
    for name, rule in EXPECTED.items():
        if rule is None:
            assert name not in rules_by_file, (name, rules_by_file.get(name))
        else:
            assert rule in rules_by_file.get(name, set()), (name, rules_by_file.get(name))
    # The shipped answers are still checked, and only carry their known warnings.
    shipped = {p.name for p in (REPO / ONCOLOGY).glob("*.md")}
    for name in shipped:
        assert rules_by_file[name] == {"reference-stub"}
    assert "secret text" not in result.stdout
    assert report["files_checked"] == len(EXPECTED) - 1 + len(shipped)  # x.md is a folder


def test_findings_name_the_line_where_known(bad_library):
    _result, report = QA(bad_library).json("validate", "--format", "json")
    lines = {(f["path"].rsplit("/", 1)[-1], f["rule"]): f["line"] for f in report["findings"]}
    assert lines[("duplicate-keys.md", "duplicate-key")] == 4
    assert lines[("latin1.md", "not-utf8")] == 3
    assert lines[("broken-yaml.md", "yaml-syntax")] == 5
    assert lines[("pmid-integer.md", "schema-type")] == 10
    assert lines[("dates-as-numbers.md", "schema-type")] == 6


def test_unreadable_file_is_a_finding(bad_library, monkeypatch):
    # Root can read any file, so the permission error is simulated at the read.
    victim = bad_library / ONCOLOGY / "crlf.md"
    real = Path.read_bytes

    def read_bytes(self):
        if self == victim:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    _result, report = QA(bad_library).json("validate", "--format", "json")
    found = [f for f in report["findings"] if f["path"].endswith("crlf.md")]
    assert [(f["rule"], f["message"]) for f in found] == [
        ("unreadable", "cannot be read: permission denied")
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "github"])
def test_no_traceback_in_a_real_process(bad_library, fmt):
    result = run_qa("validate", "--format", fmt, cwd=bad_library)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "alias-bomb.md" in result.stdout
