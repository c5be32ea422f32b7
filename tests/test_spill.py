"""Texts set aside in .qa/ while a library is read (qa_tool.spill), and the commands that
set their measures aside there: the same output cold and warm, and a complete cache."""

from __future__ import annotations

import os
import sqlite3

from helpers import answer_text, build_tree

from qa_tool.config import load_config
from qa_tool.spill import Spill

ONC = "answers/oncology"


def test_texts_come_back_as_they_were_put(library):
    spill = Spill(load_config(library))
    texts = ["", "plain", "é and 漢字", "lone \udc80 surrogate", "x" * 100_000]
    handles = [spill.put(t) for t in texts]
    assert all(isinstance(h, int) for h in handles)  # in the file, not in memory
    assert [spill.get(h) for h in reversed(handles)] == list(reversed(texts))
    assert sorted(p.name for p in (library / ".qa").iterdir()) == [".gitignore"]  # unnamed
    spill.close()


def test_texts_stay_in_memory_when_qa_cannot_be_made(library):
    (library / ".qa").write_text("not a folder")
    spill = Spill(load_config(library))
    assert spill.put("kept") == "kept"
    assert spill.get("kept") == "kept"
    assert (library / ".qa").read_text() == "not a folder"


def test_a_failed_write_keeps_that_text_in_memory(library, monkeypatch):
    spill = Spill(load_config(library))
    first = spill.put("first")

    def full(fd, data, offset):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "pwrite", full)
    assert spill.put("second") == "second"
    monkeypatch.undo()
    third = spill.put("third")
    assert (spill.get(first), spill.get("second"), spill.get(third)) == (
        "first",
        "second",
        "third",
    )


def _answers(library, count: int) -> None:
    body = "A short sentence. Another one follows it, with a few more words in it."
    build_tree(
        library,
        {
            f"{ONC}/a{n}.md": answer_text(f"a{n}", title=f"Question {n}?", body=f"{body} {n}.")
            for n in range(count)
        },
    )


def test_readability_cold_and_warm_agree_and_cache_every_measure(library, qa, monkeypatch):
    """Measures made while reading are set aside and stored a batch at a time: the cache
    ends up holding every one, and the warm run (all from the cache) prints the same."""
    from qa_tool import cache
    from qa_tool import readability as readability_module

    _answers(library, 7)
    single = qa("readability", "--format", "json").output
    for part in (library / ".qa").iterdir():
        part.unlink()
    monkeypatch.setattr(cache.MeasureCache, "SAVE_EVERY", 2)
    cold = qa("readability", "--format", "json").output
    assert cold == single
    with sqlite3.connect(library / ".qa" / "cache.sqlite3") as con:
        (count,) = con.execute("SELECT count(*) FROM measures").fetchone()
    assert count == 7

    def refuse(body: str, **_options):
        raise AssertionError("measured again")

    monkeypatch.setattr(readability_module, "measure_body", refuse)
    assert qa("readability", "--format", "json").output == cold


def test_report_cold_and_warm_agree(library, qa, monkeypatch, tmp_path):
    from qa_tool import cache

    _answers(library, 5)
    monkeypatch.setattr(cache.MeasureCache, "SAVE_EVERY", 2)
    for name in ("cold.html", "warm.html"):
        result = qa("report", "--as-of", "2026-11-22", "--out", str(tmp_path / name))
        assert result.exit_code == 0, result.output
    cold = (tmp_path / "cold.html").read_bytes()
    assert cold == (tmp_path / "warm.html").read_bytes()
    assert b"Question 4?" in cold or b"a4" in cold
