"""Hostile and careless inputs against the file system: what --force may remove,
links, the state folder, paths, terminal escapes, signals (one test per defect)."""

from __future__ import annotations

import json
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
from helpers import answer_text, build_tree, commit_all, git, git_init, run_qa

ONC = "answers/oncology"


@pytest.fixture
def lib(library: Path) -> Path:
    build_tree(library, {f"{ONC}/a.md": answer_text("a"), f"{ONC}/b.md": answer_text("b")})
    return library


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# ---------------------------------------------------------------------------
# 1. --force removes only what an earlier bundle of qa's wrote


def test_force_never_deletes_the_folder_holding_the_library(tmp_path, library):
    """A folder faked as a bundle (manifest.json + bagit.txt) that holds the library."""
    anc = tmp_path / "anc"
    anc.mkdir()
    build_tree(library, {f"{ONC}/a.md": answer_text("a")})
    git_init(library)
    commit_all(library, "answers", "2026-03-01T12:00:00+00:00")
    clone = anc / "lib"
    git(tmp_path, "clone", "-q", str(library), str(clone))
    (anc / "manifest.json").write_text("{}")
    (anc / "bagit.txt").write_text("x\n")
    before = tree(anc)
    result = run_qa("export", "--out", "..", "--force", cwd=clone)
    assert result.returncode == 2, result.stderr
    assert "not replaced, even with --force" in result.stderr
    assert tree(anc) == before
    assert (clone / ".git").is_dir()


def _bundle(qa, out: Path, *args: str) -> None:
    result = qa("export", "--out", str(out), *args)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "intruder",
    ["notes.txt", "data/notes.txt", "data/html/x.html", ".git/HEAD", "data/extra/", "lib/"],
)
def test_force_refuses_a_bundle_holding_anything_it_does_not_list(lib, qa, tmp_path, intruder):
    out = tmp_path / "site"
    _bundle(qa, out)
    path = out / intruder
    if intruder.endswith("/"):
        path.mkdir(parents=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("keep me")
    before = tree(out)
    result = qa("export", "--out", str(out), "--force")
    assert result.exit_code == 2, result.output
    assert "not replaced, even with --force" in result.stderr
    assert "is a folder holding" in result.stderr
    assert tree(out) == before


def test_force_refuses_a_bundle_folder_holding_the_current_folder(lib, tmp_path):
    out = tmp_path / "site"
    assert run_qa("export", "--out", str(out), "--root", str(lib), cwd=tmp_path).returncode == 0
    before = tree(out)
    inside = out / "data"
    result = run_qa("export", "--out", str(out), "--force", "--root", str(lib), cwd=inside)
    assert result.returncode == 2, result.stderr
    assert "holding" in result.stderr
    assert tree(out) == before


def test_force_refuses_a_manifest_not_written_by_qa(lib, qa, tmp_path):
    out = tmp_path / "site"
    _bundle(qa, out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["tool"]["name"] = "other"
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = qa("export", "--out", str(out), "--force")
    assert result.exit_code == 2
    assert "not written by qa" in result.stderr
    (out / "manifest.json").write_text("[" * 100_000)
    result = qa("export", "--out", str(out), "--force")
    assert result.exit_code == 2
    assert "levels deep" in result.stderr


@pytest.mark.parametrize("name", ["b.zip", "b.tar.gz"])
def test_force_replaces_only_an_archive_qa_wrote(lib, qa, tmp_path, name):
    out = tmp_path / name
    out.write_bytes(b"precious")
    result = qa("export", "--out", str(out), "--force")
    assert result.exit_code == 2, result.output
    assert out.read_bytes() == b"precious"
    # an archive of the right kind, written by someone else
    staged = tmp_path / "staged"
    build_tree(staged, {"bag-info.txt": "Bag-Software-Agent: other\n", "manifest.json": "{}"})
    if name.endswith(".zip"):
        with zipfile.ZipFile(out, "w") as archive:
            for p in sorted(staged.iterdir()):
                archive.write(p, p.name)
    else:
        with tarfile.open(out, "w:gz") as archive:
            for p in sorted(staged.iterdir()):
                archive.add(p, p.name)
    before = out.read_bytes()
    assert qa("export", "--out", str(out), "--force").exit_code == 2
    assert out.read_bytes() == before
    # qa's own archive is replaced
    out.unlink()
    _bundle(qa, out)
    _bundle(qa, out, "--force", "--id", "a")
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_force_replaces_an_earlier_bundle_of_every_format(lib, qa, tmp_path):
    out = tmp_path / "site"
    _bundle(qa, out, "-f", "html", "-f", "md", "-f", "json", "-f", "jsonl")
    _bundle(qa, out, "--force", "-f", "md", "--id", "a")
    assert "data/md/oncology/a.md" in tree(out)
    assert "data/html" not in tree(out)
    _bundle(qa, out, "--force", "-f", "md", "--status", "retired")  # an empty payload
    _bundle(qa, out, "--force")


# ---------------------------------------------------------------------------
# 2. qa review on a link edits the linked file, never replaces the link


def test_review_of_a_link_records_the_review_in_the_linked_file(lib, qa):
    link = lib / ONC / "alias.md"  # id a in alias.md: refused, and nothing written
    link.symlink_to("a.md")
    before = (lib / ONC / "a.md").read_bytes()
    other = lib / "shared" / "c.md"
    build_tree(lib, {"shared/c.md": answer_text("c")})  # read and validated at the link
    (lib / ONC / "c.md").symlink_to(other)
    result, data = qa.json(
        "review",
        str(link),
        str(lib / ONC / "c.md"),
        "--by",
        "Ann Lee",
        "--format",
        "json",
        "--date",
        "2026-03-01",
    )
    assert result.exit_code == 1, result.output
    assert link.is_symlink() and os.readlink(link) == "a.md"
    assert (lib / ONC / "c.md").is_symlink()
    assert (lib / ONC / "a.md").read_bytes() == before
    assert "last_reviewed: 2026-03-01" in other.read_text()
    assert [r["path"] for r in data["reviewed"]] == [f"{ONC}/c.md"]
    assert [r["path"] for r in data["refused"]] == [f"{ONC}/alias.md"]
    (lib / ONC / "d.md").symlink_to("../../shared/d.md")
    build_tree(lib, {"shared/d.md": answer_text("d")})
    result = qa("review", "d", "--by", "Ann Lee")
    assert result.exit_code == 0, result.output
    assert f"recorded: {ONC}/d.md (a link; written to shared/d.md)" in result.stdout


def test_no_write_replaces_a_link_with_a_file(tmp_path):
    from qa_tool.fsutil import atomic_write

    (tmp_path / "target").write_text("keep")
    (tmp_path / "link").symlink_to("target")
    with pytest.raises(OSError, match="symbolic link"):
        atomic_write(tmp_path / "link", b"new")
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "target").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "target"]


def test_review_commit_of_a_link_commits_the_linked_file(lib, qa):
    build_tree(lib, {"shared/c.md": answer_text("c")})
    (lib / ONC / "c.md").symlink_to("../../shared/c.md")
    git_init(lib)
    commit_all(lib, "answers", "2026-03-01T12:00:00+00:00")
    result = qa("review", "c", "--by", "Ann Lee", "--date", "2026-03-02", "--commit")
    assert result.exit_code == 0, result.output
    assert git(lib, "show", "--name-only", "--format=", "HEAD").split() == ["shared/c.md"]
    assert git(lib, "status", "--porcelain") == ""


# ---------------------------------------------------------------------------
# 12. Every command resolves a whole target, existing part or not


@pytest.mark.parametrize(
    "via", ["link/new/bundle", "link/new/b.zip", "link/x/../new/site", "link", "up/lib/answers/n"]
)
def test_export_out_through_a_link_never_lands_in_the_answers_folder(lib, qa, tmp_path, via):
    (tmp_path / "link").symlink_to(lib / "answers")
    (tmp_path / "up").symlink_to(tmp_path)
    before = tree(lib)
    result = qa("export", "--out", str(tmp_path / via))
    assert result.exit_code == 2, result.output
    assert "inside the answers folder" in result.stderr
    assert tree(lib) == before
    if via == "link":
        return  # convert's --out may be the answers folder itself (its default)
    # convert refuses the same path, for the same reason
    build_tree(tmp_path, {"in/a.txt": "Q: Is it?\n\nYes.\n"})
    result = qa("convert", str(tmp_path / "in"), "--out", str(tmp_path / via))
    assert result.exit_code == 2, result.output
    assert tree(lib) == before


def test_real_path_follows_links_above_a_missing_tail(tmp_path):
    from qa_tool.fsutil import real_path

    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert real_path(tmp_path / "link" / "a" / "b") == tmp_path / "real" / "a" / "b"
    assert real_path(tmp_path / "link" / ".." / "x") == tmp_path / "x"
    assert real_path(tmp_path / "loop" / "x").name == "x"  # a loop of links: no exception


# ---------------------------------------------------------------------------
# 11. .qa must be a real folder inside the root; a corrupt cache is rebuilt


@pytest.mark.parametrize("kind", ["link", "file", "gitignore-link", "db-link", "locks-link"])
def test_a_planted_state_folder_is_never_written_through(lib, tmp_path, kind):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    state = lib / ".qa"
    if kind == "link":
        state.symlink_to(elsewhere)
    elif kind == "file":
        state.write_text("not a folder")
    else:
        state.mkdir()
        name = {"gitignore-link": ".gitignore", "db-link": "cache.sqlite3", "locks-link": "locks"}
        (state / name[kind]).symlink_to(elsewhere / "target")
    out = tmp_path / "out"
    stale = run_qa("stale", "--root", str(lib), cwd=tmp_path)
    export = run_qa("export", "--root", str(lib), "--out", str(out), cwd=tmp_path)
    review = run_qa("review", "a", "--by", "Ann Lee", "--root", str(lib), cwd=tmp_path)
    assert list(elsewhere.iterdir()) == []
    for result in (stale, export):
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr
    assert (out / "data" / "answers.jsonl").is_file()
    if kind in ("link", "file"):
        assert stale.stderr.count("the cache is not used") == 1, stale.stderr
        assert review.returncode == 1 and "cannot take the edit lock" in review.stderr
    elif kind == "locks-link":
        assert review.returncode == 1 and "cannot take the edit lock" in review.stderr
    else:
        assert review.returncode == 0, review.stderr
    assert "Traceback" not in review.stderr


def test_a_corrupt_cache_is_replaced(lib, qa, tmp_path):
    import sqlite3

    state = lib / ".qa"
    state.mkdir()
    (state / "cache.sqlite3").write_bytes(b"this is not a database" * 100)
    result, data = qa.json("stale", "--format", "json", "--as-of", "2030-01-01")
    assert result.exit_code == 1, result.output
    assert len(data) == 2
    with sqlite3.connect(state / "cache.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM files").fetchone() == (2,)
    assert qa("export", "--out", str(tmp_path / "b")).exit_code == 0
    with sqlite3.connect(state / "cache.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM rendered").fetchone() == (2,)


# ---------------------------------------------------------------------------
# 13. Control characters never reach a terminal raw


ESC = "\x1b"
HOSTILE_TITLE = '"\\e[2J\\e[1A\\rDone \\u202e:smile: [bold]x[/]"'  # YAML escapes: ESC, CR, RLO


def _no_raw_controls(result) -> None:
    for stream in (result.stdout, result.stderr):
        assert not any(c in stream for c in (ESC, "\r", "\u202e", "\x07")), repr(stream)


def test_text_output_escapes_control_characters_in_titles_and_names(library, qa, tmp_path):
    build_tree(
        library,
        {
            f"{ONC}/a.md": answer_text("a", title=HOSTILE_TITLE, last_reviewed="2020-01-01"),
            f"{ONC}/b\x1b[2K.md": answer_text("b", last_reviewed="2020-01-01"),
        },
    )
    for args in (
        ("validate",),
        ("stale", "--as-of", "2026-06-01"),
        ("export", "--out", str(tmp_path / "out")),
        ("review", f"{library}/{ONC}/b\x1b[2K.md", "--by", "Ann\x1b[31m Lee", "--force"),
    ):
        result = qa(*args)
        assert result.exit_code in (0, 1), result.output
        _no_raw_controls(result)
        assert "\\x1b" in result.stdout + result.stderr, (args, result.output)
    result = qa("stale", "--as-of", "2026-06-01")
    assert "\\x1b[2J\\x1b[1A\\rDone \\u202e:smile: [bold]x[/]" in result.stdout
    assert "😄" not in result.stdout


def test_verify_names_a_crafted_member_without_letting_it_overprint(lib, qa, tmp_path):
    bundle = tmp_path / "b.zip"
    _bundle(qa, bundle)
    with zipfile.ZipFile(bundle, "a") as archive:
        archive.writestr("data/x\r\x1b[2K\x1b[1Ab.zip: intact", b"x")
    result = qa("verify", str(bundle), root=False)
    assert result.exit_code == 1
    _no_raw_controls(result)
    assert "data/x\\r\\x1b[2K\\x1b[1Ab.zip: intact" in result.stdout


def test_plain_escapes_every_control_character():
    from qa_tool.cli.common import plain, shown

    assert (
        plain("a\x00b\x7f\x9b\u2028\u2066\udce9\tc\n")
        == "a\\x00b\\x7f\\x9b\\u2028\\u2066\\xe9\\tc\\n"
    )
    assert plain("line\n\ttab\x1b", keep="\n\t") == "line\n\ttab\\x1b"
    assert shown("[red]x\x1b") == "\\[red]x\\x1b"
    assert plain("café — ok") == "café — ok"


# ---------------------------------------------------------------------------
# 9. qa verify opens only regular files, caps JSON depth and sizes, hashes as streams


@pytest.mark.parametrize("name", ["x.zip", "x.tar.gz"])
def test_verify_never_waits_on_a_pipe_or_reads_a_device(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    zero = tmp_path / f"zero-{name}"
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        result = run_qa("verify", str(path), cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "not a regular file" in result.stderr


def test_verify_a_deep_manifest_is_a_problem_not_a_crash(lib, qa, tmp_path):
    out = tmp_path / "b"
    _bundle(qa, out)
    (out / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    result, data = qa.json("verify", str(out), "--format", "json", root=False)
    assert result.exit_code == 1
    assert any("levels deep" in p["message"] for p in data["problems"])


@pytest.mark.slow
def test_verify_a_tag_file_bomb_stays_small(lib, qa, tmp_path):
    import time
    import tracemalloc

    bundle = tmp_path / "b.zip"
    _bundle(qa, bundle)
    rebuilt = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bundle) as old, zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename == "manifest-sha256.txt":
                chunk = (b"0" * 64 + b"  data/x\n") * 14_000  # about 1 MiB
                with new.open("manifest-sha256.txt", "w") as handle:
                    for _ in range(40):  # 40 MiB of one repeated line, about 0.2 MB zipped
                        handle.write(chunk)
            else:
                new.writestr(info, old.read(info))
    from qa_tool.bundle import verify_bundle

    start = time.monotonic()
    tracemalloc.start()
    try:
        report = verify_bundle(rebuilt)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - start < 60
    assert peak < 16 * 1024 * 1024  # the 40 MiB tag file is never held whole
    kinds = {(p.kind, p.path) for p in report.problems}
    assert ("altered", "manifest-sha256.txt") in kinds


# ---------------------------------------------------------------------------
# 14. qa verify names what other tools would unpack differently


def _rezip(src: Path, dest: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]]) -> None:
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dest, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        for info, data in extra:
            new.writestr(info, data)


@pytest.mark.parametrize(
    "extra, path",
    [
        ([(zipfile.ZipInfo("data/html/"), b"hidden payload")], "data/html/"),
        ([("data/ANSWERS.jsonl", b"{}\n")], "data/ANSWERS.jsonl"),
        ([("data/caf\u00e9.txt", b"a"), ("data/cafe\u0301.txt", b"b")], "data/cafe\u0301.txt"),
    ],
)
def test_verify_names_folder_entries_with_data_and_name_twins(lib, qa, tmp_path, extra, path):
    bundle = tmp_path / "b.zip"
    _bundle(qa, bundle)
    crafted = tmp_path / "crafted.zip"
    _rezip(bundle, crafted, extra)
    result, data = qa.json("verify", str(crafted), "--format", "json", root=False)
    assert result.exit_code == 1
    unsafe = [p for p in data["problems"] if p["kind"] == "unsafe"]
    assert [p["path"] for p in unsafe] == [path], data["problems"]


def test_verify_names_a_second_tar_after_the_end_of_archive(lib, qa, tmp_path):
    import gzip
    import io

    bundle = tmp_path / "b.tar.gz"
    _bundle(qa, bundle)
    second = io.BytesIO()
    with tarfile.open(fileobj=second, mode="w") as tar:
        info = tarfile.TarInfo("data/evil.html")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    joined = gzip.decompress(bundle.read_bytes()) + second.getvalue()
    crafted = tmp_path / "crafted.tar.gz"
    crafted.write_bytes(gzip.compress(joined))
    result, data = qa.json("verify", str(crafted), "--format", "json", root=False)
    assert result.exit_code == 1
    assert any("end-of-archive" in p["message"] for p in data["problems"]), data
    assert qa("verify", str(bundle), root=False).exit_code == 0  # qa's own padding is fine
    twice = tmp_path / "twice.tar.gz"  # a second gzip member holding the second tar
    twice.write_bytes(bundle.read_bytes() + gzip.compress(second.getvalue()))
    assert qa("verify", str(twice), root=False).exit_code == 1


# ---------------------------------------------------------------------------
# 16. Smaller: an outside folder, !!binary and !!set, remote images, stale temporaries


def test_validate_refuses_a_folder_outside_the_library(lib, qa, tmp_path):
    build_tree(tmp_path, {"outside/secret.md": answer_text("secret", title="Secret title?")})
    for folder in (tmp_path / "outside", lib / "answers" / ".." / ".." / "outside"):
        result = qa("validate", str(folder))
        assert result.exit_code == 2, result.output
        assert "outside the library" in result.stderr
        assert "Secret" not in result.output


@pytest.mark.parametrize(
    "extra", ["tags: [!!binary aGVsbG8=]", "tags: !!set {a: null}", "title2: !!binary aGVsbG8="]
)
def test_binary_and_set_values_fail_validation(library, qa, extra):
    build_tree(library, {f"{ONC}/a.md": answer_text("a", extra=extra)})
    result, data = qa.json("validate", "--format", "json")
    assert result.exit_code == 1, result.output
    messages = [f["message"] for f in data["findings"] if f["severity"] == "error"]
    assert any("!!binary" in m or "!!set" in m for m in messages), messages


def test_exported_pages_load_nothing_from_elsewhere(lib, qa, tmp_path):
    _bundle(qa, tmp_path / "b", "-f", "html")
    page = (tmp_path / "b" / "data" / "html" / "oncology" / "a.html").read_text()
    policy = page.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    assert "default-src 'none'" in policy
    assert "http" not in policy and "img-src" not in policy


def test_sigterm_midway_leaves_no_temporaries(library, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    build_tree(library, {f"{ONC}/a{n}.md": answer_text(f"a{n}") for n in range(600)})
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qa_tool",
            "export",
            "--root",
            str(library),
            "-f",
            "html",
            "-f",
            "md",
            "--out",
            str(out_dir / "b.tar.gz"),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in out_dir.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "export ended too soon"
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    assert list(out_dir.iterdir()) == []


def test_a_killed_runs_stale_temporaries_are_removed_by_the_next_write(lib, qa, tmp_path):
    import time

    old = time.time() - 7200
    stale = [lib / ONC / ".a.md.abcd1234.tmp", tmp_path / ".b.tar.gz.x1y2z3w4.tmp"]
    fresh = lib / ONC / ".b.md.zzzz9999.tmp"
    mine = lib / ONC / ".notes.tmp"  # not one of qa's names
    for path in [*stale, fresh, mine]:
        path.write_text("x")
    for path in [*stale, mine]:
        os.utime(path, (old, old))
    assert qa("review", "a", "--by", "Ann Lee").exit_code == 0
    _bundle(qa, tmp_path / "b.tar.gz")
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and mine.exists()
    result, data = qa.json("validate", "--format", "json")
    assert all(".tmp" not in f["path"] for f in data["findings"])


def test_workers_die_with_their_parent(tmp_path):
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        "from qa_tool.workers import die_with_parent\n"
        "parent = os.getpid()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    die_with_parent(parent)\n"
        "    time.sleep(120)\n"
        "    os._exit(0)\n"
        "print(child, flush=True)\n"
        "time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    time.sleep(0.5)
    proc.kill()  # SIGKILL: no handler of the parent runs
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(child, 9)
    pytest.fail("the worker outlived its parent")


def test_a_killed_runs_temporary_does_not_make_the_library_dirty(lib, qa, tmp_path):
    git_init(lib)
    commit_all(lib, "answers", "2026-03-01T12:00:00+00:00")
    (lib / ONC / ".a.md.abcd1234.tmp").write_text("half an answer")
    _bundle(qa, tmp_path / "b")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["library"]["dirty"] is False
    (lib / ONC / "new.md").write_text(answer_text("new"))
    _bundle(qa, tmp_path / "c")
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["library"]["dirty"] is True
