"""qa_tool/gitinfo.py: every git call made by qa goes through one runner and one environment."""

from __future__ import annotations

import os

import pytest
from helpers import build_tree, commit_all, git_init

from qa_tool import gitinfo
from qa_tool.config import find_root
from qa_tool.errors import GitError


def test_the_environment_is_fixed_over_the_users(monkeypatch):
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    monkeypatch.setenv("GIT_PAGER", "less")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "1")
    monkeypatch.setenv("QA_SOMETHING_ELSE", "kept")
    env = gitinfo.git_env()
    assert env["LC_ALL"] == "C"
    assert env["GIT_PAGER"] == env["PAGER"] == "cat"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_OPTIONAL_LOCKS"] == "0"
    assert env["QA_SOMETHING_ELSE"] == "kept"


def test_a_failure_is_a_git_error_with_gits_reason_in_english(tmp_path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "de")
    with pytest.raises(GitError, match=r"^git rev-parse: the library is not in a git repository"):
        gitinfo.run_git(tmp_path, "rev-parse", "--show-toplevel")
    out = gitinfo.call_git(tmp_path, "rev-parse", "--show-toplevel")
    assert out.returncode != 0
    assert gitinfo.git_message(out) == gitinfo.NOT_A_REPOSITORY


def test_git_missing_is_a_git_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GitError, match="git could not be run"):
        gitinfo.run_git(tmp_path, "status")


def test_find_root_asks_git_for_the_top_level(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    repo = build_tree(tmp_path / "repo", {"answers/oncology/a.md": "x\n"})
    git_init(repo)
    commit_all(repo, "start", "2026-01-01T12:00:00")
    assert find_root(repo / "answers" / "oncology") == repo.resolve()
    other = tmp_path / "other"
    other.mkdir()
    assert find_root(other) == other.resolve()  # not in a repository: the folder itself


def test_prefetched_git_answers_equal_asked_ones_and_untaken_ones_leave_nothing(tmp_path):
    """A background git command writes to unnamed files: its result is the same as asked
    at once; one not taken is stopped, its files closed."""
    from helpers import answer_text, build_tree, commit_all, git_init

    from qa_tool import gitinfo

    root = build_tree(tmp_path, {f"answers/oncology/{c}.md": answer_text(c) for c in "abc"})
    git_init(root)
    commit_all(root, "answers", "2026-01-05T10:00:00")
    asked = gitinfo.clean_blobs(root, "answers")
    assert len(asked) == 3

    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0

    before = open_fds()
    with gitinfo.prefetching(root, "answers", history=True):
        assert gitinfo.clean_blobs(root, "answers") == asked
        assert not gitinfo._STARTED.get((str(root), gitinfo._clean_args("answers")))
    assert not gitinfo._STARTED  # the repository and HEAD questions were dropped
    assert open_fds() == before


def test_every_call_reads_objects_within_bounded_caches(tmp_path):
    git_init(tmp_path)
    for setting in gitinfo.GIT_CONFIG:
        key, value = setting.split("=", 1)
        out = gitinfo.run_git(tmp_path, "config", "--get", key)
        assert out.decode().strip() == value


def test_a_streamed_output_comes_in_its_pieces_and_a_failure_names_gits_reason(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(gitinfo, "STREAM_CHUNK", 7)  # pieces cut across reads
    git_init(tmp_path)
    names = [f"f{n:03d}.md" for n in range(40)]
    build_tree(tmp_path, {name: "x\n" for name in names})
    commit_all(tmp_path, "add", "2026-01-05T10:00:00")
    pieces = list(gitinfo.stream_git(tmp_path, "ls-files", "-z"))
    assert pieces == [n.encode() for n in names]  # git lists them in name order
    lines = list(gitinfo.stream_git(tmp_path, "ls-files", sep=b"\n"))
    assert lines == pieces
    with pytest.raises(GitError, match="^git rev-parse: Needed a single revision$"):
        list(gitinfo.stream_git(tmp_path, "rev-parse", "--verify", "nonsense^{commit}"))
