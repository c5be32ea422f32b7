"""The benchmark generator writes valid, deterministic libraries.

Why these tests: benchmark figures are only comparable across runs and
machines if the same seed gives the same library, and only meaningful if the
files are what ``qa`` and Hugo will really meet (front matter that parses, a
due date Hugo can read, citations that resolve, a git history with dates).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from dateutil.relativedelta import relativedelta

GENERATOR = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
N = 30
LEGACY = 12
ID_FORM = re.compile(r"[a-z]+(?:-[a-z]+)*")
CITATION = re.compile(r"\[(@[^\]]+)\]")


def load_generator() -> ModuleType:
    """The generator as a module, for its HISTORY table (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def generate(out: Path, seed: int = 1) -> Path:
    """Run the generator as the runner does: a library of N answers and LEGACY texts."""
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--n",
            str(N),
            "--out",
            str(out / "lib"),
            "--legacy",
            str(LEGACY),
            "--legacy-out",
            str(out / "legacy"),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
    )
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file outside .git, by relative path."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def git(library: Path, *args: str) -> str:
    """Output of one git command in the library."""
    return subprocess.run(
        ["git", *args], cwd=library, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same arguments run twice into two folders."""
    return (
        generate(tmp_path_factory.mktemp("first")),
        generate(tmp_path_factory.mktemp("second")),
    )


@pytest.fixture(scope="module")
def library(twice: tuple[Path, Path]) -> Path:
    """The generated library root."""
    return twice[0] / "lib"


@pytest.fixture(scope="module")
def answers(library: Path) -> list[tuple[Path, dict, str]]:
    """(path, front matter, body) of every answer."""
    parsed = []
    for path in sorted((library / "answers").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n")
        front, body = text[4:].split("\n---\n", 1)
        parsed.append((path, yaml.safe_load(front), body))
    return parsed


def test_same_seed_gives_same_bytes_and_history(twice: tuple[Path, Path]) -> None:
    first, second = twice
    assert snapshot(first / "lib") == snapshot(second / "lib")
    assert snapshot(first / "legacy") == snapshot(second / "legacy")
    assert git(first / "lib", "rev-parse", "HEAD") == git(second / "lib", "rev-parse", "HEAD")


def test_other_seed_gives_other_library(tmp_path: Path, library: Path) -> None:
    other = generate(tmp_path, seed=2) / "lib"
    assert snapshot(other) != snapshot(library)


def test_layout_ids_and_topics(library: Path, answers: list[tuple[Path, dict, str]]) -> None:
    assert len(answers) == N
    assert 'contentDir = "answers"' in (library / "hugo.toml").read_text()
    ids = [meta["id"] for _, meta, _ in answers]
    assert len(set(ids)) == N
    for path, meta, _ in answers:
        assert meta["id"] == path.stem
        assert ID_FORM.fullmatch(meta["id"]) and len(meta["id"]) <= 80
        assert path.parent.name == meta["topic"].lower().replace(" ", "-")


def test_front_matter_follows_content_model(answers: list[tuple[Path, dict, str]]) -> None:
    statuses = set()
    for path, meta, _ in answers:
        statuses.add(meta["status"])
        assert meta["title"].endswith("?"), path
        assert meta["confidence"] in {"high", "moderate", "low", "very-low"}
        assert isinstance(meta["created"], date)
        assert meta["created"] <= meta["last_reviewed"]
        assert all(set(r) == {"name", "credentials"} for r in meta["reviewed_by"])
        assert all(set(a) == {"name"} for a in meta["authors"])
        refs = meta["references"]
        assert 3 <= len(refs) <= 6
        assert [r["id"] for r in refs] == [str(i) for i in range(1, len(refs) + 1)]
        for ref in refs:
            assert ref["type"] == "article-journal"
            assert isinstance(ref["issued"], int)
            assert isinstance(ref["PMID"], str) and ref["PMID"].isdigit()
            assert re.fullmatch(r"10\.\d{4}/[a-z]{4}\.\d{4}", ref["DOI"])
    assert "published" in statuses and len(statuses) >= 2


def test_expiry_date_is_the_due_date(answers: list[tuple[Path, dict, str]]) -> None:
    for path, meta, _ in answers:
        due = meta.get("review_due") or meta["last_reviewed"] + relativedelta(months=6)
        assert meta["expiryDate"] == due, path


def test_every_citation_has_a_reference_and_back(answers: list[tuple[Path, dict, str]]) -> None:
    for path, meta, body in answers:
        cited = {
            key.strip().lstrip("@") for group in CITATION.findall(body) for key in group.split(";")
        }
        assert cited == {r["id"] for r in meta["references"]}, path
        assert "\n## What the research says\n" in body
        questions = body.split("\n## What to ask your doctor\n", 1)[1].split("\n")
        questions = [q for q in questions if q]
        assert 3 <= len(questions) <= 5
        assert all(q.startswith("- ") and q.endswith("?") for q in questions)


def test_git_history_has_the_planned_dates(library: Path) -> None:
    planned = [plan.day.isoformat() for plan in reversed(load_generator().HISTORY)]
    dates = git(library, "log", "--format=%ad", "--date=short").split()
    assert len(dates) >= 5
    assert dates == [d for d in planned if d in dates]
    assert len(set(dates)) == len(dates)
    assert git(library, "status", "--porcelain") == ""


def test_legacy_texts_have_both_shapes(twice: tuple[Path, Path]) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((twice[0] / "legacy").iterdir())]
    assert len(texts) == LEGACY
    plain = [t for t in texts if not t.startswith("Mode\n")]
    page = [t for t in texts if t.startswith("Mode\nText Size\nLog in / Sign up\n")]
    assert plain and page and len(plain) + len(page) == LEGACY
    for text in texts:
        assert "What the research says" in text and "What to ask your doctor" in text
        assert text.endswith("We do not provide individualized advice.")
        assert re.search(r"[a-z] \d\.(?: |$)", text, re.MULTILINE), "number before the stop"
        assert "[@" not in text
    assert all("\n- " in t for t in plain)
    assert all("\n  \u2022 " in t for t in page)
    assert any(" confidence \u00a0\u00b7\u00a0 Last reviewed " in t for t in page)
