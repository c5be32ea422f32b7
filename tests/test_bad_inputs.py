"""The bad-input corpus: every command reports each bad file and carries on.

A library is made of the shipped answers plus every file of tests/fixtures/bad/,
and what cannot be committed as is: a 50 MB file, a folder named like an answer,
a symlink out of the library and a named pipe (tests/bad_library.py). Each command
that reads answers runs over it: `qa validate`, `qa stale`, `qa export`, `qa review`
(each bad file by path) and `qa convert` (the same files as legacy input). Each
must name every file it cannot read (with the line where known), still handle the
good answers, keep its documented exit code, and never print a traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tarfile
from pathlib import Path

import pytest
from bad_library import (
    CORPUS,
    EXPECTED,
    NOT_UTF8_NAME,
    ONCOLOGY,
    READABLE,
    UNREADABLE_AS_ANSWERS,
    add_corpus,
    build_bad_library,
    deny_reading,
    shipped_answers,
)
from helpers import QA, REPO, answer_text, build_tree, commit_all, git, git_init, run_qa

from qa_tool import gitinfo
from qa_tool.answerfile.read import read_answer
from qa_tool.errors import AnswerFileError

AS_OF = "2026-11-22"
SECRET = "secret text"  # what the link out of the library points at: never shown


@pytest.fixture
def bad_library(tmp_path: Path) -> Path:
    return build_bad_library(tmp_path / "lib")


def name_of(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def no_traceback(result) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert "internal error" not in output, output
    assert SECRET not in output


def stderr_lines_naming(stderr: str, name: str) -> list[str]:
    """The stderr lines that name answers/oncology/NAME (optionally with ':LINE')."""
    pattern = re.compile(rf"{re.escape(ONCOLOGY)}/{re.escape(name)}(?::\d+)?: ")
    return [line for line in stderr.splitlines() if pattern.search(line)]


def validate_lines(library: Path) -> dict[str, int | None]:
    """The line `qa validate` gives for each bad file's reader finding (None: no line)."""
    _result, report = QA(library).json("validate", "--format", "json")
    return {
        name_of(f["path"]): f["line"]
        for f in report["findings"]
        if EXPECTED.get(name_of(f["path"])) == f["rule"]
    }


# --- qa validate ------------------------------------------------------------------------------


def test_validate_reports_every_bad_file(bad_library):
    result, report = QA(bad_library).json("validate", "--format", "json")
    assert result.exit_code == 1
    rules_by_file: dict[str, set[str]] = {}
    for f in report["findings"]:
        if f["rule"] != "readability-above-target":  # advisory, on the text: not about bad input
            rules_by_file.setdefault(name_of(f["path"]), set()).add(f["rule"])
    for name, rule in EXPECTED.items():
        if rule is None:
            assert name not in rules_by_file, (name, rules_by_file.get(name))
        else:
            assert rule in rules_by_file.get(name, set()), (name, rules_by_file.get(name))
    # The shipped answers are still checked, and only carry their known warnings.
    for name in shipped_answers():
        assert rules_by_file[name] == {"reference-stub"}
    assert SECRET not in result.stdout
    files = len(EXPECTED) - 1 + len(shipped_answers())  # x.md is a folder
    assert report["files_checked"] == files


def test_findings_name_the_line_where_known(bad_library):
    _result, report = QA(bad_library).json("validate", "--format", "json")
    lines = {(name_of(f["path"]), f["rule"]): f["line"] for f in report["findings"]}
    assert lines[("duplicate-keys.md", "duplicate-key")] == 4
    assert lines[("latin1.md", "not-utf8")] == 3
    assert lines[("broken-yaml.md", "yaml-syntax")] == 5
    assert lines[("pmid-integer.md", "schema-type")] == 10
    assert lines[("dates-as-numbers.md", "schema-type")] == 6
    assert lines[("deep-nesting.md", "yaml-too-complex")] == 3


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "github"])
def test_validate_in_a_real_process(bad_library, fmt):
    result = run_qa("validate", "--format", fmt, cwd=bad_library)
    assert result.returncode == 1
    no_traceback(result)
    for name, rule in EXPECTED.items():
        if rule is not None:  # a name's backslash is doubled in JSON
            assert name in result.stdout.replace("\\\\", "\\"), name


# --- qa stale ---------------------------------------------------------------------------------


def test_stale_names_every_unreadable_file_and_lists_the_good_answers(bad_library):
    result, items = QA(bad_library).json("stale", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 1  # the shipped answers are due on that day
    no_traceback(result)
    # The good answers are checked; the corpus's readable files are drafts (not listed).
    assert sorted(name_of(i["path"]) for i in items) == shipped_answers()
    for name in UNREADABLE_AS_ANSWERS:
        lines = stderr_lines_naming(result.stderr, name)
        assert len(lines) == 1, (name, result.stderr)
        assert lines[0].startswith("note: ") and lines[0].endswith("; not checked")
    assert stderr_lines_naming(result.stderr, "x.md") == [
        f"note: {ONCOLOGY}/x.md: is a folder named like an answer file; not read"
    ]
    for name in READABLE:
        assert stderr_lines_naming(result.stderr, name) == []


def test_stale_names_the_line_where_validate_does(bad_library):
    result = QA(bad_library)("stale", "--format", "json", "--as-of", AS_OF)
    for name, line in validate_lines(bad_library).items():
        if name in UNREADABLE_AS_ANSWERS:
            where = f"{ONCOLOGY}/{name}" + (f":{line}" if line else "")
            assert f"note: {where}: " in result.stderr, (name, line)


def test_stale_refuses_the_alias_bomb_even_through_the_cache(bad_library):
    # `qa stale` reads only the fields it needs, and caches them; a file whose YAML
    # expands too far (in a field it does not need) is still refused, run after run.
    qa = QA(bad_library)
    for _run in range(2):
        result = qa("stale", "--format", "json", "--as-of", AS_OF)
        assert "alias-bomb.md:" in result.stderr
        assert "deep-nesting.md:" in result.stderr
        assert "alias-bomb" not in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "github"])
def test_stale_in_a_real_process(bad_library, fmt):
    result = run_qa("stale", "--format", fmt, "--as-of", AS_OF, cwd=bad_library)
    assert result.returncode == 1
    no_traceback(result)
    for name in UNREADABLE_AS_ANSWERS:
        assert f"{ONCOLOGY}/{name}" in result.stderr, name
    for name in shipped_answers():
        assert name.removesuffix(".md") in result.stdout


# --- qa export --------------------------------------------------------------------------------

EXPORT_ALL = ["--status", "draft", "--status", "in-review", "--status", "published"]
EXPORT_FORMATS = ["--format", "jsonl", "--format", "html", "--format", "md"]


def test_export_writes_the_good_answers_and_names_every_bad_file(bad_library, tmp_path):
    out = tmp_path / "bundle.tar.gz"
    result, report = QA(bad_library).json(
        "export", *EXPORT_FORMATS, *EXPORT_ALL, "--out", str(out), "--report", "json"
    )
    assert result.exit_code == 1  # written, but some answer files could not be exported
    no_traceback(result)
    assert {name_of(s["path"]): s["rule"] for s in report["skipped"]} == {
        name: EXPECTED[name] for name in UNREADABLE_AS_ANSWERS
    }
    for name in UNREADABLE_AS_ANSWERS:
        lines = stderr_lines_naming(result.stderr, name)
        assert len(lines) == 1 and lines[0].endswith("; not exported"), (name, result.stderr)
    assert f"note: {ONCOLOGY}/x.md: is a folder named like an answer file" in result.stderr

    good = sorted(READABLE + shipped_answers())
    assert report["answers"] == len(good)
    with tarfile.open(out) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    for name in good:
        stem = name.removesuffix(".md")
        source = (bad_library / ONCOLOGY / name).read_bytes()
        assert members[f"data/md/oncology/{name}"] == source  # byte for byte, BOM and CRLF too
        assert f"data/html/oncology/{stem}.html" in members
    records = [json.loads(line) for line in members["data/answers.jsonl"].splitlines()]
    assert [name_of(r["path"]) for r in records] == good
    assert not any(SECRET.encode() in data for data in members.values())
    assert not any("/x.md" in name or "big" in name for name in members)


def test_export_of_published_answers_still_names_the_unreadable_files(bad_library, tmp_path):
    out = tmp_path / "site"
    result, report = QA(bad_library).json("export", "--out", str(out), "--report", "json")
    assert result.exit_code == 1  # an unreadable file's status is unknown: it may be wanted
    assert report["answers"] == 1  # the one shipped published answer
    assert len(report["skipped"]) == len(UNREADABLE_AS_ANSWERS)
    assert run_qa("verify", str(out), cwd=bad_library).returncode == 0


def test_export_in_a_real_process(bad_library, tmp_path):
    out = tmp_path / "bundle.tar.gz"
    args = ["export", *EXPORT_FORMATS, *EXPORT_ALL, "--out", str(out)]
    result = run_qa(*args, cwd=bad_library)
    assert result.returncode == 1
    no_traceback(result)
    for name in UNREADABLE_AS_ANSWERS:
        assert f"{ONCOLOGY}/{name}" in result.stderr, name
    assert run_qa("verify", str(out), cwd=bad_library).returncode == 0


# --- qa review --------------------------------------------------------------------------------

SCHEMA_PROBLEMS = sorted(n for n in READABLE if EXPECTED[n] is not None)
VALID_DRAFTS = sorted(n for n in READABLE if EXPECTED[n] is None)
# A path that is not UTF-8 cannot be typed as an argument (exit 2: test_safety_values.py).
REVIEW_REFUSED = [
    n for n in UNREADABLE_AS_ANSWERS if n not in ("link.md", NOT_UTF8_NAME)
] + SCHEMA_PROBLEMS


def tree_bytes(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes, or what a link or other entry is."""
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = f"link to {path.readlink()}"
        elif rel.endswith("big.md"):
            out[rel] = f"{path.stat().st_size} bytes"
        elif path.is_file():
            out[rel] = path.read_bytes()
        else:
            out[rel] = "folder" if path.is_dir() else "other"
    return out


@pytest.mark.parametrize("name", REVIEW_REFUSED)
def test_review_refuses_each_bad_file_and_leaves_it_as_it_was(bad_library, name):
    before = tree_bytes(bad_library / "answers")
    rel = f"{ONCOLOGY}/{name}"
    result, report = QA(bad_library).json(
        "review", str(bad_library / rel), "--by", "Jane Doe", "--date", AS_OF, "--format", "json"
    )
    assert result.exit_code == 1
    no_traceback(result)
    assert report["reviewed"] == []
    [refused] = report["refused"]
    assert refused["path"] == rel
    line = validate_lines(bad_library).get(name)
    if name in SCHEMA_PROBLEMS:
        assert refused["message"].startswith(f"{rel}: not reviewed: ")
        assert EXPECTED[name] in {f["rule"] for f in refused["findings"]}
    else:
        assert refused["message"].startswith(f"{rel}:{line}: " if line else f"{rel}: ")
    assert rel in result.stderr
    assert tree_bytes(bad_library / "answers") == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("link.md", "outside the library"),
        ("x.md", "is a folder, not an answer file"),
    ],
)
def test_review_of_a_link_out_or_a_folder_is_a_usage_error(bad_library, name, message):
    before = tree_bytes(bad_library / "answers")
    result = QA(bad_library)("review", str(bad_library / ONCOLOGY / name), "--by", "Jane Doe")
    assert result.exit_code == 2
    assert f"{ONCOLOGY}/{name}: " in result.stderr and message in result.stderr
    assert tree_bytes(bad_library / "answers") == before


@pytest.mark.parametrize("name", VALID_DRAFTS)
def test_review_of_a_bom_or_crlf_file_changes_only_the_review_lines(bad_library, name):
    path = bad_library / ONCOLOGY / name
    before = path.read_bytes()
    result = QA(bad_library)("review", str(path), "--by", "Jane Doe", "--date", AS_OF)
    assert result.exit_code == 0, result.stderr
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")
    newline = b"\r\n" if b"\r\n" in before else b"\n"
    assert after.count(newline) == after.count(b"\n")  # no line ending was changed
    old_lines, new_lines = before.split(newline), after.split(newline)
    added = [line for line in new_lines if line not in old_lines]
    assert [line for line in old_lines if line not in new_lines] == []
    assert added[0] == f"last_reviewed: {AS_OF}".encode()
    assert [line.split(b":")[0] for line in added] == [
        b"last_reviewed",
        b"reviewed_by",
        b"- name",
        b"review_fingerprint",
        b"review_log",
        b"- date",
        b"  event",
        b"  by",
    ]


def test_review_of_every_bad_file_at_once_in_a_real_process(bad_library):
    before = tree_bytes(bad_library / "answers")
    names = REVIEW_REFUSED + VALID_DRAFTS
    args = [f"{ONCOLOGY}/{name}" for name in names]
    result = run_qa("review", *args, "--by", "Jane Doe", "--date", AS_OF, cwd=bad_library)
    assert result.returncode == 1
    no_traceback(result)
    for name in REVIEW_REFUSED:
        assert stderr_lines_naming(result.stderr, name), name
    for name in VALID_DRAFTS:
        assert f"recorded: {ONCOLOGY}/{name}" in result.stdout
    after = tree_bytes(bad_library / "answers")
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed == [f"oncology/{name}" for name in VALID_DRAFTS]


@pytest.mark.parametrize(
    "ref",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "../outside-secret.md",
        "answers/../../outside-secret.md",
        "answers/oncology/../../../outside-secret.md",
    ],
)
def test_review_never_reads_or_writes_outside_the_library(bad_library, ref):
    outside = bad_library.parent / "outside-secret.md"
    before = outside.read_bytes()
    result = run_qa("review", ref, "--by", "Jane Doe", "--force", cwd=bad_library)
    assert result.returncode == 2
    assert f"{ref}: outside the library" in result.stderr
    no_traceback(result)
    assert outside.read_bytes() == before


@pytest.mark.parametrize("ref", ["drafts/x.md", "answers/../README.md", "templates/default.md"])
def test_review_edits_only_files_in_the_answers_folder(library, ref, monkeypatch):
    monkeypatch.chdir(library)
    text = answer_text("sample-answer")
    build_tree(library, {ref: text, "answers/oncology/sample-answer.md": text})
    result = QA(library)("review", ref, "--by", "Jane Doe", "--force")
    assert result.exit_code == 2
    assert f"{ref}: not in the answers folder answers/" in result.stderr
    assert (library / ref).read_text(encoding="utf-8") == text


# --- qa convert -------------------------------------------------------------------------------

GOOD_LEGACY = (
    "Is walking good for my heart?\n"
    "Yes, regular walking helps most hearts.\n"
    "What the research says\n"
    "Walking lowers blood pressure 1.\n"
    "What to ask your doctor\n"
    "- How much should I walk?\n"
    "This question is drawn from common patient questions about Oncology and answered "
    "using cited medical research. We do not provide individualized advice.\n"
)


def legacy_folder(tmp_path: Path) -> Path:
    """The corpus as legacy input (in a folder named after a topic), plus one good text."""
    folder = tmp_path / "legacy" / "oncology"
    add_corpus(folder, tmp_path / "outside-secret.md")
    (folder / "good.txt").write_text(GOOD_LEGACY, encoding="utf-8")
    return folder


def test_convert_reads_each_corpus_file_as_legacy_input_and_goes_on(library, tmp_path):
    folder = legacy_folder(tmp_path)
    result, report = QA(library).json("convert", str(folder.parent), "--format", "json")
    assert result.exit_code == 1
    no_traceback(result)
    by_name = {name_of(f["source"]): f for f in report["files"]}
    # Every file is either converted or failed with a reason; x.md is a folder, not an input.
    assert sorted(by_name) == sorted([*(n for n in EXPECTED if n != "x.md"), "good.txt"])
    for entry in by_name.values():
        assert entry["status"] in ("converted", "failed"), entry
        assert (entry["error"] is None) == (entry["status"] == "converted"), entry
    assert by_name["good.txt"]["status"] == "converted"
    assert by_name["big.md"]["error"].startswith("file is 52,428,800 bytes, over the 1,048,576")
    assert by_name["link.md"]["error"] == f"is a link to a file outside {folder.parent}; not read"
    assert by_name["pipe.md"]["error"] == "is not a regular file (a device or pipe?); not read"
    assert by_name["empty.md"]["error"] == "empty file"
    written = sorted(p.relative_to(library).as_posix() for p in library.rglob("*.md"))
    assert written == ["answers/oncology/is-walking-good-for-my-heart.md"]


def test_convert_of_the_corpus_in_a_real_process(library, tmp_path):
    folder = legacy_folder(tmp_path)
    result = run_qa("convert", str(folder.parent), cwd=library)
    assert result.returncode == 1
    no_traceback(result)
    failed = len(EXPECTED) - 1  # every corpus file but the folder x.md
    assert f"1 converted, 0 unchanged, 0 skipped, {failed} failed" in result.stdout


def test_convert_caps_standard_input_and_the_cap_is_configurable(library):
    over = GOOD_LEGACY + "x" * (1024 * 1024)
    result, report = QA(library).json("convert", "-", "--format", "json", input=over)
    assert result.exit_code == 1
    assert report["files"][0]["error"] == (
        "input is over the 1,048,576-byte limit (max_file_bytes in qa.toml); not read"
    )
    build_tree(library, {"qa.toml": "max_file_bytes = 200\n"})
    result, report = QA(library).json("convert", "-", "--format", "json", input=GOOD_LEGACY)
    assert report["files"][0]["error"] == (
        "input is over the 200-byte limit (max_file_bytes in qa.toml); not read"
    )


# --- an unreadable file, in every command -----------------------------------------------------


@pytest.fixture
def denied(bad_library):
    """crlf.md (otherwise a valid draft) cannot be read: permission denied."""
    victim = bad_library / ONCOLOGY / "crlf.md"
    with deny_reading(victim):
        yield victim


DENIED = "cannot be read: permission denied"


def test_unreadable_file_is_a_validate_finding(bad_library, denied):
    _result, report = QA(bad_library).json("validate", "--format", "json")
    found = [f for f in report["findings"] if f["path"].endswith("crlf.md")]
    assert [(f["rule"], f["message"]) for f in found] == [("unreadable", DENIED)]


def test_unreadable_file_is_a_stale_note(bad_library, denied):
    result = QA(bad_library)("stale", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert f"note: {ONCOLOGY}/crlf.md: {DENIED}; not checked" in result.stderr


def test_unreadable_file_is_skipped_by_export(bad_library, denied, tmp_path):
    result, report = QA(bad_library).json(
        "export", *EXPORT_ALL, "--out", str(tmp_path / "b.zip"), "--report", "json"
    )
    assert result.exit_code == 1
    skipped = {name_of(s["path"]): (s["rule"], s["message"]) for s in report["skipped"]}
    assert skipped["crlf.md"] == ("unreadable", DENIED)
    assert report["answers"] == len(READABLE) - 1 + len(shipped_answers())


def test_unreadable_file_is_refused_by_review(bad_library, denied):
    before = denied.read_bytes()
    result, report = QA(bad_library).json(
        "review", str(denied), "--by", "Jane Doe", "--format", "json"
    )
    assert result.exit_code == 1
    assert report["refused"][0]["message"] == f"{ONCOLOGY}/crlf.md: {DENIED}"
    assert denied.read_bytes() == before


def test_unreadable_legacy_text_fails_in_convert(library, tmp_path):
    build_tree(tmp_path, {"in/a.txt": GOOD_LEGACY, "in/b.txt": GOOD_LEGACY.replace("walk", "run")})
    with deny_reading(tmp_path / "in" / "a.txt"):
        result, report = QA(library).json("convert", str(tmp_path / "in"), "--format", "json")
    assert result.exit_code == 1
    assert [(name_of(f["source"]), f["status"], f["error"]) for f in report["files"]] == [
        ("a.txt", "failed", DENIED),
        ("b.txt", "converted", None),
    ]


# --- a topic folder that is a link out of the library -----------------------------------------


@pytest.fixture
def linked_topic(tmp_path: Path) -> tuple[Path, Path]:
    """A library whose answers/cardiology is a link to a folder outside, holding an answer."""
    library = tmp_path / "lib"
    shutil.copytree(REPO / "answers", library / "answers")
    outside = tmp_path / "elsewhere"
    text = answer_text("secret-answer", topic="Cardiology", last_reviewed="2020-01-01")
    build_tree(outside, {"secret-answer.md": text + SECRET + "\n"})
    (library / "answers" / "cardiology").symlink_to(outside, target_is_directory=True)
    return library, outside


def test_scans_do_not_follow_a_topic_folder_linked_outside(linked_topic, tmp_path):
    library, outside = linked_topic
    qa = QA(library)
    _result, report = qa.json("validate", "--format", "json")
    assert report["files_checked"] == len(shipped_answers())
    assert not any("cardiology" in f["path"] for f in report["findings"])
    _result, items = qa.json("stale", "--format", "json", "--as-of", AS_OF)
    assert sorted(name_of(i["path"]) for i in items) == shipped_answers()
    result, report = qa.json(
        "export", *EXPORT_ALL, "--format", "md", "--out", str(tmp_path / "b"), "--report", "json"
    )
    assert result.exit_code == 0
    assert report["answers"] == len(shipped_answers())
    assert not (tmp_path / "b" / "data" / "md" / "cardiology").exists()


def test_review_and_convert_refuse_a_topic_folder_linked_outside(linked_topic, tmp_path):
    library, outside = linked_topic
    before = tree_bytes(outside)
    qa = QA(library)
    result = qa("review", "secret-answer", "--by", "Jane Doe")
    assert result.exit_code == 2 and "no answer with id 'secret-answer'" in result.stderr
    linked = library / "answers/cardiology/secret-answer.md"
    result = qa("review", str(linked), "--by", "Jane Doe")
    assert result.exit_code == 2 and "outside the library" in result.stderr
    build_tree(tmp_path, {"in/heart.txt": GOOD_LEGACY.replace("Oncology", "Cardiology")})
    result, report = qa.json("convert", str(tmp_path / "in"), "--format", "json", "--force")
    assert result.exit_code == 1
    assert report["files"][0]["error"] == (
        f"answers/cardiology is a link to {outside.resolve()}, outside answers; "
        "nothing is written there"
    )
    assert tree_bytes(outside) == before
    assert SECRET not in result.stdout + result.stderr


# --- --out in odd places ----------------------------------------------------------------------


def test_export_force_never_replaces_a_pipe_or_device(bad_library, tmp_path):
    pipe = tmp_path / "pipe.tar.gz"
    os.mkfifo(pipe)
    result = QA(bad_library)("export", "--out", str(pipe), "--force")
    assert result.exit_code == 2
    assert "is not a regular file or folder; not replaced, even with --force" in result.stderr
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib", "outside-secret.md", "pipe.tar.gz"]


@pytest.mark.parametrize("out", ["answers", "answers/oncology", "answers/new"])
def test_convert_out_inside_the_answers_folder_is_refused_unless_it_is_that_folder(
    library, tmp_path, out
):
    build_tree(tmp_path, {"in/a.txt": GOOD_LEGACY})
    result = QA(library)("convert", str(tmp_path / "in"), "--out", str(library / out))
    if out == "answers":
        assert result.exit_code == 0, result.stderr
        assert (library / "answers/oncology/is-walking-good-for-my-heart.md").is_file()
    else:
        assert result.exit_code == 2
        assert "inside the answers folder" in result.stderr
        assert list(library.rglob("*.md")) == []


# --- the bounded reader is the only way in ----------------------------------------------------


def test_a_file_that_grows_after_its_size_was_checked_is_not_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "a.md"
    path.write_bytes(answer_text("a").encode())
    real_fstat = os.fstat

    def stale_fstat(fd):  # the size as it was when checked; the file is bigger by the read
        result = real_fstat(fd)
        with path.open("ab") as handle:
            handle.write(b"x" * 5000)
        return result

    monkeypatch.setattr(os, "fstat", stale_fstat)
    with pytest.raises(AnswerFileError) as caught:
        read_answer(path, "a.md", 2000)
    assert caught.value.rule == "too-large"
    assert "over 2,000 bytes" in caught.value.message


def test_corpus_files_are_all_known():
    """A file added to tests/fixtures/bad/ must say what it expects."""
    assert {p.name for p in CORPUS.glob("*.md")} <= set(EXPECTED)


def test_stale_skips_old_versions_over_the_cap_in_git(library):
    build_tree(library, {"qa.toml": "max_file_bytes = 3000\n"})
    path = f"{ONCOLOGY}/sample-answer.md"
    git_init(library)
    big = answer_text() + "A long paragraph.\n" * 400  # about 7 KB: over the cap
    build_tree(library, {path: big})
    commit_all(library, "a long version", "2026-01-01T12:00:00")
    build_tree(library, {path: answer_text()})
    commit_all(library, "cut down after the review", "2026-03-01T12:00:00")

    result, items = QA(library).json("stale", "--format", "json", "--as-of", "2026-03-05")
    assert result.exit_code == 1
    assert [(i["path"], i["reasons"]) for i in items] == [(path, ["changed-since-review"])]

    blobs = [git(library, "rev-parse", f"HEAD~1:{path}").strip()]
    blobs += [git(library, "rev-parse", f"HEAD:{path}").strip(), "0" * 40]
    read = list(gitinfo.read_blobs(gitinfo.open_repo(library), blobs, max_bytes=3000))
    assert read == [(blobs[0], None), (blobs[1], answer_text().encode()), (blobs[2], None)]
