"""Round-trip edits: one field changes, every other byte stays."""

from __future__ import annotations

import contextlib
import datetime as dt

from qa_tool.answerfile.edit import edit_front_matter
from qa_tool.errors import AnswerFileError

ORIGINAL = """---
# Reviewed yearly; see the policy.
title: 'What should I know about immunotherapy side effects?'
id: immunotherapy-side-effects   # never changes
topic: Oncology
status: published
confidence: moderate
created: 2026-01-05
last_reviewed: 2026-02-10
reviewed_by:
  - name: Jane Doe
    credentials: "MD, medical oncologist"
references:
  - id: "1"
    title: Clinical trials of human papillomavirus vaccines and beyond
    PMID: "23736648"
    issued: 2013
---
Body text [@1] stays   exactly as it was.

## What the research says
"""


def test_changing_one_field_keeps_every_other_byte(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(ORIGINAL, encoding="utf-8")

    def review(meta):
        meta["last_reviewed"] = dt.date(2026, 11, 22)

    assert edit_front_matter(path, review) is True
    expected = ORIGINAL.replace("last_reviewed: 2026-02-10", "last_reviewed: 2026-11-22")
    assert path.read_text(encoding="utf-8") == expected


def test_no_change_writes_nothing(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(ORIGINAL, encoding="utf-8")
    before = path.stat().st_mtime_ns
    assert edit_front_matter(path, lambda meta: None) is False
    assert path.stat().st_mtime_ns == before


def test_crlf_and_bom_are_kept(tmp_path):
    path = tmp_path / "a.md"
    data = b"\xef\xbb\xbf" + ORIGINAL.replace("\n", "\r\n").encode()
    path.write_bytes(data)
    edit_front_matter(path, lambda meta: meta.__setitem__("confidence", "high"))
    assert path.read_bytes() == data.replace(b"confidence: moderate", b"confidence: high")


def test_a_write_failing_half_way_loses_nothing(tmp_path, monkeypatch):
    import os

    path = tmp_path / "a.md"
    path.write_text(ORIGINAL, encoding="utf-8")
    before = path.read_bytes()
    real_fsync = os.fsync

    def broken_fsync(fd):
        real_fsync(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    try:
        edit_front_matter(path, lambda meta: meta.__setitem__("confidence", "high"))
    except AnswerFileError as exc:
        assert exc.rule == "write-failed"
        assert (
            str(exc) == f"{path}: cannot be written: No space left on device; the file is unchanged"
        )
    else:
        raise AssertionError("the failing write was not reported")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_interrupt_during_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    from qa_tool import fsutil

    path = tmp_path / "new.md"
    real_replace = fsutil.os.replace

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(fsutil.os, "replace", interrupted)
    with contextlib.suppress(KeyboardInterrupt):
        fsutil.atomic_write(path, b"data")
    monkeypatch.setattr(fsutil.os, "replace", real_replace)
    assert list(tmp_path.iterdir()) == []


def test_new_file_is_never_overwritten(tmp_path):
    from qa_tool import fsutil

    path = tmp_path / "a.md"
    path.write_bytes(b"original")
    try:
        fsutil.atomic_write(path, b"new", overwrite=False)
    except FileExistsError:
        pass
    else:
        raise AssertionError("an existing file was replaced")
    assert path.read_bytes() == b"original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]
