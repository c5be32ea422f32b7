"""The metadata cache is never wrong: every change between two runs is seen at once."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest
from helpers import answer_text, build_tree, commit_all, git, git_init

from qa_tool import cache as cache_module
from qa_tool.config import load_config
from qa_tool.library import load_library

ONC = "answers/oncology"


def titles(root):
    loaded = load_library(load_config(root), summary=True)
    assert not loaded.failures, loaded.failures
    return {a.rel.rsplit("/", 1)[-1]: a.meta["title"] for a in loaded.answers}


def entries(root):
    con = sqlite3.connect(root / ".qa" / "cache.sqlite3")
    try:
        return {r[0] for r in con.execute("SELECT rel FROM files")}
    finally:
        con.close()


@pytest.fixture
def settled(monkeypatch):
    """Files written by a test are 'old' to the cache unless a test says otherwise."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)


def test_second_run_is_served_from_the_cache(library, settled, monkeypatch):
    build_tree(library, {f"{ONC}/a.md": answer_text("a", title="First?")})
    assert titles(library) == {"a.md": "First?"}
    assert entries(library) == {f"{ONC}/a.md"}
    assert (library / ".qa" / ".gitignore").read_text() == "*\n"

    import qa_tool.library as lib

    def no_parsing(*args, **kwargs):
        raise AssertionError("a cached file was parsed again")

    monkeypatch.setattr(
        lib, "map_chunks", lambda func, items, **kw: iter([]) if not items else no_parsing()
    )
    assert titles(library) == {"a.md": "First?"}


def test_edit_add_remove_rename_are_seen(library, settled):
    build_tree(
        library,
        {
            f"{ONC}/a.md": answer_text("a", title="First?"),
            f"{ONC}/b.md": answer_text("b", title="Second?"),
        },
    )
    titles(library)
    build_tree(
        library,
        {
            f"{ONC}/a.md": answer_text("a", title="Edited?"),
            f"{ONC}/c.md": answer_text("c", title="Added?"),
        },
    )
    (library / ONC / "b.md").rename(library / ONC / "renamed.md")
    assert titles(library) == {"a.md": "Edited?", "c.md": "Added?", "renamed.md": "Second?"}
    (library / ONC / "c.md").unlink()
    assert titles(library) == {"a.md": "Edited?", "renamed.md": "Second?"}
    assert entries(library) == {f"{ONC}/a.md", f"{ONC}/renamed.md"}


def test_same_size_edit_with_the_same_mtime_is_seen(library, settled):
    path = library / ONC / "a.md"
    build_tree(library, {f"{ONC}/a.md": answer_text("a", title="Alpha?")})
    titles(library)
    st = path.stat()
    path.write_text(answer_text("a", title="Omega?"), encoding="utf-8")  # same length
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same modification time
    assert path.stat().st_size == st.st_size
    assert titles(library) == {"a.md": "Omega?"}  # the change time gave it away


def test_racy_entry_is_read_again(library, monkeypatch):
    """An edit in the instant the cache was written, keeping size and all times, is still seen."""
    path = library / ONC / "a.md"
    build_tree(library, {f"{ONC}/a.md": answer_text("a", title="Alpha?")})
    titles(library)  # cached right after the write: the entry is racy
    st = path.stat()
    frozen = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    path.write_text(answer_text("a", title="Omega?"), encoding="utf-8")
    # Make the file look exactly as it did when cached, as a coarse clock would.
    monkeypatch.setattr(cache_module, "stat_key", lambda _st: frozen)
    assert titles(library) == {"a.md": "Omega?"}


def test_settled_entry_is_trusted_and_racy_one_is_not(library, monkeypatch):
    path = library / ONC / "a.md"
    build_tree(library, {f"{ONC}/a.md": answer_text("a")})
    mtime = path.stat().st_mtime_ns
    cache = cache_module.SummaryCache.open(library / ".qa")
    key = cache_module.stat_key(path.stat())
    cache.put(f"{ONC}/a.md", key, {"title": "cached"}, 10, "d")
    cache.save()
    reopened = cache_module.SummaryCache.open(library / ".qa")
    assert reopened.get(f"{ONC}/a.md", key) is None  # recorded in the same instant: racy
    con = sqlite3.connect(library / ".qa" / "cache.sqlite3")
    with con:
        con.execute("UPDATE files SET recorded_ns = ?", (mtime + cache_module.RACY_NS + 1,))
    con.close()
    reopened = cache_module.SummaryCache.open(library / ".qa")
    assert reopened.get(f"{ONC}/a.md", key).meta == {"title": "cached"}


def test_a_corrupt_cache_is_ignored(library, settled):
    build_tree(library, {f"{ONC}/a.md": answer_text("a", title="First?")})
    (library / ".qa").mkdir()
    (library / ".qa" / "cache.sqlite3").write_bytes(b"not a database" * 100)
    assert titles(library) == {"a.md": "First?"}


def test_dates_survive_the_cache(library, settled):
    import datetime as dt

    build_tree(library, {f"{ONC}/a.md": answer_text("a")})
    first = load_library(load_config(library), summary=True).answers[0].meta
    second = load_library(load_config(library), summary=True).answers[0].meta
    assert first == second
    assert second["last_reviewed"] == dt.date(2026, 2, 10)
    assert second["reviewed_by"] == [{"name": "Jane Doe", "credentials": "MD, medical oncologist"}]


def test_parallel_and_serial_reads_agree(library, monkeypatch):
    import qa_tool.workers as workers

    monkeypatch.setattr(workers, "PARALLEL_MIN_ITEMS", 2)
    calls = []
    real_pool = __import__("concurrent.futures").futures.ProcessPoolExecutor

    def counting_pool(*args, **kwargs):
        calls.append(kwargs.get("max_workers"))
        return real_pool(*args, **kwargs)

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", counting_pool)
    files = {f"{ONC}/a{n}.md": answer_text(f"a{n}") for n in range(30)}
    files[f"{ONC}/broken.md"] = "---\n: [\n---\n"
    build_tree(library, files)
    config = load_config(library)
    serial = load_library(config, workers=1)
    parallel_ = load_library(config, workers=2)
    assert [a.rel for a in serial.answers] == [a.rel for a in parallel_.answers]
    assert [a.meta for a in serial.answers] == [a.meta for a in parallel_.answers]
    assert [(e.rule, e.line) for e in serial.failures] == [
        (e.rule, e.line) for e in parallel_.failures
    ]
    assert calls == [2]  # the second read really went through a pool of two workers


# --- keyed by git blob id: valid in any clone ----------------------------------------------


def parsed_count(monkeypatch) -> list[str]:
    """Record the paths each load parses (the rest came from the cache)."""
    import qa_tool.library as lib

    seen: list[str] = []
    real = lib.map_chunks

    def counting(func, items, **kwargs):
        seen.extend(rel for _, rel in items)
        return real(func, items, **kwargs)

    monkeypatch.setattr(lib, "map_chunks", counting)
    return seen


def committed_library(root, answers: dict[str, str]):
    build_tree(root, {f"{ONC}/{name}": text for name, text in answers.items()})
    git_init(root)
    commit_all(root, "answers", "2026-01-05T10:00:00")
    return root


def test_a_restored_cache_is_valid_in_a_fresh_clone(tmp_path, monkeypatch):
    """The CI shape: new inodes and times, .qa/ copied in; only the edited file is read."""
    origin = committed_library(
        tmp_path / "origin",
        {f"{c}.md": answer_text(c, title=f"Question {c}?") for c in "abc"},
    )
    titles(origin)  # fills origin/.qa/
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-hardlinks", str(origin), str(clone))
    shutil.copytree(origin / ".qa", clone / ".qa")
    edited = clone / ONC / "b.md"
    edited.write_text(answer_text("b", title="Question B?"), encoding="utf-8")  # same size
    seen = parsed_count(monkeypatch)
    assert titles(clone) == {"a.md": "Question a?", "b.md": "Question B?", "c.md": "Question c?"}
    assert seen == [f"{ONC}/b.md"]


def test_in_git_a_warm_run_takes_no_stat_of_unmodified_files(tmp_path, monkeypatch):
    root = committed_library(tmp_path / "lib", {"a.md": answer_text("a", title="First?")})
    titles(root)
    import qa_tool.library as lib

    def no_stat(self):
        raise AssertionError(f"{self.name} was stat'ed")

    monkeypatch.setattr(lib.Found, "stat", property(no_stat))
    seen = parsed_count(monkeypatch)
    assert titles(root) == {"a.md": "First?"}
    assert seen == []


def test_in_git_a_cold_run_stats_only_the_files_git_does_not_vouch_for(tmp_path, monkeypatch):
    """With no cache, a file git vouches for needs no stat (nothing is recorded by path to
    match it against): a cold run of 100,000 answers would otherwise hold 60 MB of them.
    A modified file is still recorded by its stat key, and the next run trusts it."""
    root = committed_library(
        tmp_path / "lib", {"a.md": answer_text("a", title="First?"), "b.md": answer_text("b")}
    )
    (root / ONC / "b.md").write_text(answer_text("b", title="Edited?"), encoding="utf-8")
    import qa_tool.library as lib

    stated: list[str] = []
    real_stat = lib.Found.stat

    def watched(self):
        stated.append(os.path.basename(self.name))
        return real_stat.fget(self)

    monkeypatch.setattr(lib.Found, "stat", property(watched))
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the edit counts as settled
    assert titles(root) == {"a.md": "First?", "b.md": "Edited?"}
    assert set(stated) == {"b.md"}
    assert entries(root) == {f"{ONC}/b.md"}  # b by its stat key
    seen = parsed_count(monkeypatch)
    assert titles(root) == {"a.md": "First?", "b.md": "Edited?"}
    assert seen == []


def test_in_git_same_size_edit_in_the_same_instant_is_seen(tmp_path, monkeypatch):
    """No settled fixture here: git's own racy-entry rule and its stat cache decide."""
    root = committed_library(tmp_path / "lib", {"a.md": answer_text("a", title="Alpha?")})
    assert titles(root) == {"a.md": "Alpha?"}
    path = root / ONC / "a.md"
    st = path.stat()
    path.write_text(answer_text("a", title="Omega?"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert titles(root) == {"a.md": "Omega?"}
    git(root, "add", "-A")  # staged: git now vouches for the new blob
    assert titles(root) == {"a.md": "Omega?"}


def test_in_git_addition_removal_and_rename_are_seen(tmp_path, monkeypatch):
    root = committed_library(
        tmp_path / "lib",
        {"a.md": answer_text("a", title="First?"), "b.md": answer_text("b", title="Second?")},
    )
    titles(root)
    git(root, "mv", f"{ONC}/b.md", f"{ONC}/renamed.md")
    build_tree(root, {f"{ONC}/c.md": answer_text("c", title="Added?")})  # untracked
    (root / ONC / "a.md").unlink()  # deleted, not staged
    seen = parsed_count(monkeypatch)
    assert titles(root) == {"renamed.md": "Second?", "c.md": "Added?"}
    assert seen == [f"{ONC}/c.md"]  # the renamed file's blob was known already
    assert entries(root) == {f"{ONC}/c.md"}  # files git vouches for need no path entry


def test_files_marked_assume_unchanged_are_still_checked(tmp_path, settled):
    root = committed_library(tmp_path / "lib", {"a.md": answer_text("a", title="Alpha?")})
    titles(root)
    git(root, "update-index", "--assume-unchanged", f"{ONC}/a.md")
    (root / ONC / "a.md").write_text(answer_text("a", title="Changed?"), encoding="utf-8")
    assert titles(root) == {"a.md": "Changed?"}


def test_only_versions_in_use_stay_cached(tmp_path, settled):
    root = committed_library(tmp_path / "lib", {"a.md": answer_text("a", title="One?")})
    for title in ("Two?", "Three?"):
        titles(root)
        (root / ONC / "a.md").write_text(answer_text("a", title=title), encoding="utf-8")
    assert titles(root) == {"a.md": "Three?"}
    con = sqlite3.connect(root / ".qa" / "cache.sqlite3")
    try:
        kept = con.execute("SELECT count(*) FROM summaries").fetchone()[0]
    finally:
        con.close()
    assert kept == 1


# --- columns: a listing judges from the cache without decoding front matter ---------------


def stale_report(root):
    import datetime as dt

    from qa_tool.stale import find_stale

    config = load_config(root)
    report = find_stale(config, load_library(config, summary=True), as_of=dt.date(2026, 9, 1))
    return [i.to_dict() for i in report.items], report.notes, report.checked, report.due_by_month


def test_warm_stale_equals_cold_stale_and_decodes_no_front_matter(tmp_path, monkeypatch):
    # the odd answers of ODD (below) but those without an id or past the year 9999
    odd = {name: text for name, text in ODD.items() if name not in ("no-id.md", "past-9999.md")}
    root = committed_library(tmp_path / "lib", odd)
    cold = stale_report(root)
    assert cold[0], "the library has answers due"
    import qa_tool.cache as cache

    real_decode = cache._decode
    decoded = []

    def counting_decode(text):
        decoded.append(text)
        return real_decode(text)

    monkeypatch.setattr(cache, "_decode", counting_decode)
    assert stale_report(root) == cold
    # Only answers whose values are not plain text or YAML dates need their front matter.
    assert len(decoded) == 4


# --- rows: qa stale judges cached answers from their stored rows, no Answer made -----------


def stale_rows_report(root):
    """:func:`stale_report` the way ``qa stale`` loads: cached answers as their rows."""
    import datetime as dt

    from qa_tool.stale import find_stale

    config = load_config(root)
    loaded = load_library(config, summary=True, keep_meta=False, rows=True)
    report = find_stale(config, loaded, as_of=dt.date(2026, 9, 1), within=None)
    items = [i.to_dict() for i in report.items]
    return (items, report.notes, report.checked, report.due_by_month), loaded


ODD = {
    "plain.md": answer_text("plain"),
    "string-date.md": answer_text("string-date", last_reviewed="'2026-02-10'"),
    "not-a-date.md": answer_text("not-a-date", last_reviewed="soon"),
    "number-title.md": answer_text("number-title", title="42"),
    "never.md": answer_text("never", last_reviewed=None),
    "due-set.md": answer_text("due-set", extra="review_due: 2026-08-01"),
    "fingerprint.md": answer_text("fingerprint", extra="review_fingerprint: abc"),
    "draft.md": answer_text("draft", status="draft"),
    "no-id.md": answer_text("no-id").replace("id: no-id\n", ""),
    "past-9999.md": answer_text("past-9999", last_reviewed="9999-10-01"),
    "odd-reviewer.md": answer_text("odd-reviewer").replace(
        "name: Jane Doe", 'name: "Jane\\x1fDoe"'
    ),
}


def test_stale_from_rows_equals_stale_from_answers(tmp_path):
    root = committed_library(tmp_path / "lib", ODD)
    cold, loaded = stale_rows_report(root)
    assert all(not isinstance(e, tuple) for e in loaded.listing)  # all read just now
    warm, loaded = stale_rows_report(root)
    from_answers = stale_report(root)
    rows = sorted(e[0].rsplit("/", 1)[-1] for e in loaded.listing if isinstance(e, tuple))
    # Answers whose values are not all plain text or YAML dates are Answers still.
    odd = {"string-date.md", "not-a-date.md", "number-title.md", "odd-reviewer.md"}
    assert rows == sorted(set(ODD) - odd)
    assert cold == warm == from_answers
    assert any("past the year 9999" in note for note in warm[1])
    assert by_path(warm[0])["no-id.md"]["id"] == "no-id"


def by_path(items):
    return {i["path"].rsplit("/", 1)[-1]: i for i in items}


def test_a_stored_row_is_not_used_for_a_changed_file(tmp_path, monkeypatch):
    """Rows come by the blob git vouches for, or by the stat rule: an edit in the same
    instant (same size, same mtime), and an edit outside git, are judged as they are now."""
    root = committed_library(
        tmp_path / "lib",
        {"a.md": answer_text("a", last_reviewed="2026-05-01"), "b.md": answer_text("b")},
    )
    stale_rows_report(root)
    path = root / ONC / "a.md"
    st = path.stat()
    path.write_text(answer_text("a", last_reviewed="2025-06-01"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    seen = parsed_count(monkeypatch)
    (items, *_), loaded = stale_rows_report(root)
    assert seen == [f"{ONC}/a.md"]
    assert by_path(items)["a.md"]["due_date"] == "2025-12-01"  # was not due
    assert [e[0] for e in loaded.listing if isinstance(e, tuple)] == [f"{ONC}/b.md"]


def test_a_stored_row_outside_git_follows_the_stat_rule(library, settled, monkeypatch):
    build_tree(library, {f"{ONC}/a.md": answer_text("a", last_reviewed="2026-05-01")})
    stale_rows_report(library)
    (items, *_), loaded = stale_rows_report(library)
    assert [e[0] for e in loaded.listing if isinstance(e, tuple)] == [f"{ONC}/a.md"]
    assert items == []  # due 2026-11-01
    build_tree(library, {f"{ONC}/a.md": answer_text("a", last_reviewed="2025-05-01")})
    seen = parsed_count(monkeypatch)
    (items, *_), loaded = stale_rows_report(library)
    assert seen == [f"{ONC}/a.md"]
    assert by_path(items)["a.md"]["due_date"] == "2025-11-01"


def test_stale_in_a_fresh_clone_with_a_restored_cache(tmp_path, monkeypatch):
    """The CI shape through the CLI: rows for the unchanged files, the edited one read."""
    origin = committed_library(
        tmp_path / "origin",
        {f"{c}.md": answer_text(c, last_reviewed="2026-01-10") for c in "abc"},
    )
    from helpers import QA

    args = ("stale", "--as-of", "2026-09-01", "--format", "json", "--exit-zero")
    QA(origin).json(*args)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-hardlinks", str(origin), str(clone))
    shutil.copytree(origin / ".qa", clone / ".qa")
    (clone / ONC / "b.md").write_text(
        answer_text("b", last_reviewed="2026-04-10"), encoding="utf-8"
    )
    seen = parsed_count(monkeypatch)
    _, items = QA(clone).json(*args)
    assert seen == [f"{ONC}/b.md"]
    assert [(i["id"], i["due_date"]) for i in items] == [("a", "2026-07-10"), ("c", "2026-07-10")]


def test_stale_rows_give_lines_and_authors(tmp_path):
    """What a row does not hold (the line of a date, the authors) comes from its Answer."""
    from helpers import QA

    root = committed_library(tmp_path / "lib", {"a.md": answer_text("a")})
    qa = QA(root)
    for _ in ("cold", "warm"):
        out = qa("stale", "--as-of", "2026-09-01", "--format", "github").stdout
        assert out.startswith(f"::warning file={ONC}/a.md,line=8,"), out
        _, grouped = qa.json(
            "stale", "--as-of", "2026-09-01", "--format", "json", "--group-by", "author"
        )
        assert [g["name"] for g in grouped["groups"]] == ["Sam Writer"]


def test_the_scan_lists_files_in_path_order_and_odd_folders_in_walk_order(tmp_path):
    """Each folder's names are sorted once; the whole list is in path-parts order."""
    from qa_tool.library import scan_markdown

    names = ["a.md", "a/x.md", "a/b.md/c/y.md", "a-b/q.md", "a0.md", "A.md", "a/a.md"]
    names += ["a/a/k.md", "a/ab.md", ".hidden/h.md", "a/.h.md", "a/notes.txt"]
    build_tree(tmp_path, {name: "x" for name in names})
    (tmp_path / "a" / "a" / "z.md").mkdir()
    (tmp_path / "a" / "l.md").symlink_to(tmp_path / "a.md")
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
    files, odd = scan_markdown(tmp_path)
    rels = [f.path.relative_to(tmp_path).as_posix() for f in files]
    expected = [n for n in names if ".h" not in n and n.endswith(".md")] + ["a/l.md"]
    assert rels == sorted(expected, key=lambda rel: rel.split("/"))
    assert [f.is_link for f in files] == [rel == "a/l.md" for rel in rels]
    # folders named like answer files: each folder's, when the walk lists it
    assert [p.relative_to(tmp_path).as_posix() for p in odd] == ["a/b.md", "a/a/z.md"]


@pytest.mark.parametrize("asked", [1, 200])
def test_a_cache_opened_for_judging_gives_whole_answers(tmp_path, monkeypatch, asked):
    """Opened for judging, rows lack what judging does not read; an Answer made of one is
    whole all the same, read row by row or, past a few, all at once."""
    files = {f"{c}.md": answer_text(c, body=f"Body {c}.\n") for c in "abc"}
    files["d.md"] = answer_text("d", extra="review_fingerprint: abc")
    root = committed_library(tmp_path / "lib", files)
    titles(root)
    config = load_config(root)
    whole = cache_module.SummaryCache.open(config.state_dir)
    judged = cache_module.SummaryCache.open(config.state_dir, judged=True)
    monkeypatch.setattr(cache_module, "WHOLE_ROWS_ASKED", asked)
    blobs = sorted(whole._summaries)
    assert sorted(judged._summaries) == blobs
    for blob in blobs:
        row = judged.row(blob)
        assert row[1] is None and row[3] is None  # no body line, no text key
        assert row[6:] == whole.row(blob)[6:]
        assert (row[2] is None) == (row[13] is None)  # the digest only with a fingerprint
    for blob in blobs:
        made, expected = judged.answer(blob, "p", "r", 100), whole.answer(blob, "p", "r", 100)
        assert (made.body_line, made.digest, made.git_blob, made.columns) == (
            expected.body_line,
            expected.digest,
            expected.git_blob,
            expected.columns,
        )


# --- a cold read writes its rows ahead of the end ------------------------------------------


def summaries_stored(root) -> int:
    con = sqlite3.connect(root / ".qa" / "cache.sqlite3")
    try:
        return con.execute("SELECT count(*) FROM summaries").fetchone()[0]
    finally:
        con.close()


def test_rows_written_ahead_give_the_same_answers(tmp_path, monkeypatch):
    """Rows written ahead of save (every 3 here) come back whole: meta, columns, text key;
    a second run reads nothing; an edit is seen; versions no file holds are still pruned."""
    answers = {f"a{n}.md": answer_text(f"a{n}", title=f"Question {n}?") for n in range(10)}
    root = committed_library(tmp_path / "lib", answers)
    config = load_config(root)
    whole = load_library(config, summary=True)  # nothing written ahead of save
    shutil.rmtree(root / ".qa")
    monkeypatch.setattr(cache_module, "SAVE_SUMMARIES_EVERY", 3)
    writes = []
    real_write = cache_module._write
    monkeypatch.setattr(
        cache_module, "_write", lambda *a, **k: (writes.append(a[1]), real_write(*a, **k))[1]
    )
    cold = load_library(config, summary=True)
    assert len(writes) == 4  # three ahead (after 3, 6 and 9 rows), the last at save
    assert [a.meta for a in cold.answers] == [a.meta for a in whole.answers]
    assert [a.digest for a in cold.answers] == [a.digest for a in whole.answers]
    assert summaries_stored(root) == 10
    seen = parsed_count(monkeypatch)
    warm = load_library(config, summary=True)
    assert seen == []
    assert [a.meta for a in warm.answers] == [a.meta for a in whole.answers]
    (root / ONC / "a4.md").write_text(answer_text("a4", title="Edited?"), encoding="utf-8")
    assert titles(root)["a4.md"] == "Edited?"
    assert seen == [f"{ONC}/a4.md"]
    assert summaries_stored(root) == 10  # the old version of a4 is gone


def test_a_row_written_ahead_is_found_after_the_texts_were_read(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "SAVE_SUMMARIES_EVERY", 1)
    cache = cache_module.SummaryCache.open(tmp_path / ".qa")
    meta = {"title": "One?", "status": "draft"}
    cache.put("a.md", None, meta, 5, "d1", ("b1", "k1", "t1"))
    cache.put("b.md", None, {**meta, "title": "Two?"}, 5, "d2", ("b2", "k2", "t2"))
    assert cache.meta("b1")["title"] == "One?"  # the texts are read now: b1 is stored
    cache.put("c.md", None, {**meta, "title": "Three?"}, 5, "d3", ("b3", "k3", "t3"))
    assert cache.meta("b2")["title"] == "Two?"  # written ahead after the texts were read
    answer = cache.answer("b2", "x/b.md", "b.md", 1000)
    assert answer is not None
    assert (answer.digest, answer.git_blob) == ("d2", ("b2", "k2", "t2"))
    assert answer.meta["title"] == "Two?"


def test_when_writing_ahead_fails_the_rows_wait_for_save(tmp_path, monkeypatch):
    answers = {f"a{n}.md": answer_text(f"a{n}", title=f"Question {n}?") for n in range(8)}
    root = committed_library(tmp_path / "lib", answers)
    monkeypatch.setattr(cache_module, "SAVE_SUMMARIES_EVERY", 2)
    calls = []
    real_write = cache_module._write

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(cache_module, "_write", failing_once)
    assert titles(root) == {f"a{n}.md": f"Question {n}?" for n in range(8)}
    assert len(calls) == 2  # one failed write ahead, none after it, then save
    assert summaries_stored(root) == 8
