"""A write that fails half way loses nothing: `qa review` and `qa convert` through their real paths.

Every write goes to a temporary file in the target folder, is flushed (fsync) and
renamed into place (qa_tool.fsutil.atomic_write). Here the flush or the rename of
one file fails, as on a full disk: that file is byte-identical to what it was (or
absent, if it was new), no `.*.tmp` file is left, the message names the file and
says why, and the other files of the batch are written. (`qa new`, `qa export`
and edit_front_matter itself have the same tests in their own files.)
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import QA, answer_text, build_tree

from qa_tool import fsutil

ONC = "answers/oncology"
NO_SPACE = "No space left on device"

LEGACY = (
    "{question}\n"
    "Yes, for most people.\n"
    "What the research says\n"
    "{research} 1.\n"
    "What to ask your doctor\n"
    "- Is it right for me?\n"
    "This question is drawn from common patient questions about Oncology and answered "
    "using cited medical research. We do not provide individualized advice.\n"
)


def legacy(question: str, research: str = "It helps") -> str:
    return LEGACY.format(question=question, research=research)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".qa" not in p.parts
    }


@contextlib.contextmanager
def failing_write(monkeypatch, victim: Path, where: str):
    """The write of ``victim`` fails at ``where``: 'fsync' (of its temporary file), or the
    rename into place ('replace' for a replaced file, 'link' for a new one)."""

    def is_victims_temporary(fd: int) -> bool:
        name = Path(os.readlink(f"/proc/self/fd/{fd}")).name
        return name.startswith(f".{victim.name}.") and name.endswith(".tmp")

    real = {name: getattr(fsutil.os, name) for name in ("fsync", "replace", "link")}

    def fsync(fd):
        if is_victims_temporary(fd):
            raise OSError(28, NO_SPACE)
        return real["fsync"](fd)

    def rename(name):
        def call(src, dst, *args, **kwargs):
            if Path(dst) == victim:
                raise OSError(28, NO_SPACE)
            return real[name](src, dst, *args, **kwargs)

        return call

    patch = {"fsync": fsync, "replace": rename("replace"), "link": rename("link")}[where]
    monkeypatch.setattr(fsutil.os, where, patch)
    yield
    monkeypatch.setattr(fsutil.os, where, real[where])


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_review_write_failing_half_way(library, monkeypatch, where):
    build_tree(library, {f"{ONC}/a.md": answer_text("a"), f"{ONC}/b.md": answer_text("b")})
    a, b = library / ONC / "a.md", library / ONC / "b.md"
    before = snapshot(library)

    with failing_write(monkeypatch, a, where):
        args = ["--by", "Sam Smith", "--date", "2026-11-20", "--format", "json"]
        result, report = QA(library).json("review", str(a), str(b), *args)

    assert result.exit_code == 1
    assert [r["message"] for r in report["refused"]] == [
        f"{ONC}/a.md: cannot be written: {NO_SPACE}; the file is unchanged"
    ]
    assert f"{ONC}/a.md: cannot be written: {NO_SPACE}" in result.stderr
    assert [r["path"] for r in report["reviewed"]] == [f"{ONC}/b.md"]
    assert a.read_bytes() == before[f"{ONC}/a.md"]
    assert b"Sam Smith" in b.read_bytes()
    assert temporaries(library) == []


def test_review_interrupted_during_the_rename_leaves_the_file(library):
    # Ctrl-C arrives as a KeyboardInterrupt wherever the process is: here, at the rename.
    build_tree(library, {f"{ONC}/a.md": answer_text("a")})
    a = library / ONC / "a.md"
    before = a.read_bytes()
    code = (
        "import sys, os\n"
        "def stop(*a, **k): raise KeyboardInterrupt\n"
        "os.replace = stop\n"
        "sys.argv = ['qa', 'review', sys.argv[1], '--by', 'Sam Smith']\n"
        "from qa_tool.cli import main\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(a)],
        cwd=library,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    assert a.read_bytes() == before
    assert temporaries(library) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_convert_force_failing_half_way_keeps_the_old_answer(library, tmp_path, monkeypatch, where):
    build_tree(
        tmp_path,
        {"in/a.txt": legacy("Does tea help?"), "in/b.txt": legacy("Does coffee help?")},
    )
    qa = QA(library)
    assert qa("convert", str(tmp_path / "in")).exit_code == 0
    build_tree(
        tmp_path,
        {
            "in/a.txt": legacy("Does tea help?", "Tea helps a little"),
            "in/b.txt": legacy("Does coffee help?", "Coffee helps a little"),
        },
    )
    a = library / ONC / "does-tea-help.md"
    before = snapshot(library)

    with failing_write(monkeypatch, a, where):
        result, report = qa.json("convert", str(tmp_path / "in"), "--force", "--format", "json")

    assert result.exit_code == 1
    assert [(f["status"], f["error"]) for f in report["files"]] == [
        ("failed", f"cannot write {ONC}/does-tea-help.md: {NO_SPACE}"),
        ("converted", None),
    ]
    assert a.read_bytes() == before[f"{ONC}/does-tea-help.md"]
    assert b"Coffee helps a little" in (library / ONC / "does-coffee-help.md").read_bytes()
    assert temporaries(library) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
@pytest.mark.parametrize("where", ["fsync", "link"])
def test_convert_of_new_answers_failing_half_way_writes_the_others(
    library, tmp_path, monkeypatch, where
):
    texts = {f"in/{n}.txt": legacy(f"Does drink number {n} help?") for n in range(1, 6)}
    build_tree(tmp_path, texts)
    victim = library / ONC / "does-drink-number-3-help.md"

    with failing_write(monkeypatch, victim, where):
        result, report = QA(library).json("convert", str(tmp_path / "in"), "--format", "json")

    assert result.exit_code == 1
    statuses = [f["status"] for f in report["files"]]
    assert statuses == ["converted", "converted", "failed", "converted", "converted"]
    message = f"cannot write {ONC}/does-drink-number-3-help.md: {NO_SPACE}"
    assert report["files"][2]["error"] == message
    assert not victim.exists()
    assert sorted(snapshot(library)) == [
        f"{ONC}/does-drink-number-{n}-help.md" for n in (1, 2, 4, 5)
    ]
    assert temporaries(library) == []
